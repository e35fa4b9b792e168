// The exchange engine: a pure, deterministic state machine over the ledger, the books and the perp rules.
// This class is the public face; the state and every rule live in exchange/ (see src/engine/README.md).
//
// Accounting model (cross margin, one balance per account backs every position and order):
// - A position is (qty lots, cost msat) with cost = Σ signed lots × fill price. Its claim on the
//   market is qty × mark − cost msat (DESIGN: PnL = lots × Δprice msat). Every fill adds +q·p to the
//   buyer and −q·p to the seller, so Σ cost over a market equals −(its settlement pool) at all times.
// - Equity = ledger balance + Σ claims. Initial margin (10 %) covers positions at mark plus resting
//   orders at their price, worst side; maintenance margin (5 %) covers positions.
// - Each BlockConnected settles every position to the mark together with the block's funding: losers
//   pay into the market's settlement pool, then winners are paid from it, and cost resets to qty × mark.
//   Any payer shortfall is covered by the insurance fund, then the vault, then winners are paid pro rata.
// - Liquidations run at every block after settlement, for every account below maintenance margin.
import type { Command } from './commands.js';
import type { EngineEvent } from './events.js';
import { Ledger, userAccount } from './ledger/ledger.js';
import type { ProductContext, ProductModule } from './products/product.js';
import type { StateMachine } from './state-machine.js';
import { applyCommand } from './exchange/dispatch.js';
import { available, equity, initialMargin, maintenanceMargin } from './exchange/margin.js';
import { productContext, productOf } from './exchange/product-host.js';
import { restoreState, snapshotOf, stateHashOf } from './exchange/snapshot.js';
import { accountOf, createState, markOf, type EngineState, type ExchangeConfig, type MarketState } from './exchange/state.js';

export type { ExchangeConfig, MarketRates, MarketState, OrderMeta, Position } from './exchange/state.js';
export { MAX_PRICE } from './products/perp/pricing.js';
export { accountOf, userAccount };

export class Exchange implements StateMachine<Command, EngineEvent> {
  /** Everything the engine holds; the modules in exchange/ read and change it. */
  readonly state: EngineState;
  readonly ledger: Ledger;
  readonly markets: Map<string, MarketState>;
  /** Products besides the perp, in registry order. */
  readonly products: ProductModule[];

  /** `state` is for restore(): a state rebuilt from a snapshot (config and ledger are then its own). */
  constructor(config: ExchangeConfig = {}, ledger = new Ledger(), state: EngineState = createState(config, ledger)) {
    this.state = state;
    this.ledger = state.ledger;
    this.markets = state.markets;
    this.products = state.products;
  }

  static restore(snapshot: string): Exchange {
    const state = restoreState(snapshot);
    return new Exchange({}, state.ledger, state);
  }

  apply(command: Command, seq: number): EngineEvent[] {
    return applyCommand(this.state, command, seq);
  }

  snapshot(): string {
    return snapshotOf(this.state);
  }

  stateHash(): string {
    return stateHashOf(this.state);
  }

  // ───────────────────────────── reads ─────────────────────────────

  /** Mark price of a market now (undefined before the first index). */
  mark(m: MarketState): number | undefined {
    return markOf(m);
  }

  market(id: string): MarketState | undefined {
    return this.markets.get(id);
  }

  /** Equity of a ledger owner (msat): balance + Σ (qty × mark − cost). */
  equity(owner: string): bigint {
    return equity(this.state, owner);
  }

  initialMargin(owner: string): bigint {
    return initialMargin(this.state, owner);
  }

  maintenanceMargin(owner: string): bigint {
    return maintenanceMargin(this.state, owner);
  }

  /** Free collateral of a ledger owner: min(balance, equity − initial margin), not below zero. */
  available(owner: string): bigint {
    return available(this.state, owner);
  }

  product<T extends ProductModule>(name: string): T | undefined {
    return productOf<T>(this.state, name);
  }

  productContext(seq: number): ProductContext {
    return productContext(this.state, seq);
  }

  chainTip(): { height: number; hash: string; mtp: number } {
    return { height: this.state.chain.height, hash: this.state.chain.hash, mtp: this.state.chain.mtp };
  }
}
