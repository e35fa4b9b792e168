// The vault: LPs' pooled capital. It is the counterparty of the options it sells, takes liquidated perp
// positions (the core moves them to the `vault` ledger owner), and covers settlement shortfalls after the
// insurance fund. LPs hold shares; every gain or loss of the vault reaches them through NAV.
//
// Anti-manipulation rules:
// - Deposits mint floor(amount × shares / NAV_high) and withdrawals pay floor(shares × NAV_low / total):
//   rounding and the mark/index choice always favour the LPs who stay (NAV per share never falls by a
//   deposit or a withdrawal).
// - Withdrawals wait `withdrawalDelayBlocks` and pay the LOWER of the NAV per share at request and at
//   execution: an LP who sees a loss coming cannot request out ahead of it, and a gain that arrives after
//   the request stays with the LPs who remain. Escrowed shares keep counting in the total until paid.
// - The options' premium becomes NAV only as their time value decays (see options/rules.liabilityMsat),
//   so depositing just before a sale and leaving after captures only a pro-rata share of the vault's gains.
import { MSAT_PER_SAT } from '../../../units/money.js';
import { BLOCKS_PER_DAY } from '../../../units/time.js';
import { VAULT, isAccountId, userAccount } from '../../ledger/ledger.js';
import type { EngineEvent } from '../../events.js';
import { Rejection } from '../../rejection.js';
import type { ProductCommandBase, ProductContext, ProductModule } from '../product.js';
import type { VaultDepositCommand, VaultRequestWithdrawalCommand, VaultTradeCommand } from './commands.js';
import { DEFAULT_VAULT_TRADE_CONFIG, vaultTrade, type VaultTradeConfig } from './trade.js';
import { vaultNav } from './nav.js';

export const VAULT_PRODUCT = 'vault';
/** Holder of the shares minted for capital the vault held before its first LP (operator seed capital). */
export const HOUSE = 'vault:house';

export interface VaultConfig extends VaultTradeConfig {
  withdrawalDelayBlocks: number;
  /** Price of a share when the vault has none: 1 share = 1000 msat (1 sat). */
  initialShareMsat: bigint;
}

export const DEFAULT_VAULT_CONFIG: VaultConfig = { withdrawalDelayBlocks: BLOCKS_PER_DAY, initialShareMsat: 1000n, ...DEFAULT_VAULT_TRADE_CONFIG };

export interface PendingWithdrawal {
  account: string;
  shares: bigint;
  requestedAtHeight: number;
  requestSeq: number;
  /** NAV (low) and total shares at the request: the value per share then is navMsat / totalShares. */
  navMsat: bigint;
  totalShares: bigint;
}

const SHARES_RE = /^[1-9][0-9]{0,35}$/;
const MAX_SAT = 2_100_000_000_000_000;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const bad = (field: string, msg: string): Rejection => new Rejection('invalid_argument', `${field}: ${msg}`, field);

/** floor(shares × nav / total), 0 when the NAV is not positive. */
function valueOf(shares: bigint, nav: bigint, total: bigint): bigint {
  return total <= 0n || nav <= 0n ? 0n : (shares * nav) / total;
}

export class VaultModule implements ProductModule {
  readonly name = VAULT_PRODUCT;
  readonly commandTypes = ['VaultDeposit', 'VaultRequestWithdrawal', 'VaultTrade'] as const;
  /** Free shares by holder (user id, or HOUSE). Escrowed shares are in `pending`, not here. */
  private readonly shares = new Map<string, bigint>();
  private totalShares = 0n;
  private readonly pending = new Map<string, PendingWithdrawal>();

  constructor(readonly config: VaultConfig = DEFAULT_VAULT_CONFIG) {}

  // ───────────────────────────── reads ─────────────────────────────

  total(): bigint {
    return this.totalShares;
  }

  sharesOf(holder: string): bigint {
    return this.shares.get(holder) ?? 0n;
  }

  pendingOf(account: string): PendingWithdrawal | undefined {
    const p = this.pending.get(account);
    return p === undefined ? undefined : { ...p };
  }

  pendingWithdrawals(): PendingWithdrawal[] {
    return [...this.pending.values()].sort((a, b) => a.requestSeq - b.requestSeq).map((p) => ({ ...p }));
  }

  holders(): [string, bigint][] {
    return [...this.shares.entries()].sort(([a], [b]) => cmp(a, b));
  }

  // ───────────────────────────── commands ─────────────────────────────

  apply(command: ProductCommandBase, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    switch (command.type) {
      case 'VaultDeposit': return this.deposit(command as VaultDepositCommand, ctx, out);
      case 'VaultRequestWithdrawal': return this.requestWithdrawal(command as VaultRequestWithdrawalCommand, ctx, out);
      case 'VaultTrade': return vaultTrade(command as VaultTradeCommand, this.config, ctx, out);
      default: return bad('type', `unknown vault command ${command.type}`);
    }
  }

  private deposit(c: VaultDepositCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    if (!isAccountId(c.account)) return bad('account', 'must be 1..128 characters of [A-Za-z0-9_.-]');
    if (typeof c.amountSat !== 'number' || !Number.isSafeInteger(c.amountSat) || c.amountSat <= 0 || c.amountSat > MAX_SAT) {
      return bad('amountSat', 'must be a positive integer number of sat');
    }
    const amount = BigInt(c.amountSat) * MSAT_PER_SAT;
    const owner = userAccount(c.account);
    if (ctx.available(owner) < amount) return new Rejection('insufficient_balance', `${amount} msat exceeds the free balance`, 'amountSat');
    const nav = vaultNav(ctx).highMsat;
    let house = 0n;
    let total = this.totalShares;
    if (total === 0n && nav > 0n) {
      // Capital that reached the vault before any LP (system funding, liquidation gains) belongs to the house.
      house = nav / this.config.initialShareMsat;
      total = house;
    }
    if (nav < 0n || (total > 0n && nav === 0n)) return new Rejection('not_allowed', `the vault's NAV is ${nav} msat: deposits are closed until it is positive`, 'amountSat');
    const minted = total === 0n ? amount / this.config.initialShareMsat : (amount * total) / nav;
    if (minted <= 0n) return bad('amountSat', 'too small to buy one share at the current NAV');
    if (house > 0n) this.shares.set(HOUSE, this.sharesOf(HOUSE) + house);
    this.shares.set(c.account, this.sharesOf(c.account) + minted);
    this.totalShares = total + minted;
    out.push({ type: 'VaultDeposited', account: c.account, amountMsat: amount, shares: minted, navMsat: nav, totalShares: this.totalShares, houseShares: house });
    ctx.ledger.transfer(owner, VAULT, amount, 'vault_deposit', out);
    return undefined;
  }

  private requestWithdrawal(c: VaultRequestWithdrawalCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    if (!isAccountId(c.account)) return bad('account', 'must be 1..128 characters of [A-Za-z0-9_.-]');
    if (typeof c.shares !== 'string' || !SHARES_RE.test(c.shares)) return bad('shares', 'must be a positive integer as a decimal string');
    if (this.pending.has(c.account)) return new Rejection('withdrawal_pending', 'a withdrawal is already pending for this account', 'account');
    const n = BigInt(c.shares);
    const held = this.sharesOf(c.account);
    if (n > held) return new Rejection('insufficient_balance', `holds ${held} shares, asked to redeem ${n}`, 'shares');
    const nav = vaultNav(ctx).lowMsat;
    const executeAt = Math.max(0, ctx.chain.height) + this.config.withdrawalDelayBlocks;
    this.setShares(c.account, held - n);
    this.pending.set(c.account, { account: c.account, shares: n, requestedAtHeight: Math.max(0, ctx.chain.height), requestSeq: ctx.seq, navMsat: nav, totalShares: this.totalShares });
    out.push({ type: 'VaultWithdrawalRequested', account: c.account, shares: n, navMsat: nav, totalShares: this.totalShares, executeAtHeight: executeAt });
    return undefined;
  }

  private setShares(holder: string, n: bigint): void {
    if (n === 0n) this.shares.delete(holder);
    else this.shares.set(holder, n);
  }

  // ───────────────────────────── blocks ─────────────────────────────

  /**
   * Pays due withdrawals in request order. A withdrawal the vault's cash cannot pay now (its capital is
   * locked as options collateral or perp margin) waits for a later block, escrowed, still bearing its share.
   */
  onBlock(ctx: ProductContext, out: EngineEvent[]): void {
    if (this.pending.size === 0) return;
    const h = ctx.chain.height;
    const due = [...this.pending.values()].filter((p) => h >= p.requestedAtHeight + this.config.withdrawalDelayBlocks)
      .sort((a, b) => a.requestSeq - b.requestSeq);
    if (due.length === 0) return;
    let nav = vaultNav(ctx).lowMsat;
    for (const p of due) {
      const atRequest = valueOf(p.shares, p.navMsat, p.totalShares);
      const atExecution = valueOf(p.shares, nav, this.totalShares);
      const pay = atRequest < atExecution ? atRequest : atExecution;
      if (ctx.ledger.balance(VAULT) < pay) continue;
      this.pending.delete(p.account);
      this.totalShares -= p.shares;
      nav -= pay;
      out.push({ type: 'VaultWithdrawalExecuted', account: p.account, shares: p.shares, payoutMsat: pay, valueAtRequestMsat: atRequest, valueAtExecutionMsat: atExecution, height: h });
      ctx.ledger.transfer(VAULT, userAccount(p.account), pay, 'vault_withdrawal', out);
    }
  }

  // ───────────────────────────── snapshot ─────────────────────────────

  snapshot(): unknown {
    return {
      totalShares: this.totalShares.toString(),
      shares: this.holders().map(([k, v]) => [k, v.toString()]),
      pending: this.pendingWithdrawals().map((p) => [p.account, p.shares.toString(), p.requestedAtHeight, p.requestSeq, p.navMsat.toString(), p.totalShares.toString()]),
    };
  }

  restore(state: unknown): void {
    const s = state as { totalShares: string; shares: [string, string][]; pending: [string, string, number, number, string, string][] };
    this.shares.clear();
    this.pending.clear();
    this.totalShares = BigInt(s.totalShares);
    for (const [k, v] of s.shares) this.shares.set(k, BigInt(v));
    for (const [account, shares, requestedAtHeight, requestSeq, nav, total] of s.pending) {
      this.pending.set(account, { account, shares: BigInt(shares), requestedAtHeight, requestSeq, navMsat: BigInt(nav), totalShares: BigInt(total) });
    }
  }
}

export const vaultFactory = (): ProductModule => new VaultModule();
