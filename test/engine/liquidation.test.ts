// Liquidation waterfall, hand-computed: book within the band → vault at the bankruptcy price → ADL.
// Common start: index 50 000; alice buys 10 lots at 50 000 from the book (notional 500 000 msat,
// taker fee 1 000 msat); block 2 drops the index to 45 000 on a book with no asks, so mark = 45 000 and
// alice pays 10 × 5 000 = 50 000 msat at settlement. Maintenance = 5 % × 450 000 = 22 500 msat.
import { describe, expect, it } from 'vitest';
import { Harness, block, deposit, limit, ofType } from './helpers.js';

function open(aliceSat: number): Harness {
  const h = new Harness();
  h.run(block(1, 50_000), deposit('alice', aliceSat), deposit('bob', 1000), deposit('carol', 1000));
  h.run(limit('bob', 'sell', 50_000, 10, { postOnly: true }), limit('alice', 'buy', 50_000, 10, { tif: 'IOC' }));
  return h;
}

function invariants(h: Harness): void {
  expect(h.ex.ledger.total()).toBe(0n);
  for (const [k, v] of h.ex.ledger.entries()) if (k !== 'world') expect(v, k).toBeGreaterThanOrEqual(0n);
}

describe('liquidation waterfall', () => {
  it('1. closes in the book within the band, 1 % fee to insurance, cancels the account\'s orders', () => {
    const h = open(65); // balance 65 000 − 1 000 fee = 64 000
    h.run(limit('alice', 'buy', 40_000, 1, { postOnly: true })); // a resting order to be cancelled
    h.run(limit('carol', 'buy', 44_800, 10, { postOnly: true }));
    const ev = h.run(block(2, 45_000));
    // bids only → mark = max(44 800, fair 45 000) = 45 000; alice pays 50 000 → 14 000 < 22 500 → liquidated.
    expect(ofType(ev, 'OrderCancelled')).toMatchObject([{ account: 'alice', reason: 'liquidation' }]);
    // sell IOC within the band (limit ceil(45 000 × 0.95) = 42 750) hits carol at 44 800:
    // fee = 1 % × 10 × 44 800 = 4 480 msat → insurance; balance 14 000 − 4 480 = 9 520.
    expect(ofType(ev, 'Trade')).toMatchObject([{ price: 44_800, qty: 10, taker: 'alice', maker: 'carol', liquidation: true, takerFeeMsat: 4480n }]);
    expect(ofType(ev, 'Liquidation')).toMatchObject([{ account: 'alice', closedInBook: 10, toVault: 0, toAdl: 0, feeMsat: 4480n, remainingBalanceMsat: 9520n }]);
    expect(h.bal('insurance')).toBe(4480n);
    // Sold at 44 800 with mark 45 000: 10 × 200 = 2 000 msat still owed, settled at the next block (to carol).
    h.run(block(3, 45_000));
    expect(h.bal('alice')).toBe(7520n);
    expect(h.bal('carol')).toBe(1_002_000n);
    expect(h.bal('bob')).toBe(1_050_000n);
    invariants(h);
  });

  it('2. what the book cannot take goes to the vault at the bankruptcy price', () => {
    const h = open(65);
    h.run({ type: 'FundSystem', account: 'vault', amountSat: 1000 });
    h.run(limit('carol', 'buy', 42_000, 10, { postOnly: true })); // outside the band (42 750): not used
    const ev = h.run(block(2, 45_000));
    // balance 14 000 → escrowed; bankruptcy price b: 14 000 + 10 × (b − 45 000) = 0 → b = 43 600,
    // so the vault receives 10 lots at cost 10 × 43 600 = 436 000 msat (worth +14 000 at mark).
    expect(ofType(ev, 'Trade')).toHaveLength(0);
    expect(ofType(ev, 'Liquidation')).toMatchObject([{ closedInBook: 0, toVault: 10, toAdl: 0, feeMsat: 0n, remainingBalanceMsat: 0n }]);
    const vp = h.ex.market('HPI-PERP')?.positions.get('vault');
    expect(vp).toMatchObject({ qty: 10, cost: 436_000n });
    expect(h.bal('alice')).toBe(0n);
    h.run(block(3, 45_000));
    expect(h.bal('vault')).toBe(1_014_000n);
    expect(h.bal('settle:HPI-PERP')).toBe(0n);
    invariants(h);
  });

  it('3. ADL as last resort, ranked by PnL % × leverage, at the bankruptcy price', () => {
    const h = new Harness();
    h.run(block(1, 50_000), deposit('alice', 55), deposit('bob', 1000), deposit('eve', 30));
    h.run(limit('bob', 'sell', 50_000, 6, { postOnly: true }), limit('eve', 'sell', 50_000, 4, { postOnly: true }));
    h.run(limit('alice', 'buy', 50_000, 10, { tif: 'IOC' })); // alice 54 000 after the fee
    const ev = h.run(block(2, 45_000));
    // alice pays 50 000 → 4 000; bob +30 000 → 1 030 000; eve +20 000 → 50 000.
    // Vault empty: equity 0 + 4 000 < maintenance 22 500 → ADL. Bankruptcy cost 450 000 − 4 000 = 446 000 (b = 44 600).
    // Both shorts gained 10 %; leverage eve 180 000 / 50 000 = 3.6, bob 270 000 / 1 030 000 = 0.26 → eve first.
    expect(ofType(ev, 'ADL')).toMatchObject([
      { from: 'alice', account: 'eve', qty: 4, costMsat: 178_400n }, // 446 000 × 4/10
      { from: 'alice', account: 'bob', qty: 6, costMsat: 267_600n },
    ]);
    expect(ofType(ev, 'Liquidation')).toMatchObject([{ toAdl: 10, toVault: 0 }]);
    h.run(block(3, 45_000));
    // eve closed 4 at 44 600: 30 000 + 4 × (50 000 − 44 600) = 51 600
    expect(h.bal('eve')).toBe(51_600n);
    expect(h.bal('bob')).toBe(1_000_000n + 6n * 5_400n);
    expect(h.bal('alice')).toBe(0n);
    expect(h.ex.market('HPI-PERP')?.positions.size).toBe(0);
    invariants(h);
  });

  it('a payer shortfall is covered by the insurance fund', () => {
    // alice 51 sat: after the fee 50 000; the drop to 44 000 costs 60 000 at one settlement.
    const h = new Harness();
    h.run(block(1, 50_000), deposit('alice', 51), deposit('bob', 1000), { type: 'FundSystem', account: 'insurance', amountSat: 100 });
    h.run(limit('bob', 'sell', 50_000, 10, { postOnly: true }), limit('alice', 'buy', 50_000, 10, { tif: 'IOC' }));
    const ev = h.run(block(2, 44_000));
    // alice owes 60 000, has 50 000 → shortfall 10 000 from insurance (100 000 → 90 000); bob gets 60 000.
    expect(ofType(ev, 'SettlementShortfall')).toMatchObject([{ shortfallMsat: 10_000n, coveredMsat: 10_000n, haircutMsat: 0n }]);
    expect(h.bal('bob')).toBe(1_060_000n);
    expect(h.bal('insurance')).toBe(90_000n);
    invariants(h);
  });
});
