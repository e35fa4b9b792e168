/**
 * The types every route module and the WebSocket hub are written against: the fastify instance, the
 * context createServer hands them, and the request fields the auth hook sets. Kept apart from
 * server.ts so that no route imports the module that imports the routes.
 */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiKeyStore } from './auth/api-keys.js';
import type { Authenticator, Principal } from './auth/authenticate.js';
import type { Clock } from './auth/nonce-store.js';
import type { ApiMetrics } from './metrics.js';
import type { ExchangePort, FundsPort, IndexPort } from './ports.js';
import type { BucketSpec } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** 'account': account key only; 'trade'/'read': account key or an API key with that scope. */
    auth?: 'account' | 'trade' | 'read';
    /** Charged to the (larger) cancel bucket instead of the general one. */
    cancel?: boolean;
  }
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface FaucetLimits {
  maxSat: number;
  perAccount: BucketSpec;
  /** Per client IP, over every account it signs for (new accounts and keys cost nothing). */
  perIp: BucketSpec;
  /** Sat the faucet gives per block, over all accounts and addresses. */
  perBlockSat: number;
}

/** WebSocket bounds (createServer's defaults: defaultWsLimits in server.ts). */
export interface WsLimits {
  /** Open sockets per client IP; the next upgrade is refused (429 JSON). */
  socketsPerIp: number;
  /** Signed account subscriptions verified per connection (each costs a signature check). */
  authPerConnection: BucketSpec;
  /** The same, per client IP over all its connections. */
  authPerIp: BucketSpec;
  /** Refused authentications after which the connection is closed (1008). */
  closeAfterAuthFailures: number;
}

export interface HealthExtras {
  chain?: { source: string; indexPriceRule: string; [k: string]: unknown };
  engine?: { seq: number; height: number; stateHash: string; [k: string]: unknown };
  demo?: { enabled: boolean; [k: string]: unknown };
  custody?: { operatorKey: string; [k: string]: unknown };
  operatorKeys?: { sealed: boolean; source: string };
  ark?: { chain: string; network: string; onChain: string; walletAddress?: string; [k: string]: unknown };
  /** The latest liabilities root; reservesShort: the reserves read after it fall short (null: not read, or no Ark operator). */
  /** Money through Ark set against the operator's Ark txs after the last block (src/proofs/ark-reconciliation.ts). */
  reconciliation?: { ok: boolean; problems: string[]; pending: { requestId: string; account: string; amountSat: number }[]; deposits: number; settledWithdrawals: number; height: number | null };
  proofs?: { liabilities: { height: number; blockHash: string; root: string; totalMsat: string; accounts: number } | null; reservesShort: boolean | null; reservesAtHeight: number | null; lastError: string | null };
}

export interface ServerContext {
  exchange: ExchangePort;
  index: IndexPort;
  clock: Clock;
  auth: Authenticator;
  apiKeys: ApiKeyStore;
  metrics: ApiMetrics;
  startedMs: number;
  funds?: FundsPort;
  faucetLimits: FaucetLimits;
  wsLimits: WsLimits;
  status: () => HealthExtras;
}

/** One area's routes: createServer registers them in the order of its `routes`. */
export type RouteModule = (app: App, ctx: ServerContext) => void;
