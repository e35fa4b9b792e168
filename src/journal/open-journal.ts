import type { Journal } from './journal.js';
import { JournalError } from './journal.js';
import { PgJournal } from './pg-journal.js';
import { SqliteJournal } from './sqlite-journal.js';

export interface JournalLocation {
  /** PostgreSQL connection string; takes precedence over `sqlitePath`. */
  databaseUrl?: string;
  /** SQLite file (the embedded default). */
  sqlitePath?: string;
  /** PostgreSQL schema (default `public`). */
  schema?: string;
  /** Refuse to create: for replay and inspection of an existing journal. */
  mustExist?: boolean;
  /** SQLite: commit (and fsync) on the journal's writer thread, pipelined (SqliteJournal.openThreaded). */
  writerThread?: boolean;
}

/** Opens the configured backend: PostgreSQL when a URL is given, else SQLite. */
export async function openJournal(loc: JournalLocation): Promise<Journal> {
  if (loc.databaseUrl) return PgJournal.open(loc.databaseUrl, { schema: loc.schema, mustExist: loc.mustExist });
  if (loc.sqlitePath) {
    const opts = { mustExist: loc.mustExist };
    return loc.writerThread && loc.sqlitePath !== ':memory:' ? SqliteJournal.openThreaded(loc.sqlitePath, opts) : SqliteJournal.open(loc.sqlitePath, opts);
  }
  throw new JournalError('journal_unavailable', 'db: give a SQLite path (--db) or a PostgreSQL URL (--database-url / DATABASE_URL)');
}

/** The deployment rule: DATABASE_URL selects PostgreSQL, otherwise the embedded SQLite file. */
export function journalLocationFromEnv(env: NodeJS.ProcessEnv, defaultSqlitePath: string): JournalLocation {
  const url = env.DATABASE_URL?.trim();
  return url ? { databaseUrl: url } : { sqlitePath: env.HASHPERP_DB?.trim() || defaultSqlitePath };
}
