/**
 * What the portfolio page reads: balances, perp positions with their liquidation price, orders,
 * forward contracts, options, block-delta positions and vault shares, in one pass over the engine.
 */
import { accountView, ordersOf, positionsOf, userAccount, type Exchange } from '../../engine/index.js';
import { bdcOrdersOf, bdcPositionsOf } from '../../engine/products/bdc/index.js';
import { forwardContractsOf, forwardModule } from '../../engine/products/forward/index.js';
import { optionsOf } from '../../engine/products/options/index.js';
import { vaultPositionOf } from '../../engine/products/vault/index.js';
import type { PortfolioData } from '../../api/products/views.js';

// TODO(merge): use the engine's liquidationPrice
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

export function portfolioData(ex: Exchange, account: string): PortfolioData {
  return {
    height: ex.productContext(0).chain.height,
    account: accountView(ex, account),
    positions: positionsOf(ex, account).map((p) => ({ ...p, liquidationPrice: liquidationPrice(ex, account, p.market) })),
    orders: ordersOf(ex, account),
    forwards: { autoDelivery: forwardModule(ex).isAutoDelivery(account), contracts: forwardContractsOf(ex, account) },
    options: optionsOf(ex, account),
    bdc: { positions: bdcPositionsOf(ex, account), orders: bdcOrdersOf(ex, account) },
    vault: vaultPositionOf(ex, account),
  };
}
