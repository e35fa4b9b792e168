import { describe, expect, it, vi } from 'vitest';
import { HashPerpClient } from '../../src/client/client.js';
import { ACCOUNT1, ACCOUNT2, rig, signed } from './helpers.js';

// vitest projects do not inherit the root testTimeout; these talk to servers on a shared, busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

type Msg = Record<string, unknown> & { type: string };

/** Collects messages from an injected WebSocket; `next(n)` waits until n have arrived. */
function collector(ws: { on(ev: 'message', cb: (d: Buffer) => void): void }) {
  const got: Msg[] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (d) => {
    got.push(JSON.parse(d.toString()));
    wake?.();
  });
  return {
    got,
    async next(n: number): Promise<Msg[]> {
      const deadline = Date.now() + 3000; // fail fast, not at the 60 s test timeout
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`timed out with ${JSON.stringify(got)}`);
        await new Promise<void>((res) => {
          wake = res;
          setTimeout(res, 50);
        });
      }
      return got.splice(0, n);
    },
  };
}

describe('WebSocket feeds', () => {
  it('index: snapshot on subscribe, then one message per block', async () => {
    const r = await rig();
    const ws = await r.app.injectWS('/v1/ws');
    const c = collector(ws);
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'index' }));
    const [ack, snap] = await c.next(2);
    expect(ack).toEqual({ type: 'subscribed', channel: 'index' });
    expect((snap.data as { height: number }).height).toBe(900019);
    r.index.push(900020);
    const [blk] = await c.next(1);
    expect(blk).toMatchObject({ type: 'index', data: { height: 900020 } });
    ws.terminate();
    await r.app.close();
  });

  it('book and trades per market; account events only to the signed owner', async () => {
    const r = await rig();
    const ws = await r.app.injectWS('/v1/ws');
    const c = collector(ws);
    const client = new HashPerpClient({ baseUrl: 'http://unused', credentials: ACCOUNT1, nowMs: () => r.clock.t });
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'book', market: 'HPI-PERP' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'trades', market: 'HPI-PERP' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'account', auth: client.wsAccountAuth() }));
    const first = await c.next(4);
    expect(first.map((m) => m.type)).toEqual(['subscribed', 'book', 'subscribed', 'subscribed']);

    await signed(r, ACCOUNT2, 'POST', '/v1/orders', { market: 'HPI-PERP', side: 'sell', type: 'limit', price: 100, size: 2 });
    // account 2's events are not ours: only its book update arrives
    const [book1] = await c.next(1);
    expect(book1).toMatchObject({ type: 'book', market: 'HPI-PERP', data: { asks: [{ price: 100, size: 2 }] } });
    await signed(r, ACCOUNT1, 'POST', '/v1/orders', { market: 'HPI-PERP', side: 'buy', type: 'limit', price: 100, size: 2 });
    const msgs = await c.next(3);
    expect(msgs.map((m) => m.type)).toEqual(['trades', 'book', 'account']);
    expect(msgs[0]).toMatchObject({ data: { price: 100, size: 2, takerSide: 'buy' } });
    expect(msgs[2]).toMatchObject({ data: { status: 'filled' } });
    ws.terminate();
    await r.app.close();
  });

  it('refuses bad messages and bad account auth with an error message, keeps the connection', async () => {
    const r = await rig();
    const ws = await r.app.injectWS('/v1/ws');
    const c = collector(ws);
    ws.send('not json');
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'book' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'book', market: 'NOPE' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'account', auth: { 'x-hp-account': 'ab' } }));
    const stale = new HashPerpClient({ baseUrl: 'http://unused', credentials: ACCOUNT1, nowMs: () => r.clock.t - 60_000 });
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'account', auth: stale.wsAccountAuth() }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'index' }));
    const msgs = await c.next(7);
    expect(msgs.slice(0, 5).map((m) => (m.error as { code: string }).code)).toEqual(['bad_json', 'bad_message', 'unknown_market', 'bad_timestamp', 'stale_timestamp']);
    expect(msgs[5]).toEqual({ type: 'subscribed', channel: 'index' });
    ws.terminate();
    await r.app.close();
  });
});
