import type Database from 'better-sqlite3';
import { openSideConnection } from '../journal/sqlite-side-connection.js';
import type { ExportedVtxo, BdcSide } from '../bitcoin/vtxo-scripts.js';
import { HashPerpError } from '../units/errors.js';

/**
 * What the operator keeps about one block-delta position's contract VTXO. Plain JSON (amounts that
 * fit in 2^53 as numbers, msat and sat totals of the Bitcoin layer as decimal strings) so every store
 * holds it byte for byte and `ContractService.contract()` can hand it out as is.
 */
export type ContractStatus = 'no-key' | 'pending-batch' | 'batched' | 'settled';

export interface ContractHistoryEntry {
  kind: 'opened' | 'rejected' | 'transferred' | 'transfer-awaiting-signature' | 'transfer-failed' | 'batched' | 'settled' | 'series-decided';
  /** Journal sequence number of the command whose events caused this entry, when the caller gave one. */
  seq?: number;
  detail: string;
  from?: string;
  to?: string;
  /** Ark transaction (leaf 1 transfer) or commitment txid. */
  txid?: string;
  /** VTXO outpoint (txid:vout) created by this step. */
  vtxoId?: string;
}

export interface ContractBatchInfo {
  batchId: string;
  commitmentTxid: string;
  funded: boolean;
  /** Why the batch is not on chain (absent when funded). */
  fundedReason?: string;
  /** The position's current VTXO outpoint. */
  vtxoId: string;
  /** serializeExitPackage of the current VTXO. */
  exitPackage: string;
}

export interface SettlementPath {
  leaf: number;
  name: string;
  /** Who signs and what must hold on chain first. */
  requires: string;
}

export interface ContractSettlement {
  winner: BdcSide;
  /** Whether the account holding the position won. */
  won: boolean;
  payoutMsat: string;
  /** The party (user U or operator S) that takes the VTXO's value. */
  winnerParty: 'user' | 'operator';
  rule: string;
  cooperative: SettlementPath;
  fallbacks: SettlementPath[];
  decidedAtHeight?: number;
  decidedAtHash?: string;
  mtp?: number;
}

/** An offchain transfer through leaf 1 built by S, waiting for the previous owner's signatures. */
export interface PendingTransfer {
  from: string;
  to: string;
  /** Unsigned PSBTs (hex): one checkpoint per input, then the Ark tx. */
  checkpointPsbts: string[];
  arkPsbt: string;
  arkTxid: string;
}

export interface ContractRecord {
  positionId: string;
  series: string;
  /** Current holder (engine account id; a BIP-340 x-only key when accounts are keys). */
  account: string;
  side: BdcSide;
  targetHeight: number;
  deadline: number;
  contracts: number;
  amountSat: number;
  stakeSat: number;
  status: ContractStatus;
  /** Why the record has no VTXO (status 'no-key') or the last Bitcoin-layer failure. */
  reason?: string;
  /** The current owner's three-leaf contract VTXO (address, leaves, control blocks). */
  vtxo?: ExportedVtxo;
  batch?: ContractBatchInfo;
  pendingTransfer?: PendingTransfer;
  settlement?: ContractSettlement;
  history: ContractHistoryEntry[];
}

export interface BatchRecord {
  id: string;
  commitmentTxid: string;
  commitmentHex: string;
  funded: boolean;
  fundedReason?: string;
  fundingOutpoint: string;
  positionIds: string[];
  /** x-only keys that co-signed the VTXO tree (MuSig2); always includes S. */
  treeCosigners: string[];
}

/**
 * Persistence of the contract service. Synchronous on purpose: better-sqlite3 is, and the service
 * writes a position's record in the same step that changes it, so a crash never leaves a half step.
 */
export interface ContractStore {
  get(positionId: string): ContractRecord | undefined;
  put(record: ContractRecord): void;
  all(): ContractRecord[];
  putBatch(batch: BatchRecord): void;
  batches(): BatchRecord[];
  /** Highest journal sequence number whose events were applied (0 when none). */
  lastSeq(): number;
  setLastSeq(seq: number): void;
  /** Runs `fn` so that all its writes land together or not at all. */
  atomically<T>(fn: () => T): T;
  close(): void;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class MemoryContractStore implements ContractStore {
  private readonly records = new Map<string, ContractRecord>();
  private readonly batchRows = new Map<string, BatchRecord>();
  private seq = 0;
  get(positionId: string): ContractRecord | undefined {
    const r = this.records.get(positionId);
    return r ? clone(r) : undefined;
  }
  put(record: ContractRecord): void {
    this.records.set(record.positionId, clone(record));
  }
  all(): ContractRecord[] {
    return [...this.records.values()].map(clone);
  }
  putBatch(batch: BatchRecord): void {
    this.batchRows.set(batch.id, clone(batch));
  }
  batches(): BatchRecord[] {
    return [...this.batchRows.values()].map(clone);
  }
  lastSeq(): number {
    return this.seq;
  }
  setLastSeq(seq: number): void {
    this.seq = seq;
  }
  atomically<T>(fn: () => T): T {
    // Snapshot-and-restore gives the same all-or-nothing behaviour as the SQLite transaction.
    const records = new Map(this.records);
    const batches = new Map(this.batchRows);
    const seq = this.seq;
    try {
      return fn();
    } catch (e) {
      this.records.clear();
      records.forEach((v, k) => this.records.set(k, v));
      this.batchRows.clear();
      batches.forEach((v, k) => this.batchRows.set(k, v));
      this.seq = seq;
      throw e;
    }
  }
  close(): void {}
}

/**
 * The contract store in the server's SQLite file (the journal's file: every table here starts with
 * `op_` so it never meets the journal's). Rows hold the record JSON plus the columns queries filter on.
 */
export class SqliteContractStore implements ContractStore {
  private readonly db: Database.Database;
  private readonly owned: boolean;
  private readonly sel: Database.Statement<[string], { body: string }>;
  private readonly ins: Database.Statement<[string, string, string, string, string]>;
  private readonly selAll: Database.Statement<[], { body: string }>;
  private readonly insBatch: Database.Statement<[string, string, string]>;
  private readonly selBatches: Database.Statement<[], { body: string }>;
  private readonly selSeq: Database.Statement<[], { value: string }>;
  private readonly insSeq: Database.Statement<[string]>;

  /** `db`: a file path (opened and closed by the store) or an open better-sqlite3 database (left open on close). */
  constructor(db: string | Database.Database) {
    if (typeof db === 'string') {
      if (db === '') throw new HashPerpError('invalid_argument', 'db: a file path is required', { field: 'db' });
      this.db = openSideConnection(db, { synchronous: 'FULL' });
      this.owned = true;
    } else {
      this.db = db;
      this.owned = false;
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS op_contracts (
        position_id TEXT PRIMARY KEY, series TEXT NOT NULL, account TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS op_contracts_account ON op_contracts (account);
      CREATE TABLE IF NOT EXISTS op_batches (id TEXT PRIMARY KEY, commitment_txid TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS op_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.sel = this.db.prepare('SELECT body FROM op_contracts WHERE position_id = ?');
    this.ins = this.db.prepare(
      `INSERT INTO op_contracts (position_id, series, account, status, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (position_id) DO UPDATE SET series = excluded.series, account = excluded.account, status = excluded.status, body = excluded.body`,
    );
    this.selAll = this.db.prepare('SELECT body FROM op_contracts ORDER BY rowid');
    this.insBatch = this.db.prepare('INSERT OR REPLACE INTO op_batches (id, commitment_txid, body) VALUES (?, ?, ?)');
    this.selBatches = this.db.prepare('SELECT body FROM op_batches ORDER BY rowid');
    this.selSeq = this.db.prepare("SELECT value FROM op_meta WHERE key = 'last_seq'");
    this.insSeq = this.db.prepare("INSERT OR REPLACE INTO op_meta (key, value) VALUES ('last_seq', ?)");
  }
  get(positionId: string): ContractRecord | undefined {
    const row = this.sel.get(positionId);
    return row ? (JSON.parse(row.body) as ContractRecord) : undefined;
  }
  put(r: ContractRecord): void {
    this.ins.run(r.positionId, r.series, r.account, r.status, JSON.stringify(r));
  }
  all(): ContractRecord[] {
    return this.selAll.all().map((row) => JSON.parse(row.body) as ContractRecord);
  }
  putBatch(b: BatchRecord): void {
    this.insBatch.run(b.id, b.commitmentTxid, JSON.stringify(b));
  }
  batches(): BatchRecord[] {
    return this.selBatches.all().map((row) => JSON.parse(row.body) as BatchRecord);
  }
  lastSeq(): number {
    return Number(this.selSeq.get()?.value ?? 0);
  }
  setLastSeq(seq: number): void {
    this.insSeq.run(String(seq));
  }
  atomically<T>(fn: () => T): T {
    // Nested calls (a batch inside onEvents) join the outer transaction.
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn).immediate();
  }
  close(): void {
    if (this.owned && this.db.open) this.db.close();
  }
}
