import { describe, it, expect } from 'vitest';
import { hex } from '@scure/base';
import { Address, Transaction } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { VtxoScript } from '@arkade-os/sdk';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { buildBlockDeltaVtxo, buildPlainVtxo, exportBlockDeltaVtxo, taprootAddress, type BlockDeltaTerms } from '../../src/bitcoin/vtxo-scripts.js';
import { buildLeafSpend, signLeafInput, TX_OPTS } from '../../src/bitcoin/tx.js';
import { InvalidArgumentError } from '../../src/units/errors.js';
import { controlBlockCommits, leafHash, sighashDefault } from './bip341-ref.js';
import { refOf } from './helpers.js';

const U = keyPairFromSeedLabel('test/U');
const S = keyPairFromSeedLabel('test/S');
const terms = (over: Partial<BlockDeltaTerms> = {}): BlockDeltaTerms => ({
  user: U.publicKey,
  operator: S.publicKey,
  userSide: 'FAST',
  targetHeight: 900_000,
  deadline: 1_767_225_600,
  exitDelay: { type: 'blocks', value: 144n },
  ...over,
});

// Hand assembly from BIP-342 opcodes: 0x20 push32, ad CHECKSIGVERIFY, ac CHECKSIG, b1 CLTV, b2 CSV, 75 DROP, 69 VERIFY.
const push32 = (k: Uint8Array) => '20' + hex.encode(k);
const H_LE = '03' + 'a0bb0d'; // 900000 = 0x0dbba0 as a 3-byte script number
const T_LE = '04' + '00b95569'; // 1767225600 = 0x6955b900, little-endian
const CSV144 = '029000'; // 144 = 0x90, sign bit set -> 2 bytes 90 00

describe('block-delta VTXO (six leaves)', () => {
  it('assembles exactly the scripts of the DESIGN.md table (U FAST, so S is SLOW)', () => {
    const v = buildBlockDeltaVtxo(terms());
    const u = push32(U.publicKey);
    const s = push32(S.publicKey);
    expect(v.scripts.map((x) => hex.encode(x))).toEqual([
      `${u}ad${s}ac`,
      `${H_LE}b175${u}ad${s}ac`,
      `${T_LE}b175${s}ac`,
      `${CSV144}b275${u}ad${s}ac`,
      `${H_LE}b169${CSV144}b275${u}ac`,
      `${T_LE}b169${CSV144}b275${s}ac`,
    ]);
  });

  it('U SLOW: winner keys swap sides', () => {
    const v = buildBlockDeltaVtxo(terms({ userSide: 'SLOW' }));
    const u = push32(U.publicKey);
    const s = push32(S.publicKey);
    expect(hex.encode(v.scripts[1]!)).toBe(`${H_LE}b175${s}ac`);
    expect(hex.encode(v.scripts[2]!)).toBe(`${T_LE}b175${u}ad${s}ac`);
    expect(hex.encode(v.scripts[4]!)).toBe(`${H_LE}b169${CSV144}b275${s}ac`);
    expect(hex.encode(v.scripts[5]!)).toBe(`${T_LE}b169${CSV144}b275${u}ac`);
  });

  it('same terms give the same address; any term change gives another', () => {
    const a = taprootAddress(buildBlockDeltaVtxo(terms()).vtxoScript, NETWORKS.mainnet);
    expect(taprootAddress(buildBlockDeltaVtxo(terms()).vtxoScript, NETWORKS.mainnet)).toBe(a);
    const others = [terms({ userSide: 'SLOW' }), terms({ targetHeight: 900_001 }), terms({ deadline: 1_767_225_601 }), terms({ exitDelay: { type: 'blocks', value: 145n } })];
    for (const t of others) expect(taprootAddress(buildBlockDeltaVtxo(t).vtxoScript, NETWORKS.mainnet)).not.toBe(a);
  });

  it('addresses for mainnet, signet and regtest encode the same output key', () => {
    const v = buildBlockDeltaVtxo(terms());
    const prefixes = { mainnet: 'bc1p', signet: 'tb1p', regtest: 'bcrt1p' } as const;
    for (const n of ['mainnet', 'signet', 'regtest'] as const) {
      const addr = taprootAddress(v.vtxoScript, NETWORKS[n]);
      expect(addr.startsWith(prefixes[n])).toBe(true);
      const dec = Address(NETWORKS[n]).decode(addr);
      expect(dec.type === 'tr' && hex.encode(dec.pubkey)).toBe(hex.encode(v.vtxoScript.tweakedPublicKey));
    }
  });

  it('the JSON export lets an auditor rebuild the address: every control block commits to the output key', () => {
    const v = buildBlockDeltaVtxo(terms());
    const ex = JSON.parse(JSON.stringify(exportBlockDeltaVtxo(v, NETWORKS.regtest))) as ReturnType<typeof exportBlockDeltaVtxo>;
    expect(ex.leaves).toHaveLength(6);
    expect(ex.internalKey).toBe('50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0'); // BIP-341 NUMS point H
    for (const l of ex.leaves) {
      expect(controlBlockCommits(hex.decode(l.controlBlock), hex.decode(l.script), hex.decode(ex.outputKey))).toBe(true);
      expect(l.leafHash).toBe(hex.encode(leafHash(hex.decode(l.script))));
    }
    // swapping two leaves' scripts breaks their proofs
    expect(controlBlockCommits(hex.decode(ex.leaves[0]!.controlBlock), hex.decode(ex.leaves[1]!.script), hex.decode(ex.outputKey))).toBe(false);
    expect(hex.encode(VtxoScript.decode(hex.decode(ex.tapTree)).pkScript)).toBe(ex.scriptPubKey);
    expect(ex.scriptPubKey).toBe('5120' + ex.outputKey);
    expect(ex.leaves[4]!.asm).toContain('OP_CHECKLOCKTIMEVERIFY OP_VERIFY');
  });

  it('when S holds the winning side, "winner + S" is S alone (no duplicate key)', () => {
    const v = buildBlockDeltaVtxo(terms({ userSide: 'SLOW' }));
    expect(hex.encode(v.scripts[1]!)).toBe(`${H_LE}b175${push32(S.publicKey)}ac`);
  });

  it('refuses bad terms naming the field', () => {
    const bad: [Partial<BlockDeltaTerms>, string][] = [
      [{ targetHeight: 0 }, 'targetHeight'],
      [{ targetHeight: 500_000_000 }, 'targetHeight'],
      [{ deadline: 499_999_999 }, 'deadline'],
      [{ exitDelay: { type: 'blocks', value: 0n } }, 'exitDelay'],
      [{ exitDelay: { type: 'seconds', value: 1000n } }, 'exitDelay'],
      [{ user: S.publicKey }, 'user'],
      [{ user: new Uint8Array(31) }, 'user'],
      [{ userSide: 'MAYBE' as 'FAST' }, 'userSide'],
    ];
    for (const [o, field] of bad) {
      let err: unknown;
      try {
        buildBlockDeltaVtxo(terms(o));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).field).toBe(field);
    }
  });
});

describe('signatures for every leaf the project signs', () => {
  const v = buildBlockDeltaVtxo(terms());
  const signersOf: Record<number, (typeof U)[]> = { 1: [U, S], 2: [U, S], 3: [S], 4: [U, S], 5: [U], 6: [S] };
  it.each([1, 2, 3, 4, 5, 6])('leaf %i: BIP-340 signatures verify on the BIP-341 script-path message; witness = sigs, script, control block', (n) => {
    const leaf = v.leaf(n);
    const tx = buildLeafSpend({ txid: '42'.repeat(32), vout: 1, amount: 50_000n, pkScript: v.vtxoScript.pkScript, leaf }, { script: v.vtxoScript.pkScript, amount: 49_000n });
    // the leaf's timelocks land on the transaction
    if (n === 2 || n === 5) expect(tx.lockTime).toBe(900_000);
    if (n === 3 || n === 6) expect(tx.lockTime).toBe(1_767_225_600);
    if (n >= 4) expect(tx.getInput(0).sequence).toBe(144);
    for (const k of signersOf[n]!) signLeafInput(tx, 0, [k]);
    const script = v.scripts[n - 1]!;
    const msg = sighashDefault(refOf(tx), 0, leafHash(script));
    const sigs = tx.getInput(0).tapScriptSig!;
    expect(sigs).toHaveLength(signersOf[n]!.length);
    for (const [{ pubKey }, sig] of sigs) expect(schnorr.verify(sig, msg, pubKey)).toBe(true);
    tx.finalize();
    const w = Transaction.fromRaw(tx.extract(), TX_OPTS).getInput(0).finalScriptWitness!;
    expect(hex.encode(w[w.length - 2]!)).toBe(hex.encode(script));
    // script order U then S: S's signature is checked first so it sits on top of the stack (last before the script)
    const keysInScript = signersOf[n]!;
    expect(w.length).toBe(keysInScript.length + 2);
    for (let i = 0; i < keysInScript.length; i++) {
      expect(schnorr.verify(w[keysInScript.length - 1 - i]!, msg, keysInScript[i]!.publicKey)).toBe(true);
    }
  });

  it('plain VTXO: forfeit and exit leaves', () => {
    const p = buildPlainVtxo(U.publicKey, S.publicKey, { type: 'blocks', value: 10n });
    const tx = buildLeafSpend({ txid: '43'.repeat(32), vout: 0, amount: 10_000n, pkScript: p.vtxoScript.pkScript, leaf: p.exit }, { script: p.vtxoScript.pkScript, amount: 9_000n });
    expect(tx.getInput(0).sequence).toBe(10);
    // an ordinary spend paying its own fee (1000 sat here): version 2, no anchor
    expect(tx.version).toBe(2);
    expect(tx.outputsLength).toBe(1);
    expect(() => buildLeafSpend({ txid: '43'.repeat(32), vout: 0, amount: 10_000n, pkScript: p.vtxoScript.pkScript, leaf: p.exit }, { script: p.vtxoScript.pkScript, amount: 10_001n })).toThrow(/exceeds/);
    signLeafInput(tx, 0, [U]);
    const [{ pubKey }, sig] = tx.getInput(0).tapScriptSig![0]!;
    expect(schnorr.verify(sig, sighashDefault(refOf(tx), 0, leafHash(p.scripts[1]!)), pubKey)).toBe(true);
    expect(() => signLeafInput(tx, 0, [S])).toThrow(); // S is not in the exit leaf
  });
});
