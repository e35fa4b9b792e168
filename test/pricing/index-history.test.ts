import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { indexAt } from '../../src/index/index-at.js';
import { hashpriceSatPerPHDay } from '../../src/index/hashprice.js';
import { InvalidArgumentError } from '../../src/units/errors.js';
import {
  SECONDS_PER_YEAR,
  estimateDriftVol,
  estimateFromHistory,
  hashpriceHistory,
  modelInputsAt,
  type Observation,
} from '../../src/pricing/index-history.js';
import { seededRng } from '../../src/pricing/prng.js';
import { epochsCsv } from '../index/csv-truth.js';

const chain = loadEmbeddedChain();

function normal(rng: ReturnType<typeof seededRng>): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

describe('hashpriceHistory: daily series from real headers', () => {
  const h = hashpriceHistory(chain, 822_527, 830_592);
  const csv = epochsCsv();

  it('the shipped segment 822,527–830,592 gives 56 whole days (822,528..830,591), epochs 408–411', () => {
    expect(h.points).toHaveLength(56);
    expect(h.points.every((p) => p.sampling === 'day')).toBe(true);
    expect(h.points[0]).toMatchObject({ period: 5712, fromHeight: 822_528, toHeight: 822_671 });
    expect(h.points[55]).toMatchObject({ period: 5767, fromHeight: 830_448, toHeight: 830_591 });
  });

  it('each daily value is the mean of what indexAt publishes for the 144 blocks', () => {
    for (const p of [h.points[0], h.points[14], h.points[55]]) {
      let sum = 0n;
      for (let x = p.fromHeight; x <= p.toHeight; x++) sum += indexAt(chain, x).hashpriceSatPerPHDay;
      expect(p.meanSatPerPHDay).toBe(sum / 144n);
    }
  });

  it('the day time is the mean header time, and days are ordered', () => {
    const p = h.points[3];
    let t = 0;
    for (let x = p.fromHeight; x <= p.toHeight; x++) t += chain.timeAt(x) as number;
    expect(p.time).toBeCloseTo(t / 144, 6);
    for (let i = 1; i < h.points.length; i++) expect(h.points[i].time).toBeGreaterThan(h.points[i - 1].time);
  });

  it('days align with epochs: returns are zero inside an epoch and the difficulty ratio (epochs.csv) at each retarget', () => {
    for (let i = 0; i + 1 < 56; i++) {
      const r = Math.log(h.points[i + 1].subsidyAdjustedSatPerPHDay / h.points[i].subsidyAdjustedSatPerPHDay);
      if ((i + 1) % 14 === 0) {
        const e = 408 + (i + 1) / 14;
        expect(r).toBeCloseTo(Math.log(csv[e - 1].difficulty / csv[e].difficulty), 5);
      } else expect(r).toBe(0);
    }
  });

  it('μ, σ on the real segment: log drift telescopes to ln(D408/D411)/span; σ from the three retarget jumps', () => {
    const est = estimateFromHistory(h);
    const span = (h.points[55].time - h.points[0].time) / SECONDS_PER_YEAR;
    expect(est.spanYears).toBeCloseTo(span, 10);
    expect(est.logDrift).toBeCloseTo(Math.log(csv[408].difficulty / csv[411].difficulty) / span, 3);
    // Hand form: within-epoch returns are 0, so Σ(r − mΔ)²/Δ = Σ_jumps j²/Δ − 2m Σj + m²·span.
    const jumps = [409, 410, 411].map((e) => Math.log(csv[e - 1].difficulty / csv[e].difficulty));
    // Δ of each jump: elapsed time between the last day of one epoch and the first of the next.
    const jumpDt = [1, 2, 3].map((k) => (h.points[14 * k].time - h.points[14 * k - 1].time) / SECONDS_PER_YEAR);
    const sumJ = jumps.reduce((a, b) => a + b, 0);
    const m = sumJ / span; // all of the log change is in the jumps
    const ss = jumps.reduce((a, j, k) => a + (j * j) / jumpDt[k], 0) - 2 * m * sumJ + m * m * span;
    // 1e-4: the index is floored to a sat (~6e-6 of 174,608), the jumps here use epochs.csv difficulties.
    expect(Math.abs(est.sigma / Math.sqrt(ss / 54) - 1)).toBeLessThan(1e-4);
    // Ballpark a reader can check: three jumps of ~1.6 %, ~3.9 %, ~7.1 % over 0.146 years.
    expect(est.sigma).toBeGreaterThan(0.2);
    expect(est.sigma).toBeLessThan(0.27);
    expect(est.mu).toBeCloseTo(est.logDrift + est.sigma ** 2 / 2, 12);
    console.log(`real segment 822,528..830,591 (56 daily points): μ = ${est.mu.toFixed(4)}/yr, σ = ${est.sigma.toFixed(4)}/√yr, m = ${est.logDrift.toFixed(4)}, se(m) = ${est.stdErrLogDrift.toFixed(3)}, se(σ) = ${est.stdErrSigma.toFixed(3)}`);
    // No halving in the window: both treatments agree.
    const ex = estimateFromHistory(h, 'exclude');
    expect(ex.sigma).toBe(est.sigma);
  });
});

describe('hashpriceHistory: halvings', () => {
  it('the day holding height 210,000 mixes 48 blocks at 50 BTC and 96 at 25 BTC; the adjusted series does not move', () => {
    const h = hashpriceHistory(chain, 209_664, 211_679); // epoch 104, headers shipped
    const day = h.points.find((p) => p.fromHeight === 209_952);
    expect(day).toBeDefined();
    const bits = chain.bitsAt(210_000);
    const hp50 = hashpriceSatPerPHDay(bits, 5_000_000_000n);
    const hp25 = hashpriceSatPerPHDay(bits, 2_500_000_000n);
    expect(day!.halvingInside).toBe(true);
    expect(day!.meanSatPerPHDay).toBe((48n * hp50 + 96n * hp25) / 144n);
    expect(day!.subsidyAdjustedSatPerPHDay).toBe(Number(hp25));
    const det = estimateFromHistory(h, 'deterministic');
    expect(det.sigma).toBe(0); // one epoch, one difficulty: nothing random happened
    const ex = estimateFromHistory(h, 'exclude');
    expect(ex.returns).toBe(13 - 2); // the two returns touching the halving day are dropped
    expect(ex.sigma).toBe(0);
    // Treating the halving as a return would add it to σ: a naive estimate is far from 0.
    const naive = estimateDriftVol(h.points.map((p) => ({ time: p.time, value: Number(p.meanSatPerPHDay) })));
    expect(naive.sigma).toBeGreaterThan(1);
  });

  it('per-epoch points where no headers are shipped: value = index at the epoch bits, time = epoch midpoint', () => {
    const h = hashpriceHistory(chain, 620_928, 641_087); // epochs 308..317, third halving at 630,000 in epoch 312
    expect(h.points).toHaveLength(10);
    const csv = epochsCsv();
    for (const p of h.points) {
      expect(p.sampling).toBe('epoch');
      expect(p.time).toBe((csv[p.period].startTime! + csv[p.period + 1].startTime!) / 2);
    }
    const p312 = h.points.find((p) => p.period === 312)!;
    expect(p312.halvingInside).toBe(true);
    const b = chain.bitsAt(630_000);
    expect(p312.meanSatPerPHDay).toBe((1008n * hashpriceSatPerPHDay(b, 1_250_000_000n) + 1008n * hashpriceSatPerPHDay(b, 625_000_000n)) / 2016n);
    const ex = estimateFromHistory(h, 'exclude');
    expect(ex.returns).toBe(9 - 2);
  });
});

describe('estimateDriftVol', () => {
  it('recovers μ and σ of a synthetic GBM (irregular daily sampling, 40 years, seeded)', () => {
    const mu = 0.3, sigma = 0.5;
    const rng = seededRng(20_261_121);
    const z = normal(rng);
    const obs: Observation[] = [{ time: 1.7e9, value: 50_000 }];
    let logS = Math.log(50_000);
    let t = 1.7e9;
    for (let i = 0; i < 14_610; i++) {
      const dtS = 86_400 * (0.5 + rng.next());
      const dt = dtS / SECONDS_PER_YEAR;
      logS += (mu - (sigma * sigma) / 2) * dt + sigma * Math.sqrt(dt) * z();
      t += dtS;
      obs.push({ time: t, value: Math.exp(logS) });
    }
    const est = estimateDriftVol(obs);
    expect(Math.abs(est.sigma - sigma)).toBeLessThan(4 * est.stdErrSigma);
    expect(est.stdErrSigma).toBeLessThan(0.004);
    expect(Math.abs(est.logDrift - (mu - sigma * sigma / 2))).toBeLessThan(4 * est.stdErrLogDrift);
    expect(Math.abs(est.mu - mu)).toBeLessThan(4 * est.stdErrLogDrift + 4 * est.stdErrSigma);
  });

  it('a flat series has σ = 0 and μ = 0; a constant-growth series has σ = 0 and μ = its rate', () => {
    const flat = [0, 1, 2, 3].map((d) => ({ time: d * 86_400, value: 100 }));
    expect(estimateDriftVol(flat)).toMatchObject({ sigma: 0, mu: 0 });
    const grow = [0, 1, 2, 5].map((d) => ({ time: d * 86_400, value: 100 * Math.exp((0.2 * d * 86_400) / SECONDS_PER_YEAR) }));
    const g = estimateDriftVol(grow);
    expect(g.sigma).toBeLessThan(1e-9);
    expect(g.mu).toBeCloseTo(0.2, 9);
  });

  it('bad input names the argument', () => {
    expect(() => estimateDriftVol([{ time: 0, value: 1 }])).toThrow(InvalidArgumentError);
    expect(() => estimateDriftVol([{ time: 0, value: 1 }, { time: 0, value: 1 }, { time: 1, value: 1 }])).toThrow(/observations: times must increase/);
    expect(() => estimateDriftVol([{ time: 0, value: 1 }, { time: 1, value: -1 }, { time: 2, value: 1 }])).toThrow(/observations: values must be positive/);
    expect(() => hashpriceHistory(chain, 10, 5)).toThrow(/toHeight/);
    expect(() => hashpriceHistory(chain, 0, 10)).toThrow(/fromHeight: no whole day/);
    expect(() => estimateFromHistory(hashpriceHistory(chain, 822_528, 830_591), 'ignore' as 'exclude')).toThrow(/halving/);
    expect(() => modelInputsAt(chain, 830_591, 1)).toThrow(/windowDays/);
  });

  it('modelInputsAt: the 56 days ending at 830,591 are the real segment', () => {
    const a = modelInputsAt(chain, 830_591, 56);
    expect(a.window).toEqual({ fromHeight: 822_528, toHeight: 830_591, points: 56, sampling: 'day' });
  });
});
