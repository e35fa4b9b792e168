/**
 * The vault: NAV and share price, the account's shares, deposits, delayed withdrawals and index-priced
 * perp trades against the vault.
 */
import { Type } from 'typebox';
import { VAULT } from '../../../engine/index.js';
import { vaultPositionOf, vaultView } from '../../../engine/products/vault/index.js';
import type { Exchange } from '../../../engine/index.js';
import type { ProductsPort } from '../../products/port.js';
import * as S from '../../schemas.js';
import type { App } from '../../app-types.js';
import { errs, eventsOf, Msat, Obj, security, submitOrRefuse, wire } from './common.js';

export const VaultDepositBody = Type.Object({ amountSat: S.Sat }, { additionalProperties: false });
export const VaultWithdrawBody = Type.Object({ shares: Type.String({ pattern: '^[1-9][0-9]{0,29}$', description: 'shares, decimal string' }) }, { additionalProperties: false });
export const VaultTradeBody = Type.Object(
  { market: S.MarketId, side: S.Side, qty: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), limitPrice: Type.Optional(Type.Integer({ minimum: 1, maximum: 4_000_000_000 })) },
  { additionalProperties: false },
);

/** The vault's perp positions (what it took as counterparty and from liquidations). */
export function vaultExposure(ex: Exchange): { market: string; qty: number; costMsat: bigint; notionalAtIndexMsat: bigint }[] {
  const ctx = ex.productContext(0);
  const out: { market: string; qty: number; costMsat: bigint; notionalAtIndexMsat: bigint }[] = [];
  for (const m of ctx.perp.markets()) {
    const p = ctx.perp.position(m, VAULT);
    if (p !== undefined) out.push({ market: m, qty: p.qty, costMsat: p.costMsat, notionalAtIndexMsat: BigInt(p.qty) * BigInt(ctx.chain.index ?? 0) });
  }
  return out;
}

export function vaultSummary(ex: Exchange): Record<string, unknown> {
  const v = vaultView(ex);
  return wire({
    navMsat: v.nav.lowMsat, nav: v.nav, totalShares: v.totalShares, sharePriceMsat: v.navPer1000SharesMsat, sharePriceUnit: 'msat per 1000 shares',
    withdrawalDelayBlocks: v.withdrawalDelayBlocks, pendingWithdrawals: v.pending, exposure: vaultExposure(ex), height: ex.productContext(0).chain.height,
  });
}

export function registerVaultRoutes(app: App, port: ProductsPort): void {
  app.get(
    '/v1/vault',
    { schema: { tags: ['vault'], summary: 'NAV, share price, total shares, pending withdrawals, exposure', response: { 200: Obj({ navMsat: Msat, totalShares: Msat, sharePriceMsat: Msat }), ...errs } } },
    async () => vaultSummary(port.exchange()),
  );

  app.get(
    '/v1/vault/me',
    { config: { auth: 'read' }, schema: { tags: ['vault'], summary: 'The account’s shares, their value and any pending withdrawal', security, response: { 200: Obj({ shares: Msat, valueMsat: Msat }), ...errs } } },
    async (req) => {
      const p = vaultPositionOf(port.exchange(), req.principal!.account);
      return wire({ shares: p.shares, valueMsat: p.valueMsat, pending: p.pending ?? null });
    },
  );

  app.post(
    '/v1/vault/deposit',
    { config: { auth: 'trade' }, schema: { tags: ['vault'], summary: 'Move sat from the trading balance into the vault for shares at NAV', security, body: VaultDepositBody, response: { 200: Obj({ seq: Type.Integer() }), ...errs } } },
    async (req) => {
      const { seq, events } = await submitOrRefuse(port, { type: 'VaultDeposit', account: req.principal!.account, amountSat: req.body.amountSat });
      return { seq, ...wire({ deposited: eventsOf(events, 'VaultDeposited')[0] ?? null }) };
    },
  );

  app.post(
    '/v1/vault/withdraw',
    { config: { auth: 'trade' }, schema: { tags: ['vault'], summary: 'Request a withdrawal of shares (paid after the delay at the lower NAV)', security, body: VaultWithdrawBody, response: { 200: Obj({ seq: Type.Integer() }), ...errs } } },
    async (req) => {
      const { seq, events } = await submitOrRefuse(port, { type: 'VaultRequestWithdrawal', account: req.principal!.account, shares: req.body.shares });
      return { seq, ...wire({ requested: eventsOf(events, 'VaultWithdrawalRequested')[0] ?? null }) };
    },
  );

  app.post(
    '/v1/vault/trade',
    { config: { auth: 'trade' }, schema: { tags: ['vault'], summary: 'Trade the perp against the vault at the index ± its spread', security, body: VaultTradeBody, response: { 200: Obj({ seq: Type.Integer() }), ...errs } } },
    async (req) => {
      const b = req.body;
      const { seq, events } = await submitOrRefuse(port, { type: 'VaultTrade', account: req.principal!.account, market: b.market, side: b.side, qty: b.qty, ...(b.limitPrice !== undefined ? { limitPrice: b.limitPrice } : {}) });
      return { seq, ...wire({ traded: eventsOf(events, 'VaultTraded')[0] ?? null }) };
    },
  );
}
