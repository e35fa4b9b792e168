import { describe, it, expect } from 'vitest';
import { Transaction } from '@scure/btc-signer';
import { P2A } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { p2trKeyOnly } from '../../src/bitcoin/vtxo-scripts.js';
import { TX_OPTS } from '../../src/bitcoin/tx.js';
import { buildAnchorChild, childHex, findAnchorVout, txWeight, type FeeInput } from '../../src/bitcoin/anchor-cpfp.js';
import { HashPerpError } from '../../src/units/errors.js';
import { sighashDefault } from './bip341-ref.js';
import { refOf } from './helpers.js';

const W = keyPairFromSeedLabel('cpfp/W');
const F = keyPairFromSeedLabel('cpfp/F');
const wallet = p2trKeyOnly(W.publicKey);
const feeWallet = p2trKeyOnly(F.publicKey);

/** arkd's shape: v3, one P2TR key-path input, a P2TR output and a zero-value P2A anchor, no fee. */
function parentTx(opts: { version?: number; anchor?: bigint | null; finalize?: boolean } = {}): Transaction {
  const tx = new Transaction({ ...TX_OPTS, version: opts.version ?? 3 });
  tx.addInput({ txid: 'ab'.repeat(32), index: 0, witnessUtxo: { script: wallet.script, amount: 50_000n }, tapInternalKey: W.publicKey });
  tx.addOutput({ script: wallet.script, amount: 50_000n - (opts.anchor ?? 0n) });
  if (opts.anchor !== null) tx.addOutput({ script: P2A.script, amount: opts.anchor ?? 0n });
  tx.signIdx(W.secretKey, 0);
  if (opts.finalize !== false) tx.finalize();
  return tx;
}

const feeInput = (amount = 100_000n): FeeInput => ({ txid: 'cd'.repeat(32), vout: 1, amount, pkScript: feeWallet.script, tapInternalKey: F.publicKey });

describe('CPFP child for a P2A anchor (BIP-431 TRUC 1P1C)', () => {
  it('hand-computed sizes: parent 124 vB, child 153 vB; fee covers feeRate × package vsize', () => {
    const parent = parentTx();
    // parent: stripped 4+1+41+1+43+13+4 = 107 B, witness 2+1+1+64 = 68 → weight 496, 124 vB
    expect(txWeight(parent)).toBe(496);
    const { child, fee, parentVsize, childVsize, anchorVout, feeInputIndex } = buildAnchorChild(parent, feeInput(), feeWallet.script, 2);
    expect([parentVsize, anchorVout, feeInputIndex]).toEqual([124, 1, 1]);
    // child: stripped 4+1+2×41+1+43+4 = 135 B; witness at most 2+1+(1+1+65) → 610 WU, 153 vB
    expect(childVsize).toBe(153);
    expect(fee).toBe(554n); // ceil(2 × (124 + 153))
    child.signIdx(F.secretKey, feeInputIndex);
    child.finalizeIdx(feeInputIndex);
    const raw = hex.decode(childHex(child));
    // actual: 135 stripped + 69 witness bytes (64-byte SIGHASH_DEFAULT signature)
    expect(raw.length).toBe(204);
    const actualVsize = Math.ceil((135 * 4 + 69) / 4);
    expect(actualVsize).toBeLessThanOrEqual(childVsize);
    expect(fee).toBeGreaterThanOrEqual(BigInt(Math.ceil(2 * (parentVsize + actualVsize))));
    // outputs: the change is the fee input less the fee (the anchor adds 0)
    expect(child.getOutput(0).amount).toBe(100_000n - 554n);
    expect(hex.encode(child.getOutput(0).script!)).toBe(hex.encode(feeWallet.script));
  });

  it('v3, spends the anchor with an empty witness, and the fee input signature verifies on the BIP-341 message', () => {
    const parent = parentTx();
    const { child, feeInputIndex } = buildAnchorChild(parent, feeInput(), feeWallet.script, 1);
    child.signIdx(F.secretKey, feeInputIndex);
    child.finalizeIdx(feeInputIndex);
    const raw = hex.decode(childHex(child));
    expect(hex.encode(raw.subarray(0, 4))).toBe('03000000');
    expect(hex.encode(raw.subarray(4, 6))).toBe('0001'); // segwit marker + flag
    // input 0 outpoint = parent txid (little-endian) : anchor vout
    expect(hex.encode(raw.subarray(7, 39))).toBe(hex.encode(hex.decode(parent.id).reverse()));
    expect(raw[39]).toBe(1);
    // witness section starts after 4+2+127 bytes: anchor input has 0 items, the fee input 1 item of 64 bytes
    expect([raw[133], raw[134], raw[135]]).toEqual([0x00, 0x01, 0x40]);
    const sig = raw.subarray(136, 200);
    expect(schnorr.verify(sig, sighashDefault(refOf(child), 1), feeWallet.tweakedPubkey)).toBe(true);
    // the anchor input carries the P2A prevout (0 sat) the signature committed to
    expect(hex.encode(child.getInput(0).witnessUtxo!.script)).toBe('51024e73');
    expect(child.getInput(0).witnessUtxo!.amount).toBe(0n);
    // a fee rate change moves the fee, not the parent's txid
    const high = buildAnchorChild(parent, feeInput(), feeWallet.script, 50);
    expect(high.fee).toBe(BigInt(Math.ceil(50 * (124 + 153))));
    expect(hex.encode(high.child.getInput(0).txid!)).toBe(parent.id);
  });

  it('P2WPKH fee inputs are sized with a 72-byte signature and a 33-byte key', () => {
    const wpkh = hex.decode('0014' + '11'.repeat(20));
    const { childVsize } = buildAnchorChild(parentTx(), { ...feeInput(), pkScript: wpkh }, wpkh, 1);
    // stripped 4+1+82+1+(8+1+22)+4 = 123 B → 492 WU; witness 2+1+(1+1+72+1+33) = 111 → 603 WU
    expect(childVsize).toBe(151);
  });

  it('refuses what cannot be a 1P1C TRUC package (cheaters)', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof HashPerpError ? `${e.code}:${e.field}` : String(e);
      }
      return undefined;
    };
    expect(code(() => buildAnchorChild(parentTx({ version: 2 }), feeInput(), feeWallet.script, 1))).toBe('invalid_argument:parent');
    expect(code(() => buildAnchorChild(parentTx({ anchor: null }), feeInput(), feeWallet.script, 1))).toBe('no_anchor:parent');
    expect(code(() => findAnchorVout(parentTx({ anchor: 330n })))).toBe('anchor_not_zero:parent');
    expect(code(() => buildAnchorChild(parentTx({ finalize: false }), feeInput(), feeWallet.script, 1))).toBe('invalid_argument:parent');
    expect(code(() => buildAnchorChild(parentTx(), feeInput(), feeWallet.script, 0))).toBe('invalid_argument:feeRate');
    expect(code(() => buildAnchorChild(parentTx(), feeInput(), feeWallet.script, Number.NaN))).toBe('invalid_argument:feeRate');
    // change must stay above dust: 554 fee + 546 change = 1100 is the least that works at 2 sat/vB
    expect(code(() => buildAnchorChild(parentTx(), feeInput(1_099n), feeWallet.script, 2))).toBe('invalid_argument:feeInput.amount');
    expect(buildAnchorChild(parentTx(), feeInput(1_100n), feeWallet.script, 2).child.getOutput(0).amount).toBe(546n);
    expect(code(() => buildAnchorChild(parentTx(), { ...feeInput(), pkScript: hex.decode('76a914' + '11'.repeat(20) + '88ac') }, feeWallet.script, 1))).toBe('invalid_argument:feeInput.pkScript');
  });
});
