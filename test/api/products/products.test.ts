import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it, vi } from 'vitest';
import { keyPairFromSecret } from '../../../src/bitcoin/keys.js';
import { NETWORKS } from '../../../src/bitcoin/networks.js';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo } from '../../../src/bitcoin/vtxo-scripts.js';
import { bdcPositionsOf } from '../../../src/engine/products/bdc/index.js';
import { optionsOf, quoteOption, quoteTipOf } from '../../../src/engine/products/options/index.js';
import { vaultPositionOf } from '../../../src/engine/products/vault/index.js';
import type { Credentials } from '../../../src/api/auth/message.js';
import { A1, A2, C1, C2, EXIT_DELAY, OPERATOR_SECRET, TIP, chain, productsRig, type ProductsRig } from './rig.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
const BTC = 100_000_000;

function adminKey(r: ProductsRig): Credentials {
  // 'admin' is the operator's own scope, outside the public key API's read/trade.
  const rec = r.apiKeys.create(A1, 'operator', ['admin' as 'read'], r.clock.t);
  return { kind: 'apiKey', keyId: rec.keyId, secret: rec.secret };
}

async function listSeries(r: ProductsRig, height: number, deadline: number): Promise<string> {
  const res = await r.req(adminKey(r), 'POST', '/v1/bdc/series', { height, deadline, payoutSat: 100_000 });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().series;
}

describe('options routes', () => {
  it('quote = the edge quote maker’s at the engine tip; buy submits it; the account sees its option', async () => {
    const r = await productsRig();
    r.run({ type: 'FundSystem', account: 'vault', amountSat: 10 * BTC }, { type: 'Deposit', account: A1, amountSat: BTC });
    const expiry = TIP + 1_000;
    const q = await r.req(undefined, 'GET', `/v1/options/quote?optionType=call&strike=50000&expiryHeight=${expiry}&lots=100`);
    expect(q.statusCode, q.body).toBe(200);
    const body = q.json();
    const ref = quoteOption(quoteTipOf(r.ex)!, { account: 'x', optionType: 'call', strike: 50_000, expiryHeight: expiry, lots: 100 });
    expect(body.premiumMsat).toBe(ref.premiumMsat.toString());
    expect(body.modelMsat).toBe(ref.modelMsat.toString());
    expect(body.mu).toBe(ref.model.mu);
    expect(body.sigma).toBe(ref.model.sigma);
    expect(body.sigma).toBeGreaterThan(0);
    // The window behind μ and σ is shown with the quote and listed with the product's parameters.
    expect(body.windowDays).toBe(28);
    expect(body.estimation.window.points).toBeLessThanOrEqual(28);
    const params = await r.req(undefined, 'GET', '/v1/options/parameters');
    expect(params.statusCode, params.body).toBe(200);
    expect(params.json()).toMatchObject({ windowDays: 28, windowDaysMin: 7, windowDaysMax: 3650, windowDaysDefault: 28 });
    expect(body.basis).toMatchObject({ height: TIP, index: r.ex.productContext(0).chain.index });
    expect(body.expiryUtc).toMatch(/^2024-0[2-3]-/); // 830,000 was mined on 2024-02-13; +1000 blocks ≈ 7 days
    // ask = ceil(model × 1.01)
    expect(BigInt(body.premiumMsat)).toBe((BigInt(body.modelMsat) * 10_100n + 9_999n) / 10_000n);

    const soon = await r.req(undefined, 'GET', `/v1/options/quote?optionType=put&strike=50000&expiryHeight=${TIP + 100}&lots=1`);
    expect(soon.statusCode).toBe(422);
    expect(soon.json().error.code).toBe('expiry_too_soon');

    const buy = await r.req(C1, 'POST', '/v1/options/buy', { optionType: 'call', strike: 50_000, expiryHeight: expiry, lots: 100 });
    expect(buy.statusCode, buy.body).toBe(200);
    expect(buy.json().bought.premiumMsat).toBe(body.premiumMsat);
    const mine = (await r.req(C1, 'GET', '/v1/options')).json().options;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: buy.json().optionId, type: 'call', strike: '50000', lots: '100', status: 'open' });
    expect((await r.req(C2, 'GET', '/v1/options')).json().options).toEqual([]);
    expect(optionsOf(r.ex, A1)).toHaveLength(1);
  });
});

describe('vault routes', () => {
  it('deposit for shares at NAV, the LP’s view, a delayed withdrawal, a trade against the vault', async () => {
    const r = await productsRig();
    r.run({ type: 'Deposit', account: A1, amountSat: 2 * BTC }, { type: 'Deposit', account: A2, amountSat: BTC });
    const dep = await r.req(C1, 'POST', '/v1/vault/deposit', { amountSat: BTC });
    expect(dep.statusCode, dep.body).toBe(200);
    const me = (await r.req(C1, 'GET', '/v1/vault/me')).json();
    expect(me.shares).toBe(vaultPositionOf(r.ex, A1).shares.toString());
    expect(BigInt(me.valueMsat)).toBe(BigInt(BTC) * 1000n); // the only LP owns the whole NAV
    const v = (await r.req(undefined, 'GET', '/v1/vault')).json();
    expect(v).toMatchObject({ navMsat: String(BTC * 1000), totalShares: me.shares, pendingWithdrawals: [], exposure: [] });

    const tooMuch = await r.req(C1, 'POST', '/v1/vault/deposit', { amountSat: 5 * BTC });
    expect(tooMuch.statusCode).toBe(422);
    const trade = await r.req(C2, 'POST', '/v1/vault/trade', { market: 'HPI-PERP', side: 'buy', qty: 1000 });
    expect(trade.statusCode, trade.body).toBe(200);
    expect(trade.json().traded).toMatchObject({ side: 'buy', qty: 1000 });
    expect((await r.req(undefined, 'GET', '/v1/vault')).json().exposure).toMatchObject([{ market: 'HPI-PERP', qty: -1000 }]);
    const port = (await r.req(C2, 'GET', '/v1/account/portfolio')).json();
    expect(port.perp.positions).toMatchObject([{ market: 'HPI-PERP', qty: 1000 }]);
    expect(port.perp.positions[0].liquidationPrice).toBeNull(); // 1 BTC behind 1000 lots: no positive price liquidates it

    const w = await r.req(C1, 'POST', '/v1/vault/withdraw', { shares: '1000' });
    expect(w.statusCode, w.body).toBe(200);
    expect((await r.req(C1, 'GET', '/v1/vault/me')).json().pending).toMatchObject({ shares: '1000' });
    expect((await r.req(C2, 'POST', '/v1/vault/withdraw', { shares: '1' })).statusCode).toBe(422);
  });

  it('liquidation price: the mark where equity meets maintenance margin (hand check)', async () => {
    const r = await productsRig();
    r.run({ type: 'Deposit', account: A1, amountSat: 10 * BTC }, { type: 'Deposit', account: A2, amountSat: 1_000_000 });
    // A2 (0.01 BTC) buys ~7.5× its equity from the vault: 45,000 lots at ~167,000 sat/PH/day.
    r.run({ type: 'VaultDeposit', account: A1, amountSat: 5 * BTC });
    const res = await r.req(C2, 'POST', '/v1/vault/trade', { market: 'HPI-PERP', side: 'buy', qty: 45_000 });
    expect(res.statusCode, res.body).toBe(200);
    const pf = (await r.req(C2, 'GET', '/v1/account/portfolio')).json();
    const p = pf.perp.positions[0];
    const liq = p.liquidationPrice as number;
    expect(liq).toBeGreaterThan(0);
    // At price P: equity = E + q(P − mark), maintenance = q·P·5 %. At liq they meet (within one tick).
    const E = Number(pf.balances.equityMsat), q = p.qty, mark = p.mark;
    const gap = (P: number) => E + q * (P - mark) - q * P * 0.05;
    expect(gap(liq)).toBeLessThanOrEqual(0); // floor: at liq the margin is (just) breached
    expect(gap(liq + 1)).toBeGreaterThan(0);
    expect(liq).toBeLessThan(mark);
    expect(liq).toBeGreaterThan(mark * 0.8);
  });
});

describe('block-delta routes', () => {
  it('operator lists a series; FAST meets SLOW; positions; the contract document’s address is buildBlockDeltaVtxo’s; exit package download', async () => {
    const r = await productsRig();
    r.run({ type: 'Deposit', account: A1, amountSat: BTC }, { type: 'Deposit', account: A2, amountSat: BTC });
    const mtp = r.ex.productContext(0).chain.mtp;
    const H = TIP + 12, T = mtp + 3 * 3600;
    // Account keys that are not operators, and read/trade API keys, cannot list.
    expect((await r.req(C1, 'POST', '/v1/bdc/series', { height: H, deadline: T, payoutSat: 100_000 })).statusCode).toBe(403);
    const series = await listSeries(r, H, T);
    expect(series).toBe(`BDC-${H}-${T}`);

    const list = (await r.req(undefined, 'GET', '/v1/bdc/series')).json();
    expect(list.series).toHaveLength(1);
    const s = list.series[0];
    expect(s).toMatchObject({ series, height: H, deadline: T, deadlineIso: new Date(T * 1000).toISOString(), payoutSat: 100_000, status: 'open', bestBid: null });
    expect(s.fairBps).toBeGreaterThanOrEqual(1);
    expect(s.fairBps).toBeLessThanOrEqual(9999);

    const fast = await r.req(C1, 'POST', '/v1/bdc/orders', { series, side: 'FAST', price: 6000, qty: 2, clientOrderId: 'f1' });
    expect(fast.statusCode, fast.body).toBe(200);
    expect(fast.json()).toMatchObject({ status: 'open', remaining: 2 });
    const book = (await r.req(undefined, 'GET', `/v1/bdc/series/${series}/book`)).json();
    expect(book.bids).toEqual([{ price: 6000, size: 2 }]);
    // A2 cannot cancel A1's order.
    const h0 = r.ex.stateHash();
    expect((await r.req(C2, 'DELETE', `/v1/bdc/orders/${fast.json().orderId}?series=${series}`)).statusCode).toBe(404);
    expect(r.ex.stateHash()).toBe(h0);
    const slow = await r.req(C2, 'POST', '/v1/bdc/orders', { series, side: 'SLOW', price: 5900, qty: 2 });
    expect(slow.json()).toMatchObject({ status: 'filled', filled: 2 });
    expect(slow.json().positionIds).toHaveLength(1);

    const pos1 = (await r.req(C1, 'GET', '/v1/bdc/positions')).json().positions;
    expect(pos1).toHaveLength(1);
    expect(pos1[0]).toMatchObject({ side: 'FAST', contracts: 2, amountSat: 200_000, contract: { status: 'awaiting-key', funded: false } });
    // FAST holder: exit by T − (d 144 + k 13) × 600 − 3600 = T − 97,800 s; d from the contract, k assumed before batching.
    expect(pos1[0].exit).toMatchObject({
      exitDelayBlocks: 144, exitDelaySource: 'contract', unrollTxs: 13, unrollTxsSource: expect.stringMatching(/^assumed/),
      latestStart: { kind: 'time', time: T - 97_800, estimate: true }, metastability: expect.stringContaining('first confirmed claim wins'),
    });
    const positionId: string = pos1[0].positionId;
    expect(positionId).toContain('#');

    const url = `/v1/bdc/contracts/${encodeURIComponent(positionId)}`;
    // Only the holder reads the document (signed); another account gets the 404 of a missing position.
    expect((await r.req(C2, 'GET', url)).statusCode).toBe(404);
    expect((await r.req(undefined, 'GET', url)).statusCode).toBe(401);
    // Before the holder registers its contract key (its Ark wallet's, not the API key) there is no contract to build.
    expect((await r.req(C1, 'GET', url)).json()).toMatchObject({ positionId, account: A1, status: 'awaiting-key', funded: false, terms: { user: null } });
    const U = hex.encode(schnorr.getPublicKey(schnorr.utils.randomSecretKey()));
    expect((await r.req(C1, 'POST', '/v1/bdc/contract-key', { key: 'zz' })).statusCode).toBe(400);
    expect((await r.req(C1, 'POST', '/v1/bdc/contract-key', { key: U })).statusCode).toBe(200);
    expect((await r.req(C1, 'GET', '/v1/bdc/contract-key')).json()).toEqual({ key: U });
    await r.contracts.settled();
    const doc = (await r.req(C1, 'GET', url)).json();
    const S = keyPairFromSecret(hex.decode(OPERATOR_SECRET));
    const vtxo = buildBlockDeltaVtxo({ user: hex.decode(U), operator: S.publicKey, userSide: 'FAST', targetHeight: H, deadline: T, exitDelay: EXIT_DELAY });
    const expected = exportBlockDeltaVtxo(vtxo, NETWORKS.regtest);
    expect(doc.vtxo.address).toBe(expected.address);
    expect(doc.vtxo.leaves).toHaveLength(3);
    // This rig has no Ark operator: the desk could not fund it and says why.
    expect(doc).toMatchObject({ positionId, account: A1, status: 'unfunded', funded: false, open: true, terms: { side: 'FAST', targetHeight: H, deadline: T, contracts: 2, amountSat: 200_000, user: U } });
    expect(doc.reason).toMatch(/liquidity|Ark operator/);

    // No contract VTXO, no exit data; another account still gets the 404 of a missing position.
    const early = await r.req(C1, 'GET', url + '/exit-package');
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('not_batched');
    expect((await r.req(C2, 'GET', url + '/exit-package')).statusCode).toBe(404);
    expect((await r.req(C1, 'GET', `/v1/bdc/contracts/${encodeURIComponent(series + '#999')}`)).statusCode).toBe(404);

    // The chain reaches H before T: FAST wins; the series reports its outcome.
    for (let h = TIP + 1; h <= H; h++) r.block(h);
    const settled = (await r.req(undefined, 'GET', '/v1/bdc/series')).json().series[0];
    expect(settled).toMatchObject({ status: 'settled', winner: 'FAST', decidedAtHeight: H, fairBps: 10_000 });
    const hist = (await r.req(C1, 'GET', '/v1/account/history')).json().entries;
    expect(hist.some((e: { event: string; data: { won: boolean } }) => e.event === 'BdcPositionSettled' && e.data.won)).toBe(true);
  });
});

describe('swap routes', () => {
  it('offer a BDC position; another account cannot cancel it; accept moves the position and the payment', async () => {
    const r = await productsRig();
    r.run({ type: 'Deposit', account: A1, amountSat: BTC }, { type: 'Deposit', account: A2, amountSat: BTC }, { type: 'Deposit', account: 'mm', amountSat: BTC });
    const mtp = r.ex.productContext(0).chain.mtp;
    const series = await listSeries(r, TIP + 50, mtp + 24 * 3600);
    r.run({ type: 'BdcPlaceOrder', account: 'mm', series, side: 'SLOW', price: 5000, qty: 1, tif: 'GTC', postOnly: false });
    await r.req(C1, 'POST', '/v1/bdc/orders', { series, side: 'FAST', price: 5000, qty: 1 });
    const [pos] = bdcPositionsOf(r.ex, A1);
    const offer = await r.req(C1, 'POST', '/v1/swaps/offers', { product: 'bdc', positionId: pos.positionId, priceMsat: '60000000' });
    expect(offer.statusCode, offer.body).toBe(200);
    const offerId = offer.json().offerId;
    const board = (await r.req(undefined, 'GET', '/v1/swaps/offers')).json().offers;
    expect(board).toMatchObject([{ id: offerId, maker: A1, product: 'bdc', positionId: pos.positionId, priceMsat: '60000000', status: 'open' }]);

    const h0 = r.ex.stateHash();
    expect((await r.req(C2, 'DELETE', `/v1/swaps/offers/${offerId}`)).statusCode).toBe(404);
    expect(r.ex.stateHash()).toBe(h0);
    // The maker cannot take its own offer (engine refusal, state unchanged).
    const self = await r.req(C1, 'POST', `/v1/swaps/offers/${offerId}/accept`);
    expect(self.statusCode).toBeGreaterThanOrEqual(400);
    expect(self.statusCode).toBeLessThan(500);
    expect(r.ex.stateHash()).toBe(h0);

    const b1 = (await r.req(C1, 'GET', '/v1/account/portfolio')).json().balances.balanceMsat;
    const b2 = (await r.req(C2, 'GET', '/v1/account/portfolio')).json().balances.balanceMsat;
    const acc = await r.req(C2, 'POST', `/v1/swaps/offers/${offerId}/accept`);
    expect(acc.statusCode, acc.body).toBe(200);
    expect(bdcPositionsOf(r.ex, A1)).toEqual([]);
    expect(bdcPositionsOf(r.ex, A2).map((p) => p.positionId)).toEqual([pos.positionId]);
    const after1 = (await r.req(C1, 'GET', '/v1/account/portfolio')).json();
    const after2 = (await r.req(C2, 'GET', '/v1/account/portfolio')).json();
    expect(BigInt(after1.balances.balanceMsat) - BigInt(b1)).toBe(60_000_000n);
    expect(BigInt(b2) - BigInt(after2.balances.balanceMsat)).toBe(60_000_000n);
    expect(after2.bdc.positions[0].positionId).toBe(pos.positionId);
    // The contract service saw the transfer: the document now names A2.
    expect((await r.req(C2, 'GET', `/v1/bdc/contracts/${encodeURIComponent(pos.positionId)}`)).json().account).toBe(A2);
    expect((await r.req(C1, 'GET', `/v1/bdc/contracts/${encodeURIComponent(pos.positionId)}`)).statusCode).toBe(404);
    expect((await r.req(undefined, 'GET', '/v1/swaps/offers?status=accepted')).json().offers[0]).toMatchObject({ id: offerId, taker: A2 });
    const again = await r.req(C2, 'POST', `/v1/swaps/offers/${offerId}/accept`);
    expect(again.statusCode).toBe(409);
  });
});
