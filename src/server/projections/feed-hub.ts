/**
 * The product channels of the WebSocket hub: the server's ExchangePort with `productBook` added, and
 * the sink for the product feed messages (projections/feeds.ts) that wireProducts produces.
 */
import type { Exchange } from '../../engine/index.js';
import { bdcBook } from '../../engine/products/bdc/index.js';
import { forwardBook } from '../../engine/products/forward/index.js';
import type { ExchangePort, FeedEvent, ProductBook, ProductChannel } from '../../api/ports.js';
import type { ProductFeedEvent } from './feeds.js';

const levelsOf = (l: { price: number; qty: number }[]) => l.map((x) => ({ price: x.price, size: x.qty }));

/** A product market's book as the WebSocket channels carry it (undefined: no such market). */
export function productBookOf(ex: Exchange, channel: ProductChannel, market: string, levels: number): ProductBook | undefined {
  const b = channel === 'forwards' ? forwardBook(ex, market, levels) : bdcBook(ex, market, levels);
  return b === undefined ? undefined : { bids: levelsOf(b.bids), asks: levelsOf(b.asks) };
}

export interface ProductFeedHub {
  /** The server's ExchangePort with the product channels added (pass it to createServer as `exchange`). */
  exchange: ExchangePort;
  /** Give to wireProducts as `onFeed`. */
  onFeed(messages: ProductFeedEvent[]): void;
}

/**
 * Puts the product feed messages on the WebSocket hub: trades at once, books coalesced to one message per
 * market per event-loop turn (a demo requote is dozens of commands), and the product events of accounts the
 * base port does not already notify (it sends every event carrying `account`; this adds makers, takers,
 * miners, investors and transfer parties) in its `{seq, event}` shape.
 */
export function withProductFeeds(base: ExchangePort, exchange: () => Exchange): ProductFeedHub {
  const listeners = new Set<(e: FeedEvent) => void>();
  const emit = (e: FeedEvent): void => {
    for (const l of listeners) l(e);
  };
  const dirty = new Map<string, { channel: ProductChannel; market: string; data: unknown }>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const books = [...dirty.values()];
    dirty.clear();
    for (const b of books) emit({ channel: b.channel, market: b.market, kind: 'book', data: b.data });
  };
  const port: ExchangePort = {
    markets: () => base.markets(),
    book: (m, l) => base.book(m, l),
    trades: (m, l) => base.trades(m, l),
    account: (a) => base.account(a),
    placeOrder: (c) => base.placeOrder(c),
    cancelOrder: (c) => base.cancelOrder(c),
    subscribe(listener) {
      const off = base.subscribe(listener);
      listeners.add(listener);
      return () => {
        off();
        listeners.delete(listener);
      };
    },
    productBook: (channel, market, levels) => productBookOf(exchange(), channel, market, levels),
  };
  return {
    exchange: port,
    onFeed(messages) {
      if (listeners.size === 0) return;
      for (const m of messages) {
        if (m.channel === 'account') {
          const { seq, ...event } = m.data as { seq: number; account?: unknown };
          if (event.account === m.account) continue; // the base port sent this one
          emit({ channel: 'account', account: m.account, data: { seq, event } });
        } else if (m.type === 'trade') {
          emit({ channel: m.channel, market: m.market, kind: 'trade', data: m.data });
        } else {
          dirty.set(`${m.channel}:${m.market}`, { channel: m.channel, market: m.market, data: m.data });
        }
      }
      if (dirty.size > 0 && !scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}
