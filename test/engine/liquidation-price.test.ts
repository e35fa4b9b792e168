// The liquidation price (engine margin module), hand-computed. mm = 5 % (HPI-PERP).
import { describe, expect, it } from 'vitest';
import { liquidationPrice, liquidationPriceOf } from '../../src/engine/index.js';
import { Harness, MKT, block, deposit, limit } from './helpers.js';

describe('liquidationPriceOf', () => {
  it('long 10 lots at mark 1 000, equity 5 000 msat: P = (10 000 − 5 000) / (10 × 0.95) = 526.3 → 526', () => {
    // At 526: equity 5 000 − 10 × 474 = 260 < MM 263; at 527: 270 ≥ 263.5.
    expect(liquidationPriceOf({ qty: 10, mark: 1000, maintenanceMarginPpm: 50_000, equityMsat: 5000n, maintenanceMarginMsat: 500n })).toBe(526);
  });

  it('short 10 lots at mark 1 000, equity 5 000 msat: P = (−10 000 − 5 000) / (−10 × 1.05) = 1 428.6 → 1 428', () => {
    // At 1 428: equity 5 000 − 4 280 = 720 ≥ MM 714; at 1 429: 710 < 714.5.
    expect(liquidationPriceOf({ qty: -10, mark: 1000, maintenanceMarginPpm: 50_000, equityMsat: 5000n, maintenanceMarginMsat: 500n })).toBe(1428);
  });

  it('margin held elsewhere counts against the account: 200 msat more maintenance raises a long\'s price', () => {
    // e0 = 5 000 − 200; P = (10 000 − 4 800) / 9.5 = 547.4 → 547.
    expect(liquidationPriceOf({ qty: 10, mark: 1000, maintenanceMarginPpm: 50_000, equityMsat: 5000n, maintenanceMarginMsat: 700n })).toBe(547);
  });

  it('null when flat or when no positive price reaches maintenance', () => {
    expect(liquidationPriceOf({ qty: 0, mark: 1000, maintenanceMarginPpm: 50_000, equityMsat: 5000n, maintenanceMarginMsat: 0n })).toBeNull();
    // A long backed by more than its notional never falls to maintenance: P would be negative.
    expect(liquidationPriceOf({ qty: 10, mark: 1000, maintenanceMarginPpm: 50_000, equityMsat: 20_000n, maintenanceMarginMsat: 500n })).toBeNull();
  });
});

describe('liquidationPrice (engine)', () => {
  it('alice long 10 at 50 000 with 99 000 msat left: P = (500 000 − 99 000) / 9.5 = 42 210.5 → 42 210', () => {
    const h = new Harness();
    h.run(block(1, 50_000), deposit('alice', 100), deposit('bob', 1000));
    h.run(limit('bob', 'sell', 50_000, 10, { postOnly: true }), limit('alice', 'buy', 50_000, 10, { tif: 'IOC' }));
    // Balance 100 000 − 1 000 taker fee; the book is empty again, so mark = index = 50 000; MM = 25 000.
    expect(h.ex.equity('user:alice')).toBe(99_000n);
    expect(liquidationPrice(h.ex, 'alice', MKT)).toBe(42_210);
    // bob is short 10 at 50 000 with 1 000 000 msat: P = (−500 000 − 1 000 000) / (−10.5) = 142 857.1 → 142 857.
    expect(liquidationPrice(h.ex, 'bob', MKT)).toBe(142_857);
    expect(liquidationPrice(h.ex, 'carol', MKT)).toBeNull();
    expect(liquidationPrice(h.ex, 'alice', 'NO-SUCH')).toBeNull();
  });
});
