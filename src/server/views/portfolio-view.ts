/**
 * What the portfolio page reads: balances, perp positions with their liquidation price, orders,
 * forward contracts, options, block-delta positions and vault shares, in one pass over the engine.
 */
import { accountView, liquidationPrice, ordersOf, positionsOf, type Exchange } from '../../engine/index.js';
import { bdcOrdersOf, bdcPositionsOf } from '../../engine/products/bdc/index.js';
import { forwardContractsOf, forwardModule } from '../../engine/products/forward/index.js';
import { optionsOf } from '../../engine/products/options/index.js';
import { vaultPositionOf } from '../../engine/products/vault/index.js';
import type { PortfolioData } from '../../api/products/views.js';

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
