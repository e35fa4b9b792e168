/**
 * API keys persisted in the server's SQLite file (table `api_keys`, next to the journal's tables),
 * so keys survive a restart. Reads come from an in-memory copy (the signed-request hot path does a
 * lookup per request); every create/revoke writes through before it returns.
 */
import type Database from 'better-sqlite3';
import type { ApiKeyScope } from '../schemas.js';
import { MemoryApiKeyStore, type ApiKeyRecord } from './api-keys.js';
import { openSideConnection } from '../../journal/sqlite-side-connection.js';

interface Row {
  key_id: string;
  account: string;
  label: string;
  scopes: string;
  secret: string;
  created_ms: number;
}

export class SqliteApiKeyStore extends MemoryApiKeyStore {
  private readonly insert: Database.Statement<[string, string, string, string, string, number]>;
  private readonly remove: Database.Statement<[string]>;

  private constructor(private readonly db: Database.Database) {
    super();
    db.exec(`CREATE TABLE IF NOT EXISTS api_keys (
      key_id TEXT PRIMARY KEY, account TEXT NOT NULL, label TEXT NOT NULL, scopes TEXT NOT NULL,
      secret TEXT NOT NULL, created_ms INTEGER NOT NULL)`);
    this.insert = db.prepare('INSERT INTO api_keys (key_id, account, label, scopes, secret, created_ms) VALUES (?, ?, ?, ?, ?, ?)');
    this.remove = db.prepare('DELETE FROM api_keys WHERE key_id = ?');
    for (const r of db.prepare('SELECT key_id, account, label, scopes, secret, created_ms FROM api_keys').all() as Row[]) {
      this.keys.set(r.key_id, { keyId: r.key_id, account: r.account, label: r.label, scopes: JSON.parse(r.scopes) as ApiKeyScope[], secret: r.secret, createdMs: r.created_ms });
    }
  }

  /** Opens (creating the table if needed) in the given SQLite file; a second connection beside the journal's. */
  static open(path: string): SqliteApiKeyStore {
    return new SqliteApiKeyStore(openSideConnection(path));
  }

  protected override saved(rec: ApiKeyRecord): void {
    this.insert.run(rec.keyId, rec.account, rec.label, JSON.stringify(rec.scopes), rec.secret, rec.createdMs);
  }

  protected override removed(keyId: string): void {
    this.remove.run(keyId);
  }

  close(): void {
    this.db.close();
  }
}
