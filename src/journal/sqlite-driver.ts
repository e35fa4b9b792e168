import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import type * as NodeSqlite from 'node:sqlite';

/**
 * The SQLite binding under the journal (docs/sqlite-binding.md): `better-sqlite3` (the default) or
 * Node's built-in `node:sqlite` (DatabaseSync). Both are synchronous and expose the same statement
 * calls (prepare → run/get/all/iterate, exec, close), so the seam is only how a connection is
 * opened plus an IMMEDIATE transaction written once for both (node:sqlite has no transaction
 * helper). Each binding is loaded on first use: choosing one never loads the other (on Node 22
 * node:sqlite prints an ExperimentalWarning when loaded).
 *
 * Two bindings must not share one file inside one process: each carries its own copy of SQLite,
 * and POSIX locks of one copy are dropped when the other closes a descriptor on the same file
 * (sqlite.org/howtocorrupt.html §2.2). A process therefore picks one binding for everything.
 */
export type SqliteDriver = 'better-sqlite3' | 'node-sqlite';
export const SQLITE_DRIVERS: readonly SqliteDriver[] = ['better-sqlite3', 'node-sqlite'];
export const DEFAULT_SQLITE_DRIVER: SqliteDriver = 'better-sqlite3';

export type SqlValue = null | number | bigint | string | Uint8Array;

/** A prepared statement with positional parameters P, returning rows R (BLOBs as Uint8Array; Buffer with better-sqlite3). */
export interface SqlStatement<P extends SqlValue[] = [], R = unknown> {
  run(...params: P): unknown;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  /** Steps the statement row by row; `return()` finishes it early. */
  iterate(...params: P): IterableIterator<R>;
}

export interface SqlConnection {
  readonly driver: SqliteDriver;
  /** Runs one or more statements, results discarded (PRAGMAs included). */
  exec(sql: string): void;
  prepare<P extends SqlValue[] = [], R = unknown>(sql: string): SqlStatement<P, R>;
  /** Runs f inside BEGIN IMMEDIATE … COMMIT; if f or the commit throws, rolls back and rethrows. */
  immediate<T>(f: () => T): T;
  close(): void;
}

export interface SqlOpenOptions {
  /** Fail instead of creating the file. */
  fileMustExist?: boolean;
  readonly?: boolean;
}

/** What both bindings' database objects have in common. */
interface NativeDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): unknown;
  close(): unknown;
}

const require = createRequire(import.meta.url);

export function isSqliteDriver(x: unknown): x is SqliteDriver {
  return SQLITE_DRIVERS.includes(x as SqliteDriver);
}

/** Opens `path` (or ':memory:') with the given binding. */
export function openSqlite(driver: SqliteDriver, path: string, opts: SqlOpenOptions = {}): SqlConnection {
  if (driver === 'better-sqlite3') {
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    return new Connection(driver, new Database(path, { fileMustExist: opts.fileMustExist === true, readonly: opts.readonly === true }));
  }
  if (driver === 'node-sqlite') {
    const { DatabaseSync } = require('node:sqlite') as typeof NodeSqlite;
    return new Connection(driver, new DatabaseSync(nodeSqliteLocation(path, opts), { readOnly: opts.readonly === true }));
  }
  throw new Error(`unknown SQLite driver ${String(driver)} (expected ${SQLITE_DRIVERS.join(' or ')})`);
}

/**
 * node:sqlite has no fileMustExist: a `file:` URI with mode=rw opens read-write without creating
 * (SQLite's own open flags, as better-sqlite3 does), with no window between a check and the open.
 */
export function nodeSqliteLocation(path: string, opts: SqlOpenOptions): string {
  if (!opts.fileMustExist || opts.readonly || path === ':memory:') return path;
  return `${pathToFileURL(resolve(path)).href}?mode=rw`;
}

class Connection implements SqlConnection {
  private readonly begin: SqlStatement;
  private readonly commit: SqlStatement;
  private readonly rollback: SqlStatement;

  constructor(readonly driver: SqliteDriver, private readonly db: NativeDatabase) {
    this.begin = this.prepare('BEGIN IMMEDIATE');
    this.commit = this.prepare('COMMIT');
    this.rollback = this.prepare('ROLLBACK');
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  prepare<P extends SqlValue[] = [], R = unknown>(sql: string): SqlStatement<P, R> {
    // Both bindings' statements have run/get/all/iterate with positional parameters.
    return this.db.prepare(sql) as SqlStatement<P, R>;
  }

  immediate<T>(f: () => T): T {
    this.begin.run();
    try {
      const r = f();
      this.commit.run();
      return r;
    } catch (e) {
      try {
        this.rollback.run();
      } catch {
        // No transaction left to roll back (SQLite already ended it): the first error is the one to report.
      }
      throw e;
    }
  }

  close(): void {
    this.db.close();
  }
}
