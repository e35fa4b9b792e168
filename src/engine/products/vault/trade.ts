// Index-priced trades against the vault (HyPerps' pool as counterparty): an account trades the perp with
// the vault at index ± the vault's spread, outside the book. The vault takes the other side within an
// exposure limit: a trade that grows the vault's net position may not take its notional at the index past
// `maxExposurePpmOfNav` of the vault's NAV (its worse valuation); a trade that shrinks it is always allowed.
// Both sides must meet the core's initial margin (the same check as an order).
import { VAULT, isAccountId, userAccount } from '../../ledger/ledger.js';
import type { EngineEvent } from '../../events.js';
import { Rejection } from '../../rejection.js';
import type { ProductContext } from '../product.js';
import type { VaultTradeCommand } from './commands.js';
import { vaultNav } from './nav.js';
import { ppmOf, scaleByPpm, scaleByPpmUp } from '../../ppm.js';
import { MAX_PRICE } from '../perp/pricing.js';

export interface VaultTradeConfig {
  /** The vault sells at index × (1 + spread) and buys at index × (1 − spread), ppm. */
  tradeSpreadPpm: number;
  /** Fee on the notional, ppm, to the vault (the perp's taker fee rate; accrues to LPs through NAV). */
  tradeFeePpm: number;
  /** Largest |vault net position| × index after a trade that grows it, as ppm of the vault's low NAV. */
  maxExposurePpmOfNav: number;
}

export const DEFAULT_VAULT_TRADE_CONFIG: VaultTradeConfig = { tradeSpreadPpm: 5_000, tradeFeePpm: 2_000, maxExposurePpmOfNav: 500_000 };

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const bad = (field: string, msg: string): Rejection => new Rejection('invalid_argument', `${field}: ${msg}`, field);

export function vaultTrade(c: VaultTradeCommand, cfg: VaultTradeConfig, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
  if (!isAccountId(c.account)) return bad('account', 'must be 1..128 characters of [A-Za-z0-9_.-]');
  if (typeof c.market !== 'string' || !ctx.perp.markets().includes(c.market)) return new Rejection('unknown_market', `no market ${String(c.market)}`, 'market');
  if (c.side !== 'buy' && c.side !== 'sell') return bad('side', "must be 'buy' or 'sell'");
  if (!isInt(c.qty, 1, 1_000_000_000)) return bad('qty', 'must be an integer 1..1e9 lots');
  if (c.limitPrice !== undefined && !isInt(c.limitPrice, 1, MAX_PRICE)) return bad('limitPrice', `must be an integer 1..${MAX_PRICE}`);
  const index = ctx.chain.index;
  if (index === undefined) return new Rejection('market_not_ready', 'no index yet', 'market');
  const I = BigInt(index);
  const price = c.side === 'buy'
    ? scaleByPpmUp(I, cfg.tradeSpreadPpm)
    : scaleByPpm(I, -cfg.tradeSpreadPpm);
  if (c.limitPrice !== undefined && (c.side === 'buy' ? price > BigInt(c.limitPrice) : price < BigInt(c.limitPrice))) {
    return new Rejection('not_allowed', `the vault's price ${price} is beyond the limit ${c.limitPrice}`, 'limitPrice');
  }
  const dq = c.side === 'buy' ? c.qty : -c.qty;
  const vaultBefore = ctx.perp.position(c.market, VAULT)?.qty ?? 0;
  const vaultAfter = vaultBefore - dq;
  if (Math.abs(vaultAfter) > Math.abs(vaultBefore)) {
    const exposure = BigInt(Math.abs(vaultAfter)) * I;
    const limit = ppmOf(vaultNav(ctx).lowMsat, BigInt(cfg.maxExposurePpmOfNav));
    if (exposure > limit) {
      return new Rejection('exposure_limit', `the vault's net position would be ${exposure} msat at the index, over its limit ${limit} msat`, 'qty');
    }
  }
  const notional = BigInt(c.qty) * price;
  const fee = ppmOf(notional, BigInt(cfg.tradeFeePpm));
  const owner = userAccount(c.account);
  const px = Number(price);
  const traderCheck = ctx.perp.checkTrade(c.market, owner, c.side, c.qty, px, fee);
  if (traderCheck) return traderCheck;
  const vaultCheck = ctx.perp.checkTrade(c.market, VAULT, c.side === 'buy' ? 'sell' : 'buy', c.qty, px, 0n);
  if (vaultCheck) return new Rejection('exposure_limit', `the vault cannot margin this trade: ${vaultCheck.message}`, 'qty');
  out.push({ type: 'VaultTraded', account: c.account, market: c.market, side: c.side, qty: c.qty, price: px, index, feeMsat: fee });
  if (c.side === 'buy') ctx.perp.trade(c.market, owner, VAULT, c.qty, px, out);
  else ctx.perp.trade(c.market, VAULT, owner, c.qty, px, out);
  ctx.ledger.transfer(owner, VAULT, fee, 'vault_trade_fee', out, c.market);
  return undefined;
}
