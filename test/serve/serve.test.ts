/**
 * The real `hashperp serve` (startServe with the real wiring: SQLite journal, engine, paced mainnet
 * replay, follower, demo market maker, faucet) on an ephemeral port, driven through the typed client.
 * Truth: block hashes are the shipped mainnet headers' own hashes; quotes follow the strategy rule;
 * fills and balances follow the contract's arithmetic; a restart replays to the same stateHash.
 */
import { rmSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HashPerpClient } from '../../src/client/client.js';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { headerHash } from '../../src/chain/header.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { DEFAULT_QUOTE_PARAMS } from '../../src/demo/strategy.js';
import type { EngineEvent } from '../../src/engine/index.js';
import { serveConfig, tempDb, until } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const SK_A = new Uint8Array(32).fill(11);
const SK_B = new Uint8Array(32).fill(12);
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface HealthX {
  engine: { seq: number; height: number; stateHash: string; blockHash: string };
  chain: { reorgs: number; follower: string; indexPriceRule: string };
  demo: { enabled: boolean; requotes: number };
}

describe('hashperp serve: a living exchange', () => {
  let firstRun: { height: number; hash: string; stateHash: string; seq: number };

  it('replays real blocks, pays funding every block, the demo quotes, and a client trades', async () => {
    const s = await startServe(serveConfig(db));
    const events: EngineEvent[] = [];
    s.wiring.parts!.engine.on((_seq, _c, ev) => events.push(...ev));
    const chain = loadEmbeddedChain();
    try {
      const a = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: SK_A } });
      const b = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: SK_B } });
      await a.syncClock();
      await b.syncClock();
      const h0 = ((await a.health()) as unknown as HealthX).engine.height;
      // Blocks advance at the pace (50 ms): wait for ten more.
      await until('10 blocks', async () => ((await a.health()) as unknown as HealthX).engine.height >= h0 + 10);
      const blocks = events.filter((e): e is Extract<EngineEvent, { type: 'BlockProcessed' }> => e.type === 'BlockProcessed');
      expect(blocks.length).toBeGreaterThanOrEqual(5);
      for (let i = 0; i < blocks.length; i++) {
        // Each processed block is the real mainnet header at that height, in order with no gap.
        expect(blocks[i].hash).toBe(headerHash(chain.rawHeader(blocks[i].height)!));
        if (i > 0) expect(blocks[i].height).toBe(blocks[i - 1].height + 1);
      }
      const funding = events.filter((e) => e.type === 'FundingPaid');
      expect(funding.map((f) => (f as { height: number }).height)).toEqual(blocks.map((x) => x.height));

      // The demo's quotes: first level spreadPpm/2 either side of fair, sizes as the strategy says.
      const [m] = await a.markets();
      const mv = m as unknown as { index: number; fair: number; bestBid: number; bestAsk: number };
      const book = await a.book('HPI-PERP', 10);
      expect(book.bids.length).toBe(DEFAULT_QUOTE_PARAMS.levels);
      expect(book.asks.length).toBe(DEFAULT_QUOTE_PARAMS.levels);
      expect(book.bids[0].size).toBe(DEFAULT_QUOTE_PARAMS.sizeLots);
      expect(book.bids[0].price).toBeLessThan(book.asks[0].price);
      const mid = (book.bids[0].price + book.asks[0].price) / 2;
      expect(Math.abs(mid - mv.fair) / mv.fair).toBeLessThan(0.002);
      expect((book.asks[0].price - book.bids[0].price) / mv.fair).toBeCloseTo(DEFAULT_QUOTE_PARAMS.spreadPpm / 1e6, 3);

      // Faucet: bounded per call, credits the signer.
      const credited = await a.faucet(5_000_000);
      expect(credited.balanceMsat).toBe(String(5_000_000n * 1000n));
      await expect(a.faucet(10_000_001)).rejects.toMatchObject({ status: 400, field: 'body.amountSat' });

      // A market buy of 3 lots fills against the demo's best ask.
      const bestAsk = (await a.book('HPI-PERP', 1)).asks[0];
      const fill = await a.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'market', size: 3 });
      expect(fill).toMatchObject({ status: 'filled', filled: 3, remaining: 0 });
      const acct = await a.account();
      expect(acct.positions).toEqual([expect.objectContaining({ market: 'HPI-PERP', size: 3 })]);
      const trades = await a.trades('HPI-PERP', 5);
      expect(trades[0]).toMatchObject({ size: 3, takerSide: 'buy', seq: fill.seq });
      expect(trades[0].price).toBeGreaterThanOrEqual(bestAsk.price - bestAsk.price * 0.01);

      // A resting bid, a duplicate client order id (409), then cancel.
      const low = Math.floor(bestAsk.price * 0.9);
      const rest = await a.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: low, size: 2, clientOrderId: 'rest-1' });
      expect(rest).toMatchObject({ status: 'open', filled: 0, remaining: 2 });
      await expect(a.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: low - 1, size: 2, clientOrderId: 'rest-1' })).rejects.toMatchObject({ status: 409 });
      expect((await a.account()).orders).toEqual([expect.objectContaining({ orderId: rest.orderId, price: low, remaining: 2, clientOrderId: 'rest-1' })]);
      await expect(b.cancelOrder(rest.orderId)).rejects.toMatchObject({ status: 404 }); // not B's order
      expect(await a.cancelOrder(rest.orderId)).toMatchObject({ orderId: rest.orderId, status: 'cancelled' });
      expect((await a.account()).orders).toEqual([]);

      // Nobody moves funds that are not theirs, and nothing over the free balance: refusals change nothing.
      // Freeze the living parts (blocks, requotes) so the state hash only moves if a refusal moved it.
      const engine = s.wiring.parts!.engine;
      await s.wiring.parts!.chain!.stop();
      await s.wiring.parts!.demo!.stop();
      await engine.flush();
      const before = engine.stateHash();
      await expect(b.withdraw(1_000, 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080')).rejects.toMatchObject({ status: 422, code: 'insufficient_balance' });
      await expect(b.request('POST', '/v1/withdrawals', { signed: true, body: { amountSat: 1_000, address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', account: a.accountId } })).rejects.toMatchObject({ status: 400 });
      await expect(a.withdraw(5_000_000, 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080')).rejects.toMatchObject({ status: 422 });
      expect(engine.stateHash()).toBe(before);
      const out = await a.withdraw(1_000, 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080');
      expect(out).toMatchObject({ kind: 'withdrawal', amountSat: 1_000, txid: null });

      const h = (await a.health()) as unknown as HealthX;
      expect(h.demo.requotes).toBeGreaterThan(5);
      expect(h.chain.follower).toBe('idle'); // stopped above
      expect(h.chain.indexPriceRule).toMatch(/mainnet hashprice/);
    } finally {
      await s.close();
    }
    const w = await makeWiring()(serveConfig(db));
    const e = w.parts!.engine;
    firstRun = { ...e.chainTip(), stateHash: e.stateHash(), seq: e.lastSeq };
    await w.close!();
  });

  it('a restart on the same db replays to the same state and height, then continues with the next block', async () => {
    const w = await makeWiring()(serveConfig(db));
    const e = w.parts!.engine;
    expect({ ...e.chainTip(), stateHash: e.stateHash(), seq: e.lastSeq }).toEqual(firstRun);
    await w.close!();

    const s = await startServe(serveConfig(db, { demo: false }));
    const heights: number[] = [];
    s.wiring.parts!.engine.on((_s, c) => {
      if (c.type === 'BlockConnected') heights.push(c.height);
    });
    try {
      await until('next blocks', () => heights.length >= 3);
      expect(heights.slice(0, 3)).toEqual([firstRun.height + 1, firstRun.height + 2, firstRun.height + 3]);
      // The position opened before the restart is still there; the duplicate-id guard now comes from the engine.
      const a = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: SK_A } });
      await a.syncClock();
      expect((await a.account()).positions[0]).toMatchObject({ size: 3 });
      const px = (await a.markets())[0] as unknown as { index: number };
      const r = await a.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: Math.floor(px.index * 0.8), size: 1, clientOrderId: 'again' });
      expect(r.status).toBe('open');
    } finally {
      await s.close();
    }
    // A fresh process (new gateway cache) meets the engine's own refusal of a live duplicate id: 409.
    const s2 = await startServe(serveConfig(db, { demo: false }));
    try {
      const a = new HashPerpClient({ baseUrl: s2.url, credentials: { kind: 'account', secretKey: SK_A } });
      await a.syncClock();
      await expect(a.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: 1000, size: 1, clientOrderId: 'again' })).rejects.toMatchObject({ status: 409, code: 'duplicate_client_order_id' });
    } finally {
      await s2.close();
    }
  });

  it('API keys persist in the same SQLite file across restarts', async () => {
    const sk = schnorr.utils.randomSecretKey();
    const s = await startServe(serveConfig(db, { demo: false }));
    let keyId: string;
    let secret: string;
    try {
      const c = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: sk } });
      await c.syncClock();
      ({ keyId, secret } = await c.createApiKey({ scopes: ['read'] }));
    } finally {
      await s.close();
    }
    const s2 = await startServe(serveConfig(db, { demo: false }));
    try {
      const k = new HashPerpClient({ baseUrl: s2.url, credentials: { kind: 'apiKey', keyId, secret } });
      await k.syncClock();
      expect((await k.account()).account).toBe(bytesToHex(schnorr.getPublicKey(sk)));
    } finally {
      await s2.close();
    }
  });
});
