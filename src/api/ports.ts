/**
 * The narrow ports between the HTTP/WS gateway and the rest of HashPerp (the product routes have
 * theirs in products/port.ts). The server adapts the engine, journal and index to them
 * (src/server/exchange-port.ts, index-port.ts); tests use the in-memory fakes in test/api/fakes.ts.
 *
 * Contract for implementations:
 * - Reads are synchronous views of the projections (no I/O on the read path).
 * - `placeOrder` / `cancelOrder` resolve once the command is journaled and applied. A refusal
 *   by the engine (insufficient margin, unknown order, post-only would cross…) throws a
 *   HashPerpError with a stable code; the gateway maps it to a 4xx. Anything else is a 5xx.
 * - A refused command must leave state unchanged (the engine guarantees this; the gateway only
 *   forwards requests that passed schema, auth and rate limits).
 * - Client order ids: the gateway dedupes (account, clientOrderId) within its process; the
 *   engine should also refuse a duplicate open clientOrderId so dedupe survives restarts.
 */
import type { BacktestReport, BacktestRequest } from '../backtest/index.js';
import type { HashpriceSeries, SeriesRequest } from '../index/hashprice-history.js';
import type { NetworkName } from '../bitcoin/networks.js';
import type { Account, BdcOdds, Book, CancelAck, DepositAddressInfo, ForwardCurve, FundsAck, HistoryQuery, IndexValue, Market, OrderAck, PlaceOrderBody, Trade } from './schemas.js';

export type { Clock } from './auth/nonce-store.js';

export interface PlaceOrderCommand extends PlaceOrderBody {
  account: string;
  /** Server receive time; the engine itself runs on block time, this is for the journal only. */
  receivedMs: number;
}

export interface CancelOrderCommand {
  account: string;
  orderId: string;
  receivedMs: number;
}

/** Product markets with their own WebSocket channels: forward markets (FWD-30D…) and block-delta series (BDC-<H>-<T>). */
export type ProductChannel = 'forwards' | 'bdc';

/** A product book's levels (forward: sat/PH/day and lots; block-delta: FAST bps and contracts). */
export interface ProductBook {
  bids: { price: number; size: number }[];
  asks: { price: number; size: number }[];
}

/** What the WebSocket feeds carry; the adapter turns engine events into these. */
export type FeedEvent =
  | { channel: 'book'; market: string; data: Book }
  | { channel: 'trades'; market: string; data: Trade }
  | { channel: 'account'; account: string; data: unknown }
  | { channel: ProductChannel; market: string; kind: 'book' | 'trade'; data: unknown }
  /** Each block's liabilities root (proof of liabilities), sent on the index channel. */
  | { channel: 'liabilities'; data: { height: number; blockHash: string; root: string; totalMsat: string; accounts: number } };

export interface ExchangePort {
  markets(): Market[];
  /** undefined: no such market. */
  book(market: string, levels: number): Book | undefined;
  trades(market: string, limit: number): Trade[] | undefined;
  /** An unknown account is an empty account (keys need no registration). */
  account(account: string): Account;
  placeOrder(cmd: PlaceOrderCommand): Promise<OrderAck>;
  cancelOrder(cmd: CancelOrderCommand): Promise<CancelAck>;
  subscribe(listener: (e: FeedEvent) => void): () => void;
  /**
   * A product market's book for the `forwards` / `bdc` channels (undefined: no such market). Absent when the
   * server runs without the product routes: those channels are then refused.
   */
  productBook?(channel: ProductChannel, market: string, levels: number): ProductBook | undefined;
}

export interface IndexPort {
  /** undefined before the first block is known. */
  current(): IndexValue | undefined;
  /** The value at a height, or at the last block whose header time is <= `at`. */
  at(q: { height?: number; at?: number }): IndexValue | undefined;
  history(q: HistoryQuery): IndexValue[];
  /**
   * The hashprice series from the shipped chain data up to the tip (src/index/hashprice-history.ts), for
   * `GET /v1/index/history?resolution=`. Throws InvalidArgumentError (from, to, resolution) for bad ranges.
   * Absent: the server has no chain data to chart; the route says so.
   */
  hashpriceHistory?(q: SeriesRequest): HashpriceSeries;
  /**
   * A backtest of a miner's hedge over the shipped chain data, through the exchange engine (src/backtest/).
   * Throws InvalidArgumentError naming the field. Absent: no chain data; `/v1/backtests` says so.
   */
  backtest?(r: BacktestRequest): BacktestReport;
  curve(): ForwardCurve | undefined;
  /** Fair odds that `height` is mined before MTP passes `deadline`. Throws InvalidArgumentError for impossible queries. */
  bdcOdds(q: { height: number; deadline: number }): BdcOdds;
  /** Called once per connected block (and on reorgs with the new tip). */
  subscribe(listener: (v: IndexValue) => void): () => void;
}

/**
 * Money in and out of accounts. Both resolve once the Deposit / Withdraw command is journaled and
 * applied; an engine refusal (over the free balance, below margin) throws a HashPerpError and
 * changes nothing.
 */
export interface FundsPort {
  /** Test funds (embedded mode only): a Deposit command. Absent when this server gives none. */
  faucet?: (cmd: { account: string; amountSat: number }) => Promise<FundsAck>;
  /** The account's own deposit address (on-chain mode). Absent when deposits are not taken on chain. */
  depositAddress?: (account: string) => DepositAddressInfo;
  /** The network withdrawal addresses must be valid on (default regtest: the embedded replay's contracts). */
  network?: () => NetworkName;
  /** A Withdraw command, then (where the server holds on-chain funds) the payout transaction. */
  withdraw: (cmd: { account: string; amountSat: number; address: string }) => Promise<FundsAck>;
}
