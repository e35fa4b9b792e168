// Hand-computed cases for every order type, self-trade prevention and the amend priority rules.
import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../../src/engine/book/order-book.js';
import type { OrderSpec } from '../../../src/engine/book/types.js';
import { HashPerpError } from '../../../src/units/errors.js';

function limit(id: number, account: string, side: 'buy' | 'sell', price: number, qty: number, extra: Partial<OrderSpec> = {}): OrderSpec {
  return { id, account, side, price, qty, tif: 'GTC', postOnly: false, ...extra };
}
function market(id: number, account: string, side: 'buy' | 'sell', qty: number, extra: Partial<OrderSpec> = {}): OrderSpec {
  return { id, account, side, price: null, qty, tif: 'IOC', postOnly: false, ...extra };
}

/** Asks: 101 ×5 (id 1, alice), 101 ×3 (id 2, bob), 103 ×10 (id 3, carol). Bids: 99 ×4 (id 4, dave), 98 ×6 (id 5, erin). */
function seeded(): OrderBook {
  const b = new OrderBook();
  for (const o of [
    limit(1, 'alice', 'sell', 101, 5), limit(2, 'bob', 'sell', 101, 3), limit(3, 'carol', 'sell', 103, 10),
    limit(4, 'dave', 'buy', 99, 4), limit(5, 'erin', 'buy', 98, 6),
  ]) expect(b.submit(o)).toMatchObject({ accepted: true, restingQty: o.qty, fills: [] });
  return b;
}

describe('limit GTC', () => {
  it('rests without crossing and reports best prices and depth', () => {
    const b = seeded();
    expect(b.bestBid()).toBe(99);
    expect(b.bestAsk()).toBe(101);
    expect(b.size).toBe(5);
    expect(b.depth('sell', 10)).toEqual([{ price: 101, qty: 8, orders: 2 }, { price: 103, qty: 10, orders: 1 }]);
    expect(b.depth('buy', 1)).toEqual([{ price: 99, qty: 4, orders: 1 }]);
  });

  it('sweeps levels in price then time order at the makers\' prices and rests the remainder', () => {
    const b = seeded();
    const r = b.submit(limit(10, 'zed', 'buy', 103, 12));
    // 5 @101 from id 1 (older), 3 @101 from id 2, then 4 of id 3's 10 @103: 12 in all, nothing rests.
    expect(r).toEqual({
      accepted: true, restingQty: 0, cancelledQty: 0, expired: [],
      fills: [
        { makerId: 1, takerId: 10, makerAccount: 'alice', takerAccount: 'zed', takerSide: 'buy', price: 101, qty: 5, makerRemaining: 0 },
        { makerId: 2, takerId: 10, makerAccount: 'bob', takerAccount: 'zed', takerSide: 'buy', price: 101, qty: 3, makerRemaining: 0 },
        { makerId: 3, takerId: 10, makerAccount: 'carol', takerAccount: 'zed', takerSide: 'buy', price: 103, qty: 4, makerRemaining: 6 },
      ],
    });
    expect(b.get(3)).toEqual({ id: 3, account: 'carol', side: 'sell', price: 103, qty: 6 });
    expect(b.bestAsk()).toBe(103);
  });

  it('stops at its limit price and rests the rest at that price', () => {
    const b = seeded();
    const r = b.submit(limit(10, 'zed', 'buy', 102, 20));
    expect(r.fills.map((f) => [f.makerId, f.qty])).toEqual([[1, 5], [2, 3]]);
    expect(r.restingQty).toBe(12);
    expect(b.bestBid()).toBe(102);
    expect(b.bestAsk()).toBe(103);
    expect(b.get(10)).toEqual({ id: 10, account: 'zed', side: 'buy', price: 102, qty: 12 });
  });

  it('refuses a duplicate id while the first order rests, accepts it once gone', () => {
    const b = seeded();
    expect(b.submit(limit(4, 'zed', 'sell', 120, 1))).toMatchObject({ accepted: false, rejectReason: 'duplicate_id' });
    b.cancel(4);
    expect(b.submit(limit(4, 'zed', 'sell', 120, 1)).accepted).toBe(true);
  });

  it('rejects malformed specs naming the field, without changing the book', () => {
    const b = seeded();
    const cases: [Partial<OrderSpec>, keyof OrderSpec][] = [
      [{ qty: 0 }, 'qty'], [{ qty: 2.5 }, 'qty'], [{ price: 0 }, 'price'], [{ price: 1.5 }, 'price'],
      [{ id: Number.NaN }, 'id'], [{ account: '' }, 'account'], [{ side: 'up' as never }, 'side'],
      [{ tif: 'GTD' as never }, 'tif'], [{ postOnly: true, tif: 'IOC' }, 'postOnly'],
    ];
    for (const [patch, field] of cases) {
      expect(b.submit(limit(50, 'zed', 'buy', 101, 1, patch))).toEqual({
        accepted: false, rejectReason: 'invalid', invalidField: field, fills: [], restingQty: 0, cancelledQty: 0, expired: [],
      });
    }
    expect(b.size).toBe(5);
    expect(b.bestAsk()).toBe(101);
  });

  it('refuses an order that would push a side total past 2^53', () => {
    const b = new OrderBook();
    expect(b.submit(limit(1, 'a', 'buy', 10, Number.MAX_SAFE_INTEGER)).accepted).toBe(true);
    expect(b.submit(limit(2, 'b', 'buy', 9, 1))).toMatchObject({ accepted: false, rejectReason: 'invalid', invalidField: 'qty' });
  });
});

describe('market, IOC, FOK, post-only', () => {
  it('market order takes what there is and cancels the remainder', () => {
    const b = seeded();
    const r = b.submit(market(10, 'zed', 'sell', 12));
    expect(r.fills.map((f) => [f.makerId, f.price, f.qty])).toEqual([[4, 99, 4], [5, 98, 6]]);
    expect(r).toMatchObject({ accepted: true, restingQty: 0, cancelledQty: 2 });
    expect(b.bestBid()).toBeUndefined();
    expect(b.get(10)).toBeUndefined();
  });

  it('market order on an empty side is accepted and fully cancelled', () => {
    expect(new OrderBook().submit(market(1, 'a', 'buy', 7))).toEqual({
      accepted: true, fills: [], restingQty: 0, cancelledQty: 7, expired: [],
    });
  });

  it('IOC fills up to its limit and never rests', () => {
    const b = seeded();
    const r = b.submit(limit(10, 'zed', 'buy', 101, 10, { tif: 'IOC' }));
    expect(r.fills.map((f) => f.qty)).toEqual([5, 3]);
    expect(r).toMatchObject({ restingQty: 0, cancelledQty: 2 });
    expect(b.get(10)).toBeUndefined();
    expect(b.bestBid()).toBe(99);
  });

  it('FOK fills completely across levels or is refused with the book untouched', () => {
    const b = seeded();
    // 8 at 101 + 10 at 103 = 18 within 103: 19 is refused, 18 fills.
    expect(b.submit(limit(10, 'zed', 'buy', 103, 19, { tif: 'FOK' }))).toMatchObject({ accepted: false, rejectReason: 'fok_not_fillable', fills: [] });
    expect(b.depth('sell', 5)).toEqual([{ price: 101, qty: 8, orders: 2 }, { price: 103, qty: 10, orders: 1 }]);
    // Within 101 only 8 are available.
    expect(b.submit(limit(11, 'zed', 'buy', 101, 9, { tif: 'FOK' })).rejectReason).toBe('fok_not_fillable');
    const r = b.submit(limit(12, 'zed', 'buy', 103, 18, { tif: 'FOK' }));
    expect(r).toMatchObject({ accepted: true, restingQty: 0, cancelledQty: 0 });
    expect(r.fills.map((f) => f.qty)).toEqual([5, 3, 10]);
    expect(b.bestAsk()).toBeUndefined();
  });

  it('FOK market order: all or nothing at any price', () => {
    const b = seeded();
    expect(b.submit(market(10, 'zed', 'sell', 11, { tif: 'FOK' })).rejectReason).toBe('fok_not_fillable');
    expect(b.submit(market(11, 'zed', 'sell', 10, { tif: 'FOK' })).fills.map((f) => f.qty)).toEqual([4, 6]);
  });

  it('FOK does not count the taker\'s own orders, which STP would expire', () => {
    const b = seeded();
    // alice owns 5 of the 8 at 101: only bob's 3 are liquidity for her.
    expect(b.submit(limit(10, 'alice', 'buy', 101, 4, { tif: 'FOK' })).rejectReason).toBe('fok_not_fillable');
    expect(b.get(1)?.qty).toBe(5); // a refused FOK expires nothing
    const r = b.submit(limit(11, 'alice', 'buy', 101, 3, { tif: 'FOK' }));
    expect(r.expired).toEqual([{ id: 1, account: 'alice', side: 'sell', price: 101, qty: 5 }]);
    expect(r.fills.map((f) => [f.makerId, f.qty])).toEqual([[2, 3]]);
  });

  it('post-only rests when passive and is refused when it would cross or touch', () => {
    const b = seeded();
    expect(b.submit(limit(10, 'zed', 'buy', 101, 1, { postOnly: true }))).toMatchObject({ accepted: false, rejectReason: 'post_only_would_cross' });
    expect(b.submit(limit(11, 'zed', 'sell', 99, 1, { postOnly: true })).rejectReason).toBe('post_only_would_cross');
    expect(b.submit(limit(12, 'zed', 'buy', 100, 2, { postOnly: true }))).toMatchObject({ accepted: true, restingQty: 2, fills: [] });
    expect(b.bestBid()).toBe(100);
    expect(b.size).toBe(6);
  });
});

describe('self-trade prevention', () => {
  it('expires the taker\'s resting orders it meets and keeps matching behind them', () => {
    const b = new OrderBook();
    b.submit(limit(1, 'alice', 'sell', 100, 5));
    b.submit(limit(2, 'bob', 'sell', 100, 3));
    b.submit(limit(3, 'alice', 'sell', 101, 2));
    b.submit(limit(4, 'carol', 'sell', 101, 4));
    b.submit(limit(5, 'alice', 'sell', 102, 9)); // beyond the taker's reach: must stay
    const r = b.submit(limit(10, 'alice', 'buy', 101, 10));
    expect(r.expired).toEqual([
      { id: 1, account: 'alice', side: 'sell', price: 100, qty: 5 },
      { id: 3, account: 'alice', side: 'sell', price: 101, qty: 2 },
    ]);
    expect(r.fills.map((f) => [f.makerId, f.price, f.qty])).toEqual([[2, 100, 3], [4, 101, 4]]);
    expect(r).toMatchObject({ accepted: true, restingQty: 3, cancelledQty: 0 });
    expect(b.get(5)?.qty).toBe(9);
    expect(b.bestBid()).toBe(101);
    expect(b.bestAsk()).toBe(102);
    expect(b.ordersOf('alice').map((o) => o.id)).toEqual([5, 10]);
  });

  it('does not expire own orders the taker never reaches', () => {
    const b = new OrderBook();
    b.submit(limit(1, 'bob', 'sell', 100, 5));
    b.submit(limit(2, 'alice', 'sell', 100, 5));
    const r = b.submit(limit(3, 'alice', 'buy', 100, 5));
    expect(r.expired).toEqual([]);
    expect(r.fills.map((f) => f.makerId)).toEqual([1]);
    expect(b.get(2)?.qty).toBe(5);
  });
});

describe('cancel', () => {
  it('removes from the middle of a deep queue, keeping the others\' order', () => {
    const b = new OrderBook();
    for (let id = 1; id <= 1000; id++) b.submit(limit(id, `a${id}`, 'buy', 50, 1));
    expect(b.cancel(500)).toEqual({ id: 500, account: 'a500', side: 'buy', price: 50, qty: 1 });
    expect(b.cancel(500)).toBeUndefined();
    expect(b.cancel(1)?.id).toBe(1);
    expect(b.cancel(1000)?.id).toBe(1000);
    expect(b.depth('buy', 1)).toEqual([{ price: 50, qty: 997, orders: 997 }]);
    const r = b.submit(market(2000, 'z', 'sell', 3));
    expect(r.fills.map((f) => f.makerId)).toEqual([2, 3, 4]);
  });

  it('drops an emptied level that is not the best one', () => {
    const b = seeded();
    b.cancel(5);
    expect(b.depth('buy', 10)).toEqual([{ price: 99, qty: 4, orders: 1 }]);
    b.cancel(1);
    b.cancel(2);
    expect(b.bestAsk()).toBe(103);
    expect(b.size).toBe(2);
  });
});

describe('amend', () => {
  it('a quantity decrease keeps time priority', () => {
    const b = seeded();
    expect(b.amend(1, { qty: 2 })).toEqual({ order: { id: 1, account: 'alice', side: 'sell', price: 101, qty: 2 } });
    const r = b.submit(market(10, 'zed', 'buy', 3));
    expect(r.fills.map((f) => [f.makerId, f.qty])).toEqual([[1, 2], [2, 1]]);
  });

  it('a quantity increase loses time priority', () => {
    const b = seeded();
    const a = b.amend(1, { qty: 6 });
    expect(a?.order).toEqual({ id: 1, account: 'alice', side: 'sell', price: 101, qty: 6 });
    expect(a?.result).toMatchObject({ accepted: true, fills: [], restingQty: 6 });
    const r = b.submit(market(10, 'zed', 'buy', 4));
    expect(r.fills.map((f) => [f.makerId, f.qty])).toEqual([[2, 3], [1, 1]]);
  });

  it('a price change re-queues at the back of the new level', () => {
    const b = seeded();
    b.amend(3, { price: 101 });
    expect(b.depth('sell', 1)).toEqual([{ price: 101, qty: 18, orders: 3 }]);
    const r = b.submit(market(10, 'zed', 'buy', 9));
    expect(r.fills.map((f) => f.makerId)).toEqual([1, 2, 3]);
  });

  it('a crossing price change trades as a GTC taker and returns the submit result', () => {
    const b = seeded();
    const a = b.amend(4, { price: 103, qty: 10 });
    // dave now buys 10 up to 103: 5 + 3 at 101, 2 at 103; nothing rests.
    expect(a?.order).toBeUndefined();
    expect(a?.result?.fills.map((f) => [f.makerId, f.takerId, f.price, f.qty])).toEqual([[1, 4, 101, 5], [2, 4, 101, 3], [3, 4, 103, 2]]);
    expect(b.get(4)).toBeUndefined();
    expect(b.bestBid()).toBe(98);
  });

  it('same price and quantity is a no-op; unknown ids give undefined; bad changes throw naming the field', () => {
    const b = seeded();
    expect(b.amend(2, { price: 101, qty: 3 })).toEqual({ order: { id: 2, account: 'bob', side: 'sell', price: 101, qty: 3 } });
    expect(b.amend(99, { qty: 1 })).toBeUndefined();
    expect(() => b.amend(2, { qty: 0 })).toThrow(HashPerpError);
    expect(() => b.amend(2, { price: 1.5 })).toThrow(/price/);
  });
});

describe('snapshots for the engine', () => {
  it('restingOrders lists bids best-first then asks best-first, FIFO within a price', () => {
    const b = seeded();
    b.submit(limit(6, 'fay', 'buy', 99, 1));
    expect(b.restingOrders().map((o) => o.id)).toEqual([4, 6, 5, 1, 2, 3]);
  });

  it('ordersOf lists an account\'s orders in arrival order', () => {
    const b = seeded();
    b.submit(limit(7, 'alice', 'buy', 90, 1));
    b.submit(limit(8, 'alice', 'sell', 110, 1));
    b.cancel(7);
    expect(b.ordersOf('alice').map((o) => o.id)).toEqual([1, 8]);
    expect(b.ordersOf('nobody')).toEqual([]);
  });

  it('returned orders are copies: mutating them does not change the book', () => {
    const b = seeded();
    const o = b.get(1) as { qty: number };
    o.qty = 1000;
    expect(b.get(1)?.qty).toBe(5);
  });
});

describe('reachable (what a taker would take, read before it is submitted)', () => {
  it('walks the opposite levels best first up to the limit and the size, and changes nothing', () => {
    const b = seeded();
    // A buy of 9 up to 103: 101 holds 8 (alice 5 + bob 3), the walk stops once 9 is covered at 103.
    expect(b.reachable('buy', 103, 9, 'zed')).toEqual([{ price: 101, qty: 8 }, { price: 103, qty: 10 }]);
    expect(b.reachable('buy', 102, 50, 'zed')).toEqual([{ price: 101, qty: 8 }]);
    expect(b.reachable('buy', 100, 1, 'zed')).toEqual([]);
    expect(b.reachable('sell', 98, 5, 'zed')).toEqual([{ price: 99, qty: 4 }, { price: 98, qty: 6 }]);
    expect(b.depth('sell', 10)).toEqual([{ price: 101, qty: 8, orders: 2 }, { price: 103, qty: 10, orders: 1 }]);
  });

  it("leaves out the taker's own resting orders (STP would expire them), skipping a level that is all its own", () => {
    const b = seeded();
    // alice's 5 at 101 are not liquidity for alice: 3 of bob's remain there.
    expect(b.reachable('buy', 103, 4, 'alice')).toEqual([{ price: 101, qty: 3 }, { price: 103, qty: 10 }]);
    // dave's 99 is entirely dave's own: he reaches erin at 98 only.
    expect(b.reachable('sell', 98, 5, 'dave')).toEqual([{ price: 98, qty: 6 }]);
  });
});
