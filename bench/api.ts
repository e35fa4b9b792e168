/**
 * API throughput on loopback (never part of the test run):
 *   npm run bench:api -- [--json] [--duration S] [--connections N (default 64)] [--repeat K (default 3)] [--same-thread]
 * Runs autocannon against (1) a bare fastify POST route and (2) HMAC-signed order placement through
 * the full gateway (JSON parse, schema, auth, nonce, rate limits, idempotency, port), in one
 * process, one after the other, with the same presigned requests, K pairs in turn, and prints the
 * median pair's {"ordersPerSec","bareRoutePerSec","ratio","p99Ms"} (plus every pair's ratio and
 * bareGetPerSec for reference).
 *   --exchange engine (default) the real engine behind the sequencer and a SQLite journal (temp file,
 *                    WAL + fsync per group commit): two accounts alternate buy/sell at one price, so
 *                    half the orders rest and half fill against them. The journal runs on a worker
 *                    thread as in `serve`; --same-thread runs it on the server's thread (fsyncs then stall HTTP)
 *   --exchange ack   a port that acknowledges at once: measures the gateway alone
 *   --exchange fake  the in-memory matching fake from test/api (orders alternate sides and match)
 */
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { newNonce, signWithApiKey } from '../src/api/auth/message.js';
import { nodeHashes } from '../src/api/auth/node-hashes.js';
import { MemoryApiKeyStore } from '../src/api/auth/api-keys.js';
import { createServer } from '../src/api/server.js';
import type { ExchangePort, PlaceOrderCommand } from '../src/api/ports.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeExchange, FakeIndex } from '../test/api/fakes.js';
import { EngineCore } from '../src/server/engine-host.js';
import { EngineExchange } from '../src/server/exchange-port.js';
import { loadEmbeddedChain } from '../src/chain/embedded.js';
import { headerHash } from '../src/chain/header.js';
import { indexAt } from '../src/index/index-at.js';

interface Result {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`);
  return v;
}

const json = process.argv.includes('--json');
const exchangeArg = process.argv.includes('--exchange') ? process.argv[process.argv.indexOf('--exchange') + 1] : 'engine';
if (exchangeArg !== 'engine' && exchangeArg !== 'ack' && exchangeArg !== 'fake') throw new Error('--exchange is engine, ack or fake');
const exchangeKind: 'engine' | 'ack' | 'fake' = exchangeArg;

/** Acknowledges every order as resting: the cost of the port is ~0, so the run measures the gateway. */
function ackExchange(): ExchangePort {
  const base = new FakeExchange();
  let seq = 0;
  return {
    markets: () => base.markets(),
    book: (m, l) => base.book(m, l),
    trades: (m, l) => base.trades(m, l),
    account: (a) => base.account(a),
    placeOrder: async (c: PlaceOrderCommand) => ({ seq: ++seq, orderId: 'o' + seq, market: c.market, status: 'open', filled: 0, remaining: c.size }),
    cancelOrder: (c) => base.cancelOrder(c),
    subscribe: (l) => base.subscribe(l),
  };
}
const duration = arg('--duration', 5);
const repeat = arg('--repeat', 3);
if (!Number.isInteger(repeat)) throw new Error('--repeat needs a whole number of pairs');
// 64 concurrent clients by default: every order waits for its group's fsync (durability), so with few
// closed-loop clients the rate is bounded by clients / fsync latency rather than by the server's CPU.
const connections = arg('--connections', 64);

function run(opts: Record<string, unknown>): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections, duration, ...opts }, (err: Error | null, res: Result) => (err ? reject(err) : resolve(res)));
  });
}

// The bare route parses the same JSON body and answers; the client sends it the very same
// presigned requests through the same autocannon path, so the ratio isolates the gateway's cost.
const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ ok: true }));
bare.post('/bare', async (req) => ({ ok: (req.body as { size?: number }).size === 1 }));
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

const ACCOUNTS = ['f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9', 'dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659'];
let PRICE = 48000;
let engine: EngineCore | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'hp-bench-'));
async function engineExchange(): Promise<ExchangePort> {
  engine = await EngineCore.open({ sqlitePath: join(tmp, 'bench.sqlite'), thread: !process.argv.includes('--same-thread') });
  const chain = loadEmbeddedChain();
  const height = 822_671;
  const raw = chain.rawHeader(height)!;
  const time = new DataView(raw.buffer, raw.byteOffset).getUint32(68, true);
  PRICE = Number(indexAt(chain, height).hashpriceSatPerPHDay);
  await engine.submit({ type: 'BlockConnected', height, hash: headerHash(raw), time, mtp: time, indexPrice: PRICE });
  for (const account of ACCOUNTS) await engine.submit({ type: 'Deposit', account, amountSat: 100_000_000_000 });
  return new EngineExchange(engine);
}

const apiKeys = new MemoryApiKeyStore();
const unlimited = { capacity: 1e12, refillPerSec: 1e12 };
const app = await createServer({
  exchange: exchangeKind === 'fake' ? new FakeExchange() : exchangeKind === 'engine' ? await engineExchange() : ackExchange(),
  index: new FakeIndex(),
  apiKeys,
  logger: false,
  rateLimits: { perKey: unlimited, cancelPerKey: unlimited, perIp: unlimited },
});
const apiUrl = await app.listen({ port: 0, host: '127.0.0.1' });
const keys = ACCOUNTS.map((a) => apiKeys.create(a, 'bench', ['trade'], Date.now()));

// warm both paths (JIT, schema compilers) before measuring
await run({ url: bareUrl + '/bare', duration: 1 });
// Requests are signed before the clock starts: real clients sign on their own machines, and the
// bare route's client does no work either. Each has its own nonce (replays would be refused).
interface Signed { body: string; headers: Record<string, string> }
function presign(count: number): Signed[] {
  const out: Signed[] = [];
  const ts = Date.now();
  for (let i = 0; i < count; i++) {
    // Account i % 2 buys, the other sells: every sell fills a resting buy of the other account.
    const key = keys[i % 2];
    const body = JSON.stringify({ market: 'HPI-PERP', side: i % 2 === 0 ? 'buy' : 'sell', type: 'limit', price: PRICE, size: 1 });
    const r = { method: 'POST', path: '/v1/orders', body, timestampMs: ts, nonce: newNonce() };
    out.push({
      body,
      headers: { 'x-hp-key': key.keyId, 'x-hp-timestamp': String(ts), 'x-hp-nonce': r.nonce, 'x-hp-signature': signWithApiKey(r, key.secret, nodeHashes), 'content-type': 'application/json' },
    });
  }
  return out;
}
let pool: Signed[] = [];
let n = 0;
/** `cycle`: reuse the pool round-robin (the bare route checks no nonces); orders never reuse one. */
const target = (url: string, path: string, cycle: boolean) => ({
  url,
  requests: [
    {
      method: 'POST',
      path,
      setupRequest: (req: Record<string, unknown>) => {
        const s = cycle ? pool[n++ % pool.length] : pool[n++];
        if (s === undefined) throw new Error('presigned pool exhausted: raise the pool size');
        return { ...req, method: 'POST', path, body: s.body, headers: s.headers };
      },
    },
  ],
});
const orders = target(apiUrl, '/v1/orders', false);
const barePost = target(bareUrl, '/bare', true);

const cyclePool = presign(20_000);
pool = cyclePool;
const warm = await run({ ...orders, duration: 1 });
await run({ ...barePost, duration: 1 });
void warm;

const bareGetRes = await run({ url: bareUrl + '/bare' });
// Bare and signed runs alternate `repeat` times and the headline is the median pair: one process
// hosts the client and both servers, and GC and the host's noise swing single runs by ±20 %.
const pairs: { bare: Result; orders: Result }[] = [];
for (let k = 0; k < repeat; k++) {
  n = 0;
  const bareRes = await run(barePost);
  // Just enough presigned requests (a huge pool is GC pressure that slows the run it measures):
  // orders cannot outrun the bare route on the same requests. Signed now, well inside the 30 s window.
  pool = presign(Math.ceil(bareRes.requests.average * duration * 1.5) + 5000);
  n = 0;
  pairs.push({ bare: bareRes, orders: await run(orders) });
  pool = cyclePool; // the bare route cycles through these (it checks no nonces)
}
const ratioOf = (p: { bare: Result; orders: Result }) => p.orders.requests.average / p.bare.requests.average;
const { bare: bareRes, orders: orderRes } = [...pairs].sort((a, b) => ratioOf(a) - ratioOf(b))[Math.floor((pairs.length - 1) / 2)]!;
await app.close();
await bare.close();
const journaled = engine?.lastSeq;
const journalKind = engine?.journalKind;
await engine?.close();
rmSync(tmp, { recursive: true, force: true });

const failed = pairs.reduce((f, p) => f + p.orders.non2xx + p.orders.errors + p.orders.timeouts, 0);
const out = {
  ordersPerSec: Math.round(orderRes.requests.average),
  bareRoutePerSec: Math.round(bareRes.requests.average),
  ratio: Math.round((orderRes.requests.average / bareRes.requests.average) * 1000) / 1000,
  p99Ms: orderRes.latency.p99,
  bareP99Ms: bareRes.latency.p99,
  /** GET /bare with autocannon's cached request (no per-request setup): the ceiling of this client. */
  bareGetPerSec: Math.round(bareGetRes.requests.average),
  failedOrders: failed,
  repeat,
  /** Every pair's ratio; the headline figures are the median pair's. */
  ratios: pairs.map((p) => Math.round(ratioOf(p) * 1000) / 1000),
  connections,
  durationS: duration,
  exchange: exchangeKind,
  ...(journaled !== undefined ? { journal: `${journalKind} (temp file, fsync per group commit)`, commandsJournaled: journaled } : {}),
};
if (json) console.log(JSON.stringify(out));
else {
  console.log(`bare GET       ${out.bareGetPerSec} req/s (cached request, no per-request setup)`);
  console.log(`bare POST      ${out.bareRoutePerSec} req/s (p99 ${out.bareP99Ms} ms), same requests as the orders`);
  console.log(`signed orders  ${out.ordersPerSec} req/s (p99 ${out.p99Ms} ms), ${failed} failed`);
  console.log(`ratio          ${out.ratio} (goal >= 0.5), median of ${out.ratios.join(', ')}`);
}
if (failed > 0) process.exitCode = 1;
