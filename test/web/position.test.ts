import { describe, expect, it } from 'vitest';
import { quoteForward } from '../../src/engine/products/forward/calculator.js';
import { sliderRange, thToForwardLots } from '../../web/src/lib/position.js';

describe('position builder inputs', () => {
  it('TH/s text -> forward lots of 0.0001 TH/s, exactly', () => {
    expect(thToForwardLots('hashrate', '100')).toBe(1_000_000);
    expect(thToForwardLots('hashrate', '12.5')).toBe(125_000);
    expect(thToForwardLots('hashrate', '1.0001')).toBe(10_001);
    expect(() => thToForwardLots('hashrate', '0.5')).toThrow(/minimum forward size is 1 TH\/s/);
    expect(() => thToForwardLots('hashrate', '1.00001')).toThrow(/hashrate/);
    expect(() => thToForwardLots('hashrate', '-3')).toThrow(/hashrate/);
  });
  it('the slider spans 50 %..120 % of the reference in whole ticks', () => {
    expect(sliderRange(105_000)).toEqual({ min: 52_500, max: 126_000 });
    expect(sliderRange(1)).toEqual({ min: 1, max: 2 });
  });
  it("LOKA's worked example through the builder's inputs (corrected: 0.00945 BTC, not 0.945)", () => {
    // 100 TH/s × 90 days × 0.00000105 BTC/TH/day = 0.00945 BTC. 0.00000105 BTC/TH/day = 105 sat/TH/day = 105,000 sat/PH/day.
    const q = quoteForward({ qtyLots: thToForwardLots('hashrate', '100'), priceSatPerPHDay: 105_000, days: 90 }, 120_000, 'investor');
    expect(q.contractValueMsat).toBe(945_000_000n); // 945,000 sat = 0.00945 BTC
    expect(q.collateralMsat).toBe(1_039_500_000n); // 110 %
  });
});
