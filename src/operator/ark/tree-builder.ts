/**
 * The batch trees of an Ark round, ported from arkd's pkg/ark-lib/tree (builder.go, tx_tree.go):
 * the vtxo tree (radix 2, every node a MuSig2 key of its leaves' cosigners tweaked by the sweep
 * tapscript root) and the connector tree (radix 4, the operator's connector key, no tweak).
 *
 * The stock SDK client re-derives and checks all of it (validateVtxoTxGraph, its signing session), so
 * the grouping, the output order, the key aggregation and every tx field follow arkd exactly: the
 * txids here are the txids arkd would produce for the same leaves and root outpoint.
 * Pure: no I/O, no clock.
 */
import { CosignerPublicKey, CSVMultisigTapscript, getArkPsbtFields, setArkPsbtField, TxTree, VtxoTreeExpiry, type TxTreeNode } from '@arkade-os/sdk';
import { Transaction } from '@scure/btc-signer';
import * as musig from '@scure/btc-signer/musig2.js';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { taprootTweakPubkey } from '@scure/btc-signer/utils.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { base64, hex } from '@scure/base';
import { InvalidArgumentError } from '../../units/errors.js';

/** arkd's txutils.ANCHOR_VALUE / ANCHOR_PKSCRIPT: the zero-value P2A output every tree tx ends with. */
export const ANCHOR_VALUE = 0n;
export const ANCHOR_PKSCRIPT: Uint8Array = Uint8Array.of(0x51, 0x02, 0x4e, 0x73);

const VTXO_TREE_RADIX = 2;
const CONNECTOR_TREE_RADIX = 4;
/** BIP68: below this a relative locktime is a block count, from it on seconds (arkd MinAllowedSequence). */
const SECONDS_THRESHOLD = 512n;
const MAX_SEQUENCE_SECONDS = 0xffffn * 512n;
const CURVE_N = secp256k1.Point.Fn.ORDER;

export interface TxOutput {
  script: Uint8Array;
  amount: bigint;
}

/** One leaf tx of a tree: arkd's tree.Leaf. */
export interface TreeLeaf {
  outputs: TxOutput[];
  /**
   * Hex 33-byte compressed keys, as in the intent's cosigners_public_keys; for the vtxo tree the round
   * appends the operator's signer key (arkd: append(intent.CosignersPublicKeys, operatorPubkeyHex)).
   */
  cosigners: string[];
}

export interface Outpoint {
  txid: string;
  vout: number;
}

/** One TreeTx event's payload (the SDK's TxTreeNode) plus the topics arkd addresses it to. */
export interface TreeChunk extends TxTreeNode {
  topic: string[];
}

/** A relative timelock as the SDK reads BatchStarted.batchExpiry: below 512 blocks, else seconds. */
export function relativeTimelock(value: bigint): { type: 'blocks' | 'seconds'; value: bigint } {
  if (value <= 0n) throw new InvalidArgumentError('batchExpiry', `must be positive, got ${value}`);
  if (value < SECONDS_THRESHOLD) return { type: 'blocks', value };
  // arkd BIP68Sequence refuses seconds it cannot encode exactly, rather than rounding the sweep time.
  if (value % 512n !== 0n) throw new InvalidArgumentError('batchExpiry', `seconds must be a multiple of 512, got ${value}`);
  if (value > MAX_SEQUENCE_SECONDS) throw new InvalidArgumentError('batchExpiry', `at most ${MAX_SEQUENCE_SECONDS} seconds, got ${value}`);
  return { type: 'seconds', value };
}

/** The BIP68 nSequence of a relative timelock (arkd arklib.BIP68Sequence). */
export function bip68Sequence(expiry: bigint): number {
  const t = relativeTimelock(expiry);
  return t.type === 'blocks' ? Number(t.value) : (1 << 22) | Number(t.value >> 9n);
}

/** The CSV sweep tapscript of the batch output: <expiry> CSV DROP <forfeit key> CHECKSIG. */
export function sweepTapscript(forfeitPubkeyXOnly: Uint8Array, batchExpiry: bigint): Uint8Array {
  if (forfeitPubkeyXOnly.length !== 32) throw new InvalidArgumentError('forfeitPubkey', `expected 32-byte x-only key, got ${forfeitPubkeyXOnly.length} bytes`);
  return CSVMultisigTapscript.encode({ timelock: relativeTimelock(batchExpiry), pubkeys: [forfeitPubkeyXOnly] }).script;
}

/**
 * The taproot merkle root every tree key is tweaked with: the single sweep leaf's hash, computed as
 * the SDK's onBatchStarted does (and as arkd's AssembleTaprootScriptTree of one leaf gives).
 */
export function sweepTapTreeRoot(forfeitPubkeyXOnly: Uint8Array, batchExpiry: bigint): Uint8Array {
  return tapLeafHash(sweepTapscript(forfeitPubkeyXOnly, batchExpiry));
}

/** Decompressed points by hex key: a key recurs in every node above its leaf, and decompression costs a square root. */
export type PointCache = Map<string, InstanceType<typeof secp256k1.Point>>;

/**
 * BIP327 KeyAgg of keys already sorted, as the 33-byte pre-tweak aggregate. The keys and coefficients
 * are public, so one multi-scalar multiplication (Pippenger) does what scure's keyAggregate does with
 * one constant-time multiplication per key: the root of a 100-leaf tree has 101 keys.
 */
export function keyAggregateSorted(sorted: readonly Uint8Array[], cache: PointCache = new Map()): Uint8Array {
  const L = schnorr.utils.taggedHash('KeyAgg list', ...sorted);
  // L commits to the whole sorted list, so it names the result: the signing session re-derives every
  // node's key from the PSBT fields the planner just aggregated, and need not pay for it twice.
  const id = hex.encode(L);
  const known = AGGREGATES.get(id);
  if (known) return known;
  const agg = keyAggregateUncached(sorted, L, cache);
  if (AGGREGATES.size >= AGGREGATES_MAX) AGGREGATES.delete(AGGREGATES.keys().next().value!);
  AGGREGATES.set(id, agg);
  return agg;
}

/** KeyAgg results by hex L, oldest dropped first: a few rounds' worth of tree nodes. */
const AGGREGATES = new Map<string, Uint8Array>();
const AGGREGATES_MAX = 8192;

function keyAggregateUncached(sorted: readonly Uint8Array[], L: Uint8Array, cache: PointCache): Uint8Array {
  const first = hex.encode(sorted[0]!);
  const second = sorted.map((k) => hex.encode(k)).find((k) => k !== first);
  const points = sorted.map((k) => {
    const h = hex.encode(k);
    let p = cache.get(h);
    if (!p) {
      p = secp256k1.Point.fromBytes(k);
      cache.set(h, p);
    }
    return p;
  });
  const scalars = sorted.map((k) => (hex.encode(k) === second ? 1n : bytesToNumberBE(schnorr.utils.taggedHash('KeyAgg coefficient', L, k)) % CURVE_N));
  // Pippenger's bucket overhead only pays off past a handful of points (leaves have two keys).
  const q =
    points.length >= 8
      ? pippenger(secp256k1.Point, points, scalars)
      : points.reduce((acc, p, i) => acc.add(scalars[i] === 1n ? p : p.multiplyUnsafe(scalars[i]!)), secp256k1.Point.ZERO);
  if (q.equals(secp256k1.Point.ZERO)) throw new InvalidArgumentError('cosigners', 'the keys aggregate to the point at infinity');
  return q.toBytes(true);
}

/**
 * arkd's tree.AggregateKeys, returning the x-only output key. One key falls back to plain P2TR
 * (BIP341 tweak of the key itself, or the bare key without a tweak) as arkd does; the connector tree
 * relies on that. Two or more keys: BIP327 KeyAgg over the sorted keys, then the x-only TapTweak
 * (BIP327 ApplyTweak with is_xonly: lift_x(x(Q)) + t*G, the same point BIP341's tweak gives).
 */
export function aggregateOutputKey(cosigners: readonly Uint8Array[], tapTreeRoot?: Uint8Array, cache?: PointCache): Uint8Array {
  if (cosigners.length === 0) throw new InvalidArgumentError('cosigners', 'no cosigner keys');
  const tweaked = tapTreeRoot !== undefined && tapTreeRoot.length > 0;
  const x = cosigners.length === 1 ? cosigners[0]!.subarray(1) : keyAggregateSorted(musig.sortKeys([...cosigners]), cache).subarray(1);
  return tweaked ? (taprootTweakPubkey(x, tapTreeRoot) as [Uint8Array, number])[0] : Uint8Array.from(x);
}

export function p2trScript(xOnly: Uint8Array): Uint8Array {
  const s = new Uint8Array(34);
  s[0] = 0x51;
  s[1] = 0x20;
  s.set(xOnly, 2);
  return s;
}

interface Node {
  /** Input amount: the sum of what the node's tx pays out (anchors included). */
  amount: bigint;
  inputScript: Uint8Array;
  cosigners: Uint8Array[];
  outputs?: TxOutput[];
  children?: Node[];
}

function parseCosigners(leafIndex: number, keys: readonly string[]): Uint8Array[] {
  return keys.map((k, j) => {
    const field = `leaves[${leafIndex}].cosigners[${j}]`;
    if (typeof k !== 'string' || !/^[0-9a-fA-F]{66}$/.test(k)) throw new InvalidArgumentError(field, 'expected a 33-byte compressed key in hex');
    const bytes = hex.decode(k.toLowerCase());
    try {
      secp256k1.Point.fromBytes(bytes);
    } catch {
      throw new InvalidArgumentError(field, `${k} is not a point on secp256k1`);
    }
    return bytes;
  });
}

/** arkd uniqueCosigners: dedupe by x-only key, first occurrence wins, order kept. */
function uniqueCosigners(keys: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const k of keys) {
    const x = hex.encode(k.subarray(1));
    if (seen.has(x)) continue;
    seen.add(x);
    out.push(k);
  }
  return out;
}

function leafNode(leaf: TreeLeaf, i: number, tapTreeRoot: Uint8Array | undefined, minCosigners: number, cache: PointCache): Node {
  if (!Array.isArray(leaf.outputs) || leaf.outputs.length === 0) throw new InvalidArgumentError(`leaves[${i}].outputs`, 'a leaf needs at least one output');
  let amount = 0n;
  leaf.outputs.forEach((o, j) => {
    if (typeof o.amount !== 'bigint' || o.amount < 0n) throw new InvalidArgumentError(`leaves[${i}].outputs[${j}].amount`, `expected a non-negative bigint, got ${String(o.amount)}`);
    if (!(o.script instanceof Uint8Array) || o.script.length === 0) throw new InvalidArgumentError(`leaves[${i}].outputs[${j}].script`, 'expected a non-empty script');
    try {
      // scure refuses some scripts arkd would carry (a taproot output off the curve): say which, here.
      new Transaction({ allowUnknownOutputs: true }).addOutput({ script: o.script, amount: o.amount });
    } catch (e) {
      throw new InvalidArgumentError(`leaves[${i}].outputs[${j}].script`, `not an output script a transaction can carry: ${(e as Error).message}`);
    }
    amount += o.amount;
  });
  const cosigners = uniqueCosigners(parseCosigners(i, leaf.cosigners ?? []));
  if (cosigners.length < minCosigners) {
    throw new InvalidArgumentError(`leaves[${i}].cosigners`, `needs at least ${minCosigners} distinct cosigner key(s), got ${cosigners.length}`);
  }
  return {
    amount,
    inputScript: p2trScript(aggregateOutputKey(cosigners, tapTreeRoot, cache)),
    cosigners,
    outputs: leaf.outputs.map((o) => ({ script: o.script, amount: o.amount })),
  };
}

/** arkd createUpperLevel, including its remainder rule: a trailing incomplete group moves up a level unchanged. */
function createUpperLevel(nodes: Node[], tapTreeRoot: Uint8Array | undefined, radix: number, cache: PointCache): Node[] {
  if (nodes.length <= 1) return nodes;
  if (nodes.length < radix) return createUpperLevel(nodes, tapTreeRoot, nodes.length, cache);
  const remainder = nodes.length % radix;
  if (remainder !== 0) {
    const last = nodes.slice(nodes.length - remainder);
    return [...createUpperLevel(nodes.slice(0, nodes.length - remainder), tapTreeRoot, radix, cache), ...last];
  }
  const groups: Node[] = [];
  for (let i = 0; i < nodes.length; i += radix) {
    const children = nodes.slice(i, i + radix);
    const cosigners = uniqueCosigners(children.flatMap((c) => c.cosigners));
    let amount = 0n;
    for (const c of children) amount += c.amount + ANCHOR_VALUE;
    groups.push({ amount, inputScript: p2trScript(aggregateOutputKey(cosigners, tapTreeRoot, cache)), cosigners, children });
  }
  return groups;
}

function createTxTree(leaves: readonly TreeLeaf[], tapTreeRoot: Uint8Array | undefined, radix: number, minCosigners: number): Node {
  if (!Array.isArray(leaves) || leaves.length === 0) throw new InvalidArgumentError('leaves', 'no receivers provided');
  const cache: PointCache = new Map();
  let nodes = leaves.map((l, i) => leafNode(l, i, tapTreeRoot, minCosigners, cache));
  while (nodes.length > 1) nodes = createUpperLevel(nodes, tapTreeRoot, radix, cache);
  return nodes[0]!;
}

function nodeOutputs(n: Node): TxOutput[] {
  const outs = n.children ? n.children.map((c) => ({ script: c.inputScript, amount: c.amount })) : n.outputs!;
  return [...outs, { script: ANCHOR_PKSCRIPT, amount: ANCHOR_VALUE }];
}

function checkOutpoint(o: Outpoint): void {
  if (typeof o?.txid !== 'string' || !/^[0-9a-f]{64}$/.test(o.txid)) throw new InvalidArgumentError('rootInput.txid', 'expected 32-byte lowercase hex txid');
  if (!Number.isInteger(o.vout) || o.vout < 0 || o.vout > 0xffffffff) throw new InvalidArgumentError('rootInput.vout', `expected an output index, got ${String(o.vout)}`);
}

/** arkd getTx: v3, one input with final sequence, locktime 0, cosigner fields in order, then the expiry. */
function nodeTx(n: Node, input: Outpoint, expirySequence: number | undefined): Transaction {
  const tx = new Transaction({ version: 3, lockTime: 0, allowUnknownOutputs: true, allowUnknown: true });
  // btcd drops a zero PSBT sighash type when serializing, so arkd's tree PSBTs carry none: an absent
  // type already means SIGHASH_DEFAULT for a taproot key spend, which is what every tree tx is signed with.
  tx.addInput({ txid: hex.decode(input.txid), index: input.vout, sequence: 0xffffffff });
  for (const o of nodeOutputs(n)) tx.addOutput({ script: o.script, amount: o.amount });
  n.cosigners.forEach((key, index) => setArkPsbtField(tx, 0, CosignerPublicKey, { index, key }));
  // The SDK's coder writes its `value` as the field's script number; arkd's field holds the BIP68
  // sequence (minimal little-endian), so the sequence is what goes in.
  if (expirySequence !== undefined) setArkPsbtField(tx, 0, VtxoTreeExpiry, { type: 'blocks' as 'blocks' | 'seconds', value: BigInt(expirySequence) });
  return tx;
}

function toTxTree(n: Node, input: Outpoint, expirySequence: number | undefined): TxTree {
  const tx = nodeTx(n, input, expirySequence);
  const children = new Map<number, TxTree>();
  if (n.children) {
    const txid = tx.id;
    n.children.forEach((c, i) => children.set(i, toTxTree(c, { txid, vout: i }, expirySequence)));
  }
  return new TxTree(tx, children);
}

/**
 * A tree planned once: its output for the commitment tx, then the txs once that tx's id is known.
 * The round needs both, and the key aggregation is the costly part, so it is done once.
 */
export interface TreePlan {
  output: TxOutput;
  build(rootInput: Outpoint): TxTree;
}

/** The vtxo tree of these leaves: batch output (commitment output 0) and its txs (see buildVtxoTree). */
export function planVtxoTree(leaves: readonly TreeLeaf[], sweepRoot: Uint8Array, expiry: bigint): TreePlan {
  const sequence = bip68Sequence(expiry);
  const root = createTxTree(leaves, sweepRoot, VTXO_TREE_RADIX, 2);
  return {
    output: { script: root.inputScript, amount: root.amount + ANCHOR_VALUE },
    build: (rootInput) => {
      checkOutpoint(rootInput);
      return toTxTree(root, rootInput, sequence);
    },
  };
}

/** The connector tree of these leaves: connector output (commitment output 1) and its txs. */
export function planConnectorTree(leaves: readonly TreeLeaf[]): TreePlan {
  const root = createTxTree(leaves, undefined, CONNECTOR_TREE_RADIX, 1);
  return {
    output: { script: root.inputScript, amount: root.amount + ANCHOR_VALUE },
    build: (rootInput) => {
      checkOutpoint(rootInput);
      return toTxTree(root, rootInput, undefined);
    },
  };
}

/** The commitment tx's batch output (output 0): the root's aggregate key and the tree's total amount. */
export function buildBatchOutput(leaves: readonly TreeLeaf[], sweepRoot: Uint8Array): TxOutput {
  const root = createTxTree(leaves, sweepRoot, VTXO_TREE_RADIX, 2);
  return { script: root.inputScript, amount: root.amount + ANCHOR_VALUE };
}

/**
 * The vtxo tree spending `rootInput` (the commitment tx's output 0). `expiry` is the round's vtxo tree
 * expiry as BatchStarted.batchExpiry carries it (blocks below 512, else seconds); arkd writes its BIP68
 * sequence into every tx's VtxoTreeExpiry field.
 *
 * Every leaf needs at least two distinct cosigners: arkd would fall back to a plain (non-MuSig) key
 * for one, which the SDK's MuSig2 aggregation does not reproduce, and a leaf whose only cosigner is
 * the operator would let the operator sign it alone.
 */
export function buildVtxoTree(rootInput: Outpoint, leaves: readonly TreeLeaf[], sweepRoot: Uint8Array, expiry: bigint): TxTree {
  checkOutpoint(rootInput);
  const sequence = bip68Sequence(expiry);
  return toTxTree(createTxTree(leaves, sweepRoot, VTXO_TREE_RADIX, 2), rootInput, sequence);
}

/** The commitment tx's connector output (output 1). */
export function buildConnectorOutput(leaves: readonly TreeLeaf[]): TxOutput {
  const root = createTxTree(leaves, undefined, CONNECTOR_TREE_RADIX, 1);
  return { script: root.inputScript, amount: root.amount + ANCHOR_VALUE };
}

/** The connector tree spending `rootInput` (the commitment tx's output 1); no expiry field, as arkd. */
export function buildConnectorTree(rootInput: Outpoint, leaves: readonly TreeLeaf[]): TxTree {
  checkOutpoint(rootInput);
  return toTxTree(createTxTree(leaves, undefined, CONNECTOR_TREE_RADIX, 1), rootInput, undefined);
}

/**
 * arkd's connector leaves (tx-builder BuildCommitmentTx): one per forfeited vtxo, each paying `dust`
 * to the operator's taproot connector script, cosigned by that output key alone (so every node of the
 * connector tree is locked to the same key, untweaked).
 */
export function connectorLeaves(connectorScript: Uint8Array, count: number, dust: bigint): TreeLeaf[] {
  if (connectorScript.length !== 34 || connectorScript[0] !== 0x51 || connectorScript[1] !== 0x20) {
    throw new InvalidArgumentError('connectorScript', 'the connector script must be taproot (OP_1 <32 bytes>)');
  }
  if (!Number.isSafeInteger(count) || count <= 0) throw new InvalidArgumentError('count', `expected a positive integer, got ${count}`);
  // schnorr.ParsePubKey lifts the x-only key to even y, so arkd's compressed form always starts 02.
  const cosigner = '02' + hex.encode(connectorScript.subarray(2));
  return Array.from({ length: count }, () => ({ outputs: [{ script: connectorScript, amount: dust }], cosigners: [cosigner] }));
}

/** The hex compressed cosigner keys of a tree tx, in field order: a vtxo tree chunk's topic in arkd. */
export function cosignerTopic(node: TxTree): string[] {
  return getArkPsbtFields(node.root, 0, CosignerPublicKey).map((c) => hex.encode(c.key));
}

/**
 * The tree as arkd streams it in TreeTx events (PSBTs without witnessUtxo, as arkd's: the SDK's signer
 * session derives every prevout from the tree itself and the commitment's output 0): TxTree.Apply order (a node, then its children), one
 * chunk per tx with its children by output index and its topic. arkd walks children in Go map order;
 * here they go by output index, which the SDK (TxTree.create re-links by txid) does not depend on.
 * A client subscribed to its cosigner key receives exactly the chunks on its root-to-leaf path.
 */
export function flattenTree(tree: TxTree, topicOf: (node: TxTree) => string[] = cosignerTopic): TreeChunk[] {
  const out: TreeChunk[] = [];
  const visit = (t: TxTree): void => {
    const children: Record<number, string> = {};
    const order = [...t.children.keys()].sort((a, b) => a - b);
    for (const i of order) children[i] = t.children.get(i)!.txid;
    out.push({ txid: t.txid, tx: base64.encode(t.root.toPSBT()), children, topic: topicOf(t) });
    for (const i of order) visit(t.children.get(i)!);
  };
  visit(tree);
  return out;
}

/** Every node of a tree, parents before children (the order flattenTree streams them). */
export function treeNodes(tree: TxTree): TxTree[] {
  const out: TxTree[] = [];
  const visit = (t: TxTree): void => {
    out.push(t);
    for (const i of [...t.children.keys()].sort((a, b) => a - b)) visit(t.children.get(i)!);
  };
  visit(tree);
  return out;
}
