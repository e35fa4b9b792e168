// Block-delta contracts (BDC) in the engine: listing, the book in FAST bps, stakes and fees, the header rule
// both ways and the tie, transfers, rejections that change nothing, snapshot/restore. Every amount below is
// worked out by hand in the comments (payout 10,000 sat per contract, so one bps of one contract = 1 sat).
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Exchange } from '../../src/engine/exchange.js';
import type { BdcPlaceOrderCommand } from '../../src/engine/products/bdc/commands.js';
import { BdcModule, bdcBook, bdcQuote, seriesFairValue, bdcModuleOf, bdcOrdersOf, bdcPositionsOf, bdcSeriesViews, escrowAccount, headerRule, potAccount } from '../../src/engine/products/bdc/index.js';
import { Harness, deposit, hashOf, jsonb, ofType } from '../engine/helpers.js';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { H, SAT, SERIES, T, blk } from './bdc-helpers.js';

function list(height = H, deadline = T, payoutSat = 10_000): Command {
  return { type: 'BdcListSeries', height, deadline, payoutSat } as Command;
}
function order(account: string, side: 'FAST' | 'SLOW', price: number, qty: number, extra: Partial<BdcPlaceOrderCommand> = {}): Command {
  return { type: 'BdcPlaceOrder', account, series: SERIES, side, price, qty, tif: 'GTC', postOnly: false, ...extra } as Command;
}

/** Chain at height 100 (MTP well before T), series listed, alice and bob funded with 100,000 sat each. */
function setup(): Harness {
  const h = new Harness();
  h.run(blk(100, T - 50_000), list(), deposit('alice', 100_000), deposit('bob', 100_000));
  return h;
}

function bdc(h: Harness): BdcModule {
  return bdcModuleOf(h.ex);
}

/** Ledger invariants: sums to zero, only `world` negative. */
function expectLedgerSound(ex: Exchange): void {
  expect(ex.ledger.total()).toBe(0n);
  for (const [k, v] of ex.ledger.entries()) if (k !== 'world') expect(v, k).toBeGreaterThanOrEqual(0n);
}

/** alice rests SLOW 3 @ 6000; bob takes FAST 2 (limit 6500) → 2 fill at 6000. */
function tradeOne(h: Harness): EngineEvent[] {
  h.run(order('alice', 'SLOW', 6000, 3));
  return h.run(order('bob', 'FAST', 6500, 2));
}

describe('listing a series', () => {
  it('lists BDC-<H>-<T> with its payout', () => {
    const h = new Harness();
    const evs = h.run(blk(100, T - 50_000), list());
    expect(ofType(evs, 'BdcSeriesListed')).toEqual([{ type: 'BdcSeriesListed', series: SERIES, height: H, deadline: T, payoutSat: 10_000 }]);
    expect(bdcSeriesViews(h.ex)).toMatchObject([{ series: SERIES, status: 'open', winner: null, openInterest: 0 }]);
  });

  it('refuses bad series with a reason and changes nothing', () => {
    const h = setup();
    const cases: [Command, string, string][] = [
      [list(100, T), 'expiry_too_soon', 'height'], // block 100 is mined
      [list(120, T - 50_000), 'expiry_too_soon', 'deadline'], // MTP already equals T − 50,000
      [list(120, 499_999_999), 'invalid_argument', 'deadline'], // below the locktime threshold: a height, not a time
      [list(120, 2 ** 32), 'invalid_argument', 'deadline'],
      [list(500_000_000, T), 'invalid_argument', 'height'], // would be read as a time lock
      [list(120, T, 15_000), 'invalid_argument', 'payoutSat'], // 1 bps = 1.5 sat: not a whole sat
      [list(120, T, 0), 'invalid_argument', 'payoutSat'],
      [list(H, T, 20_000), 'not_allowed', 'height'], // same id BDC-110-T
    ];
    for (const [cmd, reason, field] of cases) {
      const before = h.ex.stateHash();
      const evs = h.run(cmd);
      expect(evs, JSON.stringify(cmd)).toMatchObject([{ type: 'CommandRejected', reason, field }]);
      expect(h.ex.stateHash()).toBe(before);
    }
  });
});

describe('orders, stakes and fees (payout 10,000 sat)', () => {
  it('a resting SLOW order escrows (10000 − p) bps per contract', () => {
    const h = setup();
    const evs = h.run(order('alice', 'SLOW', 6000, 3));
    // 3 × (10000 − 6000) / 10000 × 10,000 sat = 12,000 sat
    expect(ofType(evs, 'BdcOrderResting')[0]).toMatchObject({ qty: 3, escrowMsat: 12_000n * SAT });
    expect(h.bal('alice')).toBe(88_000n * SAT);
    expect(h.bal(escrowAccount(SERIES))).toBe(12_000n * SAT);
    expect(bdcBook(h.ex, SERIES)).toEqual({ bids: [], asks: [{ price: 6000, qty: 3, orders: 1 }] });
  });

  it('a fill locks both stakes in the pot, charges the taker 0.2 %, opens a FAST and a SLOW position', () => {
    const h = setup();
    const evs = tradeOne(h);
    // Fill 2 @ 6000 (the maker's price, better than bob's 6500):
    //   bob (FAST taker) stakes 2 × 6,000 = 12,000 sat, fee 0.2 % × 12,000 = 24 sat → 100,000 − 12,024 = 87,976 sat
    //   alice (SLOW maker) stake 2 × 4,000 = 8,000 sat moves from escrow to the pot; 4,000 sat stay escrowed
    //   pot = 12,000 + 8,000 = 20,000 sat = 2 contracts × 10,000 sat
    expect(ofType(evs, 'BdcTrade')).toEqual([{
      type: 'BdcTrade', series: SERIES, price: 6000, qty: 2, takerSide: 'FAST', makerOrderId: 5, takerOrderId: 6, maker: 'alice', taker: 'bob',
      takerFeeMsat: 24n * SAT, fastPositionId: `${SERIES}#1`, slowPositionId: `${SERIES}#2`,
    }]);
    expect(ofType(evs, 'BdcPositionOpened')).toEqual([
      { type: 'BdcPositionOpened', positionId: `${SERIES}#1`, series: SERIES, height: H, deadline: T, side: 'FAST', account: 'bob', contracts: 2, amountSat: 20_000, stakeSat: 12_000 },
      { type: 'BdcPositionOpened', positionId: `${SERIES}#2`, series: SERIES, height: H, deadline: T, side: 'SLOW', account: 'alice', contracts: 2, amountSat: 20_000, stakeSat: 8_000 },
    ]);
    expect(h.bal('bob')).toBe(87_976n * SAT);
    expect(h.bal('alice')).toBe(88_000n * SAT);
    expect(h.bal(potAccount(SERIES))).toBe(20_000n * SAT);
    expect(h.bal(escrowAccount(SERIES))).toBe(4_000n * SAT);
    expect(h.bal('fees')).toBe(24n * SAT);
    expect(ofType(evs, 'BdcOrderFilled')).toMatchObject([{ orderId: 6, account: 'bob' }]); // bob's order, alice's rests with 1
    expect(bdcOrdersOf(h.ex, 'alice')).toEqual([{ orderId: 5, series: SERIES, side: 'SLOW', price: 6000, qty: 1 }]);
    expect(bdcSeriesViews(h.ex)[0]).toMatchObject({ openInterest: 2, bestAsk: 6000, bestBid: undefined });
    expectLedgerSound(h.ex);
  });

  it('a SLOW taker fills at the FAST bid and stakes the complement', () => {
    const h = setup();
    h.run(order('alice', 'FAST', 5500, 4)); // escrow 4 × 5,500 = 22,000 sat
    const evs = h.run(order('bob', 'SLOW', 5000, 4, { tif: 'IOC' }));
    // fill 4 @ 5500: bob stakes 4 × 4,500 = 18,000 sat + 0.2 % = 36 sat → 100,000 − 18,036 = 81,964 sat
    expect(ofType(evs, 'BdcTrade')[0]).toMatchObject({ price: 5500, qty: 4, takerSide: 'SLOW', takerFeeMsat: 36n * SAT });
    expect(h.bal('bob')).toBe(81_964n * SAT);
    expect(h.bal('alice')).toBe(78_000n * SAT);
    expect(h.bal(potAccount(SERIES))).toBe(40_000n * SAT);
    expect(h.bal(escrowAccount(SERIES))).toBe(0n);
  });

  it('an IOC remainder is cancelled without escrow; self-trade prevention refunds the expired order', () => {
    const h = setup();
    let evs = h.run(order('bob', 'FAST', 4000, 5, { tif: 'IOC' }));
    expect(ofType(evs, 'BdcOrderCancelled')).toMatchObject([{ remainingQty: 5, reason: 'ioc_remainder', releasedMsat: 0n }]);
    expect(h.bal('bob')).toBe(100_000n * SAT);
    h.run(order('alice', 'FAST', 4000, 1)); // escrow 4,000 sat
    evs = h.run(order('alice', 'SLOW', 3500, 1)); // crosses her own bid: STP expires the bid, the SLOW order rests
    expect(ofType(evs, 'BdcOrderCancelled')).toMatchObject([{ orderId: 6, reason: 'self_trade', releasedMsat: 4_000n * SAT }]);
    expect(ofType(evs, 'BdcTrade')).toEqual([]);
    // SLOW @ 3500 escrows 6,500 sat: 100,000 − 6,500 = 93,500 sat
    expect(h.bal('alice')).toBe(93_500n * SAT);
    expect(h.bal(escrowAccount(SERIES))).toBe(6_500n * SAT);
  });

  it('the balance check covers stake at the limit plus the fee, to the sat', () => {
    const h = setup();
    // FAST 10 @ 5000: stake 50,000 sat, fee bound 0.2 % = 100 sat → needs 50,100 sat
    h.run(deposit('carol', 50_100), deposit('dave', 50_099));
    const before = h.ex.stateHash();
    expect(h.run(order('dave', 'FAST', 5000, 10))).toMatchObject([{ type: 'CommandRejected', reason: 'insufficient_balance', field: 'qty' }]);
    expect(h.ex.stateHash()).toBe(before);
    expect(ofType(h.run(order('carol', 'FAST', 5000, 10)), 'BdcOrderResting')).toHaveLength(1);
    // post-only never pays the fee: dave can rest exactly 50,000 sat of stake
    expect(ofType(h.run(order('dave', 'FAST', 5000, 10, { postOnly: true })), 'BdcOrderResting')).toHaveLength(1);
    expect(h.bal('dave')).toBe(99n * SAT);
  });

  it('refuses bad orders with a reason and changes nothing', () => {
    const h = setup();
    h.run(order('alice', 'SLOW', 6000, 1, { clientOrderId: 'x' }));
    const cases: [Command, string, string][] = [
      [{ ...order('bob', 'FAST', 5000, 1), series: 'BDC-1-2' } as Command, 'unknown_series', 'series'],
      [order('bob', 'FAST', 0, 1), 'invalid_argument', 'price'],
      [order('bob', 'FAST', 10_000, 1), 'invalid_argument', 'price'],
      [order('bob', 'FAST', 5000.5, 1), 'invalid_argument', 'price'],
      [{ ...order('bob', 'FAST', 5000, 1), side: 'buy' } as Command, 'invalid_argument', 'side'],
      [order('bob', 'FAST', 5000, 0), 'invalid_argument', 'qty'],
      [order('bob', 'FAST', 5000, 1, { tif: 'DAY' as 'GTC' }), 'invalid_argument', 'tif'],
      [order('bob', 'FAST', 5000, 1, { postOnly: true, tif: 'IOC' }), 'invalid_argument', 'postOnly'],
      [order('bo b', 'FAST', 5000, 1), 'invalid_argument', 'account'],
      [order('user:bob', 'FAST', 5000, 1), 'invalid_argument', 'account'],
      [order('bob', 'FAST', 6000, 1, { postOnly: true }), 'post_only_would_cross', 'postOnly'],
      [order('bob', 'FAST', 6000, 2, { tif: 'FOK' }), 'fok_not_fillable', 'tif'],
      [order('alice', 'SLOW', 6100, 1, { clientOrderId: 'x' }), 'duplicate_client_order_id', 'clientOrderId'],
      [order('bob', 'FAST', 9000, 20), 'insufficient_balance', 'qty'], // 180,000 sat > 100,000
      [{ type: 'BdcCancelOrder', account: 'bob', series: SERIES, orderId: 5 } as Command, 'unknown_order', 'orderId'], // alice's order
      [{ type: 'BdcCancelOrder', account: 'alice', series: SERIES, clientOrderId: 'nope' } as Command, 'unknown_order', 'clientOrderId'],
      [{ type: 'BdcCancelOrder', account: 'alice', series: SERIES } as Command, 'invalid_argument', 'orderId'],
      [{ type: 'BdcCancelAll', account: 'alice', series: 'BDC-9-9' } as Command, 'unknown_series', 'series'],
    ];
    for (const [cmd, reason, field] of cases) {
      const before = h.ex.stateHash();
      expect(h.run(cmd), JSON.stringify(cmd)).toMatchObject([{ type: 'CommandRejected', reason, field }]);
      expect(h.ex.stateHash()).toBe(before);
    }
  });

  it('cancel by client order id and cancel-all return the escrow', () => {
    const h = setup();
    h.run(order('alice', 'SLOW', 6000, 1, { clientOrderId: 'x' }), order('alice', 'FAST', 2000, 2));
    expect(h.bal('alice')).toBe((100_000n - 4_000n - 4_000n) * SAT);
    let evs = h.run({ type: 'BdcCancelOrder', account: 'alice', series: SERIES, clientOrderId: 'x' } as Command);
    expect(ofType(evs, 'BdcOrderCancelled')).toMatchObject([{ orderId: 5, reason: 'user', releasedMsat: 4_000n * SAT }]);
    evs = h.run({ type: 'BdcCancelAll', account: 'alice' } as Command);
    expect(ofType(evs, 'BdcOrderCancelled')).toMatchObject([{ orderId: 6, reason: 'cancel_all', releasedMsat: 4_000n * SAT }]);
    expect(h.bal('alice')).toBe(100_000n * SAT);
    expect(h.bal(escrowAccount(SERIES))).toBe(0n);
    // the client order id is free again
    expect(ofType(h.run(order('alice', 'SLOW', 6000, 1, { clientOrderId: 'x' })), 'BdcOrderResting')).toHaveLength(1);
  });
});

describe('settlement by the header rule', () => {
  it('FAST: block H arrives while MTP(H − 1) < T; the winner takes the pot, resting orders are cancelled', () => {
    const h = setup();
    tradeOne(h);
    h.run(blk(105, T - 3000), blk(109, T - 1));
    expect(bdcSeriesViews(h.ex)[0].status).toBe('open');
    const evs = h.run(blk(110, T - 1));
    expect(ofType(evs, 'BdcSeriesSettled')).toEqual([{
      type: 'BdcSeriesSettled', series: SERIES, winner: 'FAST', decidedAtHeight: 110, decidedAtHash: hashOf(110), mtp: T - 1, parentMtp: T - 1,
      paidMsat: 20_000n * SAT, positions: 2,
    }]);
    expect(ofType(evs, 'BdcPositionSettled')).toMatchObject([
      { positionId: `${SERIES}#1`, account: 'bob', side: 'FAST', won: true, payoutMsat: 20_000n * SAT },
      { positionId: `${SERIES}#2`, account: 'alice', side: 'SLOW', won: false, payoutMsat: 0n },
    ]);
    expect(ofType(evs, 'BdcOrderCancelled')).toMatchObject([{ orderId: 5, reason: 'series_settled', remainingQty: 1, releasedMsat: 4_000n * SAT }]);
    // bob: 87,976 + 20,000 = 107,976 sat (won alice's 8,000 sat stake, paid 24 sat fee)
    // alice: 88,000 + 4,000 escrow back = 92,000 sat (lost her 8,000 sat stake)
    expect(h.bal('bob')).toBe(107_976n * SAT);
    expect(h.bal('alice')).toBe(92_000n * SAT);
    expect(h.bal(potAccount(SERIES))).toBe(0n);
    expect(h.bal(escrowAccount(SERIES))).toBe(0n);
    expect(bdcPositionsOf(h.ex, 'bob')).toEqual([]);
    expectLedgerSound(h.ex);
  });

  it('SLOW: MTP reaches T (MTP = T counts) before height H', () => {
    const h = setup();
    tradeOne(h);
    expect(ofType(h.run(blk(105, T - 1)), 'BdcSeriesSettled')).toEqual([]); // MTP one second short
    const evs = h.run(blk(106, T));
    expect(ofType(evs, 'BdcSeriesSettled')).toMatchObject([{ winner: 'SLOW', decidedAtHeight: 106, mtp: T, parentMtp: T - 1 }]);
    // alice: 88,000 + 4,000 escrow + 20,000 pot = 112,000 sat; bob keeps 87,976 sat
    expect(h.bal('alice')).toBe(112_000n * SAT);
    expect(h.bal('bob')).toBe(87_976n * SAT);
    expectLedgerSound(h.ex);
  });

  it('the tie: block H is itself the first block with MTP ≥ T → FAST (judged against MTP(H − 1), BIP113)', () => {
    const h = setup();
    tradeOne(h);
    h.run(blk(109, T - 1));
    const evs = h.run(blk(110, T + 500));
    expect(ofType(evs, 'BdcSeriesSettled')).toMatchObject([{ winner: 'FAST', decidedAtHeight: 110, mtp: T + 500, parentMtp: T - 1 }]);
    expect(h.bal('bob')).toBe(107_976n * SAT);
  });

  it('headerRule alone: the rule table', () => {
    const s = { height: 110, deadline: T };
    expect(headerRule(s, 109, T - 1)).toBeUndefined();
    expect(headerRule(s, 109, T)).toBe('SLOW');
    expect(headerRule(s, 110, T - 1)).toBe('FAST');
    expect(headerRule(s, 110, T + 10_000)).toBe('FAST');
    expect(headerRule(s, 50, T + 1)).toBe('SLOW');
  });

  it('a settled series refuses orders and transfers (already_settled), and stays settled', () => {
    const h = setup();
    tradeOne(h);
    h.run(blk(110, T - 100));
    const before = h.ex.stateHash();
    expect(h.run(order('bob', 'FAST', 5000, 1))).toMatchObject([{ type: 'CommandRejected', reason: 'already_settled', field: 'series' }]);
    const r = bdc(h).transferPosition(`${SERIES}#1`, 'user:bob', 'user:carol', h.ex.productContext(999), []);
    expect(r).toMatchObject({ reason: 'already_settled' });
    expect(h.ex.stateHash()).toBe(before);
    expect(ofType(h.run(blk(111, T + 10)), 'BdcSeriesSettled')).toEqual([]);
  });
});

describe('transferPosition / describePosition (swap offers)', () => {
  it('moves a position to a new owner, who is paid at settlement', () => {
    const h = setup();
    tradeOne(h);
    const m = bdc(h);
    expect(m.describePosition(`${SERIES}#1`, 'user:bob')).toEqual({
      product: 'bdc', positionId: `${SERIES}#1`, series: SERIES, height: H, deadline: T, side: 'FAST', account: 'bob',
      contracts: 2, payoutSat: 10_000, amountSat: 20_000, stakeMsat: 12_000n * SAT,
    });
    expect(m.describePosition(`${SERIES}#1`, 'alice')).toBeUndefined();
    const before = h.ex.stateHash();
    const ctx = h.ex.productContext(100);
    for (const [args, reason] of [
      [[`${SERIES}#9`, 'bob', 'carol'], 'unknown_position'],
      [[`${SERIES}#1`, 'alice', 'carol'], 'not_owner'],
      [[`${SERIES}#1`, 'bob', 'bob'], 'invalid_argument'],
      [[`${SERIES}#1`, 'bob', 'not valid'], 'invalid_argument'],
    ] as [[string, string, string], string][]) {
      expect(m.transferPosition(args[0], args[1], args[2], ctx, [])).toMatchObject({ reason });
    }
    expect(h.ex.stateHash()).toBe(before);
    const out: EngineEvent[] = [];
    expect(m.transferPosition(`${SERIES}#1`, 'user:bob', 'carol', ctx, out)).toBeUndefined();
    expect(out).toEqual([{
      type: 'BdcPositionTransferred', positionId: `${SERIES}#1`, series: SERIES, height: H, deadline: T, side: 'FAST', from: 'bob', to: 'carol',
      contracts: 2, amountSat: 20_000,
    }]);
    expect(bdcPositionsOf(h.ex, 'carol')).toMatchObject([{ positionId: `${SERIES}#1`, side: 'FAST' }]);
    expect(bdcPositionsOf(h.ex, 'bob')).toEqual([]);
    h.run(blk(110, T - 100));
    expect(h.bal('carol')).toBe(20_000n * SAT);
    expect(h.bal('bob')).toBe(87_976n * SAT);
    expectLedgerSound(h.ex);
  });
});

describe('snapshot / restore', () => {
  it('restore(snapshot()) reproduces the state hash and the behaviour that follows', () => {
    const h = setup();
    h.run(
      list(120, T + 10_000, 20_000), deposit('carol', 80_000),
      order('alice', 'SLOW', 6000, 3, { clientOrderId: 'a1' }), order('alice', 'SLOW', 6000, 2), order('carol', 'SLOW', 5900, 1),
      order('bob', 'FAST', 6000, 2), order('bob', 'FAST', 3000, 4, { clientOrderId: 'b1' }),
      { ...order('carol', 'FAST', 4000, 2), series: `BDC-120-${T + 10_000}` } as Command,
      blk(101, T - 40_000),
    );
    const copy = Exchange.restore(h.ex.snapshot());
    expect(copy.stateHash()).toBe(h.ex.stateHash());
    const more: Command[] = [
      { type: 'BdcCancelOrder', account: 'alice', series: SERIES, clientOrderId: 'a1' } as Command,
      order('carol', 'FAST', 6500, 3),
      order('alice', 'SLOW', 2500, 2, { tif: 'IOC' }),
      { ...order('alice', 'SLOW', 3000, 2), series: `BDC-120-${T + 10_000}` } as Command,
      blk(102, T - 30_000), blk(110, T - 20_000), blk(111, T + 10_000),
    ];
    const h2 = new Harness(copy);
    h2.seq = h.seq;
    const a = h.run(...more);
    const b = h2.run(...more);
    expect(jsonb(b)).toBe(jsonb(a));
    expect(copy.stateHash()).toBe(h.ex.stateHash());
    expect(ofType(a, 'BdcSeriesSettled').map((e) => [e.series, e.winner])).toEqual([[SERIES, 'FAST'], [`BDC-120-${T + 10_000}`, 'SLOW']]);
    expectLedgerSound(h.ex);
  });
});

describe('fair value beside the book (edge helper)', () => {
  const state = { height: 829_000, mtp: 1_707_000_000, bits: 0x1703ba5d, epochStartTime: 1_707_000_000 - 424 * 600, hashrateHps: 6e20 };
  it('a series the chain has decided is worth 10,000 or 0 bps; an open one gets the model value', () => {
    expect(seriesFairValue({ height: 829_000, deadline: 1_707_100_000 }, state)).toMatchObject({ decided: true, winner: 'FAST', fairBps: 10_000 });
    expect(seriesFairValue({ height: 829_100, deadline: 1_707_000_000 }, state)).toMatchObject({ decided: true, winner: 'SLOW', fairBps: 0 });
    // H = tip + 1 with MTP < T: FAST is certain under the MTP rule (the model's own hand case)
    expect(seriesFairValue({ height: 829_001, deadline: 1_707_000_001 }, state)).toMatchObject({ decided: false, fair: { pFast: 1, fairBps: 9999 } });
  });

  it('bdcQuote reports a settled series by its outcome, next to its (empty) book', () => {
    const h = setup();
    tradeOne(h);
    h.run(blk(106, T));
    expect(bdcQuote(h.ex, SERIES, loadEmbeddedChain())).toMatchObject({
      series: SERIES, book: { bids: [], asks: [] }, fair: { decided: true, winner: 'SLOW', fairBps: 0 },
    });
    expect(bdcQuote(h.ex, 'BDC-1-1', loadEmbeddedChain())).toBeUndefined();
  });
});
