import type { Account, Book, CancelAck, ForwardCurve, FundsAck, HistoryQuery, IndexHistory, IndexValue, Market, OrderAck, PlaceOrderBody, Trade } from '../../../src/api/schemas.js';
import type { HashpriceSeriesWire, HistoryResolution } from '../../../src/index/hashprice-history.js';
import type { LiabilitiesProof, LiabilitiesRoot } from '../../../src/proofs/liabilities.js';
import type { ArkFundingInfo, ArkWithdrawalAck } from '../../../src/api/routes/ark-funds.js';
import type { ProductsApi } from './products.js';
import type { BacktestReport, BacktestRequest } from '../../../src/backtest/index.js';

/** Everything the app asks the server; one place, so the shared client can back it. */
export interface Backend {
  index(): Promise<IndexValue>;
  indexAt(height: number): Promise<IndexValue>;
  history(q: HistoryQuery): Promise<IndexHistory>;
  /** Where hashprice has been: the series of the server's shipped chain data up to its tip. */
  hashpriceHistory(q: { from?: string; to?: string; resolution: HistoryResolution }): Promise<HashpriceSeriesWire>;
  /** A hedge backtest over the shipped history (`POST /v1/backtests`); absent on backends without one. */
  backtest?(req: BacktestRequest): Promise<BacktestReport>;
  curve(): Promise<ForwardCurve>;
  markets(): Promise<Market[]>;
  book(market: string, levels: number): Promise<Book>;
  trades(market: string, limit: number): Promise<Trade[]>;
  account(secretKeyHex: string): Promise<Account>;
  placeOrder(secretKeyHex: string, body: PlaceOrderBody): Promise<OrderAck>;
  cancelOrder(secretKeyHex: string, orderId: string): Promise<CancelAck>;
  /** Test funds from the server's faucet (embedded mode only). */
  faucet(secretKeyHex: string, amountSat: number): Promise<FundsAck>;
  /** Forwards, block-delta, swaps, vault, portfolio. */
  products: ProductsApi;
  /** Proof of liabilities: the signer's inclusion proof and a block's published root (absent: the app hides the check). */
  proofs?: { mine(secretKeyHex: string): Promise<LiabilitiesProof>; root(height: number): Promise<LiabilitiesRoot> };
  /**
   * Money between the user's Ark wallet and the account: where deposits go (the operator's liquidity address and the
   * memo) and the signed withdrawal to an Ark address (absent: the Wallet page offers no transfer).
   */
  arkFunds?: { info(): Promise<ArkFundingInfo>; withdraw(secretKeyHex: string, amountSat: number, address: string): Promise<ArkWithdrawalAck> };
  /** Signs the WebSocket account-channel subscription afresh each call (each carries a new nonce). */
  accountFeedSigner(secretKeyHex: string): Promise<() => Record<string, string>>;
}
