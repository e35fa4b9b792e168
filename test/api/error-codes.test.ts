/**
 * The error catalogue on the wire: /openapi.json lists every code, and the status the server sends
 * for representative refusals (gateway, engine through the exchange port, engine through a product
 * route) is the catalogue's.
 */
import { describe, expect, it, vi } from 'vitest';
import { bdcPositionsOf } from '../../src/engine/products/bdc/index.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/units/error-catalogue.js';
import { ACCOUNT1, ACCOUNT2, rig, signed } from './helpers.js';
import { A1, A2, C1, C2, TIP, productsRig, type ProductsRig } from './products/rig.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const BTC = 100_000_000;

type Res = { statusCode: number; body: string; json(): any };
/** The reply carries `code` with the catalogue's status for it. */
function expectRefusal(res: Res, code: ErrorCode): void {
  expect([res.statusCode, res.json().error?.code], res.body).toEqual([ERROR_CATALOGUE[code].status, code]);
}

describe('error codes in /openapi.json', () => {
  it('x-error-codes lists every catalogue code with its status, retryability and meaning; ErrorBody.code points there', async () => {
    const r = await rig();
    const doc = (await r.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc['x-error-codes']).sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    for (const [code, info] of Object.entries(ERROR_CATALOGUE)) expect(doc['x-error-codes'][code], code).toEqual(info);
    const refusal = doc.paths['/v1/orders'].post.responses['422'].content['application/json'].schema;
    expect(refusal.properties.error.properties.code.description).toContain('x-error-codes');
  });
});

describe('the status sent is the catalogue’s', () => {
  it('gateway refusals and engine refusals through the exchange port', async () => {
    const r = await rig();
    expectRefusal(await r.app.inject({ method: 'GET', url: '/v1/markets/NOPE-PERP/book' }), 'unknown_market');
    expectRefusal(await r.app.inject({ method: 'GET', url: '/v1/account' }), 'missing_credentials');
    expectRefusal(await r.app.inject({ method: 'GET', url: '/v1/no-such-route' }), 'not_found');
    expectRefusal(await r.app.inject({ method: 'PUT', url: '/v1/account' }), 'method_not_allowed');
    expectRefusal(await signed(r, ACCOUNT1, 'POST', '/v1/orders', { market: 'HPI-PERP', side: 'up', type: 'limit', price: 1, size: 1 }), 'validation_failed');
    const order = { market: 'HPI-PERP', side: 'sell', type: 'limit', price: 1, size: 1, postOnly: true } as const;
    expect((await signed(r, ACCOUNT1, 'POST', '/v1/orders', order)).statusCode).toBe(200);
    expectRefusal(await signed(r, ACCOUNT2, 'POST', '/v1/orders', { ...order, side: 'buy', price: 2 }), 'post_only_would_cross');
  });

  it('engine refusals through product routes (submitOrRefuse): not_owner is 403', async () => {
    const r: ProductsRig = await productsRig();
    expectRefusal(await r.req(undefined, 'GET', '/v1/bdc/series/BDC-1-1/book'), 'unknown_series');
    r.run({ type: 'Deposit', account: A1, amountSat: BTC }, { type: 'Deposit', account: A2, amountSat: BTC }, { type: 'Deposit', account: 'mm', amountSat: BTC });
    expectRefusal(await r.req(C2, 'POST', '/v1/vault/withdraw', { shares: '1' }), 'insufficient_balance');
    // A1 holds a BDC position and offers it twice; once A2 takes one offer, A1 no longer holds what the other sells.
    const mtp = r.ex.productContext(0).chain.mtp;
    const series = `BDC-${TIP + 50}-${mtp + 24 * 3600}`;
    r.run({ type: 'BdcListSeries', height: TIP + 50, deadline: mtp + 24 * 3600, payoutSat: 100_000 });
    r.run({ type: 'BdcPlaceOrder', account: 'mm', series, side: 'SLOW', price: 5000, qty: 1, tif: 'GTC', postOnly: false });
    expect((await r.req(C1, 'POST', '/v1/bdc/orders', { series, side: 'FAST', price: 5000, qty: 1 })).statusCode).toBe(200);
    const [pos] = bdcPositionsOf(r.ex, A1);
    const offer = async () => (await r.req(C1, 'POST', '/v1/swaps/offers', { product: 'bdc', positionId: pos.positionId, priceMsat: '60000000' })).json().offerId;
    const first = await offer();
    const second = await offer();
    expect((await r.req(C2, 'POST', `/v1/swaps/offers/${first}/accept`)).statusCode).toBe(200);
    expectRefusal(await r.req(C2, 'POST', `/v1/swaps/offers/${second}/accept`), 'not_owner');
  });
});
