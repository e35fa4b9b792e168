// Positions that change hands outside the book: a holder's lots with their share of cost moved to another
// holder (the vault's takeover in a liquidation, ADL, swap offers), and index-priced trades (vault trades).
import type { EngineEvent } from '../events.js';
import { mulBig } from '../math.js';
import { enforceReduceOnly } from './orders.js';
import { applyFill, gc, pos } from './positions.js';
import { accountOf, type EngineState, type MarketState, type Position } from './state.js';

/** Emits each owner's PositionChanged, trims its reduce-only orders to the new position, then drops what is empty. */
function afterChange(s: EngineState, m: MarketState, a: string, b: string, out: EngineEvent[]): void {
  for (const o of [a, b]) {
    const p = m.positions.get(o) as Position;
    out.push({ type: 'PositionChanged', account: accountOf(o), market: m.spec.id, qty: p.qty, costMsat: p.cost });
    enforceReduceOnly(s, m, o, out); // a counterparty's position may have shrunk under its reduce-only orders
  }
  gc(m, a);
  gc(m, b);
}

/** Moves `dq` lots (signed, the holder's direction) with their share of cost from one holder to another; returns that cost. */
export function movePosition(s: EngineState, m: MarketState, from: string, to: string, dq: number, out: EngineEvent[]): bigint {
  const src = pos(m, from);
  const piece = dq === src.qty ? src.cost : (src.cost * BigInt(Math.abs(dq))) / BigInt(Math.abs(src.qty));
  const entryPiece = dq === src.qty ? src.entryCost : (src.entryCost * BigInt(Math.abs(dq))) / BigInt(Math.abs(src.qty));
  src.qty -= dq;
  src.cost -= piece;
  src.entryCost -= entryPiece;
  const dst = pos(m, to);
  const old = dst.qty;
  dst.qty += dq;
  dst.cost += piece;
  if (old === 0 || (old > 0) === (dq > 0)) dst.entryCost += entryPiece;
  else if (Math.abs(dq) <= Math.abs(old)) dst.entryCost -= (dst.entryCost * BigInt(Math.abs(dq))) / BigInt(Math.abs(old));
  else dst.entryCost = (entryPiece * BigInt(Math.abs(dst.qty))) / BigInt(Math.abs(dq));
  afterChange(s, m, from, to, out);
  return piece;
}

/** Books a trade of `qty` lots at `price` between two owners outside the book (no fees here: the caller charges its own). */
export function tradeOutsideBook(s: EngineState, m: MarketState, buyer: string, seller: string, qty: number, price: number, out: EngineEvent[]): void {
  const n = mulBig(Math.abs(qty), price);
  applyFill(m, buyer, qty, price, n);
  applyFill(m, seller, -qty, price, n);
  afterChange(s, m, buyer, seller, out);
}
