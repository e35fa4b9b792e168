/**
 * The server's side of money through Ark, over the real engine and the operator's store with the
 * liquidity wallet's payment scripted: which failures of a withdrawal's payment reverse its debit
 * (only a refusal before the operator stored the tx), how pending withdrawals are resolved after a
 * restart (by their memo in the store, else paid again), that a sweep never pays a withdrawal a
 * request is paying, and that a deposit is credited only once finalized.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { base64, hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { ArkAddress } from '@arkade-os/sdk';
import { EngineCore } from '../../src/server/engine-host.js';
import { wireArkFunding } from '../../src/server/ark-funding.js';
import type { ServerArk } from '../../src/server/ark-wiring.js';
import { ArkStore, type VtxoRecord } from '../../src/operator/ark/ark-store.js';
import { EventBus } from '../../src/operator/ark/event-bus.js';
import type { Payment } from '../../src/bitcoin/block-delta-tx.js';
import { fundingMemoScript, withdrawalMemoScript } from '../../src/bitcoin/ark-memo.js';
import { arkFundsOf, accountView } from '../../src/engine/index.js';
import { HashPerpError } from '../../src/units/errors.js';

const A = 'a'.repeat(64);
const L = new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(7)]);
const USER = new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(9)]);
const SERVER_KEY = new Uint8Array(32).fill(3);
/** tark1 address of USER's key on this operator. */
const USER_ADDRESS = new ArkAddress(SERVER_KEY, USER.slice(2), 'tark').encode();

let txCount = 0;
/** A stored Ark tx paying `outputs` (an unsigned PSBT is all the reconciliation reads). */
function storeTx(store: ArkStore, outputs: Payment[], opts: { pending?: boolean } = {}): string {
  const tx = new Transaction({ allowUnknownOutputs: true });
  tx.addInput({ txid: new Uint8Array(32).fill(++txCount), index: 0 });
  for (const o of outputs) tx.addOutput({ script: o.script, amount: o.amount });
  const txid = tx.id;
  const vtxo = (vout: number, o: Payment): VtxoRecord => ({
    txid, vout, amount: o.amount, script: hex.encode(o.script), createdAt: 0, expiresAt: 0, commitmentTxids: [], batch: '', preconfirmed: true, swept: false, unrolled: false, spentBy: '', settledBy: '', arkTxid: '',
  });
  store.commit({
    vtxos: outputs.map((o, i) => vtxo(i, o)),
    virtualTxs: [{ txid, kind: 'ark', psbt: base64.encode(tx.toPSBT()), commitmentTxid: '' }],
    ...(opts.pending ? { pending: [{ arkTxid: txid, state: { arkTxid: txid, finalArkTx: '', checkpoints: [], status: 'accepted' }, createdAt: 0 }] } : {}),
  });
  return txid;
}

type Pay = (outputs: Payment[], before?: (id: string) => void) => Promise<string>;

async function setup(pay: Pay) {
  const engine = await EngineCore.open({ sqlitePath: ':memory:' });
  const store = ArkStore.memory();
  const calls: Payment[][] = [];
  const ark = {
    store,
    network: 'regtest',
    keys: { signerXOnly: SERVER_KEY },
    liquidity: { script: L, address: new ArkAddress(SERVER_KEY, L.slice(2), 'tark').encode(), wallet: { pay: (o: Payment[], b?: (id: string) => void) => (calls.push(o), pay(o, b)) } },
    operator: { scriptEvents: new EventBus(), finalizeTx: async () => {} },
  } as unknown as ServerArk;
  const errors: string[] = [];
  const f = wireArkFunding({ engine, ark, onError: (m) => errors.push(m) });
  await engine.submit({ type: 'Deposit', account: A, amountSat: 100_000 });
  const balance = () => accountView(engine.exchange, A).balanceMsat / 1000n;
  const withdrawals = () => arkFundsOf(engine.exchange).withdrawals;
  return { engine, store, f, calls, errors, balance, withdrawals, close: () => engine.close() };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('Ark withdrawals: an outbox', () => {
  it('a refusal before the operator stored the tx reverses the debit', async () => {
    const t = await setup(async () => {
      throw new HashPerpError('liquidity_short', 'the operator holds 0 sat');
    });
    close = t.close;
    await expect(t.f.port.withdraw({ account: A, amountSat: 30_000, address: USER_ADDRESS })).rejects.toMatchObject({ code: 'liquidity_short' });
    expect(t.balance()).toBe(100_000n);
    expect(t.withdrawals()).toEqual([expect.objectContaining({ status: 'failed', amountSat: 30_000 })]);
    // The operator refused the tx it was built into (not stored): also reversed.
    const u = await setup(async (_o, before) => {
      before?.('ff'.repeat(32));
      throw new Error('MALFORMED_ARK_TX');
    });
    await expect(u.f.port.withdraw({ account: A, amountSat: 30_000, address: USER_ADDRESS })).rejects.toMatchObject({ code: 'payout_failed' });
    expect(u.balance()).toBe(100_000n);
    await u.close();
  });

  it('once the operator holds the tx, a failure leaves it pending; the next sweep finds it by its memo and settles it', async () => {
    let stored = '';
    const t = await setup(async (outputs, before) => {
      stored = storeTx(t.store, outputs, { pending: true });
      before?.(stored);
      throw new Error('finalize: connection reset');
    });
    close = t.close;
    const ack = await t.f.port.withdraw({ account: A, amountSat: 30_000, address: USER_ADDRESS });
    expect(ack).toMatchObject({ status: 'pending', arkTxid: stored });
    expect(t.balance()).toBe(70_000n); // not reversed: the user's VTXO exists
    expect(t.calls[0]).toEqual([
      { script: USER, amount: 30_000n },
      { script: withdrawalMemoScript(ack.requestId), amount: 0n },
    ]);
    expect(t.withdrawals()).toEqual([expect.objectContaining({ status: 'pending' })]);
    // Still not finalized: the reconciliation lists it pending; the sweep finalizes it with L's key (stubbed), then settles.
    t.store.commit({ pendingDone: [stored] });
    const r = await t.f.sweep();
    expect(t.calls.length).toBe(1); // never paid twice
    expect(t.withdrawals()).toEqual([expect.objectContaining({ status: 'settled', arkTxid: stored })]);
    expect(r).toMatchObject({ ok: true, pending: [], settledWithdrawals: 1 });
    expect(t.balance()).toBe(70_000n);
  });

  it('after a restart, a pending withdrawal with no tx in the store is paid; one being paid by a request is not paid again', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let hold = false;
    const t = await setup(async (outputs, before) => {
      if (hold) await gate;
      const id = storeTx(t.store, outputs);
      before?.(id);
      return id;
    });
    close = t.close;
    // The server journaled the debit and died before paying.
    await t.engine.submit({ type: 'ArkWithdrawal', account: A, amountSat: 10_000, requestId: 'r1', toScript: hex.encode(USER) });
    const r = await t.f.sweep();
    expect(t.calls.length).toBe(1);
    expect(t.withdrawals()).toEqual([expect.objectContaining({ requestId: 'r1', status: 'settled' })]);
    expect(r.ok).toBe(true);
    // A request mid-payment while blocks arrive: the sweep leaves it to the request.
    hold = true;
    const req = t.f.port.withdraw({ account: A, amountSat: 5_000, address: USER_ADDRESS });
    for (let i = 0; i < 50 && !t.withdrawals().some((w) => w.status === 'pending'); i++) await new Promise((res) => setTimeout(res, 5));
    const swept = t.f.sweep();
    await new Promise((res) => setTimeout(res, 20));
    release();
    await swept;
    expect(await req).toMatchObject({ status: 'settled' });
    expect(t.calls.length).toBe(2);
    expect(t.balance()).toBe(85_000n);
  });
});

describe('Ark deposits', () => {
  it('credits a memo tx to L once it is finalized, once; a tx without a memo or paying someone else credits nobody', async () => {
    const t = await setup(async () => 'x');
    close = t.close;
    const pending = storeTx(t.store, [{ script: L, amount: 20_000n }, { script: fundingMemoScript(A), amount: 0n }], { pending: true });
    storeTx(t.store, [{ script: L, amount: 7_000n }]);
    storeTx(t.store, [{ script: USER, amount: 9_000n }, { script: fundingMemoScript(A), amount: 0n }]);
    storeTx(t.store, [{ script: L, amount: 1_000n }, { script: fundingMemoScript('not-an-account'), amount: 0n }]);
    await t.f.sweep();
    expect(arkFundsOf(t.engine.exchange).deposits).toEqual([]);
    t.store.commit({ pendingDone: [pending] });
    const r = await t.f.sweep();
    await t.f.sweep();
    expect(arkFundsOf(t.engine.exchange).deposits).toEqual([{ arkTxid: pending, account: A, amountSat: 20_000 }]);
    expect(t.balance()).toBe(120_000n);
    expect(r).toMatchObject({ ok: true, deposits: 1 });
  });
});
