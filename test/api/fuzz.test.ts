/**
 * 10,000 random and malformed requests across every route (in-process via inject) against the REAL
 * engine behind the journal's sequencer (SQLite, in memory): no 5xx ever, every refusal is a JSON
 * {error:{code,message}}, and a refused request changes nothing (neither the engine's stateHash nor
 * the API key store).
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { authHeaders, newNonce, type Credentials } from '../../src/api/auth/message.js';
import { MemoryApiKeyStore } from '../../src/api/auth/api-keys.js';
import { EngineExchange } from '../../src/server/exchange-port.js';
import { EngineCore } from '../../src/server/engine-host.js';
import { createServer } from '../../src/api/server.js';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { headerHash } from '../../src/chain/header.js';
import { indexAt } from '../../src/index/index-at.js';
import { FakeIndex } from './fakes.js';
import { ACCOUNT1, ACCOUNT2 } from './helpers.js';

// vitest projects do not inherit the root testTimeout; these talk to servers on a shared, busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const ROUTES = [
  ['GET', '/health'],
  ['GET', '/v1/time'],
  ['GET', '/v1/markets'],
  ['GET', '/v1/markets/{m}/book'],
  ['GET', '/v1/markets/{m}/trades'],
  ['GET', '/v1/index'],
  ['GET', '/v1/index/history'],
  ['GET', '/v1/curve'],
  ['GET', '/v1/price/bdc'],
  ['GET', '/v1/account'],
  ['POST', '/v1/orders'],
  ['DELETE', '/v1/orders/{id}'],
  ['GET', '/v1/account/api-keys'],
  ['POST', '/v1/account/api-keys'],
  ['DELETE', '/v1/account/api-keys/{id}'],
  ['POST', '/v1/faucet'],
  ['POST', '/v1/withdrawals'],
  ['GET', '/openapi.json'],
  ['GET', '/metrics'],
  ['GET', '/v1/ws'],
] as const;

const weird = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('HPI-PERP', 'o1', 'o2', '%00', '%E0%A4%A', '..', '%2F', 'a'.repeat(300), '😀', '-1', '0x10', 'null', '[]', '{}'),
  fc.integer().map(String),
);
const queryKeys = fc.constantFrom('height', 'at', 'from', 'to', 'step', 'limit', 'levels', 'deadline', 'x', '__proto__');
const queryVal = fc.oneof(fc.integer({ min: -10, max: 2_000_000_000 }).map(String), weird, fc.constant(''));
const query = fc.array(fc.tuple(queryKeys, queryVal), { maxLength: 4 }).map((kv) => (kv.length ? '?' + kv.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&') : ''));

const goodOrder = {
  market: 'HPI-PERP',
  side: 'buy',
  type: 'limit',
  price: 48000,
  size: 5,
};
const orderish = fc.record(
  {
    market: fc.oneof(fc.constant('HPI-PERP'), fc.constant('NOPE'), weird),
    side: fc.oneof(fc.constantFrom('buy', 'sell'), weird),
    type: fc.oneof(fc.constantFrom('limit', 'market'), weird),
    price: fc.oneof(fc.integer({ min: -5, max: 60000 }), fc.double(), fc.constant(null), weird),
    size: fc.oneof(fc.integer({ min: -5, max: 2_000_000 }), fc.constant(1e13), fc.double()),
    timeInForce: fc.constantFrom('GTC', 'IOC', 'FOK', 'DAY'),
    postOnly: fc.oneof(fc.boolean(), weird),
    reduceOnly: fc.boolean(),
    clientOrderId: fc.oneof(fc.constantFrom('c1', 'c2', 'c3'), weird),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const fundsBody = fc.record(
  {
    amountSat: fc.oneof(fc.integer({ min: -5, max: 20_000_000 }), fc.constant(1e16), fc.double(), weird),
    address: fc.oneof(fc.constant('bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080'), weird),
    account: fc.constant('dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659'),
  },
  { requiredKeys: [] },
);
const keyBody = fc.record({ label: fc.oneof(fc.string(), fc.integer()), scopes: fc.oneof(fc.constant(['trade']), fc.array(weird, { maxLength: 3 })) }, { requiredKeys: [] });

const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: orderish.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify(goodOrder)) },
  { weight: 1, arbitrary: keyBody.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fundsBody.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('{"market":', '{"__proto__":{"a":1}}', '{"constructor":{"prototype":{}}}', 'x'.repeat(70_000), '\u0000', '[', 'null') },
);
const contentType = fc.constantFrom<string | undefined>('application/json', 'application/json', undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'garbage');

type AuthKind = 'none' | 'junk' | 'schnorr' | 'hmac' | 'hmacStale' | 'hmacTampered' | 'schnorrOther';
// Schnorr is ~100x the cost of HMAC (and covered in server.test.ts), so it is rare here.
const auth = fc.oneof(
  { weight: 40, arbitrary: fc.constant<AuthKind>('none') },
  { weight: 30, arbitrary: fc.constant<AuthKind>('junk') },
  { weight: 1, arbitrary: fc.constantFrom<AuthKind>('schnorr', 'schnorrOther') },
  { weight: 60, arbitrary: fc.constantFrom<AuthKind>('hmac', 'hmac', 'hmacStale', 'hmacTampered') },
);
const junkHeaders = fc.dictionary(fc.constantFrom('x-hp-account', 'x-hp-key', 'x-hp-timestamp', 'x-hp-nonce', 'x-hp-signature'), fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 130 }), weird.filter((s) => /^[\x20-\x7e]*$/.test(s))));

const randomRequest = fc.record({
  route: fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom<readonly [string, string]>(...ROUTES) },
    { weight: 1, arbitrary: fc.webPath().map((p): readonly [string, string] => ['GET', p.startsWith('/') ? p : '/' + p]) },
  ),
  method: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS') }),
  param: weird,
  query,
  body,
  contentType,
  auth,
  junk: junkHeaders,
});

/** Near-valid signed orders: one field of a good order perturbed, so handlers and the port are reached. */
const orderRequest = fc.record({
  route: fc.constant<readonly [string, string]>(['POST', '/v1/orders']),
  method: fc.constant(undefined),
  param: fc.constant(''),
  query: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: query }),
  body: fc
    .tuple(fc.constantFrom('', 'market', 'side', 'type', 'price', 'size', 'timeInForce', 'postOnly', 'reduceOnly', 'clientOrderId', 'extra'), orderish, fc.constantFrom('buy', 'sell'))
    .map(([field, o, side]) => JSON.stringify(field === '' ? { ...goodOrder, side } : { ...goodOrder, side, [field]: (o as Record<string, unknown>)[field] })),
  contentType: fc.constant<string | undefined>('application/json'),
  auth: fc.constantFrom<AuthKind>('hmac', 'hmac', 'hmac', 'hmacStale', 'hmacTampered'),
  junk: fc.constant({}),
});

/** Near-valid signed faucet / withdrawal requests: amounts around the bounds, the odd extra field. */
const fundsRequest = fc.record({
  route: fc.constantFrom<readonly [string, string]>(['POST', '/v1/faucet'], ['POST', '/v1/withdrawals']),
  method: fc.constant(undefined),
  param: fc.constant(''),
  query: fc.constant(''),
  body: fc
    .tuple(fc.oneof(fc.integer({ min: 1, max: 11_000_000 }), fc.integer({ min: -2, max: 0 }), fc.constant(200_000_000)), fc.constantFrom('', 'account', 'address'), fundsBody)
    .map(([amountSat, field, o]) => JSON.stringify(field === '' ? { amountSat, address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' } : { amountSat, address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', [field]: (o as Record<string, unknown>)[field] })),
  contentType: fc.constant<string | undefined>('application/json'),
  // Withdrawals take the account key (a 'trade' API key is refused with 403), so both signers are sent.
  auth: fc.constantFrom<AuthKind>('hmac', 'schnorr', 'schnorr', 'hmacTampered'),
  junk: fc.constant({}),
});

const request = fc.oneof({ weight: 6, arbitrary: randomRequest }, { weight: 2, arbitrary: orderRequest }, { weight: 1, arbitrary: fundsRequest });

describe('fuzz: random and malformed requests', () => {
  it('10,000 requests: never a 5xx, refusals are JSON errors, a refused request changes no state', async () => {
    const apiKeys = new MemoryApiKeyStore();
    const engine = await EngineCore.open({ sqlitePath: ':memory:' });
    // One real block (the shipped mainnet header and its index) so the market is open.
    const chain = loadEmbeddedChain();
    const height = 822_671;
    const raw = chain.rawHeader(height)!;
    const time = new DataView(raw.buffer, raw.byteOffset).getUint32(68, true);
    await engine.submit({ type: 'BlockConnected', height, hash: headerHash(raw), time, mtp: time, indexPrice: Number(indexAt(chain, height).hashpriceSatPerPHDay) });
    await engine.submit({ type: 'Deposit', account: 'f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9', amountSat: 100_000_000 });
    const exchange = new EngineExchange(engine, { faucet: true });
    const clock = { t: 1_763_700_000_000, nowMs() { return this.t; } };
    const unlimited = { capacity: 1e9, refillPerSec: 1e9 };
    const app = await createServer({ exchange, funds: exchange, index: new FakeIndex(), clock, apiKeys, rateLimits: { perKey: unlimited, cancelPerKey: unlimited, perIp: unlimited } });
    await app.ready();
    const r = { app, clock };
    const rec = apiKeys.create('f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9', 'fuzz', ['trade', 'read'], r.clock.t);
    const hmacKey: Credentials = { kind: 'apiKey', keyId: rec.keyId, secret: rec.secret };
    const state = () => engine.stateHash() + JSON.stringify([...apiKeys.list(rec.account), ...apiKeys.list('dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659')]);
    let ordersPlaced = 0;
    let fundsMoved = 0;
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(request, async (q) => {
        const [defMethod, template] = q.route;
        const method = q.method ?? defMethod;
        const url = template.replace(/\{m\}|\{id\}/, encodeURIComponent(q.param)) + q.query;
        const headers: Record<string, string> = {};
        if (q.contentType !== undefined && q.body !== undefined) headers['content-type'] = q.contentType;
        const signBody = q.body;
        const ts = r.clock.t;
        if (q.auth === 'junk') Object.assign(headers, q.junk);
        if (q.auth === 'schnorr') Object.assign(headers, authHeaders(ACCOUNT1, { method, path: url, body: signBody, timestampMs: ts, nonce: newNonce() }));
        if (q.auth === 'schnorrOther') Object.assign(headers, authHeaders(ACCOUNT2, { method, path: url, body: signBody, timestampMs: ts, nonce: newNonce() }));
        if (q.auth === 'hmac') Object.assign(headers, authHeaders(hmacKey, { method, path: url, body: signBody, timestampMs: ts, nonce: newNonce() }));
        if (q.auth === 'hmacStale') Object.assign(headers, authHeaders(hmacKey, { method, path: url, body: signBody, timestampMs: ts - 31_000, nonce: newNonce() }));
        if (q.auth === 'hmacTampered') Object.assign(headers, authHeaders(hmacKey, { method, path: url, body: signBody + ' ', timestampMs: ts, nonce: newNonce() }));

        const before = state();
        const res = await r.app.inject({ method: method as 'GET', url, headers, payload: q.body });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 200 && method === 'POST' && url.startsWith('/v1/orders')) ordersPlaced++;
        if (res.statusCode === 200 && method === 'POST' && (url.startsWith('/v1/faucet') || url.startsWith('/v1/withdrawals'))) fundsMoved++;
        if (res.statusCode >= 500) throw new Error(`5xx for ${method} ${url}: ${res.body}`);
        if (res.statusCode >= 400) {
          if (state() !== before) throw new Error(`refused ${method} ${url} (${res.statusCode}) changed state`);
          if (method !== 'HEAD') {
            const e = res.json().error;
            if (typeof e?.code !== 'string' || typeof e?.message !== 'string') throw new Error(`non-JSON error for ${method} ${url}: ${res.body}`);
          }
        }
        r.clock.t += 7; // time moves: nonces age out, stale windows shift
      }),
      { numRuns: 10_000, seed: 20261121 },
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(10_000);
    // the fuzz must reach the handlers, not only the front door
    expect(statuses.get(200) ?? 0).toBeGreaterThan(500);
    expect(ordersPlaced).toBeGreaterThan(50);
    expect(fundsMoved).toBeGreaterThan(20);
    for (const s of [400, 401, 404, 405, 413, 415, 422]) expect(statuses.get(s) ?? 0).toBeGreaterThan(0);
    console.log('fuzz status counts', Object.fromEntries(statuses), { ordersPlaced, fundsMoved, seq: engine.lastSeq });
    await app.close();
    await engine.close();
  });
});
