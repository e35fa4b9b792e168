// Trading the perp against the vault at index ± spread (hand-computed): the vault is the counterparty,
// trades that grow its net position stop at its exposure limit (50 % of its low NAV at the index), trades
// that shrink it are always taken, and both sides must meet the core's initial margin.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import { vaultNav } from '../../src/engine/products/vault/index.js';
import { Harness, MKT, block, deposit, limit, ofType } from '../engine/helpers.js';

const trade = (account: string, side: 'buy' | 'sell', qty: number, extra: Record<string, unknown> = {}): Command =>
  ({ type: 'VaultTrade', account, market: MKT, side, qty, ...extra }) as Command;

function invariants(h: Harness): void {
  expect(h.ex.ledger.total()).toBe(0n);
  for (const [k, v] of h.ex.ledger.entries()) if (k !== 'world') expect(v, k).toBeGreaterThanOrEqual(0n);
}

/** The core's liquidation case: the vault ends up long 10 lots, settled at 45 000 (cost 450 000) after block 3. */
function vaultHoldsTen(): Harness {
  const h = new Harness();
  h.run(block(1, 50_000), deposit('alice', 65), deposit('bob', 1000), deposit('carol', 1000), deposit('erin', 1000));
  h.run(limit('bob', 'sell', 50_000, 10, { postOnly: true }), limit('alice', 'buy', 50_000, 10, { tif: 'IOC' }));
  h.run({ type: 'FundSystem', account: 'vault', amountSat: 1000 }, limit('carol', 'buy', 42_000, 10, { postOnly: true }));
  expect(ofType(h.run(block(2, 45_000)), 'Liquidation')).toMatchObject([{ toVault: 10 }]);
  h.run(block(3, 45_000));
  expect(h.ex.productContext(0).perp.position(MKT, 'vault')).toMatchObject({ qty: 10, costMsat: 450_000n });
  expect(h.bal('vault')).toBe(1_014_000n);
  return h;
}

describe('VaultTrade (the vault as counterparty at index ± spread)', () => {
  it('sells 4 lots out of the vault\'s long at ceil(45 000 × 1.005) = 45 225', () => {
    const h = vaultHoldsTen();
    const nav0 = vaultNav(h.ex.productContext(0));
    expect(nav0.perpAtIndexMsat).toBe(0n); // 10 × 45 000 − 450 000
    const ev = h.run(trade('erin', 'buy', 4, { limitPrice: 45_225 }));
    // notional 4 × 45 225 = 180 900 msat; fee floor(180 900 × 0.2 %) = 361.
    expect(ofType(ev, 'VaultTraded')).toEqual([{ type: 'VaultTraded', account: 'erin', market: MKT, side: 'buy', qty: 4, price: 45_225, index: 45_000, feeMsat: 361n }]);
    expect(h.bal('erin')).toBe(1_000_000n - 361n);
    // The fee goes to the vault (LPs earn it through NAV): 1 014 000 + 361 = 1 014 361.
    expect(h.bal('vault')).toBe(1_014_361n);
    const ctx = h.ex.productContext(0);
    expect(ctx.perp.position(MKT, 'user:erin')).toMatchObject({ qty: 4, costMsat: 180_900n });
    expect(ctx.perp.position(MKT, 'vault')).toMatchObject({ qty: 6, costMsat: 450_000n - 180_900n });
    // The vault earned the spread 4 × 225 = 900 at the index: 6 × 45 000 − 269 100.
    expect(vaultNav(ctx).perpAtIndexMsat - nav0.perpAtIndexMsat).toBe(900n);
    // erin is long 4 from 45 225: after the next block, balance = 1 000 000 − fee + 4 × (mark − 45 225).
    h.run(block(4, 46_000));
    const mark = BigInt(h.ex.productContext(0).perp.mark(MKT) ?? 0);
    expect(h.bal('erin')).toBe(1_000_000n - 361n + 4n * (mark - 45_225n));
    invariants(h);
  });

  it('opens a fresh vault position up to its exposure limit, and refuses past it; nothing changes on a refusal', () => {
    const h = vaultHoldsTen();
    const low = vaultNav(h.ex.productContext(0)).lowMsat;
    // Selling to the vault grows its long. The limit is 50 % of low NAV; 45 000 msat of exposure per lot.
    const maxLots = Number((low / 2n) / 45_000n);
    expect(maxLots).toBeGreaterThan(10);
    const hash = h.ex.stateHash();
    const cases: [Command, string, string][] = [
      [trade('erin', 'sell', maxLots - 10 + 1), 'exposure_limit', 'qty'],
      [trade('erin', 'buy', 4, { limitPrice: 45_224 }), 'not_allowed', 'limitPrice'],
      [trade('erin', 'buy', 0), 'invalid_argument', 'qty'],
      [trade('erin', 'hold' as 'buy', 1), 'invalid_argument', 'side'],
      [trade('erin', 'buy', 1, { market: 'NOPE' }), 'unknown_market', 'market'],
      // 'dan' has nothing: the fee floor(45 225 × 0.2 %) = 90 msat alone is not payable.
      [trade('dan', 'buy', 1), 'insufficient_balance', 'qty'],
    ];
    for (const [cmd, reason, field] of cases) {
      expect(h.run(cmd), `${reason} ${field}`).toMatchObject([{ type: 'CommandRejected', reason, field }]);
      expect(h.ex.stateHash()).toBe(hash);
    }
    // At the limit exactly: sell at floor(45 000 × 0.995) = 44 775.
    expect(ofType(h.run(trade('erin', 'sell', maxLots - 10)), 'VaultTraded')).toMatchObject([{ price: 44_775 }]);
    expect(h.ex.productContext(0).perp.position(MKT, 'vault')).toMatchObject({ qty: maxLots });
    invariants(h);
    const fresh = new Harness();
    expect(fresh.run(trade('erin', 'buy', 1))).toMatchObject([{ type: 'CommandRejected', reason: 'market_not_ready' }]);
    fresh.run(block(1, 50_000), deposit('erin', 1000));
    // A vault without capital has a zero limit.
    expect(fresh.run(trade('erin', 'buy', 1))).toMatchObject([{ type: 'CommandRejected', reason: 'exposure_limit' }]);
  });

  it('takes the whole position: the vault is flat and realises 10 × 225 = 2250 at the next block', () => {
    const h = vaultHoldsTen();
    // fee floor(452 250 × 0.2 %) = 904.
    expect(ofType(h.run(trade('erin', 'buy', 10)), 'VaultTraded')).toMatchObject([{ price: 45_225, feeMsat: 904n }]);
    expect(h.ex.productContext(0).perp.position(MKT, 'vault')).toBeUndefined();
    h.run(block(4, 45_000));
    // 1 014 000 + the spread 2250 + the fee 904 = 1 017 154.
    expect(h.bal('vault')).toBe(1_017_154n);
    invariants(h);
  });
});
