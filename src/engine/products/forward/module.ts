/**
 * Hashrate forwards (LOKA) as an engine product: four books (FWD-30D/90D/180D/365D), contracts, daily
 * delivery, collateral release and rollovers. Pure and deterministic; time is the BlockConnected height.
 *
 * Books. Price in sat/PH/day (tick 1), size in forward lots (0.0001 TH/s), orders of at least 10,000 lots
 * (1 TH/s). Sellers are miners, buyers investors. An order escrows what its resting quantity would need in
 * `fwd:o<orderId>`: a miner's ask 110 % of its value (LOKA's "cross-collateral required for order
 * placement"), an investor's bid the upfront payment. A taker must have, free, what its fills need at the
 * makers' prices (plus the 0.2 % taker fee for an investor) and what its remainder would escrow.
 * Price-time priority, self-trade prevention (the resting order expires) and FOK/IOC come from OrderBook.
 *
 * Fill -> contract. Every fill opens one contract of `qty` lots at the maker's price for the market's tenor:
 * the investor's payment (value = qty × price × days / 10^4 msat) goes to the miner, the 0.2 % taker fee is
 * taken from whichever side took (the investor pays value + fee, or the miner receives value − fee), and the
 * miner's 110 % collateral moves into `fwd:c<contractId>`. Day d covers blocks [start+144d, start+144(d+1)),
 * start = the fill's next block.
 *
 * Daily settlement. At the last block of day d the day's mean index is floor(Σ indexPrice / blocks) over the
 * blocks of that day the engine saw (a jump in heights ends the skipped days on what was seen, or on the
 * current index if nothing was), and the obligation is qty × mean / 10^4 msat (Q × the day's hashprice).
 * - If the miner opted into auto-delivery, the engine moves min(obligation, miner's free balance) to the
 *   investor at once; the 0.5 % delivery fee comes out of the delivered amount.
 * - Otherwise the day awaits the investor's ForwardDeliveryReport (what they received off-exchange, capped at
 *   the obligation) for REPORT_GRACE_BLOCKS; the 0.5 % fee on the reported amount is charged to the investor's
 *   free balance (as much of it as is free: the rewards never passed through the exchange). No report by the
 *   deadline = nothing delivered.
 * The day's collateral tranche (collateral / n, the last day takes the rounding remainder) is then split pro
 * rata: delivered/obligation of it to the miner, the rest to the investor (all to the investor on a miss).
 * After the last day is settled the contract closes; its collateral account is then empty.
 *
 * Rollover (one command, atomic). A contract is *expiring* once its final day has started (height ≥
 * start + 144(n−1)) and it is not yet closed. Its miner may roll it: the expiring contract is closed for
 * trading (no second rollover; it still settles its remaining day(s) as above, so neither investor's terms
 * change) and the next contract is opened in the same command, starting exactly at the old contract's end
 * (or the next block if that has passed), so the hashrate is sold without a gap or an overlap:
 * - `with: 'book'`: a fill-or-kill sell of `qty` (default: the old quantity) at limit `price` on the target
 *   market against resting bids: several bids may fill it, each fill a contract; nothing rests;
 * - `with: 'counterparty'`: a contract with the same investor at `price`, only when `investorSigned` (the API
 *   layer verified both signatures); the miner initiated it, so the miner is the taker and pays the fee.
 * Either all of it happens or the command is refused and nothing changes.
 *
 * Positions for swap offers: `c<contractId>:miner` and `c<contractId>:investor`. Moving one changes the
 * party; the collateral account and the day history belong to the contract and so move with it.
 */
//
// Files: contract.ts (terms, records, accounts), state.ts, checks.ts, orders.ts (books → contracts),
// delivery.ts (days, reports, collateral release), rollover.ts, views.ts (positions), snapshot.ts.
import type { OrderBook } from '../../book/order-book.js';
import type { EngineEvent } from '../../events.js';
import type { Rejection } from '../../rejection.js';
import type { ProductCommandBase, ProductContext, ProductModule } from '../product.js';
import { bad, bareAccount } from './checks.js';
import type {
  ForwardCancelOrderCommand, ForwardDeliveryReportCommand, ForwardPlaceOrderCommand, ForwardRolloverCommand,
  ForwardSetAutoDeliveryCommand,
} from './commands.js';
import { FORWARD_COMMAND_TYPES } from './commands.js';
import type { ForwardContract } from './contract.js';
import { deliveryReport, forwardOnBlock, setAutoDelivery } from './delivery.js';
import { cancelOrder, placeOrder } from './orders.js';
import { rollover } from './rollover.js';
import { contractsById, forwardSnapshot, restoreForward } from './snapshot.js';
import { createForwardState, type ForwardOrderMeta, type ForwardState } from './state.js';
import { describePosition, transferPosition, type ForwardPositionView } from './views.js';

export {
  FORWARD_MARKETS, DAY_BLOCKS, REPORT_GRACE_BLOCKS, MIN_ORDER_LOTS, MAX_FORWARD_PRICE, orderEscrow, contractCollateral, endHeightOf, escrowFor,
} from './contract.js';
export type { Side, DayStatus, DayRecord, ForwardContract } from './contract.js';
export { positionView, parsePositionId } from './views.js';
export type { ForwardPositionView } from './views.js';

export class ForwardModule implements ProductModule {
  readonly name = 'forward';
  readonly commandTypes = FORWARD_COMMAND_TYPES;
  private readonly s: ForwardState = createForwardState();

  // ───────────────────────────── reads ─────────────────────────────

  contract(id: number): ForwardContract | undefined {
    return this.s.contracts.get(id);
  }

  /** Contracts where `account` is miner or investor, by id. */
  contractsOf(account: string): ForwardContract[] {
    const a = bareAccount(account);
    return [...this.s.contracts.values()].filter((c) => c.miner === a || c.investor === a).sort((x, y) => x.id - y.id);
  }

  allContracts(): ForwardContract[] {
    return contractsById(this.s);
  }

  book(market: string): OrderBook | undefined {
    return this.s.books.get(market);
  }

  order(id: number): (ForwardOrderMeta & { qty: number }) | undefined {
    const m = this.s.orders.get(id);
    const r = m === undefined ? undefined : this.s.books.get(m.market)?.get(id);
    return m === undefined || r === undefined ? undefined : { ...m, qty: r.qty };
  }

  isAutoDelivery(account: string): boolean {
    return this.s.autoDelivery.has(bareAccount(account));
  }

  // ───────────────────────────── commands and blocks ─────────────────────────────

  apply(command: ProductCommandBase, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const c = command as unknown as Record<string, unknown>;
    switch (command.type) {
      case 'ForwardPlaceOrder': return placeOrder(this.s, c as unknown as ForwardPlaceOrderCommand, ctx, out);
      case 'ForwardCancelOrder': return cancelOrder(this.s, c as unknown as ForwardCancelOrderCommand, ctx, out);
      case 'ForwardSetAutoDelivery': return setAutoDelivery(this.s, c as unknown as ForwardSetAutoDeliveryCommand, out);
      case 'ForwardDeliveryReport': return deliveryReport(this.s, c as unknown as ForwardDeliveryReportCommand, ctx, out);
      case 'ForwardRollover': return rollover(this.s, c as unknown as ForwardRolloverCommand, ctx, out);
      default: return bad('type', `unknown forward command ${command.type}`);
    }
  }

  onBlock(ctx: ProductContext, out: EngineEvent[]): void {
    forwardOnBlock(this.s, ctx, out);
  }

  // ───────────────────────────── positions (swap offers) ─────────────────────────────

  transferPosition(positionId: string, from: string, to: string, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    void ctx;
    return transferPosition(this.s, positionId, from, to, out);
  }

  describePosition(positionId: string, owner: string): ForwardPositionView | undefined {
    return describePosition(this.s, positionId, owner);
  }

  // ───────────────────────────── snapshot ─────────────────────────────

  snapshot(): unknown {
    return forwardSnapshot(this.s);
  }

  restore(state: unknown): void {
    restoreForward(this.s, state);
  }
}

export function createForwardModule(): ForwardModule {
  return new ForwardModule();
}
