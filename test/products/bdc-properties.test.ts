// Property tests over random BDC command sequences (orders, cancels, transfers, blocks that settle series
// both ways): after every command the ledger sums to zero with no negative account but `world`; each open
// series' order escrow equals Σ resting qty × stake at the order's price and its pot equals Σ open positions'
// contracts × payout, with as many FAST as SLOW contracts; settled series hold nothing; a refused command
// leaves the state hash unchanged; restore(snapshot()) reproduces the hash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import { Exchange } from '../../src/engine/exchange.js';
import { bdcModuleOf, escrowAccount, potAccount, stakeMsat } from '../../src/engine/products/bdc/index.js';
import { hashOf } from '../engine/helpers.js';

const T = 1_700_000_000;
const SERIES = [
  { id: `BDC-104-${T}`, height: 104, deadline: T, payoutSat: 10_000 },
  { id: `BDC-107-${T + 2_000}`, height: 107, deadline: T + 2_000, payoutSat: 20_000 },
];
const ACCOUNTS = ['a', 'b', 'c'];

type Step =
  | { k: 'cmd'; c: Command }
  | { k: 'block'; dMtp: number }
  | { k: 'transfer'; pick: number; to: string };

const account = fc.constantFrom(...ACCOUNTS);
const series = fc.constantFrom(...SERIES.map((s) => s.id));
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ account, amountSat: fc.integer({ min: 1, max: 100_000 }) }).map((r): Step => ({ k: 'cmd', c: { type: 'Deposit', ...r } })) },
  {
    weight: 8,
    arbitrary: fc.record({
      account, series, side: fc.constantFrom('FAST', 'SLOW'), price: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(4_500, 4_900, 5_000, 5_100, 5_500) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 10_000 }) }),
      qty: fc.integer({ min: 0, max: 6 }), tif: fc.constantFrom('GTC', 'GTC', 'IOC', 'FOK'), postOnly: fc.boolean(),
      clientOrderId: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
    }).map((r): Step => {
      const c = { type: 'BdcPlaceOrder', ...r, postOnly: r.postOnly && r.tif === 'GTC' } as Record<string, unknown>;
      if (r.clientOrderId === undefined) delete c.clientOrderId;
      return { k: 'cmd', c: c as unknown as Command };
    }),
  },
  { weight: 2, arbitrary: fc.record({ account, series, orderId: fc.integer({ min: 1, max: 50 }) }).map((r): Step => ({ k: 'cmd', c: { type: 'BdcCancelOrder', ...r } as Command })) },
  { weight: 1, arbitrary: fc.record({ account, series, clientOrderId: fc.constantFrom('x', 'y') }).map((r): Step => ({ k: 'cmd', c: { type: 'BdcCancelOrder', ...r } as Command })) },
  { weight: 1, arbitrary: account.map((a): Step => ({ k: 'cmd', c: { type: 'BdcCancelAll', account: a } as Command })) },
  { weight: 2, arbitrary: fc.record({ pick: fc.nat(), to: account }).map((r): Step => ({ k: 'transfer', ...r })) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1_500 }).map((d): Step => ({ k: 'block', dMtp: d })) },
);

function checkInvariants(ex: Exchange): void {
  expect(ex.ledger.total()).toBe(0n);
  for (const [k, v] of ex.ledger.entries()) if (k !== 'world') expect(v, k).toBeGreaterThanOrEqual(0n);
  const m = bdcModuleOf(ex);
  for (const s of m.listSeries()) {
    const escrow = ex.ledger.balance(escrowAccount(s.id));
    const pot = ex.ledger.balance(potAccount(s.id));
    if (s.status === 'settled') {
      expect([escrow, pot, m.positionsOfSeries(s.id).length, s.book.size]).toEqual([0n, 0n, 0, 0]);
      continue;
    }
    let wantEscrow = 0n;
    for (const r of s.book.restingOrders()) {
      const o = m.ordersOf(r.account, s.id).find((x) => x.id === r.id);
      expect(o?.qty).toBe(r.qty);
      wantEscrow += stakeMsat(r.side === 'buy' ? 'FAST' : 'SLOW', r.price, s.payoutSat, r.qty);
    }
    expect(escrow).toBe(wantEscrow);
    let fast = 0, slow = 0;
    for (const p of m.positionsOfSeries(s.id)) if (p.side === 'FAST') fast += p.contracts; else slow += p.contracts;
    expect(fast).toBe(slow);
    expect(pot).toBe(BigInt(fast) * BigInt(s.payoutSat) * 1000n);
  }
}

function run(steps: Step[]): { ex: Exchange; settled: string[] } {
  const ex = new Exchange();
  let seq = 0;
  let height = 100;
  let mtp = T - 3_000;
  const apply = (c: Command): void => {
    const before = ex.stateHash();
    const evs = ex.apply(c, ++seq);
    if (evs.length === 1 && evs[0].type === 'CommandRejected') expect(ex.stateHash()).toBe(before);
    else expect(evs.some((e) => e.type === 'CommandRejected')).toBe(false);
    checkInvariants(ex);
  };
  apply({ type: 'BlockConnected', height, hash: hashOf(height), time: mtp + 3600, mtp, indexPrice: 50_000 });
  for (const s of SERIES) apply({ type: 'BdcListSeries', height: s.height, deadline: s.deadline, payoutSat: s.payoutSat } as Command);
  for (const a of ACCOUNTS) apply({ type: 'Deposit', account: a, amountSat: 100_000 });
  const settled: string[] = [];
  for (const st of steps) {
    if (st.k === 'cmd') apply(st.c);
    else if (st.k === 'block') {
      height++;
      mtp += st.dMtp;
      const evs = ex.apply({ type: 'BlockConnected', height, hash: hashOf(height), time: mtp + 3600, mtp, indexPrice: 50_000 }, ++seq);
      for (const e of evs) if (e.type === 'BdcSeriesSettled' && e.positions > 0) settled.push(`${e.series}:${e.winner}`);
      checkInvariants(ex);
    } else {
      const m = bdcModuleOf(ex);
      const all = ACCOUNTS.flatMap((a) => m.positionsOf(a));
      if (all.length === 0) continue;
      const p = all[st.pick % all.length];
      const before = ex.stateHash();
      const r = m.transferPosition(p.id, p.owner, st.to, ex.productContext(++seq), []);
      if (r !== undefined) {
        expect(r.reason).toBe('invalid_argument'); // only "to itself" can fail here
        expect(ex.stateHash()).toBe(before);
      } else expect(m.getPosition(p.id)?.owner).toBe(`user:${st.to}`);
      checkInvariants(ex);
    }
  }
  return { ex, settled };
}

describe('bdc properties', () => {
  it('ledger, escrow and pot invariants hold after every command; refusals change nothing; snapshots restore', () => {
    const outcomes = { FAST: 0, SLOW: 0 };
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 5, maxLength: 60, size: 'max' }), (steps) => {
        const { ex, settled } = run(steps);
        for (const s of settled) outcomes[s.endsWith('FAST') ? 'FAST' : 'SLOW']++;
        expect(Exchange.restore(ex.snapshot()).stateHash()).toBe(ex.stateHash());
      }),
      { numRuns: 250, seed: 20261121 },
    );
    // the sequences reach settlements of traded series both ways, not just books
    expect(outcomes.FAST).toBeGreaterThan(10);
    expect(outcomes.SLOW).toBeGreaterThan(10);
  }, 60_000);
});
