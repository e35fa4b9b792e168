/**
 * The server's configuration: flags win over the environment, the environment over defaults, and
 * everything is validated here, once, so the rest of the server reads a checked ServeConfig.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../chain/embedded.js';
import { accountId } from '../units/checks.js';
import { assertSafeInteger, InvalidArgumentError } from '../units/errors.js';

export type Env = Record<string, string | undefined>;

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
  /**
   * Demo takers beside the demo maker (seeded IOC flow on the perp, forwards and block-delta series). Resolved
   * from flags/env: on whenever the demo is (env HASHPERP_DEMO_TAKERS=0 turns them off alone). Absent: off, so a
   * config built in code (tests, embedding) keeps the maker's book undisturbed unless it asks for them.
   */
  demoTakers?: boolean;
  staticDir?: string;
  logLevel: string;
  /** Log every request at info (default off: only errors and warnings). */
  requestLog?: boolean;
  /** Blocks a block must be buried under before it settles (default: 0 replay, 1 regtest, 6 mainnet). */
  confirmations?: number;
  /** Journal + sequencer on a worker thread (default true; false runs them on the server's thread). */
  engineThread?: boolean;
  /** The operator's secret key S for block-delta contract VTXOs (env HASHPERP_OPERATOR_KEY, 64 hex); default: generated once and kept sealed in the SQLite file. */
  operatorKey?: string;
  /** Passphrase sealing the operator keys in the SQLite file (env HASHPERP_OPERATOR_PASSPHRASE). */
  operatorPassphrase?: string;
  /** File holding that passphrase (--operator-key-file / HASHPERP_OPERATOR_KEY_FILE); neither: `<db dir>/operator.passphrase`, generated. */
  operatorKeyFile?: string;
  /** Account ids (x-only pubkeys) that may list block-delta series besides the demo and S (env HASHPERP_OPERATOR_ACCOUNTS, comma-separated). */
  operatorAccounts?: string[];
  /** Faucet: calls per client IP before it refills at one per 12 s (env HASHPERP_FAUCET_IP_CALLS, default 5). */
  faucetIpCalls?: number;
  /** Faucet: sat given per block over all accounts (env HASHPERP_FAUCET_BLOCK_SAT, default 100,000,000). */
  faucetBlockSat?: number;
  /** Embedded mode: seconds between blocks of the Ark operator's demo ledger (env HASHPERP_EMBEDDED_BLOCK_SECONDS, default 10; 0: only the faucet mines). */
  embeddedBlockSeconds?: number;
  /** Keep the operator's liquidity L in VTXOs (settle its boarding outputs, renew before expiry). Default: on with bitcoind, off in the embedded demo. */
  liquidityKeeper?: boolean;
  /**
   * --chain bitcoind: the per-account on-chain deposit addresses and on-chain withdrawals of custody.ts
   * (env HASHPERP_CUSTODIAL_DEPOSITS=1, --custodial-deposits; default off). They are custodial: the
   * operator's key spends every deposit by key path. Off, money moves through Ark
   * (GET /v1/ark/funding, POST /v1/withdrawals/ark), where users hold their own keys.
   */
  custodialDeposits?: boolean;
}

export interface ServeFlags {
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
  operatorKeyFile?: string;
  custodialDeposits?: boolean;
}

export function intIn(field: string, s: string, min: number, max: number): number {
  if (!/^\d+$/.test(s.trim())) throw new InvalidArgumentError(field, `expected an integer, got ${JSON.stringify(s)}`);
  return assertSafeInteger(field, Number(s), min, max);
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

export function httpUrl(field: string, s: string): string {
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
  for (const a of operatorAccounts ?? []) accountId('HASHPERP_OPERATOR_ACCOUNTS', a);
  return {
    port: intIn('port', flags.port ?? env.PORT ?? '8080', 0, 65535),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    db: flags.db ?? env.HASHPERP_DB ?? DEFAULT_DB,
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
    chain,
    ...(rpcRaw !== undefined ? { rpc: httpUrl('rpc', rpcRaw) } : {}),
    ...(esploraRaw !== undefined ? { esplora: httpUrl('esplora', esploraRaw) } : {}),
    paceMs: parsePace(flags.pace ?? env.HASHPERP_PACE ?? '5s'),
    demo: flags.demo ?? env.HASHPERP_DEMO !== '0',
    ...((flags.demo ?? env.HASHPERP_DEMO !== '0') && env.HASHPERP_DEMO_TAKERS !== '0' ? { demoTakers: true } : {}),
    ...(staticDir !== undefined ? { staticDir } : {}),
    logLevel,
    ...(flags.requestLog || env.HASHPERP_REQUEST_LOG === '1' ? { requestLog: true } : {}),
    ...(confRaw !== undefined ? { confirmations: intIn('confirmations', confRaw, 0, 100) } : {}),
    ...(operatorKey !== undefined ? { operatorKey } : {}),
    ...(env.HASHPERP_OPERATOR_PASSPHRASE ? { operatorPassphrase: env.HASHPERP_OPERATOR_PASSPHRASE } : {}),
    ...((flags.operatorKeyFile ?? env.HASHPERP_OPERATOR_KEY_FILE) ? { operatorKeyFile: flags.operatorKeyFile ?? env.HASHPERP_OPERATOR_KEY_FILE } : {}),
    ...(operatorAccounts !== undefined && operatorAccounts.length > 0 ? { operatorAccounts } : {}),
    ...(env.HASHPERP_FAUCET_IP_CALLS !== undefined ? { faucetIpCalls: intIn('HASHPERP_FAUCET_IP_CALLS', env.HASHPERP_FAUCET_IP_CALLS, 1, 1_000_000) } : {}),
    ...(env.HASHPERP_FAUCET_BLOCK_SAT !== undefined ? { faucetBlockSat: intIn('HASHPERP_FAUCET_BLOCK_SAT', env.HASHPERP_FAUCET_BLOCK_SAT, 1, 2_100_000_000_000_000) } : {}),
    ...(flags.custodialDeposits || env.HASHPERP_CUSTODIAL_DEPOSITS === '1' ? { custodialDeposits: true } : {}),
    ...(env.HASHPERP_EMBEDDED_BLOCK_SECONDS !== undefined ? { embeddedBlockSeconds: intIn('HASHPERP_EMBEDDED_BLOCK_SECONDS', env.HASHPERP_EMBEDDED_BLOCK_SECONDS, 0, 86_400) } : {}),
  };
}

/** The built web app (<packageRoot>/web/dist) when it exists. */
function defaultStaticDir(): string | undefined {
  const dir = join(packageRoot(), 'web', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
