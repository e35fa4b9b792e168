/**
 * The liabilities root of every block, kept for a window: the whole tree (and its salts) for the last
 * `keepTrees` blocks, so an account can fetch its proof at any of them, and the roots alone for the last
 * `keepRoots` blocks. Salts are drawn fresh per account per block by the injected `randomSalts` and live
 * only in memory with their tree: nothing outlives the window, and a restart publishes a new tree at
 * the next block (the old proofs are gone with it; the roots, if anyone kept them, still stand).
 */
import { buildLiabilities, proofWire, type BlockLiabilities, type LiabilitiesProof, type LiabilitiesRoot } from './liabilities.js';
import { SALT_BYTES } from './merkle-sum.js';
import { hashThread } from './merkle-sum-thread.js';

export interface PublisherOptions {
  randomSalts: (bytes: number) => Uint8Array;
  keepTrees?: number;
  keepRoots?: number;
}

export class LiabilitiesPublisher {
  private readonly trees = new Map<number, BlockLiabilities>();
  private readonly roots = new Map<number, LiabilitiesRoot>();
  private readonly listeners = new Set<(r: LiabilitiesRoot) => void>();
  private latestHeight: number | undefined;
  lastError: string | undefined;

  constructor(private readonly opts: PublisherOptions) {}

  /**
   * Builds and publishes the tree of `block` from the ledger's balances (every account, world included).
   * A refusal (a negative account, a ledger that does not balance) publishes nothing, is kept in
   * `lastError` for /health, and is thrown to the caller to log.
   */
  publish(block: { height: number; hash: string }, balances: Iterable<[string, bigint]>, accountCount: number): LiabilitiesRoot {
    let b: BlockLiabilities;
    try {
      b = buildLiabilities(block, balances, this.opts.randomSalts(SALT_BYTES * accountCount), hashThread);
    } catch (e) {
      this.lastError = `block ${block.height}: ${e instanceof Error ? e.message : String(e)}`;
      throw e;
    }
    this.lastError = undefined;
    // A reorg republishes a height: the newer block replaces it.
    this.trees.delete(block.height);
    this.roots.delete(block.height);
    this.trees.set(block.height, b);
    this.roots.set(block.height, b.root);
    this.latestHeight = block.height;
    trim(this.trees, this.opts.keepTrees ?? 6);
    trim(this.roots, this.opts.keepRoots ?? 10_000);
    for (const l of this.listeners) l(b.root);
    return b.root;
  }

  latest(): LiabilitiesRoot | undefined {
    return this.latestHeight === undefined ? undefined : this.roots.get(this.latestHeight);
  }

  rootAt(height: number): LiabilitiesRoot | undefined {
    return this.roots.get(height);
  }

  /** undefined: no tree kept for that height; null: the tree has no leaf for the account (nothing owed). */
  proofAt(height: number, ledgerAccount: string): LiabilitiesProof | null | undefined {
    const b = this.trees.get(height);
    if (b === undefined) return undefined;
    return proofWire(b, ledgerAccount) ?? null;
  }

  /** Heights whose trees are kept (proofs available), oldest first. */
  treeHeights(): number[] {
    return [...this.trees.keys()];
  }

  subscribe(l: (r: LiabilitiesRoot) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** Drops the oldest entries (insertion order) beyond `keep`. */
function trim<V>(m: Map<number, V>, keep: number): void {
  while (m.size > keep) m.delete(m.keys().next().value as number);
}
