/**
 * `hashperp serve`: parses the flags and runs the composition root (src/server) until SIGINT/SIGTERM.
 *   hashperp serve [--port N] [--host H] [--db PATH] [--chain embedded|bitcoind|esplora] [--rpc URL]
 *                  [--esplora URL] [--pace N] [--no-demo] [--static DIR] [--operator-key-file PATH] [--log-level L]
 * The server's modules load only when `serve` runs: other commands should not pay for its imports.
 */
import type { Command } from 'commander';
import type { Env, ServeFlags } from '../server/config.js';
import type { CliIO } from './output.js';

export interface ServeCommandDeps {
  env?: Env;
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
      .option('--no-demo', 'do not run the demo (market maker and takers; HASHPERP_DEMO_TAKERS=0 keeps the maker alone)')
      .option('--static <dir>', 'serve a built web app from this directory (default <package>/web/dist when built)')
      .option('--operator-key-file <path>', 'file holding the passphrase that seals the operator keys (env HASHPERP_OPERATOR_KEY_FILE, or HASHPERP_OPERATOR_PASSPHRASE; default <db dir>/operator.passphrase, generated)')
      .option('--custodial-deposits', 'with --chain bitcoind: per-account on-chain deposit addresses and on-chain withdrawals, CUSTODIAL (the operator key spends deposits; env HASHPERP_CUSTODIAL_DEPOSITS=1; default off: fund and withdraw through Ark)')
      .option('--log-level <level>', 'pino level (env LOG_LEVEL; default info)')
      .action(async (flags: ServeFlags) => {
        const [{ resolveServeConfig }, { startServe }] = await Promise.all([import('../server/config.js'), import('../server/start.js')]);
        const cfg = resolveServeConfig(flags, env());
        const s = await startServe(cfg);
        io.err(`hashperp serving on ${s.url} (docs ${s.url}/docs)`);
        await (deps.stopSignal ?? (() => new Promise<void>((res) => {
          process.once('SIGINT', () => res());
          process.once('SIGTERM', () => res());
        })))();
        await s.close();
      });
  };
}

export const registerServeCommands = makeServeCommands();
