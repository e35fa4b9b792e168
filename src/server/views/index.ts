/** The product routes' read views (src/api/products/views.ts) over the live engine the server holds. */
import type { Exchange } from '../../engine/index.js';
import type { IndexChain } from '../../index/chain-view.js';
import type { ProductViews } from '../../api/products/views.js';
import { bdcViews } from './bdc-views.js';
import { forwardViews } from './forward-views.js';
import { optionViews } from './option-views.js';
import { portfolioData } from './portfolio-view.js';
import { swapViews } from './swap-views.js';
import { vaultViews } from './vault-view.js';

export function productViews(exchange: () => Exchange, chain: IndexChain, bdcModel?: { paths?: number; seed?: number }): ProductViews {
  return {
    tip: () => exchange().productContext(0).chain,
    forwards: forwardViews(exchange),
    options: optionViews(exchange, chain),
    vault: vaultViews(exchange),
    bdc: bdcViews(exchange, chain, bdcModel),
    swaps: swapViews(exchange),
    portfolio: (account) => portfolioData(exchange(), account),
  };
}
