import { describe, expect, it, vi } from 'vitest';
import { accountIdOf, authHeaders } from '../../src/api/auth/message.js';
import { ACCOUNT1, ACCOUNT2, rig, signed, SK1 } from './helpers.js';

// vitest projects do not inherit the root testTimeout; these talk to servers on a shared, busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const order = { market: 'HPI-PERP', side: 'buy', type: 'limit', price: 48000, size: 10 } as const;

describe('signed requests (account key)', () => {
  it('accepts a valid signature and returns that account', async () => {
    const r = await rig();
    const res = await signed(r, ACCOUNT1, 'GET', '/v1/account');
    expect(res.statusCode).toBe(200);
    expect(res.json().account).toBe(accountIdOf(SK1));
    expect(res.json().balanceMsat).toBe('123456789012345678901'); // > 2^53 stays exact as a string
  });

  it('refuses stale, future, replayed, tampered and malformed requests with 401 and the reason', async () => {
    const r = await rig({ authWindowMs: 30_000 });
    const codeOf = async (p: Promise<{ statusCode: number; json(): { error: { code: string } } }>) => {
      const res = await p;
      return [res.statusCode, res.json().error.code];
    };
    expect(await codeOf(signed(r, ACCOUNT1, 'GET', '/v1/account', undefined, { timestampMs: r.clock.t - 30_001 }))).toEqual([401, 'stale_timestamp']);
    expect(await codeOf(signed(r, ACCOUNT1, 'GET', '/v1/account', undefined, { timestampMs: r.clock.t + 30_001 }))).toEqual([401, 'stale_timestamp']);
    expect((await signed(r, ACCOUNT1, 'GET', '/v1/account', undefined, { timestampMs: r.clock.t - 30_000 })).statusCode).toBe(200);

    expect((await signed(r, ACCOUNT1, 'GET', '/v1/account', undefined, { nonce: 'same-nonce-1' })).statusCode).toBe(200);
    expect(await codeOf(signed(r, ACCOUNT1, 'GET', '/v1/account', undefined, { nonce: 'same-nonce-1' }))).toEqual([401, 'replayed_nonce']);

    // signed for one body, sent with another
    const h = authHeaders(ACCOUNT1, { method: 'POST', path: '/v1/orders', body: JSON.stringify(order), timestampMs: r.clock.t, nonce: 'nonce-tamper' });
    const tampered = await r.app.inject({ method: 'POST', url: '/v1/orders', payload: JSON.stringify({ ...order, size: 11 }), headers: { ...h, 'content-type': 'application/json' } });
    expect([tampered.statusCode, tampered.json().error.code]).toEqual([401, 'bad_signature']);
    // signed for one path, sent to another
    const h2 = authHeaders(ACCOUNT1, { method: 'GET', path: '/v1/account', timestampMs: r.clock.t, nonce: 'nonce-path' });
    const other = await r.app.inject({ method: 'GET', url: '/v1/account/api-keys', headers: h2 });
    expect([other.statusCode, other.json().error.code]).toEqual([401, 'bad_signature']);

    const noHeaders = await r.app.inject({ method: 'GET', url: '/v1/account' });
    expect([noHeaders.statusCode, noHeaders.json().error.code, noHeaders.json().error.field]).toEqual([401, 'missing_credentials', 'x-hp-account']);
    const badNonce = await r.app.inject({ method: 'GET', url: '/v1/account', headers: { ...h2, 'x-hp-nonce': 'x' } });
    expect(badNonce.json().error.code).toBe('bad_nonce');
    expect(r.exchange.digest()).toBe(new (r.exchange.constructor as new () => typeof r.exchange)().digest());
  });

  it('a nonce burned by a refused request is not consumed (only verified requests use nonces)', async () => {
    const r = await rig();
    const h = authHeaders(ACCOUNT1, { method: 'GET', path: '/v1/account', timestampMs: r.clock.t, nonce: 'nonce-xyz-1' });
    const bad = await r.app.inject({ method: 'GET', url: '/v1/account', headers: { ...h, 'x-hp-signature': '00'.repeat(64) } });
    expect(bad.statusCode).toBe(401);
    expect((await r.app.inject({ method: 'GET', url: '/v1/account', headers: h })).statusCode).toBe(200);
  });
});

describe('API keys', () => {
  it('the account key creates a trade key; the key trades for that account, cannot manage keys, and dies when revoked', async () => {
    const r = await rig();
    const created = await signed(r, ACCOUNT1, 'POST', '/v1/account/api-keys', { label: 'bot', scopes: ['trade'] });
    expect(created.statusCode).toBe(200);
    const { keyId, secret } = created.json();
    expect(keyId).toMatch(/^[0-9a-f]{32}$/);
    const key = { kind: 'apiKey', keyId, secret } as const;

    const placed = await signed(r, key, 'POST', '/v1/orders', order);
    expect(placed.statusCode).toBe(200);
    expect(r.exchange.placed[0].account).toBe(accountIdOf(SK1));

    const manage = await signed(r, key, 'POST', '/v1/account/api-keys', { scopes: ['trade'] });
    expect([manage.statusCode, manage.json().error.code]).toEqual([403, 'account_key_required']);

    const list = await signed(r, ACCOUNT1, 'GET', '/v1/account/api-keys');
    expect(list.json().keys).toEqual([{ keyId, label: 'bot', scopes: ['trade'], createdMs: r.clock.t }]);
    expect(JSON.stringify(list.json())).not.toContain(secret);

    // another account cannot revoke it
    expect((await signed(r, ACCOUNT2, 'DELETE', `/v1/account/api-keys/${keyId}`)).statusCode).toBe(404);
    expect((await signed(r, ACCOUNT1, 'DELETE', `/v1/account/api-keys/${keyId}`)).statusCode).toBe(200);
    const after = await signed(r, key, 'POST', '/v1/orders', order);
    expect([after.statusCode, after.json().error.code]).toEqual([401, 'unknown_api_key']);
    expect(r.exchange.placed).toHaveLength(1);
  });

  it('a read-only key can read but not trade; a wrong HMAC is refused', async () => {
    const r = await rig();
    const { keyId, secret } = (await signed(r, ACCOUNT1, 'POST', '/v1/account/api-keys', { scopes: ['read'] })).json();
    const key = { kind: 'apiKey', keyId, secret } as const;
    expect((await signed(r, key, 'GET', '/v1/account')).statusCode).toBe(200);
    const t = await signed(r, key, 'POST', '/v1/orders', order);
    expect([t.statusCode, t.json().error.code]).toEqual([403, 'scope_missing']);
    const wrong = await signed(r, { kind: 'apiKey', keyId, secret: '00'.repeat(32) }, 'GET', '/v1/account');
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'bad_signature']);
    expect(r.exchange.placed).toHaveLength(0);
  });
});

describe('orders', () => {
  it('client order ids make placement idempotent; the same id with another body is a 409', async () => {
    const r = await rig();
    const body = { ...order, clientOrderId: 'c-1' };
    const a = await signed(r, ACCOUNT1, 'POST', '/v1/orders', body);
    const b = await signed(r, ACCOUNT1, 'POST', '/v1/orders', body);
    expect(a.statusCode).toBe(200);
    expect(b.json()).toEqual(a.json());
    expect(b.headers['idempotent-replay']).toBe('true');
    expect(r.exchange.placed).toHaveLength(1);
    const c = await signed(r, ACCOUNT1, 'POST', '/v1/orders', { ...body, price: 48001 });
    expect([c.statusCode, c.json().error.code, c.json().error.field]).toEqual([409, 'duplicate_client_order_id', 'body.clientOrderId']);
    // the same id is independent per account
    expect((await signed(r, ACCOUNT2, 'POST', '/v1/orders', body)).statusCode).toBe(200);
    expect(r.exchange.placed).toHaveLength(2);
  });

  it('matches, cancels, and maps engine refusals to 4xx', async () => {
    const r = await rig();
    const sell = (await signed(r, ACCOUNT2, 'POST', '/v1/orders', { ...order, side: 'sell', size: 4 })).json();
    expect(sell.status).toBe('open');
    const buy = (await signed(r, ACCOUNT1, 'POST', '/v1/orders', order)).json();
    expect([buy.status, buy.filled, buy.remaining]).toEqual(['partially_filled', 4, 6]);
    const book = (await r.app.inject({ method: 'GET', url: '/v1/markets/HPI-PERP/book' })).json();
    expect(book.bids).toEqual([{ price: 48000, size: 6 }]);
    const trades = (await r.app.inject({ method: 'GET', url: '/v1/markets/HPI-PERP/trades?limit=5' })).json();
    expect(trades.trades).toMatchObject([{ price: 48000, size: 4, takerSide: 'buy' }]);

    const notMine = await signed(r, ACCOUNT2, 'DELETE', `/v1/orders/${buy.orderId}`);
    expect([notMine.statusCode, notMine.json().error.code]).toEqual([404, 'unknown_order']);
    expect((await signed(r, ACCOUNT1, 'DELETE', `/v1/orders/${buy.orderId}`)).json().status).toBe('cancelled');

    const postOnly = await signed(r, ACCOUNT1, 'POST', '/v1/orders', { ...order, side: 'sell', price: 1, postOnly: true });
    expect(postOnly.statusCode).toBe(200); // nothing to cross now: rests
    const cross = await signed(r, ACCOUNT2, 'POST', '/v1/orders', { ...order, price: 2, postOnly: true });
    expect([cross.statusCode, cross.json().error.code]).toEqual([422, 'post_only_would_cross']);
    const limitNoPrice = await signed(r, ACCOUNT1, 'POST', '/v1/orders', { market: 'HPI-PERP', side: 'buy', type: 'limit', size: 1 });
    expect([limitNoPrice.statusCode, limitNoPrice.json().error.field]).toEqual([400, 'body.price']);
    const unknownMarket = await signed(r, ACCOUNT1, 'POST', '/v1/orders', { ...order, market: 'NOPE' });
    expect(unknownMarket.statusCode).toBe(404);
  });
});

describe('rate limits', () => {
  it('per key with a larger budget for cancels, and per IP', async () => {
    const r = await rig({ rateLimits: { perKey: { capacity: 3, refillPerSec: 1 }, cancelPerKey: { capacity: 6, refillPerSec: 1 }, perIp: { capacity: 1000, refillPerSec: 1 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await signed(r, ACCOUNT1, 'POST', '/v1/orders', order)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // cancels still go through (unknown order -> 404, but not 429) up to their own budget
    const cancels: number[] = [];
    for (let i = 0; i < 7; i++) cancels.push((await signed(r, ACCOUNT1, 'DELETE', '/v1/orders/o1')).statusCode);
    expect(cancels.slice(0, 6).every((s) => s !== 429)).toBe(true);
    expect(cancels[6]).toBe(429);
    // another key is unaffected
    expect((await signed(r, ACCOUNT2, 'POST', '/v1/orders', order)).statusCode).toBe(200);
    r.clock.t += 1000;
    expect((await signed(r, ACCOUNT1, 'POST', '/v1/orders', order)).statusCode).toBe(200);

    const ip = await rig({ rateLimits: { perKey: { capacity: 100, refillPerSec: 1 }, cancelPerKey: { capacity: 100, refillPerSec: 1 }, perIp: { capacity: 2, refillPerSec: 1 } } });
    const s = [];
    for (let i = 0; i < 3; i++) s.push((await ip.app.inject({ method: 'GET', url: '/health' })).statusCode);
    expect(s).toEqual([200, 200, 429]);
    const limited = await ip.app.inject({ method: 'GET', url: '/health', remoteAddress: '10.0.0.9' });
    expect(limited.statusCode).toBe(200);
  });
});

describe('bad input always gets a JSON 4xx', () => {
  it('404, 405, bad JSON, empty body, too large, wrong media type, schema errors with the field', async () => {
    const r = await rig({ bodyLimit: 1024 });
    const cases: [string, string, string | undefined, Record<string, string>, number, string, string?][] = [
      ['GET', '/nope', undefined, {}, 404, 'not_found'],
      ['PUT', '/v1/orders', undefined, {}, 405, 'method_not_allowed'],
      ['DELETE', '/v1/index', undefined, {}, 405, 'method_not_allowed'],
      ['POST', '/v1/orders', '{"market":', { 'content-type': 'application/json' }, 400, 'bad_json'],
      ['POST', '/v1/orders', '', { 'content-type': 'application/json' }, 400, 'empty_body'],
      ['POST', '/v1/orders', '{"x":"' + 'a'.repeat(2000) + '"}', { 'content-type': 'application/json' }, 413, 'body_too_large'],
      ['POST', '/v1/orders', 'market=1', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
      ['POST', '/v1/orders', JSON.stringify({ ...order, size: 0 }), { 'content-type': 'application/json' }, 400, 'validation_failed', 'body.size'],
      ['POST', '/v1/orders', JSON.stringify({ ...order, extra: 1 }), { 'content-type': 'application/json' }, 400, 'validation_failed', 'body.extra'],
      ['GET', '/v1/index?height=-1', undefined, {}, 400, 'validation_failed', 'querystring.height'],
      ['GET', '/v1/index?height=1&at=1300000000', undefined, {}, 400, 'invalid_argument', 'querystring.at'],
      ['GET', '/v1/index?height=5', undefined, {}, 404, 'not_found', 'querystring.height'],
      ['GET', '/v1/index/history?from=10&to=5', undefined, {}, 400, 'invalid_argument', 'querystring.from'],
      ['GET', '/v1/price/bdc?height=10', undefined, {}, 400, 'validation_failed', 'querystring.deadline'],
      ['GET', '/v1/markets/hpi/book', undefined, {}, 400, 'validation_failed', 'params.market'],
      ['GET', '/v1/markets/NOPE/book', undefined, {}, 404, 'unknown_market', 'params.market'],
      ['GET', '/v1/markets/%E0%A4%A/book', undefined, {}, 400, 'bad_url'],
      ['POST', '/v1/orders', '{"__proto__":{"x":1}}', { 'content-type': 'application/json' }, 400, 'bad_json'],
    ];
    for (const [method, url, payload, headers, status, code, field] of cases) {
      const res = await r.app.inject({ method: method as 'GET', url, payload, headers });
      expect([url, res.statusCode, res.headers['content-type']]).toEqual([url, status, 'application/json; charset=utf-8']);
      expect(res.json().error.code).toBe(code);
      if (field !== undefined) expect(res.json().error.field).toBe(field);
    }
    expect(r.exchange.placed).toHaveLength(0);
  });
});

describe('index routes publish the index port', () => {
  it('current, at height, at time, history with step, curve, bdc; extra fields pass through', async () => {
    const r = await rig();
    const cur = (await r.app.inject({ method: 'GET', url: '/v1/index' })).json();
    expect(cur).toEqual(r.index.values.at(-1));
    expect(cur.extraField).toBe('kept');
    expect((await r.app.inject({ method: 'GET', url: '/v1/index?height=900003' })).json().height).toBe(900003);
    const t = r.index.values[5].time! + 599;
    expect((await r.app.inject({ method: 'GET', url: `/v1/index?at=${t}` })).json().height).toBe(900005);
    const h = (await r.app.inject({ method: 'GET', url: '/v1/index/history?from=900002&to=900010&step=4' })).json();
    expect(h.values.map((v: { height: number }) => v.height)).toEqual([900004, 900008]);
    const curve = (await r.app.inject({ method: 'GET', url: '/v1/curve' })).json();
    expect(curve.points.map((p: { tenorDays: number }) => p.tenorDays)).toEqual([30, 90, 180, 365]);
    const bdc = (await r.app.inject({ method: 'GET', url: '/v1/price/bdc?height=900100&deadline=1800000000' })).json();
    expect(bdc).toMatchObject({ targetHeight: 900100, fairBps: 5000 });
    const health = (await r.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.index.height).toBe(900019);
  });
});

describe('OpenAPI, docs, metrics', () => {
  it('publishes OpenAPI 3.1 with every route, docs and Prometheus metrics', async () => {
    const r = await rig();
    const doc = (await r.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/health', '/v1/index', '/v1/index/history', '/v1/curve', '/v1/price/bdc', '/v1/markets', '/v1/markets/{market}/book', '/v1/orders', '/v1/orders/{orderId}', '/v1/account', '/v1/account/api-keys']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/v1/orders'].post.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['market', 'side', 'type', 'size']));
    const docs = await r.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    await r.app.inject({ method: 'GET', url: '/nope' });
    const m = await r.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.headers['content-type']).toContain('text/plain');
    expect(m.body).toContain('hashperp_http_requests_total{method="GET",route="/openapi.json",status="200"} 1');
    expect(m.body).toContain('status="404"');
  });
});
