import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { difficultyOfBits } from '../../src/chain/target.js';
import { hashpriceFromDifficulty, hashpriceSatPerPHDay, subsidySat } from '../../src/index/hashprice.js';
import { epochsCsv } from './csv-truth.js';

describe('subsidySat', () => {
  it('halves at every 210,000-block boundary', () => {
    expect(subsidySat(0)).toBe(5_000_000_000n);
    expect(subsidySat(209_999)).toBe(5_000_000_000n);
    expect(subsidySat(210_000)).toBe(2_500_000_000n);
    expect(subsidySat(419_999)).toBe(2_500_000_000n);
    expect(subsidySat(420_000)).toBe(1_250_000_000n);
    expect(subsidySat(629_999)).toBe(1_250_000_000n);
    expect(subsidySat(630_000)).toBe(625_000_000n);
    expect(subsidySat(839_999)).toBe(625_000_000n);
    expect(subsidySat(840_000)).toBe(312_500_000n);
    expect(subsidySat(1_050_000)).toBe(156_250_000n);
    // 33rd halving era: 5e9 >> 32 = 1 sat; 34th: 0 (Core's subsidy reaches zero before the 64-shift guard).
    expect(subsidySat(32 * 210_000)).toBe(1n);
    expect(subsidySat(33 * 210_000)).toBe(0n);
    expect(subsidySat(64 * 210_000)).toBe(0n);
  });
  it('rejects bad heights', () => {
    expect(() => subsidySat(-1)).toThrow(/height/);
    expect(() => subsidySat(1.5)).toThrow(/height/);
  });
});

describe('hashpriceSatPerPHDay', () => {
  it('matches a hand computation at height 830,000 (bits 0x1703ba5d, subsidy 6.25 BTC)', () => {
    // target(0x1703ba5d) = 0x03ba5d × 2^(8×(0x17−3)) = 244317 × 2^160; target(0x1d00ffff) = 65535 × 2^208.
    // D = 65535 × 2^48 / 244317 = 75,502,165,623,893.7 (epochs.csv: 75502165623893.71875).
    // hashprice = floor(8.64e19 × 6.25e8 × 244317 × 2^160 / (65535 × 2^208 × 2^32))
    //           = floor(5.4e28 × 244317 / (65535 × 2^80)) = floor(1.3193118e34 / 7.9226987e28) = floor(166523.101) = 166523.
    expect(hashpriceSatPerPHDay(0x1703ba5d, 625_000_000n)).toBe(166_523n);
    expect(difficultyOfBits(0x1703ba5d)).toBeCloseTo(75502165623893.71875, 1);
  });
  it('matches a hand computation at height 955,583 (bits 0x170240c3, subsidy 3.125 BTC)', () => {
    // floor(8.64e19 × 3.125e8 × 0x0240c3 / (65535 × 2^80)) = floor(2.7e28 × 147651 / 7.9226987e28) = 50318
    expect(hashpriceSatPerPHDay(0x170240c3, 312_500_000n)).toBe(50_318n);
  });
  it('at genesis difficulty 1: 8.64e19 × 5e9 / 2^32 × (65535/65535) exactly', () => {
    expect(hashpriceSatPerPHDay(0x1d00ffff, 5_000_000_000n)).toBe((86_400n * 10n ** 15n * 5_000_000_000n) / (1n << 32n));
  });
  it('agrees with the float formula on epochs.csv difficulty for every epoch (±1 sat + the 8-decimal rounding of the CSV)', () => {
    for (const e of epochsCsv()) {
      const reward = subsidySat(e.epoch * 2016);
      const exact = hashpriceSatPerPHDay(e.bits, reward);
      const float = (86_400e15 * Number(reward)) / (e.difficulty * 2 ** 32);
      expect(Math.abs(Number(exact) - float), `epoch ${e.epoch}`).toBeLessThanOrEqual(1 + float * (5e-9 / e.difficulty + 1e-12));
      expect(hashpriceFromDifficulty(e.difficulty, Number(reward)) / float).toBeCloseTo(1, 12);
    }
  });
  it('is monotone: more reward never lowers it, a larger target never lowers it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.integer({ min: 0x17010000, max: 0x1d00ffff }), (r, extra, bits) => {
        const hp = hashpriceSatPerPHDay(bits, r);
        expect(hashpriceSatPerPHDay(bits, r + extra)).toBeGreaterThanOrEqual(hp);
      }),
      { numRuns: 200 },
    );
  });
  it('rejects bad arguments naming the field', () => {
    expect(() => hashpriceSatPerPHDay(0x1d00ffff, -1n)).toThrow(/rewardSat/);
    expect(() => hashpriceSatPerPHDay(0, 1n)).toThrow(/bits/);
    expect(() => hashpriceSatPerPHDay(-5, 1n)).toThrow(/bits/);
  });
});

describe('difficulty vs epochs.csv', () => {
  it('difficultyOfBits reproduces the difficulty column of all 474 epochs', () => {
    const rows = epochsCsv();
    expect(rows).toHaveLength(474);
    // The column has 8 decimals, so it is exact to 5e-9 absolute (and to float precision for large values).
    for (const e of rows) expect(Math.abs(difficultyOfBits(e.bits) - e.difficulty), `epoch ${e.epoch}`).toBeLessThanOrEqual(5e-9 + e.difficulty * 1e-15);
  });
});
