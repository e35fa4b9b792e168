/**
 * Hashprice: the expected revenue of 1 PH/s over one day at the current difficulty, in integer sat.
 * DESIGN.md's rule, exact in bigint: D = target(0x1d00ffff) / target(bits), so
 *   floor(8.64e19 × reward / (D × 2^32)) = floor(8.64e19 × reward × target(bits) / (target(0x1d00ffff) × 2^32)).
 * 8.64e19 = 1e15 H/s (1 PH/s) × 86 400 s.
 */
import { INITIAL_SUBSIDY_SAT, MAINNET, subsidy } from '../chain/params.js';
import { MAINNET_POW_LIMIT_BITS, targetOf } from '../chain/target.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { invalidField } from '../units/checks.js';

export const HASHES_PER_PH_DAY = 86_400n * 10n ** 15n;
/** Mainnet's halving interval and first subsidy: the chain params' (params.ts), under the names importers use. */
export const HALVING_INTERVAL = MAINNET.halvingInterval;
export { INITIAL_SUBSIDY_SAT };
const D1_TARGET = targetOf(MAINNET_POW_LIMIT_BITS);
const TWO_32 = 1n << 32n;

/** Block subsidy in sat at a mainnet height: 50 BTC halved every 210,000 blocks (params.ts subsidy). */
export function subsidySat(height: number): bigint {
  return subsidy(height, MAINNET);
}

/** Hashprice in sat per PH/s per day for a block reward (subsidy + mean fees, sat) at difficulty `bits`. */
export function hashpriceSatPerPHDay(bits: number, rewardSat: bigint): bigint {
  if (typeof rewardSat !== 'bigint' || rewardSat < 0n) throw invalidField('rewardSat', 'a non-negative bigint', rewardSat);
  const target = targetOf(assertSafeInteger('bits', bits, 0, 0xffffffff));
  if (target === 0n) throw new InvalidArgumentError('bits', `bits 0x${bits.toString(16)} encode a zero target`);
  return (HASHES_PER_PH_DAY * rewardSat * target) / (D1_TARGET * TWO_32);
}

/** The same rule on a float difficulty (models and projections, where difficulty is not a header field). */
export function hashpriceFromDifficulty(difficulty: number, rewardSat: number): number {
  return (86_400e15 * rewardSat) / (difficulty * 2 ** 32);
}
