// An independent, minimal BIP-341/342 reference (sighash + taproot commitment) written from the BIP
// text with @noble/hashes and @noble/curves only, to check what btc-signer and the SDK compute.
import { sha256 } from '@noble/hashes/sha2.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';

const te = new TextEncoder();
export function tagged(tag: string, ...msgs: Uint8Array[]): Uint8Array {
  const t = sha256(te.encode(tag));
  return sha256(concat(t, t, ...msgs));
}
export function concat(...a: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(a.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of a) (out.set(x, o), (o += x.length));
  return out;
}
const le32 = (n: number): Uint8Array => Uint8Array.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255]);
const le64 = (n: bigint): Uint8Array => Uint8Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));
export const compactSize = (n: number): Uint8Array => (n < 253 ? Uint8Array.from([n]) : Uint8Array.from([253, n & 255, n >> 8]));
const ser = (b: Uint8Array): Uint8Array => concat(compactSize(b.length), b);

export function leafHash(script: Uint8Array, version = 0xc0): Uint8Array {
  return tagged('TapLeaf', Uint8Array.from([version]), ser(script));
}
export function branchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  return hex.encode(a) < hex.encode(b) ? tagged('TapBranch', a, b) : tagged('TapBranch', b, a);
}

/** Verifies a control block + script against a taproot output key (BIP-341 script-path validation). */
export function controlBlockCommits(controlBlock: Uint8Array, script: Uint8Array, outputKey: Uint8Array): boolean {
  const version = controlBlock[0]! & 0xfe;
  const parity = controlBlock[0]! & 1;
  const P = controlBlock.subarray(1, 33);
  let k = leafHash(script, version);
  for (let i = 33; i < controlBlock.length; i += 32) k = branchHash(k, controlBlock.subarray(i, i + 32));
  const t = tagged('TapTweak', P, k);
  const Q = schnorr.utils.lift_x(BigInt('0x' + hex.encode(P))).add(secp256k1.Point.BASE.multiply(BigInt('0x' + hex.encode(t))));
  const aff = Q.toAffine();
  return aff.x.toString(16).padStart(64, '0') === hex.encode(outputKey) && Number(aff.y & 1n) === parity;
}

export function tweakKey(internal: Uint8Array, merkleRoot: Uint8Array | undefined): Uint8Array {
  const t = tagged('TapTweak', internal, merkleRoot ?? new Uint8Array(0));
  const Q = schnorr.utils.lift_x(BigInt('0x' + hex.encode(internal))).add(secp256k1.Point.BASE.multiply(BigInt('0x' + hex.encode(t))));
  return hex.decode(Q.toAffine().x.toString(16).padStart(64, '0'));
}

export interface RefTx {
  version: number;
  lockTime: number;
  inputs: { txid: string; vout: number; sequence: number; amount: bigint; script: Uint8Array }[];
  outputs: { amount: bigint; script: Uint8Array }[];
}

/**
 * BIP-341 SigMsg with its epoch byte (0x00 || SigMsg(hash_type, ext_flag)), any hash type, no annex; key
 * path if leaf is undefined. ANYONECANPAY (0x80) commits to this input alone; NONE (2) to no output;
 * SINGLE (3) to the output at the input's index.
 */
export function sigMsg(tx: RefTx, index: number, hashType: number, leaf?: Uint8Array): Uint8Array {
  const anyoneCanPay = (hashType & 0x80) !== 0;
  const out = hashType & 3;
  const outpoint = (i: RefTx['inputs'][number]): Uint8Array => concat(hex.decode(i.txid).reverse(), le32(i.vout));
  const txOut = (o: RefTx['outputs'][number]): Uint8Array => concat(le64(o.amount), ser(o.script));
  const me = tx.inputs[index]!;
  return concat(
    Uint8Array.from([0x00, hashType]),
    le32(tx.version),
    le32(tx.lockTime),
    ...(anyoneCanPay
      ? []
      : [
          sha256(concat(...tx.inputs.map(outpoint))),
          sha256(concat(...tx.inputs.map((i) => le64(i.amount)))),
          sha256(concat(...tx.inputs.map((i) => ser(i.script)))),
          sha256(concat(...tx.inputs.map((i) => le32(i.sequence)))),
        ]),
    ...(out === 2 || out === 3 ? [] : [sha256(concat(...tx.outputs.map(txOut)))]),
    Uint8Array.from([leaf ? 2 : 0]),
    ...(anyoneCanPay ? [outpoint(me), le64(me.amount), ser(me.script), le32(me.sequence)] : [le32(index)]),
    ...(out === 3 ? [sha256(txOut(tx.outputs[index]!))] : []),
    ...(leaf ? [leaf, Uint8Array.from([0x00]), le32(0xffffffff)] : []),
  );
}

/** BIP-341 signature message with SIGHASH_DEFAULT, no annex; key path if leaf is undefined. */
export function sighashDefault(tx: RefTx, index: number, leaf?: Uint8Array): Uint8Array {
  return tagged('TapSighash', sigMsg(tx, index, 0x00, leaf));
}
