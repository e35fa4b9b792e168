// Differential property test: OrderBook against the naive ReferenceBook on random operation sequences.
// Checks after every operation: identical results (fills, STP expiries, rejections, cancels, amends), the same
// best prices and size, a book that is never crossed, and quantity conservation; the full book (every resting
// order in priority order, depth, per-account lists) is compared every few operations and at the end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../../src/engine/book/order-book.js';
import type { OrderSpec, SubmitResult, TimeInForce } from '../../../src/engine/book/types.js';
import { ReferenceBook } from './reference-book.js';

interface Regime {
  name: string;
  accounts: number;
  minPrice: number;
  maxPrice: number;
  maxQty: number;
  runs: number;
  ops: number;
}

type Op =
  | { kind: 'submit'; fresh: boolean; pick: number; account: number; buy: boolean; market: boolean; price: number;
      qty: number; tif: TimeInForce; postOnly: boolean; malformed: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'amend'; pick: number; price: number | undefined; qty: number | undefined };

function opArb(r: Regime): fc.Arbitrary<Op> {
  const price = fc.integer({ min: r.minPrice, max: r.maxPrice });
  const qty = fc.integer({ min: 1, max: r.maxQty });
  const submit = fc.record({
    kind: fc.constant('submit' as const),
    fresh: fc.integer({ min: 0, max: 4 }).map((n) => n !== 0), // else reuse an id: duplicates, re-use after fill
    pick: fc.nat(),
    account: fc.integer({ min: 0, max: r.accounts - 1 }),
    buy: fc.boolean(),
    market: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    price,
    qty,
    tif: fc.constantFrom<TimeInForce>('GTC', 'GTC', 'GTC', 'IOC', 'FOK'),
    postOnly: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
    // 0..39: well formed; otherwise one field made invalid (see `malform`).
    malformed: fc.integer({ min: 0, max: 44 }),
  });
  const cancel = fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() });
  const amend = fc.record({
    kind: fc.constant('amend' as const),
    pick: fc.nat(),
    price: fc.option(price, { nil: undefined }),
    qty: fc.option(qty, { nil: undefined }),
  });
  return fc.oneof({ arbitrary: submit, weight: 6 }, { arbitrary: cancel, weight: 2 }, { arbitrary: amend, weight: 2 });
}

function malform(spec: OrderSpec, which: number): OrderSpec {
  switch (which) {
    case 40: return { ...spec, qty: 0 };
    case 41: return { ...spec, price: -5 };
    case 42: return { ...spec, qty: 1.5 };
    case 43: return { ...spec, price: null, postOnly: true };
    case 44: return { ...spec, account: '' };
    default: return spec;
  }
}

let totalOps = 0;
/** How often each interesting outcome happened: the final test insists every one was exercised. */
const seen = { fill: 0, stpExpiry: 0, fokRefused: 0, postOnlyRefused: 0, duplicate: 0, invalid: 0, rested: 0,
  ioCancelled: 0, cancelHit: 0, amendInPlace: 0, amendRequeue: 0, amendTrades: 0 };
const tally = (res: SubmitResult) => {
  seen.fill += res.fills.length;
  seen.stpExpiry += res.expired.length;
  if (res.rejectReason === 'fok_not_fillable') seen.fokRefused++;
  if (res.rejectReason === 'post_only_would_cross') seen.postOnlyRefused++;
  if (res.rejectReason === 'duplicate_id') seen.duplicate++;
  if (res.rejectReason === 'invalid') seen.invalid++;
  if (res.restingQty > 0) seen.rested++;
  if (res.cancelledQty > 0) seen.ioCancelled++;
};

function run(ops: Op[]): void {
  const book = new OrderBook();
  const ref = new ReferenceBook();
  const ids: number[] = []; // every id submitted so far, so cancels/amends/duplicates hit real orders
  let nextId = 1;
  let qtyIn = 0; // lots that entered the book's custody (accepted submits, amend increases)
  let qtyOut = 0; // lots that left it (fills, cancels, STP expiries, IOC/market remainders, amend decreases)

  const account = (n: number) => `acct${n}`;
  const pickId = (pick: number) => (ids.length === 0 ? 999_999 : ids[pick % ids.length]);
  const settle = (res: SubmitResult, qty: number, limit: number | null) => {
    if (!res.accepted) return;
    const filled = res.fills.reduce((s, f) => s + f.qty, 0);
    expect(filled + res.restingQty + res.cancelledQty).toBe(qty);
    qtyIn += qty;
    qtyOut += 2 * filled + res.cancelledQty; // a fill removes lots from both the maker and the taker
    qtyOut += res.expired.reduce((s, e) => s + e.qty, 0);
    for (const f of res.fills) {
      if (limit !== null) expect(f.takerSide === 'buy' ? f.price <= limit : f.price >= limit).toBe(true);
      expect(f.makerAccount).not.toBe(f.takerAccount);
    }
  };

  ops.forEach((op, step) => {
    totalOps++;
    if (op.kind === 'submit') {
      const id = op.fresh || ids.length === 0 ? nextId++ : pickId(op.pick);
      if (!ids.includes(id)) ids.push(id);
      const spec = malform({
        id, account: account(op.account), side: op.buy ? 'buy' : 'sell', price: op.market ? null : op.price,
        qty: op.qty, tif: op.tif, postOnly: op.postOnly && !op.market, }, op.malformed);
      const ours = book.submit(spec);
      expect(ours).toEqual(ref.submit(spec));
      settle(ours, spec.qty, spec.price);
      tally(ours);
    } else if (op.kind === 'cancel') {
      const id = pickId(op.pick);
      const ours = book.cancel(id);
      expect(ours).toEqual(ref.cancel(id));
      if (ours) {
        qtyOut += ours.qty;
        seen.cancelHit++;
      }
    } else {
      const id = pickId(op.pick);
      const before = book.get(id);
      const change = { price: op.price, qty: op.qty };
      const ours = book.amend(id, change);
      expect(ours).toEqual(ref.amend(id, change));
      if (before !== undefined && ours !== undefined) {
        if (ours.result === undefined) {
          qtyOut += before.qty - (ours.order as { qty: number }).qty;
          seen.amendInPlace++;
        } else {
          seen.amendRequeue++;
          if (ours.result.fills.length > 0) seen.amendTrades++;
          tally(ours.result);
          qtyOut += before.qty; // the cancel half of cancel + submit
          settle(ours.result, op.qty ?? before.qty, op.price ?? before.price);
        }
      }
    }
    const bid = book.bestBid();
    const ask = book.bestAsk();
    expect(bid).toBe(ref.bestBid());
    expect(ask).toBe(ref.bestAsk());
    if (bid !== undefined && ask !== undefined) expect(bid).toBeLessThan(ask);
    expect(book.size).toBe(ref.size);
    if (step % 16 === 15 || step === ops.length - 1) {
      const resting = book.restingOrders();
      expect(resting).toEqual(ref.restingOrders());
      expect(qtyIn - qtyOut).toBe(resting.reduce((s, r) => s + r.qty, 0));
      expect(book.depth('buy', 5)).toEqual(ref.depth('buy', 5));
      expect(book.depth('sell', 1000)).toEqual(ref.depth('sell', 1000));
      expect(book.ordersOf(account(step % 3))).toEqual(ref.ordersOf(account(step % 3)));
    }
  });
}

const regimes: Regime[] = [
  // Tight prices: most orders cross, multi-level sweeps, FOK on the edge.
  { name: 'tight book, 6 accounts', accounts: 6, minPrice: 95, maxPrice: 105, maxQty: 20, runs: 40, ops: 650 },
  // Two accounts: self-trade prevention on most matches.
  { name: 'two accounts (STP-heavy)', accounts: 2, minPrice: 98, maxPrice: 102, maxQty: 10, runs: 40, ops: 650 },
  // Two price levels: long FIFO queues, time priority, cancels and amends deep in a queue.
  { name: 'deep queues on two prices', accounts: 12, minPrice: 100, maxPrice: 101, maxQty: 5, runs: 40, ops: 650 },
  // Wide prices: many levels, level creation/removal away from the touch.
  { name: 'wide book, many levels', accounts: 30, minPrice: 1, maxPrice: 400, maxQty: 50, runs: 40, ops: 650 },
];

describe('OrderBook vs ReferenceBook (differential, fast-check)', () => {
  for (const r of regimes) {
    it(r.name, () => {
      fc.assert(
        fc.property(fc.array(opArb(r), { minLength: r.ops, maxLength: r.ops + 100 }), (ops) => run(ops)),
        // A failure's shrinking replays hundreds of operations per candidate: cap it, keep the seed for replay.
        { numRuns: r.runs, plugins: [fc.interruptAfterTimeLimit(45_000, { failOnInterrupt: true })] },
      );
    }, 60_000); // explicit: ~5 s each here, above vitest's 5 s default on a busy machine
  }
  it('ran at least 100k random operations in total', () => {
    expect(totalOps).toBeGreaterThanOrEqual(100_000);
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(100);
  });
});
