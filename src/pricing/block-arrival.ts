/**
 * Block-arrival model: blocks are a Poisson process with rate λ = H / (D × 2^32). "k more blocks within
 * s seconds" (the FAST side of a block-delta contract) has probability P(Poisson(Λ) ≥ k), Λ = λ·s.
 * Across a retarget the rate depends on the path (the new difficulty depends on how fast the epoch
 * went), so that case is priced by a seeded, deterministic simulation.
 */
import { MAINNET_POW_LIMIT, difficultyOfBits, targetOf } from '../chain/target.js';
import { nextBitsFromTimespan, EPOCH_BLOCKS } from '../index/retarget.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { poissonAtLeast } from './gamma.js';
import { seededRng } from './prng.js';

const TWO_32 = 2 ** 32;

export interface BdcQuery {
  blocks: number;
  seconds: number;
  /** Mean block interval in seconds; or give hashrateHps and difficulty. */
  intervalS?: number;
  hashrateHps?: number;
  difficulty?: number;
}

export interface BdcOdds {
  blocks: number;
  seconds: number;
  meanIntervalS: number;
  /** Λ: expected number of blocks in `seconds`. */
  expectedBlocks: number;
  /** P(at least `blocks` blocks within `seconds`). */
  pFast: number;
  pSlow: number;
  /** Fair FAST price in basis points of the payout, clamped to the tradable 1..9999. */
  fairBps: number;
  method: string;
}

function positive(field: string, v: number | undefined): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(field, `must be a positive number, got ${String(v)}`);
  return v;
}

/** Mean block interval from a query: either given, or D × 2^32 / H. Exactly one form must be used. */
export function meanIntervalOf(q: Pick<BdcQuery, 'intervalS' | 'hashrateHps' | 'difficulty'>): number {
  const hasInterval = q.intervalS !== undefined;
  const hasRate = q.hashrateHps !== undefined || q.difficulty !== undefined;
  if (hasInterval && hasRate) throw new InvalidArgumentError('interval', 'give either an interval or a hashrate and difficulty, not both');
  if (hasInterval) return positive('interval', q.intervalS);
  if (q.hashrateHps === undefined) throw new InvalidArgumentError('hashrate', 'missing: give an interval, or a hashrate and difficulty');
  if (q.difficulty === undefined) throw new InvalidArgumentError('difficulty', 'missing: a hashrate needs a difficulty');
  return (positive('difficulty', q.difficulty) * TWO_32) / positive('hashrate', q.hashrateHps);
}

/** Closed-form odds at a constant rate (no retarget inside the window, or one assumed not to matter). */
export function bdcOdds(q: BdcQuery): BdcOdds {
  assertSafeInteger('blocks', q.blocks, 0);
  const seconds = q.seconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError('seconds', `must be a non-negative number, got ${String(seconds)}`);
  const meanIntervalS = meanIntervalOf(q);
  const expectedBlocks = seconds / meanIntervalS;
  const pFast = poissonAtLeast(q.blocks, expectedBlocks);
  return {
    blocks: q.blocks,
    seconds,
    meanIntervalS,
    expectedBlocks,
    pFast,
    pSlow: 1 - pFast,
    fairBps: Math.min(9999, Math.max(1, Math.round(pFast * 10_000))),
    method: 'Poisson arrivals at a constant rate: P(Poisson(seconds / interval) >= blocks) via the regularized incomplete gamma P(blocks, Λ)',
  };
}

export interface RetargetSimQuery {
  blocks: number;
  seconds: number;
  /** Network hashrate now (H/s) and its continuous growth rate per day (0 = constant). */
  hashrateHps: number;
  hashrateGrowthPerDay?: number;
  /** Tip: its height, bits in force for the next block, header time, and the time of its epoch's first block. */
  tipHeight: number;
  bits: number;
  tipTime: number;
  epochStartTime: number;
  paths?: number;
  seed?: number;
}

export interface RetargetSimResult {
  pFast: number;
  /** Binomial standard error of pFast. */
  stdError: number;
  expectedBlocks: number;
  paths: number;
  seed: number;
  retargetsCrossedMean: number;
  method: string;
}

const MAX_SIM_STEPS = 200_000_000;

/**
 * Monte-Carlo over block arrival paths with Core's retarget applied when a simulated epoch completes.
 * Time runs from the tip's timestamp; exponential inter-arrival times are memoryless so the time
 * already since the tip does not matter. Pure: same inputs and seed, same result.
 */
export function simulateAcrossRetarget(q: RetargetSimQuery): RetargetSimResult {
  const k = assertSafeInteger('blocks', q.blocks, 0);
  const s = positive('seconds', q.seconds);
  const h0 = positive('hashrate', q.hashrateHps);
  const g = (q.hashrateGrowthPerDay ?? 0) / 86_400;
  if (!Number.isFinite(g)) throw new InvalidArgumentError('hashrateGrowthPerDay', 'must be finite');
  const tip = assertSafeInteger('tipHeight', q.tipHeight, 0);
  assertSafeInteger('bits', q.bits, 1, 0xffffffff);
  const paths = assertSafeInteger('paths', q.paths ?? 20_000, 1, 10_000_000);
  const seed = assertSafeInteger('seed', q.seed ?? 1, 0, 0xffffffff);
  const approxSteps = paths * ((s * h0 * Math.exp(Math.max(0, g) * s)) / (difficultyOfBits(q.bits) * TWO_32) + 1);
  if (approxSteps > MAX_SIM_STEPS) throw new InvalidArgumentError('paths', `simulation too large (~${approxSteps.toExponential(2)} block draws); use fewer paths or a shorter window`);
  const rng = seededRng(seed);
  const expectedHashes = (bits: number): number => 2 ** 256 / (Number(targetOf(bits)) + 1);
  let fast = 0;
  let blocksSum = 0;
  let retargetSum = 0;
  for (let p = 0; p < paths; p++) {
    let t = 0;
    let height = tip;
    let bits = q.bits;
    let work = expectedHashes(bits);
    let epochStart = q.epochStartTime;
    let n = 0;
    for (;;) {
      const e = rng.exp1() * work;
      // Integrated rate over [t, t+dt] equals e hashes: closed form for exponential hashrate growth.
      const next = g === 0 ? t + e / h0 : Math.log(Math.exp(g * t) + (g * e) / h0) / g;
      if (!(next <= s)) break;
      t = next;
      height++;
      n++;
      const blockTime = q.tipTime + t;
      if (height % EPOCH_BLOCKS === 0) epochStart = blockTime;
      else if (height % EPOCH_BLOCKS === EPOCH_BLOCKS - 1) {
        bits = nextBitsFromTimespan(bits, Math.round(blockTime - epochStart), MAINNET_POW_LIMIT);
        work = expectedHashes(bits);
        retargetSum++;
      }
    }
    if (n >= k) fast++;
    blocksSum += n;
  }
  const pFast = fast / paths;
  return {
    pFast,
    stdError: Math.sqrt((pFast * (1 - pFast)) / paths),
    expectedBlocks: blocksSum / paths,
    paths,
    seed,
    retargetsCrossedMean: retargetSum / paths,
    method:
      'Monte-Carlo (xoshiro128**, seeded): exponential work per block at the path\'s current target, hashrate H·e^{g t}; ' +
      'at each simulated epoch end the next bits follow Core\'s rule on the simulated timespan',
  };
}
