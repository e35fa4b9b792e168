// The central limit order book of one market: price-time priority on integer ticks and lots.
// Pure and deterministic (no clock, no randomness): time priority is arrival order in the queues.
import { InvalidArgumentError } from '../../units/errors.js';
import { OrderNode, PriceLadder, type PriceLevel } from './price-ladder.js';
import type { AmendResult, DepthLevel, Fill, OrderSpec, RestingOrder, Side, SubmitResult } from './types.js';

/** An account's resting orders: an intrusive list through the nodes, plus per-side counts for STP-aware FOK. */
class AccountOrders {
  head: OrderNode | null = null;
  tail: OrderNode | null = null;
  buys = 0;
  sells = 0;
}

function copyOf(node: OrderNode): RestingOrder {
  return { id: node.id, account: node.account, side: node.isBuy ? 'buy' : 'sell', price: node.price, qty: node.qty };
}

function rejected(reason: NonNullable<SubmitResult['rejectReason']>, field?: keyof OrderSpec): SubmitResult {
  const r: SubmitResult = { accepted: false, rejectReason: reason, fills: [], restingQty: 0, cancelledQty: 0, expired: [] };
  if (field !== undefined) r.invalidField = field;
  return r;
}

/** Returns the first invalid field of `o`, or undefined when the spec is well formed. */
function invalidField(o: OrderSpec): keyof OrderSpec | undefined {
  if (!Number.isSafeInteger(o.id)) return 'id';
  if (typeof o.account !== 'string' || o.account.length === 0) return 'account';
  if (o.side !== 'buy' && o.side !== 'sell') return 'side';
  if (o.price !== null && !(Number.isSafeInteger(o.price) && o.price > 0)) return 'price';
  if (!(Number.isSafeInteger(o.qty) && o.qty > 0)) return 'qty';
  if (o.tif !== 'GTC' && o.tif !== 'IOC' && o.tif !== 'FOK') return 'tif';
  if (typeof o.postOnly !== 'boolean') return 'postOnly';
  // Post-only means "rest as maker": it needs a limit price and a GTC life.
  if (o.postOnly && (o.price === null || o.tif !== 'GTC')) return 'postOnly';
  return undefined;
}

/**
 * Semantics (the engine relies on these):
 * - Market orders (price null) never rest: the remainder is cancelled (tif GTC/IOC), or the whole order is
 *   refused unless fully fillable (tif FOK).
 * - Post-only is refused if its price reaches the best opposite price, whoever owns that order.
 * - FOK is checked before anything changes; same-account orders do not count as liquidity (STP would expire
 *   them) and a refused FOK expires nothing.
 * - Self-trade prevention: a resting order of the taker's account met while matching is removed (reported in
 *   `expired`) and matching continues behind it.
 * - A rejected order changes nothing: fills [], restingQty 0, cancelledQty 0.
 */
export class OrderBook {
  private readonly bids = new PriceLadder(true);
  private readonly asks = new PriceLadder(false);
  private readonly orders = new Map<number, OrderNode>();
  private readonly accounts = new Map<string, AccountOrders>();

  get size(): number {
    return this.orders.size;
  }

  submit(o: OrderSpec): SubmitResult {
    const bad = invalidField(o);
    if (bad !== undefined) return rejected('invalid', bad);
    if (this.orders.has(o.id)) return rejected('duplicate_id');
    const isBuy = o.side === 'buy';
    const own = isBuy ? this.bids : this.asks;
    const opp = isBuy ? this.asks : this.bids;
    // Keeps every level and side total a safe integer, whatever the engine lets through.
    if (own.totalQty + o.qty > Number.MAX_SAFE_INTEGER) return rejected('invalid', 'qty');
    const limit = o.price;
    if (o.postOnly) {
      const best = opp.best();
      if (best !== undefined && (isBuy ? best.price <= (limit as number) : best.price >= (limit as number))) {
        return rejected('post_only_would_cross');
      }
    } else if (o.tif === 'FOK' && !this.fillable(opp, isBuy, limit, o.qty, o.account)) {
      return rejected('fok_not_fillable');
    }

    const fills: Fill[] = [];
    const expired: RestingOrder[] = [];
    let remaining = o.qty;
    const levels = opp.levels;
    while (remaining > 0 && levels.length > 0) {
      const level = levels[levels.length - 1];
      if (limit !== null && (isBuy ? level.price > limit : level.price < limit)) break;
      let node = level.head;
      while (node !== null && remaining > 0) {
        const next = node.next;
        if (node.account === o.account) {
          expired.push(copyOf(node));
          this.unlink(node);
        } else {
          const q = remaining < node.qty ? remaining : node.qty;
          remaining -= q;
          opp.reduce(node, q);
          fills.push({
            makerId: node.id, takerId: o.id, makerAccount: node.account, takerAccount: o.account,
            takerSide: o.side, price: node.price, qty: q, makerRemaining: node.qty,
          });
          if (node.qty === 0) this.unlink(node);
        }
        node = next;
      }
    }

    let restingQty = 0;
    let cancelledQty = 0;
    if (remaining > 0) {
      if (limit !== null && o.tif === 'GTC') {
        restingQty = remaining;
        this.rest(own, o.id, o.account, limit, remaining);
      } else {
        cancelledQty = remaining;
      }
    }
    return { accepted: true, fills, restingQty, cancelledQty, expired };
  }

  cancel(id: number): RestingOrder | undefined {
    const node = this.orders.get(id);
    if (node === undefined) return undefined;
    const out = copyOf(node);
    this.unlink(node);
    return out;
  }

  /**
   * Changes a resting order's price and/or remaining quantity.
   * Same price and a smaller quantity: reduced in place, time priority kept → { order }.
   * Same price and quantity: nothing changes → { order }.
   * Otherwise: cancel + submit (GTC, not post-only, same id and account), which may trade
   * → { order (if any remainder rests), result }.
   * Unknown id → undefined. A malformed change throws InvalidArgumentError naming the field.
   */
  amend(id: number, change: { price?: number; qty?: number }): AmendResult | undefined {
    if (change.price !== undefined && !(Number.isSafeInteger(change.price) && change.price > 0)) {
      throw new InvalidArgumentError('price', `expected a positive integer tick, got ${String(change.price)}`);
    }
    if (change.qty !== undefined && !(Number.isSafeInteger(change.qty) && change.qty > 0)) {
      throw new InvalidArgumentError('qty', `expected a positive integer lot count, got ${String(change.qty)}`);
    }
    const node = this.orders.get(id);
    if (node === undefined) return undefined;
    const price = change.price ?? node.price;
    const qty = change.qty ?? node.qty;
    if (price === node.price && qty <= node.qty) {
      if (qty < node.qty) (node.isBuy ? this.bids : this.asks).reduce(node, node.qty - qty);
      return { order: copyOf(node) };
    }
    const account = node.account;
    const side: Side = node.isBuy ? 'buy' : 'sell';
    this.unlink(node);
    const result = this.submit({ id, account, side, price, qty, tif: 'GTC', postOnly: false });
    const rested = this.orders.get(id);
    return rested === undefined ? { result } : { order: copyOf(rested), result };
  }

  get(id: number): RestingOrder | undefined {
    const node = this.orders.get(id);
    return node === undefined ? undefined : copyOf(node);
  }

  bestBid(): number | undefined {
    return this.bids.best()?.price;
  }

  bestAsk(): number | undefined {
    return this.asks.best()?.price;
  }

  /** The best `levels` price levels of one side, best first. */
  depth(side: Side, levels: number): DepthLevel[] {
    const ladder = side === 'buy' ? this.bids.levels : this.asks.levels;
    const out: DepthLevel[] = [];
    for (let i = ladder.length - 1; i >= 0 && out.length < levels; i--) {
      const l = ladder[i];
      out.push({ price: l.price, qty: l.qty, orders: l.count });
    }
    return out;
  }

  /** Every resting order: bids best-first, then asks best-first; within a price, oldest first. */
  restingOrders(): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (const ladder of [this.bids, this.asks]) {
      for (let i = ladder.levels.length - 1; i >= 0; i--) {
        for (let n = ladder.levels[i].head; n !== null; n = n.next) out.push(copyOf(n));
      }
    }
    return out;
  }

  /** An account's resting orders in arrival order (for reduce-only checks and cancel-all). */
  ordersOf(account: string): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (let n = this.accounts.get(account)?.head ?? null; n !== null; n = n.accountNext) out.push(copyOf(n));
    return out;
  }

  /** Whether a FOK taker can fill `qty` now, walking levels without mutating anything. */
  private fillable(opp: PriceLadder, isBuy: boolean, limit: number | null, qty: number, account: string): boolean {
    const selfCross = this.restsOpposite(account, isBuy);
    const levels = opp.levels;
    let sum = 0;
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i];
      if (limit !== null && (isBuy ? level.price > limit : level.price < limit)) return false;
      sum += liquidityAt(level, account, selfCross);
      if (sum >= qty) return true;
    }
    return false;
  }

  /**
   * The opposite levels a taker on `side` would reach, best first, up to `limit` and `qty` lots, each with the
   * quantity it could take there (the account's own orders left out: STP would expire them). Reads only.
   */
  reachable(side: Side, limit: number, qty: number, account: string): { price: number; qty: number }[] {
    const isBuy = side === 'buy';
    const selfCross = this.restsOpposite(account, isBuy);
    const levels = (isBuy ? this.asks : this.bids).levels;
    const out: { price: number; qty: number }[] = [];
    let sum = 0;
    for (let i = levels.length - 1; i >= 0 && sum < qty; i--) {
      const level = levels[i];
      if (isBuy ? level.price > limit : level.price < limit) break;
      const q = liquidityAt(level, account, selfCross);
      if (q <= 0) continue;
      out.push({ price: level.price, qty: q });
      sum += q;
    }
    return out;
  }

  /** Only when the account rests on the opposite side can STP remove liquidity: then count order by order. */
  private restsOpposite(account: string, isBuy: boolean): boolean {
    const acct = this.accounts.get(account);
    return acct !== undefined && (isBuy ? acct.sells : acct.buys) > 0;
  }

  private rest(ladder: PriceLadder, id: number, account: string, price: number, qty: number): void {
    const node = ladder.append(id, account, price, qty);
    this.orders.set(id, node);
    let acct = this.accounts.get(account);
    if (acct === undefined) {
      acct = new AccountOrders();
      this.accounts.set(account, acct);
    }
    node.accountPrev = acct.tail;
    if (acct.tail === null) acct.head = node;
    else acct.tail.accountNext = node;
    acct.tail = node;
    if (node.isBuy) acct.buys++;
    else acct.sells++;
  }

  /** Removes a resting order from every index. */
  private unlink(node: OrderNode): void {
    (node.isBuy ? this.bids : this.asks).remove(node);
    this.orders.delete(node.id);
    const acct = this.accounts.get(node.account) as AccountOrders;
    const { accountPrev: prev, accountNext: next } = node;
    if (prev === null) acct.head = next;
    else prev.accountNext = next;
    if (next === null) acct.tail = prev;
    else next.accountPrev = prev;
    node.accountPrev = node.accountNext = null;
    if (node.isBuy) acct.buys--;
    else acct.sells--;
    if (acct.head === null) this.accounts.delete(node.account);
  }
}

/** What a taker of `account` can take at one level: all of it, or (selfCross) everyone's orders but its own. */
function liquidityAt(level: PriceLevel, account: string, selfCross: boolean): number {
  if (!selfCross) return level.qty;
  let q = 0;
  for (let n = level.head; n !== null; n = n.next) if (n.account !== account) q += n.qty;
  return q;
}
