// PlaceOrder, CancelOrder, AmendOrder and CancelAll: validate every field, check margin, then hand the
// order to the book and book its result. A refusal returns before anything changes.
import type { TimeInForce } from '../book/types.js';
import type { AmendOrderCommand, CancelAllCommand, CancelOrderCommand, PlaceOrderCommand } from '../commands.js';
import type { EngineEvent, OrderAccepted } from '../events.js';
import * as pricing from '../products/perp/pricing.js';
import { Rejection } from '../rejection.js';
import * as fills from './fills.js';
import * as orderCheck from './order-check.js';
import * as orders from './orders.js';
import * as state from './state.js';
import type { EngineState, MarketState, OrderMeta } from './state.js';
import * as validation from './validation.js';

// Bound once (see positions.ts): this is the order path.
const { bandEdge } = pricing;
const { processResult } = fills;
const { checkBand, checkOrderMargin } = orderCheck;
const { addResting, cancelAllOf, cancelResting, reducibleQty, removeResting } = orders;
const { accountOf, markOf, ownerOf } = state;
const { bookRejection, checkAccount, checkPrice, isSafeInt } = validation;

// The most frequent refusal (cancels of orders that already filled), shared: a Rejection is immutable.
const UNKNOWN_ORDER_BY_ID = Object.freeze(new Rejection('unknown_order', 'no such live order for this account', 'orderId'));
const UNKNOWN_ORDER_BY_CLIENT_ID = Object.freeze(new Rejection('unknown_order', 'no such live order for this account', 'clientOrderId'));

/** The market an order command names, once it exists and the account is well-formed (checked in that order). */
function orderMarket(s: EngineState, market: string, account: string): MarketState | Rejection {
  const m = s.markets.get(market);
  if (m === undefined) return new Rejection('unknown_market', `unknown market ${String(market)}`, 'market');
  return checkAccount(account) ?? m;
}

export function placeOrder(s: EngineState, c: PlaceOrderCommand, seq: number, out: EngineEvent[]): Rejection | undefined {
  const m = orderMarket(s, c.market, c.account);
  if (m instanceof Rejection) return m;
  if (c.side !== 'buy' && c.side !== 'sell') return new Rejection('invalid_argument', 'side must be buy or sell', 'side');
  if (c.orderType !== 'limit' && c.orderType !== 'market') return new Rejection('invalid_argument', 'orderType must be limit or market', 'orderType');
  if (!isSafeInt(c.qty) || c.qty <= 0) return new Rejection('invalid_argument', 'qty must be a positive integer number of lots', 'qty');
  if (c.qty > m.spec.maxQty) return new Rejection('invalid_argument', `qty above the maximum ${m.spec.maxQty}`, 'qty');
  if (c.tif !== 'GTC' && c.tif !== 'IOC' && c.tif !== 'FOK') return new Rejection('invalid_argument', 'tif must be GTC, IOC or FOK', 'tif');
  if (typeof c.postOnly !== 'boolean') return new Rejection('invalid_argument', 'postOnly must be a boolean', 'postOnly');
  if (typeof c.reduceOnly !== 'boolean') return new Rejection('invalid_argument', 'reduceOnly must be a boolean', 'reduceOnly');
  if (c.orderType === 'limit') {
    const pb = checkPrice(m, c.price);
    if (pb) return pb;
  } else if (c.price !== undefined) {
    return new Rejection('invalid_argument', 'a market order takes no price', 'price');
  }
  if (c.postOnly && (c.orderType !== 'limit' || c.tif !== 'GTC')) {
    return new Rejection('invalid_argument', 'post-only needs a GTC limit order', 'postOnly');
  }
  if (c.clientOrderId !== undefined && (typeof c.clientOrderId !== 'string' || c.clientOrderId.length === 0 || c.clientOrderId.length > 64)) {
    return new Rejection('invalid_argument', 'clientOrderId must be 1..64 characters', 'clientOrderId');
  }
  const owner = ownerOf(s, c.account);
  if (c.clientOrderId !== undefined && s.clientIds.get(owner)?.has(c.clientOrderId) === true) {
    return new Rejection('duplicate_client_order_id', 'an order with this clientOrderId is still live', 'clientOrderId');
  }
  const mark = markOf(m);
  if (mark === undefined) return new Rejection('market_not_ready', 'no index yet (waiting for the first block)', 'market');
  const limit = c.orderType === 'limit' ? (c.price as number) : bandEdge(c.side, mark, m.spec.marketBandPpm, m.spec.tick);
  let qty = c.qty;
  if (c.reduceOnly) {
    const room = reducibleQty(m, owner, c.side, undefined);
    if (room <= 0) return new Rejection('reduce_only_would_increase', 'reduce-only order would open or increase a position', 'reduceOnly');
    qty = Math.min(qty, room);
  }
  const tif: TimeInForce = c.orderType === 'market' ? (c.tif === 'FOK' ? 'FOK' : 'IOC') : c.tif;
  const r = checkOrderMargin(s, m, owner, c.side, qty, limit, tif === 'GTC', c.postOnly, c.reduceOnly, mark, undefined)
    ?? (c.orderType === 'limit' ? checkBand(m, c.side, limit, mark) : undefined);
  if (r) return r;

  const res = m.book.submit({ id: seq, account: owner, side: c.side, price: limit, qty, tif, postOnly: c.postOnly });
  if (!res.accepted) return bookRejection(res);
  // Built whole (not extended afterwards) so each object keeps one shape; key order is the events' JSON order.
  const coid = c.clientOrderId;
  const acc: OrderAccepted = coid === undefined
    ? { type: 'OrderAccepted', orderId: seq, account: c.account, market: m.spec.id, side: c.side, orderType: c.orderType,
      price: limit, qty, tif, postOnly: c.postOnly, reduceOnly: c.reduceOnly }
    : { type: 'OrderAccepted', orderId: seq, account: c.account, market: m.spec.id, side: c.side, orderType: c.orderType,
      price: limit, qty, tif, postOnly: c.postOnly, reduceOnly: c.reduceOnly, clientOrderId: coid };
  out.push(acc);
  const meta: OrderMeta = coid === undefined
    ? { id: seq, owner, market: m.spec.id, side: c.side, price: limit, qty, reduceOnly: c.reduceOnly }
    : { id: seq, owner, market: m.spec.id, side: c.side, price: limit, qty, reduceOnly: c.reduceOnly, clientOrderId: coid };
  processResult(s, m, meta, res, false, out);
  return undefined;
}

function findOrder(s: EngineState, m: MarketState, owner: string, orderId: unknown, clientOrderId: unknown): OrderMeta | Rejection {
  let id: number | undefined;
  if (orderId !== undefined) {
    if (!isSafeInt(orderId)) return new Rejection('invalid_argument', 'orderId must be an integer', 'orderId');
    id = orderId;
  } else if (clientOrderId !== undefined) {
    if (typeof clientOrderId !== 'string') return new Rejection('invalid_argument', 'clientOrderId must be a string', 'clientOrderId');
    id = s.clientIds.get(owner)?.get(clientOrderId);
  } else {
    return new Rejection('invalid_argument', 'orderId or clientOrderId is required', 'orderId');
  }
  const meta = id === undefined ? undefined : m.orders.get(id);
  if (meta === undefined || meta.owner !== owner) return orderId !== undefined ? UNKNOWN_ORDER_BY_ID : UNKNOWN_ORDER_BY_CLIENT_ID;
  return meta;
}

export function cancelOrder(s: EngineState, c: CancelOrderCommand, out: EngineEvent[]): Rejection | undefined {
  const m = orderMarket(s, c.market, c.account);
  if (m instanceof Rejection) return m;
  const meta = findOrder(s, m, ownerOf(s, c.account), c.orderId, c.clientOrderId);
  if (meta instanceof Rejection) return meta;
  cancelResting(s, m, meta, 'user', out);
  return undefined;
}

export function cancelAll(s: EngineState, c: CancelAllCommand, out: EngineEvent[]): Rejection | undefined {
  const bad = checkAccount(c.account);
  if (bad) return bad;
  if (c.market !== undefined && !s.markets.has(c.market)) return new Rejection('unknown_market', `unknown market ${String(c.market)}`, 'market');
  const owner = ownerOf(s, c.account);
  for (const m of s.markets.values()) {
    if (c.market !== undefined && m.spec.id !== c.market) continue;
    cancelAllOf(s, m, owner, 'cancel_all', out);
  }
  return undefined;
}

export function amendOrder(s: EngineState, c: AmendOrderCommand, out: EngineEvent[]): Rejection | undefined {
  const m = orderMarket(s, c.market, c.account);
  if (m instanceof Rejection) return m;
  const owner = ownerOf(s, c.account);
  const meta = findOrder(s, m, owner, c.orderId, c.clientOrderId);
  if (meta instanceof Rejection) return meta;
  if (c.price === undefined && c.qty === undefined) return new Rejection('invalid_argument', 'price or qty is required', 'price');
  if (c.price !== undefined) {
    const pb = checkPrice(m, c.price);
    if (pb) return pb;
  }
  if (c.qty !== undefined && (!isSafeInt(c.qty) || c.qty <= 0 || c.qty > m.spec.maxQty)) {
    return new Rejection('invalid_argument', 'qty must be a positive integer number of lots', 'qty');
  }
  const price = c.price ?? meta.price;
  let qty = c.qty ?? meta.qty;
  if (meta.reduceOnly) {
    const room = reducibleQty(m, owner, meta.side, meta.id);
    if (room <= 0) return new Rejection('reduce_only_would_increase', 'reduce-only order would open or increase a position', 'reduceOnly');
    qty = Math.min(qty, room);
  }
  const inPlace = price === meta.price && qty <= meta.qty;
  if (!inPlace) {
    const mark = markOf(m) as number;
    const r = checkOrderMargin(s, m, owner, meta.side, qty, price, true, false, meta.reduceOnly, mark, meta)
      ?? (price !== meta.price ? checkBand(m, meta.side, price, mark) : undefined);
    if (r) return r;
  }
  const ar = m.book.amend(meta.id, { price, qty });
  if (ar === undefined) throw new Error(`engine: order ${meta.id} missing from the book`);
  removeResting(s, m, meta);
  if (ar.result === undefined) {
    meta.qty = qty;
    addResting(s, m, meta);
    out.push({ type: 'OrderAmended', orderId: meta.id, account: accountOf(owner), market: m.spec.id, price, qty, requeued: false });
    return undefined;
  }
  out.push({ type: 'OrderAmended', orderId: meta.id, account: accountOf(owner), market: m.spec.id, price, qty, requeued: true });
  const fresh: OrderMeta = { ...meta, price, qty };
  processResult(s, m, fresh, ar.result, false, out);
  return undefined;
}
