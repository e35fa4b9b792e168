// Properties of swap offers mixed with perp trading, blocks and withdrawals, over random command sequences:
// the ledger sums to zero and no account but `world` goes negative after every command, a refused command
// leaves the state hash unchanged, lots are conserved, an accepted swap moves exactly the offered lots and the
// price, and restore(snapshot()) reproduces the state.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import { Exchange } from '../../src/engine/exchange.js';
import { WORLD } from '../../src/engine/ledger/ledger.js';
import { Harness, MKT, block, deposit, limit, market, ofType } from '../engine/helpers.js';
import { accept, cancel, offerPerp, perpPos } from './swap-helpers.js';

const ACCOUNTS = ['a', 'b', 'c', 'd'] as const;
type Step =
  | { k: 'deposit'; who: number; sat: number }
  | { k: 'withdraw'; who: number; sat: number }
  | { k: 'limit'; who: number; buy: boolean; price: number; qty: number }
  | { k: 'market'; who: number; buy: boolean; qty: number }
  | { k: 'offer'; who: number; qty: number; price: number; ttl: number }
  | { k: 'accept'; who: number; pick: number }
  | { k: 'cancel'; who: number; pick: number }
  | { k: 'block'; index: number };

const who = fc.integer({ min: 0, max: ACCOUNTS.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant('deposit' as const), who, sat: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ k: fc.constant('withdraw' as const), who, sat: fc.integer({ min: 1, max: 1500 }) }),
  fc.record({ k: fc.constant('limit' as const), who, buy: fc.boolean(), price: fc.integer({ min: 90, max: 110 }).map((p) => p * 1000), qty: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ k: fc.constant('market' as const), who, buy: fc.boolean(), qty: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ k: fc.constant('offer' as const), who, qty: fc.integer({ min: 1, max: 6 }), price: fc.integer({ min: -300_000, max: 300_000 }), ttl: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ k: fc.constant('offer' as const), who, qty: fc.integer({ min: 1, max: 3 }), price: fc.integer({ min: -50_000, max: 50_000 }), ttl: fc.constant(0) }),
  fc.record({ k: fc.constant('accept' as const), who, pick: fc.nat() }),
  fc.record({ k: fc.constant('accept' as const), who, pick: fc.nat() }),
  fc.record({ k: fc.constant('accept' as const), who, pick: fc.nat() }),
  fc.record({ k: fc.constant('cancel' as const), who, pick: fc.nat() }),
  fc.record({ k: fc.constant('block' as const), index: fc.integer({ min: 90, max: 110 }).map((p) => p * 1000) }),
);

test('ledger zero-sum, no negative account, refusals change nothing, lots and prices conserved', () => {
  let accepted = 0;
  fc.assert(fc.property(fc.array(step, { minLength: 5, maxLength: 45 }), (steps) => {
    const h = new Harness();
    let height = 1;
    // Start with positions to offer: a long 6 / b short 6, c long 4 / d short 4.
    h.run(block(height, 100_000), deposit('a', 2000), deposit('b', 2000), deposit('c', 2000), deposit('d', 2000),
      limit('b', 'sell', 100_000, 6), limit('a', 'buy', 100_000, 6), limit('d', 'sell', 100_000, 4), limit('c', 'buy', 100_000, 4));
    const offers: number[] = [];
    for (const s of steps) {
      let cmd: Command;
      switch (s.k) {
        case 'deposit': cmd = deposit(ACCOUNTS[s.who], s.sat); break;
        case 'withdraw': cmd = { type: 'Withdraw', account: ACCOUNTS[s.who], amountSat: s.sat }; break;
        case 'limit': cmd = limit(ACCOUNTS[s.who], s.buy ? 'buy' : 'sell', s.price, s.qty); break;
        case 'market': cmd = market(ACCOUNTS[s.who], s.buy ? 'buy' : 'sell', s.qty); break;
        case 'offer': cmd = offerPerp(ACCOUNTS[s.who], s.qty, String(s.price), s.ttl === 0 ? {} : { expiresAtHeight: height + s.ttl }); break;
        case 'accept': cmd = accept(ACCOUNTS[s.who], offers.length === 0 ? 1 : offers[s.pick % offers.length]); break;
        case 'cancel': cmd = cancel(ACCOUNTS[s.who], offers.length === 0 ? 1 : offers[s.pick % offers.length]); break;
        case 'block': cmd = block(++height, s.index); break;
      }
      const before = h.ex.stateHash();
      const bal = new Map(ACCOUNTS.map((a) => [a, h.bal(a)]));
      const pos = new Map(ACCOUNTS.map((a) => [a, perpPos(h.ex, a)?.qty ?? 0]));
      const cost = new Map(ACCOUNTS.map((a) => [a, perpPos(h.ex, a)?.cost ?? 0n]));
      const evs = h.run(cmd);
      if (evs.some((e) => e.type === 'CommandRejected' || e.type === 'OrderRejected')) {
        expect(evs).toHaveLength(1);
        expect(h.ex.stateHash()).toBe(before);
      }
      for (const c of ofType(evs, 'SwapOfferCreated')) offers.push(c.offerId);
      for (const a of ofType(evs, 'SwapOfferAccepted')) {
        accepted++;
        // Exactly the offered lots change hands, and exactly the price: nothing else touches either balance.
        const lots = a.side === 'long' ? (a.qty as number) : -(a.qty as number);
        expect((perpPos(h.ex, a.maker)?.qty ?? 0)).toBe((pos.get(a.maker as 'a') as number) - lots);
        expect((perpPos(h.ex, a.taker)?.qty ?? 0)).toBe((pos.get(a.taker as 'a') as number) + lots);
        // The cost the event reports is the cost the core moved (same truncation), and its value is at mark.
        expect((cost.get(a.maker as 'a') as bigint) - (perpPos(h.ex, a.maker)?.cost ?? 0n)).toBe(a.costMsat);
        expect((perpPos(h.ex, a.taker)?.cost ?? 0n) - (cost.get(a.taker as 'a') as bigint)).toBe(a.costMsat);
        expect(a.valueMsat).toBe(BigInt(lots) * BigInt(a.mark as number) - (a.costMsat as bigint));
        expect(h.bal(a.maker) - (bal.get(a.maker as 'a') as bigint)).toBe(a.priceMsat);
        expect(h.bal(a.taker) - (bal.get(a.taker as 'a') as bigint)).toBe(-a.priceMsat);
        // The taker ends the command at or above its initial margin (the sufficient bound holds).
        expect(h.ex.equity(`user:${a.taker}`) >= h.ex.initialMargin(`user:${a.taker}`)).toBe(true);
      }
      expect(h.ex.ledger.total()).toBe(0n);
      for (const [acct, v] of h.ex.ledger.entries()) if (acct !== WORLD) expect(v >= 0n).toBe(true);
      let lots = 0;
      for (const p of h.ex.market(MKT)?.positions.values() ?? []) lots += p.qty;
      expect(lots).toBe(0);
    }
    const copy = Exchange.restore(h.ex.snapshot());
    expect(copy.stateHash()).toBe(h.ex.stateHash());
  }), { numRuns: 150, seed: 20261121 });
  // The generator must actually exercise acceptance, or the properties above say little.
  expect(accepted).toBeGreaterThan(80);
});
