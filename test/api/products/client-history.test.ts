import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { memoryDesk } from '../../operator/desk-fixture.js';
import { HashPerpClient, HashPerpApiError } from '../../../src/client/client.js';
import { ProductsClient } from '../../../src/client/products-client.js';
import { AccountHistory, rebuildHistory } from '../../../src/server/projections/history.js';
import { createProductsPort } from '../../../src/server/products-port.js';
import { EngineCore } from '../../../src/server/engine-host.js';
import { wireProducts } from '../../../src/server/products-wiring.js';
import { bdcPositionsOf } from '../../../src/engine/products/bdc/index.js';
import type { ProductFeedEvent } from '../../../src/server/projections/feeds.js';
import { openJournal } from '../../../src/journal/index.js';
import { confirmedBlockAt as blockCommandAt } from '../../../src/index/confirmed-block.js';
import { A1, A2, C1, C2, OPERATOR_SECRET, TIP, chain, productsRig } from './rig.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
const BTC = 100_000_000;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('ProductsClient over loopback HTTP', () => {
  it('signs, calls and types the product routes; refusals become HashPerpApiError', async () => {
    const r = await productsRig();
    r.run({ type: 'Deposit', account: A1, amountSat: BTC }, { type: 'Deposit', account: A2, amountSat: BTC });
    const baseUrl = await r.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const nowMs = () => r.clock.t;
      const miner = new ProductsClient(new HashPerpClient({ baseUrl, credentials: C1, nowMs }));
      const investor = new ProductsClient(new HashPerpClient({ baseUrl, credentials: C2, nowMs }));
      expect((await miner.forwardMarkets()).map((m) => m.days)).toEqual([30, 90, 180, 365]);
      const q = await miner.forwardQuote({ market: 'FWD-90D', qtyLots: 1_000_000, priceSatPerPHDay: 105_000, taker: 'investor' });
      expect(q.contractValueMsat).toBe('945000000');
      const ask = await miner.placeForwardOrder({ market: 'FWD-90D', side: 'sell', price: 105_000, qty: 10_000 });
      expect(ask.status).toBe('open');
      const err = await investor.cancelForwardOrder(ask.orderId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HashPerpApiError);
      expect((err as HashPerpApiError).status).toBe(404);
      await miner.cancelForwardOrder(ask.orderId, 'FWD-90D');
      expect((await miner.forwardBook('FWD-90D')).asks).toEqual([]);
      await investor.vaultDeposit(1_000_000);
      expect(BigInt((await investor.vaultMe()).valueMsat)).toBe(1_000_000_000n);
      const h = await investor.history({ limit: 2 });
      expect(h.entries).toHaveLength(2);
      const next = await investor.history({ limit: 100, before: h.nextBefore! });
      expect(next.entries[0].id).toBeLessThan(h.entries[1].id);
      expect((await investor.portfolio()).balances.balanceMsat).toBe(String((BTC - 1_000_000) * 1000));
      expect(await miner.swapOffers()).toEqual([]);
    } finally {
      await r.app.close();
    }
  });
});

describe('history projection', () => {
  it('is rebuilt from the journal alone: same entries and ids as the live projection (temp SQLite, real Sequencer)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'products-history-'));
    dirs.push(dir);
    const core = await EngineCore.open({ sqlitePath: join(dir, 'j.db'), snapshotEvery: 5 });
    const live = createProductsPort({ submit: (c) => core.submit(c), exchange: core.exchange, chain: chain() });
    core.on((seq, _c, events) => live.ingest(seq, events));
    await core.submit(blockCommandAt(chain(), TIP));
    await core.submit({ type: 'Deposit', account: A1, amountSat: BTC });
    await core.submit({ type: 'Deposit', account: A2, amountSat: BTC });
    await core.submit({ type: 'ForwardPlaceOrder', account: A1, market: 'FWD-30D', side: 'sell', price: 100_000, qty: 20_000 });
    await core.submit({ type: 'ForwardPlaceOrder', account: A2, market: 'FWD-30D', side: 'buy', price: 100_000, qty: 20_000 });
    await core.submit({ type: 'ForwardPlaceOrder', account: A2, market: 'FWD-30D', side: 'buy', price: 1, qty: 1 }); // refused: no entries
    for (let h = TIP + 1; h <= TIP + 150; h++) await core.submit({ ...blockCommandAt(chain(), h) });
    const last = core.lastSeq;
    await core.close();

    const journal = await openJournal({ sqlitePath: join(dir, 'j.db'), mustExist: true });
    const rebuilt = new AccountHistory();
    expect(await rebuildHistory(journal, rebuilt)).toBe(last);
    await journal.close();
    for (const a of [A1, A2]) {
      const l = live.history.list(a, { limit: 10_000 });
      expect(l.length).toBeGreaterThan(5);
      expect(rebuilt.list(a, { limit: 10_000 })).toEqual(l);
      expect(rebuilt.fundingOf(a)).toBe(live.history.fundingOf(a));
    }
    // The miner's first contract day ended at TIP+1+143 and awaits the investor's report: both see it.
    expect(rebuilt.list(A1, { limit: 10_000 }).some((e) => e.event === 'ForwardDayAwaitingReport')).toBe(true);
    expect(rebuilt.list(A2, { limit: 10_000 }).some((e) => e.event === 'ForwardContractOpened' && e.data.investor === A2)).toBe(true);
    // Transfers are signed from the account's side: the investor's upfront is negative for A2.
    const upfront = rebuilt.list(A2, { limit: 10_000 }).find((e) => e.event === 'LedgerTransfer' && e.data.reason === 'fwd_upfront');
    expect(upfront === undefined ? 0n : BigInt(upfront.data.amountMsat as string)).toBeLessThan(0n);
  });

  it('wireProducts after a restart (snapshot + tail): history and the contract store caught up from the journal, then live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'products-wire-'));
    dirs.push(dir);
    const db = join(dir, 'j.db');
    const core1 = await EngineCore.open({ sqlitePath: db, snapshotEvery: 4 });
    const first = await wireProducts({ engine: core1, chain: chain(), contracts: memoryDesk({ exchange: () => core1.exchange, operatorSecret: OPERATOR_SECRET }) });
    expect(first.rebuiltTo).toBe(0);
    await core1.submit(blockCommandAt(chain(), TIP));
    const mtp = core1.exchange.productContext(0).chain.mtp;
    const series = `BDC-${TIP + 20}-${mtp + 7200}`;
    for (const c of [
      { type: 'Deposit' as const, account: A1, amountSat: BTC }, { type: 'Deposit' as const, account: A2, amountSat: BTC },
      { type: 'BdcListSeries' as const, height: TIP + 20, deadline: mtp + 7200, payoutSat: 100_000 },
      { type: 'BdcPlaceOrder' as const, account: A1, series, side: 'FAST' as const, price: 3000, qty: 2, tif: 'GTC' as const, postOnly: false },
      { type: 'BdcPlaceOrder' as const, account: A2, series, side: 'SLOW' as const, price: 3000, qty: 2, tif: 'GTC' as const, postOnly: false },
    ]) await core1.submit(c);
    for (let h = TIP + 1; h <= TIP + 6; h++) await core1.submit(blockCommandAt(chain(), h));
    const before = { a1: first.port.history.list(A1, { limit: 1000 }), a2: first.port.history.list(A2, { limit: 1000 }) };
    expect(before.a1.some((e) => e.event === 'BdcPositionOpened')).toBe(true);
    const lastSeq = core1.lastSeq;
    first.stop();
    await core1.close();

    const core2 = await EngineCore.open({ sqlitePath: db, snapshotEvery: 4 });
    const svc = memoryDesk({ exchange: () => core2.exchange, operatorSecret: OPERATOR_SECRET });
    const feeds: ProductFeedEvent[] = [];
    const second = await wireProducts({ engine: core2, chain: chain(), contracts: svc, onFeed: (m) => feeds.push(...m) });
    expect(second.rebuiltTo).toBe(lastSeq);
    expect(second.port.history.list(A1, { limit: 1000 })).toEqual(before.a1);
    expect(second.port.history.list(A2, { limit: 1000 })).toEqual(before.a2);
    // The desk reads the replayed engine: each position is a contract of its owner (awaiting its contract key).
    for (const [a, side] of [[A1, 'FAST'], [A2, 'SLOW']] as const) {
      const [p] = bdcPositionsOf(core2.exchange, a);
      expect(svc.contract(p.positionId)).toMatchObject({ account: a, status: 'awaiting-key', terms: { side, contracts: 2 } });
    }
    // Then live: a new command reaches the history and the feeds.
    await core2.submit({ type: 'VaultDeposit', account: A2, amountSat: 1000 });
    expect(second.port.history.list(A2, { limit: 1 })[0].event).toBe('LedgerTransfer');
    expect(feeds.some((f) => f.channel === 'account' && f.account === A2)).toBe(true);
    second.stop();
    await core2.close();
  });

  it('bounds each account’s list and pages newest first', () => {
    const h = new AccountHistory(10);
    for (let s = 1; s <= 25; s++) h.ingest(s, [{ type: 'Deposit', account: 'x', amountSat: s }, { type: 'LedgerTransfer', from: 'world', to: 'user:x', amountMsat: BigInt(s) * 1000n, reason: 'deposit' }]);
    h.ingest(3, [{ type: 'LedgerTransfer', from: 'world', to: 'user:x', amountMsat: 1n, reason: 'deposit' }]); // a replayed seq is ignored
    const all = h.list('x', { limit: 100 });
    expect(all).toHaveLength(10);
    expect(all.map((e) => e.seq)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(h.list('x', { limit: 3, before: all[2].id }).map((e) => e.seq)).toEqual([22, 21, 20]);
    expect(all[0].data).toEqual({ reason: 'deposit', amountMsat: '25000', counterparty: 'world' });
  });
});
