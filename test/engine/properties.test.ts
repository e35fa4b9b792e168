// Property tests over random command sequences (10 000 sequences in total across the properties below):
// the ledger sums to zero, no account but `world` goes negative, every fill conserves quantity, positions
// net to zero, rejected commands change nothing, and snapshot → restore behaves identically afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Exchange } from '../../src/engine/exchange.js';
import { exchangeFactory } from '../../src/engine/index.js';
import { MKT, hashOf, jsonb } from './helpers.js';

const ACCOUNTS = ['a', 'b', 'c', 'd'];

/** A command template; blocks get their height from the runner so heights keep rising. */
type Tpl = Command | { type: 'Block'; indexPrice: number };

const account = fc.constantFrom(...ACCOUNTS);
const side = fc.constantFrom<'buy' | 'sell'>('buy', 'sell');
const coid = fc.option(fc.constantFrom('x', 'y'), { nil: undefined });
const tplArb: fc.Arbitrary<Tpl> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ type: fc.constant('Deposit' as const), account, amountSat: fc.integer({ min: 1, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('Withdraw' as const), account, amountSat: fc.integer({ min: 1, max: 2000 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('FundSystem' as const), account: fc.constantFrom<'insurance' | 'vault'>('insurance', 'vault'), amountSat: fc.integer({ min: 1, max: 500 }) }) },
  {
    weight: 8,
    arbitrary: fc.record({
      type: fc.constant('PlaceOrder' as const), account, market: fc.constant(MKT), side,
      orderType: fc.constantFrom<'limit' | 'market'>('limit', 'limit', 'limit', 'market'),
      price: fc.integer({ min: 47_000, max: 53_000 }), qty: fc.integer({ min: 0, max: 1000 }),
      tif: fc.constantFrom<'GTC' | 'IOC' | 'FOK'>('GTC', 'GTC', 'IOC', 'FOK'), postOnly: fc.boolean(), reduceOnly: fc.boolean(),
      clientOrderId: coid,
    }).map((c): Command => {
      const cmd = { ...c, postOnly: c.postOnly && c.tif === 'GTC' && c.orderType === 'limit', reduceOnly: c.reduceOnly && c.qty % 3 === 0 };
      if (cmd.orderType === 'market') delete (cmd as { price?: number }).price;
      if (cmd.clientOrderId === undefined) delete cmd.clientOrderId;
      return cmd;
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('CancelOrder' as const), account, market: fc.constant(MKT), orderId: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('CancelOrder' as const), account, market: fc.constant(MKT), clientOrderId: fc.constantFrom('x', 'y') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('AmendOrder' as const), account, market: fc.constant(MKT), orderId: fc.integer({ min: 1, max: 60 }),
      price: fc.option(fc.integer({ min: 46_000, max: 54_000 }), { nil: undefined }), qty: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    }).map((c): Command => {
      const cmd = { ...c };
      if (cmd.price === undefined) delete cmd.price;
      if (cmd.qty === undefined) delete cmd.qty;
      return cmd;
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('CancelAll' as const), account }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('Block' as const), indexPrice: fc.integer({ min: 40_000, max: 60_000 }) }) },
);

const seqArb = fc.array(tplArb, { minLength: 1, maxLength: 40 });

/** Leveraged prelude: a and c go long, b and d short, near 10x, so index shocks liquidate. */
function leveraged(): Command[] {
  const out: Command[] = [];
  const pairs = [['b', 'a', 58], ['d', 'c', 150]] as const; // a: 300 sat → 58 lots is the max (5 000·N + 100·N ≤ 300 000)
  for (const [seller, buyer, lots] of pairs) {
    out.push({ type: 'PlaceOrder', account: seller, market: MKT, side: 'sell', orderType: 'limit', price: 50_000, qty: lots, tif: 'GTC', postOnly: true, reduceOnly: false });
    out.push({ type: 'PlaceOrder', account: buyer, market: MKT, side: 'buy', orderType: 'limit', price: 50_000, qty: lots, tif: 'IOC', postOnly: false, reduceOnly: false });
  }
  return out;
}

function materialise(tpls: Tpl[], lever = false): Command[] {
  let height = 100;
  // Every sequence starts funded, so the random orders mostly pass the margin checks and trade.
  const prelude: Command[] = ACCOUNTS.map((account, i) => ({ type: 'Deposit', account, amountSat: 300 + 700 * i }));
  for (const [account, side, price] of [['c', 'buy', 49_900], ['c', 'buy', 49_500], ['d', 'sell', 50_100], ['d', 'sell', 50_500]] as const) {
    prelude.push({ type: 'PlaceOrder', account, market: MKT, side, orderType: 'limit', price, qty: 60, tif: 'GTC', postOnly: true, reduceOnly: false });
  }
  if (lever) prelude.splice(ACCOUNTS.length, prelude.length, { type: 'FundSystem', account: 'vault', amountSat: 40 }, ...leveraged());
  return [{ type: 'BlockConnected', height, hash: hashOf(height), time: 0, mtp: 0, indexPrice: 50_000 }, ...prelude, ...tpls.map((t): Command => {
    if (t.type !== 'Block') return t;
    height++;
    return { type: 'BlockConnected', height, hash: hashOf(height), time: height * 600, mtp: height * 600 - 3600, indexPrice: t.indexPrice };
  })];
}

function check(ok: boolean, msg: () => string): void {
  if (!ok) throw new Error(msg());
}

/** How often the interesting paths ran, so the properties cannot silently stop exercising them. */
const seen = new Map<string, number>();

/** Checks every invariant after one command (plain checks: this runs ~200 000 times). */
function checkStep(ex: Exchange, cmd: Command, events: EngineEvent[], deep: boolean): void {
  check(ex.ledger.total() === 0n, () => `ledger total ${ex.ledger.total()}`);
  for (const [k, v] of ex.ledger.entries()) check(k === 'world' || v >= 0n, () => `${k} = ${v}`);
  for (const e of events) {
    const key = e.type === 'OrderRejected' ? e.reason : e.type === 'Liquidation' && e.toVault > 0 ? 'LiquidationToVault' : e.type;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const m of ex.markets.values()) {
    let qty = 0;
    let cost = 0n;
    for (const p of m.positions.values()) {
      qty += p.qty;
      cost += p.cost;
    }
    check(qty === 0, () => `positions net to ${qty}`); // every long has a short
    // The settlement pool holds exactly what the positions' costs say it owes (so it is never negative).
    check(ex.ledger.balance(`settle:${m.spec.id}`) === -cost, () => `pool ${ex.ledger.balance(`settle:${m.spec.id}`)} vs cost ${cost}`);
    if (!deep) continue;
    // Open-order sums and order records match the book.
    const sums = new Map<string, [bigint, bigint]>();
    for (const r of m.book.restingOrders()) {
      const s = sums.get(r.account) ?? [0n, 0n];
      s[r.side === 'buy' ? 0 : 1] += BigInt(r.qty) * BigInt(r.price);
      sums.set(r.account, s);
      check(m.orders.get(r.id)?.qty === r.qty, () => `order ${r.id} qty`);
    }
    check(m.orders.size === m.book.size, () => 'order count');
    for (const [owner, p] of m.positions) {
      const s = sums.get(owner) ?? [0n, 0n];
      check(p.buyOpen === s[0] && p.sellOpen === s[1], () => `open sums of ${owner}`);
    }
  }
  // Every accepted order's quantity is filled, rests, or is cancelled: nothing created or lost.
  if (cmd.type === 'PlaceOrder') {
    const acc = events.find((e) => e.type === 'OrderAccepted');
    if (acc !== undefined && acc.type === 'OrderAccepted') {
      let filled = 0, rest = 0, cancelled = 0;
      for (const e of events) {
        if (e.type === 'Trade' && e.takerOrderId === acc.orderId) {
          filled += e.qty;
          check(e.qty > 0, () => 'empty trade');
          check(e.takerSide === 'buy' ? e.price <= acc.price : e.price >= acc.price, () => 'trade through the limit');
        }
        if (e.type === 'OrderResting' && e.orderId === acc.orderId) rest += e.qty;
        if (e.type === 'OrderCancelled' && e.orderId === acc.orderId && e.reason === 'ioc_remainder') cancelled += e.remainingQty;
      }
      check(filled + rest + cancelled === acc.qty, () => `order ${acc.orderId}: ${filled}+${rest}+${cancelled} != ${acc.qty}`);
      if (acc.tif === 'FOK') check(filled === acc.qty, () => `FOK order ${acc.orderId} filled ${filled} of ${acc.qty}`);
    }
  }
}

describe('engine properties', () => {
  it('ledger sums to zero, no user account negative, fills conserve quantity (8 000 sequences)', () => {
    seen.clear();
    fc.assert(
      fc.property(seqArb, (tpls) => {
        const ex = new Exchange();
        let seq = 0;
        const cmds = materialise(tpls);
        for (let i = 0; i < cmds.length; i++) {
          const events = ex.apply(cmds[i], ++seq);
          checkStep(ex, cmds[i], events, i % 8 === 7 || i === cmds.length - 1);
        }
      }),
      { numRuns: 8000, seed: 20261121 },
    );
    for (const t of ['Trade', 'OrderExpired', 'OrderAmended', 'FundingPaid', 'insufficient_margin', 'fok_not_fillable', 'post_only_would_cross']) {
      expect(seen.get(t) ?? 0, t).toBeGreaterThan(10);
    }
  });

  it('the same invariants under index shocks on leveraged positions (1 000 sequences)', () => {
    seen.clear();
    fc.assert(
      fc.property(seqArb, (tpls) => {
        const ex = new Exchange();
        let seq = 0;
        const cmds = materialise(tpls, true);
        for (let i = 0; i < cmds.length; i++) {
          const events = ex.apply(cmds[i], ++seq);
          checkStep(ex, cmds[i], events, i % 4 === 3 || i === cmds.length - 1);
        }
      }),
      { numRuns: 1000, seed: 424242 },
    );
    if (process.env.ENGINE_PROP_STATS) console.log(JSON.stringify([...seen.entries()]));
    // These sequences reach every branch of the waterfall, not just the happy path.
    for (const t of ['Trade', 'Liquidation', 'LiquidationToVault', 'ADL', 'SettlementShortfall']) {
      expect(seen.get(t) ?? 0, t).toBeGreaterThan(10);
    }
  });

  it('rejected commands leave stateHash unchanged; snapshot → restore → same hash and same events (1 000 sequences)', () => {
    fc.assert(
      fc.property(seqArb, seqArb, fc.boolean(), (first, second, lever) => {
        const all = materialise([...first, ...second], lever);
        const split = all.length - second.length;
        const a = exchangeFactory.create();
        let seq = 0;
        for (const cmd of all.slice(0, split)) {
          const before = a.snapshot();
          const ev = a.apply(cmd, ++seq);
          if (ev.length === 1 && (ev[0].type === 'OrderRejected' || ev[0].type === 'CommandRejected')) expect(a.snapshot()).toBe(before);
        }
        const snap = a.snapshot();
        const b = exchangeFactory.restore(snap);
        expect(b.snapshot()).toBe(snap);
        expect(b.stateHash()).toBe(a.stateHash());
        for (const cmd of all.slice(split)) {
          const decoded = exchangeFactory.decodeCommand(exchangeFactory.encodeCommand(cmd));
          const s = ++seq;
          expect(jsonb(b.apply(decoded, s))).toBe(jsonb(a.apply(cmd, s)));
        }
        expect(b.stateHash()).toBe(a.stateHash());
      }),
      { numRuns: 1000, seed: 7 },
    );
  });

  it('determinism: two engines fed the same commands agree bit for bit (1 000 sequences)', () => {
    fc.assert(
      fc.property(seqArb, (tpls) => {
        const cmds = materialise(tpls);
        const hashes = [new Exchange(), new Exchange()].map((ex) => {
          let seq = 0;
          for (const c of cmds) ex.apply(c, ++seq);
          return ex.stateHash();
        });
        expect(hashes[0]).toBe(hashes[1]);
      }),
      { numRuns: 1000, seed: 99 },
    );
  });
});

describe('malformed commands', () => {
  it('never throw; they are rejected with a reason and change nothing (500 sequences)', () => {
    const junk = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.constantFrom('a', 'b', MKT, 'buy', 'sell', 'limit', 'market', 'GTC', 'IOC', 'FOK', 'vault', 50_000, 1, 0, -1));
    const cmdArb = fc.record({
      type: fc.constantFrom('Deposit', 'Withdraw', 'FundSystem', 'PlaceOrder', 'CancelOrder', 'AmendOrder', 'CancelAll', 'BlockConnected', 'Other'),
      account: junk, market: junk, side: junk, orderType: junk, price: junk, qty: junk, tif: junk, postOnly: junk, reduceOnly: junk,
      clientOrderId: junk, orderId: junk, amountSat: junk, height: junk, hash: junk, time: junk, mtp: junk, indexPrice: junk,
    }, { requiredKeys: ['type'] });
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 20 }), (cmds) => {
        const ex = new Exchange();
        ex.apply({ type: 'BlockConnected', height: 1, hash: hashOf(1), time: 0, mtp: 0, indexPrice: 50_000 }, 1);
        ex.apply({ type: 'Deposit', account: 'a', amountSat: 1000 }, 2);
        let seq = 2;
        for (const c of cmds) {
          const before = ex.snapshot();
          const ev = ex.apply(c as unknown as Command, ++seq);
          const rejected = ev.length === 1 && (ev[0].type === 'OrderRejected' || ev[0].type === 'CommandRejected');
          if (rejected) expect(ex.snapshot()).toBe(before);
          expect(ex.ledger.total()).toBe(0n);
        }
      }),
      { numRuns: 500, seed: 5 },
    );
  });
});
