import { describe, expect, it } from 'vitest';
import type { EpochRow } from '../../src/chain/embedded.js';
import { MAINNET_POW_LIMIT_BITS, difficultyOfBits, targetOf, targetToBits } from '../../src/chain/target.js';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import type { IndexChain } from '../../src/index/chain-view.js';
import { fitDifficultyGrowth, forwardCurve } from '../../src/index/forward-curve.js';

/** A chain whose epoch e has difficulty d0 × growth^e (through compact bits). Only what the curve reads. */
function syntheticChain(d0: number, growthPerEpoch: number, epochs: number): IndexChain {
  const d1 = targetOf(MAINNET_POW_LIMIT_BITS);
  const rows: EpochRow[] = Array.from({ length: epochs }, (_, e) => ({
    epoch: e,
    startHeight: e * 2016,
    endHeight: e * 2016 + 2015,
    bits: targetToBits((d1 * 10n ** 6n) / BigInt(Math.round(d0 * growthPerEpoch ** e * 1e6))),
    chainworkAtEnd: 0n,
    bitsSource: 'synthetic',
  }));
  const no = (): never => {
    throw new Error('not used by the curve');
  };
  return {
    segments: [],
    epochs: rows,
    maxHeight: epochs * 2016 - 1,
    bitsAt: (h) => rows[Math.floor(h / 2016)].bits,
    hash: no,
    chainworkAt: no,
    segmentOf: no,
    feesAt: no,
    timeAt: no,
  };
}

describe('forward curve', () => {
  it('recovers a known 1 %/epoch growth and prices the tenor mean in closed form', () => {
    const chain = syntheticChain(1e10, 1.01, 500); // difficulty 1.4e12 at epoch 498: hashprice ~4.4e6 sat, so flooring is negligible // epoch 499 ends at 1,007,999: subsidy 3.125 BTC, next halving 1,050,000
    const at = 498 * 2016 + 100;
    const fit = fitDifficultyGrowth(chain, at, 26);
    expect(fit.fromEpoch).toBe(473);
    expect(fit.toEpoch).toBe(498);
    expect(fit.slopePerEpoch).toBeCloseTo(Math.log(1.01), 5);
    expect(fit.r2).toBeGreaterThan(0.9999);
    // 1.01^(365.25/14) − 1 = 29.65 %
    expect(fit.growthPerYearPct).toBeCloseTo((1.01 ** (365.25 / 14) - 1) * 100, 1);

    const curve = forwardCurve(chain, at);
    const spot = Number(curve.spot.hashpriceSatPerPHDay);
    const g = fit.slopePerEpoch / 14; // per day
    expect(curve.points.map((p) => p.tenorDays)).toEqual([30, 90, 180, 365]);
    for (const p of curve.points) {
      // Mean of spot × e^{−g t} over [0, T] = spot × (1 − e^{−gT}) / (gT). No halving before day ~(1,050,000 − at)/144 = 305...
      if (p.tenorDays === 365) continue;
      const expected = (spot * (1 - Math.exp(-g * p.tenorDays))) / (g * p.tenorDays);
      expect(Math.abs(Number(p.hashpriceSatPerPHDay) - expected), `${p.tenorDays} d`).toBeLessThanOrEqual(1 + expected * 1e-5);
    }
    // ... and the 365-day point crosses the halving at height 1,050,000.
    expect(curve.assumptions.halvingsInHorizon.map((h) => h.height)).toEqual([1_050_000]);
    const tHalf = (1_050_000 - at) / 144;
    const integral = (a: number, b: number): number => (Math.exp(-g * a) - Math.exp(-g * b)) / g;
    const expected365 = (spot * (integral(0, tHalf) + 0.5 * integral(tHalf, 365))) / 365;
    expect(Number(curve.points[3].hashpriceSatPerPHDay) / expected365).toBeCloseTo(1, 3);
  });

  it('flat difficulty and no halving: every tenor equals spot', () => {
    const chain = syntheticChain(5e13, 1, 300);
    const c = forwardCurve(chain, 220_000); // 365 days later is 272,560 < 420,000: no halving
    for (const p of c.points) expect(Number(p.hashpriceSatPerPHDay)).toBeGreaterThanOrEqual(Number(c.spot.hashpriceSatPerPHDay) - 1);
    for (const p of c.points) expect(Number(p.hashpriceSatPerPHDay)).toBeLessThanOrEqual(Number(c.spot.hashpriceSatPerPHDay));
  });

  it('on the real chain at the newest height: states its window, growth, subsidy and fee assumptions', () => {
    const chain = loadEmbeddedChain();
    const c = forwardCurve(chain, chain.maxHeight);
    expect(c.model.fromEpoch).toBe(448);
    expect(c.model.toEpoch).toBe(473);
    expect(c.spot.hashpriceSatPerPHDay).toBe(50_318n);
    expect(c.spot.difficulty).toBeCloseTo(difficultyOfBits(0x170240c3), 3);
    expect(c.assumptions.fitWindow).toMatch(/26 epochs 448\.\.473/);
    expect(c.assumptions.fees).toMatch(/0/);
    expect(c.assumptions.feesIncluded).toBe(false);
    expect(c.assumptions.subsidy).toMatch(/no halving inside the horizon/);
    expect(c.points).toHaveLength(4);
    for (const p of c.points) expect(p.hashpriceBtcPerPHDay).toMatch(/^0\.\d{8}$/);
  });

  it('refuses bad arguments', () => {
    const chain = loadEmbeddedChain();
    expect(() => forwardCurve(chain, 955_584)).toThrow(/height/);
    expect(() => forwardCurve(chain, 1000)).toThrow(/height/);
    expect(() => forwardCurve(chain, 955_583, { fitEpochs: 1 })).toThrow(/fitEpochs/);
    expect(() => forwardCurve(chain, 955_583, { tenorsDays: [0] })).toThrow(/tenorDays/);
  });
});
