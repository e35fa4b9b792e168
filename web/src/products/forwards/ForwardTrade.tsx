import { useEffect, useMemo, useState } from 'react';
import type { Backend } from '../../api/backend.js';
import type { Feed } from '../../api/feed.js';
import { useLoad } from '../../api/hooks.js';
import { useProductLive } from '../../api/product-live.js';
import type { ForwardMarketView } from '../../api/products.js';
import { DepthChart } from '../../components/DepthChart.js';
import { Loading } from '../../components/Notice.js';
import { OrderBook } from '../../components/OrderBook.js';
import { friendly } from '../../lib/api-errors.js';
import { depthOf } from '../../lib/depth.js';
import { btcPerPhDay } from '../../lib/format.js';
import type { ForwardOrderInput } from '../../lib/forward-form.js';
import { tenorDays } from '../../lib/forward-markets.js';
import type { AccountKey } from '../../lib/keys.js';
import { ForwardOrderForm } from './ForwardOrderForm.js';
import { ForwardTrades } from './ForwardTrades.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

/** One forward market: its book, depth and trades live from its channel, and the order form. */
export function ForwardTrade({ backend, feed, market, info, indexPrice, curvePrice, accountKey }: {
  backend: Backend;
  feed: Feed;
  market: string;
  info: ForwardMarketView | undefined;
  indexPrice: number | undefined;
  /** The dashboard's forward curve at this tenor, when the market list has no fair price. */
  curvePrice: number | undefined;
  accountKey: AccountKey | undefined;
}) {
  const book = useLoad(() => friendly(backend.products.forwardBook(market, 20), 'forward markets'), [backend, market]);
  // The forwards:<market> channel keeps book and trades current; the HTTP read only fills the first paint.
  const live = useProductLive(feed, 'forwards', market, book.data);
  const depth = useMemo(() => depthOf(live.book), [live.book]);
  const fair = num(info?.fairPriceSatPerPHDay) ?? (curvePrice !== undefined ? Math.round(curvePrice) : undefined);
  const reference = Math.round(fair ?? depth?.mid ?? indexPrice ?? 0);
  const [f, setF] = useState<ForwardOrderInput>({ side: 'buy', price: '', th: '100', tif: 'GTC', postOnly: false });
  useEffect(() => {
    if (f.price === '' && reference > 0) setF((x) => ({ ...x, price: String(reference) }));
  }, [reference, f.price]);
  const days = info?.days ?? tenorDays(market) ?? NaN;
  return (
    <div className="grid trade-grid">
      <section className="panel">
        <h2>{market} book <span className="muted small">sat/PH/day</span></h2>
        {book.error ? (
          <div className="notice" data-testid="forward-unavailable">{book.error}</div>
        ) : depth ? (
          <div className="scroll-x">
            <OrderBook depth={depth} onPick={(p) => setF({ ...f, price: String(p) })} />
          </div>
        ) : <Loading what="the book" />}
      </section>
      <section className="panel">
        <h2>Depth</h2>
        {depth ? <DepthChart depth={depth} /> : book.error ? <div className="empty">No book to draw.</div> : <Loading what="depth" />}
        <dl className="kv" style={{ marginTop: 10 }}>
          <dt>Forward curve fair price</dt><dd>{fair !== undefined ? `${btcPerPhDay(fair)} BTC/PH/day` : '—'}</dd>
          <dt>Index now</dt><dd>{indexPrice !== undefined ? `${btcPerPhDay(indexPrice)} BTC/PH/day` : '—'}</dd>
          <dt>Length</dt><dd>{Number.isFinite(days) ? `${days} days (${days * 144} blocks)` : '—'}</dd>
        </dl>
        <h2 style={{ marginTop: 16 }}>Recent trades</h2>
        <ForwardTrades trades={live.trades} />
      </section>
      <section className="panel order-entry">
        <h2>Place a forward order</h2>
        <ForwardOrderForm backend={backend} market={market} days={days} reference={reference} f={f} setF={setF} bookFailed={book.error !== undefined} accountKey={accountKey} />
      </section>
    </div>
  );
}
