import { describe, it, expect } from 'vitest';
import { hex } from '@scure/base';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { keyPairFromSecret, keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { buildLeafSpend, signLeafInput } from '../../src/bitcoin/tx.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { buildBlockDeltaVtxo, p2trKeyOnly } from '../../src/bitcoin/vtxo-scripts.js';
import { parseExitPackage } from '../../src/bitcoin/exit-package.js';
import { BitcoindBroadcaster, executeExitPackage } from '../../src/bitcoin/exit-executor.js';
import { KeyFeeSource } from '../../src/bitcoin/fee-sources.js';
import { ContractService } from '../../src/operator/contract-service.js';
import { MemoryContractStore } from '../../src/operator/contract-store.js';
import { OPERATOR_SECRET, opened, pub, transferred, user } from './contract-service-helpers.js';

const url = process.env.BITCOIND_RPC_URL;
if (!url) console.log('contract-service regtest suite skipped: BITCOIND_RPC_URL is not set (point it at a bitcoind -regtest)');

interface Accept {
  txid: string;
  allowed: boolean;
  'reject-reason'?: string;
}

describe.skipIf(!url)('ContractService batches on bitcoind -regtest (BITCOIND_RPC_URL)', () => {
  it('two positions funded from a mined coinbase: the node accepts the commitment, and each exit package unrolls', { timeout: 120_000 }, async () => {
    const rpc = new BitcoindRpc(url!);
    const info = await rpc.call<{ chain: string }>('getblockchaininfo');
    expect(info.chain).toBe('regtest');
    const run = `${Date.now()}`;
    const W = keyPairFromSeedLabel(`contract-service-regtest/${run}/funder`);
    const wallet = p2trKeyOnly(W.publicKey, NETWORKS.regtest);
    // CPFP children of the zero-fee v3 exit steps are paid by a separate key (never the funding coinbase).
    const feeKey = keyPairFromSeedLabel(`contract-service-regtest/${run}/fees`);
    await rpc.call('generatetoaddress', [5, p2trKeyOnly(feeKey.publicKey, NETWORKS.regtest).address]);
    // Keep block times valid if an earlier suite moved the node's clock (same as lifecycle.ts).
    const tip = await rpc.call<{ time: number }>('getblockheader', [await rpc.call<string>('getbestblockhash')]);
    await rpc.call('setmocktime', [Math.max(Math.floor(Date.now() / 1000), tip.time + 1)]);
    const [fundBlock] = await rpc.call<string[]>('generatetoaddress', [1, wallet.address]);
    await rpc.call('generatetoaddress', [100, wallet.address]);
    const blk = await rpc.call<{ tx: { txid: string; vout: { value: number }[] }[] }>('getblock', [fundBlock, 2]);
    const cb = blk.tx[0]!;
    const funding = { txid: cb.txid, vout: 0, amount: BigInt(Math.round(cb.vout[0]!.value * 1e8)), pkScript: wallet.script, key: W };

    const A = user(`${run}/A`);
    const B = user(`${run}/B`);
    const C = user(`${run}/C`);
    const keys = new Map([A, B, C].map((k) => [pub(k), k]));
    const svc = new ContractService({
      operatorSecret: OPERATOR_SECRET,
      network: 'regtest',
      exitDelay: { type: 'blocks', value: 5n },
      batchExpiry: { type: 'blocks', value: 40n },
      store: new MemoryContractStore(),
      changeScript: wallet.script,
      signerFor: (a) => keys.get(a),
    });
    const height = await rpc.call<number>('getblockcount');
    const mtp0 = (await rpc.call<{ mediantime: number }>('getblockchaininfo')).mediantime;
    const terms = { height: height + 500, deadline: mtp0 + 20_000 };
    svc.onEvents([opened(`${run}-f`, pub(A), 'FAST', 120_000, terms), opened(`${run}-s`, pub(B), 'SLOW', 80_000, terms)], 1);
    const b = svc.batch(funding)!;
    expect(b.funded).toBe(true);
    const [accept] = await rpc.call<Accept[]>('testmempoolaccept', [[b.commitmentHex]]);
    expect(accept!['reject-reason']).toBeUndefined();
    expect(accept).toMatchObject({ txid: b.commitmentTxid, allowed: true });

    // Beyond the brief's check: confirm it, move the FAST position to C offchain (leaf 1), then each
    // position's stored exit package (tree branch; for C also checkpoint + Ark tx) goes on chain step by step,
    // each step a submitpackage of the zero-fee v3 tx and its CPFP child, one block per step (TRUC).
    await rpc.call('sendrawtransaction', [b.commitmentHex]);
    await rpc.call('generatetoaddress', [1, wallet.address]);
    svc.onEvents([transferred(`${run}-f`, pub(A), pub(C), 'FAST', 120_000)], 2);
    expect(svc.contract(`${run}-f`).exitPackage!.steps.map((s) => s.kind)).toEqual(['tree', 'checkpoint', 'ark']);
    const broadcaster = new BitcoindBroadcaster(rpc, { fees: new KeyFeeSource(rpc, feeKey), feeRate: 2 });
    const waited: string[] = [];
    const awaitConfirmation = async (txid: string): Promise<void> => {
      waited.push(txid);
      await rpc.call('generatetoaddress', [1, wallet.address]);
    };
    for (const id of b.positionIds) {
      const doc = svc.contract(id);
      expect(doc.funded).toBe(true);
      const pkg = parseExitPackage(svc.exitPackage(id));
      const progress = await executeExitPackage(pkg, broadcaster, { awaitConfirmation });
      expect(progress.complete).toBe(true);
      expect(progress.steps.every((s) => s.accepted)).toBe(true);
      // every step this run sent went with a child that spends its anchor, and the node holds or mined both
      for (const s of progress.steps.filter((x) => !x.alreadyKnown)) {
        expect(s.childTxid).toBeDefined();
        const child = await rpc.call<{ vin: { txid: string }[]; version: number }>('getrawtransaction', [s.childTxid, true]);
        expect(child.version).toBe(3);
        expect(child.vin[0]!.txid).toBe(s.txid);
      }
    }
    // C's package: the tree tx, then the checkpoint each waited for one confirmation before the next step.
    expect(waited).toHaveLength(2);
    await rpc.call('generatetoaddress', [1, wallet.address]);
    for (const id of b.positionIds) {
      const doc = svc.contract(id);
      const out = await rpc.call<{ scriptPubKey: { hex: string; address: string }; value: number } | null>('gettxout', [doc.exitPackage!.vtxo.txid, doc.exitPackage!.vtxo.vout]);
      expect(out?.scriptPubKey.hex).toBe(doc.vtxo!.scriptPubKey);
      expect(out?.scriptPubKey.address).toBe(doc.address);
      expect(BigInt(Math.round(out!.value * 1e8))).toBe(BigInt(doc.terms.amountSat) );
    }

    // The SLOW claim (leaf 3) locks to T − 1, so it opens exactly when MTP >= T, the engine's header rule:
    // refused with MTP = T − 1, accepted with MTP = T.
    const T = terms.deadline;
    const sId = `${run}-s`;
    const sVtxo = buildBlockDeltaVtxo({ user: B.publicKey, operator: keyPairFromSecret(hex.decode(OPERATOR_SECRET)).publicKey, userSide: 'SLOW', targetHeight: terms.height, deadline: T, exitDelay: { type: 'blocks', value: 5n } });
    const pkgS = svc.contract(sId).exitPackage!;
    expect(hex.encode(sVtxo.vtxoScript.pkScript)).toBe(pkgS.vtxo.scriptPubKey);
    const claim = buildLeafSpend(
      { txid: pkgS.vtxo.txid, vout: pkgS.vtxo.vout, amount: BigInt(pkgS.vtxo.amount), pkScript: sVtxo.vtxoScript.pkScript, leaf: sVtxo.leaf(3) },
      { script: p2trKeyOnly(B.publicKey).script, amount: BigInt(pkgS.vtxo.amount) - 1_000n },
    );
    expect(claim.lockTime).toBe(T - 1);
    signLeafInput(claim, 0, [B]);
    claim.finalize();
    /** Mines one block at a time with the clock at `time` until the MTP reaches it (a block must beat its parent's MTP). */
    const mineAt = async (time: number): Promise<number> => {
      await rpc.call('setmocktime', [time]);
      for (let i = 0; i < 30; i++) {
        await rpc.call('generatetoaddress', [1, wallet.address]);
        const m = (await rpc.call<{ mediantime: number }>('getblockchaininfo')).mediantime;
        if (m >= time) return m;
      }
      throw new Error(`MTP did not reach ${time}`);
    };
    expect(await mineAt(T - 1)).toBe(T - 1);
    const [early] = await rpc.call<Accept[]>('testmempoolaccept', [[hex.encode(claim.extract())]]);
    expect(early).toMatchObject({ allowed: false, 'reject-reason': 'non-final' });
    expect(await mineAt(T)).toBe(T);
    const [atT] = await rpc.call<Accept[]>('testmempoolaccept', [[hex.encode(claim.extract())]]);
    expect(atT!['reject-reason']).toBeUndefined();
    expect(atT!.allowed).toBe(true);
    await rpc.call('sendrawtransaction', [hex.encode(claim.extract())]);
    await rpc.call('generatetoaddress', [1, wallet.address]);

    // An unfunded (embedded-mode) batch is what it says: the node refuses its commitment for missing inputs.
    const demo = new ContractService({ operatorSecret: OPERATOR_SECRET, network: 'regtest', exitDelay: { type: 'blocks', value: 5n }, batchExpiry: { type: 'blocks', value: 40n }, store: new MemoryContractStore() });
    demo.onEvents([opened(`${run}-demo`, pub(A), 'FAST', 50_000, terms)]);
    const unfunded = demo.batch()!;
    expect(unfunded.funded).toBe(false);
    const [refused] = await rpc.call<Accept[]>('testmempoolaccept', [[unfunded.commitmentHex]]);
    expect(refused).toMatchObject({ allowed: false, 'reject-reason': 'missing-inputs' });
  });
});
