// The pre-trade check of an order: its price band, then its margin at the expected fill (the book walked up to
// the order's size and limit, the account's own orders left out as self-trade prevention would expire them),
// with the largest size that would pass named in a refusal. Reads only.
import type { Side } from '../book/types.js';
import * as math from '../math.js';
import * as ppm from '../ppm.js';
import { priceBand } from '../products/perp/pricing.js';
import { Rejection } from '../rejection.js';
import { marginCheck } from './margin.js';
import type { EngineState, MarketState, OrderMeta, Position } from './state.js';

// Bound once (see positions.ts): this is the order path.
const { mulBig } = math;
const { ceilPpm } = ppm;

/** Refuses a limit price outside the bands (pricing.ts priceBand), naming the allowed range. */
export function checkBand(m: MarketState, side: Side, price: number, mark: number): Rejection | undefined {
  const index = m.index as number;
  const { lo, hi } = priceBand(side, mark, index, m.spec);
  if (price >= lo && price <= hi) return undefined;
  const b = m.spec;
  return new Rejection('price_out_of_band',
    `a ${side} must be priced between ${lo} and ${hi} now (within ${b.indexBandPpm / 10_000} % of index ${index}; `
    + `a ${side} no further than ${b.marketBandPpm / 10_000} % ${side === 'buy' ? 'above' : 'below'} mark ${mark})`, 'price');
}

interface Level { price: number; qty: number }

/**
 * Margin for `qty` lots at `limit` against `levels`: the expected fills are taken at their prices (taker fee on
 * each), what is left rests at `limit` when `rests` (with the taker-fee reserve the old rule kept) or is cancelled.
 */
function check(s: EngineState, m: MarketState, owner: string, pos: Position | undefined, side: Side, qty: number, limit: number,
  levels: readonly Level[], rests: boolean, postOnly: boolean, reduceOnly: boolean, mark: number, replacing: OrderMeta | undefined) {
  let fillQty = 0, fillNotional = 0n, fee = 0n;
  const spec = m.spec, rate = m.rates.takerFeePpm;
  for (let i = 0; i < levels.length && fillQty < qty; i++) {
    const l = levels[i] as Level;
    const q = Math.min(l.qty, qty - fillQty);
    fillQty += q;
    fillNotional += mulBig(q, l.price);
    fee += ceilPpm(q, l.price, spec.takerFeePpm, rate);
  }
  const restQty = rests ? qty - fillQty : 0;
  if (restQty > 0 && !postOnly) fee += ceilPpm(restQty, limit, spec.takerFeePpm, rate);
  return marginCheck(s, m, owner, pos, side, fillQty, fillNotional, restQty, limit, fee, reduceOnly, mark, replacing);
}

/**
 * Margin of an order at its expected fill. A refusal for margin names the largest size that passes now
 * (a size that passes with one lot more failing, found by bisection), 0 when none does.
 */
export function checkOrderMargin(s: EngineState, m: MarketState, owner: string, side: Side, qty: number, limit: number,
  rests: boolean, postOnly: boolean, reduceOnly: boolean, mark: number, replacing: OrderMeta | undefined): Rejection | undefined {
  const pos = m.positions.get(owner);
  const levels = postOnly ? [] : m.book.reachable(side, limit, qty, owner);
  const r = check(s, m, owner, pos, side, qty, limit, levels, rests, postOnly, reduceOnly, mark, replacing);
  if (r === undefined || r instanceof Rejection) return r;
  let lo = 0, hi = qty; // check(lo) passes (or lo = 0), check(hi) fails
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (check(s, m, owner, pos, side, mid, limit, levels, rests, postOnly, reduceOnly, mark, replacing) === undefined) lo = mid; else hi = mid;
  }
  return new Rejection('insufficient_margin',
    `needs ${r.im} msat initial margin, has ${r.free} msat after fees and the expected fill; the largest size that passes now is ${lo} lots`, 'qty');
}
