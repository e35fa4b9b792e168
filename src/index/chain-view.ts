/**
 * The part of the embedded chain the index reads. EmbeddedChain (src/chain/embedded.ts) satisfies it;
 * other sources (bitcoind, Esplora) can too.
 */
import type { EpochRow, HeightRange } from '../chain/embedded.js';

export interface IndexChain {
  readonly segments: readonly HeightRange[];
  readonly epochs: readonly EpochRow[];
  readonly maxHeight: number;
  hash(height: number): string | undefined;
  bitsAt(height: number): number;
  chainworkAt(height: number): bigint;
  segmentOf(height: number): HeightRange | undefined;
  feesAt(height: number): bigint | undefined;
  timeAt(height: number): number | undefined;
  /** Optional fast path: all 80-byte headers of one segment, height h at byte (h − firstHeight) × 80. */
  segmentBuffer?(range: HeightRange): Uint8Array;
}
