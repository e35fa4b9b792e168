// Read helpers for the server (REST/WS). Plain functions over the Exchange.
import type { Exchange } from '../../exchange.js';
import type { PendingWithdrawal, VaultModule } from './module.js';
import { VAULT_PRODUCT } from './module.js';
import { vaultNav, type VaultNav } from './nav.js';

export { VaultModule, vaultFactory, VAULT_PRODUCT, HOUSE, DEFAULT_VAULT_CONFIG, type PendingWithdrawal, type VaultConfig } from './module.js';
export { vaultNav, type VaultNav } from './nav.js';
export { DEFAULT_VAULT_TRADE_CONFIG, vaultTrade, type VaultTradeConfig } from './trade.js';
export type { VaultCommand, VaultDepositCommand, VaultRequestWithdrawalCommand, VaultTradeCommand } from './commands.js';
export type { VaultEvent, VaultDeposited, VaultWithdrawalRequested, VaultWithdrawalExecuted, VaultTraded } from './events.js';

function mod(ex: Exchange): VaultModule {
  const m = ex.product<VaultModule>(VAULT_PRODUCT);
  if (m === undefined) throw new Error('vault product is not registered');
  return m;
}

export interface VaultView {
  nav: VaultNav;
  totalShares: bigint;
  /** NAV (low) per 1000 shares, msat, floored: 1 000 000 at launch (1 share = 1000 msat). */
  navPer1000SharesMsat: bigint;
  withdrawalDelayBlocks: number;
  pending: PendingWithdrawal[];
}

export function vaultView(ex: Exchange): VaultView {
  const m = mod(ex);
  const nav = vaultNav(ex.productContext(0));
  const total = m.total();
  return {
    nav, totalShares: total,
    navPer1000SharesMsat: total === 0n ? m.config.initialShareMsat * 1000n : (nav.lowMsat * 1000n) / total,
    withdrawalDelayBlocks: m.config.withdrawalDelayBlocks,
    pending: m.pendingWithdrawals(),
  };
}

/** An LP's shares, their value at the withdrawal NAV, and any pending withdrawal. */
export function vaultPositionOf(ex: Exchange, account: string): { shares: bigint; valueMsat: bigint; pending: PendingWithdrawal | undefined } {
  const m = mod(ex);
  const shares = m.sharesOf(account);
  const total = m.total();
  const nav = vaultNav(ex.productContext(0)).lowMsat;
  return { shares, valueMsat: total === 0n || nav <= 0n ? 0n : (shares * nav) / total, pending: m.pendingOf(account) };
}
