export { OrderBook } from './order-book.js';
export type { AmendResult, DepthLevel, Fill, OrderSpec, RestingOrder, Side, SubmitResult, TimeInForce } from './types.js';
