/**
 * CLI for the server and its client:
 *   hashperp serve [--port N] [--host H] [--db PATH] [--chain embedded|bitcoind|esplora] [--rpc URL]
 *                  [--esplora URL] [--pace N] [--no-demo] [--static DIR] [--log-level L]
 *   hashperp order place --market M --side buy|sell [--type limit|market] [--price TICKS] --size LOTS
 *                  [--tif GTC|IOC|FOK] [--post-only] [--reduce-only] [--client-order-id ID]
 *   hashperp order cancel <orderId>
 *   hashperp account show | keygen | faucet --amount SAT | withdraw --amount SAT --address A | api-key create|list|revoke
 * Client commands take --server URL (env HASHPERP_SERVER) and credentials from --key-file, or env
 * HASHPERP_SECRET_KEY (account key, hex), or HASHPERP_API_KEY_ID + HASHPERP_API_KEY_SECRET.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Command } from 'commander';
import { accountCredentials, apiKeyCredentials, HashPerpClient, type Credentials, type PlaceOrderBody } from '../client/client.js';
import type { ExchangePort, FundsPort, IndexPort } from '../api/ports.js';
import type { App, HealthExtras } from '../api/app-types.js';
import type { ApiKeyStore } from '../api/auth/api-keys.js';
import type { EngineExchange } from '../server/exchange-port.js';
import type { EngineCore } from '../server/engine-host.js';
import type { ChainRuntime, Log } from '../server/chain-runtime.js';
import type { DemoMarketMaker, Quoter } from '../demo/market-maker.js';
import type { BitcoindCustody } from '../server/custody.js';
import type { RouteModule } from '../api/app-types.js';
import type { WiredProducts } from '../server/products.js';
import type { ContractService } from '../operator/contract-service.js';
import type { NetworkName } from '../bitcoin/networks.js';
import type { ChainSource } from '../chain/source.js';
import type { ChainParams } from '../chain/params.js';
import { packageRoot } from '../chain/embedded.js';
import { InvalidArgumentError } from '../units/errors.js';
import { toJson, type CliIO } from './output.js';

type Env = Record<string, string | undefined>;

export interface ServeConfig {
  port: number;
  host: string;
  /** SQLite file holding the journal and the api_ tables (embedded default) unless databaseUrl is set. */
  db: string;
  databaseUrl?: string;
  chain: 'embedded' | 'bitcoind' | 'esplora';
  rpc?: string;
  esplora?: string;
  /** Embedded replay: milliseconds of wall time per replayed block. */
  paceMs: number;
  demo: boolean;
  staticDir?: string;
  logLevel: string;
  /** Log every request at info (default off: only errors and warnings). */
  requestLog?: boolean;
  /** Blocks a block must be buried under before it settles (default: 0 replay, 1 regtest, 6 mainnet). */
  confirmations?: number;
  /** Journal + sequencer on a worker thread (default true; false runs them on the server's thread). */
  engineThread?: boolean;
  /** The operator's secret key S for block-delta contract VTXOs (env HASHPERP_OPERATOR_KEY, 64 hex); default: generated once and kept in the SQLite file. */
  operatorKey?: string;
  /** Account ids (x-only pubkeys) that may list block-delta series besides the demo and S (env HASHPERP_OPERATOR_ACCOUNTS, comma-separated). */
  operatorAccounts?: string[];
}

interface ServeFlags {
  port?: string;
  host?: string;
  db?: string;
  chain?: string;
  rpc?: string;
  esplora?: string;
  pace?: string;
  demo?: boolean;
  static?: string;
  logLevel?: string;
  confirmations?: string;
  requestLog?: boolean;
}

function intIn(field: string, s: string, min: number, max: number): number {
  if (!/^\d+$/.test(s.trim())) throw new InvalidArgumentError(field, `expected an integer, got ${JSON.stringify(s)}`);
  const v = Number(s);
  if (v < min || v > max) throw new InvalidArgumentError(field, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** `--pace`: "500ms" or "2s" per block, or a bare number of blocks per minute (0 = as fast as possible). */
export function parsePace(s: string): number {
  const m = /^\s*(\d+)\s*(ms|s)?\s*$/.exec(s);
  if (m === null) throw new InvalidArgumentError('pace', `expected e.g. 500ms, 5s or a number of blocks per minute, got ${JSON.stringify(s)}`);
  const n = Number(m[1]);
  if (m[2] === 'ms') return intIn('pace', m[1], 1, 86_400_000);
  if (m[2] === 's') return intIn('pace', m[1], 1, 86_400) * 1000;
  if (n > 600_000) throw new InvalidArgumentError('pace', `at most 600000 blocks per minute, got ${n}`);
  return n === 0 ? 1 : Math.max(1, Math.round(60_000 / n));
}

function url(field: string, s: string): string {
  try {
    const u = new URL(s);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return s;
  } catch {
    throw new InvalidArgumentError(field, `expected an http(s) URL, got ${JSON.stringify(s)}`);
  }
}

export const DEFAULT_DB = join('data', 'hashperp.sqlite');

/** Flags win over the environment; the environment wins over defaults. Pure, so it is tested directly. */
export function resolveServeConfig(flags: ServeFlags, env: Env): ServeConfig {
  const chain = flags.chain ?? env.HASHPERP_CHAIN ?? 'embedded';
  if (chain !== 'embedded' && chain !== 'bitcoind' && chain !== 'esplora') throw new InvalidArgumentError('chain', `expected embedded, bitcoind or esplora, got ${JSON.stringify(chain)}`);
  const rpcRaw = flags.rpc ?? env.BITCOIND_RPC_URL;
  const esploraRaw = flags.esplora ?? env.ESPLORA_URL;
  if (chain === 'bitcoind' && rpcRaw === undefined) throw new InvalidArgumentError('rpc', '--chain bitcoind needs --rpc URL (or BITCOIND_RPC_URL)');
  if (chain === 'esplora' && esploraRaw === undefined) throw new InvalidArgumentError('esplora', '--chain esplora needs --esplora URL (or ESPLORA_URL)');
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new InvalidArgumentError('DATABASE_URL', 'expected a postgres:// URL');
  const logLevel = flags.logLevel ?? env.LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new InvalidArgumentError('log-level', `unknown level ${logLevel}`);
  const confRaw = flags.confirmations ?? env.HASHPERP_CONFIRMATIONS;
  const staticDir = flags.static ?? env.HASHPERP_STATIC ?? defaultStaticDir();
  const operatorKey = env.HASHPERP_OPERATOR_KEY?.trim().toLowerCase();
  if (operatorKey !== undefined && !/^[0-9a-f]{64}$/.test(operatorKey)) throw new InvalidArgumentError('HASHPERP_OPERATOR_KEY', 'expected a 32-byte secret key as 64 hex characters');
  const operatorAccounts = env.HASHPERP_OPERATOR_ACCOUNTS?.split(',').map((a) => a.trim().toLowerCase()).filter((a) => a !== '');
  for (const a of operatorAccounts ?? []) if (!/^[0-9a-f]{64}$/.test(a)) throw new InvalidArgumentError('HASHPERP_OPERATOR_ACCOUNTS', `expected x-only public keys (64 hex), got ${JSON.stringify(a)}`);
  return {
    port: intIn('port', flags.port ?? env.PORT ?? '8080', 0, 65535),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    db: flags.db ?? env.HASHPERP_DB ?? DEFAULT_DB,
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
    chain,
    ...(rpcRaw !== undefined ? { rpc: url('rpc', rpcRaw) } : {}),
    ...(esploraRaw !== undefined ? { esplora: url('esplora', esploraRaw) } : {}),
    paceMs: parsePace(flags.pace ?? env.HASHPERP_PACE ?? '5s'),
    demo: flags.demo ?? env.HASHPERP_DEMO !== '0',
    ...(staticDir !== undefined ? { staticDir } : {}),
    logLevel,
    ...(flags.requestLog || env.HASHPERP_REQUEST_LOG === '1' ? { requestLog: true } : {}),
    ...(confRaw !== undefined ? { confirmations: intIn('confirmations', confRaw, 0, 100) } : {}),
    ...(operatorKey !== undefined ? { operatorKey } : {}),
    ...(operatorAccounts !== undefined && operatorAccounts.length > 0 ? { operatorAccounts } : {}),
  };
}

/** The built web app (<packageRoot>/web/dist) when it exists. */
function defaultStaticDir(): string | undefined {
  const dir = join(packageRoot(), 'web', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

export interface ServeWiring {
  exchange: ExchangePort;
  index: IndexPort;
  funds?: FundsPort;
  apiKeys?: ApiKeyStore;
  /** Route modules for createServer (the default ones plus the product routes). */
  routes?: readonly RouteModule[];
  status?: () => HealthExtras;
  /** What is not wired in this mode, logged at startup so nobody mistakes a gap for a feature. */
  notes: string[];
  /** Runs once the server is listening (starts the follower and the demo). */
  start?: (log: Log) => Promise<void>;
  close?: () => Promise<void>;
  /** The live parts, for tests and operators' tools. */
  parts?: { engine: EngineCore; chain?: ChainRuntime; demo?: DemoMarketMaker; exchange: EngineExchange; custody?: BitcoindCustody; contracts?: ContractService; products?: WiredProducts };
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

/** Contract VTXOs' CSVs: unilateral exits wait a day of blocks; batches expire after four weeks. */
const EXIT_DELAY = { type: 'blocks' as const, value: 144n };
const BATCH_EXPIRY = { type: 'blocks' as const, value: 4032n };

/** The network contract addresses are encoded for: the node's with bitcoind, regtest where no chain holds them. */
async function contractNetwork(cfg: ServeConfig, deps: WiringDeps): Promise<NetworkName> {
  if (cfg.chain !== 'bitcoind') return 'regtest';
  if (deps.params !== undefined) return deps.params.name;
  const { BitcoindRpc } = await import('../chain/rpc-client.js');
  const info = await new BitcoindRpc(cfg.rpc!).call<{ chain: string }>('getblockchaininfo');
  if (info.chain === 'main') return 'mainnet';
  if (info.chain === 'regtest') return 'regtest';
  if (info.chain === 'signet') return 'signet';
  throw new InvalidArgumentError('rpc', `bitcoind is on ${info.chain}; serve follows main, signet or regtest`);
}

/**
 * The real exchange: journal (SQLite file under ./data, or PostgreSQL) + sequencer + engine, the
 * chain follower feeding it blocks, the embedded index, API keys in the same SQLite file, the
 * faucet (embedded mode), and the demo market maker.
 */
export function makeWiring(deps: WiringDeps = {}): (cfg: ServeConfig) => Promise<ServeWiring> {
  return async (cfg) => {
    const notes: string[] = [];
    // Loaded on demand: other CLI commands should not pay for the server's imports.
    const [{ loadEmbeddedChain }, { ChainIndexPort }, { EngineCore }, { EngineExchange }, { ChainRuntime }, { DemoMarketMaker, DEMO_ACCOUNT }, { SqliteApiKeyStore }, { MemoryApiKeyStore }] = await Promise.all([
      import('../chain/embedded.js'),
      import('../server/index-port.js'),
      import('../server/engine-host.js'),
      import('../server/exchange-port.js'),
      import('../server/chain-runtime.js'),
      import('../demo/market-maker.js'),
      import('../api/auth/sqlite-api-keys.js'),
      import('../api/auth/api-keys.js'),
    ]);
    if (cfg.databaseUrl === undefined && cfg.db !== ':memory:') mkdirSync(dirname(resolve(cfg.db)), { recursive: true });
    // Before the engine opens: asking bitcoind may fail, and nothing is open yet to close.
    const network = await contractNetwork(cfg, deps);
    let log: Log = { info: () => {}, warn: () => {}, error: () => {} };
    const engine = await EngineCore.open({
      ...(cfg.databaseUrl !== undefined ? { databaseUrl: cfg.databaseUrl } : { sqlitePath: cfg.db }),
      // The journal's fsyncs run on a worker thread so they never stall HTTP (':memory:' cannot be shared with one).
      thread: cfg.engineThread ?? cfg.db !== ':memory:',
      onError: (where, e) => log.error(`${where}: ${e instanceof Error ? e.message : String(e)}`),
    });
    let apiKeys: ApiKeyStore;
    let closeKeys = (): void => {};
    if (cfg.databaseUrl === undefined && cfg.db !== ':memory:') {
      const store = SqliteApiKeyStore.open(cfg.db);
      apiKeys = store;
      closeKeys = () => store.close();
    } else {
      apiKeys = new MemoryApiKeyStore();
      notes.push('API keys are kept in memory with DATABASE_URL / :memory: (the SQLite api_keys table needs the SQLite file)');
    }
    const faucet = cfg.chain === 'embedded';
    const onchain = cfg.chain === 'bitcoind' && cfg.databaseUrl === undefined && cfg.db !== ':memory:' && deps.source === undefined;
    const exchange = new EngineExchange(engine, { faucet, onchain });
    if (cfg.chain === 'esplora') notes.push('--chain esplora: no on-chain custody (deposit addresses, payouts): withdrawals debit the ledger only');
    if (cfg.chain === 'bitcoind' && !onchain) notes.push('--chain bitcoind without a SQLite file: no on-chain custody (its api_ tables live in the SQLite file)');
    const chainData = loadEmbeddedChain();
    const engineTip = engine.chainTip().height;
    // Until the follower publishes its first tip: the replay's resume/start point (embedded), else the newest shipped height.
    const replayStart = chainData.segments[chainData.segments.length - 1].firstHeight + 144;
    const firstTip = cfg.chain !== 'embedded' ? undefined : engineTip >= 0 && engineTip <= chainData.maxHeight ? engineTip : replayStart;
    const index = new ChainIndexPort(chainData, firstTip !== undefined ? { tipHeight: firstTip } : {});

    // Block-delta contracts: the operator's ContractService, its store beside the journal (op_ tables).
    const [{ ContractService }, { SqliteContractStore, MemoryContractStore }, { wireProducts, withProductFeeds }, { routeModules }, { default: Database }] = await Promise.all([
      import('../operator/contract-service.js'),
      import('../operator/contract-store.js'),
      import('../server/products.js'),
      import('../api/routes/index.js'),
      import('better-sqlite3'),
    ]);
    let opDb: InstanceType<typeof Database> | undefined;
    let operatorSecret = cfg.operatorKey;
    if (cfg.databaseUrl === undefined && cfg.db !== ':memory:') {
      opDb = new Database(cfg.db);
      opDb.pragma('journal_mode = WAL');
      opDb.pragma('busy_timeout = 5000');
      opDb.exec('CREATE TABLE IF NOT EXISTS op_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      if (operatorSecret === undefined) {
        // Generated once and kept: a restart must sign with the same S its contracts name.
        const row = opDb.prepare("SELECT value FROM op_meta WHERE key = 'operator_secret'").get() as { value: string } | undefined;
        operatorSecret = row?.value ?? bytesToHex(schnorr.utils.randomSecretKey());
        if (row === undefined) opDb.prepare("INSERT INTO op_meta (key, value) VALUES ('operator_secret', ?)").run(operatorSecret);
      }
    } else if (operatorSecret === undefined) {
      operatorSecret = bytesToHex(schnorr.utils.randomSecretKey());
      notes.push('block-delta contracts: no SQLite file, so the operator key S is generated per run (set HASHPERP_OPERATOR_KEY) and contract records live in memory');
    }
    const contracts = new ContractService({
      operatorSecret,
      network,
      exitDelay: EXIT_DELAY,
      batchExpiry: BATCH_EXPIRY,
      store: opDb !== undefined ? new SqliteContractStore(opDb) : new MemoryContractStore(),
    });
    const fundingNote =
      cfg.chain === 'bitcoind'
        ? 'unfunded: the custody wallet does not expose operator-keyed UTXOs to the contract service yet, so batches spend a placeholder (funded:false)'
        : 'unfunded by design: this mode replays or follows headers but no chain holds the contracts; every batch and document says funded:false';
    notes.push(`block-delta contracts (${network}): ${fundingNote}`);
    const hub = withProductFeeds(exchange, () => engine.exchange);
    const bdcModel = deps.bdcModel ?? { paths: 400, seed: 1 };
    let products: WiredProducts;
    try {
      products = await wireProducts({
        engine,
        chain: chainData,
        apiKeys,
        contracts,
        operatorAccounts: [DEMO_ACCOUNT, contracts.operatorPubkey, ...(cfg.operatorAccounts ?? [])],
        onFeed: (m) => hub.onFeed(m),
        bdcModel,
        onError: (where, e) => log.error(`products ${where}: ${e instanceof Error ? e.message : String(e)}`),
      });
    } catch (e) {
      // The journal could not be replayed into the projections: release what is open before failing.
      await engine.close();
      opDb?.close();
      closeKeys();
      throw e;
    }
    // Pending contract VTXOs go into a batch after every processed block (after the contract service saw it).
    const batching = { batches: 0, positions: 0, lastBatchHeight: -1, lastError: undefined as string | undefined, scheduled: false, closed: false };
    const offBatch = engine.on((_seq, _c, events) => {
      if (batching.scheduled || !events.some((e) => e.type === 'BlockProcessed')) return;
      batching.scheduled = true;
      setImmediate(() => {
        batching.scheduled = false;
        if (batching.closed) return;
        try {
          const b = contracts.batch();
          if (b !== undefined) {
            batching.batches++;
            batching.positions += b.positionIds.length;
            batching.lastBatchHeight = engine.chainTip().height;
          }
        } catch (e) {
          batching.lastError = e instanceof Error ? e.message : String(e);
          log.error(`contract batch: ${batching.lastError}`);
        }
      });
    });
    let chain: ChainRuntime | undefined;
    let demo: DemoMarketMaker | undefined;
    let custody: BitcoindCustody | undefined;
    const wiring: ServeWiring = {
      exchange: hub.exchange,
      index,
      routes: [...routeModules, products.routes],
      funds: exchange,
      apiKeys,
      notes,
      parts: { engine, exchange, contracts, products },
      status: () => {
        const tip = engine.chainTip();
        return {
          ...(chain ? { chain: chain.status() } : {}),
          engine: {
            seq: engine.lastSeq, height: tip.height, blockHash: tip.hash, stateHash: engine.stateHash(), journal: engine.journalKind, halted: engine.halted?.message ?? null,
            contracts: {
              network, operator: contracts.operatorPubkey, funded: false, funding: fundingNote, pending: contracts.pending().length,
              batches: batching.batches, batchedPositions: batching.positions, lastBatchHeight: batching.lastBatchHeight, lastError: batching.lastError ?? null,
            },
          },
          demo: demo ? { enabled: true, account: demo.account, requotes: demo.requotes, lastQuoteHeight: demo.lastQuoteHeight, quoters: demo.quoterNames } : { enabled: false },
          ...(custody ? { custody: { operatorKey: bytesToHex(custody.operatorKey), confirmations: custody.confirmations, depositsCredited: custody.credited, lastError: custody.lastError ?? null } } : {}),
        };
      },
      start: async (l) => {
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
          const { BitcoindCustody } = await import('../server/custody.js');
          custody = new BitcoindCustody({ rpc: cfg.rpc!, sqlitePath: cfg.db, network: chain.params.name, confirmations: chain.follower.confirmations });
          exchange.attachPayout(custody);
          custody.start(deps.pollMs ?? 1000, (account, sat) => exchange.creditDeposit(account, sat));
          wiring.parts!.custody = custody;
        }
        if (cfg.demo) {
          demo = new DemoMarketMaker(engine, { onError: (e) => log.warn(`demo market maker: ${e instanceof Error ? e.message : String(e)}`) });
          const { forwardQuoter, bdcQuoter, vaultSeeder, DEFAULT_BDC_PARAMS } = await import('../demo/product-quoters.js');
          demo.addQuoter(vaultSeeder());
          // The product models read the shipped mainnet data at the engine's heights: only the replay's heights are mainnet's.
          if (cfg.chain === 'embedded') {
            demo.addQuoter(forwardQuoter(chainData));
            demo.addQuoter(bdcQuoter(chainData, { ...DEFAULT_BDC_PARAMS, paths: bdcModel.paths, seed: bdcModel.seed }));
          } else log.warn('demo: forward and block-delta quotes run in embedded mode only (their models read the shipped mainnet data at the engine height)');
          for (const q of deps.quoters ?? []) demo.addQuoter(q);
          await demo.start();
          wiring.parts!.demo = demo;
        }
      },
      close: async () => {
        await demo?.stop();
        await custody?.stop();
        await chain?.stop();
        offBatch();
        batching.closed = true;
        products.stop();
        await engine.close();
        contracts.close();
        opDb?.close();
        closeKeys();
      },
    };
    return wiring;
  };
}

export const defaultWiring = makeWiring();

export async function startServe(cfg: ServeConfig, wire: (c: ServeConfig) => Promise<ServeWiring> = defaultWiring): Promise<{ app: App; url: string; wiring: ServeWiring; close: () => Promise<void> }> {
  const w = await wire(cfg);
  let app: App | undefined;
  try {
    const { createServer } = await import('../api/server.js');
    app = await createServer({
      exchange: w.exchange,
      index: w.index,
      ...(w.funds !== undefined ? { funds: w.funds } : {}),
      ...(w.apiKeys !== undefined ? { apiKeys: w.apiKeys } : {}),
      ...(w.status !== undefined ? { status: w.status } : {}),
      ...(w.routes !== undefined ? { routes: w.routes } : {}),
      logger: cfg.logLevel === 'silent' ? false : { level: cfg.logLevel },
      requestLogging: cfg.requestLog === true,
      processMetrics: true,
      ...(cfg.staticDir !== undefined ? { staticDir: cfg.staticDir } : {}),
    });
    for (const n of w.notes) app.log.warn(n);
    const url = await app.listen({ port: cfg.port, host: cfg.host });
    const a = app;
    await w.start?.({ info: (m) => a.log.info(m), warn: (m) => a.log.warn(m), error: (m) => a.log.error(m) });
    return {
      app,
      url,
      wiring: w,
      close: async () => {
        await a.close();
        await w.close?.();
      },
    };
  } catch (e) {
    await app?.close();
    await w.close?.();
    throw e;
  }
}

// ---- client commands ----

interface ClientFlags {
  server?: string;
  keyFile?: string;
  json?: boolean;
}

export function credentialsFrom(flags: ClientFlags, env: Env): Credentials | undefined {
  if (flags.keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.keyFile, 'utf8').trim();
    } catch {
      throw new InvalidArgumentError('key-file', `cannot read ${flags.keyFile}`);
    }
    return accountCredentials(text);
  }
  if (env.HASHPERP_SECRET_KEY !== undefined) return accountCredentials(env.HASHPERP_SECRET_KEY.trim());
  if (env.HASHPERP_API_KEY_ID !== undefined && env.HASHPERP_API_KEY_SECRET !== undefined) return apiKeyCredentials(env.HASHPERP_API_KEY_ID, env.HASHPERP_API_KEY_SECRET);
  return undefined;
}

async function clientFor(flags: ClientFlags, env: Env, fetchFn?: typeof fetch): Promise<HashPerpClient> {
  const baseUrl = url('server', flags.server ?? env.HASHPERP_SERVER ?? 'http://127.0.0.1:8080');
  const credentials = credentialsFrom(flags, env);
  const c = new HashPerpClient({ baseUrl, ...(credentials ? { credentials } : {}), ...(fetchFn ? { fetch: fetchFn } : {}) });
  await c.syncClock();
  return c;
}

function optInt(field: string, s: string | undefined): number | undefined {
  return s === undefined ? undefined : intIn(field, s, 1, 1e12);
}

export interface ServeCommandDeps {
  env?: Env;
  fetch?: typeof fetch;
  /** Resolves when `serve` should stop (default: SIGINT/SIGTERM). */
  stopSignal?: () => Promise<void>;
}

export function makeServeCommands(deps: ServeCommandDeps = {}) {
  const env = (): Env => deps.env ?? process.env;
  return (program: Command, io: CliIO): void => {
    program
      .command('serve')
      .description('run the HTTP + WebSocket API (OpenAPI at /openapi.json, docs at /docs, metrics at /metrics)')
      .option('--port <n>', 'TCP port (env PORT; default 8080)')
      .option('--host <host>', 'interface to bind (env HOST; default 127.0.0.1)')
      .option('--db <path>', 'SQLite file for the journal and API keys (env HASHPERP_DB; default data/hashperp.sqlite); DATABASE_URL selects PostgreSQL')
      .option('--chain <source>', 'embedded | bitcoind | esplora (env HASHPERP_CHAIN; default embedded)')
      .option('--rpc <url>', 'bitcoind RPC URL with credentials (env BITCOIND_RPC_URL)')
      .option('--esplora <url>', 'Esplora REST base URL (env ESPLORA_URL)')
      .option('--pace <pace>', 'embedded replay pace: time per block (500ms, 5s) or blocks per minute (env HASHPERP_PACE; default 5s)')
      .option('--confirmations <n>', 'depth before a block settles (env HASHPERP_CONFIRMATIONS; default 0 replay, 1 regtest, 6 mainnet)')
      .option('--request-log', 'log every request at info (env HASHPERP_REQUEST_LOG=1)')
      .option('--no-demo', 'do not run the demo market maker')
      .option('--static <dir>', 'serve a built web app from this directory (default <package>/web/dist when built)')
      .option('--log-level <level>', 'pino level (env LOG_LEVEL; default info)')
      .action(async (flags: ServeFlags) => {
        const cfg = resolveServeConfig(flags, env());
        const s = await startServe(cfg);
        io.err(`hashperp serving on ${s.url} (docs ${s.url}/docs)`);
        await (deps.stopSignal ?? (() => new Promise<void>((res) => {
          process.once('SIGINT', () => res());
          process.once('SIGTERM', () => res());
        })))();
        await s.close();
      });

    const withClient = (c: Command): Command =>
      c.option('--server <url>', 'API base URL (env HASHPERP_SERVER; default http://127.0.0.1:8080)').option('--key-file <path>', 'file holding the account secret key (hex)').option('--json', 'machine-readable output');

    const order = program.command('order').description('place and cancel orders on a HashPerp server');
    withClient(
      order
        .command('place')
        .requiredOption('--market <id>', 'market id, e.g. HPI-PERP')
        .requiredOption('--side <side>', 'buy | sell')
        .option('--type <type>', 'limit | market', 'limit')
        .option('--price <ticks>', 'limit price in ticks (sat/PH/day)')
        .requiredOption('--size <lots>', 'size in lots')
        .option('--tif <tif>', 'GTC | IOC | FOK')
        .option('--post-only', 'refuse to take liquidity')
        .option('--reduce-only', 'only reduce a position')
        .option('--client-order-id <id>', 'idempotency key: a retry with the same id places nothing new'),
    ).action(async (f: ClientFlags & { market: string; side: string; type: string; price?: string; size: string; tif?: string; postOnly?: boolean; reduceOnly?: boolean; clientOrderId?: string }) => {
      if (f.side !== 'buy' && f.side !== 'sell') throw new InvalidArgumentError('side', `expected buy or sell, got ${f.side}`);
      if (f.type !== 'limit' && f.type !== 'market') throw new InvalidArgumentError('type', `expected limit or market, got ${f.type}`);
      if (f.tif !== undefined && f.tif !== 'GTC' && f.tif !== 'IOC' && f.tif !== 'FOK') throw new InvalidArgumentError('tif', `expected GTC, IOC or FOK, got ${f.tif}`);
      const body: PlaceOrderBody = {
        market: f.market,
        side: f.side,
        type: f.type,
        size: optInt('size', f.size)!,
        ...(f.price !== undefined ? { price: optInt('price', f.price)! } : {}),
        ...(f.tif !== undefined ? { timeInForce: f.tif } : {}),
        ...(f.postOnly ? { postOnly: true } : {}),
        ...(f.reduceOnly ? { reduceOnly: true } : {}),
        ...(f.clientOrderId !== undefined ? { clientOrderId: f.clientOrderId } : {}),
      };
      const ack = await (await clientFor(f, env(), deps.fetch)).placeOrder(body);
      io.out(f.json ? toJson(ack) : `order ${ack.orderId} ${ack.status}: filled ${ack.filled}, remaining ${ack.remaining} lots (seq ${ack.seq})`);
    });
    withClient(order.command('cancel').argument('<orderId>')).action(async (orderId: string, f: ClientFlags) => {
      const ack = await (await clientFor(f, env(), deps.fetch)).cancelOrder(orderId);
      io.out(f.json ? toJson(ack) : `order ${ack.orderId} ${ack.status} (seq ${ack.seq})`);
    });

    const account = program.command('account').description('account key, balances and API keys');
    account
      .command('keygen')
      .description('make a new account key (BIP-340); keep the secret, the public key is the account id')
      .option('--json', 'machine-readable output')
      .action((f: { json?: boolean }) => {
        const sk = schnorr.utils.randomSecretKey();
        const out = { account: bytesToHex(schnorr.getPublicKey(sk)), secretKey: bytesToHex(sk) };
        io.out(f.json ? toJson(out) : `account ${out.account}\nsecret  ${out.secretKey}`);
      });
    withClient(account.command('show').description('balances, positions and open orders')).action(async (f: ClientFlags) => {
      const a = await (await clientFor(f, env(), deps.fetch)).account();
      if (f.json) return io.out(toJson(a));
      io.out(`account ${a.account}\nbalance ${a.balanceMsat} msat (available ${a.availableMsat})`);
      for (const p of a.positions) io.out(`position ${p.market} ${p.size} lots @ ${p.entryPrice}`);
      for (const o of a.orders) io.out(`order ${o.orderId} ${o.market} ${o.side} ${o.remaining}/${o.size} @ ${o.price}`);
    });
    withClient(account.command('faucet').description('test funds from a server in embedded mode').requiredOption('--amount <sat>', 'satoshis to credit')).action(
      async (f: ClientFlags & { amount: string }) => {
        const ack = await (await clientFor(f, env(), deps.fetch)).faucet(optInt('amount', f.amount)!);
        io.out(f.json ? toJson(ack) : `credited ${ack.amountSat} sat (seq ${ack.seq}); balance ${ack.balanceMsat} msat`);
      },
    );
    withClient(
      account.command('withdraw').description('withdraw from the free balance to a Bitcoin address').requiredOption('--amount <sat>', 'satoshis').requiredOption('--address <addr>', 'destination address'),
    ).action(async (f: ClientFlags & { amount: string; address: string }) => {
      const ack = await (await clientFor(f, env(), deps.fetch)).withdraw(optInt('amount', f.amount)!, f.address);
      io.out(f.json ? toJson(ack) : `withdrew ${ack.amountSat} sat (seq ${ack.seq}); ${ack.txid ? `txid ${ack.txid}` : (ack.note ?? 'no on-chain payout')}`);
    });
    const keys = account.command('api-key').description('API keys (HMAC) the account key authorises');
    withClient(keys.command('create').option('--scopes <list>', 'comma-separated: trade,read', 'trade,read').option('--label <text>', 'a name for the key')).action(
      async (f: ClientFlags & { scopes: string; label?: string }) => {
        const scopes = f.scopes.split(',').map((s) => s.trim());
        for (const s of scopes) if (s !== 'trade' && s !== 'read') throw new InvalidArgumentError('scopes', `unknown scope ${s}`);
        const k = await (await clientFor(f, env(), deps.fetch)).createApiKey({ scopes: scopes as ('trade' | 'read')[], ...(f.label !== undefined ? { label: f.label } : {}) });
        io.out(f.json ? toJson(k) : `key ${k.keyId} (${k.scopes.join(',')})\nsecret ${k.secret}\nexport HASHPERP_API_KEY_ID=${k.keyId} HASHPERP_API_KEY_SECRET=${k.secret}`);
      },
    );
    withClient(keys.command('list')).action(async (f: ClientFlags) => {
      const list = await (await clientFor(f, env(), deps.fetch)).listApiKeys();
      io.out(f.json ? toJson(list) : list.map((k) => `${k.keyId} ${k.scopes.join(',')} ${k.label}`).join('\n') || 'no API keys');
    });
    withClient(keys.command('revoke').argument('<keyId>')).action(async (keyId: string, f: ClientFlags) => {
      await (await clientFor(f, env(), deps.fetch)).revokeApiKey(keyId);
      io.out(f.json ? toJson({ revoked: keyId }) : `revoked ${keyId}`);
    });
  };
}

export const registerServeCommands = makeServeCommands();
