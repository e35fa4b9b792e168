/**
 * Proof of liabilities as published: the root and total of one block's Merkle sum tree, and one
 * account's inclusion proof, in JSON (hex bytes, decimal-string msat). Shared by the server (builds),
 * the CLI and the web app (verify). Pure.
 *
 * What the tree holds: every ledger account except `world` at the end of a block (users' collateral,
 * order escrows, settlement pools, insurance, the vault, fees). The ledger is double-entry, so their sum
 * is minus `world`: everything deposited less everything withdrawn, all of it held for someone. The
 * builder checks that identity, so a leaf left out is caught before anything is published.
 * Salts are fresh random bytes per account per block: the builder takes them as input (the server draws
 * them, keeps them with the tree for its window) so this module stays deterministic.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { MerkleSumTree, nobleHash, SALT_BYTES, SUM_LIMIT, verifySumProof, type Hash, type HashHelper, type SumProof, type Verdict } from './merkle-sum.js';

export const WORLD_ACCOUNT = 'world';

/** One block's published root. */
export interface LiabilitiesRoot {
  height: number;
  blockHash: string;
  /** Hex, 32 bytes. */
  root: string;
  /** Σ leaves, msat (decimal string: it can pass 2^53). */
  totalMsat: string;
  /** Number of leaves. */
  accounts: number;
}

export interface LiabilitiesProof {
  height: number;
  blockHash: string;
  root: string;
  totalMsat: string;
  /** The ledger account name the leaf commits to (`user:<id>`). */
  ledgerAccount: string;
  balanceMsat: string;
  salt: string;
  index: number;
  count: number;
  path: { hash: string; sumMsat: string }[];
}

export interface BlockLiabilities {
  root: LiabilitiesRoot;
  tree: MerkleSumTree;
}

/**
 * Builds one block's tree from the ledger's balances. `salts` holds SALT_BYTES per account that is not
 * world, in the order `balances` yields them. Throws LeafRangeError on a negative account, and an Error
 * when Σ leaves ≠ −world (a ledger that does not balance must not publish a root). `helper`: a second
 * thread for part of the hashing (merkle-sum-thread.ts on the server); the tree is the same without it.
 */
export function buildLiabilities(
  block: { height: number; hash: string },
  balances: Iterable<[string, bigint]>,
  salts: Uint8Array,
  helper?: HashHelper,
): BlockLiabilities {
  const accounts: string[] = [];
  const values: bigint[] = [];
  let world = 0n;
  for (const [account, value] of balances) {
    if (account === WORLD_ACCOUNT) {
      world = value;
      continue;
    }
    if (value === 0n) continue;
    accounts.push(account);
    values.push(value);
  }
  if (accounts.length * SALT_BYTES > salts.length) throw new Error(`liabilities: ${salts.length / SALT_BYTES} salts for ${accounts.length} accounts`);
  const tree = MerkleSumTree.fromColumns({ accounts, values, salts: salts.subarray(0, accounts.length * SALT_BYTES) }, helper);
  const r = tree.root;
  if (r.sum !== -world) throw new Error(`liabilities: the leaves sum to ${r.sum} msat but world is ${world}: the ledger does not balance, nothing published`);
  return { root: { height: block.height, blockHash: block.hash, root: bytesToHex(r.hash), totalMsat: r.sum.toString(), accounts: accounts.length }, tree };
}

export function proofWire(b: BlockLiabilities, ledgerAccount: string): LiabilitiesProof | undefined {
  const i = b.tree.indexOf(ledgerAccount);
  if (i < 0) return undefined;
  const p = b.tree.proof(i);
  return {
    height: b.root.height, blockHash: b.root.blockHash, root: b.root.root, totalMsat: b.root.totalMsat,
    ledgerAccount: p.account, balanceMsat: p.value.toString(), salt: bytesToHex(p.salt), index: p.index, count: p.count,
    path: p.path.map((s) => ({ hash: bytesToHex(s.hash), sumMsat: s.sum.toString() })),
  };
}

const HEX32 = /^[0-9a-f]{64}$/;
const SALT_RE = new RegExp(`^[0-9a-f]{${SALT_BYTES * 2}}$`);
const MSAT_RE = /^(0|[1-9][0-9]{0,18})$/;

function msat(s: unknown): bigint | undefined {
  if (typeof s !== 'string' || !MSAT_RE.test(s)) return undefined;
  const v = BigInt(s);
  return v < SUM_LIMIT ? v : undefined;
}

/**
 * Verifies an account's proof against a root fetched on its own (never the copy inside the proof): same
 * block, then the path from the leaf (name, salt, balance) up to that root and total. `account` is the
 * user id the caller expects the leaf to name.
 */
export function verifyLiabilitiesProof(proof: LiabilitiesProof, published: LiabilitiesRoot, account: string, h: Hash = nobleHash): Verdict & { balanceMsat?: bigint } {
  if (proof.ledgerAccount !== `user:${account}`) return { ok: false, reason: `the proof is for ${JSON.stringify(proof.ledgerAccount)}, not user:${account}` };
  if (proof.height !== published.height || proof.blockHash !== published.blockHash) return { ok: false, reason: `the proof is for block ${proof.height}, the published root for block ${published.height}` };
  if (proof.count !== published.accounts) return { ok: false, reason: `the proof places the leaf among ${proof.count} leaves, the published root has ${published.accounts}` };
  if (!HEX32.test(published.root)) return { ok: false, reason: 'the published root is not 32 bytes of hex' };
  const total = msat(published.totalMsat);
  const balance = msat(proof.balanceMsat);
  if (total === undefined) return { ok: false, reason: 'the published total is not a msat amount below 2^63' };
  if (balance === undefined) return { ok: false, reason: 'the balance is not a msat amount below 2^63' };
  if (typeof proof.salt !== 'string' || !SALT_RE.test(proof.salt)) return { ok: false, reason: `the salt is not ${SALT_BYTES} bytes of hex` };
  if (!Array.isArray(proof.path)) return { ok: false, reason: 'the path is not a list' };
  const path: SumProof['path'] = [];
  for (const s of proof.path) {
    const sum = msat(s?.sumMsat);
    if (typeof s?.hash !== 'string' || !HEX32.test(s.hash) || sum === undefined) return { ok: false, reason: 'a path step is not {hash: 32 bytes hex, sumMsat}' };
    path.push({ hash: hexToBytes(s.hash), sum });
  }
  const v = verifySumProof(
    { account: proof.ledgerAccount, value: balance, salt: hexToBytes(proof.salt), index: proof.index, count: proof.count, path },
    { hash: hexToBytes(published.root), sum: total },
    h,
  );
  return v.ok ? { ok: true, balanceMsat: balance } : v;
}
