/**
 * The HTTP + WebSocket gateway. `createServer` builds a ready-to-listen fastify instance from
 * ports (exchange, index) and an injected clock; it does no I/O of its own beyond the socket.
 * Every refusal is JSON {error:{code,message,field}} with a 4xx; only a fault of ours is a 5xx.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import { ERROR_CATALOGUE, type ErrorCode } from '../units/error-catalogue.js';
import { HashPerpError } from '../units/errors.js';
import { MemoryApiKeyStore, type ApiKeyStore } from './auth/api-keys.js';
import { Authenticator } from './auth/authenticate.js';
import { NonceStore, systemClock, type Clock, type NonceLog } from './auth/nonce-store.js';
import { ApiError, errorBody, httpStatusOf, rateLimited, sendError } from './errors.js';
import type { App, FaucetLimits, HealthExtras, RouteModule, ServerContext, WsLimits } from './app-types.js';
import { createMetrics } from './metrics.js';
import type { ExchangePort, FundsPort, IndexPort } from './ports.js';
import { defaultRateLimits, TokenBuckets, type RateLimitConfig } from './rate-limit.js';
import { routeModules } from './routes/index.js';
import { registerWs } from './ws.js';

export interface ServerOptions {
  exchange: ExchangePort;
  index: IndexPort;
  clock?: Clock;
  /** pino options, or false for silence (tests). */
  logger?: FastifyServerOptions['logger'];
  apiKeys?: ApiKeyStore;
  rateLimits?: RateLimitConfig;
  /** Accepted clock skew of signed requests, each way. */
  authWindowMs?: number;
  /** Durable log of accepted nonces (the SQLite file), so a restart does not reopen their window. */
  nonceLog?: NonceLog;
  /** Without a nonce log: refuse signed timestamps before this (the server's start), so nothing signed before a restart replays after it. */
  authNotBeforeMs?: number;
  bodyLimit?: number;
  /** Built web app to serve at / (the lead wires web/dist here). */
  staticDir?: string;
  /** Include process metrics (CPU, memory, event loop) in /metrics. */
  processMetrics?: boolean;
  trustProxy?: boolean;
  /** Log every request at info (default false: errors and warnings only). */
  requestLogging?: boolean;
  /** Deposits/withdrawals; without it the funds routes are not registered. */
  funds?: FundsPort;
  /** Faucet bounds (default 10,000,000 sat per call; 5 calls, then one per 12 s, per account and per IP; 100,000,000 sat per block in total). */
  faucetLimits?: FaucetLimits;
  /** WebSocket bounds: sockets per IP, account authentications per connection and per IP (defaultWsLimits). */
  wsLimits?: Partial<WsLimits>;
  /** Extra /health fields (chain follower, engine, demo), computed per request. */
  status?: () => HealthExtras;
  /** Route modules to register (default: routes/index.ts `routeModules`). */
  routes?: readonly RouteModule[];
}

export const defaultFaucetLimits: FaucetLimits = {
  maxSat: 10_000_000,
  perAccount: { capacity: 5, refillPerSec: 1 / 12 },
  perIp: { capacity: 5, refillPerSec: 1 / 12 },
  perBlockSat: 100_000_000,
};

export const defaultWsLimits: WsLimits = {
  socketsPerIp: 32,
  authPerConnection: { capacity: 5, refillPerSec: 1 },
  authPerIp: { capacity: 20, refillPerSec: 5 },
  closeAfterAuthFailures: 20,
};

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

function validationField(err: FastifyError): string | undefined {
  const v = err.validation?.[0];
  if (v === undefined) return undefined;
  const ctx = err.validationContext ?? 'body';
  const params = v.params as Record<string, unknown>;
  const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = typeof params.missingProperty === 'string' ? params.missingProperty : typeof params.additionalProperty === 'string' ? params.additionalProperty : '';
  return [ctx, path, extra].filter((s) => s !== '').join('.');
}

/** The error reply; its status is the catalogue's for the code (only fastify's own unmapped 4xx keep theirs). */
/** Route options take a hook or an array of hooks; add ours after the route's own. */
function appendHook<H>(existing: H | H[] | undefined, h: H): H[] {
  return existing === undefined ? [h] : Array.isArray(existing) ? [...existing, h] : [existing, h];
}

/** A query-string integer: decimal digits, no sign but '-', no leading zeros, no exponent, no spaces. */
const QUERY_INT_RE = /^(0|-?[1-9][0-9]{0,15})$/;

/** The names of a query-string schema's integer properties. */
function integerProperties(schema: unknown): string[] {
  const props = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {};
  return Object.entries(props).filter(([, p]) => p.type === 'integer').map(([k]) => k);
}

/**
 * Parses a route's integer query parameters from their strings, before validation: only a plain decimal
 * integer becomes a number; anything else (an exponent, a repeated key's array, 'true') stays as sent
 * and the schema refuses it.
 */
function integerQueryHook(names: string[]) {
  return (req: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    const q = req.query as Record<string, unknown> | undefined;
    if (q !== undefined && q !== null) {
      for (const k of names) {
        const v = q[k];
        if (typeof v === 'string' && QUERY_INT_RE.test(v)) q[k] = Number(v);
      }
    }
    done();
  };
}

/** The JSON reply to an HTTP parser error, written on the raw socket (no request object exists). */
export function writeClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [code, message]: [ErrorCode, string] =
    err.code === 'HPE_HEADER_OVERFLOW' ? ['headers_too_large', 'the request headers exceed the size limit']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? ['request_timeout', 'the request was not received in time']
    : ['bad_request', 'the request is not valid HTTP'];
  const status = httpStatusOf(code);
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Turns a route pattern into a matcher, to tell 405 (path exists, other method) from 404. */
function patternToRegex(url: string): RegExp {
  const esc = url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp('^' + esc.join('/') + '/?$');
}

export async function createServer(opts: ServerOptions): Promise<App> {
  const clock = opts.clock ?? systemClock;
  const windowMs = opts.authWindowMs ?? 30_000;
  const apiKeys = opts.apiKeys ?? new MemoryApiKeyStore();
  const limits = opts.rateLimits ?? defaultRateLimits;
  const metrics = createMetrics({ processMetrics: opts.processMetrics });
  const ctx: ServerContext = {
    exchange: opts.exchange,
    index: opts.index,
    clock,
    auth: new Authenticator(clock, new NonceStore(clock, windowMs, undefined, opts.nonceLog), apiKeys, opts.authNotBeforeMs),
    apiKeys,
    metrics,
    startedMs: clock.nowMs(),
    ...(opts.funds !== undefined ? { funds: opts.funds } : {}),
    faucetLimits: opts.faucetLimits ?? defaultFaucetLimits,
    wsLimits: { ...defaultWsLimits, ...opts.wsLimits },
    status: opts.status ?? (() => ({})),
  };
  const perIp = new TokenBuckets(clock, limits.perIp);
  const perKey = new TokenBuckets(clock, limits.perKey);
  const cancelPerKey = new TokenBuckets(clock, limits.cancelPerKey);

  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    trustProxy: opts.trustProxy ?? false,
    logController: new LogController({ disableRequestLogging: opts.requestLogging !== true }),
    // No coercion: a body's JSON types are what its schema says ("1e3", true, [1000] and null are refused,
    // not turned into numbers). Query strings are strings by nature: integer fields are parsed explicitly
    // (integerQueryHook) before validation, never by ajv.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors of Node's HTTP parser (a header over the limit, a malformed request line, a timeout) never reach
    // fastify's handlers: answer them here with the same JSON error shape, then close the connection.
    clientErrorHandler: (err, socket) => writeClientError(err as NodeJS.ErrnoException, socket),
    frameworkErrors: (err, _req, reply) => {
      sendError(reply, FASTIFY_CODES[err.code] ?? 'bad_request', err.message);
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // Keep the raw body: signatures cover the exact bytes sent, not a re-serialisation.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as FastifyRequest).rawBody = body as string;
    defaultJson(req, body as string, done);
  });

  const routes: { method: string; re: RegExp }[] = [];
  const limited = (scope: string, wait: number, what: string): ApiError => {
    metrics.rateLimited.inc({ scope });
    return rateLimited(what, wait);
  };
  // Per-route hooks, built once: only signed routes pay for auth, and metrics use prebound label
  // children instead of hashing label objects on every request (this is the trading hot path).
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) routes.push({ method: m, re: patternToRegex(r.url) });
    const method = methods.join(',');
    const hist = metrics.duration.labels(method, r.url);
    const counters = new Map<number, { inc(): void }>();
    const onResponse = (_req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      let c = counters.get(reply.statusCode);
      if (c === undefined) counters.set(reply.statusCode, (c = metrics.requests.labels(method, r.url, String(reply.statusCode))));
      c.inc();
      hist.observe(reply.elapsedTime / 1000);
      done();
    };
    r.onResponse = appendHook(r.onResponse, onResponse);
    const queryInts = integerProperties(r.schema?.querystring);
    if (queryInts.length > 0) r.preValidation = appendHook(r.preValidation, integerQueryHook(queryInts));

    const mode = r.config?.auth;
    if (mode === undefined) return;
    const cancel = r.config?.cancel === true;
    const buckets = cancel ? cancelPerKey : perKey;
    const opts = { apiKeyScope: mode === 'account' ? undefined : mode };
    const authHook = (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
      try {
        const principal = ctx.auth.authenticate({ method: req.method, url: req.url, rawBody: req.rawBody, headers: req.headers }, opts);
        const wait = buckets.take(principal.limitKey);
        if (wait > 0) return done(limited(cancel ? 'cancel' : 'key', wait, 'rate limit for this key'));
        req.principal = principal;
        done();
      } catch (e) {
        done(e as Error);
      }
    };
    r.preHandler = appendHook(r.preHandler, authHook);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      return sendError(reply, 'validation_failed', err.message, validationField(err));
    }
    if (err instanceof ApiError) {
      if (err.status === 401) metrics.authFailures.inc({ reason: err.code });
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
      return sendError(reply, err.code, err.message, err.field);
    }
    if (err instanceof HashPerpError) return sendError(reply, err.code, err.message, err.field);
    const mapped = err.code !== undefined ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) return sendError(reply, mapped, err.message);
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, 'bad_request', err.message, undefined, err.statusCode);
    }
    req.log.error({ err }, 'unhandled error');
    return sendError(reply, 'internal_error', 'internal error');
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    reply.raw.once('finish', () => metrics.requests.inc({ method: req.method, route: 'unmatched', status: String(reply.statusCode) }));
    const allowed = [...new Set(routes.filter((r) => r.re.test(path)).map((r) => r.method))];
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, 'method_not_allowed', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
    }
    return sendError(reply, 'not_found', `no route ${req.method} ${path}`);
  });

  app.addHook('onRequest', (req, _reply, done) => {
    const wait = perIp.take('ip:' + req.ip);
    done(wait > 0 ? limited('ip', wait, 'too many requests from this address') : undefined);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'HashPerp API',
        version: '0.1.0',
        description:
          'Hashrate derivatives settled by proof of work. Account actions are signed: see the x-hp-* headers ' +
          '(BIP-340 Schnorr with the account key, or HMAC-SHA256 with an API key) over ' +
          '"HASHPERP-REQUEST-V1\\nMETHOD\\npath?query\\nsha256(body) hex\\ntimestamp ms\\nnonce".',
      },
      components: {
        securitySchemes: {
          accountKey: { type: 'apiKey', in: 'header', name: 'x-hp-account', description: 'x-only pubkey; with x-hp-timestamp, x-hp-nonce, x-hp-signature (Schnorr)' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-hp-key', description: 'API key id; with x-hp-timestamp, x-hp-nonce, x-hp-signature (HMAC)' },
        },
      },
      // Every error code: its HTTP status, whether the same request may succeed later, its meaning.
      ...{ 'x-error-codes': ERROR_CATALOGUE },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket, { options: { maxPayload: 16 * 1024 } });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  for (const register of opts.routes ?? routeModules) register(app, ctx);
  registerWs(app, ctx);
  if (opts.staticDir !== undefined) await app.register(fastifyStatic, { root: opts.staticDir, prefix: '/', wildcard: false });
  return app;
}
