/**
 * The engine-backed ProductsPort: submit through the Sequencer (EngineCore.submit or any function with
 * its contract), read views over the live Exchange (views/), and one `ingest(seq, events)` hook the wiring
 * calls for every applied command: it feeds the history projection.
 */
import type { Command, EngineEvent, Exchange } from '../engine/index.js';
import type { IndexChain } from '../index/chain-view.js';
import type { ContractDocs } from '../api/products/port.js';
import type { ApiKeyStore } from '../api/auth/api-keys.js';
import type { Principal } from '../api/auth/authenticate.js';
import type { ProductsPort } from '../api/products/port.js';
import { AccountHistory } from './projections/history.js';
import { productViews } from './views/index.js';

export interface ProductsPortDeps {
  submit(cmd: Command): Promise<{ seq: number; events: EngineEvent[] }>;
  exchange: Exchange | (() => Exchange);
  chain: IndexChain;
  contracts?: ContractDocs;
  history?: AccountHistory;
  /** To recognise API keys carrying the 'admin' scope (operator actions). */
  apiKeys?: ApiKeyStore;
  /** Account ids (x-only pubkeys) allowed to act as the operator. */
  operatorAccounts?: readonly string[];
  bdcModel?: { paths?: number; seed?: number };
  /** Wall clock for edge checks (default Date.now). */
  nowMs?: () => number;
  onError?: (where: string, e: unknown) => void;
}

export interface EngineProductsPort extends ProductsPort {
  /** Call for every applied command, in seq order (EngineCore.on((seq, _c, events) => port.ingest(seq, events))). */
  ingest(seq: number, events: readonly EngineEvent[]): void;
}

export function createProductsPort(deps: ProductsPortDeps): EngineProductsPort {
  const history = deps.history ?? new AccountHistory();
  const exchange = typeof deps.exchange === 'function' ? deps.exchange : ((ex: Exchange) => () => ex)(deps.exchange);
  const operators = new Set(deps.operatorAccounts ?? []);
  const onError = deps.onError ?? (() => {});
  return {
    submit: (cmd) => deps.submit(cmd),
    views: productViews(exchange, deps.chain, deps.bdcModel),
    chain: deps.chain,
    ...(deps.contracts !== undefined ? { contracts: deps.contracts } : {}),
    history,
    nowMs: deps.nowMs ?? (() => Date.now()),
    isOperator(p: Principal): boolean {
      if (p.via === 'account') return operators.has(p.account);
      const rec = p.keyId === undefined ? undefined : deps.apiKeys?.get(p.keyId);
      return rec !== undefined && (rec.scopes as readonly string[]).includes('admin');
    },
    ingest(seq, events) {
      history.ingest(seq, events);
    },
  };
}
