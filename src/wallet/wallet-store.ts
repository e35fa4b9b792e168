/**
 * The SDK's own SQLite repositories (wallet state, contracts, exit data) over one better-sqlite3
 * file beside the key file. Persisting the server-info snapshot and the VTXO set is what lets the
 * stock Wallet open while the operator is down; persisting the exit branches in "full" mode (the
 * PSBTs, not only their ids) is what lets `wallet exit` run from this file and an Esplora alone.
 */
import {
  SQLiteContractRepository,
  SQLiteVirtualTxRepository,
  SQLiteWalletRepository,
  type SQLExecutor,
} from '@arkade-os/sdk/repositories/sqlite';
import { chmodSync } from 'node:fs';
import { openSqlite, type SqlConnection, type SqlValue } from '../journal/sqlite-driver.js';

export interface WalletStore {
  readonly walletRepository: SQLiteWalletRepository;
  readonly contractRepository: SQLiteContractRepository;
  readonly virtualTxRepository: SQLiteVirtualTxRepository;
  close(): void;
}

/** The SDK's SQLExecutor (async run/get/all) over a synchronous connection. */
export function sqlExecutor(db: SqlConnection): SQLExecutor {
  const p = (params?: unknown[]) => (params ?? []) as SqlValue[];
  return {
    run: async (sql, params) => {
      db.prepare<SqlValue[]>(sql).run(...p(params));
    },
    get: async <T>(sql: string, params?: unknown[]) => db.prepare<SqlValue[], T>(sql).get(...p(params)),
    all: async <T>(sql: string, params?: unknown[]) => db.prepare<SqlValue[], T>(sql).all(...p(params)),
  };
}

export function openWalletStore(path: string): WalletStore {
  const db = openSqlite('better-sqlite3', path);
  // No secret in it, but it lists the user's coins: readable by the user only, like the key file.
  chmodSync(path, 0o600);
  db.exec('PRAGMA journal_mode = WAL');
  const ex = sqlExecutor(db);
  return {
    walletRepository: new SQLiteWalletRepository(ex),
    contractRepository: new SQLiteContractRepository(ex),
    virtualTxRepository: new SQLiteVirtualTxRepository(ex),
    close: () => db.close(),
  };
}
