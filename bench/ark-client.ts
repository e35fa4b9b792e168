/**
 * A protocol-level Ark batch participant for bench/ark.ts: what the stock SDK wallet's settle() does
 * (Wallet.createBatchHandler + handleSettlementFinalizationEvent), over the SDK's own RestArkProvider,
 * Batch.join, Intent.create, SingleKey signing and buildForfeitTx, with one substitution: the users'
 * MuSig2 tree signer.
 *
 * Why not the SDK's TreeSignerSession: it runs scure's KeyAgg (one constant-time point multiplication
 * per cosigner key) twice per tx, and a 100-leaf root has 101 keys; a hundred such sessions in one
 * process cost minutes of CPU that on a real deployment is spread over a hundred devices. The
 * signer here computes the same BIP327 values (KeyAgg, x-only tweak, sighash of the tree tx, partial
 * signature) with variable-time arithmetic on public points, and the bench's clients share what is
 * public (KeyAgg, each tx's aggregate nonce and session values): only the secret-dependent scalar
 * arithmetic is per client. On a real deployment each device does its branch (~8 txs) in parallel. The operator verifies every partial signature and the aggregated
 * BIP340 signature against the tx's sighash, so a wrong client signature fails the batch.
 */
import { base64, hex } from '@scure/base';
import { SigHash, Transaction } from '@scure/btc-signer';
import * as musig from '@scure/btc-signer/musig2.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  Batch,
  buildForfeitTx,
  CosignerPublicKey,
  getArkPsbtFields,
  Intent,
  SingleKey,
  type ExtendedCoin,
  type RestArkProvider,
  type TapLeafScript,
  type TxTree,
  VtxoScript,
} from '@arkade-os/sdk';

type Point = InstanceType<typeof secp256k1.Point>;
const Pt = secp256k1.Point;
const N = Pt.Fn.ORDER;
const mod = (a: bigint): bigint => ((a % N) + N) % N;
const hashInt = (tag: string, ...parts: Uint8Array[]): bigint => mod(bytesToNumberBE(schnorr.utils.taggedHash(tag, ...parts)));
const evenY = (p: Point): boolean => p.toAffine().y % 2n === 0n;
const xOf = (p: Point): Uint8Array => p.toBytes(true).subarray(1);

/** Shared by every client of the bench: KeyAgg of a sorted key list, by hex L. */
const keyAggCache = new Map<string, { pre: Point; coef: Map<string, bigint> }>();
const pointCache = new Map<string, Point>();

function keyAgg(sorted: Uint8Array[]): { pre: Point; coef: Map<string, bigint> } {
  const L = schnorr.utils.taggedHash('KeyAgg list', ...sorted);
  const id = hex.encode(L);
  const hit = keyAggCache.get(id);
  if (hit) return hit;
  const hexes = sorted.map((k) => hex.encode(k));
  const second = hexes.find((k) => k !== hexes[0]);
  const coef = new Map<string, bigint>();
  const points = sorted.map((k, i) => {
    let p = pointCache.get(hexes[i]!);
    if (!p) pointCache.set(hexes[i]!, (p = Pt.fromBytes(k)));
    return p;
  });
  const scalars = sorted.map((k, i) => {
    const a = hexes[i] === second ? 1n : hashInt('KeyAgg coefficient', L, k);
    coef.set(hexes[i]!, a);
    return a;
  });
  const pre = points.length >= 8 ? pippenger(Pt, points, scalars) : points.reduce((acc, p, i) => acc.add(p.multiplyUnsafe(scalars[i]!)), Pt.ZERO);
  const out = { pre, coef };
  keyAggCache.set(id, out);
  return out;
}

/** The user's side of the VTXO tree's MuSig2 (the SDK's SignerSession interface, lighter arithmetic). */
export class LightTreeSigner {
  readonly publicKey: Uint8Array;
  private tree: TxTree | undefined;
  private root: Uint8Array | undefined;
  private rootAmount = 0n;
  private readonly secNonces = new Map<string, Uint8Array>();
  private readonly aggNonces = new Map<string, Uint8Array>();

  constructor(private readonly secret: Uint8Array = secp256k1.utils.randomSecretKey()) {
    this.publicKey = secp256k1.getPublicKey(secret, true);
  }

  init(tree: TxTree, sweepRoot: Uint8Array, rootAmount: bigint): void {
    this.tree = tree;
    this.root = sweepRoot;
    this.rootAmount = rootAmount;
  }

  nonces(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const g of this.tree!.iterator()) {
      const n = musig.nonceGen(this.publicKey, this.secret);
      this.secNonces.set(g.txid, n.secret);
      out[g.txid] = hex.encode(n.public);
    }
    return out;
  }

  /** TreeNonces of one tx (x-only key → public nonce); true once every tx of the branch has its aggregate. */
  addNonces(txid: string, byKey: Map<string, { pubNonce: Uint8Array }>): boolean {
    const g = this.tree!.find(txid);
    if (!g || this.aggNonces.has(txid)) return this.aggNonces.size === this.secNonces.size;
    // every cosigner of a tx gets the same TreeNonces event: one aggregate serves them all
    let agg = shared.aggNonce.get(txid);
    if (!agg) {
      const cosigners = getArkPsbtFields(g.root, 0, CosignerPublicKey).map((c) => hex.encode(c.key.subarray(1)));
      agg = musig.nonceAggregate(cosigners.map((k) => byKey.get(k)!.pubNonce));
      shared.aggNonce.set(txid, agg);
    }
    this.aggNonces.set(txid, agg);
    return this.aggNonces.size === this.secNonces.size;
  }

  /** BIP327 session values of a tx: public, so computed once for all the bench's clients. */
  private session(g: TxTree): TxPublic {
    const hit = shared.session.get(g.txid);
    if (hit) return hit;
    const cosigners = getArkPsbtFields(g.root, 0, CosignerPublicKey).map((c) => c.key);
    const { pre, coef } = keyAgg(musig.sortKeys(cosigners));
    const t = hashInt('TapTweak', xOf(pre), this.root!);
    const Q = (evenY(pre) ? pre : pre.negate()).add(Pt.BASE.multiply(t));
    const script = new Uint8Array(34);
    script.set([0x51, 0x20]);
    script.set(xOf(Q), 2);
    let amount = this.rootAmount;
    if (g.txid !== this.tree!.txid) {
      const input = g.root.getInput(0);
      const parent = this.tree!.find(hex.encode(input.txid!))!;
      amount = parent.root.getOutput(input.index!).amount!;
    }
    const msg = g.root.preimageWitnessV1(0, [script], SigHash.DEFAULT, [amount]);
    const agg = this.aggNonces.get(g.txid)!;
    const b = hashInt('MuSig/noncecoef', agg, xOf(Q), msg);
    const R1 = Pt.fromBytes(agg.subarray(0, 33));
    const R2 = Pt.fromBytes(agg.subarray(33));
    let R = R1.add(R2.multiplyUnsafe(b));
    if (R.equals(Pt.ZERO)) R = Pt.BASE;
    const e = hashInt('BIP0340/challenge', xOf(R), xOf(Q), msg);
    const out: TxPublic = { b, e, evenR: evenY(R), g: mod((evenY(Q) ? 1n : N - 1n) * (evenY(pre) ? 1n : N - 1n)), coef };
    shared.session.set(g.txid, out);
    return out;
  }

  sign(): Record<string, string> {
    const out: Record<string, string> = {};
    const myHex = hex.encode(this.publicKey);
    for (const g of this.tree!.iterator()) {
      const { b, e, evenR, g: gTot, coef } = this.session(g);
      const sec = this.secNonces.get(g.txid)!;
      this.secNonces.delete(g.txid);
      let k1 = bytesToNumberBE(sec.subarray(0, 32));
      let k2 = bytesToNumberBE(sec.subarray(32, 64));
      if (!evenR) {
        k1 = N - k1;
        k2 = N - k2;
      }
      const d = mod(gTot * bytesToNumberBE(this.secret));
      out[g.txid] = hex.encode(numberToBytesBE(mod(k1 + b * k2 + e * coef.get(myHex)! * d), 32));
    }
    return out;
  }
}

interface TxPublic {
  b: bigint;
  e: bigint;
  evenR: boolean;
  /** Q's parity times KeyAgg's: the factor on the secret key. */
  g: bigint;
  coef: Map<string, bigint>;
}

/** Per batch, by txid (tree txids are unique to their commitment tx). */
const shared = { aggNonce: new Map<string, Uint8Array>(), session: new Map<string, TxPublic>() };
export function clearSharedCaches(): void {
  shared.aggNonce.clear();
  shared.session.clear();
}

export interface ClientCoin {
  coin: ExtendedCoin;
  /** true for a boarding output (signed into the commitment tx), false for a VTXO (forfeited). */
  boarding: boolean;
}

export interface Participant {
  identity: SingleKey;
  /** The operator-facing offchain script the batch pays this participant. */
  outputScript: Uint8Array;
  amount: bigint;
  coins: ClientCoin[];
}

/** A coin as the wallet hands it to Intent.create and the forfeit builder. */
export function extendedCoin(txid: string, vout: number, value: bigint, tapTree: Uint8Array, leaf: TapLeafScript): ExtendedCoin {
  return { txid, vout, value: Number(value), status: { confirmed: true }, tapTree, forfeitTapLeafScript: leaf, intentTapLeafScript: leaf };
}

export interface Prepared {
  p: Participant;
  signer: LightTreeSigner;
  intent: { proof: string; message: Intent.RegisterMessage };
  intentId?: string;
  stream: AsyncIterableIterator<import('@arkade-os/sdk').SettlementEvent>;
  abort: AbortController;
}

/** Wallet.makeRegisterIntentSignature: Intent.create, then input 0 and every coin input signed. */
export async function prepare(p: Participant, provider: RestArkProvider): Promise<Prepared> {
  const signer = new LightTreeSigner();
  const cosigner = hex.encode(signer.publicKey);
  const message: Intent.RegisterMessage = { type: 'register', onchain_output_indexes: [], valid_at: 0, expire_at: 0, cosigners_public_keys: [cosigner] };
  const coins = p.coins.map((c) => c.coin);
  const proof = Intent.create(message, coins, [{ script: p.outputScript, amount: p.amount }]);
  const signed = await p.identity.sign(proof, [0, ...coins.map((_, i) => i + 1)]);
  const abort = new AbortController();
  const topics = [cosigner, ...coins.map((c) => `${c.txid}:${c.vout}`)];
  const stream = provider.getEventStream(abort.signal, topics);
  // settle() primes the stream before registering so no batch event is missed; here too, and the
  // bench waits for StreamStarted so that opening a hundred streams is not counted as batch time.
  const first = await stream.next();
  if (first.done) throw new Error('event stream closed at once');
  return { p, signer, intent: { proof: base64.encode(signed.toPSBT()), message }, stream, abort };
}

/** Wallet.createBatchHandler with the light tree signer; resolves with the commitment txid. */
export async function join(c: Prepared, provider: RestArkProvider, forfeitOutputScript: Uint8Array, forfeitPubkeyXOnly: Uint8Array, sweepRootOf: (expiry: bigint, forfeitXOnly: Uint8Array) => Uint8Array): Promise<string> {
  const intentId = c.intentId!;
  const idHash = hex.encode(sha256(new TextEncoder().encode(intentId)));
  let sweepRoot: Uint8Array | undefined;
  const pubkey = hex.encode(c.signer.publicKey);
  try {
    return await Batch.join(
      c.stream,
      {
        onBatchStarted: async (e) => {
          if (!e.intentIdHashes.includes(idHash)) return { skip: true };
          await provider.confirmRegistration(intentId);
          sweepRoot = sweepRootOf(e.batchExpiry, forfeitPubkeyXOnly);
          return { skip: false };
        },
        onTreeSigningStarted: async (e, tree) => {
          if (!e.cosignersPublicKeys.includes(pubkey)) return { skip: true };
          const commitment = Transaction.fromPSBT(fromB64(e.unsignedCommitmentTx));
          c.signer.init(tree, sweepRoot!, commitment.getOutput(0).amount!);
          const nonces = c.signer.nonces();
          await provider.submitTreeNonces(e.id, pubkey, new Map(Object.entries(nonces).map(([k, v]) => [k, { pubNonce: hex.decode(v) }])));
          return { skip: false };
        },
        onTreeNonces: async (e) => {
          if (!c.signer.addNonces(e.txid, e.nonces)) return { fullySigned: false };
          const sigs = c.signer.sign();
          await provider.submitTreeSignatures(e.id, pubkey, partialSigs(sigs));
          return { fullySigned: true };
        },
        onBatchFinalization: async (e, _tree, connectorTree) => {
          let commitment = Transaction.fromPSBT(fromB64(e.commitmentTx));
          const forfeits: string[] = [];
          let boarded = false;
          const connectors = connectorTree?.leaves() ?? [];
          let ci = 0;
          for (const { coin, boarding } of c.p.coins) {
            if (boarding) {
              for (let i = 0; i < commitment.inputsLength; i++) {
                const inp = commitment.getInput(i);
                if (hex.encode(inp.txid!) !== coin.txid || inp.index !== coin.vout) continue;
                commitment.updateInput(i, { tapLeafScript: [coin.forfeitTapLeafScript] });
                commitment = await c.p.identity.sign(commitment, [i]);
                boarded = true;
              }
              continue;
            }
            const leaf = connectors[ci++];
            if (!leaf) throw new Error('not enough connectors received');
            const out = leaf.getOutput(0);
            const script = VtxoScript.decode(coin.tapTree).pkScript;
            let tx = buildForfeitTx(
              [
                { txid: hex.decode(coin.txid), index: coin.vout, witnessUtxo: { amount: BigInt(coin.value), script }, sighashType: SigHash.DEFAULT, tapLeafScript: [coin.forfeitTapLeafScript] },
                { txid: hex.decode(leaf.id), index: 0, witnessUtxo: { amount: out.amount!, script: out.script! } },
              ],
              forfeitOutputScript,
            );
            tx = await c.p.identity.sign(tx, [0]);
            forfeits.push(base64.encode(tx.toPSBT()));
          }
          await provider.submitSignedForfeitTxs(forfeits, boarded ? toB64(commitment.toPSBT()) : undefined);
        },
      },
      { abortController: c.abort },
    );
  } finally {
    c.abort.abort();
  }
}

/**
 * Node's base64 for the 100-input commitment PSBT every boarder reads and returns: scure's pure-JS
 * codec made that a third of the participants' CPU, which on a deployment is spread over devices.
 */
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** The SDK's TreePartialSigs: its PartialSig is not exported, and the provider only calls encode() (the 32-byte s). */
function partialSigs(sigs: Record<string, string>): Parameters<RestArkProvider['submitTreeSignatures']>[2] {
  return new Map(Object.entries(sigs).map(([k, v]) => [k, { encode: () => hex.decode(v) }])) as unknown as Parameters<RestArkProvider['submitTreeSignatures']>[2];
}
