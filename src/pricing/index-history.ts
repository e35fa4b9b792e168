/**
 * Hashprice history for the option model: a series of mean index values (daily where every header of
 * the day is shipped, per epoch elsewhere) and estimators of the drift μ and volatility σ of log hashprice.
 *
 * The per-block index is DESIGN.md's rule, `hashpriceSatPerPHDay(bits(h), subsidy(h) + fees)`. Headers
 * carry no fees and the only shipped fee data (blocks 0..438) is all zero, so the history uses fees = 0;
 * that is exactly what `indexAt` publishes for these heights (`feesIncluded: false`).
 *
 * Days are 144-block days aligned to height 0 (day d = heights 144d .. 144d+143). 2016 = 14 × 144 and
 * epochs start at multiples of 2016, so every epoch holds exactly 14 whole days and the two samplings nest.
 * This matters for σ: a retarget always falls on a day boundary, so daily means carry each difficulty jump
 * whole into one return (a jump inside a day would be split over two returns and under-count σ² by up to ½).
 * Only halvings (210,000 is not a multiple of 144) fall inside a day; they are handled below.
 *
 * Halvings: the index drops by (almost) exactly half at heights 210000·k. That jump is known in advance,
 * so it is not risk and must not be read as volatility (one halving in a year of daily data would add
 * ln(2)² ≈ 0.48 to σ²). We estimate μ and σ on the subsidy-adjusted series (every block's index recomputed
 * with one reference subsidy, so it moves only with difficulty) and the option pricer multiplies the
 * forward by the known subsidy ratio (`subsidyFactor`). Excluding halving returns instead is available
 * (`halving: 'exclude'`) but throws away the difficulty change that happens on the same days.
 */
import { HALVING_INTERVAL, hashpriceSatPerPHDay, subsidySat } from '../index/hashprice.js';
import type { IndexChain } from '../index/chain-view.js';
import { subsidyOnlyHashprice } from '../index/hashprice-history.js';
import { EPOCH_BLOCKS } from '../index/retarget.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { BLOCKS_PER_DAY } from '../units/time.js';

export { BLOCKS_PER_DAY };
export const SECONDS_PER_YEAR = 365.25 * 86_400;

export interface HistoryPoint {
  sampling: 'day' | 'epoch';
  /** Day number (height / 144) or epoch number. */
  period: number;
  fromHeight: number;
  toHeight: number;
  /** Representative time (unix s): mean header time of the day's blocks, or the midpoint of the epoch. */
  time: number;
  /** Mean of the per-block index over the period, floored to a sat (exact bigint mean). */
  meanSatPerPHDay: bigint;
  /** Mean of the per-block index recomputed with the series' reference subsidy: moves only with difficulty. */
  subsidyAdjustedSatPerPHDay: number;
  /** True when a halving height lies inside the period. */
  halvingInside: boolean;
}

export interface HashpriceHistory {
  points: HistoryPoint[];
  /** Subsidy (sat) every block is re-priced with in `subsidyAdjustedSatPerPHDay`: the subsidy at the last point. */
  referenceSubsidySat: bigint;
  fromHeight: number;
  toHeight: number;
  basis: string;
}


function fullyShipped(chain: IndexChain, from: number, to: number): boolean {
  const seg = chain.segmentOf(from);
  return seg !== undefined && to <= seg.lastHeight;
}

/** One period's point; `times` gives the representative time. */
function pointOf(
  chain: IndexChain,
  sampling: HistoryPoint['sampling'],
  period: number,
  from: number,
  to: number,
  time: number,
  refSubsidy: bigint,
  cache: Map<number, bigint>,
): HistoryPoint {
  let sum = 0n;
  let adjSum = 0;
  let halvingInside = false;
  for (let h = from; h <= to; h++) {
    const bits = chain.bitsAt(h);
    sum += hashpriceSatPerPHDay(bits, subsidySat(h));
    let adj = cache.get(bits);
    if (adj === undefined) cache.set(bits, (adj = hashpriceSatPerPHDay(bits, refSubsidy)));
    adjSum += Number(adj);
    if (h > from && h % HALVING_INTERVAL === 0) halvingInside = true;
  }
  const n = to - from + 1;
  return { sampling, period, fromHeight: from, toHeight: to, time, meanSatPerPHDay: sum / BigInt(n), subsidyAdjustedSatPerPHDay: adjSum / n, halvingInside };
}

/**
 * The index history over [fromHeight, toHeight]: for each epoch overlapping the range, 14 daily points
 * when all of the epoch's headers are shipped and inside the range, else one epoch point (which needs the
 * start times of the epoch and the next one; epochs without them are skipped and counted in `basis`).
 */
export function hashpriceHistory(chain: IndexChain, fromHeight: number, toHeight: number): HashpriceHistory {
  assertSafeInteger('fromHeight', fromHeight, 0, chain.maxHeight);
  assertSafeInteger('toHeight', toHeight, fromHeight, chain.maxHeight);
  const refSubsidy = subsidySat(toHeight);
  const cache = new Map<number, bigint>();
  const points: HistoryPoint[] = [];
  let skipped = 0;
  let days = 0;
  let epochsPts = 0;
  for (let e = Math.floor(fromHeight / EPOCH_BLOCKS); e <= Math.floor(toHeight / EPOCH_BLOCKS); e++) {
    const eFrom = e * EPOCH_BLOCKS;
    const eTo = eFrom + EPOCH_BLOCKS - 1;
    // Daily points for whole shipped days inside the range.
    const dayPoints: HistoryPoint[] = [];
    for (let d = eFrom / BLOCKS_PER_DAY; d < (eTo + 1) / BLOCKS_PER_DAY; d++) {
      const from = d * BLOCKS_PER_DAY;
      const to = from + BLOCKS_PER_DAY - 1;
      if (from < fromHeight || to > toHeight || !fullyShipped(chain, from, to)) continue;
      let tSum = 0;
      for (let h = from; h <= to; h++) tSum += chain.timeAt(h) as number;
      dayPoints.push(pointOf(chain, 'day', d, from, to, tSum / BLOCKS_PER_DAY, refSubsidy, cache));
    }
    if (dayPoints.length > 0) {
      points.push(...dayPoints);
      days += dayPoints.length;
      continue;
    }
    if (eFrom < fromHeight || eTo > toHeight) continue;
    const t0 = chain.epochs[e]?.startTime;
    const t1 = chain.epochs[e + 1]?.startTime;
    if (t0 === undefined || t1 === undefined) {
      skipped++;
      continue;
    }
    points.push(pointOf(chain, 'epoch', e, eFrom, eTo, (t0 + t1) / 2, refSubsidy, cache));
    epochsPts++;
  }
  if (points.length === 0) throw new InvalidArgumentError('fromHeight', `no whole day or epoch with known times in ${fromHeight}..${toHeight}`);
  return {
    points,
    referenceSubsidySat: refSubsidy,
    fromHeight,
    toHeight,
    basis:
      `${days} daily points (mean of 144 per-block index values, whole shipped days), ${epochsPts} epoch points ` +
      `(mean over 2016 blocks, time = midpoint of the epoch's start and the next epoch's start)` +
      (skipped ? `; ${skipped} epochs skipped: no header times shipped for them` : '') +
      '; fees not included (headers carry none)',
  };
}

export interface Observation {
  /** Unix seconds (fractional allowed). */
  time: number;
  /** Positive level (sat/PH/day). */
  value: number;
}

export interface DriftVolEstimate {
  /** Arithmetic drift per year: E[S_T] = S_0 e^{μT}. μ = m + σ²/2. */
  mu: number;
  /** Volatility of log S per √year. */
  sigma: number;
  /** Drift of log S per year (m). */
  logDrift: number;
  /** Standard errors (GBM MLE): se(m) = σ/√span, se(σ) = σ/√(2n). */
  stdErrLogDrift: number;
  stdErrSigma: number;
  returns: number;
  spanYears: number;
  fromTime: number;
  toTime: number;
  method: string;
}

/**
 * Maximum-likelihood GBM estimates from observations at irregular times: with r_i = ln(S_{i+1}/S_i) and
 * Δ_i in years, m = Σr/ΣΔ, σ² = Σ (r_i − mΔ_i)²/Δ_i / (n − 1) (the n − 1 removes the bias of fitting m).
 * Returns whose index is in `exclude` are dropped (their interval is removed from the span too).
 */
export function estimateDriftVol(obs: readonly Observation[], exclude: ReadonlySet<number> = new Set()): DriftVolEstimate {
  if (!Array.isArray(obs) || obs.length < 3) throw new InvalidArgumentError('observations', `need at least 3, got ${Array.isArray(obs) ? obs.length : String(obs)}`);
  const r: number[] = [];
  const dt: number[] = [];
  for (let i = 0; i + 1 < obs.length; i++) {
    const a = obs[i], b = obs[i + 1];
    for (const o of [a, b])
      if (!(o.value > 0) || !Number.isFinite(o.value) || !Number.isFinite(o.time))
        throw new InvalidArgumentError('observations', `values must be positive and finite, times finite; got ${o.value} at ${o.time}`);
    const d = (b.time - a.time) / SECONDS_PER_YEAR;
    if (!(d > 0)) throw new InvalidArgumentError('observations', `times must increase; observation ${i + 1} is not after ${i}`);
    if (exclude.has(i)) continue;
    r.push(Math.log(b.value / a.value));
    dt.push(d);
  }
  const n = r.length;
  if (n < 2) throw new InvalidArgumentError('observations', `need at least 2 returns after exclusions, got ${n}`);
  const span = dt.reduce((s, x) => s + x, 0);
  const m = r.reduce((s, x) => s + x, 0) / span;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (r[i] - m * dt[i]) ** 2 / dt[i];
  const sigma = Math.sqrt(ss / (n - 1));
  return {
    mu: m + (sigma * sigma) / 2,
    sigma,
    logDrift: m,
    stdErrLogDrift: sigma / Math.sqrt(span),
    stdErrSigma: sigma / Math.sqrt(2 * n),
    returns: n,
    spanYears: span,
    fromTime: obs[0].time,
    toTime: obs[obs.length - 1].time,
    method: 'GBM maximum likelihood on log returns between consecutive observations, actual elapsed time, year = 365.25 days; μ = m + σ²/2',
  };
}

export type HalvingTreatment = 'deterministic' | 'exclude';

export interface HistoryEstimate extends DriftVolEstimate {
  halving: HalvingTreatment;
  window: { fromHeight: number; toHeight: number; points: number; sampling: string };
}

/**
 * μ and σ from a history. 'deterministic' (default): on the subsidy-adjusted series, so halvings are
 * not volatility; the pricer adds them back through `subsidyFactor`. 'exclude': on the published index,
 * dropping every return whose interval touches a halving (the adjacent-period returns).
 */
export function estimateFromHistory(history: HashpriceHistory, halving: HalvingTreatment = 'deterministic'): HistoryEstimate {
  if (halving !== 'deterministic' && halving !== 'exclude') throw new InvalidArgumentError('halving', `expected 'deterministic' or 'exclude', got ${String(halving)}`);
  const pts = history.points;
  const obs = pts.map((p) => ({ time: p.time, value: halving === 'deterministic' ? p.subsidyAdjustedSatPerPHDay : Number(p.meanSatPerPHDay) }));
  const exclude = new Set<number>();
  if (halving === 'exclude')
    for (let i = 0; i + 1 < pts.length; i++) {
      const crosses = Math.floor(pts[i].fromHeight / HALVING_INTERVAL) !== Math.floor(pts[i + 1].toHeight / HALVING_INTERVAL);
      if (crosses) exclude.add(i);
    }
  const est = estimateDriftVol(obs, exclude);
  const kinds = new Set(pts.map((p) => p.sampling));
  return {
    ...est,
    halving,
    window: { fromHeight: pts[0].fromHeight, toHeight: pts[pts.length - 1].toHeight, points: pts.length, sampling: [...kinds].join('+') },
    method:
      est.method +
      (halving === 'deterministic'
        ? `; on the index re-priced at one subsidy (${history.referenceSubsidySat} sat), so only difficulty moves it; halvings enter the forward deterministically`
        : `; on the published index, ${exclude.size} returns across a halving excluded`),
  };
}

/**
 * Convenience for the vault: μ, σ over the `windowDays` days ending at `height` (daily where shipped,
 * per epoch elsewhere). Note the index is a step function (it moves at retargets and halvings only), so
 * σ is the annualised size of retarget jumps; a 56-day window holds only four of them.
 */
export function modelInputsAt(chain: IndexChain, height: number, windowDays = 56, halving: HalvingTreatment = 'deterministic'): HistoryEstimate {
  assertSafeInteger('windowDays', windowDays, 3, 100_000);
  assertSafeInteger('height', height, 0, chain.maxHeight);
  const from = Math.max(0, height + 1 - windowDays * BLOCKS_PER_DAY);
  return estimateFromHistory(hashpriceHistory(chain, from, height), halving);
}
