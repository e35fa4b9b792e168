// The exchange engine: a pure, deterministic state machine over the ledger, the books and the perp rules.
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
import { createHash } from 'node:crypto';
import { OrderBook } from './book/order-book.js';
import type { Fill, RestingOrder, Side, SubmitResult, TimeInForce } from './book/types.js';
import type { AmendOrderCommand, BlockConnectedCommand, CancelAllCommand, CancelOrderCommand, Command, DepositCommand,
  FundSystemCommand, PlaceOrderCommand, WithdrawCommand } from './commands.js';
import type { CancelReason, EngineEvent, OrderAccepted, RejectReason } from './events.js';
import * as ledgerModule from './ledger/ledger.js';
import { Ledger } from './ledger/ledger.js';
import * as math from './math.js';
import { averagePremium, basisPpm, emaStep, fairPrice, fundingRate8hPpm, markPrice, premiumPpm } from './products/perp/pricing.js';
import { HPI_PERP, normalizeSpec, type PerpSpec } from './products/perp/spec.js';
import type { StateMachine } from './state-machine.js';
import { Rejection } from './rejection.js';
import type { ProductContext, ProductModule } from './products/product.js';
import { productFactories } from './products/registry.js';

// Bound once: under module loaders that wrap exports in getters (tsx), every access to an imported
// binding costs a call, which shows up at a million commands per second.
const { absBig, ceilDiv, ceilPpm, ceilPpmOf, floorPpm, maxBig, minBig, mulBig } = math;
const { FEES, INSURANCE, VAULT, WORLD, settleAccount, userAccount } = ledgerModule;
const PPM = 1_000_000n;
const SAT = 1000n;
const MAX_SAT = 2_100_000_000_000_000; // 21 M BTC
/**
 * Largest price or index (sat/PH/day). The pricing rules multiply two prices' sum by 10^6 in doubles
 * ((bid + ask) × 10^6 ≤ 8e15 < 2^53). 4e9 admits every index since mid-2014 (height ~310,000), so the
 * 2014 header segment can be replayed, and is ~80 000× today's hashprice.
 */
export const MAX_PRICE = 4_000_000_000;

export interface Position {
  qty: number;
  /** Σ signed lots × price (msat) since the last settlement (settlement resets it to qty × mark). */
  cost: bigint;
  /** |entry notional| msat of the open position (display, ADL ranking); not used for money. */
  entryCost: bigint;
  /** Σ remaining lots × price of resting buy / sell orders (msat), for initial margin. */
  buyOpen: bigint;
  sellOpen: bigint;
  /** Ids of the resting reduce-only orders (few), so trims never walk an account's whole order list. */
  reduceOnlyIds: Set<number> | undefined;
}

export interface OrderMeta {
  id: number; owner: string; market: string; side: Side; price: number; qty: number; reduceOnly: boolean;
  clientOrderId?: string;
}

export interface MarketState {
  spec: PerpSpec;
  book: OrderBook;
  index: number | undefined;
  basisEmaPpm: number;
  premiums: number[];
  rate8hPpm: number;
  positions: Map<string, Position>;
  orders: Map<number, OrderMeta>;
  /** The spec's rates as bigint, converted once (the spec never changes after construction). */
  rates: MarketRates;
  /** positions' owners in name order, cached between blocks; reset whenever an owner is added or removed. */
  sortedOwners: string[] | undefined;
}

export interface MarketRates { initialMarginPpm: bigint; maintenanceMarginPpm: bigint; takerFeePpm: bigint; makerFeePpm: bigint; liquidationFeePpm: bigint }

function ratesOf(spec: PerpSpec): MarketRates {
  return {
    initialMarginPpm: BigInt(spec.initialMarginPpm), maintenanceMarginPpm: BigInt(spec.maintenanceMarginPpm),
    takerFeePpm: BigInt(spec.takerFeePpm), makerFeePpm: BigInt(spec.makerFeePpm), liquidationFeePpm: BigInt(spec.liquidationFeePpm),
  };
}

/** Markets by id; a partial spec takes HPI-PERP's defaults for the missing fields. */
export interface ExchangeConfig { markets?: (Partial<PerpSpec> & { id: string })[] }


const ACCOUNT_RE = /^[A-Za-z0-9_.\-]{1,128}$/;
const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// The most frequent refusal (cancels of orders that already filled), shared: a Rejection is immutable.
const UNKNOWN_ORDER_BY_ID = Object.freeze(new Rejection('unknown_order', 'no such live order for this account', 'orderId'));
const UNKNOWN_ORDER_BY_CLIENT_ID = Object.freeze(new Rejection('unknown_order', 'no such live order for this account', 'clientOrderId'));
/** Read-only stand-in for an owner with no position in a market (never mutated, never stored). */
const NO_POSITION: Position = Object.freeze({ qty: 0, cost: 0n, entryCost: 0n, buyOpen: 0n, sellOpen: 0n, reduceOnlyIds: undefined }) as Position;

export class Exchange implements StateMachine<Command, EngineEvent> {
  readonly ledger: Ledger;
  readonly markets = new Map<string, MarketState>();
  /** owner → clientOrderId → live order id (nested, so no key string is built per lookup). */
  private readonly clientIds = new Map<string, Map<string, number>>();
  /** The markets in the Map's order, for index loops on the hot path. */
  private readonly marketList: MarketState[];
  private chainHeight = -1;
  private chainHash = '';
  private chainTime = 0;
  private chainMtp = 0;
  private lastIndex: number | undefined = undefined;
  /** Products besides the perp, in registry order; `productByCommand` routes their commands. */
  readonly products: ProductModule[] = productFactories.map((f) => f());
  private readonly productByCommand = new Map<string, ProductModule>();

  constructor(config: ExchangeConfig = {}, ledger = new Ledger()) {
    this.ledger = ledger;
    for (const p of this.products) {
      for (const t of p.commandTypes) {
        if (this.productByCommand.has(t)) throw new Error(`command type ${t} claimed by two products`);
        this.productByCommand.set(t, p);
      }
    }
    const specs = (config.markets ?? [HPI_PERP]).map(normalizeSpec).sort((a, b) => cmp(a.id, b.id));
    for (const spec of specs) {
      this.markets.set(spec.id, {
        spec, book: new OrderBook(), index: undefined, basisEmaPpm: 0, premiums: [], rate8hPpm: 0,
        positions: new Map(), orders: new Map(), rates: ratesOf(spec), sortedOwners: undefined,
      });
    }
    this.marketList = [...this.markets.values()];
  }

  // ───────────────────────────── StateMachine ─────────────────────────────

  apply(command: Command, seq: number): EngineEvent[] {
    const out: EngineEvent[] = [];
    let r: Rejection | undefined;
    switch (command?.type) {
      case 'Deposit': r = this.deposit(command, out); break;
      case 'Withdraw': r = this.withdraw(command, out); break;
      case 'FundSystem': r = this.fundSystem(command, out); break;
      case 'PlaceOrder': r = this.placeOrder(command, seq, out); break;
      case 'CancelOrder': r = this.cancelOrder(command, out); break;
      case 'AmendOrder': r = this.amendOrder(command, out); break;
      case 'CancelAll': r = this.cancelAll(command, out); break;
      case 'BlockConnected': r = this.blockConnected(command, seq, out); break;
      default: {
        const kind = kindOf(command);
        const product = this.productByCommand.get(kind);
        r = product ? product.apply(command as { type: string }, this.productContext(seq), out)
          : new Rejection('invalid_argument', `unknown command type ${kind}`, 'type');
      }
    }
    if (r === undefined) return out;
    if (command?.type === 'PlaceOrder' || command?.type === 'AmendOrder' || command?.type === 'CancelOrder') {
      const ev: EngineEvent = {
        type: 'OrderRejected', seq, account: String(command.account), market: String(command.market), reason: r.reason, message: r.message,
      };
      if (r.field !== undefined) ev.field = r.field;
      if (typeof command.clientOrderId === 'string') ev.clientOrderId = command.clientOrderId;
      return [ev];
    }
    const ev: EngineEvent = { type: 'CommandRejected', seq, command: kindOf(command), reason: r.reason, message: r.message };
    if (r.field !== undefined) ev.field = r.field;
    return [ev];
  }

  snapshot(): string {
    const markets = [...this.markets.values()].map((m) => ({
      spec: m.spec,
      index: m.index ?? null,
      basisEmaPpm: m.basisEmaPpm,
      premiums: m.premiums,
      rate8hPpm: m.rate8hPpm,
      positions: [...m.positions.entries()].filter(([, p]) => p.qty !== 0 || p.cost !== 0n || p.entryCost !== 0n)
        .sort(([a], [b]) => cmp(a, b)).map(([o, p]) => [o, p.qty, p.cost.toString(), p.entryCost.toString()]),
      orders: m.book.restingOrders().map((r) => {
        const meta = m.orders.get(r.id) as OrderMeta;
        return [r.id, r.account, r.side, r.price, r.qty, meta.reduceOnly, meta.clientOrderId ?? null];
      }),
    }));
    return JSON.stringify({
      v: 1,
      chain: { height: this.chainHeight, hash: this.chainHash, time: this.chainTime, mtp: this.chainMtp, index: this.lastIndex ?? null },
      ledger: this.ledger.entries().map(([k, v]) => [k, v.toString()]),
      markets,
      products: this.products.map((p) => [p.name, p.snapshot()]),
    });
  }

  stateHash(): string {
    return createHash('sha256').update(this.snapshot()).digest('hex');
  }

  static restore(snapshot: string): Exchange {
    const s = JSON.parse(snapshot) as {
      v: number; chain: { height: number; hash: string; time?: number; mtp?: number; index?: number | null }; ledger: [string, string][];
      products?: [string, unknown][];
      markets: { spec: PerpSpec; index: number | null; basisEmaPpm: number; premiums: number[]; rate8hPpm: number;
        positions: [string, number, string, string][]; orders: [number, string, Side, number, number, boolean, string | null][] }[];
    };
    if (s.v !== 1) throw new Error(`unsupported snapshot version ${s.v}`);
    const ex = new Exchange({ markets: s.markets.map((m) => m.spec) },
      Ledger.fromEntries(s.ledger.map(([k, v]) => [k, BigInt(v)])));
    ex.chainHeight = s.chain.height;
    ex.chainHash = s.chain.hash;
    ex.chainTime = s.chain.time ?? 0;
    ex.chainMtp = s.chain.mtp ?? 0;
    ex.lastIndex = s.chain.index ?? undefined;
    const productStates = new Map(s.products ?? []);
    for (const p of ex.products) if (productStates.has(p.name)) p.restore(productStates.get(p.name));
    for (const sm of s.markets) {
      const m = ex.markets.get(sm.spec.id) as MarketState;
      m.index = sm.index ?? undefined;
      m.basisEmaPpm = sm.basisEmaPpm;
      m.premiums = [...sm.premiums];
      m.rate8hPpm = sm.rate8hPpm;
      for (const [o, qty, cost, entry] of sm.positions) {
        m.positions.set(o, { qty, cost: BigInt(cost), entryCost: BigInt(entry), buyOpen: 0n, sellOpen: 0n, reduceOnlyIds: undefined });
      }
      m.sortedOwners = undefined;
      for (const [id, owner, side, price, qty, reduceOnly, coid] of sm.orders) {
        // Re-submitting in priority order as post-only rebuilds the same queues (a valid book never crosses).
        const r = m.book.submit({ id, account: owner, side, price, qty, tif: 'GTC', postOnly: true });
        if (!r.accepted || r.restingQty !== qty) throw new Error(`snapshot: order ${id} does not rest`);
        const meta: OrderMeta = { id, owner, market: m.spec.id, side, price, qty, reduceOnly };
        if (coid !== null) meta.clientOrderId = coid;
        ex.addResting(m, meta);
      }
    }
    return ex;
  }

  // ───────────────────────────── read helpers ─────────────────────────────

  /** Mark price of a market now (undefined before the first index). */
  mark(m: MarketState): number | undefined {
    if (m.index === undefined) return undefined;
    return markPrice(m.index, m.basisEmaPpm, m.book.bestBid(), m.book.bestAsk());
  }

  market(id: string): MarketState | undefined {
    return this.markets.get(id);
  }

  /** Equity of a ledger owner (msat): balance + Σ (qty × mark − cost). */
  equity(owner: string): bigint {
    let e = this.ledger.balance(owner);
    for (const m of this.markets.values()) {
      const p = m.positions.get(owner);
      if (p === undefined) continue;
      const mk = this.mark(m) ?? 0;
      e += BigInt(p.qty) * BigInt(mk) - p.cost;
    }
    return e;
  }

  initialMargin(owner: string): bigint {
    let s = 0n;
    for (const m of this.markets.values()) {
      const p = m.positions.get(owner);
      if (p !== undefined) s += this.imOf(m, p.qty, p.buyOpen, p.sellOpen, BigInt(this.mark(m) ?? 0));
    }
    return s;
  }

  maintenanceMargin(owner: string): bigint {
    let s = 0n;
    for (const m of this.markets.values()) {
      const p = m.positions.get(owner);
      if (p !== undefined && p.qty !== 0) s += this.mmOf(m, p.qty, BigInt(this.mark(m) ?? 0));
    }
    return s;
  }

  /** Free collateral of a ledger owner: min(balance, equity − initial margin), not below zero. */
  available(owner: string): bigint {
    const free = minBig(this.ledger.balance(owner), this.equity(owner) - this.initialMargin(owner));
    return free > 0n ? free : 0n;
  }

  product<T extends ProductModule>(name: string): T | undefined {
    return this.products.find((p) => p.name === name) as T | undefined;
  }

  productContext(seq: number): ProductContext {
    const hooks = this.productHooks ??= this.makeProductHooks();
    return {
      seq,
      ledger: this.ledger,
      chain: { height: this.chainHeight, hash: this.chainHash, time: this.chainTime, mtp: this.chainMtp, index: this.lastIndex },
      available: hooks.available,
      equity: hooks.equity,
      product: hooks.product,
      perp: hooks.perp,
    };
  }

  /** The context's functions close over `this` only, so they are made once, not at every block. */
  private productHooks: Pick<ProductContext, 'available' | 'equity' | 'product' | 'perp'> | undefined;

  private makeProductHooks(): Pick<ProductContext, 'available' | 'equity' | 'product' | 'perp'> {
    return {
      available: (owner) => this.available(owner),
      equity: (owner) => this.equity(owner),
      product: (name) => this.product(name),
      perp: {
        position: (market, owner) => {
          const p = this.markets.get(market)?.positions.get(owner);
          return p === undefined || p.qty === 0 ? undefined : { market, owner, qty: p.qty, costMsat: p.cost };
        },
        mark: (market) => {
          const m = this.markets.get(market);
          return m === undefined ? undefined : this.mark(m);
        },
        movePosition: (market, from, to, qty, out) => {
          const m = this.markets.get(market);
          if (m === undefined) throw new Error(`movePosition: unknown market ${market}`);
          this.movePosition(m, from, to, qty, out);
        },
        markets: () => [...this.markets.keys()],
        checkTrade: (market, owner, side, qty, price, feeMsat) => {
          const m = this.markets.get(market);
          if (m === undefined) return new Rejection('unknown_market', `no market ${market}`, 'market');
          const mark = this.mark(m);
          if (mark === undefined) return new Rejection('market_not_ready', 'no index yet', 'market');
          return this.checkMargin(m, owner, m.positions.get(owner), side, qty, price, feeMsat, false, mark, undefined);
        },
        trade: (market, buyer, seller, qty, price, out) => {
          const m = this.markets.get(market);
          if (m === undefined) throw new Error(`trade: unknown market ${market}`);
          const n = mulBig(Math.abs(qty), price);
          this.applyFill(m, buyer, qty, price, n);
          this.applyFill(m, seller, -qty, price, n);
          for (const o of [buyer, seller]) {
            const p = m.positions.get(o) as Position;
            out.push({ type: 'PositionChanged', account: accountOf(o), market, qty: p.qty, costMsat: p.cost });
            this.enforceReduceOnly(m, o, out);
          }
          this.gc(m, buyer);
          this.gc(m, seller);
        },
      },
    };
  }

  chainTip(): { height: number; hash: string } {
    return { height: this.chainHeight, hash: this.chainHash };
  }

  /**
   * `user:<account>`, one string per account: every later Map lookup with it (positions, ledger, order ids)
   * then hits the cached hash and an identical key instead of hashing and comparing a fresh string.
   * Bounded, and invisible to behaviour: a cleared cache only rebuilds equal strings.
   */
  private ownerOf(account: string): string {
    let o = this.owners.get(account);
    if (o === undefined) {
      if (this.owners.size >= 65_536) this.owners.clear();
      o = userAccount(account);
      this.owners.set(account, o);
    }
    return o;
  }

  private readonly owners = new Map<string, string>();

  // ───────────────────────────── commands ─────────────────────────────

  private deposit(c: DepositCommand, out: EngineEvent[]): Rejection | undefined {
    const bad = checkAccount(c.account) ?? checkAmount(c.amountSat);
    if (bad) return bad;
    out.push({ type: 'Deposit', account: c.account, amountSat: c.amountSat });
    this.ledger.transfer(WORLD, this.ownerOf(c.account), BigInt(c.amountSat) * SAT, 'deposit', out);
    return undefined;
  }

  private fundSystem(c: FundSystemCommand, out: EngineEvent[]): Rejection | undefined {
    if (c.account !== 'insurance' && c.account !== 'vault') return new Rejection('invalid_argument', 'account must be insurance or vault', 'account');
    const bad = checkAmount(c.amountSat);
    if (bad) return bad;
    this.ledger.transfer(WORLD, c.account === 'vault' ? VAULT : INSURANCE, BigInt(c.amountSat) * SAT, 'system_funding', out);
    return undefined;
  }

  private withdraw(c: WithdrawCommand, out: EngineEvent[]): Rejection | undefined {
    const bad = checkAccount(c.account) ?? checkAmount(c.amountSat);
    if (bad) return bad;
    const owner = this.ownerOf(c.account);
    const amt = BigInt(c.amountSat) * SAT;
    if (this.ledger.balance(owner) < amt) return new Rejection('insufficient_balance', 'withdrawal exceeds the free balance', 'amountSat');
    if (this.equity(owner) - amt < this.initialMargin(owner)) {
      return new Rejection('insufficient_margin', 'withdrawal would leave equity below initial margin', 'amountSat');
    }
    out.push({ type: 'Withdrawal', account: c.account, amountSat: c.amountSat });
    this.ledger.transfer(owner, WORLD, amt, 'withdrawal', out);
    return undefined;
  }

  /** The market an order command names, once it exists and the account is well-formed (checked in that order). */
  private orderMarket(market: string, account: string): MarketState | Rejection {
    const m = this.markets.get(market);
    if (m === undefined) return new Rejection('unknown_market', `unknown market ${String(market)}`, 'market');
    return checkAccount(account) ?? m;
  }

  private placeOrder(c: PlaceOrderCommand, seq: number, out: EngineEvent[]): Rejection | undefined {
    const m = this.orderMarket(c.market, c.account);
    if (m instanceof Rejection) return m;
    if (c.side !== 'buy' && c.side !== 'sell') return new Rejection('invalid_argument', 'side must be buy or sell', 'side');
    if (c.orderType !== 'limit' && c.orderType !== 'market') return new Rejection('invalid_argument', 'orderType must be limit or market', 'orderType');
    if (!isSafeInt(c.qty) || c.qty <= 0) return new Rejection('invalid_argument', 'qty must be a positive integer number of lots', 'qty');
    if (c.qty > m.spec.maxQty) return new Rejection('invalid_argument', `qty above the maximum ${m.spec.maxQty}`, 'qty');
    if (c.tif !== 'GTC' && c.tif !== 'IOC' && c.tif !== 'FOK') return new Rejection('invalid_argument', 'tif must be GTC, IOC or FOK', 'tif');
    if (typeof c.postOnly !== 'boolean') return new Rejection('invalid_argument', 'postOnly must be a boolean', 'postOnly');
    if (typeof c.reduceOnly !== 'boolean') return new Rejection('invalid_argument', 'reduceOnly must be a boolean', 'reduceOnly');
    if (c.orderType === 'limit') {
      const pb = checkPrice(m, c.price);
      if (pb) return pb;
    } else if (c.price !== undefined) {
      return new Rejection('invalid_argument', 'a market order takes no price', 'price');
    }
    if (c.postOnly && (c.orderType !== 'limit' || c.tif !== 'GTC')) {
      return new Rejection('invalid_argument', 'post-only needs a GTC limit order', 'postOnly');
    }
    if (c.clientOrderId !== undefined && (typeof c.clientOrderId !== 'string' || c.clientOrderId.length === 0 || c.clientOrderId.length > 64)) {
      return new Rejection('invalid_argument', 'clientOrderId must be 1..64 characters', 'clientOrderId');
    }
    const owner = this.ownerOf(c.account);
    if (c.clientOrderId !== undefined && this.clientIds.get(owner)?.has(c.clientOrderId) === true) {
      return new Rejection('duplicate_client_order_id', 'an order with this clientOrderId is still live', 'clientOrderId');
    }
    const mark = this.mark(m);
    if (mark === undefined) return new Rejection('market_not_ready', 'no index yet (waiting for the first block)', 'market');
    const limit = c.orderType === 'limit' ? (c.price as number) : bandEdge(c.side, mark, m.spec.marketBandPpm, m.spec.tick);
    let qty = c.qty;
    if (c.reduceOnly) {
      const room = this.reducibleQty(m, owner, c.side, undefined);
      if (room <= 0) return new Rejection('reduce_only_would_increase', 'reduce-only order would open or increase a position', 'reduceOnly');
      qty = Math.min(qty, room);
    }
    const pos = m.positions.get(owner);
    const feeBound = c.postOnly ? 0n
      : ceilPpm(qty, c.side === 'buy' ? limit : Math.max(limit, m.book.bestBid() ?? limit), m.spec.takerFeePpm, m.rates.takerFeePpm);
    const r = this.checkMargin(m, owner, pos, c.side, qty, limit, feeBound, c.reduceOnly, mark, undefined);
    if (r) return r;

    const tif: TimeInForce = c.orderType === 'market' ? (c.tif === 'FOK' ? 'FOK' : 'IOC') : c.tif;
    const res = m.book.submit({ id: seq, account: owner, side: c.side, price: limit, qty, tif, postOnly: c.postOnly });
    if (!res.accepted) return bookRejection(res);
    // Built whole (not extended afterwards) so each object keeps one shape; key order is the events' JSON order.
    const coid = c.clientOrderId;
    const acc: OrderAccepted = coid === undefined
      ? { type: 'OrderAccepted', orderId: seq, account: c.account, market: m.spec.id, side: c.side, orderType: c.orderType,
        price: limit, qty, tif, postOnly: c.postOnly, reduceOnly: c.reduceOnly }
      : { type: 'OrderAccepted', orderId: seq, account: c.account, market: m.spec.id, side: c.side, orderType: c.orderType,
        price: limit, qty, tif, postOnly: c.postOnly, reduceOnly: c.reduceOnly, clientOrderId: coid };
    out.push(acc);
    const meta: OrderMeta = coid === undefined
      ? { id: seq, owner, market: m.spec.id, side: c.side, price: limit, qty, reduceOnly: c.reduceOnly }
      : { id: seq, owner, market: m.spec.id, side: c.side, price: limit, qty, reduceOnly: c.reduceOnly, clientOrderId: coid };
    this.processResult(m, meta, res, false, out);
    return undefined;
  }

  private findOrder(m: MarketState, owner: string, orderId: unknown, clientOrderId: unknown): OrderMeta | Rejection {
    let id: number | undefined;
    if (orderId !== undefined) {
      if (!isSafeInt(orderId)) return new Rejection('invalid_argument', 'orderId must be an integer', 'orderId');
      id = orderId;
    } else if (clientOrderId !== undefined) {
      if (typeof clientOrderId !== 'string') return new Rejection('invalid_argument', 'clientOrderId must be a string', 'clientOrderId');
      id = this.clientIds.get(owner)?.get(clientOrderId);
    } else {
      return new Rejection('invalid_argument', 'orderId or clientOrderId is required', 'orderId');
    }
    const meta = id === undefined ? undefined : m.orders.get(id);
    if (meta === undefined || meta.owner !== owner) return orderId !== undefined ? UNKNOWN_ORDER_BY_ID : UNKNOWN_ORDER_BY_CLIENT_ID;
    return meta;
  }

  private cancelOrder(c: CancelOrderCommand, out: EngineEvent[]): Rejection | undefined {
    const m = this.orderMarket(c.market, c.account);
    if (m instanceof Rejection) return m;
    const meta = this.findOrder(m, this.ownerOf(c.account), c.orderId, c.clientOrderId);
    if (meta instanceof Rejection) return meta;
    this.cancelResting(m, meta, 'user', out);
    return undefined;
  }

  private cancelAll(c: CancelAllCommand, out: EngineEvent[]): Rejection | undefined {
    const bad = checkAccount(c.account);
    if (bad) return bad;
    if (c.market !== undefined && !this.markets.has(c.market)) return new Rejection('unknown_market', `unknown market ${String(c.market)}`, 'market');
    const owner = this.ownerOf(c.account);
    for (const m of this.markets.values()) {
      if (c.market !== undefined && m.spec.id !== c.market) continue;
      this.cancelAllOf(m, owner, 'cancel_all', out);
    }
    return undefined;
  }

  private amendOrder(c: AmendOrderCommand, out: EngineEvent[]): Rejection | undefined {
    const m = this.orderMarket(c.market, c.account);
    if (m instanceof Rejection) return m;
    const owner = this.ownerOf(c.account);
    const meta = this.findOrder(m, owner, c.orderId, c.clientOrderId);
    if (meta instanceof Rejection) return meta;
    if (c.price === undefined && c.qty === undefined) return new Rejection('invalid_argument', 'price or qty is required', 'price');
    if (c.price !== undefined) {
      const pb = checkPrice(m, c.price);
      if (pb) return pb;
    }
    if (c.qty !== undefined && (!isSafeInt(c.qty) || c.qty <= 0 || c.qty > m.spec.maxQty)) {
      return new Rejection('invalid_argument', 'qty must be a positive integer number of lots', 'qty');
    }
    const price = c.price ?? meta.price;
    let qty = c.qty ?? meta.qty;
    if (meta.reduceOnly) {
      const room = this.reducibleQty(m, owner, meta.side, meta.id);
      if (room <= 0) return new Rejection('reduce_only_would_increase', 'reduce-only order would open or increase a position', 'reduceOnly');
      qty = Math.min(qty, room);
    }
    const inPlace = price === meta.price && qty <= meta.qty;
    if (!inPlace) {
      const mark = this.mark(m) as number;
      const feeBound = ceilPpm(qty, meta.side === 'buy' ? price : Math.max(price, m.book.bestBid() ?? price), m.spec.takerFeePpm, m.rates.takerFeePpm);
      const r = this.checkMargin(m, owner, m.positions.get(owner), meta.side, qty, price, feeBound, meta.reduceOnly, mark, meta);
      if (r) return r;
    }
    const ar = m.book.amend(meta.id, { price, qty });
    if (ar === undefined) throw new Error(`engine: order ${meta.id} missing from the book`);
    this.removeResting(m, meta);
    if (ar.result === undefined) {
      meta.qty = qty;
      this.addResting(m, meta);
      out.push({ type: 'OrderAmended', orderId: meta.id, account: accountOf(owner), market: m.spec.id, price, qty, requeued: false });
      return undefined;
    }
    out.push({ type: 'OrderAmended', orderId: meta.id, account: accountOf(owner), market: m.spec.id, price, qty, requeued: true });
    const fresh: OrderMeta = { ...meta, price, qty };
    this.processResult(m, fresh, ar.result, false, out);
    return undefined;
  }

  private blockConnected(c: BlockConnectedCommand, seq: number, out: EngineEvent[]): Rejection | undefined {
    if (!isSafeInt(c.height) || c.height < 0) return new Rejection('invalid_argument', 'height must be a non-negative integer', 'height');
    if (typeof c.hash !== 'string' || !/^[0-9a-f]{64}$/.test(c.hash)) return new Rejection('invalid_argument', 'hash must be 64 lowercase hex digits', 'hash');
    if (!isSafeInt(c.time) || c.time < 0) return new Rejection('invalid_argument', 'time must be a non-negative integer', 'time');
    if (!isSafeInt(c.mtp) || c.mtp < 0) return new Rejection('invalid_argument', 'mtp must be a non-negative integer', 'mtp');
    if (!isSafeInt(c.indexPrice) || c.indexPrice <= 0 || c.indexPrice > MAX_PRICE) {
      return new Rejection('invalid_argument', 'indexPrice must be a positive integer (sat/PH/day)', 'indexPrice');
    }
    if (c.height === this.chainHeight && c.hash === this.chainHash) return new Rejection('stale_block', 'block already connected', 'hash');
    this.chainHeight = c.height;
    this.chainHash = c.hash;
    this.chainTime = c.time;
    this.chainMtp = c.mtp;
    this.lastIndex = c.indexPrice;
    for (const m of this.markets.values()) {
      const index = c.indexPrice;
      m.index = index;
      const basis = basisPpm(index, m.book.bestBid(), m.book.bestAsk());
      if (basis !== undefined) m.basisEmaPpm = emaStep(m.basisEmaPpm, basis, m.spec.basisEmaBlocks);
      const mark = this.mark(m) as number;
      out.push({ type: 'MarkPrice', market: m.spec.id, height: c.height, index, fair: fairPrice(index, m.basisEmaPpm), mark, basisEmaPpm: m.basisEmaPpm });
      const prem = premiumPpm(mark, index);
      m.premiums.push(prem);
      if (m.premiums.length > m.spec.fundingBlocks) m.premiums.shift();
      const avg = averagePremium(m.premiums);
      m.rate8hPpm = fundingRate8hPpm(avg, m.spec);
      out.push({ type: 'FundingPaid', market: m.spec.id, height: c.height, premiumPpm: prem, avgPremiumPpm: avg, rate8hPpm: m.rate8hPpm, mark });
      this.settle(m, mark, c.height, out);
    }
    this.liquidationSweep(seq, out);
    if (this.products.length > 0) {
      const ctx = this.productContext(seq);
      for (const p of this.products) p.onBlock(ctx, out);
    }
    out.push({ type: 'BlockProcessed', height: c.height, hash: c.hash, time: c.time, mtp: c.mtp });
    return undefined;
  }

  // ───────────────────────────── margin ─────────────────────────────

  private imOf(m: MarketState, qty: number, buyOpen: bigint, sellOpen: bigint, mark: bigint): bigint {
    return this.imOfValue(m, BigInt(qty) * mark, buyOpen, sellOpen);
  }

  /** Initial margin from the position's value at mark (pn = qty × mark). */
  private imOfValue(m: MarketState, pn: bigint, buyOpen: bigint, sellOpen: bigint): bigint {
    const a = pn + buyOpen, b = pn - sellOpen;
    const absA = a < 0n ? -a : a, absB = b < 0n ? -b : b;
    return ceilPpmOf(absA > absB ? absA : absB, m.rates.initialMarginPpm);
  }

  private mmOf(m: MarketState, qty: number, mark: bigint): bigint {
    return ceilPpmOf(absBig(BigInt(qty) * mark), m.rates.maintenanceMarginPpm);
  }

  /**
   * Pre-trade check: the order is priced at its limit (worst case), its immediate loss against mark and
   * the taker fee are deducted, and it joins the resting exposure. Orders that only lower the initial
   * margin requirement need only solvency; reduce-only orders need only the fee.
   */
  private checkMargin(m: MarketState, owner: string, pos: Position | undefined, side: Side, qty: number, limit: number,
    feeBound: bigint, reduceOnly: boolean, mark: number, replacing: OrderMeta | undefined): Rejection | undefined {
    const balance = this.ledger.balance(owner);
    if (balance < feeBound) return new Rejection('insufficient_balance', 'balance cannot pay the taker fee', 'qty');
    if (reduceOnly) return undefined;
    const lossPerLot = side === 'buy' ? limit - mark : mark - limit;
    const loss = lossPerLot === 0 ? 0n : maxBig(0n, mulBig(qty, lossPerLot));
    const p = pos ?? NO_POSITION;
    let buyOpen = p.buyOpen, sellOpen = p.sellOpen;
    if (replacing !== undefined) {
      const old = mulBig(replacing.qty, replacing.price);
      if (replacing.side === 'buy') buyOpen -= old; else sellOpen -= old;
    }
    if (side === 'buy') buyOpen += mulBig(qty, limit); else sellOpen += mulBig(qty, limit);
    // One pass over the account's markets: equity and initial margin, with this market's IM before and after.
    // This market's IM before the order is only needed when the order fails the plain test, so it is
    // computed then (imOld = imOthers + this market's current IM).
    let equity = balance;
    let imOthers = 0n, imNew = 0n, pnHere = 0n;
    const list = this.marketList;
    for (let i = 0; i < list.length; i++) {
      const mm = list[i] as MarketState;
      if (mm === m) {
        pnHere = mulBig(p.qty, mark);
        equity += pnHere - p.cost;
        imNew += this.imOfValue(m, pnHere, buyOpen, sellOpen);
        continue;
      }
      const pp = mm.positions.get(owner);
      if (pp === undefined) continue;
      const pn = mulBig(pp.qty, this.mark(mm) ?? 0);
      equity += pn - pp.cost;
      const im = this.imOfValue(mm, pn, pp.buyOpen, pp.sellOpen);
      imOthers += im;
      imNew += im;
    }
    const free = equity - loss - feeBound;
    if (free >= imNew) return undefined;
    const imOld = imOthers + this.imOfValue(m, pnHere, p.buyOpen, p.sellOpen);
    if (imNew <= imOld && free >= 0n) return undefined;
    return new Rejection('insufficient_margin', `needs ${imNew} msat initial margin, has ${free} msat after fees and worst-case fill`, 'qty');
  }

  /** Lots an order of `side` may still reduce: |position| on the other side minus other resting reduce-only orders. */
  private reducibleQty(m: MarketState, owner: string, side: Side, excluding: number | undefined): number {
    const p = m.positions.get(owner);
    const q = p?.qty ?? 0;
    if (p === undefined || q === 0 || (q > 0) === (side === 'buy')) return 0;
    let room = Math.abs(q);
    if (p.reduceOnlyIds !== undefined) {
      for (const id of p.reduceOnlyIds) {
        const meta = m.orders.get(id) as OrderMeta;
        if (meta.side === side && id !== excluding) room -= meta.qty;
      }
    }
    return room;
  }

  // ───────────────────────────── order bookkeeping ─────────────────────────────

  private pos(m: MarketState, owner: string): Position {
    let p = m.positions.get(owner);
    if (p === undefined) {
      p = { qty: 0, cost: 0n, entryCost: 0n, buyOpen: 0n, sellOpen: 0n, reduceOnlyIds: undefined };
      m.positions.set(owner, p);
      m.sortedOwners = undefined;
    }
    return p;
  }

  private gc(m: MarketState, owner: string): void {
    const p = m.positions.get(owner);
    if (p !== undefined && p.qty === 0 && p.cost === 0n && p.buyOpen === 0n && p.sellOpen === 0n) {
      p.entryCost = 0n;
      m.positions.delete(owner);
      m.sortedOwners = undefined;
    }
  }

  private addResting(m: MarketState, meta: OrderMeta): void {
    m.orders.set(meta.id, meta);
    const p = this.pos(m, meta.owner);
    const n = mulBig(meta.qty, meta.price);
    if (meta.side === 'buy') p.buyOpen += n; else p.sellOpen += n;
    if (meta.reduceOnly) (p.reduceOnlyIds ??= new Set()).add(meta.id);
    if (meta.clientOrderId !== undefined) {
      let ids = this.clientIds.get(meta.owner);
      if (ids === undefined) this.clientIds.set(meta.owner, ids = new Map());
      ids.set(meta.clientOrderId, meta.id);
    }
  }

  private removeResting(m: MarketState, meta: OrderMeta): void {
    m.orders.delete(meta.id);
    const p = this.pos(m, meta.owner);
    const n = mulBig(meta.qty, meta.price);
    if (meta.side === 'buy') p.buyOpen -= n; else p.sellOpen -= n;
    if (meta.reduceOnly) {
      p.reduceOnlyIds?.delete(meta.id);
      if (p.reduceOnlyIds?.size === 0) p.reduceOnlyIds = undefined;
    }
    if (meta.clientOrderId !== undefined) this.clientIds.get(meta.owner)?.delete(meta.clientOrderId);
    if (p.qty === 0 && p.cost === 0n && p.buyOpen === 0n && p.sellOpen === 0n) this.gc(m, meta.owner);
  }

  /** Lower a resting order's remaining qty after a fill or a trim. */
  private reduceResting(m: MarketState, meta: OrderMeta, newQty: number): void {
    const p = this.pos(m, meta.owner);
    const d = mulBig(meta.qty - newQty, meta.price);
    if (meta.side === 'buy') p.buyOpen -= d; else p.sellOpen -= d;
    meta.qty = newQty;
  }

  private cancelResting(m: MarketState, meta: OrderMeta, reason: CancelReason, out: EngineEvent[]): void {
    m.book.cancel(meta.id);
    this.removeResting(m, meta);
    out.push({ type: 'OrderCancelled', orderId: meta.id, account: accountOf(meta.owner), market: m.spec.id, remainingQty: meta.qty, reason });
  }

  /**
   * An owner's resting orders by id. Ids come from seq, so this is arrival order, and unlike the book's
   * own per-account list it survives snapshot → restore (which rebuilds the queues in priority order).
   */
  private ownOrders(m: MarketState, owner: string): RestingOrder[] {
    return m.book.ordersOf(owner).sort((a, b) => a.id - b.id);
  }

  private cancelAllOf(m: MarketState, owner: string, reason: CancelReason, out: EngineEvent[]): void {
    for (const r of this.ownOrders(m, owner)) this.cancelResting(m, m.orders.get(r.id) as OrderMeta, reason, out);
  }

  /** `notional` is |dq| × price, computed once per fill by the caller (both sides use it). */
  private applyFill(m: MarketState, owner: string, dq: number, price: number, notional: bigint): void {
    const p = this.pos(m, owner);
    const old = p.qty;
    const nq = old + dq;
    p.cost = dq > 0 ? p.cost + notional : dq < 0 ? p.cost - notional : p.cost;
    if (old === 0 || (old > 0) === (dq > 0)) {
      p.entryCost += notional;
    } else if (nq === 0) {
      p.entryCost = 0n;
    } else if (Math.abs(dq) <= Math.abs(old)) {
      p.entryCost -= (p.entryCost * BigInt(Math.abs(dq))) / BigInt(Math.abs(old));
    } else {
      p.entryCost = mulBig(Math.abs(nq), price);
    }
    p.qty = nq;
  }

  /** Books a SubmitResult: STP expiries, fills (positions, fees), then the taker's remainder. */
  private processResult(m: MarketState, taker: OrderMeta, res: SubmitResult, liquidation: boolean, out: EngineEvent[]): void {
    for (const e of res.expired) this.expire(m, e, out);
    for (const f of res.fills) this.bookFill(m, f, liquidation, out);
    if (res.restingQty > 0) {
      taker.qty = res.restingQty;
      this.addResting(m, taker);
      out.push({ type: 'OrderResting', orderId: taker.id, account: accountOf(taker.owner), market: m.spec.id, side: taker.side, price: taker.price, qty: taker.qty });
    } else if (res.cancelledQty > 0) {
      out.push({ type: 'OrderCancelled', orderId: taker.id, account: accountOf(taker.owner), market: m.spec.id, remainingQty: res.cancelledQty, reason: 'ioc_remainder' });
    } else {
      out.push({ type: 'OrderFilled', orderId: taker.id, account: accountOf(taker.owner), market: m.spec.id });
    }
    if (res.fills.length === 0) return;
    const touched = [taker.owner];
    for (const f of res.fills) if (!touched.includes(f.makerAccount)) touched.push(f.makerAccount);
    // Distinct owners in name order; two (one maker) is the common case and needs no sort() call.
    if (touched.length === 2) {
      const a = touched[0] as string, b = touched[1] as string;
      if (b < a) { touched[0] = b; touched[1] = a; }
    } else if (touched.length > 2) {
      touched.sort(cmp);
    }
    for (let i = 0; i < touched.length; i++) {
      const owner = touched[i] as string;
      const p = m.positions.get(owner);
      out.push({ type: 'PositionChanged', account: accountOf(owner), market: m.spec.id, qty: p?.qty ?? 0, costMsat: p?.cost ?? 0n });
      if (p === undefined) continue; // no position: nothing to trim or collect
      if (p.reduceOnlyIds !== undefined) this.enforceReduceOnly(m, owner, out);
      this.gc(m, owner);
    }
  }

  private expire(m: MarketState, e: RestingOrder, out: EngineEvent[]): void {
    const meta = m.orders.get(e.id) as OrderMeta;
    this.removeResting(m, meta);
    out.push({ type: 'OrderExpired', orderId: e.id, account: accountOf(e.account), market: m.spec.id, remainingQty: e.qty, reason: 'self_trade' });
  }

  private bookFill(m: MarketState, f: Fill, liquidation: boolean, out: EngineEvent[]): void {
    const maker = m.orders.get(f.makerId) as OrderMeta;
    if (f.makerRemaining === 0) {
      this.reduceResting(m, maker, 0);
      this.removeResting(m, maker);
    } else {
      this.reduceResting(m, maker, f.makerRemaining);
    }
    const dq = f.takerSide === 'buy' ? f.qty : -f.qty;
    const notional = mulBig(f.qty, f.price); // once per fill: both positions and the fees use it
    this.applyFill(m, f.takerAccount, dq, f.price, notional);
    this.applyFill(m, f.makerAccount, -dq, f.price, notional);
    const spec = m.spec;
    let takerFee: bigint;
    if (liquidation) {
      takerFee = minBig(floorPpm(f.qty, f.price, spec.liquidationFeePpm, m.rates.liquidationFeePpm), maxBig(0n, this.ledger.balance(f.takerAccount)));
    } else {
      takerFee = floorPpm(f.qty, f.price, spec.takerFeePpm, m.rates.takerFeePpm);
    }
    const makerFee = spec.makerFeePpm === 0 ? 0n
      : minBig(floorPpm(f.qty, f.price, spec.makerFeePpm, m.rates.makerFeePpm), this.ledger.balance(f.makerAccount));
    out.push({
      type: 'Trade', market: m.spec.id, price: f.price, qty: f.qty, takerSide: f.takerSide, makerOrderId: f.makerId,
      takerOrderId: f.takerId, maker: accountOf(f.makerAccount), taker: accountOf(f.takerAccount),
      makerFeeMsat: makerFee, takerFeeMsat: takerFee, liquidation,
    });
    this.ledger.transfer(f.takerAccount, liquidation ? INSURANCE : FEES, takerFee, liquidation ? 'liquidation_fee' : 'taker_fee', out, m.spec.id);
    if (makerFee > 0n) this.ledger.transfer(f.makerAccount, FEES, makerFee, 'maker_fee', out, m.spec.id);
    if (f.makerRemaining === 0) out.push({ type: 'OrderFilled', orderId: f.makerId, account: accountOf(f.makerAccount), market: m.spec.id });
  }

  /** Trims resting reduce-only orders so they can never open or increase a position (oldest keep their lots). */
  private enforceReduceOnly(m: MarketState, owner: string, out: EngineEvent[]): void {
    const p = m.positions.get(owner);
    if (p === undefined || p.reduceOnlyIds === undefined) return;
    const q = p.qty;
    let room = Math.abs(q);
    for (const id of [...p.reduceOnlyIds].sort((a, b) => a - b)) {
      const meta = m.orders.get(id) as OrderMeta;
      const reducing = q !== 0 && (q > 0) === (meta.side === 'sell');
      if (!reducing || room <= 0) {
        this.cancelResting(m, meta, 'reduce_only', out);
      } else if (meta.qty > room) {
        m.book.amend(meta.id, { qty: room });
        this.reduceResting(m, meta, room);
        out.push({ type: 'OrderAmended', orderId: meta.id, account: accountOf(owner), market: m.spec.id, price: meta.price, qty: room, requeued: false });
        room = 0;
      } else {
        room -= meta.qty;
      }
    }
  }

  // ───────────────────────────── settlement, funding, liquidation ─────────────────────────────

  /**
   * Settles every position of `m` to `mark` with this block's funding (1/48 of the 8-hour rate). Payers
   * round up and receivers down (ceil of the signed amount), so the pool keeps the dust, which goes to fees.
   */
  private settle(m: MarketState, mark: number, height: number, out: EngineEvent[]): void {
    const pool = settleAccount(m.spec.id);
    const M = BigInt(mark);
    const div = PPM * BigInt(m.spec.fundingBlocks);
    const rate = BigInt(m.rate8hPpm);
    const receivers: [string, bigint][] = [];
    let shortfall = 0n;
    const owners = this.ownersSorted(m); // never mutated: gc() below replaces the cache, it does not edit it
    for (let i = 0; i < owners.length; i++) {
      const owner = owners[i] as string;
      const p = m.positions.get(owner) as Position;
      if (p.qty === 0 && p.cost === 0n) continue;
      const value = p.qty === 0 ? 0n : mulBig(p.qty, mark);
      const funding = rate === 0n || value === 0n ? 0n : ceilDiv(value * rate, div);
      const s = value - p.cost - funding;
      p.cost = value;
      if (s < 0n) {
        const bal = this.ledger.balance(owner);
        const pay = minBig(-s, bal > 0n ? bal : 0n);
        this.ledger.transfer(owner, pool, pay, 'pnl_settlement', out, m.spec.id);
        shortfall += -s - pay;
      } else if (s > 0n) {
        receivers.push([owner, s]);
      }
      if (p.qty === 0) this.gc(m, owner);
    }
    let owed = 0n;
    for (const [, s] of receivers) owed += s;
    let covered = 0n, haircut = 0n;
    if (shortfall > 0n) {
      for (const src of [INSURANCE, VAULT]) {
        const need = owed - this.ledger.balance(pool);
        if (need <= 0n) break;
        const take = minBig(need, maxBig(0n, this.ledger.balance(src)));
        this.ledger.transfer(src, pool, take, 'shortfall_cover', out, m.spec.id);
        covered += take;
      }
    }
    const avail = this.ledger.balance(pool);
    const scale = avail < owed;
    for (const [owner, s] of receivers) {
      const pay = scale ? (s * avail) / owed : s;
      haircut += s - pay;
      this.ledger.transfer(pool, owner, pay, 'pnl_settlement', out, m.spec.id);
    }
    if (shortfall > 0n) out.push({ type: 'SettlementShortfall', market: m.spec.id, height, shortfallMsat: shortfall, coveredMsat: covered, haircutMsat: haircut });
    this.ledger.transfer(pool, FEES, this.ledger.balance(pool), 'settlement_dust', out, m.spec.id);
  }

  /** The market's position owners in name order (cached; see MarketState.sortedOwners). */
  private ownersSorted(m: MarketState): readonly string[] {
    let o = m.sortedOwners;
    if (o === undefined || o.length !== m.positions.size) o = m.sortedOwners = [...m.positions.keys()].sort(cmp);
    return o;
  }

  /** Users with an open position in any market, in name order. */
  private usersWithPositions(): string[] {
    const list = this.marketList;
    if (list.length === 1) {
      const m = list[0] as MarketState;
      return this.ownersSorted(m).filter((o) => (m.positions.get(o) as Position).qty !== 0 && o.startsWith('user:'));
    }
    const owners = new Set<string>();
    for (const m of list) {
      for (const [o, p] of m.positions) if (p.qty !== 0 && o.startsWith('user:')) owners.add(o);
    }
    return [...owners].sort(cmp);
  }

  private liquidationSweep(seq: number, out: EngineEvent[]): void {
    const owners = this.usersWithPositions();
    let k = 0;
    // Marks only move when a liquidation trades, so they are read once and again after each liquidation.
    const list = this.marketList;
    const marks = list.map((m) => this.mark(m) ?? 0);
    for (const owner of owners) {
      let mm = 0n;
      let equity = this.ledger.balance(owner);
      for (let i = 0; i < list.length; i++) {
        const m = list[i] as MarketState;
        const p = m.positions.get(owner);
        if (p === undefined) continue;
        const pn = mulBig(p.qty, marks[i] as number);
        if (p.qty !== 0) mm += ceilPpmOf(pn < 0n ? -pn : pn, m.rates.maintenanceMarginPpm);
        equity += pn - p.cost;
      }
      if (mm === 0n || equity >= mm) continue;
      k = this.liquidate(owner, seq, k, out);
      for (let i = 0; i < list.length; i++) marks[i] = this.mark(list[i] as MarketState) ?? 0;
    }
  }

  /** Cancel orders → close in the book within the band (1 % fee to insurance) → vault at bankruptcy price → ADL. */
  private liquidate(owner: string, seq: number, k: number, out: EngineEvent[]): number {
    for (const m of this.markets.values()) this.cancelAllOf(m, owner, 'liquidation', out);
    let escrowed = false;
    for (const m of this.markets.values()) {
      const p = m.positions.get(owner);
      if (p === undefined || p.qty === 0) continue;
      const mark = this.mark(m) as number;
      const startQty = p.qty;
      const side: Side = p.qty > 0 ? 'sell' : 'buy';
      const limit = bandEdge(side, mark, m.spec.liquidationBandPpm, m.spec.tick);
      const id = -(seq * 1024 + ++k);
      const res = m.book.submit({ id, account: owner, side, price: limit, qty: Math.abs(p.qty), tif: 'IOC', postOnly: false });
      let feeMsat = 0n;
      if (res.accepted) {
        const before = this.ledger.balance(INSURANCE);
        this.processResult(m, { id, owner, market: m.spec.id, side, price: limit, qty: Math.abs(p.qty), reduceOnly: true }, res, true, out);
        feeMsat = this.ledger.balance(INSURANCE) - before;
      }
      const rest = m.positions.get(owner)?.qty ?? 0;
      let toVault = 0, toAdl = 0;
      if (rest !== 0) {
        const rp = m.positions.get(owner) as Position;
        if (!escrowed) {
          // Bankruptcy price: fold the remaining balance into the position's cost, so what moves on is worth
          // exactly the account's equity (negative when bankrupt). The balance goes to the settlement pool.
          const bal = maxBig(0n, this.ledger.balance(owner));
          this.ledger.transfer(owner, settleAccount(m.spec.id), bal, 'liquidation_to_vault', out, m.spec.id);
          rp.cost -= bal;
          escrowed = true;
        }
        const M = BigInt(mark);
        const value = BigInt(rp.qty) * M - rp.cost;
        const vp = m.positions.get(VAULT);
        const vaultQtyAfter = (vp?.qty ?? 0) + rp.qty;
        const vaultMmAfter = this.maintenanceMargin(VAULT) - (vp ? this.mmOf(m, vp.qty, M) : 0n) + this.mmOf(m, vaultQtyAfter, M);
        if (this.equity(VAULT) + value >= vaultMmAfter) {
          toVault = Math.abs(rp.qty);
          this.movePosition(m, owner, VAULT, rp.qty, out);
        } else {
          toAdl = this.autoDeleverage(m, owner, M, out);
          const left = m.positions.get(owner)?.qty ?? 0;
          if (left !== 0) {
            toVault = Math.abs(left);
            this.movePosition(m, owner, VAULT, left, out);
          }
        }
        this.gc(m, owner);
      }
      out.push({
        type: 'Liquidation', account: accountOf(owner), market: m.spec.id, mark, positionQty: startQty,
        closedInBook: Math.abs(startQty) - Math.abs(rest), toVault, toAdl, feeMsat, remainingBalanceMsat: this.ledger.balance(owner),
      });
    }
    return k;
  }

  /** Moves `dq` lots (signed, the holder's direction) with their share of cost from one holder to another. */
  private movePosition(m: MarketState, from: string, to: string, dq: number, out: EngineEvent[]): bigint {
    const src = this.pos(m, from);
    const piece = dq === src.qty ? src.cost : (src.cost * BigInt(Math.abs(dq))) / BigInt(Math.abs(src.qty));
    const entryPiece = dq === src.qty ? src.entryCost : (src.entryCost * BigInt(Math.abs(dq))) / BigInt(Math.abs(src.qty));
    src.qty -= dq;
    src.cost -= piece;
    src.entryCost -= entryPiece;
    const dst = this.pos(m, to);
    const old = dst.qty;
    dst.qty += dq;
    dst.cost += piece;
    if (old === 0 || (old > 0) === (dq > 0)) dst.entryCost += entryPiece;
    else if (Math.abs(dq) <= Math.abs(old)) dst.entryCost -= (dst.entryCost * BigInt(Math.abs(dq))) / BigInt(Math.abs(old));
    else dst.entryCost = (entryPiece * BigInt(Math.abs(dst.qty))) / BigInt(Math.abs(dq));
    for (const o of [from, to]) {
      const p = m.positions.get(o) as Position;
      out.push({ type: 'PositionChanged', account: accountOf(o), market: m.spec.id, qty: p.qty, costMsat: p.cost });
      this.enforceReduceOnly(m, o, out); // an ADL counterparty's position shrank under its reduce-only orders
    }
    this.gc(m, from);
    this.gc(m, to);
    return piece;
  }

  /**
   * Closes the bankrupt remainder against opposite positions at the bankruptcy price, ranked by
   * PnL % × leverage (highest first; ties by account). Returns the lots deleveraged.
   */
  private autoDeleverage(m: MarketState, owner: string, M: bigint, out: EngineEvent[]): number {
    const q = (m.positions.get(owner) as Position).qty;
    const ranked: { o: string; score: bigint; qty: number }[] = [];
    for (const [o, p] of m.positions) {
      if (o === owner || !o.startsWith('user:') || p.qty === 0 || (p.qty > 0) === (q > 0)) continue;
      const notional = absBig(BigInt(p.qty) * M);
      const pnl = p.qty > 0 ? notional - p.entryCost : p.entryCost - notional;
      const eq = this.equity(o);
      const score = eq <= 0n || p.entryCost === 0n ? -(1n << 200n) : (pnl * notional * PPM * PPM) / (p.entryCost * eq);
      ranked.push({ o, score, qty: p.qty });
    }
    ranked.sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : cmp(a.o, b.o)));
    let done = 0;
    for (const r of ranked) {
      const left = (m.positions.get(owner)?.qty ?? 0);
      if (left === 0) break;
      const lots = Math.min(Math.abs(left), Math.abs(r.qty));
      const dq = left > 0 ? lots : -lots;
      const piece = this.movePosition(m, owner, r.o, dq, out);
      out.push({ type: 'ADL', market: m.spec.id, from: accountOf(owner), account: accountOf(r.o), qty: lots, costMsat: piece });
      done += lots;
    }
    return done;
  }
}

// ───────────────────────────── validation helpers ─────────────────────────────

function kindOf(command: unknown): string {
  return typeof command === 'object' && command !== null ? String((command as { type?: unknown }).type) : 'unknown';
}

function checkAccount(a: unknown): Rejection | undefined {
  if (typeof a !== 'string' || !ACCOUNT_RE.test(a)) return new Rejection('invalid_argument', 'account must be 1..128 characters of [A-Za-z0-9_.-]', 'account');
  return undefined;
}

function checkAmount(v: unknown): Rejection | undefined {
  if (!isSafeInt(v) || v <= 0 || v > MAX_SAT) return new Rejection('invalid_argument', 'amountSat must be a positive integer number of sat', 'amountSat');
  return undefined;
}

function checkPrice(m: MarketState, v: unknown): Rejection | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return new Rejection('invalid_argument', 'price is required (integer ticks)', 'price');
  if (v <= 0 || v > MAX_PRICE) return new Rejection('invalid_argument', `price must be between 1 and ${MAX_PRICE}`, 'price');
  if (!Number.isInteger(v) || v % m.spec.tick !== 0) return new Rejection('price_off_tick', `price must be a multiple of the tick ${m.spec.tick}`, 'price');
  return undefined;
}

function bookRejection(res: SubmitResult): Rejection {
  switch (res.rejectReason) {
    case 'post_only_would_cross': return new Rejection('post_only_would_cross', 'post-only order would take liquidity', 'postOnly');
    case 'fok_not_fillable': return new Rejection('fok_not_fillable', 'fill-or-kill order cannot fill completely', 'tif');
    default: return new Rejection('invalid_argument', `order refused by the book (${res.rejectReason ?? 'unknown'})`, res.invalidField ?? 'order');
  }
}

/** Protection-band edge around mark, on the tick grid, never below one tick. */
function bandEdge(side: Side, mark: number, bandPpm: number, tick: number): number {
  if (side === 'buy') {
    const p = Math.floor((mark * (1_000_000 + bandPpm)) / 1_000_000);
    return Math.max(tick, p - (p % tick));
  }
  const p = Math.ceil((mark * (1_000_000 - bandPpm)) / 1_000_000);
  return Math.max(tick, p + ((tick - (p % tick)) % tick));
}

/** The user id of a ledger owner (`user:alice` → `alice`; system accounts keep their name). */
export function accountOf(owner: string): string {
  return owner.startsWith('user:') ? owner.slice(5) : owner;
}

export { userAccount };
