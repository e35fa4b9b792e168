/**
 * The operator's side of the vtxo tree's MuSig2 (BIP-327) signing, ported from arkd's
 * treeCoordinatorSession + the operator's own treeSignerSession (pkg/ark-lib/tree/musig2.go).
 *
 * Every tree tx is a key-path spend of a MuSig2 key over its cosigners (the users of the leaves below
 * it plus the operator), tweaked by the sweep tapscript root. The operator is one participant: it
 * collects every cosigner's public nonces, aggregates them per tx, signs its own share only once all
 * nonces are in, verifies every user's partial signature as it arrives, and finally sums the shares
 * into one BIP340 signature per tx, checked against the tx's taproot sighash before it is kept.
 *
 * A round drives it as arkd does (service.go startFinalization / handler.listenToEvents):
 *   TreeSigningStarted { cosignersPubkeys: userCosignerKeys(), unsignedCommitmentTx } →
 *   addNonces(pubkey, nonces) per SubmitTreeNonces → once hasAllNonces(): one TreeNonces event per
 *   tx { txid, nonces: noncesFor(txid), topic: cosignerTopic(node) } → addSignatures per
 *   SubmitTreeSignatures (a refusal is arkd's ban) → once hasAllSignatures(): finalize(), then one
 *   TreeSignature event per tx from signatures() → BatchFinalization.
 *
 * Nonce safety: a cosigner's nonces are frozen once given, and the operator signs each tx exactly
 * once with a fresh secret nonce that is dropped right after. Signing twice with one secret nonce
 * under two different aggregate nonces would reveal the operator's key; this session cannot do it.
 */
import type { TxTree } from '@arkade-os/sdk';
import { CosignerPublicKey, getArkPsbtFields } from '@arkade-os/sdk';
import { SigHash, type Transaction } from '@scure/btc-signer';
import * as musig from '@scure/btc-signer/musig2.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { hex } from '@scure/base';
import { HashPerpError, InvalidArgumentError } from '../../units/errors.js';
import { keyAggregateSorted, p2trScript, treeNodes, type PointCache } from './tree-builder.js';

interface TxSigning {
  txid: string;
  tx: Transaction;
  /** The tx's cosigners in PSBT field order (33-byte compressed). */
  cosigners: Uint8Array[];
  /** BIP327 key order (sorted compressed keys, hex), as the SDK and arkd both sign with sorted keys. */
  sortedHex: string[];
  sortedX: string[];
  /** KeyAgg point before the tweak, the TapTweak scalar, and the tweaked aggregate Q. */
  pre: Point;
  tweak: bigint;
  Q: Point;
  /** x-only output key the signature must verify against. */
  outputKey: Uint8Array;
  /** BIP341 SIGHASH_DEFAULT message of input 0. */
  message: Uint8Array;
}

/** x-only hex of a key given as 33-byte compressed or 32-byte x-only hex. */
function xOnlyHex(field: string, pubkey: string): string {
  if (typeof pubkey !== 'string') throw new InvalidArgumentError(field, 'expected a hex public key');
  const k = pubkey.toLowerCase();
  if (/^0[23][0-9a-f]{64}$/.test(k)) return k.slice(2);
  if (/^[0-9a-f]{64}$/.test(k)) return k;
  throw new InvalidArgumentError(field, 'expected a 33-byte compressed (or 32-byte x-only) key in hex');
}

function decodeHex(s: unknown, bytes: number): Uint8Array | undefined {
  if (typeof s !== 'string' || s.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  return hex.decode(s.toLowerCase());
}

function refuse(code: 'tree_nonce_refused' | 'tree_signature_refused', field: string, message: string): never {
  throw new HashPerpError(code, message, { field });
}

/** A public nonce, kept decoded: it is summed into the aggregate nonce and used again to verify a share. */
interface PubNonce {
  bytes: Uint8Array;
  R1: Point;
  R2: Point;
}

/** A public nonce is two compressed points (BIP327 NonceAgg refuses anything else). */
function parsePubNonce(s: unknown): PubNonce | undefined {
  const bytes = decodeHex(s, 66);
  if (!bytes) return undefined;
  try {
    return { bytes, R1: Pt.fromBytes(bytes.subarray(0, 33)), R2: Pt.fromBytes(bytes.subarray(33)) };
  } catch {
    return undefined;
  }
}

/** BIP327 NonceAgg: the two sums, each encoded as cbytes_ext (infinity as 33 zero bytes). */
function nonceAggregate(nonces: readonly PubNonce[]): Uint8Array {
  const enc = (p: Point) => (p.equals(Pt.ZERO) ? new Uint8Array(33) : p.toBytes(true));
  const out = new Uint8Array(66);
  out.set(enc(nonces.reduce((a, n) => a.add(n.R1), Pt.ZERO)), 0);
  out.set(enc(nonces.reduce((a, n) => a.add(n.R2), Pt.ZERO)), 33);
  return out;
}

type Point = InstanceType<typeof secp256k1.Point>;
const Pt = secp256k1.Point;
const N = Pt.Fn.ORDER;
const mod = (a: bigint): bigint => ((a % N) + N) % N;
const hashInt = (tag: string, ...parts: Uint8Array[]): bigint => mod(bytesToNumberBE(schnorr.utils.taggedHash(tag, ...parts)));
const hasEvenY = (p: Point): boolean => p.toAffine().y % 2n === 0n;
const xBytes = (p: Point): Uint8Array => p.toBytes(true).subarray(1);
/** BIP327 cpoint_ext: 33 zero bytes is the point at infinity (an aggregate nonce may be). */
const pointExt = (b: Uint8Array): Point => (b.every((x) => x === 0) ? Pt.ZERO : Pt.fromBytes(b));

/**
 * BIP327 session values of one tx (GetSessionValues after KeyAgg and one x-only ApplyTweak), from
 * public data only. Verification, aggregation and the operator's share are computed from these with
 * variable-time point arithmetic on public points: scure's Session recomputes KeyAgg with a
 * constant-time multiplication per key for every tx, which dominates a 100-leaf round.
 */
class TxSession {
  readonly b: bigint;
  readonly R: Point;
  readonly e: bigint;
  /** g (Q's parity) times gacc, and tacc: the tweak bookkeeping of BIP327. */
  readonly gTotal: bigint;
  readonly tacc: bigint;
  private readonly L: Uint8Array;
  private readonly secondKey: string | undefined;

  constructor(
    private readonly sortedHex: readonly string[],
    pre: Point,
    tweak: bigint,
    readonly Q: Point,
    aggNonce: Uint8Array,
    msg: Uint8Array,
  ) {
    const gacc = hasEvenY(pre) ? 1n : N - 1n;
    this.tacc = tweak;
    this.gTotal = mod((hasEvenY(Q) ? 1n : N - 1n) * gacc);
    this.b = hashInt('MuSig/noncecoef', aggNonce, xBytes(Q), msg);
    const R1 = pointExt(aggNonce.subarray(0, 33));
    const R2 = pointExt(aggNonce.subarray(33));
    const R = R1.add(R2.multiplyUnsafe(this.b));
    this.R = R.equals(Pt.ZERO) ? Pt.BASE : R;
    this.e = hashInt('BIP0340/challenge', xBytes(this.R), xBytes(Q), msg);
    this.L = schnorr.utils.taggedHash('KeyAgg list', ...sortedHex.map((k) => hex.decode(k)));
    this.secondKey = sortedHex.find((k) => k !== sortedHex[0]);
  }

  coefficient(pkHex: string): bigint {
    return pkHex === this.secondKey ? 1n : hashInt('KeyAgg coefficient', this.L, hex.decode(pkHex));
  }

  /** BIP327 PartialSigVerifyInternal. */
  verify(psig: Uint8Array, pubNonce: PubNonce, pk: Point, pkHex: string): boolean {
    const s = bytesToNumberBE(psig);
    if (s >= N) return false;
    const Rs_ = pubNonce.R1.add(pubNonce.R2.multiplyUnsafe(this.b));
    const Rs = hasEvenY(this.R) ? Rs_ : Rs_.negate();
    const c = mod(this.e * this.coefficient(pkHex) * this.gTotal);
    const right = c === 0n ? Rs : Rs.add(pk.multiplyUnsafe(c));
    return (s === 0n ? Pt.ZERO : Pt.BASE.multiply(s)).equals(right);
  }

  /**
   * PartialSigVerifyInternal's equation s*G = ±(R1 + b*R2) + c*P split into the scalars of each
   * point, for a batch check. Undefined when s is out of range (that share fails on its own).
   */
  terms(psig: Uint8Array, pubNonce: PubNonce, pkHex: string): { s: bigint; r1: bigint; r2: bigint; c: bigint; R1: Point; R2: Point } | undefined {
    const s = bytesToNumberBE(psig);
    if (s >= N) return undefined;
    const sign = hasEvenY(this.R) ? 1n : N - 1n;
    return { s, r1: sign, r2: mod(sign * this.b), c: mod(this.e * this.coefficient(pkHex) * this.gTotal), R1: pubNonce.R1, R2: pubNonce.R2 };
  }

  /** BIP327 Sign: k1 + b*k2 + e*a*d, the nonces negated for an odd R, the key for the tweak parity. */
  sign(secNonce: Uint8Array, sk: Uint8Array, pkHex: string): Uint8Array {
    const k1_ = bytesToNumberBE(secNonce.subarray(0, 32));
    const k2_ = bytesToNumberBE(secNonce.subarray(32, 64));
    if (k1_ === 0n || k1_ >= N || k2_ === 0n || k2_ >= N) throw new Error('invalid secret nonce');
    const even = hasEvenY(this.R);
    const k1 = even ? k1_ : N - k1_;
    const k2 = even ? k2_ : N - k2_;
    const d = mod(this.gTotal * bytesToNumberBE(sk));
    return numberToBytesBE(mod(k1 + this.b * k2 + this.e * this.coefficient(pkHex) * d), 32);
  }

  /** BIP327 PartialSigAgg: the BIP340 signature (R, sum of shares + e*g*tacc). */
  aggregate(psigs: readonly Uint8Array[]): Uint8Array {
    let s = 0n;
    for (const p of psigs) s = mod(s + bytesToNumberBE(p));
    s = mod(s + this.e * (hasEvenY(this.Q) ? 1n : N - 1n) * this.tacc);
    const out = new Uint8Array(64);
    out.set(xBytes(this.R), 0);
    out.set(numberToBytesBE(s, 32), 32);
    return out;
  }
}

export class TreeSigningSession {
  private readonly txs = new Map<string, TxSigning>();
  /** x-only hex → the txids it cosigns (in tree order). */
  private readonly keyTxids = new Map<string, string[]>();
  private readonly operatorX: string;
  /** x-only hex → txid → public nonce. */
  private readonly nonces = new Map<string, Map<string, PubNonce>>();
  /** Decompressed cosigner keys by hex compressed key. */
  private readonly points = new Map<string, Point>();
  /** x-only hex → txid → partial signature (32 bytes). */
  private readonly sigs = new Map<string, Map<string, Uint8Array>>();
  private readonly operatorSecNonces = new Map<string, Uint8Array>();
  private aggNonces: Map<string, Uint8Array> | undefined;
  private sessions: Map<string, TxSession> | undefined;
  private finalized: TxTree | undefined;

  constructor(
    private readonly tree: TxTree,
    sweepRoot: Uint8Array,
    batchOutputAmount: bigint,
    private readonly operatorSecretKey: Uint8Array,
  ) {
    if (sweepRoot.length !== 32) throw new InvalidArgumentError('sweepRoot', 'expected a 32-byte tapscript root');
    if (typeof batchOutputAmount !== 'bigint' || batchOutputAmount <= 0n) throw new InvalidArgumentError('batchOutputAmount', 'expected a positive bigint');
    const operatorPub = secp256k1.getPublicKey(operatorSecretKey, true);
    const operatorHex = hex.encode(operatorPub);
    this.operatorX = operatorHex.slice(2);

    // Parents come before children, so each child's prevout is the parent output already seen.
    const outputsOf = new Map<string, Transaction>();
    const cache: PointCache = new Map();
    for (const node of treeNodes(tree)) {
      const tx = node.root;
      const txid = node.txid;
      const cosigners = getArkPsbtFields(tx, 0, CosignerPublicKey).map((c) => c.key);
      if (cosigners.length < 2) throw new InvalidArgumentError('tree', `tx ${txid} has ${cosigners.length} cosigner(s); a tree tx needs the operator and at least one user`);
      const xs = cosigners.map((k) => hex.encode(k.subarray(1)));
      if (new Set(xs).size !== xs.length) throw new InvalidArgumentError('tree', `tx ${txid} lists a cosigner twice`);
      if (!xs.includes(this.operatorX)) throw new InvalidArgumentError('tree', `tx ${txid} does not include the operator's key among its cosigners`);
      // KeyAgg uses the full compressed key: the operator listed with the wrong parity is another key.
      if (!cosigners.some((k) => hex.encode(k) === operatorHex)) throw new InvalidArgumentError('tree', `tx ${txid} lists the operator's key with the wrong parity`);

      const sortedKeys = musig.sortKeys([...cosigners]);
      const pre = Pt.fromBytes(keyAggregateSorted(sortedKeys, cache));
      // BIP327 ApplyTweak (x-only): Q = g*pre + t*G, t = TapTweak(x(pre) || root), as BIP341 tweaks lift_x(x(pre))
      const tweak = hashInt('TapTweak', xBytes(pre), sweepRoot);
      const Q = (hasEvenY(pre) ? pre : pre.negate()).add(Pt.BASE.multiply(tweak));
      const outputKey = xBytes(Q);
      const script = p2trScript(outputKey);
      const input = tx.getInput(0);
      let amount: bigint;
      if (node === tree) {
        amount = batchOutputAmount;
      } else {
        const parent = outputsOf.get(hex.encode(input.txid!));
        const out = parent?.getOutput(input.index!);
        if (!out?.script || out.amount === undefined) throw new InvalidArgumentError('tree', `tx ${txid} spends no output of its parent`);
        // arkd signs against the parent's real output; it must be the key these cosigners aggregate to.
        if (hex.encode(out.script) !== hex.encode(script)) throw new InvalidArgumentError('tree', `tx ${txid}: parent output script is not its cosigners' aggregate key`);
        amount = out.amount;
      }
      outputsOf.set(txid, tx);

      this.txs.set(txid, {
        txid,
        tx,
        cosigners,
        sortedHex: sortedKeys.map((k) => hex.encode(k)),
        sortedX: sortedKeys.map((k) => hex.encode(k.subarray(1))),
        pre,
        tweak,
        Q,
        outputKey,
        message: tx.preimageWitnessV1(0, [script], SigHash.DEFAULT, [amount]),
      });
      for (const x of xs) {
        const list = this.keyTxids.get(x) ?? [];
        list.push(txid);
        this.keyTxids.set(x, list);
      }
    }

    // The operator's nonces exist from the start (arkd adds them before the users'); its secret
    // nonces are only used once every cosigner's nonce is in.
    const mine = new Map<string, PubNonce>();
    for (const txid of this.keyTxids.get(this.operatorX)!) {
      const n = musig.nonceGen(operatorPub, operatorSecretKey);
      this.operatorSecNonces.set(txid, n.secret);
      mine.set(txid, parsePubNonce(hex.encode(n.public))!);
    }
    this.nonces.set(this.operatorX, mine);
  }

  /** Every cosigner key of the tree, hex compressed, the operator's included. */
  cosignerKeys(): string[] {
    const out = new Map<string, string>();
    for (const t of this.txs.values()) for (const k of t.cosigners) out.set(hex.encode(k.subarray(1)), hex.encode(k));
    return [...out.values()];
  }

  /** The users' cosigner keys, hex compressed: arkd's TreeSigningStarted.cosignersPubkeys (the operator's is not in it). */
  userCosignerKeys(): string[] {
    return this.cosignerKeys().filter((k) => k.slice(2) !== this.operatorX);
  }

  /** The users' keys still owing nonces (hex compressed). */
  missingNonces(): string[] {
    return this.cosignerKeys().filter((k) => !this.nonces.has(k.slice(2)));
  }

  /** The users' keys still owing partial signatures (hex compressed). */
  missingSignatures(): string[] {
    return this.cosignerKeys().filter((k) => k.slice(2) !== this.operatorX && !this.sigs.has(k.slice(2)));
  }

  /** The operator's public nonces: txid → hex 66-byte nonce. */
  operatorNonces(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [txid, n] of this.nonces.get(this.operatorX)!) out[txid] = hex.encode(n.bytes);
    return out;
  }

  /**
   * A cosigner's public nonces (SubmitTreeNonces): exactly one per tx it cosigns, each two valid
   * points. Given once: a second submission is refused even if identical in part, so no nonce the
   * operator has signed against can change.
   */
  addNonces(pubkey: string, nonces: Record<string, string>): void {
    const x = xOnlyHex('pubkey', pubkey);
    const txids = this.keyTxids.get(x);
    if (!txids) refuse('tree_nonce_refused', 'pubkey', `${pubkey} is not a cosigner of this tree`);
    if (x === this.operatorX) refuse('tree_nonce_refused', 'pubkey', `${pubkey} is the operator's key; its nonces are the session's own`);
    if (this.nonces.has(x)) refuse('tree_nonce_refused', 'pubkey', `nonces for ${pubkey} were already submitted`);
    if (typeof nonces !== 'object' || nonces === null) refuse('tree_nonce_refused', 'treeNonces', 'expected a map txid → nonce');
    const got = new Map<string, PubNonce>();
    for (const txid of txids) {
      if (!Object.hasOwn(nonces, txid)) refuse('tree_nonce_refused', 'treeNonces', `missing nonce of ${pubkey} for tx ${txid}`);
      const n = parsePubNonce(nonces[txid]);
      if (!n) refuse('tree_nonce_refused', 'treeNonces', `nonce of ${pubkey} for tx ${txid} is not two compressed points (66 bytes hex)`);
      got.set(txid, n);
    }
    for (const txid of Object.keys(nonces)) {
      if (!got.has(txid)) refuse('tree_nonce_refused', 'treeNonces', `${pubkey} is not a cosigner of tx ${txid}`);
    }
    this.nonces.set(x, got);
    if (this.hasAllNonces()) this.aggregateAndSign();
  }

  hasAllNonces(): boolean {
    return this.nonces.size === this.keyTxids.size;
  }

  /**
   * One tx's public nonces by x-only cosigner key (TreeNonces event, what the SDK's
   * aggregatedNonces(txid, ...) takes). Only once every cosigner of that tx has given its nonce.
   */
  noncesFor(txid: string): Record<string, string> {
    const t = this.txs.get(txid);
    if (!t) throw new InvalidArgumentError('txid', `${txid} is not a tx of this tree`);
    const out: Record<string, string> = {};
    for (const k of t.cosigners) {
      const x = hex.encode(k.subarray(1));
      const n = this.nonces.get(x)?.get(txid);
      if (!n) throw new HashPerpError('tree_signing_incomplete', `tx ${txid}: cosigner ${hex.encode(k)} has not sent its nonce`, { field: 'txid' });
      out[x] = hex.encode(n.bytes);
    }
    return out;
  }

  /** Aggregate nonces per tx, then the operator's own partial signatures; secret nonces dropped after. */
  private aggregateAndSign(): void {
    const aggNonces = new Map<string, Uint8Array>();
    const sessions = new Map<string, TxSession>();
    const operatorHex = hex.encode(secp256k1.getPublicKey(this.operatorSecretKey, true));
    const mine = new Map<string, Uint8Array>();
    for (const t of this.txs.values()) {
      const agg = nonceAggregate(t.sortedX.map((x) => this.nonces.get(x)!.get(t.txid)!));
      const session = new TxSession(t.sortedHex, t.pre, t.tweak, t.Q, agg, t.message);
      aggNonces.set(t.txid, agg);
      sessions.set(t.txid, session);
      const sec = this.operatorSecNonces.get(t.txid)!;
      this.operatorSecNonces.delete(t.txid);
      const share = session.sign(sec, this.operatorSecretKey, operatorHex);
      sec.fill(0);
      // Not verified here (two point multiplications per tx, a fifth of a 100-leaf round's signing
      // work): the share never leaves the operator on its own, and finalize() checks every
      // aggregate against its sighash before any is published, after every user share was checked.
      mine.set(t.txid, share);
    }
    this.aggNonces = aggNonces;
    this.sessions = sessions;
    this.sigs.set(this.operatorX, mine);
  }

  /** The aggregate nonce of a tx (arkd's deprecated TreeNoncesAggregated), once all nonces are in. */
  aggregatedNonce(txid: string): string {
    const a = this.aggNonces?.get(txid);
    if (!a) throw new HashPerpError('tree_signing_incomplete', `tx ${txid}: nonces are not all in`, { field: 'txid' });
    return hex.encode(a);
  }

  /**
   * A cosigner's partial signatures (SubmitTreeSignatures): one per tx it cosigns, each verified
   * (BIP327 PartialSigVerify) against its own nonce and key before any is kept. A refusal names the
   * tx and the key: arkd bans the signer for it.
   */
  addSignatures(pubkey: string, signatures: Record<string, string>): void {
    const x = xOnlyHex('pubkey', pubkey);
    const txids = this.keyTxids.get(x);
    if (!txids) refuse('tree_signature_refused', 'pubkey', `${pubkey} is not a cosigner of this tree`);
    if (x === this.operatorX) refuse('tree_signature_refused', 'pubkey', `${pubkey} is the operator's key; its signatures are the session's own`);
    if (!this.sessions) throw new HashPerpError('tree_signing_incomplete', `signatures before all nonces: still waiting for ${this.missingNonces().join(', ')}`, { field: 'pubkey' });
    if (this.sigs.has(x)) refuse('tree_signature_refused', 'pubkey', `signatures for ${pubkey} were already submitted`);
    if (typeof signatures !== 'object' || signatures === null) refuse('tree_signature_refused', 'treeSignatures', 'expected a map txid → partial signature');
    for (const txid of Object.keys(signatures)) {
      if (!txids.includes(txid)) refuse('tree_signature_refused', 'treeSignatures', `${pubkey} is not a cosigner of tx ${txid}`);
    }
    const got = new Map<string, Uint8Array>();
    for (const txid of txids) {
      if (!Object.hasOwn(signatures, txid)) refuse('tree_signature_refused', 'treeSignatures', `missing partial signature of ${pubkey} for tx ${txid}`);
      const s = decodeHex(signatures[txid], 32);
      if (!s) refuse('tree_signature_refused', 'treeSignatures', `partial signature of ${pubkey} for tx ${txid} is not 32 bytes hex`);
      got.set(txid, s);
    }
    // One cosigner's shares are checked together first (one multi-scalar multiplication instead of
    // two point multiplications per tx, the bulk of a 100-leaf round); if the batch fails, each share
    // is checked alone so that the refusal names the tx, as before.
    if (!this.verifyBatch(x, got)) {
      for (const [txid, s] of got) {
        const t = this.txs.get(txid)!;
        const pkHex = t.sortedHex[t.sortedX.indexOf(x)]!;
        let ok: boolean;
        try {
          ok = this.sessions.get(txid)!.verify(s, this.nonces.get(x)!.get(txid)!, this.point(pkHex), pkHex);
        } catch {
          ok = false;
        }
        if (!ok) refuse('tree_signature_refused', 'treeSignatures', `invalid partial signature of ${pubkey} for tx ${txid}`);
      }
    }
    this.sigs.set(x, got);
  }

  /**
   * Every share of one cosigner at once: with random weights z_j (z_1 = 1), the shares are all valid
   * but with probability 2^-128 iff (sum z_j*s_j)*G = sum z_j*(±R1_j ± b_j*R2_j + c_j*P). The key P
   * may appear with either parity across txs (its compressed form is what each tx lists).
   */
  private verifyBatch(x: string, shares: Map<string, Uint8Array>): boolean {
    const points: Point[] = [];
    const scalars: bigint[] = [];
    const keyScalar = new Map<string, bigint>();
    let sTotal = 0n;
    let first = true;
    for (const [txid, psig] of shares) {
      const t = this.txs.get(txid)!;
      const pkHex = t.sortedHex[t.sortedX.indexOf(x)]!;
      const terms = this.sessions!.get(txid)!.terms(psig, this.nonces.get(x)!.get(txid)!, pkHex);
      if (!terms) return false;
      const z = first ? 1n : bytesToNumberBE(randomBytes(16)) + 1n;
      first = false;
      sTotal = mod(sTotal + z * terms.s);
      points.push(terms.R1, terms.R2);
      scalars.push(mod(z * terms.r1), mod(z * terms.r2));
      keyScalar.set(pkHex, mod((keyScalar.get(pkHex) ?? 0n) + z * terms.c));
    }
    for (const [pkHex, c] of keyScalar) {
      points.push(this.point(pkHex));
      scalars.push(c);
    }
    // pippenger refuses zero scalars; a zero term contributes nothing
    const nz = scalars.map((c, i) => [c, points[i]!] as const).filter(([c]) => c !== 0n);
    const right = nz.length === 0 ? Pt.ZERO : nz.length >= 4 ? pippenger(Pt, nz.map(([, p]) => p), nz.map(([c]) => c)) : nz.reduce((a, [c, p]) => a.add(p.multiplyUnsafe(c)), Pt.ZERO);
    const left = sTotal === 0n ? Pt.ZERO : Pt.BASE.multiply(sTotal);
    return left.equals(right);
  }

  private point(pkHex: string): Point {
    let p = this.points.get(pkHex);
    if (!p) {
      p = Pt.fromBytes(hex.decode(pkHex));
      this.points.set(pkHex, p);
    }
    return p;
  }

  hasAllSignatures(): boolean {
    return this.sigs.size === this.keyTxids.size;
  }

  /**
   * The signed tree: every tx's input 0 gets the aggregated BIP340 signature as tapKeySig, each one
   * checked against the tx's output key and sighash first. Refuses while any share is missing.
   */
  finalize(): TxTree {
    if (this.finalized) return this.finalized;
    if (!this.sessions || !this.hasAllSignatures()) {
      const waiting = this.sessions ? this.missingSignatures() : this.missingNonces();
      throw new HashPerpError('tree_signing_incomplete', `the tree is not fully signed: waiting for ${this.sessions ? 'signatures' : 'nonces'} of ${waiting.join(', ')}`);
    }
    const finals = new Map<string, Uint8Array>();
    for (const t of this.txs.values()) {
      const sig = this.sessions.get(t.txid)!.aggregate(t.sortedX.map((x) => this.sigs.get(x)!.get(t.txid)!));
      if (!schnorr.verify(sig, t.message, t.outputKey)) {
        // every user share was verified on arrival: the operator's own share is the wrong one
        throw new HashPerpError('tree_signature_refused', `aggregated signature of tx ${t.txid} does not verify (the operator's share is wrong)`);
      }
      finals.set(t.txid, sig);
    }
    for (const t of this.txs.values()) t.tx.updateInput(0, { tapKeySig: finals.get(t.txid)! });
    this.finalized = this.tree;
    return this.tree;
  }

  /** txid → hex 64-byte signature (TreeSignature events), after finalize(). */
  signatures(): Record<string, string> {
    if (!this.finalized) throw new HashPerpError('tree_signing_incomplete', 'the tree is not finalized');
    const out: Record<string, string> = {};
    for (const t of this.txs.values()) out[t.txid] = hex.encode(t.tx.getInput(0).tapKeySig!);
    return out;
  }

  /** The taproot sighash each tx is signed over (for independent checks). */
  sighash(txid: string): { message: Uint8Array; outputKey: Uint8Array } {
    const t = this.txs.get(txid);
    if (!t) throw new InvalidArgumentError('txid', `${txid} is not a tx of this tree`);
    return { message: t.message, outputKey: t.outputKey };
  }
}
