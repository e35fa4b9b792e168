// The engine's public surface: the state machine factory the journal replays, and read helpers for the server.
import type { Command } from './commands.js';
import type { EngineEvent } from './events.js';
import { Exchange, accountOf, type ExchangeConfig, type OrderMeta } from './exchange.js';
import { FEES, INSURANCE, VAULT, WORLD, settleAccount, userAccount } from './ledger/ledger.js';
import { averagePremium, fairPrice } from './products/perp/pricing.js';
import type { StateMachineFactory } from './state-machine.js';
import { decodeCommand, encodeCommand } from './codec.js';
import type { DepthLevel, Side } from './book/types.js';
import { liquidationPrice as liquidationPriceIn } from './exchange/margin.js';
import type { ArkDepositRecord, ArkWithdrawalRecord } from './exchange/ark-funds.js';

export type * from './commands.js';
export type * from './events.js';
export type { StateMachine, StateMachineFactory } from './state-machine.js';
export type { PerpSpec } from './products/perp/spec.js';
export type { ChainView } from './products/product.js';
export { HPI_PERP } from './products/perp/spec.js';
export { Exchange, type ExchangeConfig } from './exchange.js';
export { Ledger, WORLD, INSURANCE, VAULT, FEES, userAccount, settleAccount } from './ledger/ledger.js';
export { liquidationPriceOf, type LiquidationInputs } from './exchange/margin.js';
export { ARK_WITHDRAWALS, type ArkDepositRecord, type ArkWithdrawalRecord, type ArkWithdrawalStatus } from './exchange/ark-funds.js';

export function createExchange(config?: ExchangeConfig): Exchange {
  return new Exchange(config);
}

/** The journal payload codec (codec.ts). */
export { encodeCommand, decodeCommand };

export const exchangeFactory: StateMachineFactory<Command, EngineEvent> = {
  create: () => new Exchange(),
  restore: (snapshot: string) => Exchange.restore(snapshot),
  encodeCommand,
  decodeCommand,
};

// ───────────── read helpers (plain functions over an Exchange) ─────────────

/** Ark deposits credited and withdrawals paid through Ark (copies: the caller cannot change the state). */
export function arkFundsOf(ex: Exchange): { deposits: ArkDepositRecord[]; withdrawals: ArkWithdrawalRecord[] } {
  return { deposits: [...ex.state.ark.deposits.values()].map((d) => ({ ...d })), withdrawals: [...ex.state.ark.withdrawals.values()].map((w) => ({ ...w })) };
}

export interface AccountView {
  account: string;
  balanceMsat: bigint;
  equityMsat: bigint;
  initialMarginMsat: bigint;
  maintenanceMarginMsat: bigint;
  /** What a withdrawal could take now: min(balance, equity − initial margin), not below zero. */
  withdrawableMsat: bigint;
}

export function accountView(ex: Exchange, account: string): AccountView {
  const owner = userAccount(account);
  const balance = ex.ledger.balance(owner);
  const equity = ex.equity(owner);
  const im = ex.initialMargin(owner);
  let w = equity - im;
  if (w > balance) w = balance;
  if (w < 0n) w = 0n;
  return { account, balanceMsat: balance, equityMsat: equity, initialMarginMsat: im, maintenanceMarginMsat: ex.maintenanceMargin(owner), withdrawableMsat: w };
}

export interface PositionView {
  market: string; qty: number; mark: number;
  /** Average entry price (ticks), 0 when flat. */
  entryPrice: number;
  /** qty × mark − cost: unsettled PnL and funding since the last block's settlement (msat). */
  unsettledPnlMsat: bigint;
  /** PnL against the entry price (msat), for display. */
  pnlFromEntryMsat: bigint;
}

export function positionsOf(ex: Exchange, account: string): PositionView[] {
  const owner = userAccount(account);
  const out: PositionView[] = [];
  for (const m of ex.markets.values()) {
    const p = m.positions.get(owner);
    if (p === undefined || (p.qty === 0 && p.cost === 0n)) continue;
    const mark = ex.mark(m) ?? 0;
    const value = BigInt(p.qty) * BigInt(mark);
    const entryPrice = p.qty === 0 ? 0 : Number(p.entryCost / BigInt(Math.abs(p.qty)));
    out.push({
      market: m.spec.id, qty: p.qty, mark, entryPrice, unsettledPnlMsat: value - p.cost,
      pnlFromEntryMsat: p.qty >= 0 ? value - p.entryCost : p.entryCost + value,
    });
  }
  return out;
}

export interface OrderView { orderId: number; market: string; side: Side; price: number; qty: number; reduceOnly: boolean; clientOrderId?: string }

export function ordersOf(ex: Exchange, account: string, market?: string): OrderView[] {
  const owner = userAccount(account);
  const out: OrderView[] = [];
  for (const m of ex.markets.values()) {
    if (market !== undefined && m.spec.id !== market) continue;
    for (const r of m.book.ordersOf(owner).sort((a, b) => a.id - b.id)) {
      const meta = m.orders.get(r.id) as OrderMeta;
      const v: OrderView = { orderId: r.id, market: m.spec.id, side: r.side, price: r.price, qty: r.qty, reduceOnly: meta.reduceOnly };
      if (meta.clientOrderId !== undefined) v.clientOrderId = meta.clientOrderId;
      out.push(v);
    }
  }
  return out;
}

/**
 * The mark at which `account`'s position in `market` alone would bring it down to maintenance margin,
 * other markets held at their marks (sat/PH/day, toward zero); null without a position, a mark, or a positive answer.
 */
export function liquidationPrice(ex: Exchange, account: string, market: string): number | null {
  return liquidationPriceIn(ex.state, userAccount(account), market);
}

export function bookDepth(ex: Exchange, market: string, levels = 20): { bids: DepthLevel[]; asks: DepthLevel[] } | undefined {
  const m = ex.markets.get(market);
  if (m === undefined) return undefined;
  return { bids: m.book.depth('buy', levels), asks: m.book.depth('sell', levels) };
}

export interface MarketView {
  market: string; index: number | undefined; mark: number | undefined; fair: number | undefined;
  bestBid: number | undefined; bestAsk: number | undefined; basisEmaPpm: number;
  avgPremiumPpm: number; fundingRate8hPpm: number; openInterest: number; height: number;
}

export function marketView(ex: Exchange, market: string): MarketView | undefined {
  const m = ex.markets.get(market);
  if (m === undefined) return undefined;
  let oi = 0;
  for (const p of m.positions.values()) if (p.qty > 0) oi += p.qty;
  return {
    market, index: m.index, mark: ex.mark(m), fair: m.index === undefined ? undefined : fairPrice(m.index, m.basisEmaPpm),
    bestBid: m.book.bestBid(), bestAsk: m.book.bestAsk(), basisEmaPpm: m.basisEmaPpm,
    avgPremiumPpm: averagePremium(m.premiums), fundingRate8hPpm: m.rate8hPpm, openInterest: oi, height: ex.chainTip().height,
  };
}

export function marketIds(ex: Exchange): string[] {
  return [...ex.markets.keys()];
}

/** System ledger balances (msat): world, insurance, vault, fees. */
export function systemBalances(ex: Exchange): Record<'world' | 'insurance' | 'vault' | 'fees', bigint> {
  return { world: ex.ledger.balance(WORLD), insurance: ex.ledger.balance(INSURANCE), vault: ex.ledger.balance(VAULT), fees: ex.ledger.balance(FEES) };
}

export { accountOf };
