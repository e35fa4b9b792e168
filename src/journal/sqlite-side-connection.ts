/** A connection of its own to the server's SQLite file (beside the journal's): WAL, waits on a busy writer. */
import Database from 'better-sqlite3';

export function openSideConnection(path: string, opts: { synchronous?: 'NORMAL' | 'FULL' } = {}): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  if (opts.synchronous !== undefined) db.pragma(`synchronous = ${opts.synchronous}`);
  db.pragma('busy_timeout = 5000');
  return db;
}
