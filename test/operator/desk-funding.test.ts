// The desk pays each position's contract VTXO exactly once, across a crash: the operator accepts the Ark
// tx (its outputs exist), the process dies before the engine learns it; a new desk over the same store
// finds the paid output and records it without paying again. Also: no contract key, no funding; the
// reconciliation names a position whose VTXO disagrees with the engine.
import { describe, expect, it } from 'vitest';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { SingleKey, Transaction } from '@arkade-os/sdk';
import { base64 } from '@scure/base';
import type { Command } from '../../src/engine/commands.js';
import { bdcModuleOf } from '../../src/engine/products/bdc/index.js';
import { ArkStore } from '../../src/operator/ark/ark-store.js';
import { checkpointTapscript } from '../../src/operator/ark/offchain.js';
import { ContractDesk } from '../../src/operator/block-delta/desk.js';
import { LiquidityWallet } from '../../src/operator/liquidity.js';
import { Harness, deposit, ofType } from '../engine/helpers.js';
import { H, SERIES, T, blk } from '../products/bdc-helpers.js';

const S = schnorr.getPublicKey(hex.decode('11'.repeat(32)));
const EXIT = { type: 'blocks' as const, value: 144n };
const cmd = (c: Record<string, unknown>): Command => c as unknown as Command;

/** An operator that accepts every Ark tx (its outputs appear in the store) and may die before finalize. */
function fakeArk(store: ArkStore, o: { dieOnFinalize: boolean }) {
  let submits = 0;
  return {
    submits: () => submits,
    port: {
      async submitTx(arkTx: string, checkpoints: string[]) {
        submits++;
        const tx = Transaction.fromPSBT(base64.decode(arkTx));
        const created = [];
        for (let i = 0; i < tx.outputsLength; i++) {
          const out = tx.getOutput(i);
          if (out.amount === 0n) continue;
          created.push({ txid: tx.id, vout: i, amount: out.amount!, script: hex.encode(out.script!), createdAt: 0, expiresAt: 5_000, commitmentTxids: [], batch: '', preconfirmed: true, swept: false, unrolled: false, spentBy: '', settledBy: '', arkTxid: '' });
        }
        store.commit({ vtxos: created });
        return { arkTxid: tx.id, finalArkTx: arkTx, signedCheckpointTxs: checkpoints };
      },
      async finalizeTx() {
        if (o.dieOnFinalize) throw new Error('the process died here');
      },
    },
  };
}

function setup() {
  const h = new Harness();
  h.run(blk(100, T - 50_000), cmd({ type: 'BdcListSeries', height: H, deadline: T, payoutSat: 10_000 }), deposit('alice', 100_000), deposit('bob', 100_000));
  h.run(cmd({ type: 'BdcPlaceOrder', account: 'alice', series: SERIES, side: 'SLOW', price: 6000, qty: 2, tif: 'GTC', postOnly: false }));
  const evs = h.run(cmd({ type: 'BdcPlaceOrder', account: 'bob', series: SERIES, side: 'FAST', price: 6000, qty: 2, tif: 'GTC', postOnly: false }));
  const trade = ofType(evs, 'BdcTrade')[0]!;
  const store = ArkStore.memory();
  const lsk = schnorr.utils.randomSecretKey();
  const L = SingleKey.fromPrivateKey(lsk);
  const lx = schnorr.getPublicKey(lsk);
  const desk = (ark: ReturnType<typeof fakeArk>) => {
    const liquidity = new LiquidityWallet({ store, ark: ark.port, identity: L, xOnly: lx, operatorXOnly: S, exitDelay: EXIT, checkpointTapscript: checkpointTapscript(S, 10n), dust: 330n, isLocked: () => false, tipHeight: async () => 100 });
    return {
      liquidity,
      desk: new ContractDesk({
        store, indexer: { getVtxoChain: async () => ({ chain: [] }) as never }, liquidity, liquidityAddress: 'L', checkpointTapscript: checkpointTapscript(S, 10n),
        registerContract: (t) => store.commit({ contracts: [t] }), operatorXOnly: S, exitDelay: EXIT, window: { blocks: 23, seconds: 13_800 }, network: 'regtest',
        engine: { submit: async (c: Command) => h.run(c), on: () => () => {}, exchange: h.ex }, now: () => 0, log: () => {},
      }),
    };
  };
  return { h, store, desk, fast: trade.fastPositionId, slow: trade.slowPositionId };
}

describe('block-delta desk funding', () => {
  it('a crash after the operator accepted the Ark tx is resumed without paying twice', async () => {
    const { h, store, desk, fast } = setup();
    const arkA = fakeArk(store, { dieOnFinalize: true });
    const first = desk(arkA);
    // L's one coin: 1,000,000 sat in a batch that outlives the series (H 110 + 23 ≤ 5,000).
    store.commit({ vtxos: [{ txid: 'aa'.repeat(32), vout: 0, amount: 1_000_000n, script: hex.encode(first.liquidity.script), createdAt: 0, expiresAt: 5_000, commitmentTxids: [], batch: '', preconfirmed: false, swept: false, unrolled: false, spentBy: '', settledBy: '', arkTxid: '' }] });
    first.desk.setContractKey('bob', hex.encode(schnorr.getPublicKey(schnorr.utils.randomSecretKey())));
    await first.desk.settled();
    expect(arkA.submits(), JSON.stringify(first.desk.status())).toBe(1);
    expect(bdcModuleOf(h.ex).getPosition(fast)?.vtxo).toBeUndefined(); // died before the engine learnt it
    expect(first.desk.reconcileNow().some((p) => p.includes(fast))).toBe(true);

    const arkB = fakeArk(store, { dieOnFinalize: false });
    const second = desk(arkB);
    second.desk.start();
    await second.desk.settled();
    second.desk.stop();
    expect(arkB.submits()).toBe(0); // found the paid output: nothing paid again
    const vtxo = bdcModuleOf(h.ex).getPosition(fast)!.vtxo!;
    const [txid, vout] = vtxo.split(':');
    expect(store.vtxo(txid!, Number(vout))).toMatchObject({ amount: 20_000n });
    expect(second.desk.reconcileNow()).toEqual([]);
  });

  it('a holder without a contract key is not funded; the reconciliation names a VTXO that disagrees with its position', async () => {
    const { h, store, desk, fast, slow } = setup();
    const ark = fakeArk(store, { dieOnFinalize: false });
    const d = desk(ark);
    store.commit({ vtxos: [{ txid: 'bb'.repeat(32), vout: 0, amount: 1_000_000n, script: hex.encode(d.liquidity.script), createdAt: 0, expiresAt: 5_000, commitmentTxids: [], batch: '', preconfirmed: false, swept: false, unrolled: false, spentBy: '', settledBy: '', arkTxid: '' }] });
    d.desk.setContractKey('bob', hex.encode(schnorr.getPublicKey(schnorr.utils.randomSecretKey())));
    await d.desk.settled();
    expect(ark.submits()).toBe(1); // bob's only: alice has no key
    expect(d.desk.status().unfunded).toEqual([{ positionId: slow, reason: expect.stringContaining('contract key') }]);
    // Corrupt a copy of the state: the VTXO behind bob's position now holds one sat less.
    const [txid, vout] = bdcModuleOf(h.ex).getPosition(fast)!.vtxo!.split(':');
    store.commit({ vtxos: [{ ...store.vtxo(txid!, Number(vout))!, amount: 19_999n }] });
    expect(d.desk.reconcileNow()).toEqual([`${fast}: ${txid}:${vout} holds 19999 sat, the position 20000`]);
  });
});
