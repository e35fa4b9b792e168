// Events of the vault product. NAV figures are msat; shares are bigint.

export interface VaultDeposited {
  type: 'VaultDeposited'; account: string; amountMsat: bigint; shares: bigint;
  /** NAV the shares were priced at (before the deposit) and the share count after it. */
  navMsat: bigint; totalShares: bigint;
  /** Shares minted to the house for capital the vault held before it had any LP (first deposit only). */
  houseShares: bigint;
}

export interface VaultWithdrawalRequested {
  type: 'VaultWithdrawalRequested'; account: string; shares: bigint; navMsat: bigint; totalShares: bigint; executeAtHeight: number;
}

export interface VaultWithdrawalExecuted {
  type: 'VaultWithdrawalExecuted'; account: string; shares: bigint; payoutMsat: bigint;
  /** What the shares were worth at the request and at execution; the payout is the lower. */
  valueAtRequestMsat: bigint; valueAtExecutionMsat: bigint; height: number;
}

export interface VaultTraded {
  type: 'VaultTraded'; account: string; market: string; side: 'buy' | 'sell'; qty: number; price: number; index: number;
  /** Cash that re-prices the moved lots to `price`: > 0 paid by the trader to the vault, < 0 the other way. */
  feeMsat: bigint;
}

export type VaultEvent = VaultDeposited | VaultWithdrawalRequested | VaultWithdrawalExecuted | VaultTraded;
