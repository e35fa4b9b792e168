/**
 * The portfolio page in one call (balances, perp positions with PnL and liquidation price, funding,
 * forwards, options, block-delta positions, vault shares, open orders) and the account's history.
 */
import { Type } from 'typebox';
import type { ProductsPort } from '../../products/port.js';
import type { App } from '../../app-types.js';
import { errs, Msat, Obj, security, wire } from './common.js';
import { contractView } from './forwards.js';

export const HistoryQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })) },
  { additionalProperties: false },
);

export function portfolioOf(port: ProductsPort, account: string): Record<string, unknown> {
  const p = port.views.portfolio(account);
  const a = p.account;
  return wire({
    account,
    height: p.height,
    balances: { balanceMsat: a.balanceMsat, equityMsat: a.equityMsat, availableMsat: a.withdrawableMsat, initialMarginMsat: a.initialMarginMsat, maintenanceMarginMsat: a.maintenanceMarginMsat },
    perp: {
      positions: p.positions,
      fundingNetMsat: port.history.fundingOf(account),
      orders: p.orders,
    },
    forwards: { autoDelivery: p.forwards.autoDelivery, contracts: p.forwards.contracts.map((k) => contractView(k, account)) },
    options: p.options,
    bdc: p.bdc,
    vault: { shares: p.vault.shares, valueMsat: p.vault.valueMsat, pending: p.vault.pending ?? null },
  });
}

export function registerPortfolioRoutes(app: App, port: ProductsPort): void {
  app.get(
    '/v1/account/history',
    { config: { auth: 'read' }, schema: { tags: ['account'], summary: 'Transaction history, newest first: transfers, fills, funding, deliveries, settlements (page with ?before=<id>)', security, querystring: HistoryQuery, response: { 200: Obj({ entries: Type.Array(Obj({ id: Type.Integer(), seq: Type.Integer(), kind: Type.String(), event: Type.String() })) }), ...errs } } },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const entries = port.history.list(req.principal!.account, { limit, ...(req.query.before !== undefined ? { before: req.query.before } : {}) });
      return { entries, nextBefore: entries.length === limit ? entries[entries.length - 1].id : null };
    },
  );

  app.get(
    '/v1/account/portfolio',
    { config: { auth: 'read' }, schema: { tags: ['account'], summary: 'Everything the account holds, in one call', security, response: { 200: Obj({ account: Type.String(), balances: Obj({ balanceMsat: Msat }) }), ...errs } } },
    async (req) => portfolioOf(port, req.principal!.account),
  );
}
