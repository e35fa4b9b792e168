import { describe, expect, it } from 'vitest';
import {
  collateralOfValue, collateralTranche, dailyRewardsMsat, deliveryFeeOf, quoteForward, takerFeeOfValue,
} from '../../src/engine/products/forward/calculator.js';

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

describe('forward calculator: the rest of LOKA\'s display, corrected', () => {
  it('daily receipt, expected BTC and APY from LOKA\'s own inputs', () => {
    // "Daily BTC Receipt: ~0.012 BTC": 100 TH × 120 sat/TH/day = 12,000 sat = 0.00012 BTC a day (LOKA: 100× too large)
    expect(dailyRewardsMsat(1_000_000, 120_000)).toBe(12_000_000n);
    // "Expected BTC Return: 1.080 BTC" = 100 × 90 × 0.0000012 = 0.0108 BTC; LOKA's "Implied APY: 45.2 %" does not
    // follow from 0.0108 / 0.00945: that gross ratio is 1.142857…, simple APY 57.94 %, compounded 71.87 %.
    const gross = 1_080_000 / 945_000;
    expect((gross - 1) * (365 / 90)).toBeCloseTo(0.5794, 4);
    expect(Math.pow(gross, 365 / 90) - 1).toBeCloseTo(0.7187, 4);
    // Ours nets the 0.5 % delivery fee (and the taker fee when the investor takes): 1,074,600 / 946,890.
    const q = quoteForward(loka, 120_000, 'investor');
    expect(q.investorPaysMsat).toBe(946_890_000n);
    expect(q.impliedApySimple).toBeCloseTo((1_074_600 / 946_890 - 1) * (365 / 90), 12); // ≈ 54.7 %
  });

  it('collateral tranches sum to the collateral; fees round down', () => {
    // 1,039,500,000 msat over 90 days = 11,550,000 a day exactly; 1,000,001 over 3 = 333,333 + 333,333 + 333,335
    expect(collateralTranche(1_039_500_000n, 90, 0)).toBe(11_550_000n);
    expect(collateralTranche(1_039_500_000n, 90, 89)).toBe(11_550_000n);
    expect([0, 1, 2].map((d) => collateralTranche(1_000_001n, 3, d))).toEqual([333_333n, 333_333n, 333_335n]);
    expect(collateralOfValue(945_000_000n)).toBe(1_039_500_000n);
    expect(takerFeeOfValue(999n)).toBe(1n); // 1.998 -> 1
    expect(deliveryFeeOf(199n)).toBe(0n); // 0.995 -> 0
  });
});
