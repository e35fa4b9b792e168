/** The demo takers' decision (pure, seeded) and how `serve`'s config turns them on and off. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAKER_PARAMS, takerAccounts, takerOrders, type TakerView } from '../../src/demo/takers.js';
import { DEFAULT_LEAN_PARAMS, inventoryLeanPpm } from '../../src/demo/strategy.js';
import type { Command } from '../../src/engine/index.js';
import { resolveServeConfig } from '../../src/server/config.js';

const accounts = takerAccounts(3);

function view(height: number, positions: number[], over: Partial<TakerView> = {}): TakerView {
  return {
    height,
    perp: [{ market: 'HPI-PERP', positions }],
    forwards: [{ market: 'FWD-30D', bestBid: 99_000, bestAsk: 101_000 }, { market: 'FWD-90D', bestBid: 98_000, bestAsk: 102_000 }],
    bdc: [{ series: 'BDC-1-2', bestBid: 4_800, bestAsk: 5_200 }],
    fwdContracts: [0, 0, 0],
    bdcPositions: [0, 0, 0],
    ...over,
  };
}

/** Fills every perp order in full (the worst case for the cap). */
function applyPerp(positions: number[], orders: Command[]): number[] {
  const next = [...positions];
  for (const o of orders) {
    if (o.type !== 'PlaceOrder') continue;
    const i = accounts.indexOf(o.account);
    next[i] = next[i]! + (o.side === 'buy' ? o.qty : -o.qty);
  }
  return next;
}

describe('demo takers: the decision', () => {
  it('is deterministic: same seed and inputs give the same orders; another seed or height gives others', () => {
    const v = view(822_700, [3, -7, 0]);
    const a = takerOrders(accounts, v, DEFAULT_TAKER_PARAMS);
    expect(takerOrders(accounts, v, DEFAULT_TAKER_PARAMS)).toEqual(a);
    const runs = [1, 2, 3, 4, 5].map((h) => JSON.stringify(takerOrders(accounts, view(822_700 + h, [3, -7, 0]), DEFAULT_TAKER_PARAMS)));
    const seeds = [2, 3, 4, 5, 6].map((seed) => JSON.stringify(takerOrders(accounts, v, { ...DEFAULT_TAKER_PARAMS, seed })));
    expect(new Set([JSON.stringify(a), ...runs]).size).toBeGreaterThan(1);
    expect(new Set([JSON.stringify(a), ...seeds]).size).toBeGreaterThan(1);
  });

  it('keeps each perp position within the cap over 500 blocks (every order filled), trades both sides, and flattens at the cap', () => {
    const p = DEFAULT_TAKER_PARAMS;
    let pos = [0, 0, 0];
    let buys = 0, sells = 0, flattens = 0, fwd = 0, bdc = 0, reached = 0;
    const replay: string[] = [];
    for (let h = 822_000; h < 822_500; h++) {
      const orders = takerOrders(accounts, view(h, pos), p);
      replay.push(JSON.stringify(orders));
      for (const o of orders) {
        if (o.type === 'PlaceOrder') {
          expect(o.orderType).toBe('market');
          expect(o.tif).toBe('IOC');
          if (o.reduceOnly) flattens++;
          else {
            expect(o.qty).toBeLessThanOrEqual(p.perpMaxLots);
            if (o.side === 'buy') buys++;
            else sells++;
          }
        } else if (o.type === 'ForwardPlaceOrder') {
          fwd++;
          expect(o.tif).toBe('IOC');
          expect(o.qty % 10_000).toBe(0);
          expect(o.qty).toBeLessThanOrEqual(p.fwdMaxThs * 10_000);
          const book = view(h, pos).forwards.find((f) => f.market === o.market)!;
          expect(o.price).toBe(o.side === 'buy' ? book.bestAsk : book.bestBid);
        } else if (o.type === 'BdcPlaceOrder') {
          bdc++;
          expect(o.price).toBe(o.side === 'FAST' ? 5_200 : 4_800);
          expect(o.qty).toBeLessThanOrEqual(p.bdcMaxQty);
        } else throw new Error(`unexpected ${o.type}`);
      }
      pos = applyPerp(pos, orders);
      for (const q of pos) {
        expect(Math.abs(q)).toBeLessThanOrEqual(p.perpCapLots);
        if (Math.abs(q) === p.perpCapLots) reached++;
      }
    }
    expect(buys).toBeGreaterThan(100);
    expect(sells).toBeGreaterThan(100);
    expect(reached).toBeGreaterThan(0);
    expect(flattens).toBeGreaterThan(0);
    expect(fwd).toBeGreaterThan(0);
    expect(bdc).toBeGreaterThan(0);
    // The same block sequence replays to the same flow.
    let again = [0, 0, 0];
    for (let h = 822_000; h < 822_500; h++) {
      const orders = takerOrders(accounts, view(h, again), p);
      expect(JSON.stringify(orders)).toBe(replay[h - 822_000]);
      again = applyPerp(again, orders);
    }
  });

  it('respects the product limits and the books: no forward/block-delta order past the caps or without a quote', () => {
    const p = DEFAULT_TAKER_PARAMS;
    for (let h = 0; h < 200; h++) {
      const full = takerOrders(accounts, view(h, [0, 0, 0], { fwdContracts: [p.fwdMaxContracts, p.fwdMaxContracts, p.fwdMaxContracts], bdcPositions: [p.bdcMaxPositions, p.bdcMaxPositions, p.bdcMaxPositions] }), p);
      expect(full.every((o) => o.type === 'PlaceOrder')).toBe(true);
      const empty = takerOrders(accounts, view(h, [0, 0, 0], { forwards: [{ market: 'FWD-30D', bestBid: undefined, bestAsk: undefined }], bdc: [{ series: 'BDC-1-2', bestBid: undefined, bestAsk: undefined }] }), p);
      expect(empty.every((o) => o.type === 'PlaceOrder')).toBe(true);
    }
  });

  it('the maker leans against its inventory only past the free lots, capped', () => {
    const l = DEFAULT_LEAN_PARAMS;
    expect(inventoryLeanPpm(0)).toBe(0);
    expect(inventoryLeanPpm(l.freeLots)).toBe(0);
    expect(inventoryLeanPpm(-(l.freeLots + 10))).toBe(10 * l.ppmPerLot); // short: quotes higher
    expect(inventoryLeanPpm(l.freeLots + 10)).toBe(-10 * l.ppmPerLot);
    expect(inventoryLeanPpm(-100_000)).toBe(l.maxPpm);
  });
});

describe('demo takers: serve config', () => {
  it('on with the demo, off with --no-demo or HASHPERP_DEMO_TAKERS=0', () => {
    expect(resolveServeConfig({}, {}).demoTakers).toBe(true);
    expect(resolveServeConfig({ demo: false }, {}).demoTakers).toBeUndefined();
    expect(resolveServeConfig({}, { HASHPERP_DEMO: '0' }).demoTakers).toBeUndefined();
    expect(resolveServeConfig({}, { HASHPERP_DEMO_TAKERS: '0' })).toMatchObject({ demo: true });
    expect(resolveServeConfig({}, { HASHPERP_DEMO_TAKERS: '0' }).demoTakers).toBeUndefined();
  });
});
