/**
 * The composition root: what `hashperp serve` runs, assembled in one place. DESIGN's arrows, as built:
 * gateway (src/api: routes over ports and read views) → sequencer (journal, engine-host.ts, on its worker
 * thread) → engine → projections (history, feeds); chain follower → confirmed blocks → BlockConnected
 * commands (chain-runtime.ts) → sequencer. Also: API keys, the block-delta contracts and their batching,
 * custody (bitcoind), the demo market maker, and /health.
 */
import { bdcModuleOf } from '../engine/products/bdc/index.js';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ApiKeyStore } from '../api/auth/api-keys.js';
import { MemoryApiKeyStore } from '../api/auth/api-keys.js';
import type { NonceLog } from '../api/auth/nonce-store.js';
import { SqliteApiKeyStore } from '../api/auth/sqlite-api-keys.js';
import { SqliteNonceLog } from '../api/auth/sqlite-nonces.js';
import type { HealthExtras, RouteModule } from '../api/app-types.js';
import type { ExchangePort, FundsPort, IndexPort } from '../api/ports.js';
import { routeModules } from '../api/routes/index.js';
import { loadEmbeddedChain } from '../chain/embedded.js';
import type { ChainParams } from '../chain/params.js';
import type { ChainSource } from '../chain/source.js';
import { DEMO_ACCOUNT, type DemoMarketMaker, type Quoter } from '../demo/market-maker.js';
import type { ContractDesk } from '../operator/block-delta/desk.js';
import { ChainRuntime, type Log } from './chain-runtime.js';
import type { ServeConfig } from './config.js';
import { contractNetwork } from './contracts.js';
import { openDesk } from './desk-wiring.js';
import { hex } from '@scure/base';
import type { BitcoindCustody } from './custody.js';
import { openArk, type ServerArk } from './ark-wiring.js';
import { engineArkParams, setBdcHorizon } from './bdc-horizon.js';
import { wireArkFunding, type ServerArkFunding } from './ark-funding.js';
import { createDemo } from './demo.js';
import { EngineCore } from './engine-host.js';
import { EngineExchange } from './exchange-port.js';
import { healthOf } from './health.js';
import { ChainIndexPort } from './index-port.js';
import { OperatorKeyStore } from './operator-keys.js';
import { wireProducts, type WiredProducts } from './products-wiring.js';
import { withProductFeeds } from './projections/feed-hub.js';
import { wireProofs, withLiabilitiesFeed, type ServerProofs } from './proofs-wiring.js';

export interface ServeWiring {
  exchange: ExchangePort;
  index: IndexPort;
  funds?: FundsPort;
  apiKeys?: ApiKeyStore;
  /** Accepted request nonces, kept in the SQLite file so a restart does not reopen their window. */
  nonceLog?: NonceLog;
  /** Without a nonce log (DATABASE_URL, :memory:): signed timestamps before this (the start) are refused. */
  authNotBeforeMs?: number;
  /** Route modules for createServer (the default ones plus the product routes). */
  routes?: readonly RouteModule[];
  status?: () => HealthExtras;
  /** What is not wired in this mode, logged at startup so nobody mistakes a gap for a feature. */
  notes: string[];
  /** Runs once the server is listening (starts the follower and the demo). */
  /** `url`: where the server listens (the liquidity keeper's SDK wallet talks to it). */
  start?: (log: Log, url?: string) => Promise<void>;
  close?: () => Promise<void>;
  /** The live parts, for tests and operators' tools. */
  parts?: { engine: EngineCore; chain?: ChainRuntime; demo?: DemoMarketMaker; exchange: EngineExchange; custody?: BitcoindCustody; desk?: ContractDesk; products?: WiredProducts; ark?: ServerArk; proofs?: ServerProofs; arkFunding?: ServerArkFunding };
}

export interface WiringDeps {
  /** A ChainSource to follow instead of the configured one (tests: a stub chain that reorgs). */
  source?: ChainSource;
  params?: ChainParams;
  now?: () => number;
  pollMs?: number;
  /** Extra demo quoters: run after the perp and product quoters at every block. */
  quoters?: Quoter[];
  /** Block-delta model options (routes and the demo quoter): Monte Carlo paths and seed (default 400, 1). */
  bdcModel?: { paths: number; seed: number };
}

/**
 * The real exchange: journal (SQLite file under ./data, or PostgreSQL) + sequencer + engine, the
 * chain follower feeding it blocks, the embedded index, API keys in the same SQLite file, the
 * faucet (embedded mode), and the demo market maker.
 */
export function makeWiring(deps: WiringDeps = {}): (cfg: ServeConfig) => Promise<ServeWiring> {
  return async (cfg) => {
    const notes: string[] = [];
    if (cfg.databaseUrl === undefined && cfg.db !== ':memory:') mkdirSync(dirname(resolve(cfg.db)), { recursive: true });
    // Before the engine opens: asking bitcoind may fail, and nothing is open yet to close.
    const network = await contractNetwork(cfg, deps.params);
    // The sealed operator keys, before anything else opens: a wrong or missing passphrase refuses the start (operator_key_locked) with nothing written.
    const keys = cfg.databaseUrl === undefined && cfg.db !== ':memory:' ? OperatorKeyStore.open(cfg.db, { passphrase: cfg.operatorPassphrase, keyFile: cfg.operatorKeyFile }) : undefined;
    if (keys?.warning !== undefined) notes.push(keys.warning);
    if (keys?.source === 'generated-file') notes.push(`operator keys: sealed under a generated passphrase in ${OperatorKeyStore.defaultKeyFile(cfg.db)}; set HASHPERP_OPERATOR_PASSPHRASE or --operator-key-file in production, and back up the passphrase and the database (losing either loses the operator keys)`);
    let log: Log = { info: () => {}, warn: () => {}, error: () => {} };
    const engine = await EngineCore.open({
      ...(cfg.databaseUrl !== undefined ? { databaseUrl: cfg.databaseUrl } : { sqlitePath: cfg.db }),
      // The journal's fsyncs run on a worker thread so they never stall HTTP (':memory:' cannot be shared with one).
      thread: cfg.engineThread ?? cfg.db !== ':memory:',
      onError: (where, e) => log.error(`${where}: ${e instanceof Error ? e.message : String(e)}`),
    }).catch((e: unknown) => {
      keys?.close();
      throw e;
    });
    // Block-delta series must be decided inside the batch life of their contract VTXOs (the lifetime rule).
    await setBdcHorizon(engine, engineArkParams(cfg, network)).catch(async (e: unknown) => {
      await engine.close();
      keys?.close();
      throw e;
    });
    let apiKeys: ApiKeyStore;
    let closeKeys = (): void => keys?.close();
    let nonceLog: NonceLog | undefined;
    let authNotBeforeMs: number | undefined;
    if (cfg.databaseUrl === undefined && cfg.db !== ':memory:') {
      const store = SqliteApiKeyStore.open(cfg.db);
      const nonces = SqliteNonceLog.open(cfg.db);
      apiKeys = store;
      nonceLog = nonces;
      closeKeys = () => {
        store.close();
        nonces.close();
        keys?.close();
      };
    } else {
      apiKeys = new MemoryApiKeyStore();
      // Used nonces live in memory only here: a request signed before this start must not replay after it.
      authNotBeforeMs = Date.now();
      notes.push('API keys and used nonces are kept in memory with DATABASE_URL / :memory: (their api_ tables need the SQLite file); signed requests timestamped before this start are refused');
    }
    const faucet = cfg.chain === 'embedded';
    // The custodial deposit addresses (custody.ts) only on request: the operator's key spends them.
    const custodialOff = cfg.chain === 'bitcoind' && cfg.custodialDeposits !== true;
    const onchain = cfg.chain === 'bitcoind' && !custodialOff && cfg.databaseUrl === undefined && cfg.db !== ':memory:' && deps.source === undefined;
    let chain: ChainRuntime | undefined;
    // Withdrawal addresses: the node's network with bitcoind, the followed chain's with esplora, regtest in the replay (as its contracts).
    const exchange = new EngineExchange(engine, {
      faucet,
      onchain,
      network: () => (cfg.chain === 'esplora' ? (chain?.params.name ?? network) : network),
      ...(custodialOff ? { onchainWithdrawalsOff: 'on-chain withdrawals are off on this server (they need the custodial deposit addresses, --custodial-deposits); withdraw to your Ark wallet: POST /v1/withdrawals/ark' } : {}),
    });
    if (custodialOff) notes.push('custodial deposit addresses are off (--custodial-deposits or HASHPERP_CUSTODIAL_DEPOSITS=1 turns them on; the operator key spends them): users fund and withdraw through Ark (GET /v1/ark/funding, POST /v1/withdrawals/ark)');
    if (cfg.chain === 'esplora') notes.push('--chain esplora: no on-chain custody (deposit addresses, payouts): withdrawals debit the ledger only');
    if (cfg.chain === 'bitcoind' && !onchain) notes.push('--chain bitcoind without a SQLite file: no on-chain custody (its api_ tables live in the SQLite file)');
    const chainData = loadEmbeddedChain();
    const engineTip = engine.chainTip().height;
    // Until the follower publishes its first tip: the replay's resume/start point (embedded), else the newest shipped height.
    const replayStart = chainData.segments[chainData.segments.length - 1].firstHeight + 144;
    const firstTip = cfg.chain !== 'embedded' ? undefined : engineTip >= 0 && engineTip <= chainData.maxHeight ? engineTip : replayStart;
    const index = new ChainIndexPort(chainData, firstTip !== undefined ? { tipHeight: firstTip } : {});

    // The Ark operator (arkd's API at /ark) on the node's chain, and its block-delta desk (contract VTXOs).
    const ark = deps.source === undefined
      ? openArk(cfg, network, notes, keys, (m) => log.info(`ark: ${m}`), { outcome: (series) => bdcModuleOf(engine.exchange).getSeries(series)?.winner, tip: () => engine.exchange.chainTip() })
      : undefined;
    const desk = ark !== undefined ? openDesk(ark, engine, network, (m) => log.info(m)) : undefined;
    if (desk === undefined) notes.push('block-delta contracts: no Ark operator in this mode, so positions stay in the ledger (no contract VTXOs)');
    const hub = withProductFeeds(exchange, () => engine.exchange);
    const bdcModel = deps.bdcModel ?? { paths: 400, seed: 1 };
    let products: WiredProducts;
    try {
      products = await wireProducts({
        engine,
        chain: chainData,
        apiKeys,
        ...(desk !== undefined ? { contracts: desk } : {}),
        operatorAccounts: [DEMO_ACCOUNT, ...(ark !== undefined ? [hex.encode(ark.keys.signerXOnly)] : []), ...(cfg.operatorAccounts ?? [])],
        onFeed: (m) => hub.onFeed(m),
        bdcModel,
        onError: (where, e) => log.error(`products ${where}: ${e instanceof Error ? e.message : String(e)}`),
      });
    } catch (e) {
      // The journal could not be replayed into the projections: release what is open before failing.
      await engine.close();
      await ark?.stop();
      closeKeys();
      throw e;
    }
    // Proof of liabilities (every block's Merkle sum tree of the ledger) and of reserves (the Ark operator's coins).
    const proofs = wireProofs({ engine, ark, onError: (m) => log.error(m) });
    // Money in and out through Ark: memo deposits to the liquidity key, withdrawals paid by it, reconciled every block.
    const arkFunding = ark ? wireArkFunding({ engine, ark, onError: (m) => log.error(m), ...(deps.pollMs ? { pollMs: deps.pollMs } : {}) }) : undefined;
    let demo: DemoMarketMaker | undefined;
    let custody: BitcoindCustody | undefined;
    const wiring: ServeWiring = {
      exchange: withLiabilitiesFeed(hub.exchange, proofs.publisher),
      index,
      routes: [...routeModules, products.routes, proofs.routes, ...(ark ? [ark.routes] : []), ...(arkFunding ? [arkFunding.routes] : [])],
      funds: exchange,
      apiKeys,
      ...(nonceLog !== undefined ? { nonceLog } : {}),
      ...(authNotBeforeMs !== undefined ? { authNotBeforeMs } : {}),
      notes,
      parts: { engine, exchange, products, proofs, ...(ark ? { ark } : {}), ...(desk ? { desk } : {}), ...(arkFunding ? { arkFunding } : {}) },
      status: () => healthOf({ engine, chain, demo, custody, operatorKeys: keys !== undefined ? { sealed: true, source: keys.source } : { sealed: false, source: 'memory' }, ark: ark?.status(), proofs: proofs.status(), ...(arkFunding ? { reconciliation: arkFunding.status() } : {}), contracts: desk?.status() }),
      start: async (l, url) => {
        log = l;
        chain = await ChainRuntime.start({
          chain: cfg.chain,
          ...(cfg.rpc !== undefined ? { rpc: cfg.rpc } : {}),
          ...(cfg.esplora !== undefined ? { esplora: cfg.esplora } : {}),
          paceMs: cfg.paceMs,
          engine,
          index,
          log,
          ...(deps.source ? { source: deps.source } : {}),
          ...(deps.params ? { params: deps.params } : {}),
          ...(deps.now ? { now: deps.now } : {}),
          ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
          ...(cfg.confirmations !== undefined ? { confirmations: cfg.confirmations } : {}),
          embedded: chainData,
        });
        wiring.parts!.chain = chain;
        if (onchain) {
          const { BitcoindCustody } = await import('./custody.js');
          custody = new BitcoindCustody({ rpc: cfg.rpc!, sqlitePath: cfg.db, network: chain.params.name, confirmations: chain.follower.confirmations, operatorSecret: keys!.secret('custody') });
          exchange.attachPayout(custody);
          custody.start(deps.pollMs ?? 1000, (account, sat, outpoint) => exchange.creditChainDeposit(account, sat, outpoint));
          wiring.parts!.custody = custody;
        }
        ark?.start();
        if (url !== undefined) await ark?.startLiquidity(url);
        desk?.start();
        arkFunding?.start();
        proofs.start();
        if (cfg.demo) {
          demo = createDemo(engine, { cfg, chainData, bdcModel, quoters: deps.quoters ?? [], log });
          await demo.start();
          wiring.parts!.demo = demo;
        }
      },
      close: async () => {
        await demo?.stop();
        await custody?.stop();
        proofs.stop();
        await proofs.settled();
        desk?.stop();
        await desk?.settled();
        await arkFunding?.stop();
        await ark?.stop();
        await chain?.stop();
        products.stop();
        await engine.close();
        closeKeys();
      },
    };
    return wiring;
  };
}

export const defaultWiring = makeWiring();
