// The block-delta product (BDC, Powswap) inside the engine: series, one order book per series, contract
// positions between users and the operator, settlement by the header rule. Pure: no I/O, no clock.
//
// Money (msat, double-entry through the core's ledger):
// - `bdc:<series>:orders` escrows what resting orders would stake: remaining qty × stake at their limit.
//   Makers trade at their own price, so a maker fill moves exactly its escrow to the pot.
// - `bdc:<series>:pot` holds the stakes of both sides of every fill: FAST's price/10000 + SLOW's rest =
//   the whole payout per contract, so the pot always equals Σ open positions' contracts × payout and the
//   winners take it to the last msat.
// - Takers pay 0.2 % of their premium (the stake they pay on the fill) to `fees`; makers pay nothing.
// The operator S is the central counterparty: each fill opens a FAST position (buyer vs S) and a SLOW
// position (seller vs S), so S's book is flat and each position is one contract VTXO at the Bitcoin layer.
import { OrderBook } from '../../book/order-book.js';
import type { SubmitResult } from '../../book/types.js';
import type { EngineEvent } from '../../events.js';
import { FEES, WORLD, isAccountId } from '../../ledger/ledger.js';
import { Rejection } from '../../rejection.js';
import type { ProductCommandBase, ProductContext, ProductModule } from '../product.js';
import type { BdcCancelAllCommand, BdcCancelOrderCommand, BdcListSeriesCommand, BdcPlaceOrderCommand, BdcPositionFundedCommand, BdcSetHorizonCommand, BdcSide, BdcTakeWithArkCommand } from './commands.js';
import { BDC_COMMAND_TYPES } from './commands.js';
import type { BdcCancelReason } from './events.js';
import { headerRule } from './header-rule.js';
import { beyondHorizon, checkBdcHorizon, type BdcHorizon } from './horizon.js';
import {
  BPS, LOCKTIME_THRESHOLD, MAX_LOCKTIME, MAX_ORDER_CONTRACTS, MAX_PAYOUT_SAT, PAYOUT_STEP_SAT, bookSide, seriesId, stakeMsat,
  takerFeeMsat,
} from './terms.js';

export const BDC_PRODUCT = 'bdc';
export const potAccount = (series: string): string => `bdc:${series}:pot`;
export const escrowAccount = (series: string): string => `bdc:${series}:orders`;
/** Position ids are `<series>#<n>`, n counting every position the product ever opened (percent-encode `#` in URLs). */
export const positionIdOf = (series: string, n: number): string => `${series}#${n}`;
export const seriesOfPosition = (positionId: string): string => positionId.slice(0, Math.max(0, positionId.lastIndexOf('#')));

const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const idOf = (owner: string): string => (owner.startsWith('user:') ? owner.slice(5) : owner);

/** `user:<id>` for a user id or a ledger owner; undefined when malformed. */
export function userOwner(account: unknown): string | undefined {
  if (typeof account !== 'string') return undefined;
  const id = account.startsWith('user:') ? account.slice(5) : account;
  return isAccountId(id) ? `user:${id}` : undefined;
}

export interface BdcSeries {
  readonly id: string;
  readonly height: number;
  readonly deadline: number;
  readonly payoutSat: number;
  readonly book: OrderBook;
  /** 'halted': the engine did not see every block where the outcome may have been decided (see onBlock). */
  status: 'open' | 'settled' | 'halted';
  winner?: BdcSide;
  decidedAtHeight?: number;
  decidedAtHash?: string;
}

export interface BdcOrder {
  id: number; owner: string; series: string; side: BdcSide; price: number;
  /** Remaining contracts. */
  qty: number;
  clientOrderId?: string;
}

export interface BdcPosition {
  readonly id: string;
  /** Global opening order (the number after `#` in the id). */
  readonly n: number;
  readonly series: string;
  readonly side: BdcSide;
  owner: string;
  readonly contracts: number;
  /** What the opening party staked (msat); the operator staked the rest of contracts × payout. */
  readonly stakeMsat: bigint;
  /** The contract VTXO (`txid:vout`) once the operator's desk has opened it. */
  vtxo?: string;
}

/** What `describePosition` returns (swap offers show it). */
export interface BdcPositionDescription {
  product: 'bdc'; positionId: string; series: string; height: number; deadline: number; side: BdcSide; account: string;
  contracts: number; payoutSat: number; amountSat: number; stakeMsat: bigint;
}

interface Snapshot {
  v: 1;
  /** Written only when set, so snapshots of engines without a horizon keep their bytes (and hashes). */
  maxHorizon?: [number, number];
  nextPosition: number;
  parent: [number, number] | null;
  series: [string, number, number, number, 'open' | 'settled' | 'halted', BdcSide | null, number | null, string | null][];
  orders: [number, string, string, BdcSide, number, number, string | null][];
  /** The 8th element (the contract VTXO) is absent in snapshots taken before positions were funded. */
  positions: [string, number, string, BdcSide, string, number, string, (string | null)?][];
  /** Ark txs booked by BdcTakeWithArk, sorted; absent while empty. */
  arkTakes?: string[];
}

export class BdcModule implements ProductModule {
  readonly name = BDC_PRODUCT;
  readonly commandTypes = BDC_COMMAND_TYPES;
  private readonly series = new Map<string, BdcSeries>();
  /** Open series ids, sorted: the ones each block must check. */
  private openIds: string[] = [];
  private readonly orders = new Map<number, BdcOrder>();
  /** `${owner}\n${clientOrderId}` → live order id. */
  private readonly clientIds = new Map<string, number>();
  private readonly positions = new Map<string, BdcPosition>();
  private nextPosition = 1;
  /** Ark txs already booked by BdcTakeWithArk (each brings its stake in once). */
  private readonly arkTakes = new Set<string>();
  /** The last block this module saw (height, MTP): the parent of the next one. */
  private parent: { height: number; mtp: number } | null = null;

  /**
   * The lifetime rule (horizon.ts): how far ahead of the tip a series may be decided, from the operator's
   * batch life (BdcSetHorizon). Undefined until set: no limit (engines without an Ark operator, the backtests).
   */
  private maxHorizon: BdcHorizon | undefined = undefined;

  get horizon(): BdcHorizon | undefined {
    return this.maxHorizon;
  }

  // ───────────────────────────── reads ─────────────────────────────

  /** All series, sorted by id. */
  listSeries(): BdcSeries[] {
    return [...this.series.values()].sort((a, b) => cmp(a.id, b.id));
  }

  getSeries(id: string): BdcSeries | undefined {
    return this.series.get(id);
  }

  /** Open positions of a ledger owner (or user id), oldest first. */
  positionsOf(account: string): BdcPosition[] {
    const owner = userOwner(account);
    return [...this.positions.values()].filter((p) => p.owner === owner).sort((a, b) => a.n - b.n);
  }

  positionsOfSeries(series: string): BdcPosition[] {
    return [...this.positions.values()].filter((p) => p.series === series).sort((a, b) => a.n - b.n);
  }

  getPosition(id: string): BdcPosition | undefined {
    return this.positions.get(id);
  }

  /** Resting orders of a ledger owner (or user id), by order id. */
  ordersOf(account: string, series?: string): BdcOrder[] {
    const owner = userOwner(account);
    return [...this.orders.values()].filter((o) => o.owner === owner && (series === undefined || o.series === series)).sort((a, b) => a.id - b.id);
  }

  // ───────────────────────────── commands ─────────────────────────────

  apply(command: ProductCommandBase, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    switch (command.type) {
      case 'BdcListSeries': return this.list(command as BdcListSeriesCommand, ctx, out);
      case 'BdcPlaceOrder': return this.place(command as BdcPlaceOrderCommand, ctx, out);
      case 'BdcCancelOrder': return this.cancel(command as BdcCancelOrderCommand, ctx, out);
      case 'BdcCancelAll': return this.cancelAll(command as BdcCancelAllCommand, ctx, out);
      case 'BdcPositionFunded': return this.funded(command as BdcPositionFundedCommand, out);
      case 'BdcTakeWithArk': return this.takeWithArk(command as BdcTakeWithArkCommand, ctx, out);
      case 'BdcSetHorizon': return this.setHorizon(command as BdcSetHorizonCommand, out);
      default: return new Rejection('invalid_argument', `unknown command type ${command.type}`, 'type');
    }
  }

  private list(c: BdcListSeriesCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    if (!isSafeInt(c.height) || c.height < 1 || c.height >= LOCKTIME_THRESHOLD) {
      return new Rejection('invalid_argument', `height must be an integer block height between 1 and ${LOCKTIME_THRESHOLD - 1} (a CLTV height lock)`, 'height');
    }
    if (!isSafeInt(c.deadline) || c.deadline < LOCKTIME_THRESHOLD || c.deadline > MAX_LOCKTIME) {
      return new Rejection('invalid_argument', `deadline must be unix seconds between ${LOCKTIME_THRESHOLD} and ${MAX_LOCKTIME} (a CLTV time lock)`, 'deadline');
    }
    if (!isSafeInt(c.payoutSat) || c.payoutSat < PAYOUT_STEP_SAT || c.payoutSat > MAX_PAYOUT_SAT || c.payoutSat % PAYOUT_STEP_SAT !== 0) {
      return new Rejection('invalid_argument', `payoutSat must be a multiple of ${PAYOUT_STEP_SAT} sat up to ${MAX_PAYOUT_SAT}`, 'payoutSat');
    }
    if (c.height <= ctx.chain.height) return new Rejection('expiry_too_soon', `height ${c.height} is already mined (tip ${ctx.chain.height})`, 'height');
    if (ctx.chain.height >= 0 && ctx.chain.mtp >= c.deadline) {
      return new Rejection('expiry_too_soon', `MTP ${ctx.chain.mtp} has already reached the deadline ${c.deadline}`, 'deadline');
    }
    const far = this.horizonRejection(c.height, c.deadline, ctx);
    if (far !== undefined) return far;
    const id = seriesId(c.height, c.deadline);
    if (this.series.has(id)) return new Rejection('not_allowed', `series ${id} is already listed`, 'height');
    this.series.set(id, { id, height: c.height, deadline: c.deadline, payoutSat: c.payoutSat, book: new OrderBook(), status: 'open' });
    this.openIds.push(id);
    this.openIds.sort(cmp);
    out.push({ type: 'BdcSeriesListed', series: id, height: c.height, deadline: c.deadline, payoutSat: c.payoutSat });
    return undefined;
  }

  private setHorizon(c: BdcSetHorizonCommand, out: EngineEvent[]): Rejection | undefined {
    for (const f of ['blocks', 'seconds'] as const) {
      if (!isSafeInt(c[f]) || c[f] < 1) return new Rejection('invalid_argument', `${f} must be a positive integer (the horizon of the lifetime rule)`, f);
    }
    this.maxHorizon = { blocks: c.blocks, seconds: c.seconds };
    out.push({ type: 'BdcHorizonSet', blocks: c.blocks, seconds: c.seconds });
    return undefined;
  }

  /** Refuses a series the horizon does not reach (listing, and each order: the horizon may have changed since the listing). */
  private horizonRejection(height: number, deadline: number, ctx: ProductContext): Rejection | undefined {
    if (this.maxHorizon === undefined) return undefined;
    if (ctx.chain.height < 0) return new Rejection('market_not_ready', 'no block seen yet: the series lifetime rule needs the tip height and MTP', 'height');
    const why = beyondHorizon(height, deadline, ctx.chain, this.maxHorizon);
    return why === undefined ? undefined : new Rejection('invalid_argument', why, 'height');
  }

  private seriesFor(id: unknown): BdcSeries | Rejection {
    const s = typeof id === 'string' ? this.series.get(id) : undefined;
    if (s === undefined) return new Rejection('unknown_series', `unknown series ${String(id)}`, 'series');
    if (s.status === 'settled') return new Rejection('already_settled', `series ${s.id} is settled (${s.winner ?? '?'} won)`, 'series');
    if (s.status === 'halted') return new Rejection('not_allowed', `series ${s.id} is halted: the engine missed blocks in which it may have been decided`, 'series');
    return s;
  }

  private place(c: BdcPlaceOrderCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const owner = userOwner(c.account);
    if (owner === undefined || typeof c.account !== 'string' || c.account.startsWith('user:')) {
      return new Rejection('invalid_argument', 'account must be 1..128 characters of [A-Za-z0-9_.-]', 'account');
    }
    const s = this.seriesFor(c.series);
    if (s instanceof Rejection) return s;
    if (c.side !== 'FAST' && c.side !== 'SLOW') return new Rejection('invalid_argument', 'side must be FAST or SLOW', 'side');
    if (!isSafeInt(c.price) || c.price < 1 || c.price >= BPS) return new Rejection('invalid_argument', 'price must be the FAST price in basis points, 1..9999', 'price');
    if (!isSafeInt(c.qty) || c.qty < 1 || c.qty > MAX_ORDER_CONTRACTS) {
      return new Rejection('invalid_argument', `qty must be 1..${MAX_ORDER_CONTRACTS} contracts`, 'qty');
    }
    if (c.tif !== 'GTC' && c.tif !== 'IOC' && c.tif !== 'FOK') return new Rejection('invalid_argument', 'tif must be GTC, IOC or FOK', 'tif');
    const far = this.horizonRejection(s.height, s.deadline, ctx);
    if (far !== undefined) return far;
    if (typeof c.postOnly !== 'boolean') return new Rejection('invalid_argument', 'postOnly must be a boolean', 'postOnly');
    if (c.postOnly && c.tif !== 'GTC') return new Rejection('invalid_argument', 'post-only needs a GTC order', 'postOnly');
    if (c.clientOrderId !== undefined) {
      if (typeof c.clientOrderId !== 'string' || c.clientOrderId.length === 0 || c.clientOrderId.length > 64) {
        return new Rejection('invalid_argument', 'clientOrderId must be 1..64 characters', 'clientOrderId');
      }
      if (this.clientIds.has(`${owner}\n${c.clientOrderId}`)) {
        return new Rejection('duplicate_client_order_id', 'an order with this clientOrderId is still live', 'clientOrderId');
      }
    }
    // Worst case: every contract fills (or rests) at the limit, plus the taker fee on all of it. Fills at
    // better prices stake less, and per-fill fees round down, so this bounds what the order can spend.
    const atLimit = stakeMsat(c.side, c.price, s.payoutSat, c.qty);
    const worst = atLimit + (c.postOnly ? 0n : takerFeeMsat(atLimit));
    const free = ctx.available(owner);
    if (free < worst) {
      return new Rejection('insufficient_balance', `the order needs up to ${worst} msat (stake at the limit + 0.2 % fee); ${free} msat available`, 'qty');
    }
    const res = s.book.submit({ id: ctx.seq, account: owner, side: bookSide(c.side), price: c.price, qty: c.qty, tif: c.tif, postOnly: c.postOnly });
    if (!res.accepted) return bookRejection(res);

    const acc: EngineEvent = {
      type: 'BdcOrderAccepted', orderId: ctx.seq, account: idOf(owner), series: s.id, side: c.side, price: c.price, qty: c.qty,
      tif: c.tif, postOnly: c.postOnly,
    };
    if (c.clientOrderId !== undefined) acc.clientOrderId = c.clientOrderId;
    out.push(acc);
    for (const e of res.expired) this.removeResting(s, this.orders.get(e.id) as BdcOrder, e.qty, 'self_trade', ctx, out);
    for (const f of res.fills) {
      const maker = this.orders.get(f.makerId) as BdcOrder;
      const takerSide = c.side;
      const makerStake = stakeMsat(maker.side, f.price, s.payoutSat, f.qty);
      const takerStake = stakeMsat(takerSide, f.price, s.payoutSat, f.qty);
      const fee = takerFeeMsat(takerStake);
      ctx.ledger.transfer(escrowAccount(s.id), potAccount(s.id), makerStake, 'bdc_premium', out, s.id);
      ctx.ledger.transfer(owner, potAccount(s.id), takerStake, 'bdc_premium', out, s.id);
      ctx.ledger.transfer(owner, FEES, fee, 'taker_fee', out, s.id);
      const fast = takerSide === 'FAST' ? { owner, stake: takerStake } : { owner: maker.owner, stake: makerStake };
      const slow = takerSide === 'SLOW' ? { owner, stake: takerStake } : { owner: maker.owner, stake: makerStake };
      const fastId = this.open(s, 'FAST', fast.owner, f.qty, fast.stake);
      const slowId = this.open(s, 'SLOW', slow.owner, f.qty, slow.stake);
      out.push({
        type: 'BdcTrade', series: s.id, price: f.price, qty: f.qty, takerSide, makerOrderId: maker.id, takerOrderId: ctx.seq,
        maker: idOf(maker.owner), taker: idOf(owner), takerFeeMsat: fee, fastPositionId: fastId, slowPositionId: slowId,
      });
      for (const [side, id, p] of [['FAST', fastId, fast], ['SLOW', slowId, slow]] as const) {
        out.push({
          type: 'BdcPositionOpened', positionId: id, series: s.id, height: s.height, deadline: s.deadline, side, account: idOf(p.owner),
          contracts: f.qty, amountSat: f.qty * s.payoutSat, stakeSat: Number(p.stake / 1000n),
        });
      }
      maker.qty = f.makerRemaining;
      if (maker.qty === 0) {
        this.forget(maker);
        out.push({ type: 'BdcOrderFilled', orderId: maker.id, account: idOf(maker.owner), series: s.id });
      }
    }
    if (res.restingQty > 0) {
      const escrow = stakeMsat(c.side, c.price, s.payoutSat, res.restingQty);
      ctx.ledger.transfer(owner, escrowAccount(s.id), escrow, 'bdc_escrow', out, s.id);
      const meta: BdcOrder = { id: ctx.seq, owner, series: s.id, side: c.side, price: c.price, qty: res.restingQty };
      if (c.clientOrderId !== undefined) meta.clientOrderId = c.clientOrderId;
      this.remember(meta);
      out.push({ type: 'BdcOrderResting', orderId: ctx.seq, account: idOf(owner), series: s.id, side: c.side, price: c.price, qty: res.restingQty, escrowMsat: escrow });
    } else if (res.cancelledQty > 0) {
      out.push({ type: 'BdcOrderCancelled', orderId: ctx.seq, account: idOf(owner), series: s.id, remainingQty: res.cancelledQty, reason: 'ioc_remainder', releasedMsat: 0n });
    } else {
      out.push({ type: 'BdcOrderFilled', orderId: ctx.seq, account: idOf(owner), series: s.id });
    }
    return undefined;
  }

  private cancel(c: BdcCancelOrderCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const owner = userOwner(c.account);
    if (owner === undefined || String(c.account).startsWith('user:')) return new Rejection('invalid_argument', 'account must be 1..128 characters of [A-Za-z0-9_.-]', 'account');
    const s = this.seriesFor(c.series);
    if (s instanceof Rejection) return s;
    let id: number | undefined;
    let field: string;
    if (c.orderId !== undefined) {
      if (!isSafeInt(c.orderId)) return new Rejection('invalid_argument', 'orderId must be an integer', 'orderId');
      id = c.orderId;
      field = 'orderId';
    } else if (c.clientOrderId !== undefined) {
      if (typeof c.clientOrderId !== 'string') return new Rejection('invalid_argument', 'clientOrderId must be a string', 'clientOrderId');
      id = this.clientIds.get(`${owner}\n${c.clientOrderId}`);
      field = 'clientOrderId';
    } else {
      return new Rejection('invalid_argument', 'orderId or clientOrderId is required', 'orderId');
    }
    const meta = id === undefined ? undefined : this.orders.get(id);
    if (meta === undefined || meta.owner !== owner || meta.series !== s.id) return new Rejection('unknown_order', 'no such live order for this account on this series', field);
    s.book.cancel(meta.id);
    this.removeResting(s, meta, meta.qty, 'user', ctx, out);
    return undefined;
  }

  private cancelAll(c: BdcCancelAllCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const owner = userOwner(c.account);
    if (owner === undefined || String(c.account).startsWith('user:')) return new Rejection('invalid_argument', 'account must be 1..128 characters of [A-Za-z0-9_.-]', 'account');
    let targets: BdcSeries[];
    if (c.series !== undefined) {
      const s = this.seriesFor(c.series);
      if (s instanceof Rejection) return s;
      targets = [s];
    } else {
      targets = this.openIds.map((id) => this.series.get(id) as BdcSeries);
    }
    for (const s of targets) {
      for (const r of s.book.ordersOf(owner)) {
        s.book.cancel(r.id);
        this.removeResting(s, this.orders.get(r.id) as BdcOrder, r.qty, 'cancel_all', ctx, out);
      }
    }
    return undefined;
  }

  /**
   * The desk opened the position's contract VTXO. Only an open position of an open series, once: a
   * second VTXO for the same position would let its holder be paid twice.
   */
  private funded(c: BdcPositionFundedCommand, out: EngineEvent[]): Rejection | undefined {
    const p = typeof c.positionId === 'string' ? this.positions.get(c.positionId) : undefined;
    if (p === undefined) return new Rejection('unknown_position', `unknown position ${String(c.positionId)}`, 'positionId');
    if (typeof c.vtxo !== 'string' || !/^[0-9a-f]{64}:\d{1,5}$/.test(c.vtxo)) return new Rejection('invalid_argument', 'vtxo must be txid:vout (lower-case hex)', 'vtxo');
    if (p.vtxo !== undefined) return new Rejection('not_allowed', `position ${p.id} is already funded by ${p.vtxo}`, 'positionId');
    const s = this.series.get(p.series) as BdcSeries;
    if (s.status !== 'open') return new Rejection('not_allowed', `series ${s.id} is ${s.status}`, 'positionId');
    p.vtxo = c.vtxo;
    out.push({ type: 'BdcPositionFunded', positionId: p.id, series: s.id, account: idOf(p.owner), side: p.side, vtxo: c.vtxo, amountSat: p.contracts * s.payoutSat });
    return undefined;
  }

  private takeWithArk(c: BdcTakeWithArkCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    if (typeof c.arkTxid !== 'string' || !/^[0-9a-f]{64}$/.test(c.arkTxid)) return new Rejection('invalid_argument', 'arkTxid must be 64 lower-case hex', 'arkTxid');
    if (this.arkTakes.has(c.arkTxid)) return new Rejection('duplicate_ark_tx', `Ark tx ${c.arkTxid} is already booked`, 'arkTxid');
    if (typeof c.vtxo !== 'string' || !c.vtxo.startsWith(`${c.arkTxid}:`) || !/^[0-9a-f]{64}:\d{1,5}$/.test(c.vtxo)) return new Rejection('invalid_argument', 'vtxo must be an output of arkTxid', 'vtxo');
    if (!isSafeInt(c.depositSat) || c.depositSat < 1) return new Rejection('invalid_argument', 'depositSat must be a positive integer', 'depositSat');
    const owner = userOwner(c.account);
    const s = this.seriesFor(c.series);
    if (s instanceof Rejection) return s;
    if (owner === undefined || c.side !== 'FAST' && c.side !== 'SLOW' || !isSafeInt(c.price) || !isSafeInt(c.qty) || c.qty < 1) return new Rejection('invalid_argument', 'account, side, price and qty as for BdcPlaceOrder', 'qty');
    // Fillable in full at the limit, read before anything moves: a refusal below leaves nothing to undo but the credit.
    const reach = s.book.reachable(bookSide(c.side), c.price, c.qty, owner).reduce((t, l) => t + l.qty, 0);
    if (reach < c.qty) return new Rejection('fok_not_fillable', `only ${reach} of ${c.qty} contracts reachable at ${c.price} bps`, 'qty');
    const credit = BigInt(c.depositSat) * 1000n;
    const before = out.length;
    ctx.ledger.transfer(WORLD, owner, credit, 'bdc_ark_stake', out, s.id);
    const refused = this.place({ type: 'BdcPlaceOrder', account: c.account, series: c.series, side: c.side, price: c.price, qty: c.qty, tif: 'FOK', postOnly: false }, ctx, out);
    if (refused) {
      ctx.ledger.transfer(owner, WORLD, credit, 'bdc_ark_stake', out, s.id);
      out.length = before;
      return refused;
    }
    for (const e of out.slice(before)) {
      if (e.type !== 'BdcPositionOpened' || e.account !== idOf(owner)) continue;
      const p = this.positions.get(e.positionId)!;
      p.vtxo = c.vtxo;
      out.push({ type: 'BdcPositionFunded', positionId: p.id, series: s.id, account: idOf(owner), side: p.side, vtxo: c.vtxo, amountSat: p.contracts * s.payoutSat });
    }
    this.arkTakes.add(c.arkTxid);
    return undefined;
  }

  // ───────────────────────────── settlement ─────────────────────────────

  /**
   * The header rule on every block. The engine must never skip a height: when a block does not follow the
   * last one this module saw (a gap h0 → h1 with h1 > h0 + 1, or the first block after series were listed
   * with no block seen), the blocks in between were never shown to it. Their MTPs are bounded by MTP(h1)
   * (MTP never decreases), so the rule at h1 is still exact when
   *   - nothing holds at h1 (no skipped block can have had MTP ≥ T or height ≥ H either),
   *   - SLOW holds at h1 (h1 < H: height H was not reached, and some block ≤ h1 had MTP ≥ T), or
   *   - FAST holds at h1 and either MTP(h1) < T (no skipped block reached T) or H = h0 + 1 (block H is the
   *     first block after the last one seen, whose MTP was below T since the series was still open).
   * Otherwise (block H among the skipped blocks and MTP(h1) ≥ T) the winner depends on MTP(H − 1), which the
   * engine never saw: the series is halted instead of guessed. Resting orders are cancelled (escrow back),
   * positions and the pot stay as they are, nothing is paid, and trading and transfers are refused; the
   * contract VTXOs' unilateral leaves stay every party's fallback. The chain follower feeds every height in
   * order (confirmedHeight + 1, resuming at the engine's tip), so this only fires on a feed that skipped.
   */
  onBlock(ctx: ProductContext, out: EngineEvent[]): void {
    const { height, mtp, hash } = ctx.chain;
    const parent = this.parent;
    const parentMtp = parent !== null && parent.height === height - 1 ? parent.mtp : null;
    // Blocks the engine never saw lie before this one: none after a consecutive block or a replaced one.
    const gap = parent === null || height > parent.height + 1;
    if (this.openIds.length > 0) {
      const decided: [BdcSeries, BdcSide][] = [];
      const halted: BdcSeries[] = [];
      for (const id of this.openIds) {
        const s = this.series.get(id) as BdcSeries;
        const winner = headerRule(s, height, mtp);
        if (winner === undefined) continue;
        const exact = !gap || winner === 'SLOW' || mtp < s.deadline || (parent !== null && s.height === parent.height + 1);
        if (exact) decided.push([s, winner]);
        else halted.push(s);
      }
      for (const [s, winner] of decided) this.settle(s, winner, height, hash, mtp, parentMtp, ctx, out);
      for (const s of halted) this.halt(s, height, hash, mtp, parent, ctx, out);
    }
    this.parent = { height, mtp };
  }

  private halt(s: BdcSeries, height: number, hash: string, mtp: number, parent: { height: number; mtp: number } | null, ctx: ProductContext,
    out: EngineEvent[]): void {
    for (const r of s.book.restingOrders().sort((a, b) => a.id - b.id)) {
      s.book.cancel(r.id);
      this.removeResting(s, this.orders.get(r.id) as BdcOrder, r.qty, 'series_halted', ctx, out);
    }
    s.status = 'halted';
    s.decidedAtHeight = height;
    s.decidedAtHash = hash;
    this.openIds = this.openIds.filter((id) => id !== s.id);
    out.push({
      type: 'BdcSeriesHalted', series: s.id, atHeight: height, atHash: hash, mtp, lastSeenHeight: parent === null ? null : parent.height,
      potMsat: ctx.ledger.balance(potAccount(s.id)), positions: this.positionsOfSeries(s.id).length,
      reason: `block ${s.height} and MTP ≥ ${s.deadline} both lie in heights the engine did not see ` +
        `(${parent === null ? 'no earlier block' : `last seen ${parent.height}`}, now ${height}): the winner depends on MTP(${s.height - 1})`,
    });
  }

  private settle(s: BdcSeries, winner: BdcSide, height: number, hash: string, mtp: number, parentMtp: number | null, ctx: ProductContext,
    out: EngineEvent[]): void {
    for (const r of s.book.restingOrders().sort((a, b) => a.id - b.id)) {
      s.book.cancel(r.id);
      this.removeResting(s, this.orders.get(r.id) as BdcOrder, r.qty, 'series_settled', ctx, out);
    }
    const pot = potAccount(s.id);
    const perContract = BigInt(s.payoutSat) * 1000n;
    let paid = 0n;
    const held = this.positionsOfSeries(s.id);
    for (const p of held) {
      const won = p.side === winner;
      const payout = won ? BigInt(p.contracts) * perContract : 0n;
      // A funded winner is paid by its contract VTXO (which the operator filled from its own liquidity):
      // the pot's share leaves the ledger with it, never as a credit the winner could also withdraw.
      ctx.ledger.transfer(pot, p.vtxo !== undefined ? WORLD : p.owner, payout, p.vtxo !== undefined ? 'bdc_vtxo_payout' : 'bdc_payout', out, s.id);
      paid += payout;
      const e: EngineEvent = { type: 'BdcPositionSettled', positionId: p.id, series: s.id, account: idOf(p.owner), side: p.side, won, payoutMsat: payout };
      if (p.vtxo !== undefined) e.vtxo = p.vtxo;
      out.push(e);
      this.positions.delete(p.id);
    }
    // The pot holds exactly the winners' payouts (one FAST and one SLOW position per fill, stakes summing to
    // the payout). Anything else would be an engine bug; it goes to fees so the ledger stays whole.
    ctx.ledger.transfer(pot, FEES, ctx.ledger.balance(pot), 'settlement_dust', out, s.id);
    s.status = 'settled';
    s.winner = winner;
    s.decidedAtHeight = height;
    s.decidedAtHash = hash;
    this.openIds = this.openIds.filter((id) => id !== s.id);
    out.push({ type: 'BdcSeriesSettled', series: s.id, winner, decidedAtHeight: height, decidedAtHash: hash, mtp, parentMtp, paidMsat: paid, positions: held.length });
  }

  // ───────────────────────────── positions (swap offers) ─────────────────────────────

  transferPosition(positionId: string, from: string, to: string, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const p = typeof positionId === 'string' ? this.positions.get(positionId) : undefined;
    if (p === undefined) {
      const s = typeof positionId === 'string' ? this.series.get(seriesOfPosition(positionId)) : undefined;
      if (s?.status === 'settled') return new Rejection('already_settled', `series ${s.id} is settled; position ${positionId} was paid out`, 'positionId');
      return new Rejection('unknown_position', `unknown position ${String(positionId)}`, 'positionId');
    }
    if (this.series.get(p.series)?.status === 'halted') return new Rejection('not_allowed', `series ${p.series} is halted; its positions cannot move`, 'positionId');
    if (p.vtxo !== undefined) return new Rejection('not_allowed', `position ${p.id} is a contract VTXO (${p.vtxo}): it moves only by an atomic Ark swap its holder signs, not by a ledger transfer`, 'positionId');
    const fromOwner = userOwner(from);
    const toOwner = userOwner(to);
    if (fromOwner === undefined || fromOwner !== p.owner) return new Rejection('not_owner', `${String(from)} does not hold position ${positionId}`, 'from');
    if (toOwner === undefined) return new Rejection('invalid_argument', 'to must be a user account', 'to');
    if (toOwner === fromOwner) return new Rejection('invalid_argument', 'cannot transfer a position to its holder', 'to');
    const s = this.series.get(p.series) as BdcSeries;
    p.owner = toOwner;
    out.push({
      type: 'BdcPositionTransferred', positionId: p.id, series: s.id, height: s.height, deadline: s.deadline, side: p.side,
      from: idOf(fromOwner), to: idOf(toOwner), contracts: p.contracts, amountSat: p.contracts * s.payoutSat,
    });
    return undefined;
  }

  transferSwappedVtxo(positionId: string, from: string, to: string, vtxo: string, out: EngineEvent[]): Rejection | undefined {
    const p = typeof positionId === 'string' ? this.positions.get(positionId) : undefined;
    if (p === undefined) return new Rejection('unknown_position', `unknown position ${String(positionId)}`, 'positionId');
    if (p.vtxo === undefined) return new Rejection('not_allowed', `position ${p.id} is not a contract VTXO yet`, 'positionId');
    if (!/^[0-9a-f]{64}:\d{1,5}$/.test(vtxo) || vtxo === p.vtxo) return new Rejection('invalid_argument', 'vtxo must be the new outpoint txid:vout', 'ark');
    const fromOwner = userOwner(from);
    const toOwner = userOwner(to);
    if (fromOwner === undefined || fromOwner !== p.owner) return new Rejection('not_owner', `${String(from)} does not hold position ${positionId}`, 'from');
    if (toOwner === undefined || toOwner === fromOwner) return new Rejection('invalid_argument', 'to must be another user account', 'to');
    const s = this.series.get(p.series) as BdcSeries;
    if (s.status !== 'open') return new Rejection('not_allowed', `series ${s.id} is ${s.status}`, 'positionId');
    p.owner = toOwner;
    p.vtxo = vtxo;
    out.push({
      type: 'BdcPositionTransferred', positionId: p.id, series: s.id, height: s.height, deadline: s.deadline, side: p.side,
      from: idOf(fromOwner), to: idOf(toOwner), contracts: p.contracts, amountSat: p.contracts * s.payoutSat, vtxo,
    });
    return undefined;
  }

  describePosition(positionId: string, owner: string): BdcPositionDescription | undefined {
    const p = this.positions.get(positionId);
    if (p === undefined || p.owner !== userOwner(owner)) return undefined;
    const s = this.series.get(p.series) as BdcSeries;
    return {
      product: 'bdc', positionId: p.id, series: s.id, height: s.height, deadline: s.deadline, side: p.side, account: idOf(p.owner),
      contracts: p.contracts, payoutSat: s.payoutSat, amountSat: p.contracts * s.payoutSat, stakeMsat: p.stakeMsat,
    };
  }

  // ───────────────────────────── snapshot ─────────────────────────────

  snapshot(): Snapshot {
    const series = this.listSeries();
    const orders: Snapshot['orders'] = [];
    for (const s of series) {
      for (const r of s.book.restingOrders()) {
        const m = this.orders.get(r.id) as BdcOrder;
        orders.push([m.id, m.owner, m.series, m.side, m.price, m.qty, m.clientOrderId ?? null]);
      }
    }
    return {
      v: 1,
      ...(this.maxHorizon === undefined ? {} : { maxHorizon: [this.maxHorizon.blocks, this.maxHorizon.seconds] as [number, number] }),
      nextPosition: this.nextPosition,
      parent: this.parent === null ? null : [this.parent.height, this.parent.mtp],
      series: series.map((s) => [s.id, s.height, s.deadline, s.payoutSat, s.status, s.winner ?? null, s.decidedAtHeight ?? null, s.decidedAtHash ?? null]),
      orders,
      positions: [...this.positions.values()].sort((a, b) => a.n - b.n)
        .map((p) => [p.id, p.n, p.series, p.side, p.owner, p.contracts, p.stakeMsat.toString(), p.vtxo ?? null]),
      ...(this.arkTakes.size > 0 ? { arkTakes: [...this.arkTakes].sort() } : {}),
    };
  }

  restore(state: unknown): void {
    const st = state as Snapshot;
    if (st?.v !== 1) throw new Error('bdc snapshot: unsupported version');
    this.maxHorizon = st.maxHorizon === undefined ? undefined : checkBdcHorizon({ blocks: st.maxHorizon[0], seconds: st.maxHorizon[1] });
    this.series.clear();
    this.orders.clear();
    this.clientIds.clear();
    this.positions.clear();
    this.arkTakes.clear();
    for (const t of st.arkTakes ?? []) this.arkTakes.add(t);
    this.nextPosition = st.nextPosition;
    this.parent = st.parent === null ? null : { height: st.parent[0], mtp: st.parent[1] };
    for (const [id, height, deadline, payoutSat, status, winner, h, hash] of st.series) {
      const s: BdcSeries = { id, height, deadline, payoutSat, book: new OrderBook(), status };
      if (winner !== null) s.winner = winner;
      if (h !== null) s.decidedAtHeight = h;
      if (hash !== null) s.decidedAtHash = hash;
      this.series.set(id, s);
    }
    this.openIds = [...this.series.values()].filter((s) => s.status === 'open').map((s) => s.id).sort(cmp);
    for (const [id, owner, series, side, price, qty, coid] of st.orders) {
      // Priority order, post-only: rebuilds the same queues (a valid book never crosses).
      const r = (this.series.get(series) as BdcSeries).book.submit({ id, account: owner, side: bookSide(side), price, qty, tif: 'GTC', postOnly: true });
      if (!r.accepted || r.restingQty !== qty) throw new Error(`bdc snapshot: order ${id} does not rest`);
      const m: BdcOrder = { id, owner, series, side, price, qty };
      if (coid !== null) m.clientOrderId = coid;
      this.remember(m);
    }
    for (const [id, n, series, side, owner, contracts, stake, vtxo] of st.positions) {
      const p: BdcPosition = { id, n, series, side, owner, contracts, stakeMsat: BigInt(stake) };
      if (typeof vtxo === 'string') p.vtxo = vtxo;
      this.positions.set(id, p);
    }
  }

  // ───────────────────────────── internals ─────────────────────────────

  private open(s: BdcSeries, side: BdcSide, owner: string, contracts: number, stake: bigint): string {
    const n = this.nextPosition++;
    const id = positionIdOf(s.id, n);
    this.positions.set(id, { id, n, series: s.id, side, owner, contracts, stakeMsat: stake });
    return id;
  }

  private remember(m: BdcOrder): void {
    this.orders.set(m.id, m);
    if (m.clientOrderId !== undefined) this.clientIds.set(`${m.owner}\n${m.clientOrderId}`, m.id);
  }

  private forget(m: BdcOrder): void {
    this.orders.delete(m.id);
    if (m.clientOrderId !== undefined) this.clientIds.delete(`${m.owner}\n${m.clientOrderId}`);
  }

  /** Drops a resting order (already out of the book) and returns its escrow to the owner. */
  private removeResting(s: BdcSeries, m: BdcOrder, qty: number, reason: BdcCancelReason, ctx: ProductContext, out: EngineEvent[]): void {
    const release = stakeMsat(m.side, m.price, s.payoutSat, qty);
    ctx.ledger.transfer(escrowAccount(s.id), m.owner, release, 'bdc_escrow_release', out, s.id);
    this.forget(m);
    out.push({ type: 'BdcOrderCancelled', orderId: m.id, account: idOf(m.owner), series: s.id, remainingQty: qty, reason, releasedMsat: release });
  }
}

function bookRejection(res: SubmitResult): Rejection {
  switch (res.rejectReason) {
    case 'post_only_would_cross': return new Rejection('post_only_would_cross', 'post-only order would take liquidity', 'postOnly');
    case 'fok_not_fillable': return new Rejection('fok_not_fillable', 'fill-or-kill order cannot fill completely', 'tif');
    default: return new Rejection('invalid_argument', `order refused by the book (${res.rejectReason ?? 'unknown'})`, res.invalidField ?? 'order');
  }
}

export function createBdcModule(): BdcModule {
  return new BdcModule();
}

