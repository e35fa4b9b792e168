import { describe, expect, it } from 'vitest';
import { validateVaultTrade, vaultPrice, VAULT_FEE_PPM, VAULT_SPREAD_PPM } from '../../web/src/lib/vault-trade.js';

describe('trading against the vault', () => {
  it("uses the engine's spread and fee (0.5 %, 0.2 %)", () => {
    expect(VAULT_SPREAD_PPM).toBe(5_000);
    expect(VAULT_FEE_PPM).toBe(2_000);
  });

  it('prices at index ± spread, buys rounded up and sells down (hand-computed)', () => {
    // 45,001 × 1.005 = 45,226.005 -> 45,227; 45,001 × 0.995 = 44,775.995 -> 44,775
    expect(vaultPrice(45_001, 'buy')).toBe(45_227);
    expect(vaultPrice(45_001, 'sell')).toBe(44_775);
    expect(vaultPrice(40_000, 'buy')).toBe(40_200);
    expect(vaultPrice(40_000, 'sell')).toBe(39_800);
  });

  it('previews notional and fee, and sends a limit at the tolerance', () => {
    const r = validateVaultTrade('HPI-PERP', { side: 'buy', qty: '10', tolerancePct: '1' }, 40_000);
    expect(r.errors).toEqual({});
    // 10 lots × 40,200 = 402,000 msat notional; fee 0.2 % = 804 msat; limit 40,200 × 1.01 = 40,602
    expect(r.preview).toEqual({ price: 40_200, notionalMsat: 402_000n, feeMsat: 804n, limitPrice: 40_602 });
    expect(r.body).toEqual({ market: 'HPI-PERP', side: 'buy', qty: 10, limitPrice: 40_602 });
    const s = validateVaultTrade('HPI-PERP', { side: 'sell', qty: '3', tolerancePct: '0.5' }, 40_000);
    // 39,800 × 0.995 = 39,601 exactly
    expect(s.body).toEqual({ market: 'HPI-PERP', side: 'sell', qty: 3, limitPrice: 39_601 });
    expect(validateVaultTrade('HPI-PERP', { side: 'sell', qty: '3', tolerancePct: '0' }, 40_000).body?.limitPrice).toBe(39_800);
  });

  it('explains bad input and a missing index', () => {
    expect(Object.keys(validateVaultTrade('M', { side: 'buy', qty: '0', tolerancePct: '-1' }, undefined).errors).sort()).toEqual(['index', 'qty', 'tolerancePct']);
    expect(validateVaultTrade('M', { side: 'buy', qty: '1.5', tolerancePct: '1' }, 1).errors.qty).toBeDefined();
    expect(validateVaultTrade('M', { side: 'buy', qty: '1', tolerancePct: '51' }, 1).errors.tolerancePct).toBeDefined();
  });
});
