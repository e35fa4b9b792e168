/**
 * Merkle sum tree (proof of liabilities). Pure: no I/O, no clock, no randomness (salts come in with
 * the leaves); runs in Node and in the browser (SHA-256 from @noble/hashes unless a faster one with
 * the same output is passed in).
 *
 * leaf  = SHA256(0x00 ‖ salt(16) ‖ u64be(value) ‖ utf8(account))
 * node  = SHA256(0x01 ‖ hashL ‖ u64be(sumL) ‖ hashR ‖ u64be(sumR)),  sum = sumL + sumR
 *
 * Why each child's sum is hashed separately (not only sumL + sumR): with only the total in the hash, an
 * operator can show two sibling users each a sibling sum of 0 and so count one of them twice in the
 * "same" node (Wilcox's fix to Maxwell's scheme). With both sums committed, every proof through a node
 * sees the same split.
 * Why values are unsigned 64-bit and below 2^63, sums too: a negative balance cannot be encoded, so it
 * cannot cancel another in a sum; the builder refuses one loudly (an engine bug) instead of clamping it.
 * Why an odd node is promoted (not paired with a copy of itself): a copy would count its sum twice.
 * Why leaves are ordered by their salt: a fresh random order per block, so a leaf's position says
 * nothing about the account's name, and neighbours in one block are strangers in the next.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { digestPadded, paddedBuffer } from './sha256-padded.js';

export type Hash = (data: Uint8Array) => Uint8Array;
export const nobleHash: Hash = (d) => nobleSha256(d);

/** Exclusive bound of every leaf and every sum, in the ledger's unit (msat): 2^63 msat ≈ 92 million BTC. */
export const SUM_LIMIT = 1n << 63n;
export const SALT_BYTES = 16;
const LEAF_TAG = 0x00;
const NODE_TAG = 0x01;

export interface SumLeaf {
  /** The ledger account's name (`user:<id>`, an escrow, a pool...). */
  account: string;
  value: bigint;
  /** SALT_BYTES of fresh randomness per account per block. */
  salt: Uint8Array;
}

export interface SumNode {
  hash: Uint8Array;
  sum: bigint;
}

/** An account's inclusion proof: its leaf, its position among `count` leaves, and the sibling of each level (bottom up). */
export interface SumProof {
  account: string;
  value: bigint;
  salt: Uint8Array;
  index: number;
  count: number;
  path: SumNode[];
}

export class LeafRangeError extends Error {
  constructor(readonly account: string, readonly value: bigint) {
    super(`liabilities: ledger account ${account} holds ${value} msat, outside [0, 2^63): refused (a negative balance must never hide in a sum)`);
    this.name = 'LeafRangeError';
  }
}

function inRange(v: bigint): boolean {
  return v >= 0n && v < SUM_LIMIT;
}

function writeU64(b: Uint8Array, off: number, v: bigint): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setBigUint64(off, v, false);
}

export function leafHash(account: string, value: bigint, salt: Uint8Array, h: Hash = nobleHash): Uint8Array {
  if (!inRange(value)) throw new LeafRangeError(account, value);
  if (salt.length !== SALT_BYTES) throw new Error(`liabilities: a salt is ${SALT_BYTES} bytes, got ${salt.length}`);
  const name = utf8ToBytes(account);
  const b = new Uint8Array(1 + SALT_BYTES + 8 + name.length);
  b[0] = LEAF_TAG;
  b.set(salt, 1);
  writeU64(b, 1 + SALT_BYTES, value);
  b.set(name, 1 + SALT_BYTES + 8);
  return h(b);
}

export function nodeHash(l: SumNode, r: SumNode, h: Hash = nobleHash): SumNode {
  const sum = l.sum + r.sum;
  if (!inRange(l.sum) || !inRange(r.sum) || sum >= SUM_LIMIT) throw new Error(`liabilities: a sum outside [0, 2^63)`);
  const b = new Uint8Array(81);
  b[0] = NODE_TAG;
  b.set(l.hash, 1);
  writeU64(b, 33, l.sum);
  b.set(r.hash, 41);
  writeU64(b, 73, r.sum);
  return { hash: h(b), sum };
}

/** One level: hashes back to back, and each node's sum as two 32-bit halves (no BigInt in the hot loop). */
export interface Level {
  hashes: Uint8Array;
  hi: Uint32Array;
  lo: Uint32Array;
  n: number;
}

const TWO32 = 4294967296;
/** Shared memory when a helper thread writes into the levels too (never in the browser: no helper there). */
function level(n: number, shared: boolean): Level {
  const mem = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return { hashes: new Uint8Array(mem(n * 32)), hi: new Uint32Array(mem(n * 4)), lo: new Uint32Array(mem(n * 4)), n };
}

/** UTF-8 names of inputs [first, …) back to back: input i's name is bytes[offs[i - first], offs[i - first + 1]). */
export interface NameBytes {
  bytes: Uint8Array;
  offs: Int32Array;
  first: number;
}

/** Work for the helper thread: leaves (inputs [from, to)), or, for each level k ≥ 1 of `levels`, the nodes from (first >> k) to the level's end. */
export type HelperTask =
  | { kind: 'leaves'; names: NameBytes; salts: Uint8Array; saltFirst: number; positionOf: Int32Array; leaves: Level; from: number; to: number }
  | { kind: 'nodes'; levels: readonly Level[]; first: number };

/**
 * Another thread that hashes part of the tree while the caller hashes the rest (merkle-sum-thread.ts, Node
 * only). wait() blocks until it is done: 'ok', 'overflow' (a sum reached 2^63), or 'failed' (the caller
 * then does that part itself).
 */
export interface HashHelper {
  start(task: HelperTask): { wait(): 'ok' | 'overflow' | 'failed' };
}

/** Below this many leaves a second thread costs more than it saves. */
const PARALLEL_MIN = 1 << 14;
/** The caller's share of the leaves when a helper hashes the rest: it also reads the ledger's strings and bigints for both. */
const CALLER_LEAF_SHARE = 0.45;
const OVERFLOW = 'liabilities: the total reaches 2^63 msat: refused';
const sumAt = (lv: Level, i: number): bigint => (BigInt(lv.hi[i]) << 32n) | BigInt(lv.lo[i]);

/** The leaves as columns (what the server builds from the ledger: no object, no typed array per account). */
export interface LeafColumns {
  accounts: readonly string[];
  values: readonly bigint[];
  /** SALT_BYTES per leaf, back to back, in the order of `accounts`. */
  salts: Uint8Array;
}

/** The root of an empty tree: nothing owed. */
export const EMPTY_ROOT: SumNode = { hash: new Uint8Array(32), sum: 0n };

export class MerkleSumTree {
  private constructor(
    private readonly cols: LeafColumns,
    private readonly levels: Level[],
    /** input index → leaf position. */
    private readonly positionOf: Int32Array,
  ) {}

  get count(): number {
    return this.cols.accounts.length;
  }

  get root(): SumNode {
    const top = this.levels[this.levels.length - 1];
    if (top === undefined || top.n === 0) return EMPTY_ROOT;
    return { hash: top.hashes.slice(0, 32), sum: sumAt(top, 0) };
  }

  /** Builds over `leaves` (any order: they are placed by salt). Throws LeafRangeError on a value outside [0, 2^63). */
  static build(leaves: readonly SumLeaf[]): MerkleSumTree {
    const salts = new Uint8Array(leaves.length * SALT_BYTES);
    leaves.forEach((l, i) => {
      if (l.salt.length !== SALT_BYTES) throw new Error(`liabilities: a salt is ${SALT_BYTES} bytes, got ${l.salt.length}`);
      salts.set(l.salt, i * SALT_BYTES);
    });
    return MerkleSumTree.fromColumns({ accounts: leaves.map((l) => l.account), values: leaves.map((l) => l.value), salts });
  }

  /**
   * SHA-256 here is sha256-padded.ts (no allocation per hash); verification uses @noble/hashes. With a
   * helper (and enough leaves), part of the leaves and the right subtree's lower levels are hashed on its
   * thread: same nodes, same bytes.
   */
  static fromColumns(cols: LeafColumns, helper?: HashHelper): MerkleSumTree {
    const { accounts, values, salts } = cols;
    const n = accounts.length;
    if (values.length !== n || salts.length !== n * SALT_BYTES) throw new Error('liabilities: columns of different lengths');
    const parallel = helper !== undefined && n >= PARALLEL_MIN;
    const levels = [level(n, parallel)];
    for (let m = n; m > 1; ) levels.push(level((m = (m + 1) >> 1), parallel));
    const order = saltOrder(salts, n);
    const positionOf = parallel ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
    for (let p = 0; p < n; p++) positionOf[order[p]] = p;
    leafSums(cols, positionOf, levels[0]);
    if (!parallel) {
      hashLeafChunks(cols, positionOf, levels[0], 0, n);
      for (let k = 1; k < levels.length; k++) if (!hashNodes(digestPadded, levels[k - 1], levels[k], 0, levels[k].n)) throw new Error(OVERFLOW);
      return new MerkleSumTree(cols, levels, positionOf);
    }
    // Leaves: the helper hashes inputs [cut, n) from bytes prepared here (it cannot read the ledger's strings).
    const cut = Math.floor(n * CALLER_LEAF_SHARE);
    const names = sharedNames(accounts, cut, n);
    const theirSalts = new Uint8Array(new SharedArrayBuffer((n - cut) * SALT_BYTES));
    theirSalts.set(salts.subarray(cut * SALT_BYTES));
    const leafTask = { kind: 'leaves', names, salts: theirSalts, saltFirst: cut, positionOf, leaves: levels[0], from: cut, to: n } as const;
    const leafJob = helper.start(leafTask);
    hashLeafChunks(cols, positionOf, levels[0], 0, cut);
    if (leafJob.wait() === 'failed') runTask(leafTask);
    // Nodes: the left subtree covers the first `half` leaves, a power of two below n: its levels pair evenly,
    // and each level's right part ends where the level ends, so both parts promote exactly as the whole would.
    const low = 31 - Math.clz32(n - 1);
    const half = 2 ** low;
    const nodeTask = { kind: 'nodes', levels: levels.slice(0, low + 1), first: half } as const;
    const nodeJob = helper.start(nodeTask);
    let ok = true;
    for (let k = 1; k <= low; k++) ok &&= hashNodes(digestPadded, levels[k - 1], levels[k], 0, half >> k);
    let r = nodeJob.wait();
    if (r === 'failed') r = runTask(nodeTask) ? 'ok' : 'overflow';
    if (!ok || r === 'overflow') throw new Error(OVERFLOW);
    for (let k = low + 1; k < levels.length; k++) if (!hashNodes(digestPadded, levels[k - 1], levels[k], 0, levels[k].n)) throw new Error(OVERFLOW);
    return new MerkleSumTree(cols, levels, positionOf);
  }

  /** The proof of the leaf given as input `inputIndex` to build. */
  proof(inputIndex: number): SumProof {
    const account = this.cols.accounts[inputIndex];
    if (account === undefined) throw new RangeError(`liabilities: no leaf ${inputIndex}`);
    const index = this.positionOf[inputIndex];
    const path: SumNode[] = [];
    let idx = index;
    for (let k = 0; k < this.levels.length - 1; k++) {
      const lv = this.levels[k];
      const sib = idx & 1 ? idx - 1 : idx + 1;
      if (sib < lv.n) path.push({ hash: lv.hashes.slice(sib * 32, sib * 32 + 32), sum: sumAt(lv, sib) });
      idx >>= 1;
    }
    const so = inputIndex * SALT_BYTES;
    return { account, value: this.cols.values[inputIndex], salt: this.cols.salts.slice(so, so + SALT_BYTES), index, count: this.count, path };
  }

  /** The input index of a leaf by account name (a scan: called per proof request, not per block). */
  indexOf(account: string): number {
    return this.cols.accounts.indexOf(account);
  }
}

/** Accounts encoded per chunk: a chunk's names joined and encoded in one native call (bounded memory). */
const NAME_CHUNK = 1 << 10;
const utf8 = new TextEncoder();

/**
 * Appends the UTF-8 names of accounts [from, to) to `out` (from its offset of `from`), growing it if needed.
 * One join + one encodeInto per chunk: V8 flattens the (often cons) strings natively, where a charCodeAt
 * per character cost more than the hashing.
 */
function encodeNames(accounts: readonly string[], from: number, to: number, out: NameBytes): void {
  const o = from - out.first;
  const at0 = out.offs[o];
  let chars = 0;
  for (let i = from; i < to; i++) {
    out.offs[o + i - from] = at0 + chars;
    chars += accounts[i].length;
  }
  out.offs[o + to - from] = at0 + chars;
  // 3 bytes per UTF-16 unit is UTF-8's worst case.
  if (out.bytes.length < at0 + 3 * chars) {
    const grown = new Uint8Array(at0 + 3 * chars);
    grown.set(out.bytes.subarray(0, at0));
    out.bytes = grown;
  }
  const written = utf8.encodeInto(accounts.slice(from, to).join(''), out.bytes.subarray(at0)).written;
  // As many bytes as units only when every unit is ASCII; otherwise each name is encoded on its own.
  if (written === chars) return;
  let at = at0;
  for (let i = from; i < to; i++) {
    out.offs[o + i - from] = at;
    at += utf8.encodeInto(accounts[i], out.bytes.subarray(at)).written;
  }
  out.offs[o + to - from] = at;
}

/** The names of accounts [from, to) in shared memory, for the helper thread. */
function sharedNames(accounts: readonly string[], from: number, to: number): NameBytes {
  let chars = 0;
  for (let i = from; i < to; i++) chars += accounts[i].length;
  // Sized for the worst case: pages never written are never resident.
  const out = { bytes: new Uint8Array(new SharedArrayBuffer(3 * chars)), offs: new Int32Array(new SharedArrayBuffer(4 * (to - from + 1))), first: from };
  for (let c = from; c < to; c += NAME_CHUNK) encodeNames(accounts, c, Math.min(to, c + NAME_CHUNK), out);
  return out;
}

/** Every leaf's value as two 32-bit halves at its position, in input order (so the first bad value is the one named). */
function leafSums(cols: LeafColumns, positionOf: Int32Array, base: Level): void {
  const { accounts, values } = cols;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!inRange(value)) throw new LeafRangeError(accounts[i], value);
    const pos = positionOf[i];
    if (value <= 9007199254740991n) {
      const v = Number(value);
      const hi = Math.floor(v / TWO32);
      base.hi[pos] = hi;
      base.lo[pos] = v - hi * TWO32;
    } else {
      base.hi[pos] = Number(value >> 32n);
      base.lo[pos] = Number(value & 0xffffffffn);
    }
  }
}

/**
 * Leaves [from, to) hashed here, chunk by chunk. Leaves are read in input order (the ledger's memory order:
 * a random walk over a million strings costs more than the hashing) and written at their salt-ordered position.
 */
function hashLeafChunks(cols: LeafColumns, positionOf: Int32Array, base: Level, from: number, to: number): void {
  const names: NameBytes = { bytes: new Uint8Array(0), offs: new Int32Array(NAME_CHUNK + 1), first: 0 };
  for (let c = from; c < to; c += NAME_CHUNK) {
    const end = Math.min(to, c + NAME_CHUNK);
    names.first = c;
    names.offs[0] = 0;
    encodeNames(cols.accounts, c, end, names);
    hashLeaves(digestPadded, paddedBuffer, names, cols.salts, 0, positionOf, base, c, end);
  }
}

/**
 * Leaves [from, to) from their name bytes, salts (input i's at (i - saltFirst) · 16) and the halves leafSums
 * wrote, each hash at its position. Self-contained (its source also runs in merkle-sum-thread.ts's worker).
 */
export function hashLeaves(
  digest: (p: Uint8Array, blocks: number, out: Uint8Array, off: number) => void,
  pad: (len: number) => { buf: Uint8Array; blocks: number },
  names: NameBytes,
  salts: Uint8Array,
  saltFirst: number,
  positionOf: Int32Array,
  base: Level,
  from: number,
  to: number,
): void {
  // One padded scratch buffer per message length (names are mostly one length): nothing allocated per leaf.
  // Layout: 0x00 ‖ salt (16) ‖ u64be value ‖ name, the name from byte 25.
  const scratch = new Map<number, { b: Uint8Array; v: DataView; blocks: number }>();
  const { bytes, offs, first } = names;
  for (let i = from; i < to; i++) {
    const pos = positionOf[i];
    const nameAt = offs[i - first];
    const nameLen = offs[i - first + 1] - nameAt;
    const len = 25 + nameLen;
    let sc = scratch.get(len);
    if (sc === undefined) {
      const { buf, blocks } = pad(len);
      sc = { b: buf, v: new DataView(buf.buffer), blocks };
      scratch.set(len, sc);
    }
    const b = sc.b;
    const so = (i - saltFirst) * 16;
    for (let k = 0; k < 16; k++) b[1 + k] = salts[so + k];
    sc.v.setUint32(17, base.hi[pos], false);
    sc.v.setUint32(21, base.lo[pos], false);
    for (let k = 0; k < nameLen; k++) b[25 + k] = bytes[nameAt + k];
    digest(b, sc.blocks, base.hashes, pos * 32);
  }
}

/** The hashing functions a task needs, passed in so that runTask's source also runs in the worker. */
export interface TreeHashers {
  digest: typeof digestPadded;
  pad: typeof paddedBuffer;
  leaves: typeof hashLeaves;
  nodes: typeof hashNodes;
}

/** A helper's task done here (also what the helper thread runs, with its own copies). False when a sum reaches 2^63. */
export function runTask(t: HelperTask, h: TreeHashers = { digest: digestPadded, pad: paddedBuffer, leaves: hashLeaves, nodes: hashNodes }): boolean {
  if (t.kind === 'leaves') {
    h.leaves(h.digest, h.pad, t.names, t.salts, t.saltFirst, t.positionOf, t.leaves, t.from, t.to);
    return true;
  }
  let ok = true;
  for (let k = 1; k < t.levels.length && ok; k++) ok = h.nodes(h.digest, t.levels[k - 1], t.levels[k], t.first >> k, t.levels[k].n);
  return ok;
}

/**
 * Nodes [from, to) of the level above `cur`: pairs hashed with both sums, an odd last node promoted. False
 * when a sum reaches 2^63. Self-contained (its source also runs in merkle-sum-thread.ts's worker).
 */
export function hashNodes(digest: (p: Uint8Array, blocks: number, out: Uint8Array, off: number) => void, cur: Level, next: Level, from: number, to: number): boolean {
  // One padded scratch buffer for every node (81 bytes: two blocks, length 648 bits = 0x288): nothing allocated.
  const buf = new Uint8Array(128);
  buf[0] = 0x01;
  buf[81] = 0x80;
  buf[126] = 0x02;
  buf[127] = 0x88;
  const view = new DataView(buf.buffer);
  const ch = cur.hashes;
  for (let j = from; j < to; j++) {
    const a = 2 * j;
    if (a + 1 >= cur.n) {
      next.hashes.set(ch.subarray(a * 32, a * 32 + 32), j * 32);
      next.hi[j] = cur.hi[a];
      next.lo[j] = cur.lo[a];
      continue;
    }
    const hl = cur.hi[a];
    const ll = cur.lo[a];
    const hr = cur.hi[a + 1];
    const lr = cur.lo[a + 1];
    let lo = ll + lr;
    let carry = 0;
    if (lo >= 4294967296) {
      lo -= 4294967296;
      carry = 1;
    }
    const hi = hl + hr + carry;
    // hi ≥ 2^31 is a sum ≥ 2^63.
    if (hi >= 2147483648) return false;
    const o = a * 32;
    for (let k = 0; k < 32; k++) {
      buf[1 + k] = ch[o + k];
      buf[41 + k] = ch[o + 32 + k];
    }
    view.setUint32(33, hl, false);
    view.setUint32(37, ll, false);
    view.setUint32(73, hr, false);
    view.setUint32(77, lr, false);
    digest(buf, 2, next.hashes, j * 32);
    next.hi[j] = hi;
    next.lo[j] = lo;
  }
  return true;
}

/** Leaf positions ordered by salt (its first 4 bytes, ties by input index): a deterministic shuffle. */
function saltOrder(salts: Uint8Array, n: number): Int32Array {
  const out = new Int32Array(n);
  const key = (i: number): number => {
    const o = i * SALT_BYTES;
    return ((salts[o] << 24) >>> 0) + (salts[o + 1] << 16) + (salts[o + 2] << 8) + salts[o + 3];
  };
  if (n <= 1 << 21) {
    // key · 2^21 + index is below 2^53, so one native numeric sort of doubles orders them.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = key(i) * 2097152 + i;
    keys.sort();
    for (let p = 0; p < n; p++) out[p] = keys[p] % 2097152;
    return out;
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => key(a) - key(b) || a - b);
  out.set(idx);
  return out;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Recomputes the root from the proof and compares it (hash and total) with the published one. */
export function verifySumProof(p: SumProof, root: SumNode, h: Hash = nobleHash): Verdict {
  if (!Number.isSafeInteger(p.count) || p.count < 1) return { ok: false, reason: 'the proof has no leaves' };
  if (!Number.isSafeInteger(p.index) || p.index < 0 || p.index >= p.count) return { ok: false, reason: 'the leaf index is outside the tree' };
  if (!inRange(p.value)) return { ok: false, reason: 'the balance is outside [0, 2^63)' };
  if (p.salt.length !== SALT_BYTES) return { ok: false, reason: `the salt is not ${SALT_BYTES} bytes` };
  if (!inRange(root.sum)) return { ok: false, reason: 'the published total is outside [0, 2^63)' };
  let cur: SumNode = { hash: leafHash(p.account, p.value, p.salt, h), sum: p.value };
  let idx = p.index;
  let n = p.count;
  let step = 0;
  while (n > 1) {
    const hasSibling = idx & 1 ? true : idx + 1 < n;
    if (hasSibling) {
      const sib = p.path[step++];
      if (sib === undefined) return { ok: false, reason: 'the path is too short for the tree' };
      if (sib.hash.length !== 32) return { ok: false, reason: 'a sibling hash is not 32 bytes' };
      if (!inRange(sib.sum)) return { ok: false, reason: 'a sibling sum is outside [0, 2^63)' };
      if (cur.sum + sib.sum >= SUM_LIMIT) return { ok: false, reason: 'a sum reaches 2^63' };
      cur = idx & 1 ? nodeHash(sib, cur, h) : nodeHash(cur, sib, h);
    }
    idx >>= 1;
    n = (n + 1) >> 1;
  }
  if (step !== p.path.length) return { ok: false, reason: 'the path is longer than the tree' };
  if (cur.sum !== root.sum) return { ok: false, reason: `the path sums to ${cur.sum}, the published total is ${root.sum}` };
  if (bytesToHex(cur.hash) !== bytesToHex(root.hash)) return { ok: false, reason: 'the path does not lead to the published root' };
  return { ok: true };
}

export { bytesToHex, hexToBytes };
