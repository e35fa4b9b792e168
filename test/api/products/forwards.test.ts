import { describe, expect, it, vi } from 'vitest';
import { signRolloverConsent } from '../../../src/client/products-client.js';
import { A1, A2, C1, C2, TIP, productsRig } from './rig.js';
import { SK1, SK2 } from '../helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
const BTC = 100_000_000;

describe('forward routes', () => {
  it('quote: LOKA’s example (100 TH/s × 90 d × 105,000 sat/PH/day) by hand', async () => {
    const r = await productsRig();
    const res = await r.req(undefined, 'POST', '/v1/forwards/quote', { market: 'FWD-90D', qtyLots: 1_000_000, priceSatPerPHDay: 105_000, taker: 'investor' });
    expect(res.statusCode).toBe(200);
    const q = res.json();
    // 100 TH/s = 0.1 PH/s; 0.1 × 105,000 × 90 = 945,000 sat = 945,000,000 msat; collateral 110 %.
    expect(q.contractValueMsat).toBe('945000000');
    expect(q.collateralMsat).toBe('1039500000');
    expect(q.takerFeeMsat).toBe('1890000'); // 0.2 %
    expect(q.investorPaysMsat).toBe('946890000');
    expect(q.upfrontToMinerMsat).toBe('945000000');
    expect(q.dailyReleaseMsat).toBe('11550000'); // 1,039,500,000 / 90
    expect(q.capitalEfficiency).toBeCloseTo(1 / 1.1, 12);
    expect(q.height).toBe(TIP);
    // Expected rewards at the index: 0.1 PH/s × index × 90 days, less the 0.5 % delivery fee.
    const gross = Math.floor((1_000_000 * q.indexSatPerPHDay) / 10_000) * 90;
    expect(Number(q.expectedDeliveredMsat)).toBe(gross - Math.floor(gross * 0.005));
    // Miner taking: receives value less the fee.
    const m = (await r.req(undefined, 'POST', '/v1/forwards/quote', { market: 'FWD-90D', qtyLots: 1_000_000, priceSatPerPHDay: 105_000, taker: 'miner' })).json();
    expect(m.upfrontToMinerMsat).toBe('943110000');
    // Refusals are 400s naming the field.
    const bad = await r.req(undefined, 'POST', '/v1/forwards/quote', { market: 'FWD-7D', qtyLots: 1, priceSatPerPHDay: 1, taker: 'miner' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('body.market');
  });

  it('markets, orders, a fill into a contract, cancel refusals, contracts view, daily report', async () => {
    const r = await productsRig();
    r.run({ type: 'Deposit', account: A1, amountSat: BTC }, { type: 'Deposit', account: A2, amountSat: BTC });
    const mk = (await r.req(undefined, 'GET', '/v1/forwards/markets')).json();
    expect(mk.markets.map((m: { market: string }) => m.market)).toEqual(['FWD-30D', 'FWD-90D', 'FWD-180D', 'FWD-365D']);
    for (const m of mk.markets) expect(m.fairPriceSatPerPHDay).toBeGreaterThan(0);

    // The miner (A1) offers 100 TH/s for 90 days; its 110 % collateral is escrowed.
    const ask = await r.req(C1, 'POST', '/v1/forwards/orders', { market: 'FWD-90D', side: 'sell', price: 105_000, qty: 1_000_000 });
    expect(ask.statusCode).toBe(200);
    expect(ask.json()).toMatchObject({ status: 'open', filled: 0, remaining: 1_000_000, lockedMsat: '1039500000' });
    const orderId = ask.json().orderId;
    const book = (await r.req(undefined, 'GET', '/v1/forwards/FWD-90D/book')).json();
    expect(book.asks).toEqual([{ price: 105_000, size: 1_000_000 }]);
    expect((await r.req(undefined, 'GET', '/v1/forwards/markets')).json().markets[1].bestAsk).toBe(105_000);

    // Another account cannot cancel it: 404, nothing journaled, state unchanged.
    const h0 = r.ex.stateHash();
    const seq0 = r.seq();
    const steal = await r.req(C2, 'DELETE', `/v1/forwards/orders/${orderId}`);
    expect(steal.statusCode).toBe(404);
    expect(steal.json().error.code).toBe('unknown_order');
    expect(r.ex.stateHash()).toBe(h0);
    expect(r.seq()).toBe(seq0);

    // A bid below the minimum size is the engine's refusal, passed through as a 4xx with its field.
    const small = await r.req(C2, 'POST', '/v1/forwards/orders', { market: 'FWD-90D', side: 'buy', price: 105_000, qty: 10 });
    expect(small.statusCode).toBe(400);
    expect(small.json().error).toMatchObject({ code: 'invalid_argument', field: 'body.qty' });
    expect(r.ex.stateHash()).toBe(h0);

    // The investor (A2) takes it: one contract; A2 pays value + 0.2 %, A1 gets the value.
    const bid = await r.req(C2, 'POST', '/v1/forwards/orders', { market: 'FWD-90D', side: 'buy', price: 106_000, qty: 1_000_000 });
    expect(bid.statusCode).toBe(200);
    expect(bid.json()).toMatchObject({ status: 'filled', filled: 1_000_000, remaining: 0, takerFeeMsat: '1890000' });
    const [contractId] = bid.json().contractIds;
    const p1 = (await r.req(C1, 'GET', '/v1/account/portfolio')).json();
    const p2 = (await r.req(C2, 'GET', '/v1/account/portfolio')).json();
    expect(BigInt(p2.balances.balanceMsat)).toBe(BigInt(BTC) * 1000n - 946_890_000n);
    expect(BigInt(p1.balances.balanceMsat)).toBe(BigInt(BTC) * 1000n + 945_000_000n - 1_039_500_000n);
    expect(p1.forwards.contracts[0]).toMatchObject({ contractId, roles: ['miner'], qtyLots: 1_000_000, price: 105_000, days: 90, collateral: { lockedMsat: '1039500000', remainingMsat: '1039500000' } });

    const c2 = (await r.req(C2, 'GET', '/v1/forwards/contracts')).json();
    expect(c2.contracts).toHaveLength(1);
    expect(c2.contracts[0]).toMatchObject({ contractId, roles: ['investor'], daysEnded: 0, daysDelivered: 0 });
    expect((await r.req(C1, 'POST', '/v1/forwards/auto-delivery', { enabled: false })).json().enabled).toBe(false);

    // Day 0: blocks start+0 .. start+143 (start = the fill's next block). It then awaits the investor's report.
    const start = c2.contracts[0].startHeight;
    expect(start).toBe(TIP + 1);
    for (let h = TIP + 1; h <= start + 143; h++) r.block(h);
    const awaiting = (await r.req(C2, 'GET', '/v1/forwards/contracts')).json().contracts[0];
    expect(awaiting).toMatchObject({ daysEnded: 1, daysAwaitingReport: 1 });
    const obligation = BigInt(awaiting.history[0].obligationMsat);
    // All 144 blocks of the day are one epoch (830,001..830,144 < 830,592 is no retarget), so the mean is the index.
    expect(obligation).toBe((1_000_000n * BigInt(r.ex.productContext(0).chain.index!)) / 10_000n);
    // The miner may not report for the investor.
    const wrong = await r.req(C1, 'POST', '/v1/forwards/delivery-report', { contractId, day: 0, receivedMsat: obligation.toString() });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('not_owner');
    const half = obligation / 2n;
    const rep = await r.req(C2, 'POST', '/v1/forwards/delivery-report', { contractId, day: 0, receivedMsat: half.toString() });
    expect(rep.statusCode).toBe(200);
    expect(rep.json().outcome).toBe('partial');
    const after = (await r.req(C1, 'GET', '/v1/forwards/contracts')).json().contracts[0];
    expect(after).toMatchObject({ daysPartial: 1, daysAwaitingReport: 0 });
    // Day 0 was short: LOKA releases the whole tranche (collateral / 90) to the investor; nothing to the miner,
    // which keeps the rewards of the half it delivered (they go back to it from the investor).
    const tranche = 1_039_500_000n / 90n;
    expect(BigInt(after.collateral.releasedMsat)).toBe(tranche);
    expect(BigInt(after.collateral.toMinerMsat)).toBe(0n);
    const again = await r.req(C2, 'POST', '/v1/forwards/delivery-report', { contractId, day: 0, receivedMsat: '1' });
    expect(again.json().error.code).toBe('already_settled');

    // History shows the fill, the contract, the delivery for both sides.
    const hist = (await r.req(C2, 'GET', '/v1/account/history?limit=500')).json().entries;
    const kinds = new Set(hist.map((e: { kind: string }) => e.kind));
    for (const k of ['transfer', 'fill', 'position', 'delivery']) expect(kinds.has(k), k).toBe(true);
    for (let i = 1; i < hist.length; i++) expect(hist[i].id).toBeLessThan(hist[i - 1].id);
  });

  it('rollover: too early before the final day; with the counterparty only on the investor’s signature over the terms', async () => {
    const r = await productsRig();
    r.run({ type: 'Deposit', account: A1, amountSat: BTC }, { type: 'Deposit', account: A2, amountSat: BTC });
    const none = await r.req(C1, 'POST', '/v1/forwards/rollover', { contractId: 99, market: 'FWD-30D', price: 100, with: 'book' });
    expect([none.statusCode, none.json().error.code]).toEqual([404, 'unknown_contract']);
    await r.req(C1, 'POST', '/v1/forwards/auto-delivery', { enabled: true });
    await r.req(C1, 'POST', '/v1/forwards/orders', { market: 'FWD-30D', side: 'sell', price: 150_000, qty: 10_000 });
    const contractId = (await r.req(C2, 'POST', '/v1/forwards/orders', { market: 'FWD-30D', side: 'buy', price: 150_000, qty: 10_000 })).json().contractIds[0];
    const early = await r.req(C1, 'POST', '/v1/forwards/rollover', { contractId, market: 'FWD-30D', price: 140_000, with: 'book' });
    expect([early.statusCode, early.json().error.code]).toEqual([422, 'too_early']);
    // Final day: blocks start + 144 × 29 onwards (synthetic blocks past the shipped headers, the index held).
    const start = TIP + 1;
    r.syntheticBlocks(TIP + 1, start + 144 * 29);
    const terms = { contractId, market: 'FWD-30D', price: 140_000 };
    const noConsent = await r.req(C1, 'POST', '/v1/forwards/rollover', { ...terms, with: 'counterparty' });
    expect([noConsent.statusCode, noConsent.json().error.field]).toEqual([400, 'body.investorConsent']);
    const h0 = r.ex.stateHash();
    // Signed by the wrong key (the miner itself), or by the investor over other terms: refused, nothing changes.
    const byMiner = signRolloverConsent(SK1, terms, r.clock.t, 'nonce-0001');
    expect((await r.req(C1, 'POST', '/v1/forwards/rollover', { ...terms, with: 'counterparty', investorConsent: byMiner })).statusCode).toBe(403);
    const otherTerms = signRolloverConsent(SK2, { ...terms, price: 145_000 }, r.clock.t, 'nonce-0002');
    expect((await r.req(C1, 'POST', '/v1/forwards/rollover', { ...terms, with: 'counterparty', investorConsent: otherTerms })).json().error.code).toBe('bad_consent');
    const stale = signRolloverConsent(SK2, terms, r.clock.t - 3_600_000, 'nonce-0003');
    expect((await r.req(C1, 'POST', '/v1/forwards/rollover', { ...terms, with: 'counterparty', investorConsent: stale })).json().error.code).toBe('stale_consent');
    expect(r.ex.stateHash()).toBe(h0);
    const ok = await r.req(C1, 'POST', '/v1/forwards/rollover', { ...terms, with: 'counterparty', investorConsent: signRolloverConsent(SK2, terms, r.clock.t, 'nonce-0004') });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().toContractIds).toHaveLength(1);
    const next = (await r.req(C2, 'GET', '/v1/forwards/contracts')).json().contracts.find((k: { contractId: number }) => k.contractId === ok.json().toContractIds[0]);
    // The next contract starts exactly at the old one's end: same parties, the new price, no gap.
    expect(next).toMatchObject({ miner: A1, investor: A2, price: 140_000, qtyLots: 10_000, days: 30, startHeight: start + 144 * 30, rolledFrom: contractId });
    const twice = await r.req(C1, 'POST', '/v1/forwards/rollover', { ...terms, with: 'counterparty', investorConsent: signRolloverConsent(SK2, terms, r.clock.t, 'nonce-0005') });
    expect([twice.statusCode, twice.json().error.code]).toEqual([422, 'not_allowed']);
  });
});
