/**
 * The demo takers through the real server (startServe, embedded mainnet replay at a fast pace): after some
 * blocks the perp has trades taken by the demo takers, a forward market and a block-delta series have
 * trades/positions, and the perp's mark leaves the index at some block. `--no-demo` runs none of it.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEMO_TAKER_PREFIX, takerAccounts, DEFAULT_TAKER_PARAMS } from '../../src/demo/takers.js';
import { userAccount, type Command, type EngineEvent } from '../../src/engine/index.js';
import { forwardModule } from '../../src/engine/products/forward/index.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb, until } from './helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface HealthDemo {
  demo: { enabled: boolean; takers?: { accounts: string[]; orders: number; fills: number; refused: number } };
  engine: { height: number };
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  expect(r.status).toBe(200);
  return (await r.json()) as T;
}

describe('demo takers in hashperp serve', () => {
  it('take the maker’s quotes on the perp, a forward and a block-delta series, and move the mark', async () => {
    const { dir, db } = tempDb();
    dirs.push(dir);
    const s = await startServe(serveConfig(db, { paceMs: 20, demoTakers: true }));
    const engine = s.wiring.parts!.engine;
    const takerSeqs = new Set<number>();
    const marks: Extract<EngineEvent, { type: 'MarkPrice' }>[] = [];
    const funding: Extract<EngineEvent, { type: 'FundingPaid' }>[] = [];
    let fwdFills = 0;
    engine.on((seq, c: Command, events) => {
      if ('account' in c && typeof c.account === 'string' && c.account.startsWith(DEMO_TAKER_PREFIX)) {
        takerSeqs.add(seq);
        if (c.type === 'ForwardPlaceOrder') fwdFills += events.filter((e) => e.type === 'ForwardFilled').length;
      }
      for (const e of events) {
        if (e.type === 'MarkPrice') marks.push(e);
        if (e.type === 'FundingPaid') funding.push(e);
      }
    });
    try {
      const accounts = takerAccounts(DEFAULT_TAKER_PARAMS.accounts);
      // Enough blocks for every product to have seen takers, and for a flow regime to move the mark.
      await until('takers on every product and a moved mark', () => fwdFills > 0 && marks.some((m) => m.mark !== m.index) && marks.length >= 60, 60_000);

      // The perp's public trades include trades whose taker order came from a demo taker (joined by seq).
      const { trades } = await getJson<{ trades: { seq: number; size: number }[] }>(`${s.url}/v1/markets/HPI-PERP/trades?limit=200`);
      expect(trades.length).toBeGreaterThan(0);
      expect(trades.some((t) => takerSeqs.has(t.seq))).toBe(true);
      // Sizes are small against the maker's first level (20 lots), except a flatten at the cap.
      for (const t of trades) if (takerSeqs.has(t.seq)) expect(t.size).toBeLessThanOrEqual(DEFAULT_TAKER_PARAMS.perpCapLots);

      // A forward market has contracts opened by a demo taker.
      const fwd = forwardModule(engine.exchange).allContracts();
      expect(fwd.some((c) => accounts.includes(c.investor) || accounts.includes(c.miner))).toBe(true);

      // A block-delta series has open interest (the public series list).
      await until('block-delta open interest', async () => {
        const { series } = await getJson<{ series: { openInterest: number }[] }>(`${s.url}/v1/bdc/series`);
        return series.some((x) => x.openInterest > 0);
      }, 30_000);

      // The perp lives: the mark differed from the index at some block (the maker leaned against the flow).
      expect(marks.some((m) => m.mark !== m.index) || funding.some((f) => f.rate8hPpm !== 0)).toBe(true);

      // Every taker position stayed within its cap.
      const perp = engine.exchange.markets.get('HPI-PERP')!;
      for (const a of accounts) expect(Math.abs(perp.positions.get(userAccount(a))?.qty ?? 0)).toBeLessThanOrEqual(DEFAULT_TAKER_PARAMS.perpCapLots);

      const h = await getJson<HealthDemo>(`${s.url}/health`);
      expect(h.demo.enabled).toBe(true);
      expect(h.demo.takers!.accounts).toEqual(accounts);
      expect(h.demo.takers!.orders).toBeGreaterThan(0);
      expect(h.demo.takers!.fills).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });

  it('--no-demo: no maker, no takers, no trades', async () => {
    const { dir, db } = tempDb();
    dirs.push(dir);
    const s = await startServe(serveConfig(db, { paceMs: 20, demo: false, demoTakers: true }));
    const engine = s.wiring.parts!.engine;
    try {
      const h0 = engine.chainTip().height;
      await until('20 blocks', () => engine.chainTip().height >= h0 + 20, 30_000);
      const { trades } = await getJson<{ trades: unknown[] }>(`${s.url}/v1/markets/HPI-PERP/trades`);
      expect(trades).toEqual([]);
      const h = await getJson<HealthDemo>(`${s.url}/health`);
      expect(h.demo).toEqual({ enabled: false });
      const ex = engine.exchange;
      const perp = ex.markets.get('HPI-PERP')!;
      for (const a of ['demo-mm', ...takerAccounts(DEFAULT_TAKER_PARAMS.accounts)]) {
        expect(ex.ledger.balance(userAccount(a))).toBe(0n);
        expect(perp.positions.has(userAccount(a))).toBe(false);
      }
      expect(forwardModule(ex).allContracts()).toEqual([]);
      const { series } = await getJson<{ series: { openInterest: number }[] }>(`${s.url}/v1/bdc/series`);
      expect(series.every((x) => x.openInterest === 0)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
