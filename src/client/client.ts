/**
 * Typed HashPerp API client (`hashperp/client`). Runs in Node and in browsers: it uses only
 * fetch, @noble/curves and @noble/hashes. Signs account actions with the account key (Schnorr)
 * or an API key (HMAC) using the same message module as the server.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { HashPerpError } from '../units/errors.js';
import type { HashpriceSeriesWire, HistoryResolution } from '../index/hashprice-history.js';
import type { BacktestReport, BacktestRequest } from '../backtest/index.js';
import { accountIdOf, authHeaders, newNonce, type Credentials } from '../api/auth/message.js';
import type { LiabilitiesProof, LiabilitiesRoot } from '../proofs/liabilities.js';
import type { ReservesReport } from '../proofs/reserves.js';
import type { ArkFundingInfo, ArkWithdrawalAck } from '../api/routes/ark-funds.js';
import type {
  Account,
  BdcOdds,
  Book,
  CancelAck,
  CreateApiKeyBody,
  CreatedApiKey,
  ApiKeyInfo,
  DepositAddressInfo,
  ErrorBody,
  ForwardCurve,
  FundsAck,
  Health,
  HistoryQuery,
  IndexValue,
  Market,
  OrderAck,
  PlaceOrderBody,
  Trade,
} from '../api/schemas.js';

export type { Credentials } from '../api/auth/message.js';
export type { Account, BdcOdds, Book, CancelAck, CreatedApiKey, ApiKeyInfo, DepositAddressInfo, ForwardCurve, FundsAck, Health, IndexValue, Market, OrderAck, PlaceOrderBody, Trade } from '../api/schemas.js';

/**
 * A refusal from the server: the JSON error body plus the HTTP status. `code` stays a string, not
 * an ErrorCode: a newer server may send codes this client's catalogue does not know yet. For the
 * same reason `retryable` follows the status (429, 503), not the catalogue.
 */
export class HashPerpApiError extends HashPerpError<string> {
  declare readonly retryable: boolean;
  constructor(
    readonly status: number,
    code: string,
    message: string,
    field?: string,
  ) {
    super(code, message, { field });
    this.retryable = status === 429 || status === 503;
    this.name = 'HashPerpApiError';
  }
}

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  credentials?: Credentials;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; injectable for tests. `syncClock()` corrects for server skew. */
  nowMs?: () => number;
}

/** Credentials from a 64-hex secret key. */
export function accountCredentials(secretKeyHex: string): Credentials {
  if (!/^[0-9a-fA-F]{64}$/.test(secretKeyHex)) throw new HashPerpError('invalid_argument', 'secret key: expected 64 hex digits', { field: 'secretKey' });
  return { kind: 'account', secretKey: hexToBytes(secretKeyHex.toLowerCase()) };
}

export function apiKeyCredentials(keyId: string, secret: string): Credentials {
  return { kind: 'apiKey', keyId, secret };
}

type Query = Record<string, string | number | undefined>;

export class HashPerpClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private skewMs = 0;

  constructor(private readonly opts: ClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
    this.now = opts.nowMs ?? (() => Date.now());
  }

  /** The account id (x-only pubkey hex) of account-key credentials. */
  get accountId(): string | undefined {
    return this.opts.credentials?.kind === 'account' ? accountIdOf(this.opts.credentials.secretKey) : undefined;
  }

  /** Measures the server clock once so signed timestamps land inside the window. */
  async syncClock(): Promise<number> {
    const t0 = this.now();
    const { serverTimeMs } = await this.request<{ serverTimeMs: number }>('GET', '/v1/time');
    const t1 = this.now();
    this.skewMs = serverTimeMs - Math.round((t0 + t1) / 2);
    return this.skewMs;
  }

  health(): Promise<Health> {
    return this.request('GET', '/health');
  }
  async markets(): Promise<Market[]> {
    return (await this.request<{ markets: Market[] }>('GET', '/v1/markets')).markets;
  }
  book(market: string, levels?: number): Promise<Book> {
    return this.request('GET', `/v1/markets/${encodeURIComponent(market)}/book`, { query: { levels } });
  }
  async trades(market: string, limit?: number): Promise<Trade[]> {
    return (await this.request<{ trades: Trade[] }>('GET', `/v1/markets/${encodeURIComponent(market)}/trades`, { query: { limit } })).trades;
  }
  index(q: { height?: number; at?: number } = {}): Promise<IndexValue> {
    return this.request('GET', '/v1/index', { query: q });
  }
  /** Where hashprice has been (`GET /v1/index/history?resolution=`): the series of the shipped data up to the tip, subsidy only. */
  hashpriceHistory(q: { from?: string; to?: string; resolution: HistoryResolution }): Promise<HashpriceSeriesWire> {
    return this.request('GET', '/v1/index/history', { query: { ...q } });
  }
  /** How a miner's hedge would have done over real history (`POST /v1/backtests`). */
  backtest(body: BacktestRequest): Promise<BacktestReport> {
    return this.request('POST', '/v1/backtests', { body });
  }
  async indexHistory(q: HistoryQuery = {}): Promise<IndexValue[]> {
    return (await this.request<{ values: IndexValue[] }>('GET', '/v1/index/history', { query: { ...q } })).values;
  }
  curve(): Promise<ForwardCurve> {
    return this.request('GET', '/v1/curve');
  }
  bdcPrice(height: number, deadline: number): Promise<BdcOdds> {
    return this.request('GET', '/v1/price/bdc', { query: { height, deadline } });
  }

  account(): Promise<Account> {
    return this.request('GET', '/v1/account', { signed: true });
  }
  placeOrder(order: PlaceOrderBody): Promise<OrderAck> {
    return this.request('POST', '/v1/orders', { signed: true, body: order });
  }
  cancelOrder(orderId: string): Promise<CancelAck> {
    return this.request('DELETE', `/v1/orders/${encodeURIComponent(orderId)}`, { signed: true });
  }
  /** Test funds (servers in embedded mode): credits the signer's account. */
  faucet(amountSat: number): Promise<FundsAck> {
    return this.request('POST', '/v1/faucet', { signed: true, body: { amountSat } });
  }
  /** A block's published liabilities root and total (default: the latest). */
  liabilities(height?: number): Promise<LiabilitiesRoot> {
    return this.request('GET', '/v1/proofs/liabilities', { query: { height } });
  }
  /** The signer's inclusion proof in a block's liabilities tree (default: the latest). */
  liabilitiesProof(height?: number): Promise<LiabilitiesProof> {
    return this.request('GET', '/v1/proofs/liabilities/me', { signed: true, query: { height } });
  }
  /** The operator's reserves (outpoints) against the liabilities and the vault's NAV. */
  reserves(): Promise<ReservesReport> {
    return this.request('GET', '/v1/proofs/reserves');
  }
  /** The signer's on-chain deposit address (servers following bitcoind). */
  depositAddress(): Promise<DepositAddressInfo> {
    return this.request('GET', '/v1/deposit-address', { signed: true });
  }
  /** Debits the signer's free balance and pays `address` (on chain where the server holds funds). */
  withdraw(amountSat: number, address: string): Promise<FundsAck> {
    return this.request('POST', '/v1/withdrawals', { signed: true, body: { amountSat, address } });
  }
  /** Where and how to fund the exchange from an Ark wallet (the operator's liquidity address and the memo). */
  arkFunding(): Promise<ArkFundingInfo> {
    return this.request('GET', '/v1/ark/funding');
  }
  /** Debits the signer's free balance and has the operator pay `address` (an Ark address) a VTXO. */
  withdrawArk(amountSat: number, address: string): Promise<ArkWithdrawalAck> {
    return this.request('POST', '/v1/withdrawals/ark', { signed: true, body: { amountSat, address } });
  }
  async listApiKeys(): Promise<ApiKeyInfo[]> {
    return (await this.request<{ keys: ApiKeyInfo[] }>('GET', '/v1/account/api-keys', { signed: true })).keys;
  }
  createApiKey(body: CreateApiKeyBody): Promise<CreatedApiKey> {
    return this.request('POST', '/v1/account/api-keys', { signed: true, body });
  }
  revokeApiKey(keyId: string): Promise<{ revoked: string }> {
    return this.request('DELETE', `/v1/account/api-keys/${encodeURIComponent(keyId)}`, { signed: true });
  }

  /** Signed headers for the WebSocket account channel: send as the `auth` of a subscribe message. */
  wsAccountAuth(): Record<string, string> {
    const creds = this.requireCredentials();
    return authHeaders(creds, { method: 'GET', path: '/v1/ws/account', timestampMs: this.now() + this.skewMs, nonce: newNonce() });
  }

  private requireCredentials(): Credentials {
    if (this.opts.credentials === undefined) throw new HashPerpError('invalid_argument', 'this call needs credentials (an account key or an API key)', { field: 'credentials' });
    return this.opts.credentials;
  }

  async request<T>(method: string, path: string, o: { query?: Query; body?: unknown; signed?: boolean } = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    const fullPath = qs ? `${path}?${qs}` : path;
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (o.signed) {
      Object.assign(headers, authHeaders(this.requireCredentials(), { method, path: fullPath, body, timestampMs: this.now() + this.skewMs, nonce: newNonce() }));
    }
    const res = await this.fetchFn(this.base + fullPath, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new HashPerpApiError(res.status, 'bad_response', `server sent non-JSON (HTTP ${res.status})`);
    }
    if (!res.ok) {
      const e = (json as Partial<ErrorBody> | undefined)?.error;
      throw new HashPerpApiError(res.status, e?.code ?? 'http_error', e?.message ?? `HTTP ${res.status}`, e?.field);
    }
    return json as T;
  }
}
