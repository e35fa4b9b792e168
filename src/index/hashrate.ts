/**
 * Network hashrate estimates (H/s) from headers: chainwork done over a window divided by the time the
 * window took, and the hashrate the difficulty alone implies (D × 2^32 / 600).
 */
import { difficultyOfBits } from '../chain/target.js';

export const TARGET_SPACING_S = 600;

export interface HashrateEstimate {
  windowBlocks: number;
  fromHeight: number;
  toHeight: number;
  /** Work of blocks fromHeight+1 .. toHeight over time(toHeight) − time(fromHeight). */
  hashrateHps: number;
  meanIntervalS: number;
}

/**
 * Hashrate over `windowBlocks` blocks ending at `height`, or the reason it cannot be computed.
 * The work of blocks (h−n, h] divided by time(h) − time(h−n); timestamps are miner-set, so short
 * windows are noisy (±2 h per timestamp).
 */
export function estimateHashrate(
  chainworkAt: (h: number) => bigint,
  timeAt: (h: number) => number | undefined,
  height: number,
  windowBlocks: number,
): HashrateEstimate | { unavailable: string } {
  const from = height - windowBlocks;
  if (from < 0) return { unavailable: `needs ${windowBlocks} blocks before height ${height}` };
  const t1 = timeAt(height);
  const t0 = timeAt(from);
  if (t0 === undefined || t1 === undefined)
    return { unavailable: `no header time at height ${t0 === undefined ? from : height} (headers are shipped only for some segments)` };
  const dt = t1 - t0;
  if (dt <= 0) return { unavailable: `non-positive time span ${dt} s between heights ${from} and ${height}` };
  const work = chainworkAt(height) - chainworkAt(from);
  return { windowBlocks, fromHeight: from, toHeight: height, hashrateHps: Number(work) / dt, meanIntervalS: dt / windowBlocks };
}

/** The hashrate at which blocks at this difficulty come every 600 s on average. */
export function impliedHashrateHps(bits: number): number {
  return (difficultyOfBits(bits) * 2 ** 32) / TARGET_SPACING_S;
}
