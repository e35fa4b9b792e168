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
import { FEES, userAccount } from '../../ledger/ledger.js';
import type { EngineEvent } from '../../events.js';
import { OrderBook } from '../../book/order-book.js';
import type { Fill, RestingOrder, TimeInForce } from '../../book/types.js';
import { Rejection } from '../../rejection.js';
import type { ProductCommandBase, ProductContext, ProductModule } from '../product.js';
import {
  collateralOfValue, collateralTranche, contractValueMsat, dailyRewardsMsat, deliveryFeeOf, takerFeeOfValue,
} from './calculator.js';
import type {
  ForwardCancelOrderCommand, ForwardDeliveryReportCommand, ForwardPlaceOrderCommand, ForwardRolloverCommand,
  ForwardSetAutoDeliveryCommand,
} from './commands.js';
import { FORWARD_COMMAND_TYPES } from './commands.js';

export const FORWARD_MARKETS: Readonly<Record<string, number>> = { 'FWD-30D': 30, 'FWD-90D': 90, 'FWD-180D': 180, 'FWD-365D': 365 };
export const DAY_BLOCKS = 144;
export const REPORT_GRACE_BLOCKS = 144;
export const MIN_ORDER_LOTS = 10_000;
export const MAX_FORWARD_PRICE = 4_000_000_000;
const ACCOUNT_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const MSAT_RE = /^(0|[1-9][0-9]{0,29})$/;

export type Side = 'buy' | 'sell';
export type DayStatus = 'delivered' | 'partial' | 'missed' | 'awaiting';

export interface DayRecord {
  day: number;
  endHeight: number;
  meanIndex: number;
  obligationMsat: bigint;
  deliveredMsat: bigint;
  feeMsat: bigint;
  toMinerMsat: bigint;
  toInvestorMsat: bigint;
  status: DayStatus;
  via: 'cash' | 'report' | 'deadline' | null;
}

export interface ForwardContract {
  id: number;
  market: string;
  days: number;
  miner: string;
  investor: string;
  qtyLots: number;
  price: number;
  valueMsat: bigint;
  collateralMsat: bigint;
  releasedMsat: bigint;
  startHeight: number;
  /** next day to end (0..days) */
  nextDay: number;
  /** running Σ index and block count of day `nextDay` */
  daySum: bigint;
  dayBlocks: number;
  history: DayRecord[];
  /** days that ended and await the investor's report, ascending (their deadlines ascend with them) */
  awaiting: number[];
  status: 'open' | 'closed';
  rolledFrom: number | null;
  rolledInto: number[];
}

interface OrderMeta { id: number; account: string; market: string; side: Side; price: number }

export const orderEscrow = (orderId: number): string => `fwd:o${orderId}`;
export const contractCollateral = (contractId: number): string => `fwd:c${contractId}`;
export const endHeightOf = (c: { startHeight: number; days: number }): number => c.startHeight + DAY_BLOCKS * c.days;

/** What a resting order of `qty` lots at `price` escrows: the upfront (bid) or 110 % collateral (ask). */
export function escrowFor(side: Side, qty: number, price: number, days: number): bigint {
  const value = contractValueMsat({ qtyLots: qty, priceSatPerPHDay: price, days });
  return side === 'buy' ? value : collateralOfValue(value);
}

const bad = (field: string, message: string): Rejection => new Rejection('invalid_argument', message, field);
const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const bareAccount = (a: string): string => (a.startsWith('user:') ? a.slice(5) : a);
const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

interface PlannedFill { maker: RestingOrder; qty: number; price: number }

export class ForwardModule implements ProductModule {
  readonly name = 'forward';
  readonly commandTypes = FORWARD_COMMAND_TYPES;
  private books = new Map<string, OrderBook>();
  private orders = new Map<number, OrderMeta>();
  private contracts = new Map<number, ForwardContract>();
  /** ids of open contracts in ascending order (the ones `onBlock` visits) */
  private open = new Set<number>();
  private autoDelivery = new Set<string>();
  private nextOrderId = 1;
  private nextContractId = 1;

  constructor() {
    for (const m of Object.keys(FORWARD_MARKETS).sort()) this.books.set(m, new OrderBook());
  }

  // ───────────────────────────── reads ─────────────────────────────

  contract(id: number): ForwardContract | undefined {
    return this.contracts.get(id);
  }

  /** Contracts where `account` is miner or investor, by id. */
  contractsOf(account: string): ForwardContract[] {
    const a = bareAccount(account);
    return [...this.contracts.values()].filter((c) => c.miner === a || c.investor === a).sort((x, y) => x.id - y.id);
  }

  allContracts(): ForwardContract[] {
    return [...this.contracts.values()].sort((x, y) => x.id - y.id);
  }

  book(market: string): OrderBook | undefined {
    return this.books.get(market);
  }

  order(id: number): (OrderMeta & { qty: number }) | undefined {
    const m = this.orders.get(id);
    const r = m === undefined ? undefined : this.books.get(m.market)?.get(id);
    return m === undefined || r === undefined ? undefined : { ...m, qty: r.qty };
  }

  isAutoDelivery(account: string): boolean {
    return this.autoDelivery.has(bareAccount(account));
  }

  // ───────────────────────────── commands ─────────────────────────────

  apply(command: ProductCommandBase, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const c = command as unknown as Record<string, unknown>;
    switch (command.type) {
      case 'ForwardPlaceOrder': return this.placeOrder(c as unknown as ForwardPlaceOrderCommand, ctx, out);
      case 'ForwardCancelOrder': return this.cancelOrder(c as unknown as ForwardCancelOrderCommand, ctx, out);
      case 'ForwardSetAutoDelivery': return this.setAutoDelivery(c as unknown as ForwardSetAutoDeliveryCommand, out);
      case 'ForwardDeliveryReport': return this.deliveryReport(c as unknown as ForwardDeliveryReportCommand, ctx, out);
      case 'ForwardRollover': return this.rollover(c as unknown as ForwardRolloverCommand, ctx, out);
      default: return bad('type', `unknown forward command ${command.type}`);
    }
  }

  private placeOrder(c: ForwardPlaceOrderCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const r = checkAccount(c.account) ?? this.checkMarket(c.market) ?? checkSide(c.side) ?? checkPrice(c.price) ?? checkQty(c.qty);
    if (r) return r;
    const tif: TimeInForce = c.tif ?? 'GTC';
    if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') return bad('tif', 'tif must be GTC, IOC or FOK');
    const postOnly = c.postOnly ?? false;
    if (typeof postOnly !== 'boolean') return bad('postOnly', 'postOnly must be a boolean');
    if (postOnly && tif !== 'GTC') return bad('postOnly', 'a post-only order must be GTC');
    const days = FORWARD_MARKETS[c.market];
    const book = this.books.get(c.market) as OrderBook;
    const plan = planFills(book, c.account, c.side, c.price, c.qty);
    const filled = plan.reduce((s, f) => s + f.qty, 0);
    if (postOnly && plan.length > 0) return new Rejection('post_only_would_cross', 'a post-only order would trade', 'price');
    const opp = c.side === 'buy' ? book.bestAsk() : book.bestBid();
    if (postOnly && opp !== undefined && (c.side === 'buy' ? opp <= c.price : opp >= c.price)) {
      return new Rejection('post_only_would_cross', 'a post-only order would trade', 'price');
    }
    if (tif === 'FOK' && filled < c.qty) return new Rejection('fok_not_fillable', 'not enough resting quantity to fill the whole order', 'qty');
    const rest = tif === 'GTC' ? c.qty - filled : 0;
    const need = takerNeed(c.side, plan, days) + (rest > 0 ? escrowFor(c.side, rest, c.price, days) : 0n);
    const free = ctx.available(userAccount(c.account));
    if (need > free) {
      return new Rejection('insufficient_balance',
        `${c.side === 'sell' ? 'collateral (110 % of contract value)' : 'upfront payment and fees'} needs ${need} msat, ${free} msat free`, 'qty');
    }
    const done = this.executeOrder(c.account, c.market, c.side, c.price, c.qty, tif, postOnly, ctx.chain.height + 1, null, ctx, out);
    return done instanceof Rejection ? done : undefined;
  }

  /**
   * Submits a validated, funded order and books its fills as contracts. Returns the contracts opened, or the
   * book's refusal (then nothing changed: a refused submit leaves the book as it was).
   */
  private executeOrder(
    account: string, market: string, side: Side, price: number, qty: number, tif: TimeInForce, postOnly: boolean,
    startHeight: number, rolledFrom: number | null, ctx: ProductContext, out: EngineEvent[],
  ): number[] | Rejection {
    const days = FORWARD_MARKETS[market];
    const book = this.books.get(market) as OrderBook;
    const id = this.nextOrderId;
    const res = book.submit({ id, account, side, price, qty, tif, postOnly });
    if (!res.accepted) {
      // The checks before mirror the book's rules; what is left is the book's own size bound on a side.
      if (res.rejectReason === 'post_only_would_cross' || res.rejectReason === 'fok_not_fillable') return new Rejection(res.rejectReason, 'refused by the book', 'qty');
      return bad(res.invalidField ?? 'qty', `refused by the book (${res.rejectReason ?? 'invalid'})`);
    }
    this.nextOrderId++;
    out.push({ type: 'ForwardOrderAccepted', orderId: id, account, market, side, price, qty, tif, postOnly });
    for (const e of res.expired) this.closeOrder(e.id, e.qty, 'self_trade', ctx, out);
    const opened: number[] = [];
    for (const f of res.fills) opened.push(this.bookFill(f, market, days, startHeight, rolledFrom, ctx, out));
    if (res.restingQty > 0) {
      const locked = escrowFor(side, res.restingQty, price, days);
      ctx.ledger.transfer(userAccount(account), orderEscrow(id), locked, 'fwd_order_lock', out);
      this.orders.set(id, { id, account, market, side, price });
      out.push({ type: 'ForwardOrderResting', orderId: id, account, market, side, price, qty: res.restingQty, lockedMsat: locked });
    } else {
      out.push({
        type: 'ForwardOrderClosed', orderId: id, account, market, remainingQty: res.cancelledQty,
        reason: res.cancelledQty > 0 ? 'ioc_remainder' : 'filled', releasedMsat: 0n,
      });
    }
    return opened;
  }

  private bookFill(
    f: Fill, market: string, days: number, startHeight: number, rolledFrom: number | null, ctx: ProductContext, out: EngineEvent[],
  ): number {
    const makerSell = f.takerSide === 'buy';
    const miner = makerSell ? f.makerAccount : f.takerAccount;
    const investor = makerSell ? f.takerAccount : f.makerAccount;
    const value = contractValueMsat({ qtyLots: f.qty, priceSatPerPHDay: f.price, days });
    const collateral = collateralOfValue(value);
    const fee = takerFeeOfValue(value);
    const cid = this.nextContractId++;
    const minerSrc = makerSell ? orderEscrow(f.makerId) : userAccount(miner);
    const investorSrc = makerSell ? userAccount(investor) : orderEscrow(f.makerId);
    const L = ctx.ledger;
    if (makerSell && L.balance(minerSrc) < collateral) throw new Error(`forward: escrow of order ${f.makerId} short`);
    if (!makerSell && L.balance(investorSrc) < value) throw new Error(`forward: escrow of order ${f.makerId} short`);
    L.transfer(minerSrc, contractCollateral(cid), collateral, 'fwd_collateral_lock', out);
    if (makerSell) {
      // the investor took: pays value + fee from the free balance
      L.transfer(investorSrc, userAccount(miner), value, 'fwd_upfront', out);
      L.transfer(investorSrc, FEES, fee, 'taker_fee', out);
    } else {
      // the miner took: receives value − fee out of the bid's escrow
      L.transfer(investorSrc, userAccount(miner), value - fee, 'fwd_upfront', out);
      L.transfer(investorSrc, FEES, fee, 'taker_fee', out);
    }
    out.push({
      type: 'ForwardFilled', market, contractId: cid, price: f.price, qty: f.qty, takerSide: f.takerSide,
      makerOrderId: f.makerId, takerOrderId: f.takerId, maker: f.makerAccount, taker: f.takerAccount, takerFeeMsat: fee,
    });
    this.openContract(cid, market, days, miner, investor, f.qty, f.price, value, collateral, startHeight, rolledFrom, out);
    if (f.makerRemaining === 0) this.closeOrder(f.makerId, 0, 'filled', ctx, out);
    return cid;
  }

  private openContract(
    id: number, market: string, days: number, miner: string, investor: string, qtyLots: number, price: number,
    valueMsat: bigint, collateralMsat: bigint, startHeight: number, rolledFrom: number | null, out: EngineEvent[],
  ): void {
    const c: ForwardContract = {
      id, market, days, miner, investor, qtyLots, price, valueMsat, collateralMsat, releasedMsat: 0n, startHeight,
      nextDay: 0, daySum: 0n, dayBlocks: 0, history: [], awaiting: [], status: 'open', rolledFrom, rolledInto: [],
    };
    this.contracts.set(id, c);
    this.open.add(id);
    const ev: EngineEvent = {
      type: 'ForwardContractOpened', contractId: id, market, miner, investor, qtyLots, price, days, startHeight,
      endHeight: endHeightOf(c), valueMsat, collateralMsat,
    };
    if (rolledFrom !== null) ev.rolledFrom = rolledFrom;
    out.push(ev);
  }

  /** Removes an order that left the book (filled, cancelled, expired) and returns its escrow's rest. */
  private closeOrder(id: number, remainingQty: number, reason: 'filled' | 'user' | 'self_trade', ctx: ProductContext, out: EngineEvent[]): void {
    const meta = this.orders.get(id);
    if (meta === undefined) throw new Error(`forward: order ${id} has no meta`);
    this.orders.delete(id);
    const released = ctx.ledger.balance(orderEscrow(id));
    ctx.ledger.transfer(orderEscrow(id), userAccount(meta.account), released, 'fwd_order_release', out);
    out.push({ type: 'ForwardOrderClosed', orderId: id, account: meta.account, market: meta.market, remainingQty, reason, releasedMsat: released });
  }

  private cancelOrder(c: ForwardCancelOrderCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const r = checkAccount(c.account) ?? this.checkMarket(c.market);
    if (r) return r;
    if (!isSafeInt(c.orderId)) return bad('orderId', 'orderId must be an integer');
    const meta = this.orders.get(c.orderId);
    if (meta === undefined || meta.market !== c.market) return new Rejection('unknown_order', `no resting order ${c.orderId} on ${c.market}`, 'orderId');
    if (meta.account !== c.account) return new Rejection('not_owner', 'the order belongs to another account', 'orderId');
    const gone = (this.books.get(c.market) as OrderBook).cancel(c.orderId) as RestingOrder;
    this.closeOrder(c.orderId, gone.qty, 'user', ctx, out);
    return undefined;
  }

  private setAutoDelivery(c: ForwardSetAutoDeliveryCommand, out: EngineEvent[]): Rejection | undefined {
    const r = checkAccount(c.account);
    if (r) return r;
    if (typeof c.enabled !== 'boolean') return bad('enabled', 'enabled must be a boolean');
    if (c.enabled) this.autoDelivery.add(c.account);
    else this.autoDelivery.delete(c.account);
    out.push({ type: 'ForwardAutoDeliverySet', account: c.account, enabled: c.enabled });
    return undefined;
  }

  private deliveryReport(c: ForwardDeliveryReportCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const r = checkAccount(c.account);
    if (r) return r;
    if (!isSafeInt(c.contractId)) return bad('contractId', 'contractId must be an integer');
    if (typeof c.receivedMsat !== 'string' || !MSAT_RE.test(c.receivedMsat)) return bad('receivedMsat', 'receivedMsat must be a decimal string of msat');
    const k = this.contracts.get(c.contractId);
    if (k === undefined) return new Rejection('unknown_contract', `no forward contract ${c.contractId}`, 'contractId');
    if (k.investor !== c.account) return new Rejection('not_owner', 'only the contract\'s investor reports deliveries', 'account');
    if (!isSafeInt(c.day) || c.day < 0 || c.day >= k.days) return bad('day', `day must be an integer in [0, ${k.days})`);
    const rec = k.history[c.day];
    if (rec === undefined) return new Rejection('too_early', `day ${c.day} has not ended`, 'day');
    if (rec.status !== 'awaiting') return new Rejection('already_settled', `day ${c.day} is already settled`, 'day');
    const delivered = minBig(BigInt(c.receivedMsat), rec.obligationMsat);
    this.settleDay(k, rec, delivered, 'report', ctx, out);
    this.maybeClose(k, out);
    return undefined;
  }

  private rollover(c: ForwardRolloverCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const r = checkAccount(c.account) ?? this.checkMarket(c.market) ?? checkPrice(c.price);
    if (r) return r;
    if (!isSafeInt(c.contractId)) return bad('contractId', 'contractId must be an integer');
    if (c.with !== 'book' && c.with !== 'counterparty') return bad('with', 'with must be "book" or "counterparty"');
    const old = this.contracts.get(c.contractId);
    if (old === undefined) return new Rejection('unknown_contract', `no forward contract ${c.contractId}`, 'contractId');
    if (old.miner !== c.account) return new Rejection('not_owner', 'only the contract\'s miner rolls it', 'account');
    if (old.status === 'closed') return new Rejection('already_settled', 'the contract is closed', 'contractId');
    if (old.rolledInto.length > 0) return new Rejection('not_allowed', 'the contract was already rolled', 'contractId');
    const finalDayStart = old.startHeight + DAY_BLOCKS * (old.days - 1);
    if (ctx.chain.height < finalDayStart) return new Rejection('too_early', `a contract can be rolled from its final day (height ${finalDayStart})`, 'contractId');
    const qty = c.qty ?? old.qtyLots;
    const q = checkQty(qty);
    if (q) return q;
    const days = FORWARD_MARKETS[c.market];
    const start = Math.max(endHeightOf(old), ctx.chain.height + 1);
    const free = ctx.available(userAccount(c.account));
    let opened: number[];
    if (c.with === 'book') {
      const book = this.books.get(c.market) as OrderBook;
      const plan = planFills(book, c.account, 'sell', c.price, qty);
      if (plan.reduce((s, f) => s + f.qty, 0) < qty) return new Rejection('fok_not_fillable', 'resting bids cannot fill the whole rollover', 'qty');
      const need = takerNeed('sell', plan, days);
      if (need > free) return new Rejection('insufficient_balance', `collateral needs ${need} msat, ${free} msat free`, 'qty');
      const done = this.executeOrder(c.account, c.market, 'sell', c.price, qty, 'FOK', false, start, old.id, ctx, out);
      if (done instanceof Rejection) return done;
      opened = done;
    } else {
      if (c.investorSigned !== true) return new Rejection('not_allowed', 'a rollover with the same counterparty needs the investor\'s signature', 'investorSigned');
      const value = contractValueMsat({ qtyLots: qty, priceSatPerPHDay: c.price, days });
      const collateral = collateralOfValue(value);
      const fee = takerFeeOfValue(value);
      if (collateral > free) return new Rejection('insufficient_balance', `collateral needs ${collateral} msat, ${free} msat free`, 'qty');
      const invFree = ctx.available(userAccount(old.investor));
      if (value > invFree) return new Rejection('insufficient_balance', `the investor needs ${value} msat free, has ${invFree}`, 'price');
      const cid = this.nextContractId++;
      ctx.ledger.transfer(userAccount(old.miner), contractCollateral(cid), collateral, 'fwd_collateral_lock', out);
      ctx.ledger.transfer(userAccount(old.investor), userAccount(old.miner), value, 'fwd_upfront', out);
      ctx.ledger.transfer(userAccount(old.miner), FEES, fee, 'taker_fee', out);
      this.openContract(cid, c.market, days, old.miner, old.investor, qty, c.price, value, collateral, start, old.id, out);
      opened = [cid];
    }
    for (const id of opened) {
      old.rolledInto.push(id);
      out.push({ type: 'ForwardRolledOver', account: c.account, fromContractId: old.id, toContractId: id, with: c.with });
    }
    return undefined;
  }

  // ───────────────────────────── blocks ─────────────────────────────

  onBlock(ctx: ProductContext, out: EngineEvent[]): void {
    const h = ctx.chain.height;
    const index = ctx.chain.index;
    if (index === undefined) return;
    for (const id of this.open) {
      const k = this.contracts.get(id) as ForwardContract;
      if (h >= k.startHeight) {
        // Heights that jumped past a day's end: end that day on what was seen.
        while (k.nextDay < k.days && h >= k.startHeight + DAY_BLOCKS * (k.nextDay + 1)) this.endDay(k, index, ctx, out);
        if (k.nextDay < k.days) {
          k.daySum += BigInt(index);
          k.dayBlocks++;
          if (h === k.startHeight + DAY_BLOCKS * (k.nextDay + 1) - 1) this.endDay(k, index, ctx, out);
        }
      }
      while (k.awaiting.length > 0 && h >= k.history[k.awaiting[0]].endHeight + REPORT_GRACE_BLOCKS) {
        this.settleDay(k, k.history[k.awaiting[0]], 0n, 'deadline', ctx, out);
      }
      this.maybeClose(k, out);
    }
  }

  private endDay(k: ForwardContract, fallbackIndex: number, ctx: ProductContext, out: EngineEvent[]): void {
    const mean = k.dayBlocks > 0 ? Number(k.daySum / BigInt(k.dayBlocks)) : fallbackIndex;
    const day = k.nextDay;
    const rec: DayRecord = {
      day, endHeight: k.startHeight + DAY_BLOCKS * (day + 1) - 1, meanIndex: mean, obligationMsat: dailyRewardsMsat(k.qtyLots, mean),
      deliveredMsat: 0n, feeMsat: 0n, toMinerMsat: 0n, toInvestorMsat: 0n, status: 'awaiting', via: null,
    };
    k.history.push(rec);
    k.nextDay++;
    k.daySum = 0n;
    k.dayBlocks = 0;
    if (this.autoDelivery.has(k.miner)) {
      const delivered = minBig(rec.obligationMsat, ctx.available(userAccount(k.miner)));
      this.settleDay(k, rec, delivered, 'cash', ctx, out);
    } else {
      k.awaiting.push(day);
      out.push({
        type: 'ForwardDayAwaitingReport', contractId: k.id, day, meanIndex: mean, obligationMsat: rec.obligationMsat,
        deadlineHeight: rec.endHeight + REPORT_GRACE_BLOCKS,
      });
    }
  }

  private settleDay(k: ForwardContract, rec: DayRecord, delivered: bigint, via: 'cash' | 'report' | 'deadline', ctx: ProductContext, out: EngineEvent[]): void {
    const L = ctx.ledger;
    const miner = userAccount(k.miner);
    const investor = userAccount(k.investor);
    let fee = deliveryFeeOf(delivered);
    if (via === 'cash') {
      L.transfer(miner, investor, delivered - fee, 'fwd_delivery', out);
      L.transfer(miner, FEES, fee, 'fwd_delivery_fee', out);
    } else if (via === 'report') {
      fee = minBig(fee, ctx.available(investor));
      L.transfer(investor, FEES, fee, 'fwd_delivery_fee', out);
    }
    const tranche = collateralTranche(k.collateralMsat, k.days, rec.day);
    const toMiner = rec.obligationMsat === 0n ? tranche : (tranche * delivered) / rec.obligationMsat;
    const toInvestor = tranche - toMiner;
    L.transfer(contractCollateral(k.id), miner, toMiner, 'fwd_collateral_release', out);
    L.transfer(contractCollateral(k.id), investor, toInvestor, 'fwd_collateral_release', out);
    k.releasedMsat += tranche;
    rec.deliveredMsat = delivered;
    rec.feeMsat = fee;
    rec.toMinerMsat = toMiner;
    rec.toInvestorMsat = toInvestor;
    rec.via = via;
    if (k.awaiting.includes(rec.day)) k.awaiting = k.awaiting.filter((d) => d !== rec.day);
    const full = delivered >= rec.obligationMsat;
    rec.status = full ? 'delivered' : delivered > 0n ? 'partial' : 'missed';
    if (rec.status === 'missed') {
      out.push({ type: 'ForwardDayMissed', contractId: k.id, day: rec.day, meanIndex: rec.meanIndex, obligationMsat: rec.obligationMsat, via });
    } else {
      out.push({
        type: 'ForwardDayDelivered', contractId: k.id, day: rec.day, meanIndex: rec.meanIndex, obligationMsat: rec.obligationMsat,
        deliveredMsat: delivered, feeMsat: fee, via: via === 'cash' ? 'cash' : 'report',
      });
    }
    out.push({
      type: 'ForwardCollateralReleased', contractId: k.id, day: rec.day, toMinerMsat: toMiner, toInvestorMsat: toInvestor,
      remainingMsat: k.collateralMsat - k.releasedMsat,
    });
  }

  private maybeClose(k: ForwardContract, out: EngineEvent[]): void {
    if (k.status !== 'open' || k.nextDay < k.days || k.awaiting.length > 0) return;
    k.status = 'closed';
    this.open.delete(k.id);
    const count = (s: DayStatus): number => k.history.filter((d) => d.status === s).length;
    const ev: EngineEvent = {
      type: 'ForwardContractClosed', contractId: k.id, deliveredDays: count('delivered'), partialDays: count('partial'),
      missedDays: count('missed'), deliveredMsat: k.history.reduce((s, d) => s + d.deliveredMsat, 0n),
    };
    if (k.rolledInto.length > 0) ev.rolledInto = k.rolledInto[0];
    out.push(ev);
  }

  // ───────────────────────────── positions (swap offers) ─────────────────────────────

  transferPosition(positionId: string, from: string, to: string, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    void ctx;
    const p = parsePositionId(positionId);
    if (p === undefined) return new Rejection('unknown_position', `not a forward position: ${String(positionId)}`, 'positionId');
    const k = this.contracts.get(p.contractId);
    if (k === undefined) return new Rejection('unknown_position', `no forward contract ${p.contractId}`, 'positionId');
    if (typeof from !== 'string' || typeof to !== 'string') return bad('to', 'from and to must be accounts');
    const src = bareAccount(from);
    const dst = bareAccount(to);
    const r = checkAccount(dst);
    if (r) return new Rejection('invalid_argument', r.message, 'to');
    if (k.status === 'closed') return new Rejection('already_settled', `contract ${k.id} is closed`, 'positionId');
    const holder = p.side === 'miner' ? k.miner : k.investor;
    if (holder !== src) return new Rejection('not_owner', `${src} does not hold ${positionId}`, 'positionId');
    if (dst === src) return bad('to', 'the position already belongs to that account');
    const other = p.side === 'miner' ? k.investor : k.miner;
    if (dst === other) return new Rejection('not_allowed', 'an account cannot hold both sides of a contract', 'to');
    if (p.side === 'miner') k.miner = dst;
    else k.investor = dst;
    out.push({ type: 'ForwardPositionTransferred', contractId: k.id, side: p.side, from: src, to: dst });
    return undefined;
  }

  describePosition(positionId: string, owner: string): ForwardPositionView | undefined {
    const p = parsePositionId(positionId);
    const k = p === undefined ? undefined : this.contracts.get(p.contractId);
    if (p === undefined || k === undefined || typeof owner !== 'string') return undefined;
    if ((p.side === 'miner' ? k.miner : k.investor) !== bareAccount(owner)) return undefined;
    return positionView(k, p.side);
  }

  // ───────────────────────────── snapshot ─────────────────────────────

  snapshot(): unknown {
    // Books in market order (the map is built sorted), empty ones left out: snapshots run at every stateHash.
    const books = [...this.books.entries()].filter(([, b]) => b.size > 0)
      .map(([m, b]) => [m, b.restingOrders().map((o) => [o.id, o.account, o.side, o.price, o.qty])]);
    const contracts = this.allContracts().map((k) => ({
      ...k,
      valueMsat: k.valueMsat.toString(), collateralMsat: k.collateralMsat.toString(), releasedMsat: k.releasedMsat.toString(),
      daySum: k.daySum.toString(),
      history: k.history.map((d) => ({
        ...d, obligationMsat: d.obligationMsat.toString(), deliveredMsat: d.deliveredMsat.toString(), feeMsat: d.feeMsat.toString(),
        toMinerMsat: d.toMinerMsat.toString(), toInvestorMsat: d.toInvestorMsat.toString(),
      })),
    }));
    return { nextOrderId: this.nextOrderId, nextContractId: this.nextContractId, autoDelivery: [...this.autoDelivery].sort(), books, contracts };
  }

  restore(state: unknown): void {
    const s = state as ForwardSnapshot;
    this.nextOrderId = s.nextOrderId;
    this.nextContractId = s.nextContractId;
    this.autoDelivery = new Set(s.autoDelivery);
    this.orders = new Map();
    for (const [m, b] of this.books) if (b.size > 0) this.books.set(m, new OrderBook());
    for (const [market, orders] of s.books) {
      const book = this.books.get(market) as OrderBook;
      for (const [id, account, side, price, qty] of orders) {
        // Re-submitting in priority order as post-only rebuilds the same queues (a valid book never crosses).
        const r = book.submit({ id, account, side, price, qty, tif: 'GTC', postOnly: true });
        if (!r.accepted || r.restingQty !== qty) throw new Error(`forward snapshot: order ${id} does not rest`);
        this.orders.set(id, { id, account, market, side, price });
      }
    }
    this.contracts = new Map();
    this.open = new Set(s.contracts.filter((k) => k.status === 'open').map((k) => k.id).sort((a, b) => a - b));
    for (const k of s.contracts) {
      this.contracts.set(k.id, {
        ...k,
        valueMsat: BigInt(k.valueMsat), collateralMsat: BigInt(k.collateralMsat), releasedMsat: BigInt(k.releasedMsat), daySum: BigInt(k.daySum),
        rolledInto: [...k.rolledInto], awaiting: [...k.awaiting],
        history: k.history.map((d) => ({
          ...d, obligationMsat: BigInt(d.obligationMsat), deliveredMsat: BigInt(d.deliveredMsat), feeMsat: BigInt(d.feeMsat),
          toMinerMsat: BigInt(d.toMinerMsat), toInvestorMsat: BigInt(d.toInvestorMsat),
        })),
      });
    }
  }

  private checkMarket(m: unknown): Rejection | undefined {
    if (typeof m !== 'string' || !this.books.has(m)) return new Rejection('unknown_market', `unknown forward market ${String(m)} (FWD-30D, FWD-90D, FWD-180D, FWD-365D)`, 'market');
    return undefined;
  }
}

type Stringified<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };
interface ForwardSnapshot {
  nextOrderId: number;
  nextContractId: number;
  autoDelivery: string[];
  books: [string, [number, string, Side, number, number][]][];
  contracts: (Omit<Stringified<ForwardContract>, 'history'> & { history: Stringified<DayRecord>[] })[];
}

/** A forward position as swap offers and the portfolio show it. */
export interface ForwardPositionView {
  product: 'forward';
  positionId: string;
  contractId: number;
  side: 'miner' | 'investor';
  holder: string;
  counterparty: string;
  market: string;
  qtyLots: number;
  price: number;
  days: number;
  startHeight: number;
  endHeight: number;
  daysSettled: number;
  daysAwaitingReport: number;
  valueMsat: bigint;
  collateralMsat: bigint;
  collateralRemainingMsat: bigint;
  deliveredMsat: bigint;
  status: 'open' | 'closed';
}

export function positionView(k: ForwardContract, side: 'miner' | 'investor'): ForwardPositionView {
  return {
    product: 'forward', positionId: `c${k.id}:${side}`, contractId: k.id, side,
    holder: side === 'miner' ? k.miner : k.investor, counterparty: side === 'miner' ? k.investor : k.miner,
    market: k.market, qtyLots: k.qtyLots, price: k.price, days: k.days, startHeight: k.startHeight, endHeight: endHeightOf(k),
    daysSettled: k.history.filter((d) => d.status !== 'awaiting').length,
    daysAwaitingReport: k.history.filter((d) => d.status === 'awaiting').length,
    valueMsat: k.valueMsat, collateralMsat: k.collateralMsat, collateralRemainingMsat: k.collateralMsat - k.releasedMsat,
    deliveredMsat: k.history.reduce((s, d) => s + d.deliveredMsat, 0n), status: k.status,
  };
}

export function parsePositionId(id: unknown): { contractId: number; side: 'miner' | 'investor' } | undefined {
  if (typeof id !== 'string') return undefined;
  const m = /^c([1-9][0-9]{0,14}):(miner|investor)$/.exec(id);
  return m === null ? undefined : { contractId: Number(m[1]), side: m[2] as 'miner' | 'investor' };
}

/** The fills `submit` would make, without touching the book: own orders are skipped (STP expires them). */
function planFills(book: OrderBook, account: string, side: Side, limit: number, qty: number): PlannedFill[] {
  const plan: PlannedFill[] = [];
  let left = qty;
  for (const o of book.restingOrders()) {
    if (left === 0) break;
    if (o.side === side) continue;
    if (side === 'buy' ? o.price > limit : o.price < limit) break;
    if (o.account === account) continue;
    const q = Math.min(left, o.qty);
    plan.push({ maker: o, qty: q, price: o.price });
    left -= q;
  }
  return plan;
}

/** What a taker needs free for its planned fills: collateral (miner) or value + taker fee (investor). */
function takerNeed(side: Side, plan: PlannedFill[], days: number): bigint {
  let need = 0n;
  for (const f of plan) {
    const value = contractValueMsat({ qtyLots: f.qty, priceSatPerPHDay: f.price, days });
    need += side === 'sell' ? collateralOfValue(value) : value + takerFeeOfValue(value);
  }
  return need;
}

function checkAccount(a: unknown): Rejection | undefined {
  if (typeof a !== 'string' || !ACCOUNT_RE.test(a)) return bad('account', 'account must be 1..128 characters of [A-Za-z0-9_.-]');
  return undefined;
}
function checkSide(s: unknown): Rejection | undefined {
  return s === 'buy' || s === 'sell' ? undefined : bad('side', 'side must be "buy" (investor) or "sell" (miner)');
}
function checkPrice(p: unknown): Rejection | undefined {
  if (!isSafeInt(p) || p < 1 || p > MAX_FORWARD_PRICE) return bad('price', `price must be an integer in [1, ${MAX_FORWARD_PRICE}] sat/PH/day`);
  return undefined;
}
function checkQty(q: unknown): Rejection | undefined {
  if (!isSafeInt(q) || q < MIN_ORDER_LOTS || q > 1e12) return bad('qty', `qty must be an integer number of lots (0.0001 TH/s), at least ${MIN_ORDER_LOTS} (1 TH/s)`);
  return undefined;
}

export function createForwardModule(): ForwardModule {
  return new ForwardModule();
}
