// transferPosition / describePosition (what swap offers call): either side of a forward moves with its
// collateral and history; later deliveries, reports and releases follow the new holder.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import { forwardContract, forwardModule } from '../../src/engine/products/forward/index.js';
import { Harness, block, deposit, ofType } from '../engine/helpers.js';

function setup(): Harness {
  const h = new Harness();
  h.run(block(100, 100_000), deposit('M', 10_000), deposit('I', 10_000), deposit('M2', 10_000), deposit('I2', 10_000));
  h.run(
    { type: 'ForwardPlaceOrder', account: 'M', market: 'FWD-30D', side: 'sell', price: 90_000, qty: 10_000 },
    { type: 'ForwardPlaceOrder', account: 'I', market: 'FWD-30D', side: 'buy', price: 90_000, qty: 10_000 },
  );
  return h;
}

/** Calls the module the way the swap product does, inside a command (seq of the next command). */
function transfer(h: Harness, positionId: string, from: string, to: string): { r: ReturnType<NonNullable<ReturnType<typeof forwardModule>['transferPosition']>>; out: EngineEvent[] } {
  const out: EngineEvent[] = [];
  const r = forwardModule(h.ex).transferPosition(positionId, from, to, h.ex.productContext(h.seq + 1), out);
  return { r, out };
}

describe('forward positions for swap offers', () => {
  it('describePosition: the holder sees the position, anyone else gets undefined', () => {
    const h = setup();
    const fm = forwardModule(h.ex);
    expect(fm.describePosition('c1:miner', 'user:M')).toMatchObject({
      product: 'forward', positionId: 'c1:miner', contractId: 1, side: 'miner', holder: 'M', counterparty: 'I', market: 'FWD-30D',
      qtyLots: 10_000, price: 90_000, days: 30, startHeight: 101, endHeight: 4_421, valueMsat: 2_700_000n,
      collateralMsat: 2_970_000n, collateralRemainingMsat: 2_970_000n, status: 'open',
    });
    expect(fm.describePosition('c1:investor', 'I')).toMatchObject({ side: 'investor', holder: 'I', counterparty: 'M' });
    expect(fm.describePosition('c1:miner', 'I')).toBeUndefined();
    expect(fm.describePosition('c9:miner', 'M')).toBeUndefined();
    expect(fm.describePosition('1:miner', 'M')).toBeUndefined();
  });

  it('the miner side moves with its collateral: the new miner delivers and gets the tranches', () => {
    const h = setup();
    const before = h.ex.stateHash();
    const refusals: [string, string, string, string, string][] = [
      ['c9:miner', 'M', 'M2', 'unknown_position', 'positionId'],
      ['c1:seller', 'M', 'M2', 'unknown_position', 'positionId'],
      ['c1:miner', 'I', 'M2', 'not_owner', 'positionId'],
      ['c1:miner', 'M', 'I', 'not_allowed', 'to'],
      ['c1:miner', 'M', 'M', 'invalid_argument', 'to'],
      ['c1:miner', 'M', 'bad name', 'invalid_argument', 'to'],
    ];
    for (const [pid, from, to, reason, field] of refusals) {
      const { r, out } = transfer(h, pid, from, to);
      expect(r, pid + from + to).toMatchObject({ reason, field });
      expect(out).toEqual([]);
      expect(h.ex.stateHash()).toBe(before);
    }
    const { r, out } = transfer(h, 'c1:miner', 'user:M', 'user:M2');
    expect(r).toBeUndefined();
    expect(out).toEqual([{ type: 'ForwardPositionTransferred', contractId: 1, side: 'miner', from: 'M', to: 'M2' }]);
    expect(h.bal('fwd:c1')).toBe(2_970_000n); // the collateral stays in the contract, now backing M2
    expect(forwardModule(h.ex).describePosition('c1:miner', 'M2')).toMatchObject({ holder: 'M2' });
    h.run({ type: 'ForwardSetAutoDelivery', account: 'M2', enabled: true });
    const m = h.bal('M');
    const ev = h.run(block(244, 100_000));
    // M2 pays day 0's 100,000 msat and gets the 99,000 tranche; M is untouched
    expect(ofType(ev, 'ForwardDayDelivered')[0]).toMatchObject({ via: 'cash', deliveredMsat: 100_000n });
    expect(h.bal('M2')).toBe(10_000_000n - 100_000n + 99_000n);
    expect(h.bal('M')).toBe(m);
    expect(h.ex.ledger.total()).toBe(0n);
  });

  it('the investor side moves with its history: the new investor reports, the old one may not', () => {
    const h = setup();
    h.run(block(244, 100_000)); // day 0 ends, awaits a report
    const { r } = transfer(h, 'c1:investor', 'I', 'I2');
    expect(r).toBeUndefined();
    expect(forwardContract(h.ex, 1)?.history).toHaveLength(1); // history kept
    expect(h.run({ type: 'ForwardDeliveryReport', account: 'I', contractId: 1, day: 0, receivedMsat: '0' })[0]).toMatchObject({ reason: 'not_owner' });
    const ev = h.run({ type: 'ForwardDeliveryReport', account: 'I2', contractId: 1, day: 0, receivedMsat: '0' });
    expect(ofType(ev, 'ForwardDayMissed')[0]).toMatchObject({ via: 'report' });
    expect(h.bal('I2')).toBe(10_000_000n + 99_000n);
  });

  it('a closed contract cannot move', () => {
    const h = setup();
    h.run({ type: 'ForwardSetAutoDelivery', account: 'M', enabled: true }, block(101 + 30 * 144, 100_000));
    expect(forwardContract(h.ex, 1)?.status).toBe('closed');
    expect(transfer(h, 'c1:investor', 'I', 'I2').r).toMatchObject({ reason: 'already_settled' });
  });
});
