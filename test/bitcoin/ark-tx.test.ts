import { describe, it, expect } from 'vitest';
import { buildOffchainTx, CLTVMultisigTapscript, CSVMultisigTapscript, MultisigTapscript, VtxoScript } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { buildBlockDeltaVtxo, buildPlainVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { buildArkTransaction } from '../../src/bitcoin/ark-tx.js';
import { signLeafInput } from '../../src/bitcoin/tx.js';
import { sweepTapscript } from '../../src/bitcoin/vtxo-tree.js';
import { InvalidArgumentError } from '../../src/units/errors.js';
import { leafHash, sighashDefault } from './bip341-ref.js';
import { refOf } from './helpers.js';

const U = keyPairFromSeedLabel('ark/U');
const S = keyPairFromSeedLabel('ark/S');
const N = keyPairFromSeedLabel('ark/N');
const d = { type: 'blocks' as const, value: 144n };
const v = buildBlockDeltaVtxo({ user: U.publicKey, operator: S.publicKey, userSide: 'FAST', targetHeight: 850_000, deadline: 1_760_000_000, exitDelay: d });
const unroll = sweepTapscript(S.publicKey, d);
const to = buildBlockDeltaVtxo({ user: N.publicKey, operator: S.publicKey, userSide: 'FAST', targetHeight: 850_000, deadline: 1_760_000_000, exitDelay: d });
// The contract VTXO's only offchain leaf is leaf 1 (U + S); CLTV forfeit leaves (arkd accepts them offchain, the
// SDK sets nLockTime from them) come from a VTXO of their own, one locked by height and one by time.
const cltv = new VtxoScript([
  MultisigTapscript.encode({ pubkeys: [U.publicKey, S.publicKey] }).script,
  CLTVMultisigTapscript.encode({ absoluteTimelock: 850_000n, pubkeys: [U.publicKey, S.publicKey] }).script,
  CLTVMultisigTapscript.encode({ absoluteTimelock: 1_760_000_000n, pubkeys: [U.publicKey, S.publicKey] }).script,
  CSVMultisigTapscript.encode({ timelock: d, pubkeys: [U.publicKey] }).script,
]);
const cltvLeaf = (i: number) => cltv.findLeaf(hex.encode(cltv.scripts[i]!));

describe('Ark transaction with checkpoints', () => {
  it.each([
    ['contract leaf 1', v.vtxoScript, v.leaf(1)],
    ['CLTV(height) multisig', cltv, cltvLeaf(1)],
    ['CLTV(time) multisig', cltv, cltvLeaf(2)],
  ] as const)('%s input gives the same txids as the SDK buildOffchainTx', (_name, vtxoScript, leaf) => {
    const input = { txid: '77'.repeat(32), vout: 2, amount: 20_000n, vtxoScript, leaf };
    const ours = buildArkTransaction([input], [{ script: to.vtxoScript.pkScript, amount: 20_000n }], unroll);
    const sdk = buildOffchainTx([{ txid: input.txid, vout: 2, value: 20_000, tapLeafScript: leaf, tapTree: vtxoScript.encode() }], [{ script: to.vtxoScript.pkScript, amount: 20_000n }], unroll);
    expect(ours.arkTx.id).toBe(sdk.arkTx.id);
    expect(ours.checkpoints.map((c) => c.tx.id)).toEqual(sdk.checkpoints.map((c) => c.id));
    expect(ours.arkTx.version).toBe(3);
  });

  it('arkd shape: version 3, zero-value P2A anchor last, no fee, CLTV leaf sets the locktime', () => {
    const input = { txid: '78'.repeat(32), vout: 0, amount: 20_000n, vtxoScript: cltv, leaf: cltvLeaf(1) };
    const ark = buildArkTransaction([input], [{ script: to.vtxoScript.pkScript, amount: 20_000n }], unroll);
    for (const tx of [ark.arkTx, ark.checkpoints[0]!.tx]) {
      expect(tx.version).toBe(3);
      expect(tx.lockTime).toBe(850_000);
      expect(tx.getInput(0).sequence).toBe(0xfffffffe);
      const last = tx.getOutput(tx.outputsLength - 1);
      expect(hex.encode(last.script!)).toBe('51024e73');
      expect(last.amount).toBe(0n);
      // zero fee: outputs add up to the input exactly
      const outs = Array.from({ length: tx.outputsLength }, (_, i) => tx.getOutput(i).amount!).reduce((a, b) => a + b, 0n);
      expect(outs).toBe(20_000n);
    }
    expect(ark.checkpoints[0]!.tx.getOutput(0).amount).toBe(20_000n);
    expect(hex.encode(ark.arkTx.getInput(0).txid!)).toBe(ark.checkpoints[0]!.tx.id);
    // the checkpoint output: server unroll leaf + the same collaborative leaf
    expect(ark.checkpoints[0]!.script.scripts.map((s) => hex.encode(s))).toEqual([hex.encode(unroll.script), hex.encode(cltv.scripts[1]!)]);
  });

  it('owner and operator signatures on checkpoint and Ark tx verify', () => {
    const input = { txid: '79'.repeat(32), vout: 1, amount: 30_000n, vtxoScript: v.vtxoScript, leaf: v.leaf(1) };
    const ark = buildArkTransaction([input], [{ script: to.vtxoScript.pkScript, amount: 30_000n }], unroll);
    for (const tx of [ark.checkpoints[0]!.tx, ark.arkTx]) {
      signLeafInput(tx, 0, [U, S]);
      const msg = sighashDefault(refOf(tx), 0, leafHash(v.scripts[0]!));
      const sigs = tx.getInput(0).tapScriptSig!;
      expect(sigs.map(([k]) => hex.encode(k.pubKey)).sort()).toEqual([hex.encode(U.publicKey), hex.encode(S.publicKey)].sort());
      for (const [{ pubKey }, sig] of sigs) expect(schnorr.verify(sig, msg, pubKey)).toBe(true);
    }
  });

  it('refuses unbalanced outputs and mixed locktime units', () => {
    const a = { txid: '80'.repeat(32), vout: 0, amount: 20_000n, vtxoScript: cltv, leaf: cltvLeaf(1) };
    const b = { txid: '81'.repeat(32), vout: 0, amount: 20_000n, vtxoScript: cltv, leaf: cltvLeaf(2) };
    // an implicit fee (outputs short of the inputs) is refused as much as outputs above them
    expect(() => buildArkTransaction([a], [{ script: to.vtxoScript.pkScript, amount: 19_999n }], unroll)).toThrow(InvalidArgumentError);
    expect(() => buildArkTransaction([a], [{ script: to.vtxoScript.pkScript, amount: 20_001n }], unroll)).toThrow(/must equal/);
    expect(() => buildArkTransaction([a, b], [{ script: to.vtxoScript.pkScript, amount: 40_000n }], unroll)).toThrow(/mix height and time/);
    const p = buildPlainVtxo(U.publicKey, S.publicKey, d);
    expect(() => buildArkTransaction([{ ...a, vtxoScript: p.vtxoScript, leaf: p.forfeit, amount: 0n }], [{ script: p.vtxoScript.pkScript, amount: 0n }], unroll)).toThrow(/no value/);
  });
});
