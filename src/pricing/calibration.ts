/**
 * Calibration of the block-arrival model on real headers (a contiguous shipped segment):
 *  1. inter-block times against the exponential (KS statistic, quantiles, negative timestamp deltas);
 *  2. a back-test of "k blocks within s seconds" predictions made with information available at the
 *     prediction height only (bits of the next block, trailing hashrate), scored by calibration buckets
 *     and Brier score against a climatology baseline.
 */
import { EPOCH_INTERVAL } from '../chain/params.js';
import { difficultyOfBits, workOfBits } from '../chain/target.js';
import type { IndexChain } from '../index/chain-view.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { poissonAtLeast } from './gamma.js';

export interface CalibrationOptions {
  fromHeight?: number;
  toHeight?: number;
  /** Back-test: one prediction origin every `stride` blocks. */
  stride?: number;
  blockCounts?: number[];
  /** Window s = k × 600 s × multiplier. */
  windowMultipliers?: number[];
}

export const DEFAULT_CALIBRATION: Required<CalibrationOptions> = {
  fromHeight: 150_001,
  toHeight: 340_000,
  stride: 12,
  blockCounts: [1, 6, 36, 144, 1008],
  windowMultipliers: [0.5, 0.8, 1, 1.25, 2],
};

const QUANTILE_PS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

export interface DistributionFit {
  normalization: string;
  n: number;
  negativeShare: number;
  zeroShare: number;
  mean: number;
  coefficientOfVariation: number;
  ksStatistic: number;
  /** KS critical value at the 1 % level for i.i.d. samples of this size (1.628/√n). */
  ksCritical1pct: number;
  quantiles: { p: number; empirical: number; exponential: number }[];
}

export interface Bucket {
  from: number;
  to: number;
  n: number;
  meanPredicted: number;
  observed: number;
}

export interface ModelScore {
  model: string;
  description: string;
  n: number;
  brier: number;
  climatologyBrier: number;
  brierSkill: number;
  meanPredicted: number;
  observedRate: number;
  buckets: Bucket[];
  byBlocks: { blocks: number; n: number; brier: number; climatologyBrier: number; meanPredicted: number; observedRate: number }[];
}

export interface CalibrationReport {
  range: { fromHeight: number; toHeight: number; firstTime: number; lastTime: number };
  distribution: DistributionFit[];
  backtest: {
    stride: number;
    origins: number;
    blockCounts: number[];
    windowMultipliers: number[];
    outcome: string;
    climatology: string;
    models: ModelScore[];
  };
}

function exponentialFit(normalization: string, xs: Float64Array): DistributionFit {
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  let neg = 0, zero = 0, sum = 0, sumSq = 0, ks = 0;
  for (let i = 0; i < n; i++) {
    const x = sorted[i];
    if (x < 0) neg++;
    else if (x === 0) zero++;
    sum += x;
    sumSq += x * x;
    const f = x <= 0 ? 0 : 1 - Math.exp(-x);
    ks = Math.max(ks, Math.abs((i + 1) / n - f), Math.abs(f - i / n));
  }
  const mean = sum / n;
  const sd = Math.sqrt(sumSq / n - mean * mean);
  return {
    normalization,
    n,
    negativeShare: neg / n,
    zeroShare: zero / n,
    mean,
    coefficientOfVariation: sd / mean,
    ksStatistic: ks,
    ksCritical1pct: 1.628 / Math.sqrt(n),
    quantiles: QUANTILE_PS.map((p) => ({ p, empirical: sorted[Math.min(n - 1, Math.floor(p * n))], exponential: -Math.log(1 - p) })),
  };
}

interface Prediction {
  k: number;
  combo: number;
  p: number;
  o: number;
}

function score(model: string, description: string, preds: Prediction[], combos: number, blockCounts: number[]): ModelScore {
  const comboHits = new Float64Array(combos);
  const comboN = new Float64Array(combos);
  for (const x of preds) {
    comboHits[x.combo] += x.o;
    comboN[x.combo]++;
  }
  const clim = (c: number): number => comboHits[c] / comboN[c];
  const buckets: Bucket[] = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, n: 0, meanPredicted: 0, observed: 0 }));
  let b = 0, bc = 0, mp = 0, mo = 0;
  const perK = new Map<number, { n: number; b: number; bc: number; mp: number; mo: number }>(blockCounts.map((k) => [k, { n: 0, b: 0, bc: 0, mp: 0, mo: 0 }]));
  for (const x of preds) {
    const e = (x.p - x.o) ** 2;
    const ec = (clim(x.combo) - x.o) ** 2;
    b += e;
    bc += ec;
    mp += x.p;
    mo += x.o;
    const bucket = buckets[Math.min(9, Math.floor(x.p * 10))];
    bucket.n++;
    bucket.meanPredicted += x.p;
    bucket.observed += x.o;
    const k = perK.get(x.k)!;
    k.n++;
    k.b += e;
    k.bc += ec;
    k.mp += x.p;
    k.mo += x.o;
  }
  const n = preds.length;
  for (const bk of buckets) if (bk.n > 0) {
    bk.meanPredicted /= bk.n;
    bk.observed /= bk.n;
  }
  return {
    model,
    description,
    n,
    brier: b / n,
    climatologyBrier: bc / n,
    brierSkill: 1 - b / bc,
    meanPredicted: mp / n,
    observedRate: mo / n,
    buckets,
    byBlocks: [...perK.entries()].map(([blocks, v]) => ({ blocks, n: v.n, brier: v.b / v.n, climatologyBrier: v.bc / v.n, meanPredicted: v.mp / v.n, observedRate: v.mo / v.n })),
  };
}

export function calibrate(chain: IndexChain, options: CalibrationOptions = {}): CalibrationReport {
  const o = { ...DEFAULT_CALIBRATION, ...options };
  const from = assertSafeInteger('fromHeight', o.fromHeight, 0);
  const to = assertSafeInteger('toHeight', o.toHeight, from + 1);
  const stride = assertSafeInteger('stride', o.stride, 1);
  const seg = chain.segmentOf(from);
  if (!seg || to > seg.lastHeight) throw new InvalidArgumentError('toHeight', `heights ${from}..${to} must lie in one shipped header segment`);
  for (const k of o.blockCounts) assertSafeInteger('blockCounts', k, 1, 100_000);

  const n = to - from + 1;
  const time = new Float64Array(n);
  const cumWork = new Float64Array(n); // work of blocks from+1 .. from+i (float: ratios only)
  const difficulty = new Float64Array(n);
  let lastEpoch = -1, blockWork = 0, d = 0;
  for (let i = 0; i < n; i++) {
    const h = from + i;
    const t = chain.timeAt(h);
    if (t === undefined) throw new InvalidArgumentError('toHeight', `no header time at height ${h}`);
    time[i] = t;
    const epoch = Math.floor(h / EPOCH_INTERVAL);
    if (epoch !== lastEpoch) {
      const bits = chain.bitsAt(h);
      blockWork = Number(workOfBits(bits));
      d = difficultyOfBits(bits);
      lastEpoch = epoch;
    }
    difficulty[i] = d;
    cumWork[i] = i === 0 ? 0 : cumWork[i - 1] + blockWork;
  }

  // 1. Inter-block times, normalised two ways.
  const epochSum = new Map<number, { s: number; c: number }>();
  for (let i = 1; i < n; i++) {
    const e = Math.floor((from + i) / EPOCH_INTERVAL);
    const v = epochSum.get(e) ?? { s: 0, c: 0 };
    v.s += time[i] - time[i - 1];
    v.c++;
    epochSum.set(e, v);
  }
  const byEpoch = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) {
    const v = epochSum.get(Math.floor((from + i) / EPOCH_INTERVAL))!;
    byEpoch[i - 1] = (time[i] - time[i - 1]) / (v.s / v.c);
  }
  const trailingRate = (i: number, window: number): number => (cumWork[i] - cumWork[i - window]) / (time[i] - time[i - window]);
  const W = EPOCH_INTERVAL;
  const trailing = new Float64Array(Math.max(0, n - 1 - W));
  for (let i = W + 1; i < n; i++) {
    // Expected interval for block i known at block i−1: D(i) × 2^32 / hashrate over the 2016 blocks before.
    const expected = (difficulty[i] * 2 ** 32) / trailingRate(i - 1, W);
    trailing[i - W - 1] = (time[i] - time[i - 1]) / expected;
  }
  const distribution = [
    exponentialFit("interval / the epoch's mean interval (in-sample per-epoch rate)", byEpoch),
    exponentialFit('interval / (D × 2^32 / trailing-2016-block hashrate), known before the block', trailing),
  ];

  // 2. Back-test.
  const maxK = Math.max(...o.blockCounts);
  const two32 = 2 ** 32;
  const growthLambda = (i: number, s: number): number => {
    // Trailing-2016 hashrate, measured at the window's middle (half its span ago), grown at the rate seen
    // between the last two 2016-block windows, integrated over [0, s].
    const h = trailingRate(i, W);
    const g = Math.log(h / trailingRate(i - W, W)) / (time[i] - time[i - W]);
    const lag = (time[i] - time[i - W]) / 2;
    const growth = Math.abs(g * s) < 1e-9 ? s : Math.expm1(g * s) / g;
    return ((h * Math.exp(g * lag)) / (difficulty[i + 1] * two32)) * growth;
  };
  const models: { name: string; description: string; lambda: (i: number, s: number) => number }[] = [
    { name: 'trailing-2016', description: 'rate = hashrate over the 2016 blocks up to the origin / (D of the next block × 2^32)', lambda: (i, s) => (s * trailingRate(i, W)) / (difficulty[i + 1] * two32) },
    {
      name: 'trailing-2016-growth',
      description: 'trailing-2016 hashrate moved forward from the middle of its window and grown exponentially at the rate between the last two 2016-block windows',
      lambda: growthLambda,
    },
    { name: 'trailing-144', description: 'rate = hashrate over the 144 blocks up to the origin / (D × 2^32)', lambda: (i, s) => (s * trailingRate(i, 144)) / (difficulty[i + 1] * two32) },
    { name: 'naive-600s', description: 'rate = 1 / 600 s (the target spacing; no hashrate information)', lambda: (_i, s) => s / 600 },
  ];
  const preds: Prediction[][] = models.map(() => []);
  let origins = 0;
  const combos = o.blockCounts.length * o.windowMultipliers.length;
  // Origins start two windows in so every model has its history (the growth model needs 2 × 2016 blocks).
  for (let i = 2 * W; i + maxK < n; i += stride) {
    origins++;
    o.blockCounts.forEach((k, ki) => {
      const realised = time[i + k] - time[i];
      o.windowMultipliers.forEach((m, mi) => {
        const s = k * 600 * m;
        const outcome = realised <= s ? 1 : 0;
        const combo = ki * o.windowMultipliers.length + mi;
        models.forEach((model, j) => preds[j].push({ k, combo, p: poissonAtLeast(k, model.lambda(i, s)), o: outcome }));
      });
    });
  }
  if (origins === 0) throw new InvalidArgumentError('toHeight', `range too short for two 2016-block trailing windows plus ${maxK} blocks`);
  return {
    range: { fromHeight: from, toHeight: to, firstTime: time[0], lastTime: time[n - 1] },
    distribution,
    backtest: {
      stride,
      origins,
      blockCounts: o.blockCounts,
      windowMultipliers: o.windowMultipliers,
      outcome: 'FAST when header time(h+k) − time(h) ≤ s (miner timestamps, so ±2 h noise is part of the test)',
      climatology: 'the observed FAST rate of each (k, s) combination over the whole back-test (in-sample, which favours the baseline)',
      models: models.map((m, j) => score(m.name, m.description, preds[j], combos, o.blockCounts)),
    },
  };
}
