// Commands of the vault product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.

/** An LP moves sat from its trading balance into the vault for shares priced at NAV. */
export interface VaultDepositCommand { type: 'VaultDeposit'; account: string; amountSat: number }

/**
 * An LP asks to redeem shares (decimal string: shares are bigint). The shares are escrowed now and paid
 * `withdrawalDelayBlocks` later at the lower of the request-time and the execution-time NAV per share.
 */
export interface VaultRequestWithdrawalCommand { type: 'VaultRequestWithdrawal'; account: string; shares: string }

/** Trade the perp against the vault at the index ± the vault's spread, within its exposure limit (trade.ts). */
export interface VaultTradeCommand { type: 'VaultTrade'; account: string; market: string; side: 'buy' | 'sell'; qty: number; limitPrice?: number }

export type VaultCommand = VaultDepositCommand | VaultRequestWithdrawalCommand | VaultTradeCommand;
export const VAULT_COMMAND_TYPES: readonly string[] = ['VaultDeposit', 'VaultRequestWithdrawal', 'VaultTrade'];
