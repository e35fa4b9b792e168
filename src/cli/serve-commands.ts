/**
 * CLI for the server and its client:
 *   hashperp serve [--port N] [--host H] [--db PATH] [--chain embedded|bitcoind|esplora] [--rpc URL]
 *                  [--esplora URL] [--pace N] [--no-demo] [--static DIR] [--log-level L]
 *   hashperp order place --market M --side buy|sell [--type limit|market] [--price TICKS] --size LOTS
 *                  [--tif GTC|IOC|FOK] [--post-only] [--reduce-only] [--client-order-id ID]
 *   hashperp order cancel <orderId>
 *   hashperp account show | keygen | api-key create|list|revoke
 * Client commands take --server URL (env HASHPERP_SERVER) and credentials from --key-file, or env
 * HASHPERP_SECRET_KEY (account key, hex), or HASHPERP_API_KEY_ID + HASHPERP_API_KEY_SECRET.
 */
import { readFileSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Command } from 'commander';
import { accountCredentials, apiKeyCredentials, HashPerpClient, type Credentials, type PlaceOrderBody } from '../api/client.js';
import type { ExchangePort, IndexPort } from '../api/ports.js';
import type { App } from '../api/server.js';
import { unavailableExchange } from '../api/unavailable-exchange.js';
import { InvalidArgumentError } from '../units/errors.js';
import { toJson, type CliIO } from './output.js';

type Env = Record<string, string | undefined>;

export interface ServeConfig {
  port: number;
  host: string;
  /** SQLite journal path (embedded default) unless databaseUrl is set. */
  db: string;
  databaseUrl?: string;
  chain: 'embedded' | 'bitcoind' | 'esplora';
  rpc?: string;
  esplora?: string;
  /** Replay pace for the embedded chain, blocks per minute (0 = as fast as possible). */
  pace: number;
  demo: boolean;
  staticDir?: string;
  logLevel: string;
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
}

function intIn(field: string, s: string, min: number, max: number): number {
  if (!/^\d+$/.test(s.trim())) throw new InvalidArgumentError(field, `expected an integer, got ${JSON.stringify(s)}`);
  const v = Number(s);
  if (v < min || v > max) throw new InvalidArgumentError(field, `must be between ${min} and ${max}, got ${v}`);
  return v;
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
  return {
    port: intIn('port', flags.port ?? env.PORT ?? '8080', 0, 65535),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    db: flags.db ?? env.HASHPERP_DB ?? 'hashperp.db',
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
    chain,
    ...(rpcRaw !== undefined ? { rpc: url('rpc', rpcRaw) } : {}),
    ...(esploraRaw !== undefined ? { esplora: url('esplora', esploraRaw) } : {}),
    pace: intIn('pace', flags.pace ?? env.HASHPERP_PACE ?? '10', 0, 1_000_000),
    demo: flags.demo ?? env.HASHPERP_DEMO !== '0',
    ...((flags.static ?? env.HASHPERP_STATIC) !== undefined ? { staticDir: flags.static ?? env.HASHPERP_STATIC } : {}),
    logLevel,
  };
}

export interface ServeWiring {
  exchange: ExchangePort;
  index: IndexPort;
  /** What is not wired yet, logged at startup so nobody mistakes a gap for a feature. */
  notes: string[];
  close?: () => Promise<void>;
}

/**
 * Builds the ports for a config. The lead extends this as modules land: the engine + journal
 * (cfg.db / cfg.databaseUrl), bitcoind/Esplora followers, replay pacing, the demo market maker.
 */
export async function defaultWiring(cfg: ServeConfig): Promise<ServeWiring> {
  const notes: string[] = ['exchange engine not wired: trading routes answer 503 exchange_unavailable'];
  if (cfg.chain !== 'embedded') notes.push(`--chain ${cfg.chain}: live follower not wired; serving the embedded mainnet index`);
  notes.push('replay pacing (--pace), demo market maker (--demo) and the journal (--db / DATABASE_URL) are not wired yet');
  // Loaded on demand: other CLI commands should not pay for the server's imports.
  const [{ loadEmbeddedChain }, { ChainIndexPort }] = await Promise.all([import('../chain/embedded.js'), import('../api/adapters/chain-index.js')]);
  return { exchange: unavailableExchange, index: new ChainIndexPort(loadEmbeddedChain()), notes };
}

export async function startServe(cfg: ServeConfig, wire: (c: ServeConfig) => Promise<ServeWiring> = defaultWiring): Promise<{ app: App; url: string; close: () => Promise<void> }> {
  const w = await wire(cfg);
  const { createServer } = await import('../api/server.js');
  const app = await createServer({
    exchange: w.exchange,
    index: w.index,
    logger: cfg.logLevel === 'silent' ? false : { level: cfg.logLevel },
    processMetrics: true,
    ...(cfg.staticDir !== undefined ? { staticDir: cfg.staticDir } : {}),
  });
  for (const n of w.notes) app.log.warn(n);
  const url = await app.listen({ port: cfg.port, host: cfg.host });
  return {
    app,
    url,
    close: async () => {
      await app.close();
      await w.close?.();
    },
  };
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
      .option('--db <path>', 'SQLite journal file (env HASHPERP_DB; default hashperp.db); DATABASE_URL selects PostgreSQL')
      .option('--chain <source>', 'embedded | bitcoind | esplora (env HASHPERP_CHAIN; default embedded)')
      .option('--rpc <url>', 'bitcoind RPC URL with credentials (env BITCOIND_RPC_URL)')
      .option('--esplora <url>', 'Esplora REST base URL (env ESPLORA_URL)')
      .option('--pace <blocksPerMin>', 'embedded replay pace, blocks per minute, 0 = no delay (env HASHPERP_PACE; default 10)')
      .option('--no-demo', 'do not run the demo market maker')
      .option('--static <dir>', 'serve a built web app from this directory')
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
