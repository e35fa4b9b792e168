/** The vault routes' read views: NAV and shares, and the perp exposure the vault carries. */
import { VAULT, type Exchange } from '../../engine/index.js';
import { vaultPositionOf, vaultView } from '../../engine/products/vault/index.js';
import type { VaultViews } from '../../api/products/views.js';
import { toWire } from '../../api/wire.js';

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
  return toWire({
    navMsat: v.nav.lowMsat, nav: v.nav, totalShares: v.totalShares, sharePriceMsat: v.navPer1000SharesMsat, sharePriceUnit: 'msat per 1000 shares',
    withdrawalDelayBlocks: v.withdrawalDelayBlocks, pendingWithdrawals: v.pending, exposure: vaultExposure(ex), height: ex.productContext(0).chain.height,
  }) as Record<string, unknown>;
}

export function vaultViews(exchange: () => Exchange): VaultViews {
  return {
    summary: () => vaultSummary(exchange()),
    positionOf: (account) => vaultPositionOf(exchange(), account),
  };
}
