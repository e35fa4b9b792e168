/**
 * The read views the product routes are written against: each function returns exactly what a route
 * reads, computed server-side from the live engine (src/server/views). Routes never hold the Exchange,
 * so they cannot reach state they do not show, and the engine can change shape behind these types.
 * The record types are the engine's view records (types only).
 */
import type { AccountView, OrderView, PositionView } from '../../engine/index.js';
import type { BdcOrderView, BdcPositionDescription, BdcSeriesView, SeriesFairValue } from '../../engine/products/bdc/index.js';
import type { ForwardBookView, ForwardContract, ForwardQuote } from '../../engine/products/forward/index.js';
import type { OptionPosition, OptionQuoteResult } from '../../engine/products/options/index.js';
import type { ChainView } from '../../engine/products/product.js';
import type { SwapOfferFilter, SwapOfferView } from '../../engine/products/swap/index.js';
import type { PendingWithdrawal } from '../../engine/products/vault/index.js';

export interface BookLevels {
  bids: { price: number; qty: number }[];
  asks: { price: number; qty: number }[];
}

export interface ForwardViews {
  /** The listed forward markets and their tenors. */
  markets(): { market: string; days: number }[];
  book(market: string, levels: number): ForwardBookView | undefined;
  /** undefined before the engine has an index. */
  quote(terms: { market: string; qtyLots: number; priceSatPerPHDay: number }, taker: 'miner' | 'investor'): ForwardQuote | undefined;
  /** A resting order's owner and market (undefined: not resting). */
  order(orderId: number): { account: string; market: string } | undefined;
  restingOrders(account: string): { orderId: number; market: string; side: string; price: number; qty: number }[];
  contractsOf(account: string): ForwardContract[];
  /** The investor who must consent to a rollover with the same counterparty. */
  investorOf(contractId: number): string | undefined;
  isAutoDelivery(account: string): boolean;
}

export interface OptionViews {
  /** The tip a quote is made at; undefined before the first block. */
  quoteTip(): { height: number; mtp: number; time: number; index: number } | undefined;
  /** The vault's quote at that tip (the model may refuse terms it cannot price: it throws). */
  quote(tip: { height: number; mtp: number; time: number; index: number }, terms: { account: string; optionType: 'call' | 'put'; strike: number; expiryHeight: number; lots: number }): OptionQuoteResult;
  /** The vault's option fee, ppm of the premium. */
  feePpm: number;
  /** The options product's parameters as the engine runs them (windowDays: days of history behind μ and σ). Optional for older wirings. */
  parameters?(): Record<string, number>;
  optionsOf(account: string): OptionPosition[];
}

export interface VaultViews {
  /** NAV, shares, pending withdrawals and the vault's perp exposure, as /v1/vault returns it. */
  summary(): Record<string, unknown>;
  positionOf(account: string): { shares: bigint; valueMsat: bigint; pending: PendingWithdrawal | undefined };
}

export interface BdcViews {
  series(): BdcSeriesView[];
  book(series: string, levels: number): BookLevels | undefined;
  /** The model's fair value at the engine's tip, or why there is none. */
  fair(series: string): { fair?: SeriesFairValue; error?: string };
  ordersOf(account: string, series?: string): BdcOrderView[];
  positionsOf(account: string): BdcPositionDescription[];
  isOpen(positionId: string): boolean;
}

export interface SwapViews {
  offers(filter: SwapOfferFilter): SwapOfferView[];
  offer(offerId: number): SwapOfferView | undefined;
}

/** Everything an account holds, for the portfolio page (the route adds funding and presentation). */
export interface PortfolioData {
  height: number;
  account: AccountView;
  positions: (PositionView & { liquidationPrice: number | null })[];
  orders: OrderView[];
  forwards: { autoDelivery: boolean; contracts: ForwardContract[] };
  options: OptionPosition[];
  bdc: { positions: BdcPositionDescription[]; orders: BdcOrderView[] };
  vault: { shares: bigint; valueMsat: bigint; pending: PendingWithdrawal | undefined };
}

export interface ProductViews {
  /** The last block the engine processed (height -1 before the first). */
  tip(): ChainView;
  forwards: ForwardViews;
  options: OptionViews;
  vault: VaultViews;
  bdc: BdcViews;
  swaps: SwapViews;
  portfolio(account: string): PortfolioData;
}
