// Forward (LOKA) engine rules on hand-computed cases: order escrow, fills -> contracts, daily delivery
// (cash, report, partial, missed), collateral release, rejections that change nothing, snapshot/restore.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Exchange } from '../../src/engine/exchange.js';
import { forwardBook, forwardContract, forwardContractsOf, forwardModule, forwardPositionsOf } from '../../src/engine/products/forward/index.js';
import type { ForwardCommand } from '../../src/engine/products/forward/commands.js';
import { Harness, block, deposit, ofType } from '../engine/helpers.js';

// The running example: 1 TH/s (10,000 lots) for 30 days at 90,000 sat/PH/day (= 90 sat/TH/day), index 100,000.
// value      = 10,000 × 90,000 × 30 / 10^4       = 2,700,000 msat (2,700 sat = 1 TH × 90 sat × 30 days)
// collateral = 110 % × 2,700,000                 = 2,970,000 msat; tranche = 2,970,000 / 30 = 99,000 msat/day
// taker fee  = 0.2 % × 2,700,000                 = 5,400 msat
// obligation = 10,000 × 100,000 / 10^4           = 100,000 msat/day (100 sat: 1 TH at 100 sat/TH/day)
const VALUE = 2_700_000n;
const COLL = 2_970_000n;
const FEE = 5_400n;
const TRANCHE = 99_000n;
const OBL = 100_000n;

const place = (account: string, side: 'buy' | 'sell', price: number, qty: number, extra: Partial<ForwardCommand> = {}): Command =>
  ({ type: 'ForwardPlaceOrder', account, market: 'FWD-30D', side, price, qty, ...extra }) as Command;
const auto = (account: string, enabled: boolean): Command => ({ type: 'ForwardSetAutoDelivery', account, enabled });
const report = (account: string, contractId: number, day: number, receivedMsat: string): Command =>
  ({ type: 'ForwardDeliveryReport', account, contractId, day, receivedMsat });

/** Harness at height 100 with miner M (10,000 sat) and investor I (10,000 sat). */
function setup(): Harness {
  const h = new Harness();
  h.run(block(100, 100_000), deposit('M', 10_000), deposit('I', 10_000));
  return h;
}

/** Runs blocks from..to inclusive at `index` (or index(h)). */
function blocks(h: Harness, from: number, to: number, index: number | ((height: number) => number)): EngineEvent[] {
  const out: EngineEvent[] = [];
  for (let x = from; x <= to; x++) out.push(...h.run(block(x, typeof index === 'number' ? index : index(x))));
  return out;
}

function openOne(h: Harness): void {
  h.run(place('M', 'sell', 90_000, 10_000));
  h.run(place('I', 'buy', 95_000, 10_000));
}

function noNegative(ex: Exchange): void {
  expect(ex.ledger.total()).toBe(0n);
  for (const [k, v] of ex.ledger.entries()) if (k !== 'world') expect(v, k).toBeGreaterThanOrEqual(0n);
}

describe('forward books and fills', () => {
  it('a resting ask escrows 110 % of its value; the taking investor pays value + 0.2 %; the miner gets value', () => {
    const h = setup();
    const ev = h.run(place('M', 'sell', 90_000, 10_000));
    expect(ofType(ev, 'ForwardOrderResting')[0]).toMatchObject({ orderId: 1, lockedMsat: COLL });
    expect(h.bal('fwd:o1')).toBe(COLL);
    expect(h.bal('M')).toBe(10_000_000n - COLL);
    const ev2 = h.run(place('I', 'buy', 95_000, 10_000));
    const fill = ofType(ev2, 'ForwardFilled')[0];
    expect(fill).toMatchObject({ contractId: 1, price: 90_000, qty: 10_000, takerSide: 'buy', maker: 'M', taker: 'I', takerFeeMsat: FEE });
    expect(ofType(ev2, 'ForwardContractOpened')[0]).toMatchObject({
      contractId: 1, miner: 'M', investor: 'I', valueMsat: VALUE, collateralMsat: COLL, startHeight: 101, endHeight: 101 + 30 * 144,
    });
    expect(h.bal('fwd:o1')).toBe(0n);
    expect(h.bal('fwd:c1')).toBe(COLL);
    expect(h.bal('M')).toBe(10_000_000n - COLL + VALUE); // 9,730,000
    expect(h.bal('I')).toBe(10_000_000n - VALUE - FEE); // 7,294,600
    expect(h.bal('fees')).toBe(FEE);
    expect(ofType(ev2, 'ForwardOrderClosed').map((e) => [e.orderId, e.reason])).toEqual([[1, 'filled'], [2, 'filled']]);
    noNegative(h.ex);
  });

  it('a miner taking a resting bid receives value − 0.2 %; the bid escrowed only the value', () => {
    const h = setup();
    h.run(place('I', 'buy', 90_000, 10_000));
    expect(h.bal('fwd:o1')).toBe(VALUE);
    h.run(place('M', 'sell', 80_000, 10_000)); // trades at the maker's 90,000
    expect(h.bal('M')).toBe(10_000_000n - COLL + VALUE - FEE); // 9,724,600
    expect(h.bal('I')).toBe(10_000_000n - VALUE);
    expect(h.bal('fwd:c1')).toBe(COLL);
    expect(h.bal('fees')).toBe(FEE);
  });

  it('partial fills: one contract per fill, the ask keeps escrow for its rest, cancel returns it', () => {
    const h = setup();
    h.run(place('M', 'sell', 90_000, 30_000)); // escrow 3 × 2,970,000 = 8,910,000
    expect(h.bal('fwd:o1')).toBe(3n * COLL);
    h.run(place('I', 'buy', 90_000, 10_000, { tif: 'IOC' }));
    expect(h.bal('fwd:o1')).toBe(2n * COLL);
    expect(forwardBook(h.ex, 'FWD-30D')?.asks).toEqual([{ price: 90_000, qty: 20_000, orders: 1 }]);
    const ev = h.run({ type: 'ForwardCancelOrder', account: 'M', market: 'FWD-30D', orderId: 1 });
    expect(ofType(ev, 'ForwardOrderClosed')[0]).toMatchObject({ reason: 'user', remainingQty: 20_000, releasedMsat: 2n * COLL });
    expect(h.bal('M')).toBe(10_000_000n - COLL + VALUE);
    expect(forwardContractsOf(h.ex, 'I').map((c) => c.id)).toEqual([1]);
  });

  it('self-trade prevention expires the own resting order and returns its escrow', () => {
    const h = setup();
    h.run(deposit('M', 10_000));
    h.run(place('M', 'buy', 90_000, 10_000));
    const ev = h.run(place('M', 'sell', 90_000, 10_000));
    expect(ofType(ev, 'ForwardOrderClosed')[0]).toMatchObject({ orderId: 1, reason: 'self_trade', releasedMsat: VALUE });
    expect(ofType(ev, 'ForwardFilled')).toEqual([]);
    expect(h.bal('fwd:o2')).toBe(COLL);
    expect(h.bal('M')).toBe(20_000_000n - COLL);
  });

  it('refusals carry a reason and leave the state hash unchanged', () => {
    const h = setup();
    h.run(place('M', 'sell', 90_000, 10_000));
    const cases: [Command, string, string | undefined][] = [
      [place('I', 'buy', 90_000, 9_999), 'invalid_argument', 'qty'], // below 1 TH/s
      [place('I', 'buy', 0, 10_000), 'invalid_argument', 'price'],
      [place('I', 'buy', 1.5, 10_000), 'invalid_argument', 'price'],
      [{ ...place('I', 'buy', 90_000, 10_000), market: 'FWD-7D' } as Command, 'unknown_market', 'market'],
      [place('I', 'hold' as 'buy', 90_000, 10_000), 'invalid_argument', 'side'],
      [place('bad account', 'buy', 90_000, 10_000), 'invalid_argument', 'account'],
      [place('I', 'buy', 90_000, 10_000, { tif: 'IOC', postOnly: true }), 'invalid_argument', 'postOnly'],
      [place('I', 'buy', 90_000, 10_000, { postOnly: true }), 'post_only_would_cross', 'price'],
      [place('I', 'buy', 90_000, 20_000, { tif: 'FOK' }), 'fok_not_fillable', 'qty'],
      [place('I', 'buy', 90_000, 40_000), 'insufficient_balance', 'qty'], // 4 × 2,700,000 + fee > 10,000 sat
      [place('M', 'sell', 90_000, 40_000), 'insufficient_balance', 'qty'],
      [{ type: 'ForwardCancelOrder', account: 'I', market: 'FWD-30D', orderId: 1 }, 'not_owner', 'orderId'],
      [{ type: 'ForwardCancelOrder', account: 'M', market: 'FWD-30D', orderId: 9 }, 'unknown_order', 'orderId'],
      [{ type: 'ForwardCancelOrder', account: 'M', market: 'FWD-90D', orderId: 1 }, 'unknown_order', 'orderId'],
      [auto('M', 'yes' as unknown as boolean), 'invalid_argument', 'enabled'],
      [report('I', 1, 0, '5'), 'unknown_contract', 'contractId'],
    ];
    for (const [cmd, reason, field] of cases) {
      const before = h.ex.stateHash();
      const ev = h.run(cmd);
      expect(ev, JSON.stringify(cmd)).toHaveLength(1);
      expect(ev[0]).toMatchObject({ type: 'CommandRejected', reason, field });
      expect(h.ex.stateHash()).toBe(before);
    }
  });
});

describe('daily delivery and collateral release', () => {
  it('day mean is the floor of the exact mean; auto-delivery pays the obligation, fee 0.5 %, tranche to the miner', () => {
    const h = setup();
    openOne(h);
    h.run(auto('M', true));
    // day 0 = blocks 101..244; index alternates 100,000 / 100,001: mean = 100,000.5 -> 100,000
    const ev = blocks(h, 101, 244, (x) => 100_000 + (x % 2));
    const d = ofType(ev, 'ForwardDayDelivered');
    expect(d).toEqual([{ type: 'ForwardDayDelivered', contractId: 1, day: 0, meanIndex: 100_000, obligationMsat: OBL, deliveredMsat: OBL, feeMsat: 500n, via: 'cash' }]);
    expect(ofType(ev, 'ForwardCollateralReleased')[0]).toMatchObject({ toMinerMsat: TRANCHE, toInvestorMsat: 0n, remainingMsat: COLL - TRANCHE });
    // M: 9,730,000 − 100,000 + 99,000 = 9,729,000; I: 7,294,600 + 99,500 = 7,394,100
    expect(h.bal('M')).toBe(9_729_000n);
    expect(h.bal('I')).toBe(7_394_100n);
    expect(h.bal('fees')).toBe(FEE + 500n);
    // The day ended exactly at its 144th block, not before.
    expect(ofType(blocks(h, 245, 245, 100_000), 'ForwardDayDelivered')).toEqual([]);
    noNegative(h.ex);
  });

  it('auto-delivery with too little free balance: LOKA gives the investor the whole tranche, the miner keeps its partial rewards', () => {
    const h = setup();
    openOne(h);
    h.run({ type: 'Withdraw', account: 'M', amountSat: 9_670 }); // M keeps 9,730,000 − 9,670,000 = 60,000 msat
    h.run(auto('M', true));
    const ev = blocks(h, 101, 244, 100_000);
    // 60,000 of 100,000 available: short. LOKA: nothing is taken from M (it keeps the 60,000 of partial rewards),
    // no delivery fee, and the whole tranche 99,000 goes to I. (The old pro-rata split gave M 59,400, I 39,600 + 59,700.)
    expect(ofType(ev, 'ForwardDayDelivered')[0]).toMatchObject({ deliveredMsat: 60_000n, feeMsat: 0n });
    expect(ofType(ev, 'ForwardCollateralReleased')[0]).toMatchObject({ toMinerMsat: 0n, toInvestorMsat: TRANCHE });
    expect(h.bal('M')).toBe(60_000n);
    expect(h.bal('I')).toBe(7_294_600n + 99_000n);
    expect(h.bal('fees')).toBe(FEE);
    expect(forwardContract(h.ex, 1)?.history[0]).toMatchObject({ status: 'partial', toMinerMsat: 0n, toInvestorMsat: TRANCHE, feeMsat: 0n });
    noNegative(h.ex);
  });

  it('without auto-delivery the day waits for the investor\'s report; a partial report: whole tranche to the investor, rewards back to the miner', () => {
    const h = setup();
    openOne(h);
    const ev = blocks(h, 101, 244, 100_000);
    expect(ofType(ev, 'ForwardDayAwaitingReport')[0]).toMatchObject({ day: 0, obligationMsat: OBL, deadlineHeight: 244 + 144 });
    expect(h.bal('fwd:c1')).toBe(COLL);
    const rejected: [Command, string, string][] = [
      [report('M', 1, 0, '60000'), 'not_owner', 'account'],
      [report('I', 1, 1, '60000'), 'too_early', 'day'],
      [report('I', 1, 30, '60000'), 'invalid_argument', 'day'],
      [report('I', 1, 0, '-1'), 'invalid_argument', 'receivedMsat'],
      [report('I', 1, 0, '1e5'), 'invalid_argument', 'receivedMsat'],
    ];
    for (const [cmd, reason, field] of rejected) {
      const before = h.ex.stateHash();
      expect(h.run(cmd)[0]).toMatchObject({ type: 'CommandRejected', reason, field });
      expect(h.ex.stateHash()).toBe(before);
    }
    // report 60,000 received of 100,000: short. LOKA: the whole tranche 99,000 to I; the 60,000 of rewards the
    // miner's partial hashrate earned are the miner's (they reached I off-exchange, so I hands them back); no fee.
    const r = h.run(report('I', 1, 0, '60000'));
    expect(ofType(r, 'ForwardDayDelivered')[0]).toMatchObject({ deliveredMsat: 60_000n, feeMsat: 0n, via: 'report' });
    expect(ofType(r, 'ForwardCollateralReleased')[0]).toMatchObject({ toMinerMsat: 0n, toInvestorMsat: TRANCHE });
    expect(h.bal('M')).toBe(9_730_000n + 60_000n);
    expect(h.bal('I')).toBe(7_294_600n - 60_000n + 99_000n);
    expect(h.run(report('I', 1, 0, '60000'))[0]).toMatchObject({ reason: 'already_settled' });
  });

  it('a report above the obligation counts as full delivery; no report by the deadline is a miss', () => {
    const h = setup();
    openOne(h);
    blocks(h, 101, 387, 100_000); // day 0 (101..244) ended; its report is due before block 244 + 144 = 388
    const r = h.run(report('I', 1, 0, '999999999999'));
    expect(ofType(r, 'ForwardDayDelivered')[0]).toMatchObject({ deliveredMsat: OBL, feeMsat: 500n });
    expect(ofType(r, 'ForwardCollateralReleased')[0]).toMatchObject({ toMinerMsat: TRANCHE, toInvestorMsat: 0n });
    // day 1 (245..388) ends at 388; no report before its deadline 388 + 144 = 532
    const ev = blocks(h, 388, 532, 100_000);
    const missed = ofType(ev, 'ForwardDayMissed');
    expect(missed).toEqual([{ type: 'ForwardDayMissed', contractId: 1, day: 1, meanIndex: 100_000, obligationMsat: OBL, via: 'deadline' }]);
    expect(ofType(ev, 'ForwardCollateralReleased')[0]).toMatchObject({ day: 1, toMinerMsat: 0n, toInvestorMsat: TRANCHE });
  });

  it('a whole 30-day contract: every tranche released, the last takes the remainder, contract closed, ledger zero', () => {
    const h = new Harness();
    h.run(block(100, 100_000), deposit('M', 50_000), deposit('I', 50_000));
    // 7 TH/s at 90,001 for 30 days: value = 70,000 × 90,001 × 30 / 10^4 = 18,900,210 msat; collateral 20,790,231
    // tranche = floor(20,790,231 / 30) = 693,007 (×29 = 20,097,203), last day 693,028
    h.run(place('M', 'sell', 90_001, 70_000), place('I', 'buy', 90_001, 70_000), auto('M', true));
    expect(forwardContract(h.ex, 1)).toMatchObject({ valueMsat: 18_900_210n, collateralMsat: 20_790_231n });
    const ev = blocks(h, 101, 100 + 30 * 144, 100_000);
    const rel = ofType(ev, 'ForwardCollateralReleased');
    expect(rel).toHaveLength(30);
    expect(rel[0].toMinerMsat).toBe(693_007n);
    expect(rel[29]).toMatchObject({ toMinerMsat: 693_028n, remainingMsat: 0n });
    expect(ofType(ev, 'ForwardContractClosed')[0]).toMatchObject({ contractId: 1, deliveredDays: 30, missedDays: 0, deliveredMsat: 30n * 700_000n });
    expect(h.bal('fwd:c1')).toBe(0n);
    expect(forwardPositionsOf(h.ex, 'M')[0]).toMatchObject({ side: 'miner', status: 'closed', collateralRemainingMsat: 0n, daysSettled: 30 });
    noNegative(h.ex);
  });

  it('heights that jump past day ends end those days on the blocks seen', () => {
    const h = setup();
    openOne(h);
    h.run(auto('M', true));
    // blocks 101 (index 100,000) and 102 (index 100,002), then a jump to 400: day 0 ends on mean 100,001,
    // day 1 (245..388) saw no block and uses the current index 120,000; block 400 is day 2's first.
    h.run(block(101, 100_000), block(102, 100_002));
    const ev = h.run(block(400, 120_000));
    expect(ofType(ev, 'ForwardDayDelivered').map((d) => [d.day, d.meanIndex, d.obligationMsat])).toEqual([[0, 100_001, 100_001n], [1, 120_000, 120_000n]]);
    expect(forwardContract(h.ex, 1)).toMatchObject({ nextDay: 2, dayBlocks: 1 });
  });
});

describe('snapshot and restore', () => {
  it('restore(snapshot) reproduces the hash and the behaviour', () => {
    const h = setup();
    openOne(h);
    h.run(place('M', 'sell', 91_000, 20_000), place('I', 'buy', 80_000, 10_000), auto('M', true));
    blocks(h, 101, 300, (x) => 100_000 + x);
    const copy = new Harness(Exchange.restore(h.ex.snapshot()));
    copy.seq = h.seq;
    expect(copy.ex.stateHash()).toBe(h.ex.stateHash());
    const more: Command[] = [place('I', 'buy', 91_000, 10_000), auto('M', false), block(301, 99_000), block(302, 98_000)];
    for (let x = 303; x <= 500; x++) more.push(block(x, 97_000));
    more.push(report('I', 1, 1, '1000'));
    const a = h.run(...more);
    const b = copy.run(...more);
    expect(b).toEqual(a);
    expect(copy.ex.stateHash()).toBe(h.ex.stateHash());
    expect(forwardModule(copy.ex).allContracts().length).toBe(2);
  });
});

describe('read helpers', () => {
  it('markets, book depth, quotes at the current index, positions', async () => {
    const { forwardMarkets, forwardQuoteNow } = await import('../../src/engine/products/forward/index.js');
    expect(forwardMarkets()).toEqual([{ market: 'FWD-30D', days: 30 }, { market: 'FWD-90D', days: 90 }, { market: 'FWD-180D', days: 180 }, { market: 'FWD-365D', days: 365 }]);
    const empty = new Harness();
    expect(forwardQuoteNow(empty.ex, { qtyLots: 10_000, priceSatPerPHDay: 90_000, market: 'FWD-30D' }, 'miner')).toBeUndefined();
    const h = setup();
    openOne(h);
    // at index 100,000: the example's value 2,700,000, collateral 2,970,000; discount 10 %
    const q = forwardQuoteNow(h.ex, { qtyLots: 10_000, priceSatPerPHDay: 90_000, market: 'FWD-30D' }, 'miner');
    expect(q).toMatchObject({ contractValueMsat: VALUE, collateralMsat: COLL, dailyReleaseMsat: TRANCHE });
    expect(q?.discountToIndex).toBeCloseTo(0.1, 12);
    expect(forwardQuoteNow(h.ex, { qtyLots: 10_000, priceSatPerPHDay: 90_000, market: 'FWD-7D' }, 'miner')).toBeUndefined();
    expect(forwardBook(h.ex, 'FWD-30D')).toEqual({ market: 'FWD-30D', days: 30, bids: [], asks: [] });
    expect(forwardBook(h.ex, 'NOPE')).toBeUndefined();
    expect(forwardPositionsOf(h.ex, 'user:I').map((p) => p.positionId)).toEqual(['c1:investor']);
  });
});
