/** WebSocket feeds on the real server: the index per replayed block, the demo's book, a client's trades and account events. */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HashPerpClient } from '../../src/client/client.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb, until } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Msg = { type: string; data?: Record<string, unknown>; market?: string };

describe('serve: WebSocket feeds', () => {
  it('index per block, book and trades per market, account events for the signer only', async () => {
    const s = await startServe(serveConfig(db));
    try {
      const ws = await s.app.injectWS('/v1/ws');
      const got: Msg[] = [];
      ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as Msg));
      const c = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: new Uint8Array(32).fill(21) } });
      await c.syncClock();
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'index' }));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'book', market: 'HPI-PERP' }));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'trades', market: 'HPI-PERP' }));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'account', auth: c.wsAccountAuth() }));
      await until('index messages', () => got.filter((m) => m.type === 'index').length >= 4);
      const heights = got.filter((m) => m.type === 'index').map((m) => m.data!.height as number);
      for (let i = 2; i < heights.length; i++) expect(heights[i]).toBe(heights[i - 1] + 1);
      await until('a two-sided book', () => got.some((m) => m.type === 'book' && (m.data!.bids as unknown[]).length > 0 && (m.data!.asks as unknown[]).length > 0));
      await c.faucet(1_000_000);
      const ack = await c.placeOrder({ market: 'HPI-PERP', side: 'sell', type: 'market', size: 2 });
      expect(ack.filled).toBe(2);
      const trade = await until('trade message', () => got.find((m) => m.type === 'trades'));
      expect(trade.data).toMatchObject({ size: 2, takerSide: 'sell', seq: ack.seq });
      const acct = await until('account events', () => {
        const a = got.filter((m) => m.type === 'account');
        return a.length >= 2 ? a : undefined;
      });
      const types = acct.map((m) => (m.data!.event as { type: string }).type);
      expect(types).toContain('Deposit');
      expect(types).toContain('Trade');
      // Never the demo's own account events (it is not the subscriber).
      for (const m of acct) expect(JSON.stringify(m.data)).toContain(c.accountId!);
      ws.terminate();
    } finally {
      await s.close();
    }
  });
});
