import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { difficultyOfBits } from '../../src/chain/target.js';
import { calibrate } from '../../src/pricing/calibration.js';
import { renderCalibrationMarkdown } from '../../src/pricing/calibration-report.js';
import { poissonAtLeast } from '../../src/pricing/gamma.js';
import { rawSegment } from '../index/csv-truth.js';

// A subsample of the 190,000-header segment keeps the suite fast; the full run is `hashperp model calibrate`.
const FROM = 150_001;
const TO = 165_000;
const opts = { fromHeight: FROM, toHeight: TO, stride: 25, blockCounts: [1, 6, 36], windowMultipliers: [0.5, 1, 2] };
const chain = loadEmbeddedChain();
const report = calibrate(chain, opts);
const raw = rawSegment('mainnet_150001-340000.bin', 150_001);

describe('calibration on real headers (subsample 150,001-165,000)', () => {
  it('inter-block statistics agree with a direct count over the raw header times', () => {
    const [byEpoch] = report.distribution;
    let negative = 0;
    for (let h = FROM + 1; h <= TO; h++) if (raw.time(h) < raw.time(h - 1)) negative++;
    expect(byEpoch.n).toBe(TO - FROM);
    expect(byEpoch.negativeShare).toBeCloseTo(negative / (TO - FROM), 12);
    expect(byEpoch.negativeShare).toBeGreaterThan(0.01); // real miner timestamps go backwards
    // Normalised by each epoch's own mean, the mean is 1 and the KS distance at least the negative mass.
    expect(byEpoch.mean).toBeCloseTo(1, 9);
    expect(byEpoch.ksStatistic).toBeGreaterThanOrEqual(byEpoch.negativeShare - 1e-12);
    expect(byEpoch.ksStatistic).toBeLessThan(0.1);
    // The median of an exponential is ln 2; real intervals are close to it.
    expect(byEpoch.quantiles.find((q) => q.p === 0.5)!.empirical).toBeGreaterThan(0.6);
    expect(byEpoch.quantiles.find((q) => q.p === 0.5)!.empirical).toBeLessThan(0.8);
  });

  it('back-test scores recomputed independently (bigint chainwork, raw times) for the naive and trailing-2016 models', () => {
    const naive = report.backtest.models.find((m) => m.model === 'naive-600s')!;
    const trailing = report.backtest.models.find((m) => m.model === 'trailing-2016')!;
    let bn = 0, bt = 0, n = 0;
    const hits = new Map<string, { o: number; c: number }>();
    const outcomes: { key: string; o: number }[] = [];
    for (let h = FROM + 4032; h + 36 <= TO; h += 25) {
      // Information at h only: chainwork and times up to h, and the next block's bits.
      const rate = Number(chain.chainworkAt(h) - chain.chainworkAt(h - 2016)) / (raw.time(h) - raw.time(h - 2016));
      const interval = (difficultyOfBits(raw.bits(h + 1)) * 2 ** 32) / rate;
      for (const k of opts.blockCounts)
        for (const m of opts.windowMultipliers) {
          const s = k * 600 * m;
          const o = raw.time(h + k) - raw.time(h) <= s ? 1 : 0;
          bn += (poissonAtLeast(k, s / 600) - o) ** 2;
          bt += (poissonAtLeast(k, s / interval) - o) ** 2;
          n++;
          const key = `${k}/${m}`;
          const v = hits.get(key) ?? { o: 0, c: 0 };
          v.o += o;
          v.c++;
          hits.set(key, v);
          outcomes.push({ key, o });
        }
    }
    expect(naive.n).toBe(n);
    expect(naive.brier).toBeCloseTo(bn / n, 12);
    expect(trailing.brier).toBeCloseTo(bt / n, 9);
    let bc = 0;
    for (const { key, o } of outcomes) bc += (hits.get(key)!.o / hits.get(key)!.c - o) ** 2;
    expect(naive.climatologyBrier).toBeCloseTo(bc / n, 12);
    expect(naive.buckets.reduce((a, b) => a + b.n, 0)).toBe(n);
  });

  it('hashrate-aware models beat the 600 s model on 2011-2012 data', () => {
    const by = Object.fromEntries(report.backtest.models.map((m) => [m.model, m.brier]));
    expect(by['trailing-2016']).toBeLessThan(by['naive-600s']);
    expect(by['trailing-2016-growth']).toBeLessThan(by['naive-600s']);
  });

  it('renders the markdown report with its rerun command', () => {
    const md = renderCalibrationMarkdown(report, 'hashperp model calibrate --out docs/calibration.md');
    expect(md).toMatch(/^# Block-arrival model/);
    expect(md).toMatch(/hashperp model calibrate --out docs\/calibration\.md/);
    expect(md).toMatch(/KS statistic vs Exp\(1\)/);
    expect(md).toMatch(/Brier score/);
  });

  it('refuses ranges outside one header segment', () => {
    expect(() => calibrate(chain, { fromHeight: 340_000, toHeight: 350_000 })).toThrow(/toHeight/);
    expect(() => calibrate(chain, { fromHeight: 150_001, toHeight: 151_000 })).toThrow(/toHeight/);
  });
});
