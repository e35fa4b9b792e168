/**
 * API keys persisted in the server's SQLite file (table `api_keys`, next to the journal's tables),
 * so keys survive a restart. Reads come from an in-memory copy (the signed-request hot path does a
 * lookup per request); every create/revoke writes through before it returns.
 */
import Database from 'better-sqlite3';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import type { ApiKeyScope } from '../schemas.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-keys.js';

interface Row {
  key_id: string;
  account: string;
  label: string;
  scopes: string;
  secret: string;
  created_ms: number;
}

export class SqliteApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, ApiKeyRecord>();
  private readonly insert: Database.Statement<[string, string, string, string, string, number]>;
  private readonly remove: Database.Statement<[string]>;

  private constructor(private readonly db: Database.Database) {
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
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    return new SqliteApiKeyStore(db);
  }

  create(account: string, label: string, scopes: ApiKeyScope[], nowMs: number): ApiKeyRecord {
    const rec: ApiKeyRecord = { keyId: bytesToHex(randomBytes(16)), secret: bytesToHex(randomBytes(32)), account, label, scopes: [...scopes], createdMs: nowMs };
    this.insert.run(rec.keyId, account, label, JSON.stringify(rec.scopes), rec.secret, nowMs);
    this.keys.set(rec.keyId, rec);
    return rec;
  }

  get(keyId: string): ApiKeyRecord | undefined {
    return this.keys.get(keyId);
  }

  list(account: string): ApiKeyRecord[] {
    return [...this.keys.values()].filter((k) => k.account === account);
  }

  revoke(account: string, keyId: string): boolean {
    const k = this.keys.get(keyId);
    if (k === undefined || k.account !== account) return false;
    this.remove.run(keyId);
    this.keys.delete(keyId);
    return true;
  }

  close(): void {
    this.db.close();
  }
}
