/**
 * The operator's connection to the server's SQLite file for the contract store, whose `op_` tables
 * live in the same file as the journal. (The key S is no longer here: it is sealed in
 * operator-keys.ts; a plaintext `op_meta` row from older databases is sealed and deleted there.)
 */
import type Database from 'better-sqlite3';
import { openSideConnection } from '../journal/sqlite-side-connection.js';

export class OperatorMetaStore {
  private constructor(readonly db: Database.Database) {}

  static open(path: string): OperatorMetaStore {
    return new OperatorMetaStore(openSideConnection(path));
  }

  close(): void {
    this.db.close();
  }
}
