/**
 * Accepted request nonces in the server's SQLite file (table `api_nonces`), so a signed request
 * accepted before a restart is refused after it (NonceStore loads the live rows at start).
 *
 * Each accepted nonce is inserted synchronously, before the request's handler runs. The connection
 * uses synchronous=NORMAL: the row survives a crash of the process at once, and a power loss once the
 * WAL is next synced. The journal shares this file and WAL and fsyncs every command it journals, and
 * a command authorised by this nonce is journaled after the row was written, so the nonce is on disk
 * no later than the command it authorised (a read-only request journals nothing).
 */
import type Database from 'better-sqlite3';
import type { NonceLog } from './nonce-store.js';
import { openSideConnection } from '../../journal/sqlite-side-connection.js';

export class SqliteNonceLog implements NonceLog {
  private readonly insert: Database.Statement<[string, number]>;
  private readonly remove: Database.Statement<[number]>;
  private readonly select: Database.Statement<[number]>;

  private constructor(private readonly db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS api_nonces (key TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL)');
    db.exec('CREATE INDEX IF NOT EXISTS api_nonces_expires ON api_nonces (expires_ms)');
    this.insert = db.prepare('INSERT OR REPLACE INTO api_nonces (key, expires_ms) VALUES (?, ?)');
    this.remove = db.prepare('DELETE FROM api_nonces WHERE expires_ms <= ?');
    this.select = db.prepare('SELECT key, expires_ms FROM api_nonces WHERE expires_ms > ? ORDER BY expires_ms');
  }

  /** Opens (creating the table if needed) in the given SQLite file; a connection of its own beside the journal's. */
  static open(path: string): SqliteNonceLog {
    return new SqliteNonceLog(openSideConnection(path, { synchronous: 'NORMAL' }));
  }

  live(nowMs: number): [string, number][] {
    return (this.select.all(nowMs) as { key: string; expires_ms: number }[]).map((r) => [r.key, r.expires_ms]);
  }

  add(key: string, expiresMs: number): void {
    this.insert.run(key, expiresMs);
  }

  prune(nowMs: number): void {
    this.remove.run(nowMs);
  }

  close(): void {
    this.db.close();
  }
}
