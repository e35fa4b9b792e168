/**
 * The product WebSocket channels without the whole server: refusals when a server has no product markets,
 * and the feed hub's rules (books coalesced per turn, trades at once, account events the base port did not
 * already send). Truth: the messages a hand-built sequence of product feed events must produce.
 */
import { describe, expect, it, vi } from 'vitest';
import { createServer } from '../../src/api/server.js';
import type { FeedEvent } from '../../src/api/ports.js';
import { withProductFeeds } from '../../src/server/projections/feed-hub.js';
import { Exchange } from '../../src/engine/index.js';
import { FakeExchange, FakeIndex } from '../api/fakes.js';

vi.setConfig({ testTimeout: 60_000 });

type Msg = Record<string, unknown> & { type: string };

describe('product WebSocket channels', () => {
  it('a server without product markets refuses forwards/bdc subscriptions and keeps the connection', async () => {
    const app = await createServer({ exchange: new FakeExchange(), index: new FakeIndex() });
    await app.ready();
    const ws = await app.injectWS('/v1/ws');
    const got: Msg[] = [];
    ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as Msg));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'forwards', market: 'FWD-30D' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'bdc' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'futures', market: 'X' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'book', market: 'HPI-PERP' }));
    const t0 = Date.now();
    while (got.length < 5 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(got[0]).toMatchObject({ type: 'error', error: { code: 'unknown_channel', field: 'channel' } });
    expect(got[1]).toMatchObject({ type: 'error', error: { code: 'bad_message', field: 'market' } });
    expect(got[2]).toMatchObject({ type: 'error', error: { code: 'bad_message', field: 'channel' } });
    expect(got[3]).toEqual({ type: 'subscribed', channel: 'book', market: 'HPI-PERP' });
    ws.terminate();
    await app.close();
  });

  it('the hub: one book per market per turn (the latest), trades at once, only account events the base port missed', async () => {
    const base = new FakeExchange();
    const hub = withProductFeeds(base, () => new Exchange());
    const out: FeedEvent[] = [];
    const off = hub.exchange.subscribe((e) => out.push(e));
    const book = (seq: number) => ({ seq, bids: [{ price: 4_900, size: 10 }], asks: [{ price: 5_100, size: seq }] });
    hub.onFeed([
      { channel: 'bdc', market: 'BDC-830100-1707000000', type: 'book', data: book(7) },
      { channel: 'bdc', market: 'BDC-830100-1707000000', type: 'trade', data: { seq: 8, price: 5_100, qty: 2, takerSide: 'FAST' } },
      { channel: 'account', account: 'aa'.repeat(32), data: { seq: 8, type: 'BdcTrade', account: 'bb'.repeat(32), maker: 'aa'.repeat(32) } },
      { channel: 'account', account: 'bb'.repeat(32), data: { seq: 8, type: 'BdcPositionOpened', account: 'bb'.repeat(32) } },
      { channel: 'bdc', market: 'BDC-830100-1707000000', type: 'book', data: book(8) },
      { channel: 'forwards', market: 'FWD-90D', type: 'book', data: book(8) },
    ]);
    // Before the turn ends: the trade and the maker's account event only.
    expect(out).toEqual([
      { channel: 'bdc', market: 'BDC-830100-1707000000', kind: 'trade', data: { seq: 8, price: 5_100, qty: 2, takerSide: 'FAST' } },
      { channel: 'account', account: 'aa'.repeat(32), data: { seq: 8, event: { type: 'BdcTrade', account: 'bb'.repeat(32), maker: 'aa'.repeat(32) } } },
    ]);
    await new Promise((r) => setImmediate(r));
    expect(out.slice(2)).toEqual([
      { channel: 'bdc', market: 'BDC-830100-1707000000', kind: 'book', data: book(8) },
      { channel: 'forwards', market: 'FWD-90D', kind: 'book', data: book(8) },
    ]);
    // Product books come from the live engine state: the four forward markets exist, an unknown series does not.
    expect(hub.exchange.productBook!('forwards', 'FWD-30D', 5)).toEqual({ bids: [], asks: [] });
    expect(hub.exchange.productBook!('bdc', 'BDC-1-1700000000', 5)).toBeUndefined();
    off();
    hub.onFeed([{ channel: 'forwards', market: 'FWD-90D', type: 'trade', data: {} }]);
    expect(out).toHaveLength(4);
  });
});
