/**
 * Start-up glue for the product routes over the live engine (EngineCore): builds the port, rebuilds the
 * history projection (and catches the ContractService's store up) from the journal, then follows every
 * applied command. Events applied while the rebuild runs are held and fed after it, in seq order.
 *
 *   const products = await wireProducts({ engine, chain: chainData, apiKeys, contracts });
 *   createServer({ ..., routes: [...routeModules, products.routes] });
 *   // onFeed receives the product feed messages (feeds.ts); `withProductFeeds` puts them on the WebSocket
 *   // hub's forwards:<market> / bdc:<series> channels through the ExchangePort the server already has.
 */
import type { EngineEvent, Exchange } from '../engine/index.js';
import { bdcBook } from '../engine/products/bdc/index.js';
import { forwardBook } from '../engine/products/forward/index.js';
import type { ExchangePort, FeedEvent, ProductBook, ProductChannel } from '../api/ports.js';
import type { IndexChain } from '../index/chain-view.js';
import type { ContractService } from '../operator/contract-service.js';
import type { ApiKeyStore } from '../api/auth/api-keys.js';
import { registerProductRoutes } from '../api/routes/products/index.js';
import type { RouteModule } from '../api/app-types.js';
import type { EngineCore } from './engine-host.js';
import { createProductsPort, type EngineProductsPort } from './products-port.js';
import { productFeedEvents, type ProductFeedEvent } from './projections/feeds.js';
import { AccountHistory, replayJournalEvents } from './projections/history.js';

export interface WireProductsOptions {
  engine: EngineCore;
  chain: IndexChain;
  apiKeys?: ApiKeyStore;
  contracts?: ContractService;
  operatorAccounts?: readonly string[];
  historyPerAccount?: number;
  /** Block-delta model options for the fair odds beside the books (Monte Carlo paths, seed). */
  bdcModel?: { paths?: number; seed?: number };
  /** Receives product feed messages for every applied command (after the rebuild). */
  onFeed?: (messages: ProductFeedEvent[]) => void;
  onError?: (where: string, e: unknown) => void;
}

export interface WiredProducts {
  port: EngineProductsPort;
  /** Add to createServer's `routes`. */
  routes: RouteModule;
  /** The seq the history was rebuilt up to. */
  rebuiltTo: number;
  stop(): void;
}

export async function wireProducts(o: WireProductsOptions): Promise<WiredProducts> {
  const onError = o.onError ?? (() => {});
  const port = createProductsPort({
    submit: (c) => o.engine.submit(c),
    exchange: o.engine.exchange,
    chain: o.chain,
    history: new AccountHistory(o.historyPerAccount),
    ...(o.apiKeys !== undefined ? { apiKeys: o.apiKeys } : {}),
    ...(o.contracts !== undefined ? { contracts: o.contracts } : {}),
    ...(o.operatorAccounts !== undefined ? { operatorAccounts: o.operatorAccounts } : {}),
    ...(o.bdcModel !== undefined ? { bdcModel: o.bdcModel } : {}),
    onError,
  });
  let held: [number, EngineEvent[]][] | undefined = [];
  const follow = (seq: number, events: EngineEvent[]): void => {
    port.ingest(seq, events);
    if (o.onFeed !== undefined) {
      try {
        o.onFeed(productFeedEvents(seq, events, o.engine.exchange));
      } catch (e) {
        onError('product feeds', e);
      }
    }
  };
  const off = o.engine.on((seq, _c, events) => (held !== undefined ? held.push([seq, events]) : follow(seq, events)));
  const upTo = o.engine.lastSeq;
  let rebuiltTo: number;
  try {
    rebuiltTo = await replayJournalEvents(o.engine.journal, (seq, events) => port.ingest(seq, events), upTo);
  } catch (e) {
    off();
    throw e;
  }
  const pending = held;
  held = undefined;
  for (const [seq, events] of pending) follow(seq, events);
  return { port, routes: (app) => registerProductRoutes(app, port), rebuiltTo, stop: off };
}

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
