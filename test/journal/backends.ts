import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Journal } from '../../src/journal/journal.js';
import { PgJournal } from '../../src/journal/pg-journal.js';
import { DEFAULT_SQLITE_DRIVER, openSqlite, type SqliteDriver } from '../../src/journal/sqlite-driver.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';

/** A backend under test: `open` (re)opens the same store, `raw` runs SQL on it directly (to tamper). */
export interface BackendFixture {
  name: 'sqlite' | 'postgres';
  open(): Promise<Journal>;
  raw(sql: string): Promise<void>;
  /** Qualified table name for `raw`. */
  table(name: 'journal' | 'snapshots'): string;
  cleanup(): Promise<void>;
}

export const pgUrl = process.env.TEST_DATABASE_URL;
export const pgSkipReason = pgUrl ? undefined : 'TEST_DATABASE_URL is not set (.ci/run sets it): PostgreSQL half of the journal suite skipped';

let counter = 0;

/**
 * `threaded`: commits on the journal's writer thread (SqliteJournal.openThreaded, `pipelined`);
 * `driver`: the SQLite binding (default the journal's), also used by `raw`.
 */
export function sqliteFixture(opts: { threaded?: boolean; driver?: SqliteDriver } = {}): BackendFixture {
  const dir = mkdtempSync(join(tmpdir(), 'hp-journal-'));
  const path = join(dir, 'journal.db');
  return {
    name: 'sqlite',
    open: async () => (opts.threaded ? SqliteJournal.openThreaded(path, { driver: opts.driver }) : SqliteJournal.open(path, { driver: opts.driver })),
    raw: async (sql) => {
      const db = openSqlite(opts.driver ?? DEFAULT_SQLITE_DRIVER, path);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    table: (n) => n,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh schema per fixture (pid + counter + random), dropped afterwards, so runs never collide. */
export function pgFixture(url: string): BackendFixture {
  const schema = `hp_jt_${process.pid}_${++counter}_${Math.floor(Math.random() * 1e9)}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  return {
    name: 'postgres',
    open: () => PgJournal.open(url, { schema }),
    raw: run,
    table: (n) => `${schema}.${n}`,
    cleanup: () => run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}
