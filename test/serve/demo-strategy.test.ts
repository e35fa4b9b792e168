/** The demo strategy against hand-computed quotes, and the driver's hook for product quoters. */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTE_PARAMS, desiredQuotes } from '../../src/demo/strategy.js';
import { DemoMarketMaker, DEMO_ACCOUNT } from '../../src/demo/market-maker.js';
import { EngineCore } from '../../src/server/engine-host.js';
import { bookDepth, marketView, ordersOf } from '../../src/engine/index.js';
import { tempDb } from './helpers.js';

const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo strategy (pure)', () => {
  it('quotes symmetric levels around fair value, bids rounded down and asks up to the tick', () => {
    // fair 100,000, spread 4,000 ppm, step 2,000 ppm: offsets 0.2 %, 0.4 %, 0.6 %.
    const q = desiredQuotes({ market: 'M', fair: 100_000, tick: 1, maxPrice: 4e9 }, { levels: 3, spreadPpm: 4_000, stepPpm: 2_000, sizeLots: 20, sizeStepLots: 10 });
    expect(q).toEqual([
      { market: 'M', side: 'buy', price: 99_800, qty: 20 },
      { market: 'M', side: 'sell', price: 100_200, qty: 20 },
      { market: 'M', side: 'buy', price: 99_600, qty: 30 },
      { market: 'M', side: 'sell', price: 100_400, qty: 30 },
      { market: 'M', side: 'buy', price: 99_400, qty: 40 },
      { market: 'M', side: 'sell', price: 100_600, qty: 40 },
    ]);
    // tick 7: 99,800 -> 99,799 (floor to 7s), 100,200 -> 100,205 (ceil to 7s)
    const t = desiredQuotes({ market: 'M', fair: 100_000, tick: 7, maxPrice: 4e9 }, { ...DEFAULT_QUOTE_PARAMS, levels: 1 });
    expect(t.map((x) => x.price)).toEqual([99_799, 100_205]);
  });

  it('quotes nothing without a fair value, and nothing beyond the price bounds', () => {
    expect(desiredQuotes({ market: 'M', fair: undefined, tick: 1, maxPrice: 4e9 })).toEqual([]);
    expect(desiredQuotes({ market: 'M', fair: 4e9, tick: 1, maxPrice: 4e9 }).every((x) => x.side === 'buy')).toBe(true);
    expect(desiredQuotes({ market: 'M', fair: 1, tick: 1, maxPrice: 4e9 }).every((x) => x.side === 'sell')).toBe(true);
  });
});

describe('demo driver', () => {
  it('funds itself, requotes on every block through the sequencer, and runs added quoters', async () => {
    const engine = await EngineCore.open({ sqlitePath: db });
    const mm = new DemoMarketMaker(engine);
    const seen: number[] = [];
    mm.addQuoter({ name: 'probe', commands: (ctx) => (seen.push(ctx.height), []) });
    await mm.start();
    expect(engine.exchange.ledger.balance('user:' + DEMO_ACCOUNT)).toBe(1_000_000_000n * 1000n);
    expect(engine.exchange.ledger.balance('insurance')).toBe(100_000_000n * 1000n);
    for (let h = 1; h <= 3; h++) {
      await engine.submit({ type: 'BlockConnected', height: h, hash: h.toString(16).padStart(64, '0'), time: 1_700_000_000 + h * 600, mtp: 1_700_000_000, indexPrice: 100_000 + h * 1000 });
      await new Promise((r) => setTimeout(r, 30));
    }
    await engine.flush();
    await mm.stop();
    // Quotes sit ±0.2 % around the engine's fair price after the last block (index 103,000 × (1 + basis EMA)).
    const fair = marketView(engine.exchange, 'HPI-PERP')!.fair!;
    expect(Math.abs(fair - 103_000)).toBeLessThan(1_000);
    const d = bookDepth(engine.exchange, 'HPI-PERP', 1)!;
    expect(d.bids[0]).toMatchObject({ price: Math.floor((fair * 998) / 1000), qty: 20 });
    expect(d.asks[0]).toMatchObject({ price: Math.ceil((fair * 1002) / 1000), qty: 20 });
    expect(ordersOf(engine.exchange, DEMO_ACCOUNT)).toHaveLength(2 * DEFAULT_QUOTE_PARAMS.levels); // old quotes cancelled
    expect(seen.at(-1)).toBe(3);
    await engine.close();
  });
});
