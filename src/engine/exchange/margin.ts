// Cross margin: one balance per account backs every position and order. Equity = balance + Σ claims
// (qty × mark − cost); initial margin covers positions at mark plus resting orders at their price, worst
// side; maintenance margin covers positions. Reads only: nothing here changes the state.
import type { Side } from '../book/types.js';
import * as math from '../math.js';
import * as ppm from '../ppm.js';
import { Rejection } from '../rejection.js';
import { NO_POSITION } from './positions.js';
import * as state from './state.js';
import type { EngineState, MarketState, OrderMeta, Position } from './state.js';

// Bound once (see positions.ts).
const { absBig, maxBig, minBig, mulBig } = math;
const { ceilPpmOf } = ppm;
const { markOf } = state;

/** Equity of a ledger owner (msat): balance + Σ (qty × mark − cost). */
export function equity(s: EngineState, owner: string): bigint {
  let e = s.ledger.balance(owner);
  for (const m of s.markets.values()) {
    const p = m.positions.get(owner);
    if (p === undefined) continue;
    const mk = markOf(m) ?? 0;
    e += BigInt(p.qty) * BigInt(mk) - p.cost;
  }
  return e;
}

export function initialMargin(s: EngineState, owner: string): bigint {
  let sum = 0n;
  for (const m of s.markets.values()) {
    const p = m.positions.get(owner);
    if (p !== undefined) sum += imOfValue(m, BigInt(p.qty) * BigInt(markOf(m) ?? 0), p.buyOpen, p.sellOpen);
  }
  return sum;
}

export function maintenanceMargin(s: EngineState, owner: string): bigint {
  let sum = 0n;
  for (const m of s.markets.values()) {
    const p = m.positions.get(owner);
    if (p !== undefined && p.qty !== 0) sum += mmOf(m, p.qty, BigInt(markOf(m) ?? 0));
  }
  return sum;
}

/** Free collateral of a ledger owner: min(balance, equity − initial margin), not below zero. */
export function available(s: EngineState, owner: string): bigint {
  const free = minBig(s.ledger.balance(owner), equity(s, owner) - initialMargin(s, owner));
  return free > 0n ? free : 0n;
}

/** Initial margin from the position's value at mark (pn = qty × mark). */
function imOfValue(m: MarketState, pn: bigint, buyOpen: bigint, sellOpen: bigint): bigint {
  const a = pn + buyOpen, b = pn - sellOpen;
  const absA = a < 0n ? -a : a, absB = b < 0n ? -b : b;
  return ceilPpmOf(absA > absB ? absA : absB, m.rates.initialMarginPpm);
}

/** Maintenance margin of `qty` lots at mark `mark`. */
export function mmOf(m: MarketState, qty: number, mark: bigint): bigint {
  return ceilPpmOf(absBig(BigInt(qty) * mark), m.rates.maintenanceMarginPpm);
}

/**
 * Pre-trade check of a trade at a known price (the products' index-priced trades): the whole quantity is
 * taken at `limit`, its immediate loss against mark and `feeBound` deducted (see marginCheck).
 */
export function checkMargin(s: EngineState, m: MarketState, owner: string, pos: Position | undefined, side: Side, qty: number, limit: number,
  feeBound: bigint, reduceOnly: boolean, mark: number, replacing: OrderMeta | undefined): Rejection | undefined {
  const r = marginCheck(s, m, owner, pos, side, 0, 0n, qty, limit, feeBound, reduceOnly, mark, replacing);
  return r === undefined || r instanceof Rejection ? r
    : new Rejection('insufficient_margin', `needs ${r.im} msat initial margin, has ${r.free} msat after fees and worst-case fill`, 'qty');
}

/**
 * The margin core every pre-trade check shares. `fillQty` lots are expected to fill now for `fillNotional` msat
 * (their loss against mark is deducted, a gain is not credited) and `restQty` lots would rest at `limit` (priced
 * there: loss against mark and initial margin as resting exposure); `feeBound` is the taker fee reserve.
 * Orders that only lower the initial margin requirement need only solvency; reduce-only orders only the fee.
 * Returns undefined when it passes, the initial margin needed and the equity free for it (msat) when it does
 * not, or a balance refusal.
 */
export function marginCheck(s: EngineState, m: MarketState, owner: string, pos: Position | undefined, side: Side, fillQty: number,
  fillNotional: bigint, restQty: number, limit: number, feeBound: bigint, reduceOnly: boolean, mark: number,
  replacing: OrderMeta | undefined): { im: bigint; free: bigint } | Rejection | undefined {
  const balance = s.ledger.balance(owner);
  if (balance < feeBound) return new Rejection('insufficient_balance', 'balance cannot pay the taker fee', 'qty');
  if (reduceOnly) return undefined;
  const fillAtMark = fillQty === 0 ? 0n : mulBig(fillQty, mark);
  const fillLoss = side === 'buy' ? fillNotional - fillAtMark : fillAtMark - fillNotional;
  const lossPerLot = side === 'buy' ? limit - mark : mark - limit;
  const loss = maxBig(0n, fillLoss) + (lossPerLot <= 0 || restQty === 0 ? 0n : mulBig(restQty, lossPerLot));
  const p = pos ?? NO_POSITION;
  let buyOpen = p.buyOpen, sellOpen = p.sellOpen;
  if (replacing !== undefined) {
    const old = mulBig(replacing.qty, replacing.price);
    if (replacing.side === 'buy') buyOpen -= old; else sellOpen -= old;
  }
  if (restQty > 0) {
    if (side === 'buy') buyOpen += mulBig(restQty, limit); else sellOpen += mulBig(restQty, limit);
  }
  const qtyAfter = side === 'buy' ? p.qty + fillQty : p.qty - fillQty;
  // One pass over the account's markets: equity and initial margin, with this market's IM before and after.
  // This market's IM before the order is only needed when the order fails the plain test, so it is
  // computed then (imOld = imOthers + this market's current IM).
  let eq = balance;
  let imOthers = 0n, imNew = 0n, pnHere = 0n;
  const list = s.marketList;
  for (let i = 0; i < list.length; i++) {
    const mm = list[i] as MarketState;
    if (mm === m) {
      pnHere = mulBig(p.qty, mark);
      eq += pnHere - p.cost;
      imNew += imOfValue(m, qtyAfter === p.qty ? pnHere : mulBig(qtyAfter, mark), buyOpen, sellOpen);
      continue;
    }
    const pp = mm.positions.get(owner);
    if (pp === undefined) continue;
    const pn = mulBig(pp.qty, markOf(mm) ?? 0);
    eq += pn - pp.cost;
    const im = imOfValue(mm, pn, pp.buyOpen, pp.sellOpen);
    imOthers += im;
    imNew += im;
  }
  const free = eq - loss - feeBound;
  if (free >= imNew) return undefined;
  const imOld = imOthers + imOfValue(m, pnHere, p.buyOpen, p.sellOpen);
  if (imNew <= imOld && free >= 0n) return undefined;
  return { im: imNew, free };
}

/** What liquidationPriceOf needs: one position, its market's rate, and the account's margin elsewhere. */
export interface LiquidationInputs {
  /** Signed lots of the position. */
  qty: number;
  /** Mark price now (sat/PH/day). */
  mark: number;
  maintenanceMarginPpm: number;
  /** The account's equity now (msat), every market at its mark. */
  equityMsat: bigint;
  /** The account's maintenance margin now (msat), every market included. */
  maintenanceMarginMsat: bigint;
}

/**
 * The mark at which this position alone brings the account down to its maintenance margin, every other
 * market held at today's mark: P solves E + q·(P − mark) = MM_others + |q|·P·mm, with E the equity and
 * MM_others the maintenance margin without this position's (its share taken as |q|·mark·mm, toward zero).
 * Toward zero to whole sat/PH/day; null when no positive price does it.
 */
export function liquidationPriceOf(i: LiquidationInputs): number | null {
  if (i.qty === 0) return null;
  const q = BigInt(i.qty);
  const absQ = q < 0n ? -q : q;
  const mm = BigInt(i.maintenanceMarginPpm);
  const mmThis = ppm.ppmOf(absQ * BigInt(i.mark), mm);
  const e0 = i.equityMsat - (i.maintenanceMarginMsat - mmThis);
  const num = (q * BigInt(i.mark) - e0) * ppm.PPM;
  const den = q * ppm.PPM - absQ * mm;
  if (den === 0n) return null;
  const price = num / den;
  return price > 0n ? Number(price) : null;
}

/** The liquidation price of `owner`'s position in `market` (null without a position or a mark). */
export function liquidationPrice(s: EngineState, owner: string, market: string): number | null {
  const m = s.markets.get(market);
  const p = m?.positions.get(owner);
  const mark = m === undefined ? undefined : markOf(m);
  if (m === undefined || p === undefined || p.qty === 0 || mark === undefined) return null;
  return liquidationPriceOf({
    qty: p.qty, mark, maintenanceMarginPpm: m.spec.maintenanceMarginPpm,
    equityMsat: equity(s, owner), maintenanceMarginMsat: maintenanceMargin(s, owner),
  });
}
