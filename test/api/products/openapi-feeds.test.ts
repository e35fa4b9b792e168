import { describe, expect, it, vi } from 'vitest';
import { productFeedEvents } from '../../../src/server/projections/feeds.js';
import { A1, A2, TIP, productsRig } from './rig.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

describe('product routes in the OpenAPI document', () => {
  it('every product path is documented with its method', async () => {
    const r = await productsRig();
    const doc = (await r.req(undefined, 'GET', '/openapi.json')).json();
    const expected: [string, string][] = [
      ['get', '/v1/forwards/markets'], ['get', '/v1/forwards/{market}/book'], ['post', '/v1/forwards/quote'], ['post', '/v1/forwards/orders'],
      ['delete', '/v1/forwards/orders/{orderId}'], ['get', '/v1/forwards/contracts'], ['post', '/v1/forwards/auto-delivery'],
      ['post', '/v1/forwards/delivery-report'], ['post', '/v1/forwards/rollover'], ['get', '/v1/options/quote'], ['post', '/v1/options/buy'],
      ['get', '/v1/options'], ['get', '/v1/vault'], ['get', '/v1/vault/me'], ['post', '/v1/vault/deposit'], ['post', '/v1/vault/withdraw'],
      ['post', '/v1/vault/trade'], ['get', '/v1/bdc/series'], ['get', '/v1/bdc/series/{series}/book'], ['post', '/v1/bdc/series'],
      ['post', '/v1/bdc/orders'], ['delete', '/v1/bdc/orders/{orderId}'], ['get', '/v1/bdc/positions'], ['get', '/v1/bdc/contracts/{positionId}'],
      ['get', '/v1/bdc/contracts/{positionId}/exit-package'], ['get', '/v1/swaps/offers'], ['post', '/v1/swaps/offers'],
      ['delete', '/v1/swaps/offers/{offerId}'], ['post', '/v1/swaps/offers/{offerId}/accept'], ['get', '/v1/account/history'], ['get', '/v1/account/portfolio'],
    ];
    for (const [m, p] of expected) expect(doc.paths[p]?.[m], `${m} ${p}`).toBeDefined();
    expect(doc.paths['/v1/forwards/orders'].post.security).toEqual([{ accountKey: [] }, { apiKey: [] }]);
  });
});

describe('before the first block', () => {
  it('public reads answer without a 5xx; index-dependent ones say 503 index_unavailable', async () => {
    const r = await productsRig({ noBlocks: true });
    for (const u of ['/v1/forwards/markets', '/v1/forwards/FWD-30D/book', '/v1/vault', '/v1/bdc/series', '/v1/swaps/offers']) {
      expect((await r.req(undefined, 'GET', u)).statusCode, u).toBe(200);
    }
    const q = await r.req(undefined, 'POST', '/v1/forwards/quote', { market: 'FWD-30D', qtyLots: 10_000, priceSatPerPHDay: 1000, taker: 'miner' });
    expect([q.statusCode, q.json().error.code]).toEqual([503, 'index_unavailable']);
    const o = await r.req(undefined, 'GET', `/v1/options/quote?optionType=put&strike=1000&expiryHeight=${TIP}&lots=1`);
    expect([o.statusCode, o.json().error.code]).toEqual([503, 'index_unavailable']);
    expect((await r.req(undefined, 'GET', '/v1/forwards/markets')).json().markets[0]).toMatchObject({ market: 'FWD-30D', fairPriceSatPerPHDay: null });
  });
});

describe('product feeds', () => {
  it('a forward fill: account messages for both parties, the forwards:<market> book and trade', async () => {
    const r = await productsRig();
    r.run({ type: 'Deposit', account: A1, amountSat: 100_000_000 }, { type: 'Deposit', account: A2, amountSat: 100_000_000 });
    r.run({ type: 'ForwardPlaceOrder', account: A1, market: 'FWD-30D', side: 'sell', price: 150_000, qty: 30_000 });
    const events = r.run({ type: 'ForwardPlaceOrder', account: A2, market: 'FWD-30D', side: 'buy', price: 150_000, qty: 10_000 });
    const feed = productFeedEvents(r.seq(), events, r.ex);
    const acct = (a: string) => feed.filter((f) => f.channel === 'account' && f.account === a).map((f) => (f.data as { type?: string }).type);
    expect(acct(A1)).toContain('ForwardContractOpened');
    expect(acct(A2)).toContain('ForwardContractOpened');
    expect(acct(A2)).toContain('ForwardFilled');
    expect(feed.find((f) => f.channel === 'forwards' && f.type === 'book')).toMatchObject({ market: 'FWD-30D', data: { seq: r.seq(), bids: [], asks: [{ price: 150_000, size: 20_000 }] } });
    expect(feed.find((f) => f.channel === 'forwards' && f.type === 'trade')).toMatchObject({ market: 'FWD-30D', data: { price: 150_000, qty: 10_000, takerSide: 'buy' } });
    // No ledger-internal names leak as accounts, and JSON is safe (no bigint).
    for (const f of feed) if (f.channel === 'account') expect(f.account).toMatch(/^[0-9a-f]{64}$/);
    expect(() => JSON.stringify(feed)).not.toThrow();
    // Block events of a contract day reach both parties too.
    let dayFeed: ReturnType<typeof productFeedEvents> = [];
    for (let h = TIP + 1; h <= TIP + 144; h++) {
      const ev = r.block(h);
      dayFeed = dayFeed.concat(productFeedEvents(r.seq(), ev, r.ex));
    }
    expect(dayFeed.filter((f) => f.channel === 'account' && (f.data as { type?: string }).type === 'ForwardDayAwaitingReport').map((f) => (f as { account: string }).account).sort()).toEqual([A1, A2].sort());
  });
});
