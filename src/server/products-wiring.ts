/**
 * Start-up glue for the product routes over the live engine (EngineCore): builds the port, rebuilds the
 * history projection from the journal, then follows every
 * applied command. Events applied while the rebuild runs are held and fed after it, in seq order.
 *
 *   const products = await wireProducts({ engine, chain: chainData, apiKeys, contracts });
 *   createServer({ ..., routes: [...routeModules, products.routes] });
 *   // onFeed receives the product feed messages (projections/feeds.ts); projections/feed-hub.ts puts them on
 *   // the WebSocket hub's forwards:<market> / bdc:<series> channels through the server's ExchangePort.
 */
import type { EngineEvent } from '../engine/index.js';
import type { IndexChain } from '../index/chain-view.js';
import type { ContractDocs } from '../api/products/port.js';
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
  contracts?: ContractDocs;
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
