import { describe, expect, it } from 'vitest';
import { quoteForward } from '../../src/engine/products/forward/calculator.js';

// LOKA's worked example with its stated inputs: 100 TH/s × 90 days × 0.00000105 BTC/TH/day.
// 0.00000105 BTC/TH/day = 105 sat/TH/day = 105,000 sat/PH/day; 100 TH/s = 1,000,000 lots of 0.0001 TH/s.
// Contract value = 100 × 90 × 105 sat = 945,000 sat = 0.00945 BTC (LOKA prints 0.945: 100× too large).
const loka = { qtyLots: 1_000_000, priceSatPerPHDay: 105_000, days: 90 };

describe('forward calculator (LOKA worked example, corrected)', () => {
  it('contract value, collateral, daily release, capital efficiency', () => {
    const q = quoteForward(loka, 120_000, 'investor');
    expect(q.contractValueMsat).toBe(945_000_000n); // 0.00945 BTC
    expect(q.collateralMsat).toBe(1_039_500_000n); // 0.010395 BTC = 110 %
    expect(q.dailyReleaseMsat).toBe(11_550_000n); // 0.0001155 BTC = collateral / 90
    expect(q.capitalEfficiency).toBeCloseTo(1 / 1.1, 12); // 90.9 %
    expect((q.capitalEfficiency * 100).toFixed(1)).toBe('90.9');
  });

  it('fees fall on the taker: 0.2 % of contract value', () => {
    const inv = quoteForward(loka, 120_000, 'investor');
    expect(inv.takerFeeMsat).toBe(1_890_000n); // 945,000 sat × 0.002 = 1,890 sat
    expect(inv.investorPaysMsat).toBe(946_890_000n);
    expect(inv.upfrontToMinerMsat).toBe(945_000_000n);
    const miner = quoteForward(loka, 120_000, 'miner');
    expect(miner.upfrontToMinerMsat).toBe(943_110_000n);
    expect(miner.investorPaysMsat).toBe(945_000_000n);
  });

  it('expected BTC, yields and break-even at a constant index', () => {
    // index 120 sat/TH/day: rewards 100 × 120 × 90 = 1,080,000 sat, less 0.5 % = 1,074,600 sat.
    const q = quoteForward(loka, 120_000, 'miner');
    expect(q.expectedDeliveredMsat).toBe(1_074_600_000n);
    const ratio = 1_074_600 / 945_000; // investor paid the plain contract value (miner took)
    expect(q.impliedApySimple).toBeCloseTo((ratio - 1) * (365 / 90), 12);
    expect(q.impliedApyCompounded).toBeCloseTo(Math.pow(ratio, 365 / 90) - 1, 12);
    // break-even: 105,000 / 0.995 = 105,527.6 sat/PH/day
    expect(q.breakEvenIndexSatPerPHDay).toBeCloseTo(105_000 / 0.995, 6);
    expect(q.discountToIndex).toBeCloseTo(0.125, 12);
  });

  it('refuses bad terms naming the field', () => {
    expect(() => quoteForward({ ...loka, days: 0 }, 120_000, 'miner')).toThrow(/days/);
    expect(() => quoteForward({ ...loka, qtyLots: 1.5 }, 120_000, 'miner')).toThrow(/qtyLots/);
    expect(() => quoteForward(loka, 0, 'miner')).toThrow(/indexSatPerPHDay/);
  });
});
