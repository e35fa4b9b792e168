import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { p2tr, Transaction, SigHash, TaprootControlBlock } from '@scure/btc-signer';
import type { TaprootScriptTree } from '@scure/btc-signer/payment.js';
import { taprootTweakPrivKey } from '@scure/btc-signer/utils.js';
import { bech32m, hex } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { branchHash, compactSize, controlBlockCommits, leafHash, sighashDefault, sigMsg, tagged, tweakKey, type RefTx } from './bip341-ref.js';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { TX_OPTS } from '../../src/bitcoin/tx.js';

// bitcoin/bips bip-0341/wallet-test-vectors.json, verbatim: the whole file, pinned by its sha256.
const FIXTURE = new URL('./fixtures/bip-0341-wallet-test-vectors.json', import.meta.url);
const FIXTURE_SHA256 = '403e19fb81dd1f31e745699216308f61fb403774b2aafa87b631b8f7c042d37f';
const fixtureBytes = readFileSync(FIXTURE);

type Leaf = { id: number; script: string; leafVersion: number };
type Tree = Leaf | Tree[];
interface SpkVector {
  given: { internalPubkey: string; scriptTree: Tree | null };
  intermediary: { leafHashes?: string[]; merkleRoot: string | null; tweak: string; tweakedPubkey: string };
  expected: { scriptPubKey: string; bip350Address: string; scriptPathControlBlocks?: string[] };
}
interface InputSpending {
  given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null; hashType: number };
  intermediary: { internalPubkey: string; tweak: string; tweakedPrivkey: string; sigMsg: string; precomputedUsed: string[]; sigHash: string };
  expected: { witness: string[] };
}
interface KeyPathVector {
  given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
  intermediary: Record<'hashAmounts' | 'hashOutputs' | 'hashPrevouts' | 'hashScriptPubkeys' | 'hashSequences', string>;
  inputSpending: InputSpending[];
  auxiliary: { fullySignedTx: string };
}
const fixture = JSON.parse(new TextDecoder().decode(fixtureBytes)) as { version: number; scriptPubKey: SpkVector[]; keyPathSpending: KeyPathVector[] };

const leavesOf = (t: Tree): Leaf[] => (Array.isArray(t) ? t.flatMap(leavesOf) : [t]);

/** Reference tree walk (bip341-ref only): node hash, and each leaf's sibling path upward. */
function refTree(t: Tree): { hash: Uint8Array; paths: Map<number, Uint8Array[]> } {
  if (!Array.isArray(t)) return { hash: leafHash(hex.decode(t.script), t.leafVersion), paths: new Map([[t.id, []]]) };
  const [a, b] = t.map(refTree) as [ReturnType<typeof refTree>, ReturnType<typeof refTree>];
  const paths = new Map<number, Uint8Array[]>();
  for (const [id, p] of a.paths) paths.set(id, [...p, b.hash]);
  for (const [id, p] of b.paths) paths.set(id, [...p, a.hash]);
  return { hash: branchHash(a.hash, b.hash), paths };
}

const toSignerTree = (t: Tree): TaprootScriptTree => (Array.isArray(t) ? t.map(toSignerTree) : { script: hex.decode(t.script), leafVersion: t.leafVersion });

/** Parity of the y of the tweaked key Q = P + t·G (reference arithmetic). */
function outputParity(internal: Uint8Array, merkleRoot: Uint8Array | undefined): number {
  const t = tagged('TapTweak', internal, merkleRoot ?? new Uint8Array(0));
  const Q = schnorr.utils.lift_x(BigInt('0x' + hex.encode(internal))).add(secp256k1.Point.BASE.multiply(BigInt('0x' + hex.encode(t))));
  return Number(Q.toAffine().y & 1n);
}

describe('BIP-341 wallet test vectors: the official file', () => {
  it('is bitcoin/bips bip-0341/wallet-test-vectors.json verbatim (sha256 pinned), every entry', () => {
    expect(hex.encode(sha256(fixtureBytes))).toBe(FIXTURE_SHA256);
    expect(fixture.version).toBe(1);
    expect(fixture.scriptPubKey).toHaveLength(7);
    expect(fixture.keyPathSpending).toHaveLength(1);
    expect(fixture.keyPathSpending[0].inputSpending).toHaveLength(7);
  });
});

describe('BIP-341 wallet test vectors (scriptPubKey)', () => {
  it.each(fixture.scriptPubKey.map((v, i) => ({ i, v })))('vector $i: tweak, merkle root, key, script, address and control blocks', ({ v }) => {
    const P = hex.decode(v.given.internalPubkey);
    const tree = v.given.scriptTree;
    const ref = tree ? refTree(tree) : undefined;
    const root = ref?.hash;
    // Reference (written from the BIP)
    if (tree) {
      const leaves = leavesOf(tree).sort((a, b) => a.id - b.id);
      expect(leaves.map((l) => hex.encode(leafHash(hex.decode(l.script), l.leafVersion)))).toEqual(v.intermediary.leafHashes);
    }
    expect(root ? hex.encode(root) : null).toBe(v.intermediary.merkleRoot);
    expect(hex.encode(tagged('TapTweak', P, root ?? new Uint8Array()))).toBe(v.intermediary.tweak);
    const Q = tweakKey(P, root);
    expect(hex.encode(Q)).toBe(v.intermediary.tweakedPubkey);
    expect('5120' + hex.encode(Q)).toBe(v.expected.scriptPubKey);
    expect(bech32m.encode('bc', [1, ...bech32m.toWords(Q)])).toBe(v.expected.bip350Address);
    const parity = outputParity(P, root);
    const refBlocks = tree
      ? leavesOf(tree)
          .sort((a, b) => a.id - b.id)
          .map((l) => hex.encode(Uint8Array.from([l.leafVersion | parity, ...P, ...ref!.paths.get(l.id)!.flatMap((h) => [...h])])))
      : undefined;
    expect(refBlocks).toEqual(v.expected.scriptPathControlBlocks);
    for (const [k, cb] of (v.expected.scriptPathControlBlocks ?? []).entries()) {
      const leaf = leavesOf(tree!).find((l) => l.id === k)!;
      expect(controlBlockCommits(hex.decode(cb), hex.decode(leaf.script), Q)).toBe(true);
      // a wrong parity bit must not verify: the check can fail
      const bad = hex.decode(cb);
      bad[0] = bad[0]! ^ 1;
      expect(controlBlockCommits(bad, hex.decode(leaf.script), Q)).toBe(false);
    }

    // @scure/btc-signer
    const pay = tree ? p2tr(P, toSignerTree(tree), undefined, true) : p2tr(P);
    expect(hex.encode(pay.script)).toBe(v.expected.scriptPubKey);
    expect(pay.address).toBe(v.expected.bip350Address);
    expect(hex.encode(pay.tweakedPubkey)).toBe(v.intermediary.tweakedPubkey);
    if (tree) {
      const withTree = p2tr(P, toSignerTree(tree), undefined, true);
      expect(hex.encode(withTree.tapMerkleRoot)).toBe(v.intermediary.merkleRoot);
      // btc-signer's control block for each leaf script, in the vector's leaf order
      const bySigner = new Map(withTree.tapLeafScript!.map(([cb, scriptVer]) => [hex.encode(scriptVer), hex.encode(TaprootControlBlock.encode(cb))]));
      const leaves = leavesOf(tree).sort((a, b) => a.id - b.id);
      expect(leaves.map((l) => bySigner.get(l.script + l.leafVersion.toString(16).padStart(2, '0')))).toEqual(v.expected.scriptPathControlBlocks);
    } else expect(tree).toBeNull();
  });
});

/** A legacy-serialized unsigned transaction, parsed by hand (no library): what the reference signs. */
function parseRawTx(raw: Uint8Array): Omit<RefTx, 'inputs'> & { inputs: { txid: string; vout: number; sequence: number }[] } {
  let o = 0;
  const u32 = (): number => {
    const v = raw[o] | (raw[o + 1] << 8) | (raw[o + 2] << 16) | (raw[o + 3] << 24);
    o += 4;
    return v >>> 0;
  };
  const u64 = (): bigint => BigInt(u32()) + (BigInt(u32()) << 32n);
  const varint = (): number => {
    const b = raw[o++];
    if (b < 253) return b;
    if (b === 253) return raw[o++] | (raw[o++] << 8);
    throw new Error('varint too large for a test vector');
  };
  const bytes = (n: number): Uint8Array => raw.slice(o, (o += n));
  const version = u32();
  const inputs = Array.from({ length: varint() }, () => {
    const txid = hex.encode(bytes(32).reverse());
    const vout = u32();
    bytes(varint()); // scriptSig (empty: unsigned)
    return { txid, vout, sequence: u32() };
  });
  const outputs = Array.from({ length: varint() }, () => ({ amount: u64(), script: bytes(varint()) }));
  const lockTime = u32();
  expect(o).toBe(raw.length);
  return { version, lockTime, inputs, outputs };
}

describe('BIP-341 wallet test vectors (keyPathSpending)', () => {
  const kv = fixture.keyPathSpending.flatMap((k, t) => k.inputSpending.map((s, j) => ({ t, j, k, s })));
  const refTxOf = (k: KeyPathVector): RefTx => {
    const p = parseRawTx(hex.decode(k.given.rawUnsignedTx));
    return { ...p, inputs: p.inputs.map((i, n) => ({ ...i, amount: BigInt(k.given.utxosSpent[n].amountSats), script: hex.decode(k.given.utxosSpent[n].scriptPubKey) })) };
  };

  it.each(fixture.keyPathSpending.map((k, t) => ({ t, k })))('transaction $t: the precomputed hashes from the parsed transaction', ({ k }) => {
    const tx = refTxOf(k);
    const le32 = (n: number) => Uint8Array.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255]);
    const le64 = (n: bigint) => Uint8Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));
    const cat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
    const ser = (b: Uint8Array) => cat([compactSize(b.length), b]);
    expect(hex.encode(sha256(cat(tx.inputs.map((i) => cat([hex.decode(i.txid).reverse(), le32(i.vout)])))))).toBe(k.intermediary.hashPrevouts);
    expect(hex.encode(sha256(cat(tx.inputs.map((i) => le64(i.amount)))))).toBe(k.intermediary.hashAmounts);
    expect(hex.encode(sha256(cat(tx.inputs.map((i) => ser(i.script)))))).toBe(k.intermediary.hashScriptPubkeys);
    expect(hex.encode(sha256(cat(tx.inputs.map((i) => le32(i.sequence)))))).toBe(k.intermediary.hashSequences);
    expect(hex.encode(sha256(cat(tx.outputs.map((o) => cat([le64(o.amount), ser(o.script)])))))).toBe(k.intermediary.hashOutputs);
  });

  // The vector's second output script (ac9a87f5…) holds opcodes btc-signer does not know: no script check.
  const VECTOR_TX_OPTS = { ...TX_OPTS, disableScriptCheck: true };
  it.each(kv)('transaction $t input spending $j: keys, tweak, sigMsg and sighash per hashType, signature and witness', ({ k, s }) => {
    const { txinIndex: idx, hashType } = s.given;
    const priv = hex.decode(s.given.internalPrivkey);
    const root = s.given.merkleRoot === null ? undefined : hex.decode(s.given.merkleRoot);
    const P = schnorr.getPublicKey(priv);
    expect(hex.encode(P)).toBe(s.intermediary.internalPubkey);
    expect(hex.encode(tagged('TapTweak', P, root ?? new Uint8Array()))).toBe(s.intermediary.tweak);

    // Tweaked private key: the reference (negate d for an odd-y P, add t mod n) and btc-signer.
    const n = secp256k1.Point.CURVE().n;
    const d0 = BigInt('0x' + s.given.internalPrivkey);
    const d = secp256k1.Point.BASE.multiply(d0).toAffine().y & 1n ? n - d0 : d0;
    const tweaked = (d + BigInt('0x' + s.intermediary.tweak)) % n;
    expect(tweaked.toString(16).padStart(64, '0')).toBe(s.intermediary.tweakedPrivkey);
    expect(hex.encode(taprootTweakPrivKey(priv, root ?? new Uint8Array()))).toBe(s.intermediary.tweakedPrivkey);

    // The signature message (reference) and the sighash (reference and btc-signer).
    const ref = refTxOf(k);
    const msg = sigMsg(ref, idx, hashType);
    expect(hex.encode(msg)).toBe(s.intermediary.sigMsg);
    for (const name of ['hashAmounts', 'hashOutputs', 'hashPrevouts', 'hashScriptPubkeys', 'hashSequences'] as const)
      expect(s.intermediary.sigMsg.includes(k.intermediary[name]), name).toBe(s.intermediary.precomputedUsed.includes(name));
    expect(hex.encode(tagged('TapSighash', msg))).toBe(s.intermediary.sigHash);
    const tx = Transaction.fromRaw(hex.decode(k.given.rawUnsignedTx), VECTOR_TX_OPTS);
    const scripts = k.given.utxosSpent.map((u) => hex.decode(u.scriptPubKey));
    const amounts = k.given.utxosSpent.map((u) => BigInt(u.amountSats));
    expect(hex.encode(tx.preimageWitnessV1(idx, scripts, hashType, amounts))).toBe(s.intermediary.sigHash);

    // The witness: BIP-340 with 32 zero bytes of aux rand is deterministic; the hash type byte follows unless DEFAULT.
    const aux = new Uint8Array(32);
    const sig = schnorr.sign(hex.decode(s.intermediary.sigHash), hex.decode(s.intermediary.tweakedPrivkey), aux);
    const witness = [hex.encode(sig) + (hashType === SigHash.DEFAULT ? '' : hashType.toString(16).padStart(2, '0'))];
    expect(witness).toEqual(s.expected.witness);
    expect(schnorr.verify(sig, hex.decode(s.intermediary.sigHash), scripts[idx].subarray(2))).toBe(true);

    // btc-signer signs the same input end to end and finalizes the same witness.
    for (let i = 0; i < scripts.length; i++) tx.updateInput(i, { witnessUtxo: { script: scripts[i], amount: amounts[i] } });
    tx.updateInput(idx, { tapInternalKey: P, ...(root ? { tapMerkleRoot: root } : {}), sighashType: hashType });
    expect(tx.signIdx(priv, idx, [hashType], aux)).toBe(true);
    tx.finalizeIdx(idx);
    expect(tx.getInput(idx).finalScriptWitness!.map((w) => hex.encode(w))).toEqual(s.expected.witness);

    // The fully signed transaction of the vector carries that witness at that input.
    const full = Transaction.fromRaw(hex.decode(k.auxiliary.fullySignedTx), VECTOR_TX_OPTS);
    expect(full.getInput(idx).finalScriptWitness!.map((w) => hex.encode(w))).toEqual(s.expected.witness);
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
