import { InvalidArgumentError, assertSafeInteger } from '../../../units/errors.js';
import { PPM_NUMBER, ppmOf } from '../../ppm.js';

/**
 * The hashrate-forward calculators (LOKA) for both sides, in the contract's own units:
 * size in forward lots (1 lot = 0.0001 TH/s), price and index in sat per PH/s per day, tenor in days.
 * Money is exact (msat, bigint); ratios and yields are floats because they are display values.
 */
export const FORWARD_LOTS_PER_TH = 10_000n;
export const COLLATERAL_RATIO_PPM = 1_100_000n; // 110 %
export const TAKER_FEE_PPM = 2_000n; // 0.2 % of contract value
export const DELIVERY_FEE_PPM = 5_000n; // 0.5 % of the day's rewards
// lots × (sat/PH/day) × days -> msat: lot = 1e-4 TH = 1e-7 PH, so × 1e-7 sat = × 1e-4 msat.
const MSAT_DIVISOR = 10_000n;

export interface ForwardTerms {
  /** forward lots (0.0001 TH/s each) */
  qtyLots: number;
  /** contract price, sat/PH/day */
  priceSatPerPHDay: number;
  days: number;
}

export interface ForwardQuote {
  contractValueMsat: bigint;
  collateralMsat: bigint;
  /** what the miner receives upfront: contract value less the taker fee when the miner is the taker */
  upfrontToMinerMsat: bigint;
  /** what the investor pays: contract value plus the taker fee when the investor is the taker */
  investorPaysMsat: bigint;
  takerFeeMsat: bigint;
  dailyReleaseMsat: bigint;
  /** upfront capital / collateral locked = 1/1.1 */
  capitalEfficiency: number;
  /** discount of the contract price to the index (positive = below the index) */
  discountToIndex: number;
  /** rewards the hashrate earns over the tenor if the index stays where it is, less the 0.5 % delivery fee */
  expectedDeliveredMsat: bigint;
  impliedApySimple: number;
  impliedApyCompounded: number;
  /** the constant index at which the investor gets back exactly what they paid */
  breakEvenIndexSatPerPHDay: number;
}

export function checkForwardTerms(t: ForwardTerms): void {
  assertSafeInteger('qtyLots', t.qtyLots, 1);
  assertSafeInteger('priceSatPerPHDay', t.priceSatPerPHDay, 1);
  assertSafeInteger('days', t.days, 1, 3650);
}

export function contractValueMsat(t: ForwardTerms): bigint {
  return (BigInt(t.qtyLots) * BigInt(t.priceSatPerPHDay) * BigInt(t.days)) / MSAT_DIVISOR;
}

/** One contract day's rewards (msat) for the sold hashrate at a given day-mean index. */
export function dailyRewardsMsat(qtyLots: number, indexSatPerPHDay: number | bigint): bigint {
  return (BigInt(qtyLots) * BigInt(indexSatPerPHDay)) / MSAT_DIVISOR;
}

export function quoteForward(t: ForwardTerms, indexSatPerPHDay: number, taker: 'miner' | 'investor'): ForwardQuote {
  checkForwardTerms(t);
  assertSafeInteger('indexSatPerPHDay', indexSatPerPHDay, 1);
  if (taker !== 'miner' && taker !== 'investor') throw new InvalidArgumentError('taker', `must be "miner" or "investor", got ${String(taker)}`);
  const value = contractValueMsat(t);
  const collateral = collateralOfValue(value);
  const takerFee = takerFeeOfValue(value);
  const grossDelivered = dailyRewardsMsat(t.qtyLots, indexSatPerPHDay) * BigInt(t.days);
  const delivered = grossDelivered - deliveryFeeOf(grossDelivered);
  const investorPays = taker === 'investor' ? value + takerFee : value;
  const ratio = Number(delivered) / Number(investorPays);
  const years = t.days / 365;
  const breakEven = (t.priceSatPerPHDay * Number(investorPays)) / Number(value) / (1 - Number(DELIVERY_FEE_PPM) / PPM_NUMBER);
  return {
    contractValueMsat: value,
    collateralMsat: collateral,
    upfrontToMinerMsat: taker === 'miner' ? value - takerFee : value,
    investorPaysMsat: investorPays,
    takerFeeMsat: takerFee,
    dailyReleaseMsat: collateral / BigInt(t.days),
    capitalEfficiency: Number(value) / Number(collateral),
    discountToIndex: 1 - t.priceSatPerPHDay / indexSatPerPHDay,
    expectedDeliveredMsat: delivered,
    impliedApySimple: (ratio - 1) / years,
    impliedApyCompounded: Math.pow(ratio, 1 / years) - 1,
    breakEvenIndexSatPerPHDay: breakEven,
  };
}

/** 110 % of a contract value (floor), the collateral a miner locks. */
export function collateralOfValue(valueMsat: bigint): bigint {
  return ppmOf(valueMsat, COLLATERAL_RATIO_PPM);
}

/** 0.2 % of a contract value (floor), paid by the taker of a fill. */
export function takerFeeOfValue(valueMsat: bigint): bigint {
  return ppmOf(valueMsat, TAKER_FEE_PPM);
}

/** 0.5 % of delivered rewards (floor). */
export function deliveryFeeOf(deliveredMsat: bigint): bigint {
  return ppmOf(deliveredMsat, DELIVERY_FEE_PPM);
}

/** Day `day`'s (0-based) collateral tranche: collateral / n, the last day takes the remainder so the n tranches sum to it. */
export function collateralTranche(collateralMsat: bigint, days: number, day: number): bigint {
  const n = BigInt(days);
  const base = collateralMsat / n;
  return day === days - 1 ? collateralMsat - base * (n - 1n) : base;
}
