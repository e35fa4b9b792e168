/**
 * The operator's own small facts (today: the contract key S) in the `op_meta` table of the server's
 * SQLite file, beside the journal. The open connection is shared with the contract store, whose
 * `op_` tables live in the same file.
 */
import type Database from 'better-sqlite3';
import { openSideConnection } from '../api/auth/sqlite-open.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export class OperatorMetaStore {
  private constructor(readonly db: Database.Database) {}

  static open(path: string): OperatorMetaStore {
    const db = openSideConnection(path);
    db.exec('CREATE TABLE IF NOT EXISTS op_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    return new OperatorMetaStore(db);
  }

  /** The contract key S (hex): generated once and kept, because a restart must sign with the same S its contracts name. */
  operatorSecret(): string {
    const row = this.db.prepare("SELECT value FROM op_meta WHERE key = 'operator_secret'").get() as { value: string } | undefined;
    const secret = row?.value ?? bytesToHex(schnorr.utils.randomSecretKey());
    if (row === undefined) this.db.prepare("INSERT INTO op_meta (key, value) VALUES ('operator_secret', ?)").run(secret);
    return secret;
  }

  close(): void {
    this.db.close();
  }
}
