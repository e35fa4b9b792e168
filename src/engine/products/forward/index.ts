// Read helpers for the server (REST/WS) and the CLI: plain functions over the Exchange.
import type { Exchange } from '../../exchange.js';
import type { DepthLevel } from '../../book/types.js';
import { quoteForward, type ForwardQuote } from './calculator.js';
import { FORWARD_MARKETS, positionView, type ForwardContract, type ForwardModule, type ForwardPositionView } from './module.js';

export * from './calculator.js';
export {
  FORWARD_MARKETS, DAY_BLOCKS, REPORT_GRACE_BLOCKS, MIN_ORDER_LOTS, ForwardModule, createForwardModule, parsePositionId,
  positionView, escrowFor, orderEscrow, contractCollateral, endHeightOf,
} from './module.js';
export type { ForwardContract, DayRecord, ForwardPositionView } from './module.js';

export function forwardModule(ex: Exchange): ForwardModule {
  const m = ex.product<ForwardModule>('forward');
  if (m === undefined) throw new Error('the forward product is not registered');
  return m;
}

/** Every contract where `account` (bare id or `user:<id>`) is miner or investor, with its day history. */
export function forwardContractsOf(ex: Exchange, account: string): ForwardContract[] {
  return forwardModule(ex).contractsOf(account);
}

export function forwardContract(ex: Exchange, id: number): ForwardContract | undefined {
  return forwardModule(ex).contract(id);
}

/** The account's forward positions (one per side held) as swap offers and the portfolio show them. */
export function forwardPositionsOf(ex: Exchange, account: string): ForwardPositionView[] {
  const a = account.startsWith('user:') ? account.slice(5) : account;
  const out: ForwardPositionView[] = [];
  for (const k of forwardContractsOf(ex, a)) {
    if (k.miner === a) out.push(positionView(k, 'miner'));
    if (k.investor === a) out.push(positionView(k, 'investor'));
  }
  return out;
}

export interface ForwardBookView { market: string; days: number; bids: DepthLevel[]; asks: DepthLevel[] }

export function forwardBook(ex: Exchange, market: string, levels = 20): ForwardBookView | undefined {
  const b = forwardModule(ex).book(market);
  if (b === undefined) return undefined;
  return { market, days: FORWARD_MARKETS[market], bids: b.depth('buy', levels), asks: b.depth('sell', levels) };
}

export function forwardMarkets(): { market: string; days: number }[] {
  return Object.entries(FORWARD_MARKETS).map(([market, days]) => ({ market, days }));
}

/** The calculators for both sides at the exchange's current index (undefined before the first block). */
export function forwardQuoteNow(
  ex: Exchange, terms: { qtyLots: number; priceSatPerPHDay: number; market: string }, taker: 'miner' | 'investor',
): ForwardQuote | undefined {
  const days = FORWARD_MARKETS[terms.market];
  const index = ex.productContext(0).chain.index;
  if (days === undefined || index === undefined) return undefined;
  return quoteForward({ qtyLots: terms.qtyLots, priceSatPerPHDay: terms.priceSatPerPHDay, days }, index, taker);
}
