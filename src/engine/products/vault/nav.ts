// The vault's net asset value, from the parts the engine can see: its ledger account, its perp positions
// (liquidated positions land there) and its claim on the options it sold (collateral − booked liability).
import { VAULT } from '../../ledger/ledger.js';
import type { ProductContext } from '../product.js';
import type { OptionsModule } from '../options/module.js';
import { OPTIONS } from '../options/module.js';

export interface VaultNav {
  ledgerMsat: bigint;
  /** Σ over markets of the vault's position value qty × price − cost, at mark and at the index. */
  perpAtMarkMsat: bigint;
  perpAtIndexMsat: bigint;
  optionsCollateralMsat: bigint;
  optionsLiabilityMsat: bigint;
  /**
   * The perp part at the better of mark and index (used to price deposits: more NAV, fewer shares) and at
   * the worse (used for withdrawals), so moving the mark through the book cannot buy shares cheap or
   * redeem them dear.
   */
  highMsat: bigint;
  lowMsat: bigint;
}

export function vaultNav(ctx: ProductContext): VaultNav {
  const ledger = ctx.ledger.balance(VAULT);
  // equity() is the core's own ledger + Σ (qty × mark − cost): exactly the perp part at mark.
  const atMark = ctx.equity(VAULT) - ledger;
  let atIndex = atMark;
  if (ctx.chain.index !== undefined) {
    atIndex = 0n;
    for (const m of ctx.perp.markets()) {
      const p = ctx.perp.position(m, VAULT);
      if (p !== undefined) atIndex += BigInt(p.qty) * BigInt(ctx.chain.index) - p.costMsat;
    }
  }
  const opts = ctx.product<OptionsModule>(OPTIONS)?.vaultClaim(ctx.chain);
  const coll = opts?.collateralMsat ?? 0n;
  const liab = opts?.liabilityMsat ?? 0n;
  const base = ledger + coll - liab;
  return {
    ledgerMsat: ledger, perpAtMarkMsat: atMark, perpAtIndexMsat: atIndex, optionsCollateralMsat: coll, optionsLiabilityMsat: liab,
    highMsat: base + (atMark > atIndex ? atMark : atIndex), lowMsat: base + (atMark < atIndex ? atMark : atIndex),
  };
}
