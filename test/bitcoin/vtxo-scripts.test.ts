import { describe, it, expect } from 'vitest';
import { hex } from '@scure/base';
import { Address, Transaction } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { ConditionCSVMultisigTapscript, CSVMultisigTapscript, decodeTapscript, MultisigTapscript, VtxoScript, type RelativeTimelock } from '@arkade-os/sdk';
import { keyPairFromSecret, keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { parseCltvCondition } from '../../src/bitcoin/timelocks.js';
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
const T1_LE = '04' + 'ffb85569'; // T − 1 = 1767225599 = 0x6955b8ff, little-endian
const CSV144 = '029000'; // 144 = 0x90, sign bit set -> 2 bytes 90 00

describe('block-delta VTXO (three leaves)', () => {
  it('assembles exactly the scripts of the DESIGN.md table (U FAST, so S is SLOW)', () => {
    const v = buildBlockDeltaVtxo(terms());
    const u = push32(U.publicKey);
    const s = push32(S.publicKey);
    expect(v.scripts.map((x) => hex.encode(x))).toEqual([`${u}ad${s}ac`, `${H_LE}b169${CSV144}b275${u}ac`, `${T1_LE}b169${CSV144}b275${s}ac`]);
    expect(v.fastLockTime).toBe(900_000);
    expect(v.slowLockTime).toBe(1_767_225_599);
  });

  it('U SLOW: the claim keys swap, the locks stay (S holding FAST claims alone only behind CSV(d))', () => {
    const v = buildBlockDeltaVtxo(terms({ userSide: 'SLOW' }));
    const u = push32(U.publicKey);
    const s = push32(S.publicKey);
    expect(hex.encode(v.scripts[0]!)).toBe(`${u}ad${s}ac`);
    expect(hex.encode(v.scripts[1]!)).toBe(`${H_LE}b169${CSV144}b275${s}ac`);
    expect(hex.encode(v.scripts[2]!)).toBe(`${T1_LE}b169${CSV144}b275${u}ac`);
  });

  it('hand-checked vector: fixed keys and numbers, the leaf scripts written out from the opcodes', () => {
    // x-only keys of G and 2G (valid curve points); H = 840000, T = 1700000000, d = 144 blocks.
    const G = hex.decode('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
    const G2 = hex.decode('c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5');
    const v = buildBlockDeltaVtxo({ user: G, operator: G2, userSide: 'FAST', targetHeight: 840_000, deadline: 1_700_000_000, exitDelay: { type: 'blocks', value: 144n } });
    // The SDK's ConditionCSVMultisig is `<condition> OP_VERIFY <CSV multisig>`, so the CLTV comes FIRST:
    // <H> OP_CLTV OP_VERIFY <d> OP_CSV OP_DROP <key> OP_CHECKSIG (not <d> CSV DROP <H> CLTV VERIFY ...).
    //   03 40d10c  push 840000 = 0x0cd140, little-endian
    //   b1 69      OP_CHECKLOCKTIMEVERIFY OP_VERIFY (CLTV leaves H, non-zero, on the stack; VERIFY pops it)
    //   02 9000    push 144 (0x90 has the sign bit, so a zero byte follows)
    //   b2 75      OP_CHECKSEQUENCEVERIFY OP_DROP
    //   20 <G> ac  push32 key, OP_CHECKSIG
    expect(hex.encode(v.scripts[1]!)).toBe('0340d10cb169029000b2752079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ac');
    // leaf 3: T − 1 = 1699999999 = 0x6553f0ff -> 04 fff05365, key 2G (S is SLOW).
    expect(hex.encode(v.scripts[2]!)).toBe('04fff05365b169029000b27520c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5ac');
    expect(hex.encode(v.scripts[0]!)).toBe(
      '2079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ad20c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5ac',
    );
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
    expect(ex.leaves).toHaveLength(3);
    expect(ex.leaves.map((l) => l.name)).toEqual(['cooperative', 'unilateral-claim-fast', 'unilateral-claim-slow']);
    expect(ex.internalKey).toBe('50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0'); // BIP-341 NUMS point H
    for (const l of ex.leaves) {
      expect(controlBlockCommits(hex.decode(l.controlBlock), hex.decode(l.script), hex.decode(ex.outputKey))).toBe(true);
      // This output key has odd parity: the control block starts c1, the leaf version is still c0 (BIP-341 c[0] & 0xfe).
      expect(l.controlBlock.slice(0, 2)).toBe('c1');
      expect(l.leafVersion).toBe(0xc0);
      expect(l.leafHash).toBe(hex.encode(leafHash(hex.decode(l.script))));
    }
    // swapping two leaves' scripts breaks their proofs
    expect(controlBlockCommits(hex.decode(ex.leaves[0]!.controlBlock), hex.decode(ex.leaves[1]!.script), hex.decode(ex.outputKey))).toBe(false);
    expect(hex.encode(VtxoScript.decode(hex.decode(ex.tapTree)).pkScript)).toBe(ex.scriptPubKey);
    expect(ex.scriptPubKey).toBe('5120' + ex.outputKey);
    expect(ex.leaves[1]!.asm).toBe(`a0bb0d OP_CHECKLOCKTIMEVERIFY OP_VERIFY 9000 OP_CHECKSEQUENCEVERIFY OP_DROP ${hex.encode(U.publicKey)} OP_CHECKSIG`);
  });

  it('refuses bad terms naming the field', () => {
    const bad: [Partial<BlockDeltaTerms>, string][] = [
      [{ targetHeight: 0 }, 'targetHeight'],
      [{ targetHeight: 500_000_000 }, 'targetHeight'],
      [{ deadline: 499_999_999 }, 'deadline'],
      [{ deadline: 500_000_000 }, 'deadline'], // T − 1 would be read as a height
      [{ deadline: 2 ** 32 }, 'deadline'],
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
    expect(() => buildBlockDeltaVtxo(terms()).leaf(4 as 1)).toThrow(/leaf: expected 1..3/);
  });
});

describe('block-delta VTXO properties (random U, S, side, H, T, d)', () => {
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n; // secp256k1 group order
  const key = fc.bigInt({ min: 1n, max: N - 1n }).map((k) => keyPairFromSecret(hex.decode(k.toString(16).padStart(64, '0'))).publicKey);
  const delay: fc.Arbitrary<RelativeTimelock> = fc.oneof(
    fc.integer({ min: 1, max: 0xffff }).map((v) => ({ type: 'blocks' as const, value: BigInt(v) })),
    fc.integer({ min: 1, max: 0xffff }).map((v) => ({ type: 'seconds' as const, value: BigInt(v) * 512n })),
  );
  const arbTerms: fc.Arbitrary<BlockDeltaTerms> = fc
    .record({
      user: key,
      operator: key,
      userSide: fc.constantFrom('FAST' as const, 'SLOW' as const),
      targetHeight: fc.integer({ min: 1, max: 499_999_999 }),
      deadline: fc.integer({ min: 500_000_001, max: 0xffffffff }),
      exitDelay: delay,
    })
    .filter((t) => hex.encode(t.user) !== hex.encode(t.operator));
  const RUNS = { numRuns: 60 };
  const eqKey = (a: Uint8Array, b: Uint8Array) => hex.encode(a) === hex.encode(b);
  /** What a leaf demands, read back with the SDK's decoder: keys, CSV, CLTV. */
  const facts = (script: Uint8Array) => {
    const t = decodeTapscript(script);
    const pubkeys = (t.params as { pubkeys: Uint8Array[] }).pubkeys;
    const csv = CSVMultisigTapscript.is(t) || ConditionCSVMultisigTapscript.is(t) ? t.params.timelock : undefined;
    const cltv = ConditionCSVMultisigTapscript.is(t) ? parseCltvCondition(t.params.conditionScript) : undefined;
    return { t, pubkeys, csv, cltv };
  };
  /** a ≥ b as BIP-68 reads them: same unit, value at least b's. */
  const atLeast = (a: RelativeTimelock, b: RelativeTimelock) => a.type === b.type && a.value >= b.value;

  it('(a) every leaf without CSV needs both U and S', () => {
    fc.assert(
      fc.property(arbTerms, (t) => {
        for (const script of buildBlockDeltaVtxo(t).scripts) {
          const f = facts(script);
          if (f.csv) continue;
          expect(f.pubkeys.some((k) => eqKey(k, t.user))).toBe(true);
          expect(f.pubkeys.some((k) => eqKey(k, t.operator))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('(b) every leaf S could satisfy alone carries a CSV of at least d', () => {
    fc.assert(
      fc.property(arbTerms, (t) => {
        let soleS = 0;
        for (const script of buildBlockDeltaVtxo(t).scripts) {
          const f = facts(script);
          if (!f.pubkeys.every((k) => eqKey(k, t.operator))) continue;
          soleS++;
          expect(f.csv && atLeast(f.csv, t.exitDelay)).toBe(true);
        }
        expect(soleS).toBe(1); // S's own claim leaf, whichever side S holds
      }),
      RUNS,
    );
  });

  it('(c) leaf 2 is the FAST party alone, leaf 3 the SLOW party alone; swapping sides swaps the keys, not the locks', () => {
    fc.assert(
      fc.property(arbTerms, (t) => {
        const v = buildBlockDeltaVtxo(t);
        const fast = t.userSide === 'FAST' ? t.user : t.operator;
        const slow = t.userSide === 'FAST' ? t.operator : t.user;
        const [, l2, l3] = v.scripts.map(facts);
        expect(l2!.pubkeys.map((k) => hex.encode(k))).toEqual([hex.encode(fast)]);
        expect(l3!.pubkeys.map((k) => hex.encode(k))).toEqual([hex.encode(slow)]);
        const w = buildBlockDeltaVtxo({ ...t, userSide: t.userSide === 'FAST' ? 'SLOW' : 'FAST' });
        const [w1, w2, w3] = w.scripts.map(facts);
        expect(w2!.pubkeys.map((k) => hex.encode(k))).toEqual([hex.encode(slow)]);
        expect(w3!.pubkeys.map((k) => hex.encode(k))).toEqual([hex.encode(fast)]);
        expect([w2!.cltv, w2!.csv, w3!.cltv, w3!.csv]).toEqual([l2!.cltv, l2!.csv, l3!.cltv, l3!.csv]);
        expect(hex.encode(w.scripts[0]!)).toBe(hex.encode(v.scripts[0]!));
        expect(w1!.csv).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("(d) the SDK's decodeTapscript reads Multisig [U, S], then ConditionCSVMultisig with CLTV H / T − 1 and CSV d", () => {
    fc.assert(
      fc.property(arbTerms, (t) => {
        const v = buildBlockDeltaVtxo(t);
        expect(v.scripts).toHaveLength(3);
        const [l1, l2, l3] = v.scripts.map(facts);
        expect(MultisigTapscript.is(l1!.t)).toBe(true);
        expect(l1!.pubkeys.map((k) => hex.encode(k))).toEqual([hex.encode(t.user), hex.encode(t.operator)]);
        expect(ConditionCSVMultisigTapscript.is(l2!.t) && ConditionCSVMultisigTapscript.is(l3!.t)).toBe(true);
        expect(l2!.cltv).toBe(BigInt(t.targetHeight));
        expect(l3!.cltv).toBe(BigInt(t.deadline - 1));
        expect(l2!.csv).toEqual(t.exitDelay);
        expect(l3!.csv).toEqual(t.exitDelay);
        expect([v.fastLockTime, v.slowLockTime]).toEqual([t.targetHeight, t.deadline - 1]);
      }),
      RUNS,
    );
  });
});

describe('signatures for every leaf the project signs', () => {
  const v = buildBlockDeltaVtxo(terms());
  // U FAST: leaf 2 is U's claim, leaf 3 S's.
  const signersOf: Record<1 | 2 | 3, (typeof U)[]> = { 1: [U, S], 2: [U], 3: [S] };
  it.each([1, 2, 3] as const)('leaf %i: BIP-340 signatures verify on the BIP-341 script-path message; witness = sigs, script, control block', (n) => {
    const leaf = v.leaf(n);
    const tx = buildLeafSpend({ txid: '42'.repeat(32), vout: 1, amount: 50_000n, pkScript: v.vtxoScript.pkScript, leaf }, { script: v.vtxoScript.pkScript, amount: 49_000n });
    // the leaf's timelocks land on the transaction: CLTV H or T − 1 as nLockTime, CSV d as the BIP-68 sequence
    expect(tx.lockTime).toBe({ 1: 0, 2: 900_000, 3: 1_767_225_599 }[n]);
    if (n === 1) expect(tx.getInput(0).sequence).not.toBe(144);
    else expect(tx.getInput(0).sequence).toBe(144);
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
