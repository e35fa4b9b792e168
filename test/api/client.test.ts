import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accountCredentials, apiKeyCredentials, HashPerpApiError, HashPerpClient } from '../../src/client/client.js';
import { rig, type TestRig } from './helpers.js';

// vitest projects do not inherit the root testTimeout; these talk to servers on a shared, busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SK_HEX = '0000000000000000000000000000000000000000000000000000000000000003';
let r: TestRig;
let baseUrl: string;

beforeAll(async () => {
  r = await rig();
  baseUrl = await r.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await r.app.close();
});

describe('HashPerpClient over loopback HTTP', () => {
  it('reads public data with types matching the server', async () => {
    const c = new HashPerpClient({ baseUrl });
    expect((await c.health()).status).toBe('ok');
    expect((await c.markets()).map((m) => m.id)).toEqual(['HPI-PERP']);
    expect((await c.index({ height: 900002 })).height).toBe(900002);
    expect((await c.indexHistory({ from: 900000, to: 900003 })).map((v) => v.height)).toEqual([900000, 900001, 900002, 900003]);
    expect((await c.curve()).points).toHaveLength(4);
    expect((await c.bdcPrice(900050, 1_800_000_000)).targetHeight).toBe(900050);
    expect(await c.book('HPI-PERP', 5)).toMatchObject({ market: 'HPI-PERP', bids: [], asks: [] });
  });

  it('signs with the account key after correcting its clock, and with an API key it creates', async () => {
    // the client's clock is 10 minutes fast: without syncClock every signed call is stale
    const c = new HashPerpClient({ baseUrl, credentials: accountCredentials(SK_HEX), nowMs: () => r.clock.t + 600_000 });
    await expect(c.account()).rejects.toMatchObject({ status: 401, code: 'stale_timestamp' });
    expect(await c.syncClock()).toBeGreaterThan(-600_100);
    const acct = await c.account();
    expect(acct.account).toBe(c.accountId);
    expect(acct.account).toBe('f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9');

    const ack = await c.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: 47000, size: 3, clientOrderId: 'cli-1' });
    expect(ack).toMatchObject({ status: 'open', remaining: 3, clientOrderId: 'cli-1' });
    // a retry (new nonce, same client order id) returns the same order
    expect(await c.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: 47000, size: 3, clientOrderId: 'cli-1' })).toEqual(ack);

    const key = await c.createApiKey({ label: 'bot', scopes: ['trade', 'read'] });
    const bot = new HashPerpClient({ baseUrl, credentials: apiKeyCredentials(key.keyId, key.secret), nowMs: () => r.clock.t });
    expect((await bot.account()).orders.map((o) => o.orderId)).toEqual([ack.orderId]);
    expect((await bot.cancelOrder(ack.orderId)).status).toBe('cancelled');
    expect((await c.listApiKeys()).map((k) => k.keyId)).toEqual([key.keyId]);
    await c.revokeApiKey(key.keyId);
    await expect(bot.account()).rejects.toMatchObject({ status: 401, code: 'unknown_api_key' });
  });

  it('turns refusals into HashPerpApiError with status, code and field', async () => {
    const c = new HashPerpClient({ baseUrl, credentials: accountCredentials(SK_HEX), nowMs: () => r.clock.t });
    const err = await c.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', size: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HashPerpApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_argument', field: 'body.price' });
    await expect(c.index({ height: 1 })).rejects.toMatchObject({ status: 404, field: 'querystring.height' });
    await expect(new HashPerpClient({ baseUrl }).account()).rejects.toMatchObject({ code: 'invalid_argument', field: 'credentials' });
    expect(() => accountCredentials('xyz')).toThrow(/64 hex/);
  });
});
