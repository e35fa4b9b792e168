/**
 * Forward hashprice curve: expected mean hashprice over 30/90/180/365 days from a log-linear difficulty
 * growth model fitted to the last N epochs. A model, so floats; curve points are rounded to integer sat.
 */
import { difficultyOfBits } from '../chain/target.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { formatBtc } from '../units/money.js';
import { BLOCKS_PER_DAY } from '../units/time.js';
import type { IndexChain } from './chain-view.js';
import { HALVING_INTERVAL, hashpriceFromDifficulty, hashpriceSatPerPHDay, subsidySat } from './hashprice.js';
import { EPOCH_BLOCKS } from './retarget.js';

export const DEFAULT_TENORS_DAYS = [30, 90, 180, 365] as const;
export const DEFAULT_FIT_EPOCHS = 26;
/** A nominal epoch lasts 2016 × 600 s = 14 days; 26.09 epochs per year. */
const EPOCH_SECONDS = EPOCH_BLOCKS * 600;
const EPOCHS_PER_YEAR = (365.25 * 86_400) / EPOCH_SECONDS;

export interface GrowthFit {
  fitEpochs: number;
  fromEpoch: number;
  toEpoch: number;
  fromHeight: number;
  toHeight: number;
  /** ln D = intercept + slope × epoch (OLS on the epochs' difficulties). */
  slopePerEpoch: number;
  growthPerEpochPct: number;
  growthPerYearPct: number;
  r2: number;
}

/** OLS of ln(difficulty) on epoch number over the `fitEpochs` epochs ending with the one containing `atHeight`. */
export function fitDifficultyGrowth(chain: IndexChain, atHeight: number, fitEpochs = DEFAULT_FIT_EPOCHS): GrowthFit {
  assertSafeInteger('fitEpochs', fitEpochs, 2, 1000);
  const to = Math.floor(atHeight / EPOCH_BLOCKS);
  const from = Math.max(0, to - fitEpochs + 1);
  if (to - from < 1) throw new InvalidArgumentError('height', `needs at least 2 epochs of history to fit growth, height ${atHeight} is in epoch ${to}`);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let e = from; e <= to; e++) {
    xs.push(e);
    ys.push(Math.log(difficultyOfBits(chain.epochs[e].bits)));
  }
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  return {
    fitEpochs: n,
    fromEpoch: from,
    toEpoch: to,
    fromHeight: from * EPOCH_BLOCKS,
    toHeight: to * EPOCH_BLOCKS + EPOCH_BLOCKS - 1,
    slopePerEpoch: slope,
    growthPerEpochPct: (Math.exp(slope) - 1) * 100,
    growthPerYearPct: (Math.exp(slope * EPOCHS_PER_YEAR) - 1) * 100,
    r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy),
  };
}

export interface CurvePoint {
  tenorDays: number;
  endHeight: number;
  /** Expected mean hashprice over the tenor. */
  hashpriceSatPerPHDay: bigint;
  hashpriceBtcPerPHDay: string;
  /** Difficulty the model expects at the end of the tenor. */
  difficultyAtEnd: number;
  /** Mean hashprice over the tenor relative to spot, %. */
  vsSpotPct: number;
}

export interface ForwardCurve {
  atHeight: number;
  spot: { difficulty: number; subsidySat: bigint; hashpriceSatPerPHDay: bigint; hashpriceBtcPerPHDay: string };
  model: GrowthFit & { name: string };
  assumptions: {
    fitWindow: string;
    growth: string;
    blockTiming: string;
    subsidy: string;
    halvingsInHorizon: { height: number; expectedDaysFromNow: number; subsidyAfterSat: bigint }[];
    fees: string;
    feesIncluded: boolean;
    averaging: string;
  };
  points: CurvePoint[];
}

export interface ForwardCurveOptions {
  fitEpochs?: number;
  tenorsDays?: readonly number[];
  /** Mean fees per block (sat) assumed constant over the horizon; default 0 (headers carry no fees). */
  feePerBlockSat?: bigint;
}

export function forwardCurve(chain: IndexChain, atHeight: number, opts: ForwardCurveOptions = {}): ForwardCurve {
  assertSafeInteger('height', atHeight, 0, chain.maxHeight);
  const tenors = opts.tenorsDays ?? DEFAULT_TENORS_DAYS;
  for (const t of tenors) assertSafeInteger('tenorDays', t, 1, 3650);
  const fee = opts.feePerBlockSat ?? 0n;
  if (fee < 0n) throw new InvalidArgumentError('feePerBlockSat', 'must be non-negative');
  const fit = fitDifficultyGrowth(chain, atHeight, opts.fitEpochs ?? DEFAULT_FIT_EPOCHS);
  const bits = chain.bitsAt(atHeight);
  const d0 = difficultyOfBits(bits);
  const spotSubsidy = subsidySat(atHeight);
  const spotHp = hashpriceSatPerPHDay(bits, spotSubsidy + fee);
  const perDay = fit.slopePerEpoch / (EPOCH_SECONDS / 86_400);
  const difficultyAt = (day: number): number => d0 * Math.exp(perDay * day);
  const heightAt = (day: number): number => atHeight + Math.floor(day * BLOCKS_PER_DAY);
  const maxDays = Math.max(...tenors);
  const halvings: ForwardCurve['assumptions']['halvingsInHorizon'] = [];
  for (let h = (Math.floor(atHeight / HALVING_INTERVAL) + 1) * HALVING_INTERVAL; h <= heightAt(maxDays); h += HALVING_INTERVAL)
    halvings.push({ height: h, expectedDaysFromNow: (h - atHeight) / BLOCKS_PER_DAY, subsidyAfterSat: subsidySat(h) });

  const points = tenors.map((tenor): CurvePoint => {
    // Mean of the instantaneous hashprice over [0, tenor], midpoint rule on 1/8-day steps (exact enough: the
    // integrand is smooth except at a halving, which falls on a step edge to within 18 blocks).
    const steps = tenor * 8;
    let sum = 0;
    for (let i = 0; i < steps; i++) {
      const day = (i + 0.5) / 8;
      sum += hashpriceFromDifficulty(difficultyAt(day), Number(subsidySat(heightAt(day)) + fee));
    }
    const mean = sum / steps;
    const sat = BigInt(Math.floor(mean));
    return {
      tenorDays: tenor,
      endHeight: heightAt(tenor),
      hashpriceSatPerPHDay: sat,
      hashpriceBtcPerPHDay: formatBtc(sat),
      difficultyAtEnd: difficultyAt(tenor),
      vsSpotPct: (mean / Number(spotHp) - 1) * 100,
    };
  });

  return {
    atHeight,
    spot: { difficulty: d0, subsidySat: spotSubsidy, hashpriceSatPerPHDay: spotHp, hashpriceBtcPerPHDay: formatBtc(spotHp) },
    model: { name: 'log-linear difficulty growth', ...fit },
    assumptions: {
      fitWindow: `OLS of ln(difficulty) on epoch number over the ${fit.fitEpochs} epochs ${fit.fromEpoch}..${fit.toEpoch} (heights ${fit.fromHeight}..${fit.toHeight}), R² = ${fit.r2.toFixed(3)}`,
      growth: `difficulty grows continuously at ${fit.growthPerEpochPct.toFixed(2)} % per epoch = ${fit.growthPerYearPct.toFixed(1)} % per year (an epoch taken as 14 days), starting from the current difficulty ${d0.toExponential(4)}`,
      blockTiming: `${BLOCKS_PER_DAY} blocks per day (600 s target spacing); faster blocks under growth are ignored`,
      subsidy: `5e9 sat >> floor(height / ${HALVING_INTERVAL}): ${formatBtc(spotSubsidy)} BTC now` + (halvings.length ? `, halving(s) at ${halvings.map((h) => h.height).join(', ')} inside the horizon` : ', no halving inside the horizon'),
      halvingsInHorizon: halvings,
      fees: fee === 0n ? 'fees taken as 0 (headers carry no fee data): the curve is subsidy-only' : `fees assumed constant at ${fee} sat per block`,
      feesIncluded: fee !== 0n,
      averaging: 'curve point = mean of the model hashprice over the tenor starting now (1/8-day midpoint rule), rounded down to a sat',
    },
    points,
  };
}
