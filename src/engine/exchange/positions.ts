// Perp positions of one market: creation, removal once empty, the name-ordered owner list, and a fill's
// effect on quantity, cost and entry notional.
import * as math from '../math.js';
import { cmp, type MarketState, type Position } from './state.js';

// Bound once: under module loaders that wrap exports in getters (tsx), every access to an imported
// binding costs a call, which shows up at a million commands per second.
const { mulBig } = math;

/** Read-only stand-in for an owner with no position in a market (never mutated, never stored). */
export const NO_POSITION: Position = Object.freeze({ qty: 0, cost: 0n, entryCost: 0n, buyOpen: 0n, sellOpen: 0n, reduceOnlyIds: undefined }) as Position;

/** The owner's position, created empty if it has none. */
export function pos(m: MarketState, owner: string): Position {
  let p = m.positions.get(owner);
  if (p === undefined) {
    p = { qty: 0, cost: 0n, entryCost: 0n, buyOpen: 0n, sellOpen: 0n, reduceOnlyIds: undefined };
    m.positions.set(owner, p);
    m.sortedOwners = undefined;
  }
  return p;
}

/** Drops a position that holds nothing (no lots, cost or resting orders), so snapshots and sweeps skip it. */
export function gc(m: MarketState, owner: string): void {
  const p = m.positions.get(owner);
  if (p !== undefined && p.qty === 0 && p.cost === 0n && p.buyOpen === 0n && p.sellOpen === 0n) {
    p.entryCost = 0n;
    m.positions.delete(owner);
    m.sortedOwners = undefined;
  }
}

/** The market's position owners in name order (cached; see MarketState.sortedOwners). */
export function ownersSorted(m: MarketState): readonly string[] {
  let o = m.sortedOwners;
  if (o === undefined || o.length !== m.positions.size) o = m.sortedOwners = [...m.positions.keys()].sort(cmp);
  return o;
}

/** `notional` is |dq| × price, computed once per fill by the caller (both sides use it). */
export function applyFill(m: MarketState, owner: string, dq: number, price: number, notional: bigint): void {
  const p = pos(m, owner);
  const old = p.qty;
  const nq = old + dq;
  p.cost = dq > 0 ? p.cost + notional : dq < 0 ? p.cost - notional : p.cost;
  if (old === 0 || (old > 0) === (dq > 0)) {
    p.entryCost += notional;
  } else if (nq === 0) {
    p.entryCost = 0n;
  } else if (Math.abs(dq) <= Math.abs(old)) {
    p.entryCost -= (p.entryCost * BigInt(Math.abs(dq))) / BigInt(Math.abs(old));
  } else {
    p.entryCost = mulBig(Math.abs(nq), price);
  }
  p.qty = nq;
}
