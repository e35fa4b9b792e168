/**
 * 3,500 random, malformed and near-valid requests over every product route (in-process via inject): never
 * a 5xx, every refusal a JSON {error:{code,message}}, and a refused request leaves the engine's state hash
 * (and the API key store) exactly as it was.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { authHeaders, newNonce, type Credentials } from '../../../src/api/auth/message.js';
import { bdcPositionsOf } from '../../../src/engine/products/bdc/index.js';
import { A1, A2, C2, TIP, productsRig } from './rig.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });
const RUNS = 3_200;

describe('fuzz: product routes', () => {
  it(`${RUNS} requests: no 5xx, JSON refusals, refused requests change no engine state`, async () => {
    const r = await productsRig();
    const BTC = 100_000_000;
    r.run({ type: 'Deposit', account: A1, amountSat: 5 * BTC }, { type: 'Deposit', account: A2, amountSat: 5 * BTC }, { type: 'FundSystem', account: 'vault', amountSat: 10 * BTC });
    const mtp = r.ex.productContext(0).chain.mtp;
    const H = TIP + 30, T = mtp + 6 * 3600;
    const SERIES = `BDC-${H}-${T}`;
    r.run({ type: 'BdcListSeries', height: H, deadline: T, payoutSat: 100_000 });
    r.run({ type: 'BdcPlaceOrder', account: A2, series: SERIES, side: 'SLOW', price: 5000, qty: 3, tif: 'GTC', postOnly: false });
    r.run({ type: 'BdcPlaceOrder', account: A1, series: SERIES, side: 'FAST', price: 5000, qty: 1, tif: 'GTC', postOnly: false });
    r.run({ type: 'ForwardPlaceOrder', account: A2, market: 'FWD-30D', side: 'sell', price: 150_000, qty: 10_000 });
    r.run({ type: 'VaultDeposit', account: A1, amountSat: BTC });
    const pos = bdcPositionsOf(r.ex, A1)[0].positionId;
    r.run({ type: 'OfferPosition', account: A2, product: 'bdc', positionId: bdcPositionsOf(r.ex, A2)[0].positionId, priceMsat: '1000' });

    const key = r.apiKeys.create(A1, 'fuzz', ['trade', 'read'], r.clock.t);
    const hmac: Credentials = { kind: 'apiKey', keyId: key.keyId, secret: key.secret };
    const admin = r.apiKeys.create(A2, 'op', ['admin' as 'read'], r.clock.t);
    const adminKey: Credentials = { kind: 'apiKey', keyId: admin.keyId, secret: admin.secret };
    const state = () => r.ex.stateHash() + JSON.stringify([...r.apiKeys.list(A1), ...r.apiKeys.list(A2)].map((k) => k.keyId));

    const expiry = TIP + 1_000;
    // [method, path template, a good body or query]
    const ROUTES: readonly [string, string, unknown][] = [
      ['GET', '/v1/forwards/markets', undefined],
      ['GET', '/v1/forwards/{m}/book', undefined],
      ['POST', '/v1/forwards/quote', { market: 'FWD-90D', qtyLots: 1_000_000, priceSatPerPHDay: 105_000, taker: 'investor' }],
      ['POST', '/v1/forwards/orders', { market: 'FWD-30D', side: 'buy', price: 140_000, qty: 10_000 }],
      ['DELETE', '/v1/forwards/orders/{id}', undefined],
      ['GET', '/v1/forwards/contracts', undefined],
      ['POST', '/v1/forwards/auto-delivery', { enabled: true }],
      ['POST', '/v1/forwards/delivery-report', { contractId: 1, day: 0, receivedMsat: '1000' }],
      ['POST', '/v1/forwards/rollover', { contractId: 1, market: 'FWD-30D', price: 100_000, with: 'book' }],
      ['GET', '/v1/options/quote', { optionType: 'call', strike: 160_000, expiryHeight: expiry, lots: 10 }],
      ['POST', '/v1/options/buy', { optionType: 'put', strike: 160_000, expiryHeight: expiry, lots: 10 }],
      ['GET', '/v1/options', undefined],
      ['GET', '/v1/vault', undefined],
      ['GET', '/v1/vault/me', undefined],
      ['POST', '/v1/vault/deposit', { amountSat: 10_000 }],
      ['POST', '/v1/vault/withdraw', { shares: '1000' }],
      ['POST', '/v1/vault/trade', { market: 'HPI-PERP', side: 'buy', qty: 10 }],
      ['GET', '/v1/bdc/series', undefined],
      ['GET', '/v1/bdc/series/{s}/book', undefined],
      ['POST', '/v1/bdc/series', { height: TIP + 40, deadline: T, payoutSat: 100_000 }],
      ['POST', '/v1/bdc/orders', { series: SERIES, side: 'FAST', price: 4000, qty: 1 }],
      ['DELETE', '/v1/bdc/orders/{id}', undefined],
      ['GET', '/v1/bdc/positions', undefined],
      ['GET', '/v1/bdc/contracts/{p}', undefined],
      ['GET', '/v1/bdc/contracts/{p}/exit-package', undefined],
      ['GET', '/v1/swaps/offers', undefined],
      ['POST', '/v1/swaps/offers', { product: 'bdc', positionId: pos, priceMsat: '5000' }],
      ['DELETE', '/v1/swaps/offers/{id}', undefined],
      ['POST', '/v1/swaps/offers/{id}/accept', undefined],
      ['GET', '/v1/account/history', undefined],
      ['GET', '/v1/account/portfolio', undefined],
    ];

    const weird = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('FWD-30D', 'FWD-7D', SERIES, `${SERIES}#1`, pos, '1', '2', '3', '0', '-1', '%00', '%23', '%E0%A4%A', '..', 'a'.repeat(200), '😀', '1e3', 'null', '9007199254740993'),
      fc.integer().map(String),
    );
    const param = fc.oneof(weird, fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'));
    const value = fc.oneof(
      fc.integer({ min: -5, max: 2_000_000_000 }), fc.constantFrom(0, 1, 9999, 10_000, 1e12, 2 ** 53, -0, 0.5, 1e300), fc.double(), fc.boolean(),
      fc.constant(null), weird, fc.constantFrom('FAST', 'SLOW', 'buy', 'sell', 'miner', 'investor', 'call', 'put', 'book', 'counterparty', 'bdc', 'perp', 'forward', 'options', 'GTC', 'IOC', 'FOK', '-5', '0', '123456789012345678901234567890'),
      fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }),
    );
    /** The route's good body with one field changed, dropped, or one extra field. */
    const perturb = (good: unknown) =>
      fc.tuple(fc.nat(), value, fc.constantFrom('change', 'drop', 'extra', 'keep', 'keep')).map(([i, v, how]) => {
        if (good === undefined || typeof good !== 'object') return good;
        const o: Record<string, unknown> = { ...(good as Record<string, unknown>) };
        const keys = Object.keys(o);
        const k = keys[i % keys.length];
        if (how === 'change') o[k] = v;
        else if (how === 'drop') delete o[k];
        else if (how === 'extra') o[['tif', 'postOnly', 'qty', 'clientOrderId', 'limitPrice', 'expiresAtHeight', 'zzz', '__proto__'][i % 8]] = v;
        return o;
      });
    const query = fc.array(fc.tuple(fc.constantFrom('levels', 'market', 'series', 'limit', 'before', 'status', 'product', 'optionType', 'strike', 'expiryHeight', 'lots', 'x'), fc.oneof(value.map(String), weird)), { maxLength: 4 })
      .map((kv) => (kv.length ? '?' + kv.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&') : ''));
    const toQuery = (o: unknown) => (o === undefined || typeof o !== 'object' || o === null ? '' : '?' + Object.entries(o as Record<string, unknown>).map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`).join('&'));

    type AuthKind = 'none' | 'junk' | 'hmac' | 'hmacStale' | 'admin' | 'schnorrOther';
    const request = fc.record({
      route: fc.nat(ROUTES.length - 1),
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH') }),
      param,
      good: fc.constantFrom(true, true, true, false),
      bodySeed: fc.oneof({ weight: 10, arbitrary: fc.constant<'perturb'>('perturb') }, { weight: 1, arbitrary: fc.constant<'json'>('json') }, { weight: 1, arbitrary: fc.constant<'raw'>('raw') }),
      json: fc.jsonValue({ maxDepth: 2 }),
      raw: fc.constantFrom('{"market":', '[', 'null', '\u0000', '{"__proto__":{"x":1}}', 'x'.repeat(70_000), ''),
      pert: fc.nat(),
      pval: value,
      how: fc.constantFrom('change', 'drop', 'extra', 'keep', 'keep'),
      query,
      contentType: fc.oneof({ weight: 12, arbitrary: fc.constant<string | undefined>('application/json') }, { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, 'text/plain') }),
      auth: fc.oneof(
        { weight: 12, arbitrary: fc.constant<AuthKind>('hmac') },
        { weight: 3, arbitrary: fc.constant<AuthKind>('none') },
        { weight: 2, arbitrary: fc.constantFrom<AuthKind>('junk', 'hmacStale', 'admin') },
        { weight: 1, arbitrary: fc.constant<AuthKind>('schnorrOther') },
      ),
    });

    const statuses = new Map<number, number>();
    let refused = 0;
    const seq0 = r.seq();
    await fc.assert(
      fc.asyncProperty(request, async (q) => {
        const [defMethod, template, good] = ROUTES[q.route];
        const method = q.method ?? defMethod;
        const p = encodeURIComponent(q.param);
        let url = template.replace('{m}', q.good ? 'FWD-30D' : p).replace('{s}', q.good ? SERIES : p).replace('{p}', q.good ? encodeURIComponent(pos) : p).replace('{id}', p);
        let payload: string | undefined;
        if (defMethod === 'GET' && good !== undefined) {
          const g = fc.sample(perturb(good), { numRuns: 1, seed: q.pert })[0];
          url += q.good ? toQuery(g) : q.query;
        } else {
          url += q.good ? '' : q.query;
          if (q.bodySeed === 'json') payload = JSON.stringify(q.json);
          else if (q.bodySeed === 'raw') payload = q.raw;
          else if (good !== undefined) {
            const o: Record<string, unknown> = { ...(good as Record<string, unknown>) };
            const keys = Object.keys(o);
            const k = keys[q.pert % keys.length];
            if (q.how === 'change') o[k] = q.pval;
            else if (q.how === 'drop') delete o[k];
            else if (q.how === 'extra') o[['tif', 'postOnly', 'clientOrderId', 'limitPrice', 'expiresAtHeight', 'zzz'][q.pert % 6]] = q.pval;
            payload = JSON.stringify(o);
          }
        }
        const headers: Record<string, string> = {};
        if (payload !== undefined && q.contentType !== undefined) headers['content-type'] = q.contentType;
        const sign = (c: Credentials, ts = r.clock.t) => Object.assign(headers, authHeaders(c, { method, path: url, body: payload, timestampMs: ts, nonce: newNonce() }));
        if (q.auth === 'hmac') sign(hmac);
        else if (q.auth === 'hmacStale') sign(hmac, r.clock.t - 31_000);
        else if (q.auth === 'admin') sign(adminKey);
        else if (q.auth === 'schnorrOther') sign(C2);
        else if (q.auth === 'junk') Object.assign(headers, { 'x-hp-key': q.param.replace(/[^\x20-\x7e]/g, ''), 'x-hp-timestamp': String(r.clock.t), 'x-hp-nonce': 'abcdefgh12', 'x-hp-signature': 'ab'.repeat(32) });

        const before = state();
        const res = await r.app.inject({ method: method as 'GET', url, headers, payload });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) throw new Error(`5xx for ${method} ${url} ${payload ?? ''}: ${res.body}`);
        if (res.statusCode >= 400) {
          refused++;
          if (state() !== before) throw new Error(`refused ${method} ${url} ${payload ?? ''} (${res.statusCode}) changed state: ${res.body}`);
          const e = res.json().error;
          if (typeof e?.code !== 'string' || typeof e?.message !== 'string') throw new Error(`non-JSON error for ${method} ${url}: ${res.body}`);
        }
        r.clock.t += 3;
      }),
      { numRuns: RUNS, seed: 20261121 },
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log('products fuzz statuses', Object.fromEntries(statuses), 'commands submitted', r.seq() - seq0);
    expect(total).toBe(RUNS);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(600); // handlers reached, not only the front door
    expect(r.seq() - seq0).toBeGreaterThan(200); // commands reached the engine (accepted or refused there)
    for (const s of [400, 401, 403, 404, 422]) expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(500);
  });
});
