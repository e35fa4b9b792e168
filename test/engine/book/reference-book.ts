// A deliberately naive order book: one flat array of orders, every question answered by a linear scan and
// a fresh sort. Written to be obviously right, not fast; the differential test holds OrderBook to it.
import type { Fill, OrderSpec, RestingOrder, Side, SubmitResult } from '../../../src/engine/book/types.js';

interface RefOrder extends RestingOrder { seq: number }

export class ReferenceBook {
  private orders: RefOrder[] = [];
  private seq = 0;

  get size(): number {
    return this.orders.length;
  }

  /** Opposite-side orders in the order a taker meets them: best price first, then oldest first. */
  private queue(side: Side): RefOrder[] {
    const opposite = this.orders.filter((o) => o.side !== side);
    return opposite.sort((a, b) => {
      if (a.price !== b.price) return side === 'buy' ? a.price - b.price : b.price - a.price;
      return a.seq - b.seq;
    });
  }

  private crosses(side: Side, limit: number | null, restingPrice: number): boolean {
    if (limit === null) return true;
    return side === 'buy' ? restingPrice <= limit : restingPrice >= limit;
  }

  private reject(reason: NonNullable<SubmitResult['rejectReason']>, field?: keyof OrderSpec): SubmitResult {
    const r: SubmitResult = { accepted: false, rejectReason: reason, fills: [], restingQty: 0, cancelledQty: 0, expired: [] };
    if (field !== undefined) r.invalidField = field;
    return r;
  }

  submit(o: OrderSpec): SubmitResult {
    if (!Number.isSafeInteger(o.id)) return this.reject('invalid', 'id');
    if (o.account === '') return this.reject('invalid', 'account');
    if (o.price !== null && !(Number.isSafeInteger(o.price) && o.price > 0)) return this.reject('invalid', 'price');
    if (!(Number.isSafeInteger(o.qty) && o.qty > 0)) return this.reject('invalid', 'qty');
    if (o.postOnly && (o.price === null || o.tif !== 'GTC')) return this.reject('invalid', 'postOnly');
    if (this.orders.some((r) => r.id === o.id)) return this.reject('duplicate_id');

    const queue = this.queue(o.side);
    if (o.postOnly && queue.length > 0 && this.crosses(o.side, o.price, queue[0].price)) {
      return this.reject('post_only_would_cross');
    }
    if (o.tif === 'FOK') {
      let available = 0;
      for (const r of queue) {
        if (this.crosses(o.side, o.price, r.price) && r.account !== o.account) available += r.qty;
      }
      if (available < o.qty) return this.reject('fok_not_fillable');
    }

    const fills: Fill[] = [];
    const expired: RestingOrder[] = [];
    let remaining = o.qty;
    for (const r of queue) {
      if (remaining === 0 || !this.crosses(o.side, o.price, r.price)) break;
      if (r.account === o.account) {
        expired.push(this.plain(r));
        this.orders = this.orders.filter((x) => x !== r);
        continue;
      }
      const q = Math.min(remaining, r.qty);
      r.qty -= q;
      remaining -= q;
      fills.push({
        makerId: r.id, takerId: o.id, makerAccount: r.account, takerAccount: o.account,
        takerSide: o.side, price: r.price, qty: q, makerRemaining: r.qty,
      });
      if (r.qty === 0) this.orders = this.orders.filter((x) => x !== r);
    }

    const rests = remaining > 0 && o.price !== null && o.tif === 'GTC';
    if (rests) {
      this.orders.push({ id: o.id, account: o.account, side: o.side, price: o.price as number, qty: remaining, seq: this.seq++ });
    }
    return { accepted: true, fills, restingQty: rests ? remaining : 0, cancelledQty: rests ? 0 : remaining, expired };
  }

  cancel(id: number): RestingOrder | undefined {
    const found = this.orders.find((r) => r.id === id);
    if (found === undefined) return undefined;
    this.orders = this.orders.filter((r) => r !== found);
    return this.plain(found);
  }

  amend(id: number, change: { price?: number; qty?: number }): { order?: RestingOrder; result?: SubmitResult } | undefined {
    const found = this.orders.find((r) => r.id === id);
    if (found === undefined) return undefined;
    const price = change.price ?? found.price;
    const qty = change.qty ?? found.qty;
    if (price === found.price && qty <= found.qty) {
      found.qty = qty; // keeps its seq: time priority unchanged
      return { order: this.plain(found) };
    }
    this.cancel(id);
    const result = this.submit({ id, account: found.account, side: found.side, price, qty, tif: 'GTC', postOnly: false });
    const rested = this.get(id);
    return rested === undefined ? { result } : { order: rested, result };
  }

  get(id: number): RestingOrder | undefined {
    const found = this.orders.find((r) => r.id === id);
    return found === undefined ? undefined : this.plain(found);
  }

  bestBid(): number | undefined {
    const prices = this.orders.filter((r) => r.side === 'buy').map((r) => r.price);
    return prices.length === 0 ? undefined : Math.max(...prices);
  }

  bestAsk(): number | undefined {
    const prices = this.orders.filter((r) => r.side === 'sell').map((r) => r.price);
    return prices.length === 0 ? undefined : Math.min(...prices);
  }

  depth(side: Side, levels: number): { price: number; qty: number; orders: number }[] {
    const out: { price: number; qty: number; orders: number }[] = [];
    // The orders a taker of the other side would meet, grouped by price.
    for (const r of this.queue(side === 'buy' ? 'sell' : 'buy')) {
      const last = out[out.length - 1];
      if (last !== undefined && last.price === r.price) {
        last.qty += r.qty;
        last.orders += 1;
      } else {
        out.push({ price: r.price, qty: r.qty, orders: 1 });
      }
    }
    return out.slice(0, levels);
  }

  restingOrders(): RestingOrder[] {
    return [...this.queue('sell'), ...this.queue('buy')].map((r) => this.plain(r));
  }

  ordersOf(account: string): RestingOrder[] {
    return this.orders.filter((r) => r.account === account).sort((a, b) => a.seq - b.seq).map((r) => this.plain(r));
  }

  private plain(r: RefOrder): RestingOrder {
    return { id: r.id, account: r.account, side: r.side, price: r.price, qty: r.qty };
  }
}
