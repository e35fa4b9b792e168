// Rollovers: the miner of an expiring forward (final day) opens the next contract in one command, against
// resting bids (fill-or-kill) or with the same investor when both signed; the new contract starts exactly at
// the old one's end; refusals change nothing.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import { forwardContract } from '../../src/engine/products/forward/index.js';
import { Harness, block, deposit, ofType } from '../engine/helpers.js';

// c1: 1 TH/s (10,000 lots) on FWD-30D at 90,000 from height 101: days end at 101 + 144(d+1) − 1,
// the final day (29) starts at 101 + 144 × 29 = 4,277, the contract ends before 101 + 4,320 = 4,421.
const FINAL_DAY = 4_277;
const END = 4_421;

function setup(): Harness {
  const h = new Harness();
  h.run(block(100, 100_000), deposit('M', 10_000), deposit('I', 10_000), deposit('I2', 10_000));
  h.run(
    { type: 'ForwardPlaceOrder', account: 'M', market: 'FWD-30D', side: 'sell', price: 90_000, qty: 10_000 },
    { type: 'ForwardPlaceOrder', account: 'I', market: 'FWD-30D', side: 'buy', price: 90_000, qty: 10_000 },
    { type: 'ForwardSetAutoDelivery', account: 'M', enabled: true },
  );
  return h;
}

const roll = (extra: Partial<Extract<Command, { type: 'ForwardRollover' }>> = {}): Command =>
  ({ type: 'ForwardRollover', account: 'M', contractId: 1, market: 'FWD-90D', price: 80_000, with: 'book', ...extra }) as Command;

function expectRefused(h: Harness, cmd: Command, reason: string, field?: string): void {
  const before = h.ex.stateHash();
  const ev = h.run(cmd);
  expect(ev).toHaveLength(1);
  expect(ev[0]).toMatchObject({ type: 'CommandRejected', reason, field });
  expect(h.ex.stateHash()).toBe(before);
}

describe('rollover against the book', () => {
  it('opens the next tenor at the resting bid, starting at the old end; the old contract settles its last day', () => {
    const h = setup();
    // I2 bids 1 TH/s on FWD-90D at 85,000: escrow = 10,000 × 85,000 × 90 / 10^4 = 7,650,000 msat
    h.run({ type: 'ForwardPlaceOrder', account: 'I2', market: 'FWD-90D', side: 'buy', price: 85_000, qty: 10_000 });
    h.run(block(FINAL_DAY - 1, 100_000)); // days 0..27 end on the jump (fallback index), day 28 in progress
    expectRefused(h, roll(), 'too_early', 'contractId');
    h.run(block(FINAL_DAY, 100_000)); // days 0..28 (day 28 = 4,133..4,276) have ended; this is day 29's first block
    expect(forwardContract(h.ex, 1)?.nextDay).toBe(29);
    expectRefused(h, roll({ account: 'I' }), 'not_owner', 'account');
    expectRefused(h, roll({ contractId: 7 }), 'unknown_contract', 'contractId');
    expectRefused(h, roll({ price: 86_000 }), 'fok_not_fillable', 'qty'); // no bid at or above 86,000
    expectRefused(h, roll({ qty: 20_000 }), 'fok_not_fillable', 'qty');
    expectRefused(h, roll({ with: 'swap' as 'book' }), 'invalid_argument', 'with');
    const mBefore = h.bal('M');
    const ev = h.run(roll());
    // fill at the bid's 85,000: value 7,650,000, collateral 8,415,000, the miner took: fee 15,300
    expect(ofType(ev, 'ForwardFilled')[0]).toMatchObject({ contractId: 2, price: 85_000, qty: 10_000, takerSide: 'sell', takerFeeMsat: 15_300n });
    expect(ofType(ev, 'ForwardContractOpened')[0]).toMatchObject({
      contractId: 2, market: 'FWD-90D', miner: 'M', investor: 'I2', startHeight: END, endHeight: END + 90 * 144,
      valueMsat: 7_650_000n, collateralMsat: 8_415_000n, rolledFrom: 1,
    });
    expect(ofType(ev, 'ForwardRolledOver')).toEqual([{ type: 'ForwardRolledOver', account: 'M', fromContractId: 1, toContractId: 2, with: 'book' }]);
    expect(h.bal('M')).toBe(mBefore - 8_415_000n + 7_650_000n - 15_300n);
    expect(h.bal('fwd:c2')).toBe(8_415_000n);
    expect(h.bal('I2')).toBe(10_000_000n - 7_650_000n);
    expectRefused(h, roll(), 'not_allowed', 'contractId'); // rolled once
    // The old contract still delivers its final day (4,277..4,420) and closes; the new one starts at 4,421.
    const tail = h.run(block(END - 1, 100_000));
    expect(ofType(tail, 'ForwardContractClosed')[0]).toMatchObject({ contractId: 1, rolledInto: 2 });
    expect(h.bal('fwd:c1')).toBe(0n);
    expect(forwardContract(h.ex, 2)).toMatchObject({ nextDay: 0, dayBlocks: 0 });
    h.run(block(END, 100_000));
    expect(forwardContract(h.ex, 2)).toMatchObject({ nextDay: 0, dayBlocks: 1 });
    expect(h.ex.ledger.total()).toBe(0n);
  });

  it('a rollover after the last day ended but before closing (report pending) starts at the next block', () => {
    const h = setup();
    h.run({ type: 'ForwardSetAutoDelivery', account: 'M', enabled: false });
    h.run({ type: 'ForwardPlaceOrder', account: 'I2', market: 'FWD-30D', side: 'buy', price: 85_000, qty: 10_000 });
    h.run(block(END + 5, 100_000)); // all 30 days ended, all await reports (deadlines from 4,276 + 144 on: day 0's passed)
    const k = forwardContract(h.ex, 1);
    expect(k?.status).toBe('open');
    const ev = h.run(roll({ market: 'FWD-30D' }));
    expect(ofType(ev, 'ForwardContractOpened')[0]).toMatchObject({ contractId: 2, startHeight: END + 6, rolledFrom: 1 });
  });
});

describe('rollover with the same counterparty', () => {
  it('needs the investor\'s signature; the miner pays the taker fee; same investor, new price', () => {
    const h = setup();
    h.run(block(FINAL_DAY + 10, 100_000));
    expectRefused(h, roll({ with: 'counterparty', market: 'FWD-30D', price: 88_000 }), 'not_allowed', 'investorSigned');
    const m0 = h.bal('M');
    const i0 = h.bal('I');
    const ev = h.run(roll({ with: 'counterparty', market: 'FWD-30D', price: 88_000, investorSigned: true }));
    // value = 10,000 × 88,000 × 30 / 10^4 = 2,640,000; collateral 2,904,000; fee 5,280 (miner)
    expect(ofType(ev, 'ForwardContractOpened')[0]).toMatchObject({
      contractId: 2, miner: 'M', investor: 'I', price: 88_000, qtyLots: 10_000, startHeight: END, valueMsat: 2_640_000n, collateralMsat: 2_904_000n, rolledFrom: 1,
    });
    expect(h.bal('M')).toBe(m0 - 2_904_000n + 2_640_000n - 5_280n);
    expect(h.bal('I')).toBe(i0 - 2_640_000n);
    expect(ofType(ev, 'ForwardRolledOver')[0]).toMatchObject({ fromContractId: 1, toContractId: 2, with: 'counterparty' });
  });

  it('refuses when either side cannot fund it, changing nothing', () => {
    const h = setup();
    h.run(block(FINAL_DAY + 10, 100_000));
    // the miner cannot lock 110 % of 10 TH/s × 30 days at 88,000 (29,040,000 msat)
    expectRefused(h, roll({ with: 'counterparty', market: 'FWD-30D', price: 88_000, qty: 100_000, investorSigned: true }), 'insufficient_balance', 'qty');
    expectRefused(h, roll({ with: 'counterparty', market: 'FWD-30D', price: 88_000, qty: 500, investorSigned: true }), 'invalid_argument', 'qty');
    // the investor keeps less than the 2,640,000 msat a 1 TH/s × 30-day contract at 88,000 costs
    h.run({ type: 'Withdraw', account: 'I', amountSat: Number(h.bal('I') / 1000n) - 2_000 });
    expectRefused(h, roll({ with: 'counterparty', market: 'FWD-30D', price: 88_000, investorSigned: true }), 'insufficient_balance', 'price');
  });
});
