// Block-delta settlement must see every block. A BlockConnected that jumps heights (h0 → h1 > h0 + 1) hides
// the skipped blocks' MTPs; when block H and "MTP ≥ T" both fall in the hidden range, the winner depends on
// MTP(H − 1), which the engine never saw. Before the fix the engine settled FAST there (the header rule at h1
// alone); now it halts the series: nothing paid, orders refunded, pot and positions kept, trading refused.
// Gaps the header rule still decides exactly (MTP never decreases) settle as before, and the chain follower's
// normal feed (every height in order) never trips the halt.
import { describe, expect, it } from 'vitest';
import { ChainFollower, type CommandEvent, type FollowerEvent } from '../../src/chain/follower.js';
import { PacedReplaySource } from '../../src/chain/paced-source.js';
import type { Command } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Exchange } from '../../src/engine/exchange.js';
import { bdcModuleOf, bdcPositionsOf, bdcSeriesViews, escrowAccount, potAccount } from '../../src/engine/products/bdc/index.js';
import { Harness, deposit, ofType } from '../engine/helpers.js';
import { H, SAT, SERIES, T, blk } from '../products/bdc-helpers.js';


/** Block 100 (MTP well before T), the series listed, alice rests SLOW 3 @ 6000, bob takes FAST 2 → pot 20,000 sat. */
function traded(): Harness {
  const h = new Harness();
  h.run(blk(100, T - 50_000), { type: 'BdcListSeries', height: H, deadline: T, payoutSat: 10_000 } as Command, deposit('alice', 100_000), deposit('bob', 100_000));
  h.run({ type: 'BdcPlaceOrder', account: 'alice', series: SERIES, side: 'SLOW', price: 6000, qty: 3, tif: 'GTC', postOnly: false } as Command);
  h.run({ type: 'BdcPlaceOrder', account: 'bob', series: SERIES, side: 'FAST', price: 6500, qty: 2, tif: 'GTC', postOnly: false } as Command);
  expect(h.bal(potAccount(SERIES))).toBe(20_000n * SAT);
  return h;
}

describe('attack: a height gap hides the block that decided a block-delta series', () => {
  it('block H and MTP ≥ T both in skipped heights: halted, not guessed; nothing paid; the refusal changes no state hash', () => {
    const h = traded();
    // The engine jumps from 100 to 112, whose MTP is past T. Block 110 (H) was mined in between, but if block
    // 105's MTP had already reached T, SLOW won; the engine cannot tell. Before the fix: FAST paid 20,000 sat to bob.
    const evs = h.run(blk(112, T + 100));
    expect(ofType(evs, 'BdcSeriesSettled')).toEqual([]);
    expect(ofType(evs, 'BdcPositionSettled')).toEqual([]);
    expect(ofType(evs, 'BdcSeriesHalted')).toMatchObject([{ series: SERIES, atHeight: 112, mtp: T + 100, lastSeenHeight: 100, potMsat: 20_000n * SAT, positions: 2 }]);
    // alice's resting SLOW 1 @ 6000 is refunded (4,000 sat); the pot and both positions stay.
    expect(ofType(evs, 'BdcOrderCancelled')).toMatchObject([{ reason: 'series_halted', remainingQty: 1, releasedMsat: 4_000n * SAT }]);
    expect(h.bal(escrowAccount(SERIES))).toBe(0n);
    expect(h.bal(potAccount(SERIES))).toBe(20_000n * SAT);
    expect(h.bal('bob')).toBe(87_976n * SAT);
    expect(h.bal('alice')).toBe(92_000n * SAT);
    expect(bdcPositionsOf(h.ex, 'bob')).toHaveLength(1);
    expect(bdcSeriesViews(h.ex)).toMatchObject([{ series: SERIES, status: 'halted', winner: null }]);

    // Trading and transfers are refused and change nothing; later blocks do not settle it either.
    const before = h.ex.stateHash();
    const refused = h.run({ type: 'BdcPlaceOrder', account: 'bob', series: SERIES, side: 'FAST', price: 5000, qty: 1, tif: 'GTC', postOnly: false } as Command);
    expect(refused).toMatchObject([{ type: 'CommandRejected', reason: 'not_allowed', field: 'series' }]);
    expect(h.ex.stateHash()).toBe(before);
    const m = bdcModuleOf(h.ex);
    const pos = m.positionsOf('bob')[0];
    expect(m.transferPosition(pos.id, 'user:bob', 'user:carol', h.ex.productContext(999), [])?.reason).toBe('not_allowed');
    expect(h.ex.stateHash()).toBe(before);
    expect(ofType(h.run(blk(113, T + 700)), 'BdcSeriesSettled')).toEqual([]);
    expect(h.bal(potAccount(SERIES))).toBe(20_000n * SAT);
    // The halted state survives snapshot → restore.
    expect(Exchange.restore(h.ex.snapshot()).stateHash()).toBe(h.ex.stateHash());
    expect(h.ex.ledger.total()).toBe(0n);
  });

  it('gaps the header rule still decides exactly settle as before (MTP never decreases)', () => {
    // MTP(h1) < T: no skipped block reached T, block H was among them → FAST.
    const a = traded();
    expect(ofType(a.run(blk(115, T - 1)), 'BdcSeriesSettled')).toMatchObject([{ winner: 'FAST', decidedAtHeight: 115, parentMtp: null }]);
    expect(a.bal('bob')).toBe(107_976n * SAT);
    // h1 < H with MTP ≥ T: height H not reached, T passed → SLOW.
    const b = traded();
    expect(ofType(b.run(blk(108, T)), 'BdcSeriesSettled')).toMatchObject([{ winner: 'SLOW', decidedAtHeight: 108 }]);
    expect(b.bal('alice')).toBe(112_000n * SAT);
    // H = h0 + 1: block H is the first block after the last one seen (MTP below T) → FAST, the tie rule.
    const c = traded();
    c.run(blk(109, T - 10));
    expect(ofType(c.run(blk(110, T + 50)), 'BdcSeriesSettled')).toMatchObject([{ winner: 'FAST', decidedAtHeight: 110, parentMtp: T - 10 }]);
    // A gap that decides nothing leaves the series open.
    const d = traded();
    expect(ofType(d.run(blk(105, T - 1)), 'BdcSeriesHalted')).toEqual([]);
    expect(bdcSeriesViews(d.ex)[0].status).toBe('open');
  });

  it('the follower over the paced replay feeds every height in order: series decided both ways, no halt', async () => {
    const clock = { t: 1_700_000_000_000 };
    const start = 824_400;
    const source = new PacedReplaySource({ now: () => clock.t, paceMs: 2000, startHeight: start });
    const follower = new ChainFollower({ source, maxBatch: 500 });
    const commands: CommandEvent['command'][] = [];
    follower.on((e: FollowerEvent) => { if (e.kind === 'command') commands.push(e.command); });
    expect((await follower.pollOnce()).status).toBe('ok');
    // Reveal 300 blocks, several per poll (batches of 13), as a server that polls late would.
    for (let revealed = 0; revealed < 300; revealed += 13) {
      clock.t += 2000 * 13;
      let r = await follower.pollOnce();
      while (r.status === 'ok' && r.more) r = await follower.pollOnce();
      expect(r.status).toBe('ok');
    }
    expect(commands.length).toBeGreaterThan(300);
    commands.forEach((c, i) => expect(c.height).toBe(start + i));

    const ex = new Exchange();
    let seq = 0;
    const out: EngineEvent[] = [];
    const run = (c: Command): void => { out.push(...ex.apply(c, ++seq)); };
    run({ ...commands[0] });
    // FAST: height start + 100 long before its deadline; SLOW: a deadline 10 000 s after the start block's MTP,
    // far from start + 250. Both traded so the pot is paid.
    const fastT = commands[0].mtp + 200 * 600, slowT = commands[0].mtp + 10_000;
    const fast = `BDC-${start + 100}-${fastT}`, slow = `BDC-${start + 250}-${slowT}`;
    run({ type: 'BdcListSeries', height: start + 100, deadline: fastT, payoutSat: 10_000 } as Command);
    run({ type: 'BdcListSeries', height: start + 250, deadline: slowT, payoutSat: 10_000 } as Command);
    run(deposit('alice', 100_000));
    run(deposit('bob', 100_000));
    for (const s of [fast, slow]) {
      run({ type: 'BdcPlaceOrder', account: 'alice', series: s, side: 'SLOW', price: 5000, qty: 1, tif: 'GTC', postOnly: false } as Command);
      run({ type: 'BdcPlaceOrder', account: 'bob', series: s, side: 'FAST', price: 5000, qty: 1, tif: 'GTC', postOnly: false } as Command);
    }
    for (const c of commands.slice(1)) run({ ...c });
    expect(ofType(out, 'CommandRejected')).toEqual([]);
    expect(ofType(out, 'BdcSeriesHalted')).toEqual([]);
    const settled = ofType(out, 'BdcSeriesSettled');
    expect(settled.map((e) => [e.series, e.winner])).toEqual(expect.arrayContaining([[fast, 'FAST'], [slow, 'SLOW']]));
    for (const e of settled) expect(e.parentMtp).not.toBeNull(); // decided on a block whose parent the engine saw
  });
});
