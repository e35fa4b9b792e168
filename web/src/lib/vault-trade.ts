import { DEFAULT_VAULT_TRADE_CONFIG } from '../../../src/engine/products/vault/trade.js';
import type { FieldErrors } from './field-errors.js';

/**
 * "vs vault at index ± spread": the price the vault trades the perp at (the engine's formula in
 * src/engine/products/vault/trade.ts — buys round up, sells down, so the vault never gets less than its spread),
 * its fee, and the request body. The body carries a limit price a tolerance beyond the previewed price, so a
 * block that moves the index while the request travels cannot fill the trader worse than they agreed to.
 */
export interface VaultTradeInput {
  side: 'buy' | 'sell';
  qty: string;
  /** Accepted move past the previewed price, percent. */
  tolerancePct: string;
}

export interface VaultTradePreview {
  price: number;
  /** Notional at `price`, msat (lots × sat/PH/day, as the engine counts it). */
  notionalMsat: bigint;
  feeMsat: bigint;
  limitPrice: number;
}

export const VAULT_SPREAD_PPM = DEFAULT_VAULT_TRADE_CONFIG.tradeSpreadPpm;
export const VAULT_FEE_PPM = DEFAULT_VAULT_TRADE_CONFIG.tradeFeePpm;
const MAX_PRICE = 4_000_000_000;

export function vaultPrice(indexSatPerPhDay: number, side: 'buy' | 'sell', spreadPpm = VAULT_SPREAD_PPM): number {
  const I = BigInt(Math.round(indexSatPerPhDay));
  return Number(side === 'buy' ? (I * BigInt(1_000_000 + spreadPpm) + 999_999n) / 1_000_000n : (I * BigInt(1_000_000 - spreadPpm)) / 1_000_000n);
}

export function validateVaultTrade(
  market: string,
  f: VaultTradeInput,
  indexSatPerPhDay: number | undefined,
): { body: { market: string; side: 'buy' | 'sell'; qty: number; limitPrice: number } | undefined; preview: VaultTradePreview | undefined; errors: FieldErrors<'qty' | 'tolerancePct' | 'index'> } {
  const errors: FieldErrors<'qty' | 'tolerancePct' | 'index'> = {};
  const q = f.qty.trim();
  if (!/^\d+$/.test(q) || Number(q) < 1 || Number(q) > 1_000_000_000) errors.qty = 'Size is a whole number of lots, 1 to 1,000,000,000.';
  const t = f.tolerancePct.trim();
  if (!/^\d+(\.\d+)?$/.test(t) || Number(t) > 50) errors.tolerancePct = 'Tolerance is a percentage from 0 to 50.';
  if (indexSatPerPhDay === undefined || !Number.isFinite(indexSatPerPhDay) || indexSatPerPhDay <= 0) errors.index = 'The index is not known yet, so the vault has no price.';
  if (Object.keys(errors).length > 0 || indexSatPerPhDay === undefined) return { body: undefined, preview: undefined, errors };
  const qty = Number(q);
  const price = vaultPrice(indexSatPerPhDay, f.side);
  const notionalMsat = BigInt(qty) * BigInt(price);
  const feeMsat = (notionalMsat * BigInt(VAULT_FEE_PPM)) / 1_000_000n;
  // Tolerance in ppm, applied away from the trader's favour: a buy accepts up to, a sell down to.
  const tolPpm = BigInt(Math.round(Number(t) * 10_000));
  const P = BigInt(price);
  const raw = f.side === 'buy' ? (P * (1_000_000n + tolPpm)) / 1_000_000n : (P * (1_000_000n - tolPpm) + 999_999n) / 1_000_000n;
  const limitPrice = Math.min(MAX_PRICE, Math.max(1, Number(raw)));
  return { body: { market, side: f.side, qty, limitPrice }, preview: { price, notionalMsat, feeMsat, limitPrice }, errors };
}
