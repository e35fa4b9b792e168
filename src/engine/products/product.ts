// The plug-in boundary between the exchange core (ledger, perp books, margin) and the other products
// (forwards, options, vault, block-delta, swaps). Each product keeps its own rules and state in its own
// folder; the core routes its commands to it, calls it at every block, and stores its snapshot.
import type { Ledger } from '../ledger/ledger.js';
import type { EngineEvent } from '../events.js';
import type { Rejection } from '../rejection.js';

/** The chain as the engine last saw it (from BlockConnected). height −1 before the first block. */
export interface ChainView {
  readonly height: number;
  readonly hash: string;
  readonly time: number;
  readonly mtp: number;
  /** HPI at that block, sat/PH/day; undefined before the first block. */
  readonly index: number | undefined;
}

/** A perp position slice as swap offers and the vault see it. */
export interface PerpPositionView { market: string; owner: string; qty: number; costMsat: bigint }

/** What the core lends a product while it handles one command or one block. */
export interface ProductContext {
  readonly seq: number;
  readonly ledger: Ledger;
  readonly chain: ChainView;
  /**
   * msat a ledger owner (e.g. `user:<id>`) can commit to a new obligation now without breaking its perp
   * initial margin: min(balance, equity − initial margin), not below zero. Products lock collateral by
   * transferring it out of the user's ledger account into an account of their own, so what they lock
   * can never back a perp position twice.
   */
  available(owner: string): bigint;
  /** Equity of a ledger owner: balance + unsettled perp PnL at mark. */
  equity(owner: string): bigint;
  /** Another product by name (swap offers move positions of any product). */
  product<T extends ProductModule>(name: string): T | undefined;
  /** Perp hooks (the perp lives in the core). */
  perp: {
    position(market: string, owner: string): PerpPositionView | undefined;
    mark(market: string): number | undefined;
    /** Moves `qty` lots (signed, the holder's direction) and their cost from one owner to another. */
    movePosition(market: string, from: string, to: string, qty: number, out: EngineEvent[]): void;
    /**
     * Would `owner` meet initial margin after trading `qty` lots on `side` at `price`, paying `feeMsat`?
     * The core's own order check (equity and initial margin across all markets), so products never copy it.
     */
    checkTrade(market: string, owner: string, side: 'buy' | 'sell', qty: number, price: number, feeMsat: bigint): Rejection | undefined;
    /** Books a trade of `qty` lots at `price` between two owners outside the book (index-priced trades). */
    trade(market: string, buyer: string, seller: string, qty: number, price: number, out: EngineEvent[]): void;
    markets(): string[];
  };
}

export interface ProductCommandBase { type: string }

/**
 * The products' configurable parameters, set where the exchange is created (ExchangeConfig.products). Each
 * product validates its own and records a non-default value in its snapshot, so a restore prices the same.
 */
export interface ProductsConfig {
  /** Options: days of index history μ and σ are estimated from (see options/module.ts, OPTION_WINDOW_DAYS). */
  optionWindowDays?: number;
}

export interface ProductModule {
  /** Stable name: snapshot key, ledger account prefix, `product()` lookup. */
  readonly name: string;
  /** The command types this product handles (unique across products). */
  readonly commandTypes: readonly string[];
  /** Validate fully, then mutate: a rejection must leave the state exactly as it was. */
  apply(command: ProductCommandBase, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined;
  /** Called at every BlockConnected after the perp settled and liquidations ran. Must not throw. */
  onBlock(ctx: ProductContext, out: EngineEvent[]): void;
  /** Canonical JSON-able state (deterministic order, bigint as strings). */
  snapshot(): unknown;
  restore(state: unknown): void;
  /**
   * Moves a position this product holds (identified by `positionId`) from one account to another,
   * with its collateral and history (swap offers). Optional: a product without transferable positions omits it.
   */
  transferPosition?(positionId: string, from: string, to: string, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined;
  /**
   * A position that is a VTXO moved by an atomic Ark swap both holders signed and the operator accepted:
   * record the new holder and the new outpoint (the price was paid in the same Ark tx, not in the ledger).
   */
  transferSwappedVtxo?(positionId: string, from: string, to: string, vtxo: string, out: EngineEvent[]): Rejection | undefined;
  /** Describes a position for a swap offer (product-specific summary), or undefined if the owner does not hold it. */
  describePosition?(positionId: string, owner: string): unknown;
}
