// Properties of the forward product under random command sequences (orders, cancels, deposits, withdrawals,
// blocks that jump heights, reports, auto-delivery, rollovers, position transfers):
// - the ledger sums to zero and no account but `world` goes negative, after every command;
// - every resting order's escrow covers what its remaining quantity needs; every contract's collateral
//   account holds exactly collateral − released;
// - a refused command leaves the state hash unchanged;
// - snapshot -> restore reproduces the hash and the behaviour.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import { Exchange } from '../../src/engine/exchange.js';
import { FORWARD_MARKETS, contractCollateral, escrowFor, forwardModule, orderEscrow } from '../../src/engine/products/forward/index.js';
import { block, deposit } from '../engine/helpers.js';

const ACCOUNTS = ['A', 'B', 'C'] as const;
const MARKETS = ['FWD-30D', 'FWD-90D'] as const;
const account = fc.constantFrom(...ACCOUNTS);
const market = fc.constantFrom<(typeof MARKETS)[number]>('FWD-30D', 'FWD-30D', 'FWD-90D');

type Step =
  | { k: 'cmd'; c: Command }
  /** aimed at a live contract (the `pick`-th open one), so rollovers, reports and transfers also succeed */
  | { k: 'aimed'; pick: number; what: 'roll' | 'report' | 'transfer'; market: string; price: number; with: 'book' | 'counterparty'; side: 'miner' | 'investor'; to: string; frac: number }
  | { k: 'block'; dh: number; index: number }
  | { k: 'transfer'; contractId: number; side: 'miner' | 'investor'; from: string; to: string };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ account, amountSat: fc.integer({ min: 5_000, max: 30_000 }) }).map((r): Step => ({ k: 'cmd', c: deposit(r.account, r.amountSat) })) },
  { weight: 1, arbitrary: fc.record({ account, amountSat: fc.integer({ min: 1, max: 5_000 }) }).map((r): Step => ({ k: 'cmd', c: { type: 'Withdraw', ...r } })) },
  {
    weight: 5,
    arbitrary: fc.record({
      account, market, side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'), price: fc.constantFrom(95_000, 100_000, 100_000, 105_000),
      qty: fc.integer({ min: 9_500, max: 25_000 }), tif: fc.constantFrom<'GTC' | 'IOC' | 'FOK'>('GTC', 'GTC', 'IOC', 'FOK'), postOnly: fc.constantFrom(false, false, false, true),
    }).map((r): Step => ({ k: 'cmd', c: { type: 'ForwardPlaceOrder', ...r } })),
  },
  { weight: 1, arbitrary: fc.record({ account, market, orderId: fc.integer({ min: 1, max: 30 }) }).map((r): Step => ({ k: 'cmd', c: { type: 'ForwardCancelOrder', ...r } })) },
  { weight: 1, arbitrary: fc.record({ account, enabled: fc.boolean() }).map((r): Step => ({ k: 'cmd', c: { type: 'ForwardSetAutoDelivery', ...r } })) },
  {
    weight: 2,
    arbitrary: fc.record({ account, contractId: fc.integer({ min: 1, max: 8 }), day: fc.integer({ min: 0, max: 6 }), received: fc.integer({ min: 0, max: 400_000 }) })
      .map((r): Step => ({ k: 'cmd', c: { type: 'ForwardDeliveryReport', account: r.account, contractId: r.contractId, day: r.day, receivedMsat: String(r.received) } })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      account, contractId: fc.integer({ min: 1, max: 8 }), market, price: fc.integer({ min: 80_000, max: 120_000 }),
      with: fc.constantFrom<'book' | 'counterparty'>('book', 'counterparty'), investorSigned: fc.boolean(),
    }).map((r): Step => ({ k: 'cmd', c: { type: 'ForwardRollover', ...r } })),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('aimed' as const), pick: fc.nat(20), what: fc.constantFrom<'roll' | 'report' | 'transfer'>('roll', 'report', 'transfer'), market,
      price: fc.constantFrom(95_000, 100_000, 105_000), with: fc.constantFrom<'book' | 'counterparty'>('book', 'counterparty'),
      side: fc.constantFrom<'miner' | 'investor'>('miner', 'investor'), to: account, frac: fc.constantFrom(0, 1, 2),
    }),
  },
  { weight: 4, arbitrary: fc.record({ dh: fc.oneof(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 150, max: 1_500 })), index: fc.integer({ min: 50_000, max: 150_000 }) }).map((r): Step => ({ k: 'block', ...r })) },
  {
    weight: 1,
    arbitrary: fc.record({ contractId: fc.integer({ min: 1, max: 8 }), side: fc.constantFrom<'miner' | 'investor'>('miner', 'investor'), from: account, to: account })
      .map((r): Step => ({ k: 'transfer', ...r })),
  },
);

/** Applies steps to an exchange from `seq`/`height`; checks the invariants after every step. */
function run(ex: Exchange, steps: Step[], state: { seq: number; height: number }, check: boolean): string[] {
  const log: string[] = [];
  for (const s of steps) {
    let before = check ? ex.stateHash() : '';
    let refused = false;
    if (s.k === 'aimed') {
      const open = forwardModule(ex).allContracts().filter((k) => k.status === 'open');
      if (open.length === 0) continue;
      const k = open[s.pick % open.length];
      let c: Command;
      if (s.what === 'roll') {
        // go to the contract's final day first (a block like any other), so the rollover can happen
        const finalDay = k.startHeight + 144 * (k.days - 1);
        if (state.height < finalDay) {
          log.push(ex.apply(block((state.height = finalDay), 100_000), ++state.seq).map((e) => e.type).join(','));
          if (check) before = ex.stateHash();
        }
        c = { type: 'ForwardRollover', account: k.miner, contractId: k.id, market: s.market, price: s.price, with: s.with, investorSigned: true };
      } else if (s.what === 'report') {
        const day = k.history.findIndex((d) => d.status === 'awaiting');
        const obl = day < 0 ? 0n : k.history[day].obligationMsat;
        c = { type: 'ForwardDeliveryReport', account: k.investor, contractId: k.id, day: Math.max(day, 0), receivedMsat: String((obl * BigInt(s.frac)) / 2n) };
      } else {
        const out: unknown[] = [];
        const r = forwardModule(ex).transferPosition(`c${k.id}:${s.side}`, s.side === 'miner' ? k.miner : k.investor, s.to, ex.productContext(++state.seq), out as never[]);
        refused = r !== undefined;
        log.push(r === undefined ? 'transfer:ok' : 'transfer:refused');
        c = undefined as unknown as Command;
      }
      if (c !== undefined) {
        const ev = ex.apply(c, ++state.seq);
        refused = ev.length === 1 && ev[0].type === 'CommandRejected';
        log.push(ev.map((e) => (e.type === 'CommandRejected' ? `rej:${e.reason}` : e.type)).join(','));
      }
    } else if (s.k === 'transfer') {
      const out: unknown[] = [];
      const r = forwardModule(ex).transferPosition(`c${s.contractId}:${s.side}`, s.from, s.to, ex.productContext(++state.seq), out as never[]);
      refused = r !== undefined;
      log.push(r === undefined ? 'transfer:ok' : 'transfer:refused');
    } else {
      const c = s.k === 'block' ? block((state.height += s.dh), s.index) : s.c;
      const ev = ex.apply(c, ++state.seq);
      refused = ev.length === 1 && ev[0].type === 'CommandRejected';
      log.push(ev.map((e) => (e.type === 'CommandRejected' ? `rej:${e.reason}` : e.type)).join(','));
    }
    if (!check) continue;
    if (refused) expect(ex.stateHash()).toBe(before);
    expect(ex.ledger.total()).toBe(0n);
    for (const [k, v] of ex.ledger.entries()) if (k !== 'world') expect(v >= 0n, `${k} = ${v}`).toBe(true);
    const fm = forwardModule(ex);
    for (const m of MARKETS) {
      for (const o of fm.book(m)?.restingOrders() ?? []) {
        expect(ex.ledger.balance(orderEscrow(o.id)) >= escrowFor(o.side, o.qty, o.price, FORWARD_MARKETS[m])).toBe(true);
      }
    }
    for (const k of fm.allContracts()) expect(ex.ledger.balance(contractCollateral(k.id))).toBe(k.collateralMsat - k.releasedMsat);
  }
  return log;
}

const seen = new Map<string, number>();

/** Every account starts with 50,000 sat, so most generated orders are funded and meet each other. */
function fresh(): Exchange {
  const ex = new Exchange();
  ex.apply(block(1_000, 100_000), -3);
  for (const [i, a] of ACCOUNTS.entries()) ex.apply(deposit(a, 50_000), -2 + i);
  return ex;
}

describe('forward properties', () => {
  it('ledger zero-sum, no negative account, escrow and collateral cover, refusals change nothing', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 60 }), (steps) => {
        const ex = fresh();
        for (const line of run(ex, steps, { seq: 0, height: 1_000 }, true)) for (const t of line.split(',')) seen.set(t, (seen.get(t) ?? 0) + 1);
      }),
      { numRuns: 120 },
    );
    // The generator reaches every path it is meant to exercise (else the property would prove little).
    for (const t of ['ForwardContractOpened', 'ForwardDayDelivered', 'ForwardDayMissed', 'ForwardDayAwaitingReport', 'ForwardContractClosed',
      'ForwardRolledOver', 'ForwardOrderClosed', 'rej:fok_not_fillable', 'rej:unknown_contract', 'rej:too_early']) expect(seen.get(t) ?? 0, t).toBeGreaterThan(0);
    expect(seen.get('transfer:ok') ?? 0, 'transfers applied').toBeGreaterThan(0);
  }, 60_000);

  it('restore(snapshot) mid-run behaves like the original', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 5, maxLength: 40 }), fc.array(stepArb, { minLength: 5, maxLength: 40 }), (a, b) => {
        const ex = fresh();
        const st = { seq: 0, height: 1_000 };
        run(ex, a, st, false);
        const copy = Exchange.restore(ex.snapshot());
        expect(copy.stateHash()).toBe(ex.stateHash());
        const st2 = { ...st };
        expect(run(copy, b, st2, false)).toEqual(run(ex, b, st, false));
        expect(copy.stateHash()).toBe(ex.stateHash());
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
