import { describe, expect, it } from 'vitest';
import { depthSeries } from '../../web/src/lib/depth.js';
import { InvalidArgumentError } from '../../src/units/errors.js';

describe('depthSeries', () => {
  it('cumulates each side best-first and gives spread and mid (hand-computed)', () => {
    // Bids arrive unsorted and with a split level at 102: 102 -> 5+7 = 12, then 99 -> 12+8 = 20, 96 -> 26.
    // Asks 105 (4), 108 (6): cumulative 4, 10. Spread 105-102 = 3, mid 103.5, spread% = 3/103.5*100 = 2.8985...
    const d = depthSeries(
      [{ price: 99, size: 8 }, { price: 102, size: 5 }, { price: 96, size: 6 }, { price: 102, size: 7 }],
      [{ price: 108, size: 6 }, { price: 105, size: 4 }],
    );
    expect(d.bids).toEqual([
      { price: 102, size: 12, cumulative: 12 },
      { price: 99, size: 8, cumulative: 20 },
      { price: 96, size: 6, cumulative: 26 },
    ]);
    expect(d.asks).toEqual([
      { price: 105, size: 4, cumulative: 4 },
      { price: 108, size: 6, cumulative: 10 },
    ]);
    expect(d.bestBid).toBe(102);
    expect(d.bestAsk).toBe(105);
    expect(d.spread).toBe(3);
    expect(d.mid).toBe(103.5);
    expect(d.spreadPct).toBeCloseTo(2.898550724637681, 12);
    expect(d.crossed).toBe(false);
  });

  it('an empty side has no spread or mid, and an empty book is empty', () => {
    const d = depthSeries([{ price: 50_000, size: 3 }], []);
    expect(d.bestBid).toBe(50_000);
    expect(d.bestAsk).toBeUndefined();
    expect(d.spread).toBeUndefined();
    expect(d.mid).toBeUndefined();
    expect(depthSeries([], [])).toMatchObject({ bids: [], asks: [], crossed: false });
  });

  it('flags a crossed or locked book instead of pretending it is a market', () => {
    expect(depthSeries([{ price: 110, size: 1 }], [{ price: 105, size: 1 }]).crossed).toBe(true);
    expect(depthSeries([{ price: 105, size: 1 }], [{ price: 105, size: 1 }]).crossed).toBe(true);
  });

  it('the last cumulative equals the side total and is monotone (random books)', () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), 1 + (seed % n));
    for (let k = 0; k < 200; k++) {
      const bids = Array.from({ length: rnd(20) - 1 }, () => ({ price: rnd(1000), size: rnd(50) }));
      const d = depthSeries(bids, []);
      const total = bids.reduce((s, l) => s + l.size, 0);
      expect(d.bids.at(-1)?.cumulative ?? 0).toBe(total);
      for (let i = 1; i < d.bids.length; i++) {
        expect(d.bids[i]!.price).toBeLessThan(d.bids[i - 1]!.price);
        expect(d.bids[i]!.cumulative).toBe(d.bids[i - 1]!.cumulative + d.bids[i]!.size);
      }
    }
  });

  it('rejects bad levels naming the field', () => {
    expect(() => depthSeries([{ price: 1.5, size: 1 }], [])).toThrow(InvalidArgumentError);
    expect(() => depthSeries([], [{ price: 10, size: 0 }])).toThrow(/asks\[0\]\.size/);
    expect(() => depthSeries([{ price: -1, size: 1 }], [])).toThrow(/bids\[0\]\.price/);
  });
});
