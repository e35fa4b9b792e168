// src/engine/book/types.ts — the agreed API between the order book and the engine.
export type Side = 'buy' | 'sell';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/** Prices are integer ticks (sat/PH/day), quantities integer lots; both safe integers. */
export interface OrderSpec { id: number; account: string; side: Side; price: number | null /* null = market */;
  qty: number; tif: TimeInForce; postOnly: boolean; }
export interface RestingOrder { id: number; account: string; side: Side; price: number; qty: number /* remaining */; }
export interface Fill { makerId: number; takerId: number; makerAccount: string; takerAccount: string;
  takerSide: Side; price: number; qty: number; makerRemaining: number; }
export interface SubmitResult {
  accepted: boolean; rejectReason?: 'post_only_would_cross' | 'fok_not_fillable' | 'duplicate_id' | 'invalid';
  fills: Fill[]; restingQty: number /* 0 unless GTC remainder rests */; cancelledQty: number /* IOC/market remainder */;
  expired: RestingOrder[] /* resting orders of the same account removed by self-trade prevention */;
  /** Added by the book: with rejectReason 'invalid', the OrderSpec field that was wrong. */
  invalidField?: keyof OrderSpec;
}
/**
 * Result of OrderBook.amend.
 * - undefined: no resting order with that id, or the change is invalid (non-positive / non-safe-integer).
 * - { order } only: amended in place (qty decrease or no-op: time priority kept).
 * - { order?, result }: price change or qty increase → cancel + re-submit as GTC, not post-only, same id and
 *   account. `result` is that submission's SubmitResult (it may carry fills and STP expiries);
 *   `order` is the re-queued resting order, absent if it filled completely.
 */
export interface AmendResult { order?: RestingOrder; result?: SubmitResult; }
/** One aggregated price level. */
export interface DepthLevel { price: number; qty: number; orders: number; }
// src/engine/book/order-book.ts implements:
// export class OrderBook {
//   submit(o: OrderSpec): SubmitResult;   // price-time priority; STP expires the RESTING order and continues
//   cancel(id: number): RestingOrder | undefined;  // O(1) at any depth
//   amend(id: number, change: { price?: number; qty?: number }): AmendResult | undefined;
//   get(id: number): RestingOrder | undefined;
//   bestBid(): number | undefined; bestAsk(): number | undefined;
//   depth(side: Side, levels: number): DepthLevel[];
//   restingOrders(): RestingOrder[];      // all, in priority order per side (bids best-first, then asks best-first)
//   ordersOf(account: string): RestingOrder[];  // that account's resting orders (for reduce-only / cancel-all)
//   readonly size: number;
// }
