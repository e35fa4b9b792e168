import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { p2tr, Transaction, SigHash } from '@scure/btc-signer';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { controlBlockCommits, leafHash, sighashDefault, tagged, tweakKey } from './bip341-ref.js';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { TX_OPTS } from '../../src/bitcoin/tx.js';

interface Vector {
  given: { internalPubkey: string; scriptTree: null | { script: string; leafVersion: number } };
  intermediary: { leafHashes?: string[]; tweak: string; tweakedPubkey: string };
  expected: { scriptPubKey: string; bip350Address: string; scriptPathControlBlocks?: string[] };
}
const vectors = (JSON.parse(readFileSync(new URL('./fixtures/bip341-wallet-vectors.json', import.meta.url), 'utf8')) as { scriptPubKey: Vector[] }).scriptPubKey;

describe('BIP-341 wallet test vectors (scriptPubKey)', () => {
  it.each(vectors.map((v, i) => ({ i, v })))('vector $i: btc-signer and the reference reproduce key, tweak, script and address', ({ v }) => {
    const P = hex.decode(v.given.internalPubkey);
    const tree = v.given.scriptTree ? { script: hex.decode(v.given.scriptTree.script), leafVersion: v.given.scriptTree.leafVersion } : undefined;
    const pay = tree ? p2tr(P, tree, undefined, true) : p2tr(P);
    expect(hex.encode(pay.script)).toBe(v.expected.scriptPubKey);
    expect(pay.address).toBe(v.expected.bip350Address);
    const lh = tree ? leafHash(tree.script, tree.leafVersion) : undefined;
    if (lh) expect(hex.encode(lh)).toBe(v.intermediary.leafHashes![0]);
    expect(hex.encode(tagged('TapTweak', P, lh ?? new Uint8Array()))).toBe(v.intermediary.tweak);
    expect(hex.encode(tweakKey(P, lh))).toBe(v.intermediary.tweakedPubkey);
    for (const cb of v.expected.scriptPathControlBlocks ?? []) {
      expect(controlBlockCommits(hex.decode(cb), tree!.script, hex.decode(v.intermediary.tweakedPubkey))).toBe(true);
      // a wrong parity bit must not verify: the check can fail
      const bad = hex.decode(cb);
      bad[0] = bad[0]! ^ 1;
      expect(controlBlockCommits(bad, tree!.script, hex.decode(v.intermediary.tweakedPubkey))).toBe(false);
    }
  });
});

describe('BIP-341 sighash: btc-signer against the reference written from the BIP', () => {
  const k = keyPairFromSeedLabel('sighash-test');
  const pay = p2tr(k.publicKey);
  const mk = (version: number, lockTime: number, sequence: number) => {
    const tx = new Transaction({ ...TX_OPTS, version, lockTime });
    tx.addInput({ txid: '11'.repeat(32), index: 3, sequence, witnessUtxo: { script: pay.script, amount: 123_456n }, tapInternalKey: k.publicKey });
    tx.addInput({ txid: 'ab'.repeat(31) + 'cd', index: 0, sequence: 0xfffffffe, witnessUtxo: { script: pay.script, amount: 7_000n }, tapInternalKey: k.publicKey });
    tx.addOutput({ script: pay.script, amount: 100_000n });
    tx.addOutput({ script: hex.decode('51024e73'), amount: 0n });
    return tx;
  };
  it.each([
    [2, 0, 0xffffffff],
    [3, 800_000, 0xfffffffe],
    [2, 1_700_000_000, 5],
  ])('version %i locktime %i sequence %i: key-path message and signature', (version, lockTime, sequence) => {
    const tx = mk(version, lockTime, sequence);
    const ref = {
      version,
      lockTime,
      inputs: [
        { txid: '11'.repeat(32), vout: 3, sequence, amount: 123_456n, script: pay.script },
        { txid: 'ab'.repeat(31) + 'cd', vout: 0, sequence: 0xfffffffe, amount: 7_000n, script: pay.script },
      ],
      outputs: [
        { amount: 100_000n, script: pay.script },
        { amount: 0n, script: hex.decode('51024e73') },
      ],
    };
    for (const idx of [0, 1]) {
      const ours = tx.preimageWitnessV1(idx, [pay.script, pay.script], SigHash.DEFAULT, [123_456n, 7_000n]);
      expect(hex.encode(ours)).toBe(hex.encode(sighashDefault(ref, idx)));
      const leaf = new Uint8Array([0x20, ...k.publicKey, 0xac]);
      const oursLeaf = tx.preimageWitnessV1(idx, [pay.script, pay.script], SigHash.DEFAULT, [123_456n, 7_000n], undefined, leaf, 0xc0);
      expect(hex.encode(oursLeaf)).toBe(hex.encode(sighashDefault(ref, idx, leafHash(leaf))));
    }
    tx.signIdx(k.secretKey, 0);
    const sig = tx.getInput(0).tapKeySig!;
    expect(schnorr.verify(sig, sighashDefault(ref, 0), pay.tweakedPubkey)).toBe(true);
    expect(schnorr.verify(sig, sighashDefault({ ...ref, lockTime: lockTime + 1 }, 0), pay.tweakedPubkey)).toBe(false);
  });
});
