// Forward books: orders escrow what their resting quantity needs, every fill opens one contract at the
// maker's price (upfront to the miner, 110 % collateral locked, taker fee), and an order that leaves the
// book returns the rest of its escrow.
import type { OrderBook } from '../../book/order-book.js';
import type { Fill, RestingOrder, TimeInForce } from '../../book/types.js';
import type { EngineEvent } from '../../events.js';
import { FEES, userAccount } from '../../ledger/ledger.js';
import { Rejection } from '../../rejection.js';
import type { ProductContext } from '../product.js';
import { collateralOfValue, contractValueMsat, takerFeeOfValue } from './calculator.js';
import { bad, checkAccount, checkMarket, checkPrice, checkQty, checkSide, isSafeInt } from './checks.js';
import type { ForwardCancelOrderCommand, ForwardPlaceOrderCommand } from './commands.js';
import {
  FORWARD_MARKETS, contractCollateral, endHeightOf, escrowFor, orderEscrow, type ForwardContract, type Side,
} from './contract.js';
import type { ForwardState } from './state.js';

interface PlannedFill { maker: RestingOrder; qty: number; price: number }

export function placeOrder(s: ForwardState, c: ForwardPlaceOrderCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
  const r = checkAccount(c.account) ?? checkMarket(s, c.market) ?? checkSide(c.side) ?? checkPrice(c.price) ?? checkQty(c.qty);
  if (r) return r;
  const tif: TimeInForce = c.tif ?? 'GTC';
  if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') return bad('tif', 'tif must be GTC, IOC or FOK');
  const postOnly = c.postOnly ?? false;
  if (typeof postOnly !== 'boolean') return bad('postOnly', 'postOnly must be a boolean');
  if (postOnly && tif !== 'GTC') return bad('postOnly', 'a post-only order must be GTC');
  const days = FORWARD_MARKETS[c.market];
  const book = s.books.get(c.market) as OrderBook;
  const plan = planFills(book, c.account, c.side, c.price, c.qty);
  const filled = plan.reduce((sum, f) => sum + f.qty, 0);
  if (postOnly && plan.length > 0) return new Rejection('post_only_would_cross', 'a post-only order would trade', 'price');
  const opp = c.side === 'buy' ? book.bestAsk() : book.bestBid();
  if (postOnly && opp !== undefined && (c.side === 'buy' ? opp <= c.price : opp >= c.price)) {
    return new Rejection('post_only_would_cross', 'a post-only order would trade', 'price');
  }
  if (tif === 'FOK' && filled < c.qty) return new Rejection('fok_not_fillable', 'not enough resting quantity to fill the whole order', 'qty');
  const rest = tif === 'GTC' ? c.qty - filled : 0;
  const need = takerNeed(c.side, plan, days) + (rest > 0 ? escrowFor(c.side, rest, c.price, days) : 0n);
  const free = ctx.available(userAccount(c.account));
  if (need > free) {
    return new Rejection('insufficient_balance',
      `${c.side === 'sell' ? 'collateral (110 % of contract value)' : 'upfront payment and fees'} needs ${need} msat, ${free} msat free`, 'qty');
  }
  const done = executeOrder(s, c.account, c.market, c.side, c.price, c.qty, tif, postOnly, ctx.chain.height + 1, null, ctx, out);
  return done instanceof Rejection ? done : undefined;
}

/**
 * Submits a validated, funded order and books its fills as contracts. Returns the contracts opened, or the
 * book's refusal (then nothing changed: a refused submit leaves the book as it was).
 */
export function executeOrder(
  s: ForwardState, account: string, market: string, side: Side, price: number, qty: number, tif: TimeInForce, postOnly: boolean,
  startHeight: number, rolledFrom: number | null, ctx: ProductContext, out: EngineEvent[],
): number[] | Rejection {
  const days = FORWARD_MARKETS[market];
  const book = s.books.get(market) as OrderBook;
  const id = s.nextOrderId;
  const res = book.submit({ id, account, side, price, qty, tif, postOnly });
  if (!res.accepted) {
    // The checks before mirror the book's rules; what is left is the book's own size bound on a side.
    if (res.rejectReason === 'post_only_would_cross' || res.rejectReason === 'fok_not_fillable') return new Rejection(res.rejectReason, 'refused by the book', 'qty');
    return bad(res.invalidField ?? 'qty', `refused by the book (${res.rejectReason ?? 'invalid'})`);
  }
  s.nextOrderId++;
  out.push({ type: 'ForwardOrderAccepted', orderId: id, account, market, side, price, qty, tif, postOnly });
  for (const e of res.expired) closeOrder(s, e.id, e.qty, 'self_trade', ctx, out);
  const opened: number[] = [];
  for (const f of res.fills) opened.push(bookFill(s, f, market, days, startHeight, rolledFrom, ctx, out));
  if (res.restingQty > 0) {
    const locked = escrowFor(side, res.restingQty, price, days);
    ctx.ledger.transfer(userAccount(account), orderEscrow(id), locked, 'fwd_order_lock', out);
    s.orders.set(id, { id, account, market, side, price });
    out.push({ type: 'ForwardOrderResting', orderId: id, account, market, side, price, qty: res.restingQty, lockedMsat: locked });
  } else {
    out.push({
      type: 'ForwardOrderClosed', orderId: id, account, market, remainingQty: res.cancelledQty,
      reason: res.cancelledQty > 0 ? 'ioc_remainder' : 'filled', releasedMsat: 0n,
    });
  }
  return opened;
}

function bookFill(
  s: ForwardState, f: Fill, market: string, days: number, startHeight: number, rolledFrom: number | null, ctx: ProductContext, out: EngineEvent[],
): number {
  const makerSell = f.takerSide === 'buy';
  const miner = makerSell ? f.makerAccount : f.takerAccount;
  const investor = makerSell ? f.takerAccount : f.makerAccount;
  const value = contractValueMsat({ qtyLots: f.qty, priceSatPerPHDay: f.price, days });
  const collateral = collateralOfValue(value);
  const fee = takerFeeOfValue(value);
  const cid = s.nextContractId++;
  const minerSrc = makerSell ? orderEscrow(f.makerId) : userAccount(miner);
  const investorSrc = makerSell ? userAccount(investor) : orderEscrow(f.makerId);
  const L = ctx.ledger;
  if (makerSell && L.balance(minerSrc) < collateral) throw new Error(`forward: escrow of order ${f.makerId} short`);
  if (!makerSell && L.balance(investorSrc) < value) throw new Error(`forward: escrow of order ${f.makerId} short`);
  L.transfer(minerSrc, contractCollateral(cid), collateral, 'fwd_collateral_lock', out);
  if (makerSell) {
    // the investor took: pays value + fee from the free balance
    L.transfer(investorSrc, userAccount(miner), value, 'fwd_upfront', out);
    L.transfer(investorSrc, FEES, fee, 'taker_fee', out);
  } else {
    // the miner took: receives value − fee out of the bid's escrow
    L.transfer(investorSrc, userAccount(miner), value - fee, 'fwd_upfront', out);
    L.transfer(investorSrc, FEES, fee, 'taker_fee', out);
  }
  out.push({
    type: 'ForwardFilled', market, contractId: cid, price: f.price, qty: f.qty, takerSide: f.takerSide,
    makerOrderId: f.makerId, takerOrderId: f.takerId, maker: f.makerAccount, taker: f.takerAccount, takerFeeMsat: fee,
  });
  openContract(s, cid, market, days, miner, investor, f.qty, f.price, value, collateral, startHeight, rolledFrom, out);
  if (f.makerRemaining === 0) closeOrder(s, f.makerId, 0, 'filled', ctx, out);
  return cid;
}

export function openContract(
  s: ForwardState, id: number, market: string, days: number, miner: string, investor: string, qtyLots: number, price: number,
  valueMsat: bigint, collateralMsat: bigint, startHeight: number, rolledFrom: number | null, out: EngineEvent[],
): void {
  const c: ForwardContract = {
    id, market, days, miner, investor, qtyLots, price, valueMsat, collateralMsat, releasedMsat: 0n, startHeight,
    nextDay: 0, daySum: 0n, dayBlocks: 0, history: [], awaiting: [], status: 'open', rolledFrom, rolledInto: [],
  };
  s.contracts.set(id, c);
  s.open.add(id);
  const ev: EngineEvent = {
    type: 'ForwardContractOpened', contractId: id, market, miner, investor, qtyLots, price, days, startHeight,
    endHeight: endHeightOf(c), valueMsat, collateralMsat,
  };
  if (rolledFrom !== null) ev.rolledFrom = rolledFrom;
  out.push(ev);
}

/** Removes an order that left the book (filled, cancelled, expired) and returns its escrow's rest. */
function closeOrder(s: ForwardState, id: number, remainingQty: number, reason: 'filled' | 'user' | 'self_trade', ctx: ProductContext, out: EngineEvent[]): void {
  const meta = s.orders.get(id);
  if (meta === undefined) throw new Error(`forward: order ${id} has no meta`);
  s.orders.delete(id);
  const released = ctx.ledger.balance(orderEscrow(id));
  ctx.ledger.transfer(orderEscrow(id), userAccount(meta.account), released, 'fwd_order_release', out);
  out.push({ type: 'ForwardOrderClosed', orderId: id, account: meta.account, market: meta.market, remainingQty, reason, releasedMsat: released });
}

export function cancelOrder(s: ForwardState, c: ForwardCancelOrderCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
  const r = checkAccount(c.account) ?? checkMarket(s, c.market);
  if (r) return r;
  if (!isSafeInt(c.orderId)) return bad('orderId', 'orderId must be an integer');
  const meta = s.orders.get(c.orderId);
  if (meta === undefined || meta.market !== c.market) return new Rejection('unknown_order', `no resting order ${c.orderId} on ${c.market}`, 'orderId');
  if (meta.account !== c.account) return new Rejection('not_owner', 'the order belongs to another account', 'orderId');
  const gone = (s.books.get(c.market) as OrderBook).cancel(c.orderId) as RestingOrder;
  closeOrder(s, c.orderId, gone.qty, 'user', ctx, out);
  return undefined;
}

/** The fills `submit` would make, without touching the book: own orders are skipped (STP expires them). */
export function planFills(book: OrderBook, account: string, side: Side, limit: number, qty: number): PlannedFill[] {
  const plan: PlannedFill[] = [];
  let left = qty;
  for (const o of book.restingOrders()) {
    if (left === 0) break;
    if (o.side === side) continue;
    if (side === 'buy' ? o.price > limit : o.price < limit) break;
    if (o.account === account) continue;
    const q = Math.min(left, o.qty);
    plan.push({ maker: o, qty: q, price: o.price });
    left -= q;
  }
  return plan;
}

/** What a taker needs free for its planned fills: collateral (miner) or value + taker fee (investor). */
export function takerNeed(side: Side, plan: PlannedFill[], days: number): bigint {
  let need = 0n;
  for (const f of plan) {
    const value = contractValueMsat({ qtyLots: f.qty, priceSatPerPHDay: f.price, days });
    need += side === 'sell' ? collateralOfValue(value) : value + takerFeeOfValue(value);
  }
  return need;
}
