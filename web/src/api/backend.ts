import type { Account, Book, CancelAck, ForwardCurve, HistoryQuery, IndexHistory, IndexValue, Market, OrderAck, PlaceOrderBody, Trade } from '../../../src/api/schemas.js';

/** Everything the app asks the server; one place, so the shared client can back it. */
export interface Backend {
  index(): Promise<IndexValue>;
  indexAt(height: number): Promise<IndexValue>;
  history(q: HistoryQuery): Promise<IndexHistory>;
  curve(): Promise<ForwardCurve>;
  markets(): Promise<Market[]>;
  book(market: string, levels: number): Promise<Book>;
  trades(market: string, limit: number): Promise<Trade[]>;
  account(secretKeyHex: string): Promise<Account>;
  placeOrder(secretKeyHex: string, body: PlaceOrderBody): Promise<OrderAck>;
  cancelOrder(secretKeyHex: string, orderId: string): Promise<CancelAck>;
  /** Signs the WebSocket account-channel subscription afresh each call (each carries a new nonce). */
  accountFeedSigner(secretKeyHex: string): Promise<() => Record<string, string>>;
}
