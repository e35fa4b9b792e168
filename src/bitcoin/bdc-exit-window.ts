/**
 * The latest safe time to start a unilateral exit of a block-delta contract VTXO, for the user's WIN case.
 *
 * The VTXO (vtxo-scripts.ts, buildBlockDeltaVtxo) has two unilateral leaves: CSV(d) + CLTV(H) + FAST party
 * and CSV(d) + CLTV(T − 1) + SLOW party. Both CSVs count from the same confirmation: the block c in which
 * the user's unroll confirms the contract VTXO. The winner's claim must confirm before the loser's leaf
 * opens; after that both leaves are open and the first confirmed claim wins (a race).
 *
 * Consensus facts used (Bitcoin Core):
 * - CSV d blocks (BIP-68/112): a spend is valid in a block at height ≥ c + d.
 * - CLTV height L (nLockTime = L): final in a block at height ≥ L + 1 (nLockTime < height).
 * - CLTV time L: final in a block whose parent's MTP > L (BIP-113); T − 1 therefore opens once MTP ≥ T.
 * Unrolling takes k transactions (tree levels, checkpoint, Ark tx), assumed one block each (worst case).
 *
 * User SLOW (S is FAST): S's claim is valid from block max(H + 1, c + d). The user, starting with the tip
 * at height s, confirms the k-th unroll tx in block c = s + k and may claim from block c + d = s + k + d.
 * The claim beats S's only if it confirms by block H: s + k + d ≤ H, so s ≤ H − d − k, the point of no
 * return. We advise one block earlier, H − d − k − 1, since the claim itself may miss the first block it
 * is valid in (fee competition). Example (the test): H = 900,100, d = 144, k = 13 → 899,943 exact, 899,942 advised.
 *
 * User FAST (S is SLOW): S's claim is valid once MTP ≥ T (and c + d). The user's claim confirms about
 * (d + k) × 600 s after the start. MTP lags wall time by about an hour (the median of 11 blocks), so S's
 * leaf opens near wall time T + 3600 s, which on average gives the user that hour; we do not count on it
 * and keep another hour for blocks slower than 600 s: latest start (wall clock) T − (d + k) × 600 − 3600.
 * An estimate only: block intervals vary, and a run of slow blocks makes the unroll and the CSV take longer.
 */
import { InvalidArgumentError } from '../units/errors.js';

/** The target block interval, seconds (the FAST estimate's block time). */
const BLOCK_SECONDS = 600;
/** How far MTP lags the wall clock, about: the median of the last 11 block times is ~6 blocks old. */
const MTP_LAG_SECONDS = 3600;
const LOCKTIME_THRESHOLD = 500_000_000;
const MAX_LOCKTIME = 0xffff_ffff;

export type BdcExitSide = 'FAST' | 'SLOW';

export interface BdcExitWindowInput {
  /** The user's side of the contract. */
  side: BdcExitSide;
  /** Target height H (FAST wins if block H comes first). */
  height: number;
  /** Deadline T, unix seconds (SLOW wins if MTP reaches T first). */
  deadline: number;
  /** The unilateral exit delay d, blocks (exitDelayBlocks converts a BIP-68 value). */
  exitDelayBlocks: number;
  /** k: virtual transactions to broadcast to unroll the VTXO (tree depth + checkpoint + Ark tx). */
  unrollTxs: number;
}

export type BdcExitDeadline =
  /** Broadcast the first unroll tx while the tip height is at most `height` (exact rule minus one block). */
  | { kind: 'height'; height: number; pointOfNoReturn: number }
  /** Broadcast the first unroll tx by this wall-clock time, unix seconds: an estimate. */
  | { kind: 'time'; time: number; estimate: true };

export interface BdcExitWindow {
  latestStart: BdcExitDeadline;
  /** What happens once both locks have opened, in plain English. */
  metastability: string;
}

/** Powswap's metastability, as the UI says it. */
export const BDC_METASTABILITY =
  'Once block H exists and MTP has reached T, both unilateral leaves are open: either party may claim after its exit delay and the first ' +
  'confirmed claim wins (a race). A winner who has not settled with the operator or exited by then may lose the contract.';

const int = (field: string, v: number, min: number, max: number): number => {
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new InvalidArgumentError(field, `must be an integer ${min}..${max}, got ${String(v)}`);
  return v;
};

/** The latest point to start a unilateral exit so that the user's winning claim confirms before S's leaf opens. */
export function bdcExitWindow(i: BdcExitWindowInput): BdcExitWindow {
  if (i.side !== 'FAST' && i.side !== 'SLOW') throw new InvalidArgumentError('side', `must be FAST or SLOW, got ${String(i.side)}`);
  const h = int('height', i.height, 1, LOCKTIME_THRESHOLD - 1);
  const t = int('deadline', i.deadline, LOCKTIME_THRESHOLD, MAX_LOCKTIME);
  const d = int('exitDelayBlocks', i.exitDelayBlocks, 1, 65_535);
  const k = int('unrollTxs', i.unrollTxs, 1, 1_000);
  const latestStart: BdcExitDeadline = i.side === 'SLOW'
    ? { kind: 'height', height: h - d - k - 1, pointOfNoReturn: h - d - k }
    : { kind: 'time', time: t - (d + k) * BLOCK_SECONDS - MTP_LAG_SECONDS, estimate: true };
  return { latestStart, metastability: BDC_METASTABILITY };
}

/**
 * A relative delay in blocks: a BIP-68 value (ArkParams.unilateralExitDelay: below 512 blocks, from 512 on
 * seconds) or a typed one (a contract's exitDelay). Seconds count as ceil(seconds / 600) blocks, an
 * estimate (a time CSV follows MTP, not heights).
 */
export function exitDelayBlocks(delay: bigint | { type: 'blocks' | 'seconds'; value: bigint }): number {
  const t = typeof delay === 'bigint' ? { type: delay < 512n ? 'blocks' : 'seconds', value: delay } : delay;
  if (t.value <= 0n) throw new InvalidArgumentError('exitDelay', `must be positive, got ${t.value}`);
  return t.type === 'blocks' ? Number(t.value) : Math.ceil(Number(t.value) / BLOCK_SECONDS);
}
