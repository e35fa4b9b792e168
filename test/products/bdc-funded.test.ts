// Funded block-delta positions: once the operator's desk opened a position's contract VTXO
// (BdcPositionFunded), the VTXO pays the winner, so settlement must not also credit the ledger (no double
// payout), the position no longer moves by a ledger transfer, and the funding survives snapshot/restore.
// Amounts by hand: payout 10,000 sat per contract; alice rests SLOW 3 @ 6000, bob takes FAST 2 → 2 fill at
// 6000: bob stakes 2 × 6,000 = 12,000 (+ 0.2 % = 24 fee), alice 2 × 4,000 = 8,000; the pot holds 20,000.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import { bdcModuleOf, potAccount } from '../../src/engine/products/bdc/index.js';
import { Harness, deposit, ofType } from '../engine/helpers.js';
import { H, SAT, SERIES, T, blk } from './bdc-helpers.js';

const VTXO = `${'ab'.repeat(32)}:0`;
const cmd = (c: Record<string, unknown>): Command => c as unknown as Command;

function traded(): { h: Harness; fast: string; slow: string } {
  const h = new Harness();
  h.run(blk(100, T - 50_000), cmd({ type: 'BdcListSeries', height: H, deadline: T, payoutSat: 10_000 }), deposit('alice', 100_000), deposit('bob', 100_000));
  h.run(cmd({ type: 'BdcPlaceOrder', account: 'alice', series: SERIES, side: 'SLOW', price: 6000, qty: 3, tif: 'GTC', postOnly: false }));
  const evs = h.run(cmd({ type: 'BdcPlaceOrder', account: 'bob', series: SERIES, side: 'FAST', price: 6500, qty: 2, tif: 'GTC', postOnly: false }));
  const trade = ofType(evs, 'BdcTrade')[0]!;
  return { h, fast: trade.fastPositionId, slow: trade.slowPositionId };
}

describe('funded positions (contract VTXOs)', () => {
  it('a funded winner is paid by its VTXO: the pot leaves the ledger to world, the winner gets no credit', () => {
    const { h, fast, slow } = traded();
    const evs = h.run(cmd({ type: 'BdcPositionFunded', positionId: fast, vtxo: VTXO }));
    expect(ofType(evs, 'BdcPositionFunded')).toEqual([{ type: 'BdcPositionFunded', positionId: fast, series: SERIES, account: 'bob', side: 'FAST', vtxo: VTXO, amountSat: 20_000 }]);
    const bobBefore = h.bal('bob'); // 100,000 − 12,000 − 24 = 87,976 sat
    expect(bobBefore).toBe(87_976n * SAT);
    const settled = h.run(blk(H, T - 40_000)); // block H: FAST wins
    expect(ofType(settled, 'BdcPositionSettled').find((e) => e.positionId === fast)).toMatchObject({ won: true, payoutMsat: 20_000n * SAT, vtxo: VTXO });
    expect(h.bal('bob')).toBe(bobBefore); // paid by the VTXO, not the ledger
    expect(h.bal(potAccount(SERIES))).toBe(0n);
    expect(h.ex.ledger.total()).toBe(0n);
    // The unfunded loser (alice) gets nothing either way.
    expect(ofType(settled, 'BdcPositionSettled').find((e) => e.positionId === slow)).toMatchObject({ won: false, payoutMsat: 0n });
  });

  it('an unfunded winner is still paid in the ledger', () => {
    const { h } = traded();
    const bobBefore = h.bal('bob');
    h.run(blk(H, T - 40_000));
    expect(h.bal('bob')).toBe(bobBefore + 20_000n * SAT);
  });

  it('refuses a second funding, an unknown position, a malformed outpoint, and a ledger transfer of a funded position; state unchanged', () => {
    const { h, fast } = traded();
    h.run(cmd({ type: 'BdcPositionFunded', positionId: fast, vtxo: VTXO }));
    const cases: [Record<string, unknown>, string, string][] = [
      [{ type: 'BdcPositionFunded', positionId: fast, vtxo: `${'cd'.repeat(32)}:1` }, 'not_allowed', 'positionId'],
      [{ type: 'BdcPositionFunded', positionId: `${SERIES}#99`, vtxo: VTXO }, 'unknown_position', 'positionId'],
      [{ type: 'BdcPositionFunded', positionId: fast, vtxo: 'AB:0' }, 'invalid_argument', 'vtxo'],
    ];
    for (const [c, reason, field] of cases) {
      const before = h.ex.stateHash();
      expect(h.run(cmd(c)), JSON.stringify(c)).toMatchObject([{ type: 'CommandRejected', reason, field }]);
      expect(h.ex.stateHash()).toBe(before);
    }
    const m = bdcModuleOf(h.ex);
    const out: never[] = [];
    expect(m.transferPosition(fast, 'bob', 'carol', undefined as never, out)?.reason).toBe('not_allowed');
    expect(m.getPosition(fast)?.owner).toBe('user:bob');
  });

  it('the funding survives snapshot and restore', () => {
    const { h, fast } = traded();
    h.run(cmd({ type: 'BdcPositionFunded', positionId: fast, vtxo: VTXO }));
    const m = bdcModuleOf(h.ex);
    const copy = bdcModuleOf(new Harness().ex);
    copy.restore(JSON.parse(JSON.stringify(m.snapshot())));
    expect(copy.getPosition(fast)?.vtxo).toBe(VTXO);
    expect(JSON.stringify(copy.snapshot())).toBe(JSON.stringify(m.snapshot()));
  });

  it('a take from the Ark wallet books the stake its tx brings, fills in full or not at all, funds the taker and never books the same tx twice', () => {
    const h = new Harness();
    h.run(blk(100, T - 50_000), cmd({ type: 'BdcListSeries', height: H, deadline: T, payoutSat: 10_000 }), deposit('alice', 100_000));
    h.run(cmd({ type: 'BdcPlaceOrder', account: 'alice', series: SERIES, side: 'SLOW', price: 6000, qty: 2, tif: 'GTC', postOnly: false }));
    const TX = 'cd'.repeat(32);
    // Dave takes FAST 2 @ 6000 with an Ark tx bringing 12,030 sat: the stake 2 × 6,000 + the 0.2 % fee (24) + margin.
    const take = (over: Record<string, unknown> = {}) => cmd({ type: 'BdcTakeWithArk', account: 'dave', series: SERIES, side: 'FAST', price: 6000, qty: 2, arkTxid: TX, vtxo: `${TX}:0`, depositSat: 12_030, ...over });
    const before = h.ex.stateHash();
    // More than the book holds, or a limit it does not reach: refused, nothing booked.
    expect(h.run(take({ qty: 3 }))).toMatchObject([{ type: 'CommandRejected', reason: 'fok_not_fillable' }]);
    expect(h.run(take({ price: 5999 }))).toMatchObject([{ type: 'CommandRejected', reason: 'fok_not_fillable' }]);
    // A deposit short of the stake and fee: the engine's own balance check refuses it, and the credit is undone.
    expect(h.run(take({ depositSat: 12_000 }))).toMatchObject([{ type: 'CommandRejected', reason: 'insufficient_balance' }]);
    expect(h.ex.stateHash()).toBe(before);
    const evs = h.run(take());
    const funded = ofType(evs, 'BdcPositionFunded');
    expect(funded).toHaveLength(1);
    expect(funded[0]).toMatchObject({ account: 'dave', side: 'FAST', vtxo: `${TX}:0`, amountSat: 20_000 });
    expect(h.bal('dave')).toBe(6n * SAT); // 12,030 in, 12,000 staked, 24 fee
    expect(h.bal(potAccount(SERIES))).toBe(20_000n * SAT);
    expect(h.run(take({ qty: 1 }))).toMatchObject([{ type: 'CommandRejected', reason: 'duplicate_ark_tx' }]);
    // The maker's position is not funded by the taker's tx: the desk funds it from L.
    expect(bdcModuleOf(h.ex).positionsOf('alice')[0]!.vtxo).toBeUndefined();
  });
});
