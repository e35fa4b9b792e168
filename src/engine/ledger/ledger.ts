/**
 * Double-entry ledger in msat (bigint). Every movement of value is a transfer between two ledger
 * accounts, so the sum of all balances is zero after every command.
 *
 * Ledger accounts:
 * - `user:<id>`       a trader's collateral (cross margin: one balance backs all positions and orders)
 * - `world`           the contra account of the outside world: deposits come from it and withdrawals go
 *                     to it, so it holds minus everything the exchange owes. It is the ONLY account
 *                     allowed below zero.
 * - `insurance`       the insurance fund (liquidation fees in, settlement shortfalls out)
 * - `vault`           the vault (takes liquidated positions at the bankruptcy price)
 * - `fees`            fee income (taker fees, rounding dust)
 * - `settle:<market>` a market's settlement pool: losers pay into it before winners are paid out of it
 *                     each block, so it is empty after every block and never negative.
 * Positions are not ledger accounts: their unrealised PnL is the claim that settlement turns into transfers.
 */
import type { LedgerTransfer, TransferReason } from '../events.js';
import { isAccountName } from '../../units/checks.js';

export const WORLD = 'world';
export const INSURANCE = 'insurance';
export const VAULT = 'vault';
export const FEES = 'fees';
/** A user id (what follows `user:`): a ledger account name, 1..128 characters of [A-Za-z0-9_.-]. */
export const isAccountId = isAccountName;
export const userAccount = (id: string): string => `user:${id}`;
export const settleAccount = (market: string): string => `settle:${market}`;

export class Ledger {
  private readonly balances = new Map<string, bigint>();

  balance(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  /**
   * Moves `amount` msat. Throws (an engine bug, not a bad command) if a non-world account would go
   * below zero: callers check affordability before they mutate anything.
   */
  transfer(from: string, to: string, amount: bigint, reason: TransferReason, out: unknown[], market?: string): void {
    if (amount < 0n) throw new Error(`ledger: negative transfer ${amount}`);
    if (amount === 0n || from === to) return;
    const balances = this.balances;
    const fromBal = (balances.get(from) ?? 0n) - amount;
    if (fromBal < 0n && from !== WORLD) throw new Error(`ledger: ${from} would go negative (${fromBal})`);
    balances.set(from, fromBal);
    balances.set(to, (balances.get(to) ?? 0n) + amount);
    // One literal per shape (not a property added later): the hot path's events keep a stable hidden class.
    const ev: LedgerTransfer = market === undefined
      ? { type: 'LedgerTransfer', from, to, amountMsat: amount, reason }
      : { type: 'LedgerTransfer', from, to, amountMsat: amount, reason, market };
    out.push(ev);
  }

  /** Sum over all accounts; zero by construction (checked by the property tests). */
  total(): bigint {
    let s = 0n;
    for (const v of this.balances.values()) s += v;
    return s;
  }

  /** Every account and its balance (zero ones too), unsorted: one pass over a million accounts without a sort (the liabilities tree). */
  accounts(): IterableIterator<[string, bigint]> {
    return this.balances.entries();
  }

  /** How many accounts `accounts()` yields. */
  get accountCount(): number {
    return this.balances.size;
  }

  /** Accounts with a non-zero balance, sorted by name (canonical for snapshots). */
  entries(): [string, bigint][] {
    return [...this.balances.entries()].filter(([, v]) => v !== 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  static fromEntries(entries: [string, bigint][]): Ledger {
    const l = new Ledger();
    for (const [k, v] of entries) l.balances.set(k, v);
    return l;
  }
}
