/**
 * WebSocket feeds at /v1/ws. Client messages (JSON):
 *   {"op":"subscribe","channel":"index"}
 *   {"op":"subscribe","channel":"book"|"trades","market":"HPI-PERP"}
 *   {"op":"subscribe","channel":"forwards","market":"FWD-90D"} | {"op":"subscribe","channel":"bdc","market":"BDC-<H>-<T>"}
 *   {"op":"subscribe","channel":"account","auth":{"x-hp-account"|"x-hp-key","x-hp-timestamp","x-hp-nonce","x-hp-signature"}}
 *     (signed exactly like an HTTP request GET /v1/ws/account with an empty body)
 *   {"op":"unsubscribe", ...same channel/market}
 * Server messages: {"type":"subscribed"|"unsubscribed",channel,market?}, {"type":"error",error:{code,message,field}},
 * and data: {"type":"index",data}, {"type":"book",market,data}, {"type":"trades",market,data}, {"type":"account",data},
 * and for the product channels {"type":"forwards"|"bdc",market,"kind":"book"|"trade",data} (book data {seq?,bids,asks}).
 * The index channel also carries each block's liabilities root: {"type":"liabilities",data:{height,blockHash,root,totalMsat,accounts}}.
 * index, book and product subscriptions start with a snapshot. A client that stops reading is dropped.
 * Bounds (ctx.wsLimits): open sockets per IP (the next upgrade gets a JSON 429); account authentications
 * per connection and per IP (each is a signature check; beyond the budget the reply is a rate_limited error
 * message and nothing is verified), and a connection that keeps failing authentication is closed (1008).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorBody, httpStatusOf, sendError } from './errors.js';
import { TokenBuckets } from './rate-limit.js';
import type { FeedEvent } from './ports.js';
import type { App, ServerContext } from './app-types.js';
import type { IndexValue } from './schemas.js';

const MAX_BUFFERED = 1 << 20;
const MAX_SUBSCRIPTIONS = 64;
const MARKET_RE = /^[A-Z0-9][A-Z0-9-]{0,31}$/;

/** The slice of a `ws` socket we use (the ws package ships no types here). */
interface WebSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'close', cb: () => void): void;
  on(event: 'message', cb: (raw: { toString(): string }, isBinary: boolean) => void): void;
}

interface Client {
  socket: WebSocket;
  subs: Set<string>;
  account?: string;
  ip: string;
  auth: TokenBuckets;
  authFailures: number;
}

function send(c: Client, msg: unknown): boolean {
  if (c.socket.readyState !== c.socket.OPEN) return false;
  if (c.socket.bufferedAmount > MAX_BUFFERED) {
    c.socket.close(1013, 'too slow: reconnect and resubscribe');
    return false;
  }
  c.socket.send(JSON.stringify(msg));
  return true;
}

export function registerWs(app: App, ctx: ServerContext): void {
  const clients = new Set<Client>();
  const limits = ctx.wsLimits;
  const openPerIp = new Map<string, number>();
  const authPerIp = new TokenBuckets(ctx.clock, limits.authPerIp);
  const tooMany = (ip: string): boolean => (openPerIp.get(ip) ?? 0) >= limits.socketsPerIp;
  const tooManyMessage = (): string => `at most ${limits.socketsPerIp} open WebSocket connections per address`;

  const onIndex = (v: IndexValue): void => {
    for (const c of clients) if (c.subs.has('index') && send(c, { type: 'index', data: v })) ctx.metrics.wsMessagesOut.inc({ channel: 'index' });
  };
  const onFeed = (e: FeedEvent): void => {
    if (e.channel === 'liabilities') {
      for (const c of clients) if (c.subs.has('index') && send(c, { type: 'liabilities', data: e.data })) ctx.metrics.wsMessagesOut.inc({ channel: 'index' });
      return;
    }
    const key = e.channel === 'account' ? 'account' : `${e.channel}:${e.market}`;
    const msg =
      e.channel === 'account' ? { type: 'account', data: e.data }
      : e.channel === 'forwards' || e.channel === 'bdc' ? { type: e.channel, market: e.market, kind: e.kind, data: e.data }
      : { type: e.channel, market: e.market, data: e.data };
    for (const c of clients) {
      if (!c.subs.has(key)) continue;
      if (e.channel === 'account' && c.account !== e.account) continue;
      if (send(c, msg)) ctx.metrics.wsMessagesOut.inc({ channel: e.channel });
    }
  };
  const unsubs = [ctx.index.subscribe(onIndex), ctx.exchange.subscribe(onFeed)];
  app.addHook('onClose', async () => {
    for (const u of unsubs) u();
    for (const c of clients) c.socket.close(1001, 'server shutting down');
  });

  app.route({
    method: 'GET',
    url: '/v1/ws',
    schema: { hide: true },
    // Before the upgrade: an address at its socket cap gets a JSON 429 instead of a WebSocket.
    preValidation: (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (!tooMany(req.ip)) return done();
      sendError(reply, 'too_many_connections', tooManyMessage());
    },
    // A plain HTTP GET gets a JSON 426, not the plugin's empty 404.
    handler: async (_req, reply) => {
      reply.header('upgrade', 'websocket');
      return reply.code(httpStatusOf('upgrade_required')).send(errorBody('upgrade_required', 'this is a WebSocket endpoint: connect with Upgrade: websocket'));
    },
    wsHandler: (sock, req) => {
    const socket = sock as WebSocket;
    const ip = req.ip;
    if (tooMany(ip)) {
      // Raced past the upgrade check: refuse in-band.
      socket.send(JSON.stringify({ type: 'error', ...errorBody('too_many_connections', tooManyMessage()) }));
      socket.close(1008, 'too many connections from this address');
      return;
    }
    openPerIp.set(ip, (openPerIp.get(ip) ?? 0) + 1);
    const c: Client = { socket, subs: new Set(), ip, auth: new TokenBuckets(ctx.clock, limits.authPerConnection, 1), authFailures: 0 };
    clients.add(c);
    ctx.metrics.wsConnections.inc();
    socket.on('close', () => {
      clients.delete(c);
      const n = (openPerIp.get(ip) ?? 1) - 1;
      if (n <= 0) openPerIp.delete(ip);
      else openPerIp.set(ip, n);
      ctx.metrics.wsConnections.dec();
    });
    socket.on('message', (raw, isBinary) => {
      try {
        if (isBinary) throw new ApiError('bad_message', 'send text frames with JSON');
        handle(c, raw.toString());
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError('bad_message', e instanceof Error ? e.message : 'bad message');
        send(c, { type: 'error', ...errorBody(err.code, err.message, err.field) });
      }
    });
    },
  });

  function failedAuth(c: Client): void {
    if (++c.authFailures >= limits.closeAfterAuthFailures) {
      send(c, { type: 'error', ...errorBody('rate_limited', `${c.authFailures} failed authentications: closing`, 'auth') });
      c.socket.close(1008, 'too many failed authentications');
    }
  }

  function handle(c: Client, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new ApiError('bad_json', 'message is not JSON');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new ApiError('bad_message', 'message must be a JSON object');
    const m = msg as Record<string, unknown>;
    if (m.op !== 'subscribe' && m.op !== 'unsubscribe') throw new ApiError('bad_message', "op must be 'subscribe' or 'unsubscribe'", 'op');
    const channel = m.channel;
    let key: string;
    if (channel === 'index' || channel === 'account') key = channel;
    else if (channel === 'book' || channel === 'trades') {
      if (typeof m.market !== 'string' || !MARKET_RE.test(m.market)) throw new ApiError('bad_message', 'market is required for book and trades', 'market');
      if (!ctx.exchange.markets().some((x) => x.id === m.market)) throw new ApiError('unknown_market', `no market ${m.market}`, 'market');
      key = `${channel}:${m.market}`;
    } else if (channel === 'forwards' || channel === 'bdc') {
      if (typeof m.market !== 'string' || !MARKET_RE.test(m.market)) throw new ApiError('bad_message', `market is required for ${channel}`, 'market');
      if (ctx.exchange.productBook === undefined) throw new ApiError('unknown_channel', `this server runs no product markets: no ${channel} channel`, 'channel');
      if (m.op === 'subscribe' && ctx.exchange.productBook(channel, m.market, 1) === undefined) throw new ApiError('unknown_market', `no ${channel} market ${m.market}`, 'market');
      key = `${channel}:${m.market}`;
    } else throw new ApiError('bad_message', 'channel must be index, book, trades, account, forwards or bdc', 'channel');
    const ack = { channel, ...(typeof m.market === 'string' && key !== channel ? { market: m.market } : {}) };

    if (m.op === 'unsubscribe') {
      c.subs.delete(key);
      send(c, { type: 'unsubscribed', ...ack });
      return;
    }
    if (c.subs.size >= MAX_SUBSCRIPTIONS) throw new ApiError('too_many_subscriptions', `at most ${MAX_SUBSCRIPTIONS} per connection`);
    if (channel === 'account') {
      const auth = m.auth;
      if (typeof auth !== 'object' || auth === null) throw new ApiError('missing_credentials', 'the account channel needs an auth object of x-hp-* headers', 'auth');
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(auth)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      // Each attempt costs a signature check: budget them per connection and per address, before verifying.
      let wait = c.auth.take('c');
      if (wait === 0) wait = authPerIp.take(c.ip);
      if (wait > 0) {
        failedAuth(c);
        throw new ApiError('rate_limited', `too many account authentications; retry in ${wait} ms`, 'auth');
      }
      let p;
      try {
        p = ctx.auth.authenticate({ method: 'GET', url: '/v1/ws/account', rawBody: undefined, headers }, { apiKeyScope: 'read' });
      } catch (e) {
        failedAuth(c);
        throw e;
      }
      c.authFailures = 0;
      c.account = p.account;
    }
    c.subs.add(key);
    send(c, { type: 'subscribed', ...ack });
    if (channel === 'index') {
      const v = ctx.index.current();
      if (v !== undefined) send(c, { type: 'index', data: v });
    } else if (channel === 'book') {
      const b = ctx.exchange.book(m.market as string, 50);
      if (b !== undefined) send(c, { type: 'book', market: m.market, data: b });
    } else if (channel === 'forwards' || channel === 'bdc') {
      const b = ctx.exchange.productBook?.(channel, m.market as string, 50);
      if (b !== undefined) send(c, { type: channel, market: m.market, kind: 'book', data: b });
    }
  }
}
