import { describe, expect, it } from 'vitest';
import {
  feeMsat, initialMarginMsat, liquidationPrice, maintenanceMarginMsat, notionalMsat, pnlMsat, previewOrder,
} from '../../web/src/lib/margin.js';

describe('perp margin arithmetic (hand-computed)', () => {
  // 1000 lots (= 1 PH/s·day) at 50,000 sat/PH/day: notional = 1000 × 50,000 / 1000 = 50,000 sat = 50,000,000 msat.
  it('notional, 10 % initial, 5 % maintenance, 0.2 % taker fee', () => {
    expect(notionalMsat(1000, 50_000)).toBe(50_000_000n);
    expect(initialMarginMsat(1000, 50_000)).toBe(5_000_000n); // 5,000 sat
    expect(maintenanceMarginMsat(1000, 50_000)).toBe(2_500_000n);
    expect(feeMsat(1000, 50_000, 'taker')).toBe(100_000n); // 100 sat
    expect(feeMsat(1000, 50_000, 'maker')).toBe(0n);
    // 3 lots at 7 sat/PH/day: notional 21 msat; 10 % = 2.1 -> rounded up to 3 msat, never down.
    expect(initialMarginMsat(3, 7)).toBe(3n);
  });

  it('long liquidation: highest tick where equity < 5 % of notional', () => {
    // Break point P* = (L·E − C)/(L·0.95) = (50,000,000 − 5,000,000)/950 = 47,368.42 -> 47,368.
    const liq = liquidationPrice('buy', 1000, 50_000, 5_000_000n);
    expect(liq).toBe(47_368);
    // Check by direct substitution: at 47,368 equity 5,000,000 − 1000×2,632 = 2,368,000 < MM 2,368,400;
    // at 47,369 equity 2,369,000 ≥ MM 2,368,450.
    const equity = (p: number) => 5_000_000n + pnlMsat('buy', 1000, 50_000, p);
    expect(equity(47_368) < maintenanceMarginMsat(1000, 47_368)).toBe(true);
    expect(equity(47_369) < maintenanceMarginMsat(1000, 47_369)).toBe(false);
  });

  it('short liquidation: lowest tick where equity < 5 % of notional', () => {
    // P* = (L·E + C)/(L·1.05) = 55,000,000/1050 = 52,380.95 -> 52,381.
    expect(liquidationPrice('sell', 1000, 50_000, 5_000_000n)).toBe(52_381);
    const equity = (p: number) => 5_000_000n + pnlMsat('sell', 1000, 50_000, p);
    expect(equity(52_381) < maintenanceMarginMsat(1000, 52_381)).toBe(true);
    expect(equity(52_380) < maintenanceMarginMsat(1000, 52_380)).toBe(false);
  });

  it('the boundary is exact for random positions (brute force against the definition)', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), 1 + (seed % n));
    for (let k = 0; k < 300; k++) {
      const lots = rnd(5000), entry = rnd(200_000), side = k % 2 === 0 ? 'buy' as const : 'sell' as const;
      const c = initialMarginMsat(lots, entry) + BigInt(rnd(1000));
      const liq = liquidationPrice(side, lots, entry, c);
      // Below maintenance, exactly: equity × 10^6 < lots × p × 50,000 (no rounding anywhere).
      const below = (p: number) => (c + pnlMsat(side, lots, entry, p)) * 1_000_000n < BigInt(lots) * BigInt(p) * 50_000n;
      if (liq === null) continue;
      expect(below(liq)).toBe(true);
      const safe = side === 'buy' ? liq + 1 : liq - 1;
      expect(below(safe)).toBe(false);
    }
  });

  it('a fully collateralised long cannot be liquidated', () => {
    expect(liquidationPrice('buy', 10, 1000, 10_000n)).toBeNull();
  });

  it('order preview: margin + fee, reduce-only posts no margin, maker pays no fee', () => {
    const p = previewOrder({ side: 'buy', qty: 1000, price: 50_000, liquidity: 'taker', reduceOnly: false });
    expect(p).toEqual({ notionalMsat: 50_000_000n, initialMarginMsat: 5_000_000n, feeMsat: 100_000n, requiredMsat: 5_100_000n, liquidationPrice: 47_368 });
    const r = previewOrder({ side: 'sell', qty: 1000, price: 50_000, liquidity: 'maker', reduceOnly: true });
    expect(r.requiredMsat).toBe(0n);
    expect(r.liquidationPrice).toBeNull();
  });

  it('rejects bad sizes and prices naming the field', () => {
    expect(() => notionalMsat(0, 10)).toThrow(/qty/);
    expect(() => notionalMsat(1, 10.5)).toThrow(/price/);
  });
});
