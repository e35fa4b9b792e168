// Contract rules of HPI options in integer msat: collateral, payoff on the expiry-day mean, and the value
// the vault books against itself while an option is open. Pure functions, no state.
import { BLOCKS_PER_DAY } from '../../../units/time.js';
import { ceilDiv } from '../../math.js';

export type OptionType = 'call' | 'put';

/** Blocks in the expiry day: the payoff uses the mean index of the day's blocks ending at the expiry height. */
export const EXPIRY_DAY_BLOCKS = BLOCKS_PER_DAY;
/**
 * Calls are capped so the vault can lock a finite worst case: the payoff per lot is at most
 * CALL_CAP_STRIKE_MULTIPLE × strike, i.e. a call pays in full up to a mean index of 3 × strike
 * (a call spread K..3K). Puts need no cap: their payoff per lot is at most the strike (index ≥ 0).
 * The cap is a contract term: the engine prices a call as the spread C(K) − C(3K) (model.ts), and the
 * quote, the OpenAPI schema and the web app state it. Removing it would leave the vault an unbounded
 * liability it could not collateralise (the index has no useful upper bound between retargets and halvings).
 */
export const CALL_CAP_STRIKE_MULTIPLE = 2n;

/** Worst-case payoff (msat) the vault locks when it sells: lots × 2K for a call, lots × K for a put. */
export function collateralMsat(type: OptionType, strike: bigint, lots: bigint): bigint {
  return type === 'call' ? lots * strike * CALL_CAP_STRIKE_MULTIPLE : lots * strike;
}

/**
 * Payoff (msat) on the mean index sum/n: lots × max(S − K, 0) for a call, lots × max(K − S, 0) for a put,
 * computed exactly as lots × max(sum − n·K, 0) / n and floored (the holder never gets a fraction of a msat
 * more than the contract says), then capped at the collateral.
 */
export function payoffMsat(type: OptionType, strike: bigint, lots: bigint, indexSum: bigint, n: bigint): bigint {
  if (n <= 0n) throw new Error('payoffMsat: no index observations');
  const diff = type === 'call' ? indexSum - n * strike : n * strike - indexSum;
  if (diff <= 0n) return 0n;
  const p = (lots * diff) / n;
  const cap = collateralMsat(type, strike, lots);
  return p < cap ? p : cap;
}

/**
 * The liability the vault books for an open option (for NAV): the larger of
 *  - intrinsic value on the expected expiry-day mean (the day's observed sum plus the current index for the
 *    blocks still to come; the current index alone before the day starts), and
 *  - the model value at sale amortised linearly over the option's life in blocks (time value decays to zero
 *    at expiry, so the premium becomes LP income gradually rather than the instant the option is sold),
 * capped at the collateral. The time value is rounded up, so rounding never overstates the vault's NAV.
 */
export function liabilityMsat(o: {
  type: OptionType; strike: bigint; lots: bigint; modelMsat: bigint; openedAtHeight: number; expiryHeight: number;
}, height: number, index: bigint, daySum: bigint, dayBlocks: number): bigint {
  const remainingDay = BigInt(Math.max(0, EXPIRY_DAY_BLOCKS - dayBlocks));
  const sum = daySum + index * remainingDay;
  const n = BigInt(dayBlocks) + remainingDay;
  const intrinsic = payoffMsat(o.type, o.strike, o.lots, sum, n);
  const life = Math.max(1, o.expiryHeight - o.openedAtHeight);
  const left = Math.min(life, Math.max(0, o.expiryHeight - height));
  const timeValue = ceilDiv(o.modelMsat * BigInt(left), BigInt(life));
  const v = intrinsic > timeValue ? intrinsic : timeValue;
  const cap = collateralMsat(o.type, o.strike, o.lots);
  return v < cap ? v : cap;
}
