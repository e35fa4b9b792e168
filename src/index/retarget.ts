/**
 * Next-difficulty projection from the current epoch's progress with Bitcoin Core's rule
 * (CalculateNextWorkRequired): timespan of the epoch's 2015 intervals, clamped to [¼, 4] × two weeks,
 * new target = old target × timespan / 1,209,600 s, capped at powLimit, then rounded through compact bits.
 */
import { EPOCH_INTERVAL, TARGET_TIMESPAN, retargetBits } from '../chain/params.js';
import { MAINNET_POW_LIMIT, difficultyOfBits } from '../chain/target.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';

/** Blocks per epoch and the epoch's target timespan: the chain params' (params.ts), under the names importers use. */
export const EPOCH_BLOCKS = EPOCH_INTERVAL;
export const TARGET_TIMESPAN_S = TARGET_TIMESPAN;

/** Core's retarget given the measured epoch timespan (time of block 2016k+2015 − time of block 2016k). */
export function nextBitsFromTimespan(bits: number, actualTimespanS: number, powLimit = MAINNET_POW_LIMIT): number {
  // Rounding before the clamp is rounding after it: the clamp's bounds are whole seconds.
  return retargetBits(bits, Math.round(actualTimespanS), powLimit);
}

export interface RetargetInput {
  bits: number;
  /** First height of the current epoch (a multiple of 2016). */
  epochStartHeight: number;
  epochStartTime: number;
  height: number;
  time: number;
}

export interface RetargetProjection {
  epochStartHeight: number;
  retargetHeight: number;
  blocksIntoEpoch: number;
  blocksRemaining: number;
  /** True at the epoch's last block: the next bits are then exactly determined, not projected. */
  final: boolean;
  projectedTimespanS: number;
  nextBits: string;
  currentDifficulty: number;
  nextDifficulty: number;
  changePct: number;
  meanIntervalS: number;
  expectedSecondsToRetarget: number;
  expectedRetargetTime: number;
  method: string;
}

export function retargetProjection(input: RetargetInput): RetargetProjection {
  const { bits, epochStartHeight, epochStartTime, height, time } = input;
  assertSafeInteger('epochStartHeight', epochStartHeight, 0);
  assertSafeInteger('height', height, 0);
  assertSafeInteger('epochStartTime', epochStartTime, 0);
  assertSafeInteger('time', time, 0);
  if (epochStartHeight % EPOCH_BLOCKS !== 0) throw new InvalidArgumentError('epochStartHeight', `must be a multiple of ${EPOCH_BLOCKS}, got ${epochStartHeight}`);
  const intervals = height - epochStartHeight;
  if (intervals < 1 || intervals > EPOCH_BLOCKS - 1)
    throw new InvalidArgumentError('height', `must be 1..2015 blocks after the epoch start ${epochStartHeight} to project, got ${height}`);
  const elapsed = time - epochStartTime;
  const projectedTimespanS = (elapsed * (EPOCH_BLOCKS - 1)) / intervals;
  const nextBits = nextBitsFromTimespan(bits, projectedTimespanS);
  const currentDifficulty = difficultyOfBits(bits);
  const nextDifficulty = difficultyOfBits(nextBits);
  const meanIntervalS = elapsed / intervals;
  const retargetHeight = epochStartHeight + EPOCH_BLOCKS;
  const blocksRemaining = retargetHeight - height;
  const expectedSecondsToRetarget = blocksRemaining * meanIntervalS;
  const final = intervals === EPOCH_BLOCKS - 1;
  return {
    epochStartHeight,
    retargetHeight,
    blocksIntoEpoch: intervals,
    blocksRemaining,
    final,
    projectedTimespanS,
    nextBits: nextBits.toString(16).padStart(8, '0'),
    currentDifficulty,
    nextDifficulty,
    changePct: (nextDifficulty / currentDifficulty - 1) * 100,
    meanIntervalS,
    expectedSecondsToRetarget,
    expectedRetargetTime: Math.round(time + expectedSecondsToRetarget),
    method: final
      ? 'exact: the epoch is complete; Core rule on its measured 2015-interval timespan'
      : `projected: mean interval of the ${intervals} intervals so far extrapolated to 2015, then Core's rule (clamp ×4, powLimit, compact rounding)`,
  };
}
