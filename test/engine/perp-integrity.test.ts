// The market-integrity rules' pure parts, hand-computed, and the state they add (the stored mark) through
// snapshot and restore.
import { describe, expect, it } from 'vitest';
import { Exchange } from '../../src/engine/exchange.js';
import { impactPrice, priceBand } from '../../src/engine/products/perp/pricing.js';
import { HPI_PERP } from '../../src/engine/products/perp/spec.js';
import { Harness, block, deposit, limit } from './helpers.js';

describe('impact prices and bands', () => {
  it('impact price: the average fill of the notional, rounded against the trader; undefined when the side is short', () => {
    const asks = [{ price: 50_000, qty: 60 }, { price: 50_100, qty: 100 }];
    // 5 000 000 msat: 60 lots at 50 000 (3 000 000), then ceil(2 000 000 / 50 100) = 40 lots (2 004 000);
    // 5 004 000 / 100 lots = 50 040.
    expect(impactPrice(asks, 5_000_000, 'buy')).toBe(50_040);
    const bids = [{ price: 49_999, qty: 3 }, { price: 49_000, qty: 200 }];
    // 3 × 49 999 = 149 997, then ceil(4 850 003 / 49 000) = 99 lots (4 851 000): 5 000 997 / 102 = 49 029.38 → 49 029
    expect(impactPrice(bids, 5_000_000, 'sell')).toBe(49_029);
    expect(impactPrice([{ price: 50_000, qty: 99 }], 5_000_000, 'buy')).toBeUndefined(); // 4 950 000 < 5 000 000
    expect(impactPrice([], 5_000_000, 'buy')).toBeUndefined();
  });

  it('price band: any side within index ± 90 %, the aggressive side within mark ± 5 %', () => {
    expect(priceBand('buy', 50_000, 50_000, HPI_PERP)).toEqual({ lo: 5_000, hi: 52_500 });
    expect(priceBand('sell', 50_000, 50_000, HPI_PERP)).toEqual({ lo: 47_500, hi: 95_000 });
    expect(priceBand('buy', 51_000, 50_000, HPI_PERP)).toEqual({ lo: 5_000, hi: 53_550 });
  });
});

describe('the stored mark and the EMA inputs survive snapshot and restore', () => {
  it('restore gives the same bytes and the same future', () => {
    const h = new Harness();
    h.run(block(1, 50_000), deposit('a', 10_000), deposit('b', 10_000));
    h.run(limit('a', 'buy', 50_900, 120, { postOnly: true }), limit('b', 'sell', 51_100, 120, { postOnly: true }));
    h.run(block(2, 50_000), block(3, 50_000));
    const m = h.ex.market('HPI-PERP');
    expect(m?.mark).toBe(50_900); // median(impact bid 50 900, impact ask 51 100, fair) in the 2 % band
    expect(m?.basisEmaPpm).toBeGreaterThan(0);
    const snap = h.ex.snapshot();
    const r = Exchange.restore(snap);
    expect(r.snapshot()).toBe(snap);
    expect(r.mark(r.market('HPI-PERP')!)).toBe(50_900);
    const more = [limit('a', 'buy', 51_100, 5, { tif: 'IOC' }), block(4, 50_500), block(5, 50_200)];
    let seq = 100;
    for (const c of more) { seq++; expect(r.apply(c, seq)).toEqual(h.ex.apply(c, seq)); }
    expect(r.stateHash()).toBe(h.ex.stateHash());
  });
});
