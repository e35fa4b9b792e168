import { CSVMultisigTapscript, type RelativeTimelock, type TapLeafScript } from '@arkade-os/sdk';
import { p2tr, SigHash, type Transaction } from '@scure/btc-signer';
import * as musig2 from '@scure/btc-signer/musig2.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';
import { InvalidArgumentError } from '../units/errors.js';
import { addAnchor, newVirtualTx } from './tx.js';
import type { KeyPair } from './keys.js';

/** A VTXO the batch creates: its output script, amount and the keys that co-sign the branch above it. */
export interface TreeLeafSpec {
  pkScript: Uint8Array;
  amount: bigint;
  /** x-only keys of the VTXO's owner(s); S is always added. */
  cosigners: Uint8Array[];
}

/** Output of a tree node: key path = MuSig2(cosigners below + S), one script leaf = sweep (CSV(expiry) + S). */
export interface NodeOutput {
  pkScript: Uint8Array;
  amount: bigint;
  cosigners: Uint8Array[];
  aggregateKey: Uint8Array;
  sweepLeaf: TapLeafScript;
  merkleRoot: Uint8Array;
}

type Shape = { leaf: number } | { children: Shape[] };

export interface TreeTx {
  tx: Transaction;
  /** The output this tx spends (node output), for key-path signing. */
  input: NodeOutput;
  /** For each output: either the child tree tx or the VTXO leaf index. */
  children: ({ node: TreeTx } | { leaf: number })[];
  depth: number;
}

export interface VtxoTreePlan {
  leaves: TreeLeafSpec[];
  operator: Uint8Array;
  sweepDelay: RelativeTimelock;
  shape: Shape;
  /** The batch output the commitment tx must create. */
  batchOutput: NodeOutput;
}

export interface VtxoTree {
  plan: VtxoTreePlan;
  root: TreeTx;
  /** Outpoint of VTXO i and the tree txs from the root down to it. */
  vtxo(i: number): { txid: string; vout: number; branch: TreeTx[] };
  all(): TreeTx[];
}

const xonlySorted = (keys: Uint8Array[]): Uint8Array[] => {
  const uniq = new Map(keys.map((k) => [hex.encode(k), k]));
  return [...uniq.values()];
};

/** MuSig2 (BIP-327) aggregate of x-only keys, sorted as arkd and the SDK do (keys as even-y compressed). */
export function aggregateXOnly(keys: Uint8Array[]): Uint8Array {
  const compressed = musig2.sortKeys(keys.map((k) => Uint8Array.from([2, ...k])));
  return musig2.keyAggregate(compressed).aggPublicKey.toBytes(true).subarray(1);
}

export function sweepTapscript(operator: Uint8Array, sweepDelay: RelativeTimelock): CSVMultisigTapscript.Type {
  return CSVMultisigTapscript.encode({ timelock: sweepDelay, pubkeys: [operator] });
}

function nodeOutput(cosigners: Uint8Array[], amount: bigint, operator: Uint8Array, sweepDelay: RelativeTimelock): NodeOutput {
  const keys = xonlySorted([...cosigners, operator]);
  const aggregateKey = aggregateXOnly(keys);
  const sweep = sweepTapscript(operator, sweepDelay);
  const pay = p2tr(aggregateKey, { script: sweep.script }, undefined, true);
  // btc-signer and the SDK both keep the leaf version as the script's last byte.
  const sweepLeaf: TapLeafScript = pay.tapLeafScript![0]!;
  return { pkScript: pay.script, amount, cosigners: keys, aggregateKey, sweepLeaf, merkleRoot: pay.tapMerkleRoot! };
}

function shapeOf(indices: number[], radix: number): Shape {
  if (indices.length <= radix) return { children: indices.map((leaf) => ({ leaf })) };
  const per = Math.ceil(indices.length / radix);
  const groups: Shape[] = [];
  for (let i = 0; i < indices.length; i += per) {
    const g = indices.slice(i, i + per);
    groups.push(g.length === 1 ? { leaf: g[0]! } : shapeOf(g, radix));
  }
  return { children: groups };
}

function leavesUnder(s: Shape): number[] {
  return 'leaf' in s ? [s.leaf] : s.children.flatMap(leavesUnder);
}

/** Value a node output must hold: exactly what its children get (tree txs pay no fee; their anchors carry none). */
function valueOf(s: Shape, leaves: TreeLeafSpec[]): bigint {
  if ('leaf' in s) return leaves[s.leaf]!.amount;
  return s.children.reduce((a, c) => a + valueOf(c, leaves), 0n);
}

export function planVtxoTree(args: { leaves: TreeLeafSpec[]; operator: Uint8Array; sweepDelay: RelativeTimelock; radix?: number }): VtxoTreePlan {
  const { leaves, operator, sweepDelay } = args;
  const radix = args.radix ?? 2;
  if (leaves.length === 0) throw new InvalidArgumentError('leaves', 'a batch needs at least one VTXO');
  if (!Number.isInteger(radix) || radix < 2) throw new InvalidArgumentError('radix', 'must be an integer >= 2');
  leaves.forEach((l, i) => {
    if (l.amount <= 0n) throw new InvalidArgumentError(`leaves[${i}].amount`, 'must be positive');
  });
  const shape = shapeOf(
    leaves.map((_, i) => i),
    radix,
  );
  const cosigners = leaves.flatMap((l) => l.cosigners);
  const batchOutput = nodeOutput(cosigners, valueOf(shape, leaves), operator, sweepDelay);
  return { leaves, operator, sweepDelay, shape, batchOutput };
}

/** The unsigned tree once the commitment tx (and so the batch outpoint) is known. */
export function buildVtxoTree(plan: VtxoTreePlan, batchTxid: string, batchVout: number): VtxoTree {
  const { leaves, operator, sweepDelay } = plan;
  const build = (shape: Shape & { children: Shape[] }, input: NodeOutput, txid: string, vout: number, depth: number): TreeTx => {
    const tx = newVirtualTx();
    tx.addInput({ txid, index: vout, witnessUtxo: { script: input.pkScript, amount: input.amount }, tapInternalKey: input.aggregateKey, tapMerkleRoot: input.merkleRoot });
    const childOutputs: (NodeOutput | { leaf: number })[] = shape.children.map((c) => {
      if ('leaf' in c) {
        tx.addOutput({ script: leaves[c.leaf]!.pkScript, amount: leaves[c.leaf]!.amount });
        return { leaf: c.leaf };
      }
      const out = nodeOutput(
        leavesUnder(c).flatMap((i) => leaves[i]!.cosigners),
        valueOf(c, leaves),
        operator,
        sweepDelay,
      );
      tx.addOutput({ script: out.pkScript, amount: out.amount });
      return out;
    });
    addAnchor(tx);
    const node: TreeTx = { tx, input, children: [], depth };
    node.children = shape.children.map((c, i) => {
      const co = childOutputs[i]!;
      if ('leaf' in co) return { leaf: co.leaf };
      return { node: build(c as Shape & { children: Shape[] }, co, tx.id, i, depth + 1) };
    });
    return node;
  };
  if ('leaf' in plan.shape) throw new InvalidArgumentError('shape', 'root must be a node');
  const root = build(plan.shape, plan.batchOutput, batchTxid, batchVout, 0);
  const all = (): TreeTx[] => {
    const out: TreeTx[] = [];
    const walk = (n: TreeTx): void => {
      out.push(n);
      for (const c of n.children) if ('node' in c) walk(c.node);
    };
    walk(root);
    return out;
  };
  return {
    plan,
    root,
    all,
    vtxo(i: number) {
      const find = (n: TreeTx, path: TreeTx[]): { txid: string; vout: number; branch: TreeTx[] } | undefined => {
        for (const [vout, c] of n.children.entries()) {
          if ('leaf' in c && c.leaf === i) return { txid: n.tx.id, vout, branch: [...path, n] };
          if ('node' in c) {
            const r = find(c.node, [...path, n]);
            if (r) return r;
          }
        }
        return undefined;
      };
      const r = find(root, []);
      if (!r) throw new InvalidArgumentError('vtxo', `no leaf ${i} in the tree`);
      return r;
    },
  };
}

/** The key-path sighash of a tree tx (BIP-341, SIGHASH_DEFAULT). */
export function treeSighash(node: TreeTx): Uint8Array {
  return node.tx.preimageWitnessV1(0, [node.input.pkScript], SigHash.DEFAULT, [node.input.amount]);
}

/**
 * MuSig2 signing of every tree tx (the rounds arkd runs with the cosigners: nonces, aggregate,
 * partial signatures, aggregate). The aggregate key is tweaked with the sweep leaf's merkle root
 * (BIP-341 TapTweak), so the final signature verifies against the node output key.
 */
export function signTreeMusig2(tree: VtxoTree, signers: KeyPair[]): void {
  const byKey = new Map(signers.map((s) => [hex.encode(s.publicKey), s]));
  for (const node of tree.all()) {
    const keys = musig2.sortKeys(node.input.cosigners.map((k) => Uint8Array.from([2, ...k])));
    const parties = keys.map((k) => {
      const s = byKey.get(hex.encode(k.subarray(1)));
      if (!s) throw new InvalidArgumentError('signers', `missing cosigner ${hex.encode(k.subarray(1))} for tree tx ${node.tx.id}`);
      // BIP-327 signs with the key whose even-y form was aggregated: negate odd-y secrets.
      return { sk: evenYSecret(s.secretKey), pk: k };
    });
    const msg = treeSighash(node);
    const tweak = schnorr.utils.taggedHash('TapTweak', aggregateXOnly(node.input.cosigners), node.input.merkleRoot);
    const nonces = parties.map((p) => musig2.nonceGen(p.pk, p.sk, undefined, msg));
    const aggNonce = musig2.nonceAggregate(nonces.map((n) => n.public));
    const session = new musig2.Session(aggNonce, keys, msg, [tweak], [true]);
    const partials = parties.map((p, i) => session.sign(nonces[i]!.secret, p.sk));
    partials.forEach((ps, i) => {
      if (!session.partialSigVerify(ps, nonces.map((n) => n.public), i)) throw new InvalidArgumentError('signers', `bad partial signature from ${hex.encode(keys[i]!)}`);
    });
    const sig = session.partialSigAgg(partials);
    node.tx.updateInput(0, { tapKeySig: sig });
  }
}

function evenYSecret(sk: Uint8Array): Uint8Array {
  if (secp256k1.getPublicKey(sk, true)[0] === 2) return sk;
  const n = secp256k1.Point.Fn.ORDER;
  const d = BigInt('0x' + hex.encode(sk));
  return hex.decode(((n - d) % n).toString(16).padStart(64, '0'));
}

export function treeOutputKey(node: TreeTx): Uint8Array {
  return node.input.pkScript.subarray(2);
}
