// Read helpers for the server (REST/WS): plain functions over an Exchange, using its `bdc` product.
import type { DepthLevel } from '../../book/types.js';
import type { Exchange } from '../../exchange.js';
import type { IndexChain } from '../../../index/chain-view.js';
import type { BdcSide } from './commands.js';
import { bdcChainStateAt, seriesFairValue, type BdcStateOptions, type SeriesFairValue } from './fair-value.js';
import { BDC_PRODUCT, escrowAccount, potAccount, type BdcModule, type BdcPositionDescription } from './module.js';

export { BDC_PRODUCT, BdcModule, createBdcModule, escrowAccount, positionIdOf, potAccount, seriesOfPosition, userOwner } from './module.js';
export type { BdcOrder, BdcPosition, BdcPositionDescription, BdcSeries } from './module.js';
export { headerRule } from './header-rule.js';
export { ASSUMED_TREE_DEPTH, ASSUMED_UNROLL_TXS, BLOCK_SECONDS, EXIT_MARGIN_BLOCKS, bdcHorizonOf, bdcSettlementWindow, beyondHorizon, checkBdcHorizon, type BdcHorizon } from './horizon.js';
export { BPS, PAYOUT_STEP_SAT, TAKER_FEE_PPM, seriesId, stakeMsat, stakeSat, takerFeeMsat } from './terms.js';
export { bdcChainStateAt, seriesFairValue } from './fair-value.js';
export type { BdcStateOptions, BdcTip, SeriesFairValue } from './fair-value.js';

export function bdcModuleOf(ex: Exchange): BdcModule {
  const m = ex.product<BdcModule>(BDC_PRODUCT);
  if (m === undefined) throw new Error('the bdc product is not registered');
  return m;
}

export interface BdcSeriesView {
  series: string; height: number; deadline: number; payoutSat: number; status: 'open' | 'settled' | 'halted'; winner: BdcSide | null;
  decidedAtHeight: number | null;
  /** Best FAST bid / best SLOW offer, in FAST bps. */
  bestBid: number | undefined; bestAsk: number | undefined;
  /** Open contracts (each is one FAST and one SLOW position). */
  openInterest: number;
  potMsat: bigint; escrowMsat: bigint;
}

export function bdcSeriesViews(ex: Exchange): BdcSeriesView[] {
  const m = bdcModuleOf(ex);
  const oi = new Map<string, number>();
  for (const s of m.listSeries()) if (s.status === 'open') for (const p of m.positionsOfSeries(s.id)) if (p.side === 'FAST') oi.set(s.id, (oi.get(s.id) ?? 0) + p.contracts);
  return m.listSeries().map((s) => ({
    series: s.id, height: s.height, deadline: s.deadline, payoutSat: s.payoutSat, status: s.status, winner: s.winner ?? null,
    decidedAtHeight: s.decidedAtHeight ?? null, bestBid: s.book.bestBid(), bestAsk: s.book.bestAsk(), openInterest: oi.get(s.id) ?? 0,
    potMsat: ex.ledger.balance(potAccount(s.id)), escrowMsat: ex.ledger.balance(escrowAccount(s.id)),
  }));
}

/** Depth of a series' book in FAST bps: bids are FAST orders, asks SLOW orders. */
export function bdcBook(ex: Exchange, series: string, levels = 20): { bids: DepthLevel[]; asks: DepthLevel[] } | undefined {
  const s = bdcModuleOf(ex).getSeries(series);
  if (s === undefined) return undefined;
  return { bids: s.book.depth('buy', levels), asks: s.book.depth('sell', levels) };
}

export function bdcPositionsOf(ex: Exchange, account: string): BdcPositionDescription[] {
  const m = bdcModuleOf(ex);
  return m.positionsOf(account).map((p) => m.describePosition(p.id, p.owner) as BdcPositionDescription);
}

export interface BdcOrderView { orderId: number; series: string; side: BdcSide; price: number; qty: number; clientOrderId?: string }

export function bdcOrdersOf(ex: Exchange, account: string, series?: string): BdcOrderView[] {
  return bdcModuleOf(ex).ordersOf(account, series).map((o) => {
    const v: BdcOrderView = { orderId: o.id, series: o.series, side: o.side, price: o.price, qty: o.qty };
    if (o.clientOrderId !== undefined) v.clientOrderId = o.clientOrderId;
    return v;
  });
}

/**
 * A series' book with the model's fair value beside it. The tip (height, MTP) is the engine's; bits, epoch
 * start and hashrate come from `chain`. A settled series reports its outcome instead of a model value.
 */
export function bdcQuote(ex: Exchange, series: string, chain: IndexChain,
  opts: BdcStateOptions & { paths?: number; seed?: number; levels?: number } = {}):
  { series: string; book: { bids: DepthLevel[]; asks: DepthLevel[] }; fair: SeriesFairValue } | undefined {
  const s = bdcModuleOf(ex).getSeries(series);
  if (s === undefined) return undefined;
  const book = { bids: s.book.depth('buy', opts.levels ?? 20), asks: s.book.depth('sell', opts.levels ?? 20) };
  if (s.status === 'settled') {
    const winner = s.winner as BdcSide;
    return {
      series, book,
      fair: { series: { height: s.height, deadline: s.deadline }, decided: true, winner, fairBps: winner === 'FAST' ? 10_000 : 0, basis: `settled at height ${s.decidedAtHeight ?? '?'}` },
    };
  }
  const tip = ex.productContext(0).chain;
  const state = bdcChainStateAt(chain, { height: tip.height, mtp: tip.mtp }, opts);
  return { series, book, fair: seriesFairValue({ height: s.height, deadline: s.deadline }, state, opts) };
}
