/**
 * CLI for the engine's journal:
 *   hashperp engine replay (--db PATH | --database-url URL [--schema NAME]) [--from-genesis] [--json]
 * Rebuilds the state from the latest snapshot + the journal (or from genesis) and prints the number
 * of commands and the state hash; the same journal always gives the same hash.
 */
import type { Command } from 'commander';
import { exchangeFactory } from '../engine/index.js';
import type { StateMachineFactory } from '../engine/state-machine.js';
import { openJournal } from '../journal/open-journal.js';
import { replay } from '../journal/replay.js';
import { InvalidArgumentError } from '../units/errors.js';
import { toJson, type CliIO } from './output.js';
import type { Registrar } from './registrar.js';

interface ReplayOpts {
  db?: string;
  databaseUrl?: string;
  schema?: string;
  fromGenesis?: boolean;
  json?: boolean;
}

/** The registrar for a given state machine (the CLI uses the exchange; tests may pass another). */
export function engineCommands<C, E>(factory: StateMachineFactory<C, E>): Registrar {
  return (program: Command, io: CliIO) => {
    const engine = program.command('engine').description('the deterministic engine and its journal');
    engine
      .command('replay')
      .description('rebuild the engine state from snapshot + journal and print the command count and state hash')
      .option('--db <path>', 'SQLite journal file')
      .option('--database-url <url>', 'PostgreSQL journal (default: $DATABASE_URL when --db is not given)')
      .option('--schema <name>', 'PostgreSQL schema holding the journal', 'public')
      .option('--from-genesis', 'ignore snapshots and apply every command from seq 1')
      .option('--json', 'machine-readable output')
      .action(async (opts: ReplayOpts) => {
        if (opts.db !== undefined && opts.databaseUrl !== undefined) throw new InvalidArgumentError('db', 'give either --db or --database-url, not both');
        const databaseUrl = opts.databaseUrl ?? (opts.db === undefined ? process.env.DATABASE_URL : undefined);
        if (opts.db === undefined && !databaseUrl) throw new InvalidArgumentError('db', 'give --db PATH (SQLite) or --database-url URL (PostgreSQL)');
        if (opts.db !== undefined && opts.db.trim() === '') throw new InvalidArgumentError('db', 'empty path');
        const journal = await openJournal({ sqlitePath: opts.db, databaseUrl, schema: opts.schema, mustExist: true });
        try {
          const started = performance.now();
          const r = await replay(journal, factory, { useSnapshot: !opts.fromGenesis });
          const stateHash = r.machine.stateHash();
          const seconds = (performance.now() - started) / 1000;
          if (opts.json) {
            io.out(toJson({ commands: r.lastSeq, stateHash, snapshotSeq: r.snapshotSeq, replayed: r.replayed, backend: journal.kind }));
          } else {
            const from = r.snapshotSeq > 0 ? `snapshot at seq ${r.snapshotSeq} + ${r.replayed} journaled` : `${r.replayed} journaled from genesis`;
            io.out(`${r.lastSeq} commands (${from}) replayed in ${seconds.toFixed(2)} s`);
            io.out(`state hash ${stateHash}`);
          }
        } finally {
          await journal.close();
        }
      });
  };
}

export const registerEngineCommands: Registrar = engineCommands(exchangeFactory);
