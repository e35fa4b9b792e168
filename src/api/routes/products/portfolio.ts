/**
 * The portfolio page in one call (balances, perp positions with PnL and liquidation price, funding,
 * forwards, options, block-delta positions, vault shares, open orders) and the account's history.
 */
import { Type } from 'typebox';
import { accountView, ordersOf, positionsOf, type Exchange } from '../../../engine/index.js';
import { bdcOrdersOf, bdcPositionsOf } from '../../../engine/products/bdc/index.js';
import { forwardContractsOf, forwardModule } from '../../../engine/products/forward/index.js';
import { optionsOf } from '../../../engine/products/options/index.js';
import { vaultPositionOf } from '../../../engine/products/vault/index.js';
import { userAccount } from '../../../engine/index.js';
import type { ProductsPort } from '../../products/port.js';
import type { App } from '../../app-types.js';
import { errs, Msat, Obj, security, wire } from './common.js';
import { contractView } from './forwards.js';

export const HistoryQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })) },
  { additionalProperties: false },
);

/**
 * The mark at which the account's maintenance margin would be breached, other positions held as they
 * are: solves E0 + q(P − mark) = |q|·P·mm + MM_other for P. null when no positive price breaches it.
 */
export function liquidationPrice(ex: Exchange, account: string, market: string): number | null {
  const m = ex.market(market);
  const owner = userAccount(account);
  const p = m?.positions.get(owner);
  const mark = m === undefined ? undefined : ex.mark(m);
  if (m === undefined || p === undefined || p.qty === 0 || mark === undefined) return null;
  const q = BigInt(p.qty);
  const absQ = q < 0n ? -q : q;
  const mm = BigInt(m.spec.maintenanceMarginPpm);
  const mmThis = (absQ * BigInt(mark) * mm) / 1_000_000n;
  const e0 = ex.equity(owner) - (ex.maintenanceMargin(owner) - mmThis);
  const num = (q * BigInt(mark) - e0) * 1_000_000n;
  const den = q * 1_000_000n - absQ * mm;
  if (den === 0n) return null;
  const price = num / den;
  return price > 0n ? Number(price) : null;
}

export function portfolioOf(port: ProductsPort, account: string): Record<string, unknown> {
  const ex = port.exchange();
  const a = accountView(ex, account);
  const vault = vaultPositionOf(ex, account);
  return wire({
    account,
    height: ex.productContext(0).chain.height,
    balances: { balanceMsat: a.balanceMsat, equityMsat: a.equityMsat, availableMsat: a.withdrawableMsat, initialMarginMsat: a.initialMarginMsat, maintenanceMarginMsat: a.maintenanceMarginMsat },
    perp: {
      positions: positionsOf(ex, account).map((p) => ({ ...p, liquidationPrice: liquidationPrice(ex, account, p.market) })),
      fundingNetMsat: port.history.fundingOf(account),
      orders: ordersOf(ex, account),
    },
    forwards: { autoDelivery: forwardModule(ex).isAutoDelivery(account), contracts: forwardContractsOf(ex, account).map((k) => contractView(k, account)) },
    options: optionsOf(ex, account),
    bdc: { positions: bdcPositionsOf(ex, account), orders: bdcOrdersOf(ex, account) },
    vault: { shares: vault.shares, valueMsat: vault.valueMsat, pending: vault.pending ?? null },
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
