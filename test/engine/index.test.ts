// The public surface other areas use: the factory (journal), command codec, and the read helpers (server).
import { describe, expect, it } from 'vitest';
import { accountView, bookDepth, createExchange, decodeCommand, encodeCommand, exchangeFactory, marketIds, marketView,
  ordersOf, positionsOf, systemBalances } from '../../src/engine/index.js';
import { HashPerpError } from '../../src/units/errors.js';
import { Harness, MKT, block, deposit, limit } from './helpers.js';

describe('engine public API', () => {
  it('codec round-trips commands and refuses junk with a named field', () => {
    const c = limit('alice', 'buy', 50_000, 3, { clientOrderId: 'q' });
    expect(decodeCommand(encodeCommand(c))).toEqual(c);
    expect(() => decodeCommand('{')).toThrow(HashPerpError);
    expect(() => decodeCommand('{"type":"Nope"}')).toThrow(/command/);
  });

  it('factory: create/restore give the same hash; hash is sha256 hex of the snapshot', async () => {
    const a = exchangeFactory.create();
    a.apply(block(1, 50_000), 1);
    a.apply(deposit('alice', 5), 2);
    const b = exchangeFactory.restore(a.snapshot());
    expect(b.stateHash()).toBe(a.stateHash());
    const { createHash } = await import('node:crypto');
    expect(a.stateHash()).toBe(createHash('sha256').update(a.snapshot()).digest('hex'));
    expect(a.stateHash()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('read helpers: balances, margin, positions, orders, depth, market state', () => {
    const h = new Harness(createExchange());
    h.run(block(1, 50_000), deposit('alice', 1000), deposit('bob', 1000));
    h.run(limit('bob', 'sell', 50_000, 10, { postOnly: true }), limit('alice', 'buy', 50_000, 10));
    h.run(limit('alice', 'buy', 49_000, 2, { clientOrderId: 'bid' }), limit('bob', 'sell', 51_000, 1, { postOnly: true }));
    const ex = h.ex;
    expect(marketIds(ex)).toEqual([MKT]);
    // mark = median(49 000, 51 000, 50 000) = 50 000; alice long 10 from 50 000: no PnL yet.
    // IM = 10 % × max(|500 000 + 98 000|, |500 000|) = 59 800 msat; MM = 5 % × 500 000 = 25 000.
    expect(accountView(ex, 'alice')).toEqual({
      account: 'alice', balanceMsat: 999_000n, equityMsat: 999_000n, initialMarginMsat: 59_800n,
      maintenanceMarginMsat: 25_000n, withdrawableMsat: 939_200n,
    });
    expect(positionsOf(ex, 'alice')).toEqual([{ market: MKT, qty: 10, mark: 50_000, entryPrice: 50_000, unsettledPnlMsat: 0n, pnlFromEntryMsat: 0n }]);
    expect(positionsOf(ex, 'bob')[0]).toMatchObject({ qty: -10 });
    expect(ordersOf(ex, 'alice')).toEqual([{ orderId: 6, market: MKT, side: 'buy', price: 49_000, qty: 2, reduceOnly: false, clientOrderId: 'bid' }]);
    expect(bookDepth(ex, MKT, 5)).toEqual({ bids: [{ price: 49_000, qty: 2, orders: 1 }], asks: [{ price: 51_000, qty: 1, orders: 1 }] });
    expect(marketView(ex, MKT)).toMatchObject({ index: 50_000, mark: 50_000, bestBid: 49_000, bestAsk: 51_000, openInterest: 10, height: 1 });
    expect(systemBalances(ex)).toEqual({ world: -2_000_000n, insurance: 0n, vault: 0n, fees: 1000n });
    expect(bookDepth(ex, 'NOPE')).toBeUndefined();
  });
});
