/** The block-delta routes' read views, with the model's fair value per series cached per engine tip. */
import type { Exchange } from '../../engine/index.js';
import { bdcBook, bdcModuleOf, bdcOrdersOf, bdcPositionsOf, bdcQuote, bdcSeriesViews, type SeriesFairValue } from '../../engine/products/bdc/index.js';
import type { IndexChain } from '../../index/chain-view.js';
import type { BdcViews } from '../../api/products/views.js';

export function bdcViews(exchange: () => Exchange, chain: IndexChain, model: { paths?: number; seed?: number } = {}): BdcViews {
  // The model runs per series and tip (Monte Carlo when a retarget intervenes): cache by tip height.
  const fairCache = new Map<string, { fair?: SeriesFairValue; error?: string }>();
  let fairHeight = -2;
  return {
    series: () => bdcSeriesViews(exchange()),
    book: (series, levels) => bdcBook(exchange(), series, levels),
    fair(series) {
      const ex = exchange();
      const h = ex.productContext(0).chain.height;
      if (h !== fairHeight) {
        fairCache.clear();
        fairHeight = h;
      }
      let v = fairCache.get(series);
      if (v === undefined) {
        try {
          const q = h < 0 ? undefined : bdcQuote(ex, series, chain, { paths: model.paths ?? 2_000, seed: model.seed ?? 1, levels: 1 });
          v = q === undefined ? { error: 'no block processed yet' } : { fair: q.fair };
        } catch (e) {
          v = { error: e instanceof Error ? e.message : String(e) };
        }
        fairCache.set(series, v);
      }
      return v;
    },
    ordersOf: (account, series) => bdcOrdersOf(exchange(), account, series),
    positionsOf: (account) => bdcPositionsOf(exchange(), account),
    isOpen: (positionId) => bdcModuleOf(exchange()).getPosition(positionId) !== undefined,
  };
}
