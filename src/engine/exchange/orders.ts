// Order bookkeeping: what the engine records beside the book for each resting order (meta, the owner's
// open notional for margin, reduce-only ids, client ids), kept in step with every rest, fill, trim and cancel.
import type { RestingOrder, Side } from '../book/types.js';
import type { CancelReason, EngineEvent } from '../events.js';
import * as math from '../math.js';
import * as positions from './positions.js';
import { accountOf, type EngineState, type MarketState, type OrderMeta } from './state.js';

// Bound once (see positions.ts).
const { mulBig } = math;
const { gc, pos } = positions;

export function addResting(s: EngineState, m: MarketState, meta: OrderMeta): void {
  m.orders.set(meta.id, meta);
  const p = pos(m, meta.owner);
  const n = mulBig(meta.qty, meta.price);
  if (meta.side === 'buy') p.buyOpen += n; else p.sellOpen += n;
  if (meta.reduceOnly) (p.reduceOnlyIds ??= new Set()).add(meta.id);
  if (meta.clientOrderId !== undefined) {
    let ids = s.clientIds.get(meta.owner);
    if (ids === undefined) s.clientIds.set(meta.owner, ids = new Map());
    ids.set(meta.clientOrderId, meta.id);
  }
}

export function removeResting(s: EngineState, m: MarketState, meta: OrderMeta): void {
  m.orders.delete(meta.id);
  const p = pos(m, meta.owner);
  const n = mulBig(meta.qty, meta.price);
  if (meta.side === 'buy') p.buyOpen -= n; else p.sellOpen -= n;
  if (meta.reduceOnly) {
    p.reduceOnlyIds?.delete(meta.id);
    if (p.reduceOnlyIds?.size === 0) p.reduceOnlyIds = undefined;
  }
  if (meta.clientOrderId !== undefined) s.clientIds.get(meta.owner)?.delete(meta.clientOrderId);
  if (p.qty === 0 && p.cost === 0n && p.buyOpen === 0n && p.sellOpen === 0n) gc(m, meta.owner);
}

/** Lower a resting order's remaining qty after a fill or a trim. */
export function reduceResting(m: MarketState, meta: OrderMeta, newQty: number): void {
  const p = pos(m, meta.owner);
  const d = mulBig(meta.qty - newQty, meta.price);
  if (meta.side === 'buy') p.buyOpen -= d; else p.sellOpen -= d;
  meta.qty = newQty;
}

export function cancelResting(s: EngineState, m: MarketState, meta: OrderMeta, reason: CancelReason, out: EngineEvent[]): void {
  m.book.cancel(meta.id);
  removeResting(s, m, meta);
  out.push({ type: 'OrderCancelled', orderId: meta.id, account: accountOf(meta.owner), market: m.spec.id, remainingQty: meta.qty, reason });
}

/**
 * An owner's resting orders by id. Ids come from seq, so this is arrival order, and unlike the book's
 * own per-account list it survives snapshot → restore (which rebuilds the queues in priority order).
 */
function ownOrders(m: MarketState, owner: string): RestingOrder[] {
  return m.book.ordersOf(owner).sort((a, b) => a.id - b.id);
}

export function cancelAllOf(s: EngineState, m: MarketState, owner: string, reason: CancelReason, out: EngineEvent[]): void {
  for (const r of ownOrders(m, owner)) cancelResting(s, m, m.orders.get(r.id) as OrderMeta, reason, out);
}

/** Lots an order of `side` may still reduce: |position| on the other side minus other resting reduce-only orders. */
export function reducibleQty(m: MarketState, owner: string, side: Side, excluding: number | undefined): number {
  const p = m.positions.get(owner);
  const q = p?.qty ?? 0;
  if (p === undefined || q === 0 || (q > 0) === (side === 'buy')) return 0;
  let room = Math.abs(q);
  if (p.reduceOnlyIds !== undefined) {
    for (const id of p.reduceOnlyIds) {
      const meta = m.orders.get(id) as OrderMeta;
      if (meta.side === side && id !== excluding) room -= meta.qty;
    }
  }
  return room;
}

/** Trims resting reduce-only orders so they can never open or increase a position (oldest keep their lots). */
export function enforceReduceOnly(s: EngineState, m: MarketState, owner: string, out: EngineEvent[]): void {
  const p = m.positions.get(owner);
  if (p === undefined || p.reduceOnlyIds === undefined) return;
  const q = p.qty;
  let room = Math.abs(q);
  for (const id of [...p.reduceOnlyIds].sort((a, b) => a - b)) {
    const meta = m.orders.get(id) as OrderMeta;
    const reducing = q !== 0 && (q > 0) === (meta.side === 'sell');
    if (!reducing || room <= 0) {
      cancelResting(s, m, meta, 'reduce_only', out);
    } else if (meta.qty > room) {
      m.book.amend(meta.id, { qty: room });
      reduceResting(m, meta, room);
      out.push({ type: 'OrderAmended', orderId: meta.id, account: accountOf(owner), market: m.spec.id, price: meta.price, qty: room, requeued: false });
      room = 0;
    } else {
      room -= meta.qty;
    }
  }
}
