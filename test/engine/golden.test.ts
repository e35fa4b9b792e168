// Golden streams: pins the engine's behaviour bit for bit while its hot paths are optimised. Two seeded
// streams run through the engine; the final state and every emitted event (JSON, bigint as decimal
// strings, key order included) are hashed and compared with constants recorded from the engine BEFORE the
// performance work. Any change in what the engine does, in what it says, or in the order it says it,
// changes a hash. If a change of behaviour is intended, re-record the constants and say why in the commit.
//
// The state hash here is the SHA-256 of the snapshot without its `products` part: the other products'
// (empty) snapshot formats belong to their own areas, and this test pins the core (ledger, chain, books,
// positions, funding state). The product hooks still run (onBlock at every block) and their events count.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Exchange, type ExchangeConfig } from '../../src/engine/exchange.js';
import { exchangeCommand } from '../journal/exchange-load.js';
import { mulberry32 } from '../journal/counter-machine.js';
import { mulBig } from '../../src/engine/math.js';
import { ceilPpm, ceilPpmOf, floorPpm } from '../../src/engine/ppm.js';

interface Run { stateHash: string; eventsHash: string; events: number; counts: Record<string, number> }

function coreHash(ex: Exchange): string {
  const s = JSON.parse(ex.snapshot()) as Record<string, unknown>;
  delete s.products;
  return createHash('sha256').update(JSON.stringify(s)).digest('hex');
}

function runStream(ex: Exchange, n: number, command: (i: number) => Command): Run {
  const h = createHash('sha256');
  const counts: Record<string, number> = {};
  let events = 0;
  for (let i = 0; i < n; i++) {
    for (const e of ex.apply(command(i), i + 1)) {
      h.update(JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      h.update('\n');
      events++;
      const key = e.type === 'Trade' && e.liquidation ? 'Trade:liquidation' : e.type === 'LedgerTransfer' ? `LedgerTransfer:${e.reason}`
        : e.type === 'OrderRejected' || e.type === 'CommandRejected' ? `${e.type}:${e.reason}` : e.type;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return { stateHash: coreHash(ex), eventsHash: h.digest('hex'), events, counts };
}

// ───────────── stream 2: core commands on two markets, thin collateral, index shocks ─────────────

const CORE_CONFIG: ExchangeConfig = {
  markets: [
    { id: 'HPI-PERP' },
    { id: 'ALT-PERP', tick: 5, maxQty: 5_000, takerFeePpm: 3_000, makerFeePpm: 100, fundingBlocks: 8, basisEmaBlocks: 4, liquidationBandPpm: 20_000 },
  ],
};
const CORE_ACCOUNTS = 10;

/** A seeded stream of every core command kind (no product commands), built to reach liquidations, ADL and shortfalls. */
function coreStream(seed: number, n: number): Command[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length] as T;
  const cmds: Command[] = [];
  let height = 800_000;
  let index = 50_000;
  const block = (): Command => {
    height++;
    const shock = r() % 12 === 0 ? ((r() % 2 === 0 ? 1 : -1) * (800 + (r() % 1200))) / 10_000 : ((r() % 201) - 100) / 10_000;
    index = Math.max(20_000, Math.min(90_000, Math.round(index * (1 + shock))));
    return { type: 'BlockConnected', height, hash: createHash('sha256').update(`core:${height}`).digest('hex'), time: 1_700_000_000 + height * 600, mtp: 1_700_000_000 + height * 600 - 3_000, indexPrice: index };
  };
  cmds.push(block());
  for (let a = 0; a < CORE_ACCOUNTS; a++) cmds.push({ type: 'Deposit', account: `a${a}`, amountSat: 300 + 400 * a });
  cmds.push({ type: 'FundSystem', account: 'insurance', amountSat: 200 }, { type: 'FundSystem', account: 'vault', amountSat: 50 });
  while (cmds.length < n) {
    const i = cmds.length;
    const roll = r() % 100;
    const account = `a${r() % CORE_ACCOUNTS}`;
    const market = r() % 3 === 0 ? 'ALT-PERP' : 'HPI-PERP';
    const tick = market === 'ALT-PERP' ? 5 : 1;
    if (roll < 7) { cmds.push(block()); continue; }
    if (roll < 9) { cmds.push(r() % 4 === 0 ? { ...(cmds.findLast((c) => c.type === 'BlockConnected') as Command) } : block()); continue; } // some stale repeats
    if (roll < 55) {
      const side = r() % 2 === 0 ? 'buy' : 'sell';
      const off = Math.round((index * ((r() % 300) - 100)) / 10_000);
      const raw = side === 'buy' ? index - off : index + off;
      const price = Math.max(tick, raw - (raw % tick));
      const kind = r() % 12;
      const qty = 1 + (r() % (kind < 2 ? 40 : 12));
      const reduceOnly = kind === 5 || kind === 6;
      if (kind === 0) { cmds.push({ type: 'PlaceOrder', account, market, side, orderType: 'market', qty, tif: r() % 3 === 0 ? 'FOK' : 'IOC', postOnly: false, reduceOnly }); continue; }
      const c: Command = {
        type: 'PlaceOrder', account, market, side, orderType: 'limit', price, qty,
        tif: kind === 1 ? 'IOC' : kind === 2 ? 'FOK' : 'GTC', postOnly: kind === 3, reduceOnly,
      };
      if (r() % 2 === 0) c.clientOrderId = `k${i % 50}`;
      cmds.push(c);
      continue;
    }
    const back = Math.max(1, i - 1 - (r() % 60));
    const target = cmds[back] as Command;
    const tAcc = target.type === 'PlaceOrder' ? target.account : account;
    const tMkt = target.type === 'PlaceOrder' ? target.market : market;
    if (roll < 67) { cmds.push({ type: 'CancelOrder', account: tAcc, market: tMkt, orderId: back + 1 }); continue; }
    if (roll < 71) { cmds.push({ type: 'CancelOrder', account: tAcc, market: tMkt, clientOrderId: `k${back % 50}` }); continue; }
    if (roll < 79) {
      const c: Command = { type: 'AmendOrder', account: tAcc, market: tMkt, orderId: back + 1 };
      const w = r() % 3;
      if (w !== 1) c.qty = 1 + (r() % 20);
      if (w !== 0) c.price = Math.max(tick * 2, Math.round((index * (1 + ((r() % 401) - 200) / 10_000)) / tick) * tick);
      cmds.push(c);
      continue;
    }
    if (roll < 82) { cmds.push(r() % 2 === 0 ? { type: 'CancelAll', account } : { type: 'CancelAll', account, market }); continue; }
    if (roll < 87) { cmds.push({ type: 'Deposit', account, amountSat: 1 + (r() % 800) }); continue; }
    if (roll < 93) { cmds.push({ type: 'Withdraw', account, amountSat: 1 + (r() % 600) }); continue; }
    if (roll < 95) { cmds.push({ type: 'FundSystem', account: r() % 10 === 0 ? 'vault' : 'insurance', amountSat: 1 + (r() % 20) }); continue; }
    // Malformed or refused commands: they must be rejected the same way, with the same messages.
    const bad: Command[] = [
      { type: 'PlaceOrder', account: 'bad account!', market, side: 'buy', orderType: 'limit', price: index, qty: 1, tif: 'GTC', postOnly: false, reduceOnly: false },
      { type: 'PlaceOrder', account, market: 'NOPE', side: 'buy', orderType: 'limit', price: index, qty: 1, tif: 'GTC', postOnly: false, reduceOnly: false },
      { type: 'PlaceOrder', account, market, side: 'sell', orderType: 'limit', price: index + 1, qty: 0, tif: 'GTC', postOnly: false, reduceOnly: false },
      { type: 'PlaceOrder', account, market: 'ALT-PERP', side: 'sell', orderType: 'limit', price: 50_001, qty: 2, tif: 'GTC', postOnly: false, reduceOnly: false, clientOrderId: 'k1' },
      { type: 'PlaceOrder', account, market, side: 'buy', orderType: 'market', qty: 999_999, tif: 'IOC', postOnly: false, reduceOnly: false },
      { type: 'Withdraw', account, amountSat: 0 },
      { type: 'Deposit', account: '', amountSat: 5 },
      { type: 'AmendOrder', account, market, orderId: back + 1 },
      { type: 'CancelOrder', account, market },
      { type: 'BlockConnected', height: -1, hash: 'x', time: 0, mtp: 0, indexPrice: 1 },
      { type: 'NoSuchCommand' } as unknown as Command,
    ];
    cmds.push(pick(bad));
  }
  return cmds;
}

// Recorded from the engine at git HEAD 0b93996 (+ the product hooks in the working tree) before the apply() speed work.
// Re-recorded for the market-integrity change (mark from impact prices in a band, stored per block; price bands;
// margin at the expected fill; new spec fields in the snapshot). Checked against 1354ed9 event by event:
// - load: the same 104 371 events and the same trades, fills, orders and refusals; only what the mark feeds
//   changed: MarkPrice/FundingPaid values, settlement transfer amounts (pnl_settlement, settlement_dust),
//   PositionChanged.costMsat (cost since the last settlement at the new mark) and market orders' band-edge
//   price in OrderAccepted (5 % from the stored mark instead of the book-driven one).
// - core: seed 5 instead of 7 (see below); on seed 7 the new rules cut settlement shortfalls from 145 to 34,
//   margin refusals from 55 to 20 (takers checked at the expected fill) and liquidations from 16 to 14.
// - then the liquidation close stopped at the bankruptcy price (liquidation.ts closeLimit): load unchanged; in
//   core only liquidations of accounts near or past bankruptcy changed (fewer lots closed in the book beyond the
//   bankruptcy price, the rest to the vault or ADL at that price) and what follows from them.
const GOLDEN = {
  load: { stateHash: '4a2a4e3cfae571cb64a71e72349f1633f3c29328045fba99ad906c4c2ab45508', eventsHash: 'c852954191f09e805245d24871cee7ce94b75dcee78851d9e342b9d13f07dd79', events: 104_371 },
  core: { stateHash: '2c8275c2a2924906ee1a0de5def05577afa737ff1296d40329736fad4bd93946', eventsHash: '51bcdce5e8d1ab46d1d888142088679588ceeb2ca139318568e331139a0d3aa0', events: 90_483 },
};

describe('golden streams (behaviour pinned while the engine is optimised)', () => {
  it('bench stream: 30 000 commands of test/journal/exchange-load (seed 42) give the recorded state and events', () => {
    const run = runStream(new Exchange(), 30_000, (i) => exchangeCommand(42, i));
    if (process.env.GOLDEN_PRINT) console.log('load', JSON.stringify(run));
    // The stream must keep exercising the hot paths it pins.
    expect(run.counts.Trade ?? 0).toBeGreaterThan(5_000);
    expect(run.counts.OrderAmended ?? 0).toBeGreaterThan(100);
    expect(run.counts['OrderRejected:unknown_order'] ?? 0).toBeGreaterThan(1_000);
    expect({ stateHash: run.stateHash, eventsHash: run.eventsHash, events: run.events }).toEqual(GOLDEN.load);
  });

  it('core stream: 20 000 commands on two markets with index shocks give the recorded state and events', () => {
    // Seed 5 (was 7): under the market-integrity rules seed 7's stream no longer reaches ADL (its one ADL came
    // from a mark a thin book had pushed away from the index); seed 5 reaches every path below.
    const cmds = coreStream(5, 20_000);
    const run = runStream(new Exchange(CORE_CONFIG), cmds.length, (i) => cmds[i] as Command);
    if (process.env.GOLDEN_PRINT) console.log('core', JSON.stringify(run));
    for (const k of ['Liquidation', 'ADL', 'SettlementShortfall', 'Trade:liquidation', 'LedgerTransfer:maker_fee', 'OrderExpired',
      'OrderRejected:reduce_only_would_increase', 'CommandRejected:stale_block', 'OrderRejected:insufficient_margin']) {
      expect(run.counts[k] ?? 0, k).toBeGreaterThan(0);
    }
    expect({ stateHash: run.stateHash, eventsHash: run.eventsHash, events: run.events }).toEqual(GOLDEN.core);
  });
});

// The hot-path helpers take products in doubles when exact and fall back to bigint otherwise; both branches
// must equal plain bigint arithmetic (floor and ceil written here independently of src/engine/math.ts).
describe('hot-path integer helpers equal plain bigint arithmetic', () => {
  const floorRef = (x: bigint, d: bigint): bigint => (x - (((x % d) + d) % d)) / d;
  const ceilRef = (x: bigint, d: bigint): bigint => -floorRef(-x, d);
  const safe = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.maxSafeInteger(), fc.integer({ min: 0, max: 4_000_000_000 }),
    fc.constantFrom(0, 1, -1, 2 ** 26, 2 ** 27 + 1, 94_906_265, 94_906_266, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER));
  const lots = fc.oneof(fc.integer({ min: 1, max: 1_000_000_000 }), fc.constantFrom(1, 200, 999_999_999, 1_000_000_000));
  const price = fc.oneof(fc.integer({ min: 1, max: 4_000_000_000 }), fc.constantFrom(1, 50_000, 4_000_000_000));
  const ppm = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -100_000, max: -1 }), fc.constantFrom(0, 2_000, 10_000, 1_000_000));

  it('mulBig(a, b) = BigInt(a) × BigInt(b), on both sides of 2^53 (20 000 cases)', () => {
    fc.assert(fc.property(safe, safe, (a, b) => mulBig(a, b) === BigInt(a) * BigInt(b)), { numRuns: 20_000, seed: 1 });
  });

  it('floorPpm / ceilPpm = floor / ceil of qty × price × ppm / 10^6 (20 000 cases each)', () => {
    fc.assert(fc.property(lots, price, ppm, (q, p, r) => floorPpm(q, p, r, BigInt(r)) === floorRef(BigInt(q) * BigInt(p) * BigInt(r), 1_000_000n)),
      { numRuns: 20_000, seed: 2 });
    fc.assert(fc.property(lots, price, ppm, (q, p, r) => ceilPpm(q, p, r, BigInt(r)) === ceilRef(BigInt(q) * BigInt(p) * BigInt(r), 1_000_000n)),
      { numRuns: 20_000, seed: 3 });
    // Hand-checked: 200 lots at 50 000 with 0.2 % = 20 000 000 msat exactly; one lot at 1 with 0.2 % floors to 0 and ceils to 1.
    expect([floorPpm(200, 50_000, 2_000, 2_000n), ceilPpm(200, 50_000, 2_000, 2_000n)]).toEqual([20_000n, 20_000n]);
    expect([floorPpm(1, 1, 2_000, 2_000n), ceilPpm(1, 1, 2_000, 2_000n)]).toEqual([0n, 1n]);
  });

  it('ceilPpmOf(a, ppm) = ceil(a × ppm / 10^6) for bigint a of any sign (20 000 cases)', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), ppm, (a, r) => ceilPpmOf(a, BigInt(r)) === ceilRef(a * BigInt(r), 1_000_000n)),
      { numRuns: 20_000, seed: 4 });
  });
});
