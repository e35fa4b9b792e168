// End to end on replayed real blocks (mainnet 314,990 → 320,000, Aug–Sep 2014): four series listed at
// block 315,000, traded around the model's fair value, settled by the engine's header rule. The expected
// winners and deciding heights are computed here independently, from the raw 80-byte headers in the
// shipped .bin segment (own MTP: median of the 11 header times), not from the engine or src/chain.
//   A  H = 317,016  T = MTP(315,000) + 14 days   FAST wins (height reached first)
//   B  H = 317,500  T = same                       SLOW wins (MTP reaches T first)
//   C  H = 320,000  T = 1,410,352,869            the tie on real data: MTP(319,999) = T − 1 < T ≤ MTP(320,000) → FAST
//   D  H = 320,000  T = 1,410,352,868            MTP(319,999) = T exactly: "MTP ≥ T" at block 319,999 → SLOW
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, loadEmbeddedChain } from '../../src/chain/embedded.js';
import type { Command } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { bdcChainStateAt, bdcModuleOf, bdcQuote, bdcSeriesViews, escrowAccount, potAccount } from '../../src/engine/products/bdc/index.js';
import { confirmedBlockAt as blockCommandAt } from '../../src/index/confirmed-block.js';
import { Harness, ofType } from '../engine/helpers.js';

// ── independent truth: raw headers ──
const FIRST = 150_001;
const raw = readFileSync(join(defaultDataDir(), 'headers', 'mainnet_150001-340000.bin'));
const headerAt = (h: number): Buffer => raw.subarray((h - FIRST) * 80, (h - FIRST + 1) * 80);
const timeAt = (h: number): number => headerAt(h).readUInt32LE(68);
const bitsAt = (h: number): number => headerAt(h).readUInt32LE(72);
const mtpAt = (h: number): number => {
  const ts: number[] = [];
  for (let i = h - 10; i <= h; i++) ts.push(timeAt(i));
  ts.sort((a, b) => a - b);
  return ts[5];
};
const hashAt = (h: number): string => {
  const d = createHash('sha256').update(createHash('sha256').update(headerAt(h)).digest()).digest();
  return Buffer.from(d).reverse().toString('hex');
};
/** First block after `listedAt` at which "block H" or "MTP ≥ T" happened, and which came first. */
function expectedOutcome(H: number, T: number, listedAt: number): { winner: 'FAST' | 'SLOW'; height: number } {
  for (let h = listedAt + 1; ; h++) {
    if (h === H) return { winner: mtpAt(H - 1) < T ? 'FAST' : 'SLOW', height: h };
    if (mtpAt(h) >= T) return { winner: 'SLOW', height: h };
  }
}

const LIST_AT = 315_000;
const T14 = mtpAt(LIST_AT) + 14 * 86_400;
const SERIES = [
  { name: 'A', height: 317_016, deadline: T14 },
  { name: 'B', height: 317_500, deadline: T14 },
  { name: 'C', height: 320_000, deadline: 1_410_352_869 },
  { name: 'D', height: 320_000, deadline: 1_410_352_868 },
].map((s) => ({ ...s, id: `BDC-${s.height}-${s.deadline}`, expected: expectedOutcome(s.height, s.deadline, LIST_AT) }));

const SAT = 1000n;
const order = (account: string, series: string, side: 'FAST' | 'SLOW', price: number, qty: number, tif: 'GTC' | 'IOC'): Command =>
  ({ type: 'BdcPlaceOrder', account, series, side, price, qty, tif, postOnly: false }) as Command;

// Per series (payout 10,000 sat): mm rests SLOW 10 @ 6000 and FAST 10 @ 4000; `fast` takes FAST 3 @ 6000,
// `slow` takes SLOW 2 @ 4000. Stakes: fast 3 × 6,000 = 18,000 (+ 36 fee), mm SLOW 3 × 4,000 = 12,000,
// slow 2 × 6,000 = 12,000 (+ 24 fee), mm FAST 2 × 4,000 = 8,000; pot 50,000 = 5 contracts × 10,000.
// FAST wins: fast gets 30,000, mm 20,000 (its FAST 2) → net mm 0, fast +11,964, slow −12,024.
// SLOW wins: mm gets 30,000 (its SLOW 3), slow 20,000 → net mm +10,000, fast −18,036, slow +7,976.
const NET_SAT: Record<'FAST' | 'SLOW', Record<'mm' | 'fast' | 'slow', bigint>> = {
  FAST: { mm: 0n, fast: 11_964n, slow: -12_024n },
  SLOW: { mm: 10_000n, fast: -18_036n, slow: 7_976n },
};
const DEPOSIT: Record<'mm' | 'fast' | 'slow', bigint> = { mm: 400_000n, fast: 100_000n, slow: 100_000n };

describe('BDC on replayed mainnet blocks 314,990 → 320,000', () => {
  it('the chosen series exercise both outcomes, the tie and the MTP = T boundary (from raw headers)', () => {
    expect(SERIES.map((s) => [s.name, s.expected.winner, s.expected.height])).toEqual([
      ['A', 'FAST', 317_016], ['B', 'SLOW', SERIES[1].expected.height], ['C', 'FAST', 320_000], ['D', 'SLOW', 319_999],
    ]);
    expect(SERIES[1].expected.height).toBeLessThan(317_500);
    expect(mtpAt(319_999)).toBe(1_410_352_868); // C: MTP(H − 1) = T − 1 < T …
    expect(mtpAt(320_000)).toBeGreaterThanOrEqual(1_410_352_869); // … and block H itself has MTP ≥ T: the tie
    expect(mtpAt(319_998)).toBeLessThan(1_410_352_868); // D: 319,999 is the first block with MTP ≥ T
  });

  it('lists, quotes beside the model, trades, and settles every series by the header rule', () => {
    const chain = loadEmbeddedChain();
    const h = new Harness();
    for (let b = 314_990; b <= LIST_AT; b++) h.run(blockCommandAt(chain, b));
    h.run({ type: 'Deposit', account: 'mm', amountSat: 400_000 }, { type: 'Deposit', account: 'fast', amountSat: 100_000 },
      { type: 'Deposit', account: 'slow', amountSat: 100_000 });
    for (const s of SERIES) {
      expect(ofType(h.run({ type: 'BdcListSeries', height: s.height, deadline: s.deadline, payoutSat: 10_000 } as Command), 'BdcSeriesListed')).toHaveLength(1);
    }

    // The fair value beside the book: chain state read from the embedded chain at the engine's tip.
    const state = bdcChainStateAt(chain, { height: LIST_AT, mtp: mtpAt(LIST_AT) });
    expect(state.bits).toBe(bitsAt(LIST_AT + 1));
    expect(state.epochStartTime).toBe(timeAt(314_496)); // epoch 156 starts at 156 × 2016
    const fair = new Map<string, number>();
    for (const s of SERIES) {
      const q = bdcQuote(h.ex, s.id, chain, { paths: 400, seed: 7 });
      expect(q?.fair.decided).toBe(false);
      if (q?.fair.decided !== false) throw new Error('unreachable');
      expect(q.fair.fair.method).toBe('simulation'); // each window crosses the retarget at 316,512
      expect(q.fair.fair.fairBps).toBeGreaterThanOrEqual(1);
      expect(q.fair.fair.fairBps).toBeLessThanOrEqual(9999);
      fair.set(s.name, q.fair.fair.pFast);
    }
    // Same deadline, higher H: FAST cannot be worth more. Same H, one second later: not less.
    expect(fair.get('A')).toBeGreaterThanOrEqual(fair.get('B') as number);
    expect(fair.get('C')).toBeGreaterThanOrEqual(fair.get('D') as number);

    for (const s of SERIES) {
      h.run(order('mm', s.id, 'SLOW', 6000, 10, 'GTC'), order('mm', s.id, 'FAST', 4000, 10, 'GTC'));
      const t1 = h.run(order('fast', s.id, 'FAST', 6000, 3, 'IOC'));
      const t2 = h.run(order('slow', s.id, 'SLOW', 4000, 2, 'IOC'));
      expect([...ofType(t1, 'BdcTrade'), ...ofType(t2, 'BdcTrade')].map((t) => [t.price, t.qty])).toEqual([[6000, 3], [4000, 2]]);
      expect(h.bal(potAccount(s.id))).toBe(50_000n * SAT);
      // the four contract VTXOs the operator adapter builds: everything it needs is in the events
      expect([...ofType(t1, 'BdcPositionOpened'), ...ofType(t2, 'BdcPositionOpened')].map((p) => [p.account, p.side, p.contracts, p.amountSat, p.stakeSat, p.height, p.deadline]))
        .toEqual([
          ['fast', 'FAST', 3, 30_000, 18_000, s.height, s.deadline], ['mm', 'SLOW', 3, 30_000, 12_000, s.height, s.deadline],
          ['mm', 'FAST', 2, 20_000, 8_000, s.height, s.deadline], ['slow', 'SLOW', 2, 20_000, 12_000, s.height, s.deadline],
        ]);
    }

    const settled: Extract<EngineEvent, { type: 'BdcSeriesSettled' }>[] = [];
    for (let b = LIST_AT + 1; b <= 320_000; b++) settled.push(...ofType(h.run(blockCommandAt(chain, b)), 'BdcSeriesSettled'));

    expect(settled.map((e) => e.series).sort()).toEqual(SERIES.map((s) => s.id).sort());
    for (const s of SERIES) {
      const e = settled.find((x) => x.series === s.id);
      expect(e, s.name).toMatchObject({
        winner: s.expected.winner, decidedAtHeight: s.expected.height, decidedAtHash: hashAt(s.expected.height),
        mtp: mtpAt(s.expected.height), parentMtp: mtpAt(s.expected.height - 1), paidMsat: 50_000n * SAT, positions: 4,
      });
      expect(h.bal(potAccount(s.id))).toBe(0n);
      expect(h.bal(escrowAccount(s.id))).toBe(0n);
    }
    for (const who of ['mm', 'fast', 'slow'] as const) {
      let want = DEPOSIT[who];
      for (const s of SERIES) want += NET_SAT[s.expected.winner][who];
      expect(h.bal(who), who).toBe(want * SAT);
    }
    expect(h.bal('fees')).toBe(4n * 60n * SAT); // (36 + 24) sat per series
    expect(bdcSeriesViews(h.ex).map((v) => [v.series, v.status, v.winner])).toEqual(
      SERIES.map((s) => [s.id, 'settled', s.expected.winner]).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    expect(bdcModuleOf(h.ex).positionsOf('mm')).toEqual([]);
    expect(h.ex.ledger.total()).toBe(0n);
  }, 60_000);
});
