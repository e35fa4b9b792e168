/**
 * Fair value of a block-delta series "height H is mined before time T" (FAST side), in basis points.
 *
 * The SLOW side's lock is CLTV(T, time), which BIP113 compares with the median time past (MTP) of the
 * previous block, not with header time; the FAST side's lock is CLTV(H, height). So FAST wins iff the
 * chain reaches height H while the MTP of every earlier block is still < T, i.e. iff MTP(H − 1) < T.
 * MTP(n) is the median of the 11 header times n−10..n; with timestamps in arrival order it is the time of
 * block n − 5, so FAST ⇔ block H − 6 arrives before T. We know MTP now = time of block tip − 5, so the
 * question is whether the (H − 6) − (tip − 5) = H − tip − 1 arrivals after that block all happen within
 * T − MTP seconds: P(FAST) = P(Poisson(Λ(T − MTP)) ≥ H − tip − 1).
 * Compared with the naive "H − tip blocks before T counted from the tip", this is the SLOW lock opening
 * about an hour late (MTP lags the tip by 5 intervals, wall time by ~6). It is exact at H = tip + 1
 * (FAST iff MTP(tip) < T), and it uses only consensus values: the tip's own timestamp can be off by
 * hours, its MTP cannot.
 *
 * Rate: λ = hashrate / (D × 2^32) at the bits in force. When a retarget boundary lies among the modelled
 * arrivals (blocks tip−4 .. H−6), the rate after it depends on the path, so the probability comes from
 * simulateAcrossRetarget (seeded, deterministic); otherwise Poisson in closed form.
 */
import { difficultyOfBits } from '../chain/target.js';
import { EPOCH_BLOCKS } from '../index/retarget.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { simulateAcrossRetarget } from './block-arrival.js';
import { poissonAtLeast } from './gamma.js';

/** Blocks by which MTP (median of 11) trails the tip when timestamps are in order. */
export const MTP_LAG_BLOCKS = 5;

export interface BdcChainState {
  /** Tip height and its median time past (unix s). */
  height: number;
  mtp: number;
  /** Bits in force for the next block (tip + 1). */
  bits: number;
  /** Header time of the first block of the epoch that block tip + 1 belongs to (if it is tip + 1 itself, any value: unused). */
  epochStartTime: number;
  /** Network hashrate estimate (H/s), e.g. the 2016-block estimate of indexAt. */
  hashrateHps: number;
  /** Continuous hashrate growth per day (0 = constant; used in both branches). */
  hashrateGrowthPerDay?: number;
}

export interface BdcSeries {
  /** Height H the FAST side needs. */
  height: number;
  /** Deadline T (unix s) the SLOW side's MTP lock uses. */
  time: number;
}

export interface BdcFairValue {
  fairBps: number;
  pFast: number;
  /** Arrivals after the MTP block that must happen within `seconds`. */
  arrivalsNeeded: number;
  seconds: number;
  method: 'poisson' | 'simulation' | 'decided';
  stdError?: number;
  /** The first retarget height after the tip; `crossesRetarget` when it falls among the modelled arrivals. */
  nextRetargetHeight: number;
  crossesRetarget: boolean;
  basis: string;
}

const clampBps = (p: number): number => Math.min(9999, Math.max(1, Math.round(p * 10_000)));

export function bdcFairValue(state: BdcChainState, series: BdcSeries, opts: { paths?: number; seed?: number } = {}): BdcFairValue {
  const tip = assertSafeInteger('height', state.height, MTP_LAG_BLOCKS);
  const mtp = assertSafeInteger('mtp', state.mtp, 0);
  const bits = assertSafeInteger('bits', state.bits, 1, 0xffffffff);
  assertSafeInteger('epochStartTime', state.epochStartTime, 0);
  const hashrate = state.hashrateHps;
  if (typeof hashrate !== 'number' || !Number.isFinite(hashrate) || hashrate <= 0) throw new InvalidArgumentError('hashrateHps', `must be a positive number, got ${String(hashrate)}`);
  const g = state.hashrateGrowthPerDay ?? 0;
  if (typeof g !== 'number' || !Number.isFinite(g)) throw new InvalidArgumentError('hashrateGrowthPerDay', `must be finite, got ${String(g)}`);
  const H = assertSafeInteger('series.height', series.height, 0);
  const T = assertSafeInteger('series.time', series.time, 0);
  if (H <= tip) throw new InvalidArgumentError('series.height', `height ${H} is already reached (tip ${tip}); the series is decided by the chain, not the model`);

  const epochStart = Math.floor((tip + 1) / EPOCH_BLOCKS) * EPOCH_BLOCKS;
  const nextRetargetHeight = epochStart + EPOCH_BLOCKS;
  const arrivalsNeeded = H - tip - 1;
  const seconds = T - mtp;
  const lastModelled = H - 1 - MTP_LAG_BLOCKS;
  const crossesRetarget = nextRetargetHeight <= lastModelled;
  if (seconds <= 0)
    return {
      fairBps: 1,
      pFast: 0,
      arrivalsNeeded,
      seconds,
      method: 'decided',
      nextRetargetHeight,
      crossesRetarget,
      basis: `MTP ${mtp} is already ≥ T ${T}: the SLOW lock is spendable before height ${H} can be mined`,
    };

  if (!crossesRetarget) {
    // Λ = ∫₀ˢ λ e^{g t} dt with λ = H/(D·2^32); g per second.
    const lambda = hashrate / (difficultyOfBits(bits) * 2 ** 32);
    const gs = g / 86_400;
    const expected = gs === 0 ? lambda * seconds : (lambda * Math.expm1(gs * seconds)) / gs;
    const pFast = poissonAtLeast(arrivalsNeeded, expected);
    return {
      fairBps: clampBps(pFast),
      pFast,
      arrivalsNeeded,
      seconds,
      method: 'poisson',
      nextRetargetHeight,
      crossesRetarget,
      basis:
        `FAST iff MTP(H−1) < T, i.e. block H−${MTP_LAG_BLOCKS + 1} before T: P(Poisson(${expected.toFixed(4)}) ≥ ${arrivalsNeeded}) ` +
        `over T − MTP = ${seconds} s; no retarget before block ${lastModelled}`,
    };
  }

  // The simulation starts at the MTP block. If the current epoch began within the last 5 blocks (or begins
  // at tip + 1), start it at the block before the epoch's first one instead, so the simulated retarget is
  // the coming one; this places that retarget up to 5 blocks early in a 2016-block epoch.
  const simTip = Math.max(tip - MTP_LAG_BLOCKS, epochStart - 1);
  const sim = simulateAcrossRetarget({
    blocks: arrivalsNeeded,
    seconds,
    hashrateHps: hashrate,
    hashrateGrowthPerDay: g,
    tipHeight: simTip,
    bits,
    tipTime: mtp,
    epochStartTime: simTip === epochStart - 1 ? mtp : state.epochStartTime,
    paths: opts.paths,
    seed: opts.seed,
  });
  return {
    fairBps: clampBps(sim.pFast),
    pFast: sim.pFast,
    stdError: sim.stdError,
    arrivalsNeeded,
    seconds,
    method: 'simulation',
    nextRetargetHeight,
    crossesRetarget,
    basis:
      `FAST iff block H−${MTP_LAG_BLOCKS + 1} before T; the retarget at ${nextRetargetHeight} lies among the modelled arrivals, ` +
      `so ${sim.paths} simulated paths (seed ${sim.seed}) with Core's retarget rule: ${sim.method}`,
  };
}
