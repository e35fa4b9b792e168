/**
 * The vault: NAV and share price, the account's shares, deposits, delayed withdrawals and index-priced
 * perp trades against the vault.
 */
import { Type } from 'typebox';
import type { ProductsPort } from '../../products/port.js';
import * as S from '../../schemas.js';
import type { App } from '../../app-types.js';
import { errs, eventsOf, Msat, Obj, security, submitOrRefuse, wire } from './common.js';

export const VaultDepositBody = Type.Object({ amountSat: S.Sat }, { additionalProperties: false });
export const VaultWithdrawBody = Type.Object({ shares: Type.String({ pattern: '^[1-9][0-9]{0,29}$', description: 'shares, decimal string' }) }, { additionalProperties: false });
export const VaultTradeBody = Type.Object(
  { market: S.MarketId, side: S.Side, qty: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), limitPrice: Type.Optional(S.PriceSatPerPHDay) },
  { additionalProperties: false },
);

export function registerVaultRoutes(app: App, port: ProductsPort): void {
  app.get(
    '/v1/vault',
    { schema: { tags: ['vault'], summary: 'NAV, share price, total shares, pending withdrawals, exposure', response: { 200: Obj({ navMsat: Msat, totalShares: Msat, sharePriceMsat: Msat }), ...errs } } },
    async () => port.views.vault.summary(),
  );

  app.get(
    '/v1/vault/me',
    { config: { auth: 'read' }, schema: { tags: ['vault'], summary: 'The account’s shares, their value and any pending withdrawal', security, response: { 200: Obj({ shares: Msat, valueMsat: Msat }), ...errs } } },
    async (req) => {
      const p = port.views.vault.positionOf(req.principal!.account);
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
