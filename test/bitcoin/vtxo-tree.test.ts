import { describe, it, expect } from 'vitest';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import * as musig2 from '@scure/btc-signer/musig2.js';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { buildPlainVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { planVtxoTree, buildVtxoTree, signTreeMusig2, aggregateXOnly } from '../../src/bitcoin/vtxo-tree.js';
import { controlBlockCommits, leafHash, sighashDefault, tweakKey } from './bip341-ref.js';
import { refOf } from './helpers.js';
import { TaprootControlBlock } from '@scure/btc-signer';
import { scriptFromTapLeafScript } from '@arkade-os/sdk';

const S = keyPairFromSeedLabel('tree/S');
const owners = Array.from({ length: 5 }, (_, i) => keyPairFromSeedLabel(`tree/owner${i}`));
const d = { type: 'blocks' as const, value: 10n };
const leaves = owners.map((o, i) => ({ pkScript: buildPlainVtxo(o.publicKey, S.publicKey, d).vtxoScript.pkScript, amount: 10_000n * BigInt(i + 1), cosigners: [o.publicKey] }));

describe('VTXO tree (batch output, MuSig2 key path, sweep leaf)', () => {
  it.each([2, 3, 5])('radix %i: every VTXO is reachable, amounts add up exactly (no fee), each tx is v3 with a zero P2A anchor last', (radix) => {
    const plan = planVtxoTree({ leaves, operator: S.publicKey, sweepDelay: { type: 'blocks', value: 144n }, radix });
    const tree = buildVtxoTree(plan, 'cc'.repeat(32), 1);
    const txs = tree.all();
    const total = leaves.reduce((s, l) => s + l.amount, 0n);
    expect(plan.batchOutput.amount).toBe(total);
    for (const n of txs) {
      const outs = Array.from({ length: n.tx.outputsLength }, (_, i) => n.tx.getOutput(i).amount!).reduce((a, b) => a + b, 0n);
      expect(outs).toBe(n.input.amount);
      expect(n.tx.version).toBe(3);
      const anchor = n.tx.getOutput(n.tx.outputsLength - 1);
      expect([hex.encode(anchor.script!), anchor.amount]).toEqual(['51024e73', 0n]);
    }
    leaves.forEach((l, i) => {
      const { txid, vout, branch } = tree.vtxo(i);
      const leafTx = branch[branch.length - 1]!.tx;
      expect(leafTx.id).toBe(txid);
      expect(hex.encode(leafTx.getOutput(vout).script!)).toBe(hex.encode(l.pkScript));
      expect(hex.encode(branch[0]!.tx.getInput(0).txid!)).toBe('cc'.repeat(32));
    });
  });

  it('node outputs commit to MuSig2(cosigners + S) tweaked by the sweep leaf; signatures verify on the BIP-341 message', () => {
    const plan = planVtxoTree({ leaves, operator: S.publicKey, sweepDelay: { type: 'blocks', value: 144n } });
    const tree = buildVtxoTree(plan, 'dd'.repeat(32), 0);
    signTreeMusig2(tree, [S, ...owners]);
    // root key aggregates every owner and S (BIP-327 KeyAgg over sorted keys)
    const allKeys = musig2.sortKeys([S, ...owners].map((k) => Uint8Array.from([2, ...k.publicKey])));
    expect(hex.encode(plan.batchOutput.aggregateKey)).toBe(hex.encode(musig2.keyAggregate(allKeys).aggPublicKey.toBytes(true).subarray(1)));
    for (const n of tree.all()) {
      const outKey = n.input.pkScript.subarray(2);
      expect(hex.encode(tweakKey(n.input.aggregateKey, leafHash(scriptFromTapLeafScript(n.input.sweepLeaf))))).toBe(hex.encode(outKey));
      expect(controlBlockCommits(TaprootControlBlock.encode(n.input.sweepLeaf[0]), scriptFromTapLeafScript(n.input.sweepLeaf), outKey)).toBe(true);
      const sig = n.tx.getInput(0).tapKeySig!;
      expect(schnorr.verify(sig, sighashDefault(refOf(n.tx), 0), outKey)).toBe(true);
      expect(n.tx.version).toBe(3);
    }
  });

  it('signing refuses when a cosigner is missing', () => {
    const plan = planVtxoTree({ leaves, operator: S.publicKey, sweepDelay: { type: 'blocks', value: 144n } });
    const tree = buildVtxoTree(plan, 'ee'.repeat(32), 0);
    expect(() => signTreeMusig2(tree, [S, ...owners.slice(1)])).toThrow(/missing cosigner/);
  });

  it('aggregate key does not depend on the order keys are given', () => {
    const ks = owners.map((o) => o.publicKey);
    expect(hex.encode(aggregateXOnly(ks))).toBe(hex.encode(aggregateXOnly([...ks].reverse())));
  });
});
