// Swap offers: a holder offers a position of any product (a perp slice, a forward, an option, a block-delta
// contract) for a price; a taker accepts and, in that one command, the price is paid and the position moves
// with its collateral and history (the offchain transfer through the contract's cooperative leaf 1).
//
// Price rule: priceMsat is signed. Positive: the taker pays the maker; negative: the maker pays the taker
// |price| (for a position worth less than nothing); zero: a gift. There is no swap fee.
//
// Nothing is locked while an offer is live: the maker keeps trading the position, so acceptance re-checks
// that the maker still holds what was offered, and at every block an offer whose position is gone lapses.
import { isAccountId, userAccount } from '../../ledger/ledger.js';
import type { EngineEvent } from '../../events.js';
import { Rejection } from '../../rejection.js';
import { absBig, maxBig } from '../../math.js';
import { ceilPpmOf } from '../../ppm.js';
import { HPI_PERP } from '../perp/spec.js';
import type { PerpPositionView, ProductCommandBase, ProductContext, ProductModule } from '../product.js';
import type { AcceptOfferCommand, CancelOfferCommand, OfferPositionCommand } from './commands.js';
import { SWAP_COMMAND_TYPES } from './commands.js';
import type { PerpSide } from './events.js';

export const SWAP = 'swap';
/** The product name swap offers use for the core's perpetual (it is not a ProductModule). */
export const PERP = 'perp';

export interface SwapConfig {
  /** Live offers one account may have at once (bounds the per-block expiry scan). */
  maxOpenOffersPerAccount: number;
  /**
   * Initial margin rate the taker of a perp slice must post, ppm. The ProductContext does not expose a
   * market's spec, so this mirrors HPI-PERP's 10 %; a market configured otherwise needs this set to match.
   */
  perpInitialMarginPpm: number;
}

export const DEFAULT_SWAP_CONFIG: SwapConfig = { maxOpenOffersPerAccount: 100, perpInitialMarginPpm: HPI_PERP.initialMarginPpm };

export type OfferStatus = 'open' | 'cancelled' | 'accepted' | 'expired';

export interface SwapOffer {
  /** The seq of the OfferPosition command. */
  id: number;
  /** User id (no `user:` prefix). */
  maker: string;
  product: string;
  positionId: string;
  /** perp only: lots offered and the maker's direction at offer time. */
  qty: number | null;
  side: PerpSide | null;
  priceMsat: bigint;
  createdAtHeight: number;
  expiresAtHeight: number | null;
  status: OfferStatus;
  taker: string | null;
  closedAtHeight: number | null;
  /** Why an expired offer lapsed. */
  expiredReason: 'height' | 'position_gone' | null;
}

/** A perp slice priced at mark: what moves with `lots` lots of a position, mirroring the core's movePosition. */
export interface PerpSlice {
  /** Signed lots (the holder's direction). */
  qty: number;
  /** The share of the position's cost that moves: all of it for the whole position, else cost × lots / |qty| truncated. */
  costMsat: bigint;
  /** Unsettled value of the slice at mark: qty × mark − cost. */
  valueMsat: bigint;
  /** Initial margin of the slice at mark: ceil(|qty × mark| × imPpm / 10^6). */
  marginMsat: bigint;
}

/** 21 M BTC in msat: no price can be larger. */
const MAX_MSAT = 2_100_000_000_000_000_000n;
const PRICE_RE = /^(0|-?[1-9][0-9]{0,18})$/;
const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** How the swap module names holders to other products: ledger owners, as the core's perp hooks do. */
export const holderOf = (account: string): string => userAccount(account);

export function perpSlice(pos: PerpPositionView, lots: number, mark: number, imPpm: number): PerpSlice {
  const qty = pos.qty > 0 ? lots : -lots;
  const costMsat = qty === pos.qty ? pos.costMsat : (pos.costMsat * BigInt(lots)) / BigInt(Math.abs(pos.qty));
  const notional = BigInt(qty) * BigInt(mark);
  return { qty, costMsat, valueMsat: notional - costMsat, marginMsat: ceilPpmOf(absBig(notional), BigInt(imPpm)) };
}

/**
 * What each side must have free (ctx.available) to accept a perp slice at `priceMsat`. The context gives the
 * taker's free collateral but not its initial margin or resting orders, so the taker's check is the sufficient
 * bound available ≥ price⁺ + slice margin + slice loss at mark: the core's IM is a max of absolute values, so
 * adding the slice raises it by at most the slice's own margin (it may lower it when the taker holds the other
 * side; that case is refused more often than the core would). The maker is checked only when it pays.
 */
export function perpNeeds(slice: PerpSlice, priceMsat: bigint): { takerMsat: bigint; makerMsat: bigint } {
  return {
    takerMsat: maxBig(priceMsat, 0n) + slice.marginMsat + maxBig(-slice.valueMsat, 0n),
    makerMsat: priceMsat < 0n ? -priceMsat + maxBig(slice.valueMsat, 0n) : 0n,
  };
}

const bad = (field: string, msg: string): Rejection => new Rejection('invalid_argument', `${field}: ${msg}`, field);

export class SwapModule implements ProductModule {
  readonly name = SWAP;
  readonly commandTypes = SWAP_COMMAND_TYPES;
  private readonly offers = new Map<number, SwapOffer>();
  /** Ids of the live offers (derived from `offers`). */
  private readonly open = new Set<number>();

  constructor(readonly config: SwapConfig = DEFAULT_SWAP_CONFIG) {}

  apply(command: ProductCommandBase, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    switch (command.type) {
      case 'OfferPosition': return this.offer(command as OfferPositionCommand, ctx, out);
      case 'CancelOffer': return this.cancel(command as CancelOfferCommand, ctx, out);
      case 'AcceptOffer': return this.accept(command as AcceptOfferCommand, ctx, out);
      default: return bad('type', `swap does not handle ${command.type}`);
    }
  }

  onBlock(ctx: ProductContext, out: EngineEvent[]): void {
    if (this.open.size === 0) return;
    const h = ctx.chain.height;
    for (const id of [...this.open].sort((a, b) => a - b)) {
      const o = this.offers.get(id) as SwapOffer;
      let reason: 'height' | 'position_gone' | undefined;
      if (o.expiresAtHeight !== null && h >= o.expiresAtHeight) reason = 'height';
      else if (!this.stillHeld(o, ctx)) reason = 'position_gone';
      if (reason === undefined) continue;
      this.close(o, 'expired', h);
      o.expiredReason = reason;
      out.push({ type: 'SwapOfferExpired', offerId: o.id, maker: o.maker, product: o.product, positionId: o.positionId, reason, height: h });
    }
  }

  // ───────────────────────────── read side ─────────────────────────────

  offerById(id: number): SwapOffer | undefined {
    return this.offers.get(id);
  }

  /** Every offer ever made, by id (oldest first). */
  allOffers(): SwapOffer[] {
    return [...this.offers.values()].sort((a, b) => a.id - b.id);
  }

  /** The product's current summary of what an offer moves (perp: the slice at mark), or undefined if not held. */
  describe(o: SwapOffer, ctx: ProductContext): unknown {
    if (o.product === PERP) {
      const pos = ctx.perp.position(o.positionId, holderOf(o.maker));
      const mark = ctx.perp.mark(o.positionId);
      if (pos === undefined || mark === undefined || !perpCovers(pos, o)) return undefined;
      const s = perpSlice(pos, o.qty as number, mark, this.config.perpInitialMarginPpm);
      return { product: PERP, market: o.positionId, side: o.side, qty: o.qty, costMsat: s.costMsat.toString(), mark,
        valueMsat: s.valueMsat.toString(), marginMsat: s.marginMsat.toString() };
    }
    const mod = ctx.product(o.product);
    return mod?.describePosition?.(o.positionId, holderOf(o.maker));
  }

  // ───────────────────────────── commands ─────────────────────────────

  private offer(c: OfferPositionCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    if (!isAccountId(c.account)) return bad('account', 'must be 1..128 characters of [A-Za-z0-9_.-]');
    if (typeof c.product !== 'string') return bad('product', `must be ${PERP} or a product name`);
    if (typeof c.positionId !== 'string' || c.positionId.length === 0 || c.positionId.length > 128) {
      return bad('positionId', 'must be 1..128 characters');
    }
    const price = parsePrice(c.priceMsat);
    if (price instanceof Rejection) return price;
    if (c.expiresAtHeight !== undefined) {
      if (!isSafeInt(c.expiresAtHeight) || c.expiresAtHeight < 0) return bad('expiresAtHeight', 'must be a non-negative integer height');
      if (c.expiresAtHeight <= ctx.chain.height) {
        return new Rejection('expiry_too_soon', `expiresAtHeight must be above the tip ${ctx.chain.height}`, 'expiresAtHeight');
      }
    }
    if (this.offers.has(ctx.seq)) return new Rejection('not_allowed', `offer id ${ctx.seq} already used`, 'seq');
    let side: PerpSide | null = null;
    let qty: number | null = null;
    let position: unknown;
    if (c.product === PERP) {
      if (!ctx.perp.markets().includes(c.positionId)) return new Rejection('unknown_market', `unknown market ${c.positionId}`, 'positionId');
      if (!isSafeInt(c.qty) || c.qty <= 0) return bad('qty', 'must be a positive integer number of lots');
      const pos = ctx.perp.position(c.positionId, holderOf(c.account));
      if (pos === undefined) return new Rejection('unknown_position', `${c.account} holds no position in ${c.positionId}`, 'positionId');
      if (c.qty > Math.abs(pos.qty)) return bad('qty', `exceeds the position's ${Math.abs(pos.qty)} lots`);
      side = pos.qty > 0 ? 'long' : 'short';
      qty = c.qty;
    } else {
      const mod = c.product === SWAP ? undefined : ctx.product(c.product);
      if (mod?.transferPosition === undefined) return bad('product', `${c.product} has no transferable positions`);
      if (c.qty !== undefined) return bad('qty', `only perp offers take qty`);
      if (mod.describePosition !== undefined) {
        position = mod.describePosition(c.positionId, holderOf(c.account));
        if (position === undefined) return new Rejection('unknown_position', `${c.account} holds no ${c.product} position ${c.positionId}`, 'positionId');
      }
    }
    let live = 0;
    for (const id of this.open) if ((this.offers.get(id) as SwapOffer).maker === c.account) live++;
    if (live >= this.config.maxOpenOffersPerAccount) {
      return new Rejection('exposure_limit', `at most ${this.config.maxOpenOffersPerAccount} live offers per account`, 'account');
    }
    const o: SwapOffer = {
      id: ctx.seq, maker: c.account, product: c.product, positionId: c.positionId, qty, side, priceMsat: price,
      createdAtHeight: ctx.chain.height, expiresAtHeight: c.expiresAtHeight ?? null, status: 'open', taker: null,
      closedAtHeight: null, expiredReason: null,
    };
    this.offers.set(o.id, o);
    this.open.add(o.id);
    if (c.product === PERP) position = this.describe(o, ctx);
    out.push({
      type: 'SwapOfferCreated', offerId: o.id, maker: o.maker, product: o.product, positionId: o.positionId,
      ...(qty !== null ? { qty, side: side as PerpSide } : {}), priceMsat: price,
      ...(o.expiresAtHeight !== null ? { expiresAtHeight: o.expiresAtHeight } : {}),
      ...(position !== undefined ? { position } : {}), height: ctx.chain.height,
    });
    return undefined;
  }

  private cancel(c: CancelOfferCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    if (!isAccountId(c.account)) return bad('account', 'must be 1..128 characters of [A-Za-z0-9_.-]');
    const o = this.liveOffer(c.offerId, ctx);
    if (o instanceof Rejection) return o;
    if (o.maker !== c.account) return new Rejection('not_owner', `offer ${o.id} is not ${c.account}'s`, 'offerId');
    this.close(o, 'cancelled', ctx.chain.height);
    out.push({ type: 'SwapOfferCancelled', offerId: o.id, maker: o.maker, product: o.product, positionId: o.positionId, height: ctx.chain.height });
    return undefined;
  }

  private accept(c: AcceptOfferCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    if (!isAccountId(c.account)) return bad('account', 'must be 1..128 characters of [A-Za-z0-9_.-]');
    const o = this.liveOffer(c.offerId, ctx);
    if (o instanceof Rejection) return o;
    if (o.maker === c.account) return new Rejection('not_allowed', 'a maker cannot accept its own offer', 'account');
    const maker = holderOf(o.maker), taker = holderOf(c.account);
    const P = o.priceMsat;
    if (o.product === PERP) {
      const pos = ctx.perp.position(o.positionId, maker);
      if (pos === undefined || !perpCovers(pos, o)) {
        return new Rejection('not_owner', `${o.maker} no longer holds ${o.qty} ${o.side} lots of ${o.positionId}`, 'offerId');
      }
      const mark = ctx.perp.mark(o.positionId);
      if (mark === undefined) return new Rejection('market_not_ready', 'no mark yet', 'offerId');
      const slice = perpSlice(pos, o.qty as number, mark, this.config.perpInitialMarginPpm);
      const need = perpNeeds(slice, P);
      const r = this.checkFunds(ctx, taker, maker, need.takerMsat, need.makerMsat, P);
      if (r) return r;
      this.pay(ctx, taker, maker, P, out);
      ctx.perp.movePosition(o.positionId, maker, taker, slice.qty, out);
      this.close(o, 'accepted', ctx.chain.height, c.account);
      out.push({
        type: 'SwapOfferAccepted', offerId: o.id, maker: o.maker, taker: c.account, product: PERP, positionId: o.positionId,
        qty: o.qty as number, side: o.side as PerpSide, priceMsat: P, costMsat: slice.costMsat, valueMsat: slice.valueMsat, mark,
        height: ctx.chain.height,
      });
      return undefined;
    }
    const mod = ctx.product(o.product);
    if (mod?.transferPosition === undefined) return new Rejection('unknown_position', `${o.product} positions cannot move`, 'offerId');
    if (mod.describePosition !== undefined && mod.describePosition(o.positionId, maker) === undefined) {
      return new Rejection('not_owner', `${o.maker} no longer holds ${o.product} position ${o.positionId}`, 'offerId');
    }
    if (c.ark !== undefined) {
      if (mod.transferSwappedVtxo === undefined) return new Rejection('not_allowed', `${o.product} positions are not VTXOs`, 'ark');
      if (typeof c.ark !== 'object' || c.ark === null || typeof c.ark.arkTxid !== 'string' || !/^[0-9a-f]{64}$/.test(c.ark.arkTxid)) return bad('ark', 'arkTxid must be 64 lower-case hex');
      const refused = mod.transferSwappedVtxo(o.positionId, maker, taker, typeof c.ark.vtxo === 'string' ? c.ark.vtxo : '', out);
      if (refused) return refused;
      this.close(o, 'accepted', ctx.chain.height, c.account);
      out.push({
        type: 'SwapOfferAccepted', offerId: o.id, maker: o.maker, taker: c.account, product: o.product, positionId: o.positionId,
        priceMsat: P, height: ctx.chain.height, arkTxid: c.ark.arkTxid,
      });
      return undefined;
    }
    const r = this.checkFunds(ctx, taker, maker, maxBig(P, 0n), maxBig(-P, 0n), P);
    if (r) return r;
    // Pay first so the product sees the balances as they will be (a product may require the new holder to
    // post collateral from what is left); if it refuses, the payment is reversed and nothing has changed.
    this.pay(ctx, taker, maker, P, out);
    const refused = mod.transferPosition(o.positionId, maker, taker, ctx, out);
    if (refused) {
      this.pay(ctx, taker, maker, -P, out);
      return refused;
    }
    this.close(o, 'accepted', ctx.chain.height, c.account);
    out.push({
      type: 'SwapOfferAccepted', offerId: o.id, maker: o.maker, taker: c.account, product: o.product, positionId: o.positionId,
      priceMsat: P, height: ctx.chain.height,
    });
    return undefined;
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private liveOffer(id: unknown, ctx: ProductContext): SwapOffer | Rejection {
    if (!isSafeInt(id)) return bad('offerId', 'must be an integer');
    const o = this.offers.get(id);
    if (o === undefined) return new Rejection('unknown_offer', `no offer ${id}`, 'offerId');
    if (o.status !== 'open') return new Rejection('unknown_offer', `offer ${id} is ${o.status}`, 'offerId');
    // onBlock expires offers as blocks connect; this only matters for a context that skipped a block.
    if (o.expiresAtHeight !== null && ctx.chain.height >= o.expiresAtHeight) return new Rejection('unknown_offer', `offer ${id} has expired`, 'offerId');
    return o;
  }

  private checkFunds(ctx: ProductContext, taker: string, maker: string, takerNeed: bigint, makerNeed: bigint, P: bigint): Rejection | undefined {
    const ta = ctx.available(taker);
    if (ta < takerNeed) {
      return ta < P
        ? new Rejection('insufficient_balance', `taker has ${ta} msat free, the price is ${P} msat`, 'account')
        : new Rejection('insufficient_margin', `taker needs ${takerNeed} msat free (price, margin, loss at mark), has ${ta} msat`, 'account');
    }
    if (makerNeed > 0n) {
      const ma = ctx.available(maker);
      if (ma < makerNeed) return new Rejection('insufficient_balance', `maker has ${ma} msat free, owes ${makerNeed} msat`, 'offerId');
    }
    return undefined;
  }

  /** Signed payment: > 0 taker → maker, < 0 maker → taker. */
  private pay(ctx: ProductContext, taker: string, maker: string, P: bigint, out: EngineEvent[]): void {
    if (P > 0n) ctx.ledger.transfer(taker, maker, P, 'swap_payment', out);
    else if (P < 0n) ctx.ledger.transfer(maker, taker, -P, 'swap_payment', out);
  }

  private close(o: SwapOffer, status: Exclude<OfferStatus, 'open'>, height: number, taker?: string): void {
    o.status = status;
    o.closedAtHeight = height;
    if (taker !== undefined) o.taker = taker;
    this.open.delete(o.id);
  }

  private stillHeld(o: SwapOffer, ctx: ProductContext): boolean {
    if (o.product === PERP) {
      const pos = ctx.perp.position(o.positionId, holderOf(o.maker));
      return pos !== undefined && perpCovers(pos, o);
    }
    const mod = ctx.product(o.product);
    if (mod?.transferPosition === undefined) return false;
    return mod.describePosition === undefined || mod.describePosition(o.positionId, holderOf(o.maker)) !== undefined;
  }

  // ───────────────────────────── snapshot ─────────────────────────────

  snapshot(): unknown {
    return {
      offers: this.allOffers().map((o) => [
        o.id, o.maker, o.product, o.positionId, o.qty, o.side, o.priceMsat.toString(), o.createdAtHeight, o.expiresAtHeight,
        o.status, o.taker, o.closedAtHeight, o.expiredReason,
      ]),
    };
  }

  restore(state: unknown): void {
    const s = state as { offers: (string | number | null)[][] };
    this.offers.clear();
    this.open.clear();
    for (const r of s.offers) {
      const [id, maker, product, positionId, qty, side, price, createdAtHeight, expiresAtHeight, status, taker, closedAtHeight, expiredReason] = r;
      const o: SwapOffer = {
        id: id as number, maker: maker as string, product: product as string, positionId: positionId as string,
        qty: qty as number | null, side: side as PerpSide | null, priceMsat: BigInt(price as string),
        createdAtHeight: createdAtHeight as number, expiresAtHeight: expiresAtHeight as number | null, status: status as OfferStatus,
        taker: taker as string | null, closedAtHeight: closedAtHeight as number | null,
        expiredReason: expiredReason as SwapOffer['expiredReason'],
      };
      this.offers.set(o.id, o);
      if (o.status === 'open') this.open.add(o.id);
    }
  }
}

/** The maker still holds at least the offered lots, on the offered side. */
function perpCovers(pos: PerpPositionView, o: SwapOffer): boolean {
  return (pos.qty > 0) === (o.side === 'long') && Math.abs(pos.qty) >= (o.qty as number);
}

function parsePrice(v: unknown): bigint | Rejection {
  if (typeof v !== 'string' || !PRICE_RE.test(v)) return bad('priceMsat', 'must be a signed integer number of msat as a decimal string');
  const p = BigInt(v);
  if (absBig(p) > MAX_MSAT) return bad('priceMsat', 'must not exceed 21 M BTC');
  return p;
}

export function createSwapModule(): SwapModule {
  return new SwapModule();
}
