/**
 * What the Ark operator remembers: VTXOs, the virtual transactions behind them (tree, checkpoint,
 * Ark, connector and forfeit txs, as base64 PSBTs), batches, and Ark txs submitted but not yet
 * finalized. Reads come from memory; every change is one `commit` that is written to SQLite (when
 * a path is given) in a single transaction before it is applied in memory, so a crash leaves the
 * previous state or the next one, never half of a batch.
 */
import type Database from 'better-sqlite3';
import { openSideConnection } from '../../journal/sqlite-side-connection.js';
import { outpointKey as key } from './outpoint.js';
import type { ContractTermsRecord } from '../block-delta/contract-guard.js';

export interface VtxoRecord {
  txid: string;
  vout: number;
  amount: bigint;
  /** Output script, hex. */
  script: string;
  /** Unix seconds. */
  createdAt: number;
  /**
   * When the operator may sweep the batch it hangs from: a block height when the tree expiry is in
   * blocks, unix seconds when in seconds (the SDK tells them apart the same way); 0 until the
   * commitment tx confirms.
   */
  expiresAt: number;
  commitmentTxids: string[];
  /** The batch output it hangs from: "txid:0". */
  batch: string;
  preconfirmed: boolean;
  swept: boolean;
  unrolled: boolean;
  /** The Ark tx (via its checkpoint) or commitment tx that spent it; '' while unspent. */
  spentBy: string;
  settledBy: string;
  arkTxid: string;
  /** Unix milliseconds of the last change (the indexer's after/before filter; set by the store). */
  updatedAt?: number;
}

export type VirtualTxKind = 'tree' | 'connector' | 'checkpoint' | 'ark' | 'forfeit' | 'sweep';

export interface VirtualTxRecord {
  txid: string;
  kind: VirtualTxKind;
  /** Base64 PSBT (signed as far as the operator has it). */
  psbt: string;
  commitmentTxid: string;
  /** Tree and connector txs: output index -> child txid. */
  children?: Record<number, string>;
  /** Ark txs: their checkpoint txids; checkpoints: the VTXO outpoint they spend ("txid:vout"). */
  spends?: string[];
}

export interface BatchRecord {
  id: string;
  commitmentTxid: string;
  /** The broadcast transaction, hex. */
  commitmentTxHex: string;
  /** Unix seconds. */
  startedAt: number;
  endedAt: number;
  /** Batch output (vout 0) amount; 0 when the batch had only on-chain outputs. */
  batchAmount: bigint;
  /** Relative expiry of the batch output, in blocks. */
  expiryBlocks: number;
  /** Height of the commitment tx's block once confirmed (0 before). */
  confirmedHeight: number;
  vtxoTreeTxids: string[];
  connectorTxids: string[];
  forfeitTxids: string[];
  /** Input VTXOs forfeited into this batch, "txid:vout" -> forfeit txid. */
  forfeitByVtxo: Record<string, string>;
  totalInputAmount: bigint;
  totalInputVtxos: number;
  totalOutputAmount: bigint;
  totalOutputVtxos: number;
  sweptBy: string[];
}

export interface PendingArkTxRecord {
  arkTxid: string;
  /** The offchain module's serializable pending state. */
  state: unknown;
  createdAt: number;
}

export interface StoreChange {
  vtxos?: VtxoRecord[];
  virtualTxs?: VirtualTxRecord[];
  batches?: BatchRecord[];
  pending?: PendingArkTxRecord[];
  pendingDone?: string[];
  /** Block-delta contract scripts the desk registered (the contract guard's registry). */
  contracts?: ContractTermsRecord[];
  /** Small records of the services around the operator (the block-delta desk's fundings and keys), by kind and id. */
  meta?: { kind: string; id: string; value: unknown }[];
}


type Kind = 'vtxo' | 'vtx' | 'batch' | 'pending' | 'contract' | 'meta';

const replacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? { $big: v.toString() } : v);
const reviver = (_k: string, v: unknown): unknown =>
  v !== null && typeof v === 'object' && '$big' in v && typeof (v as { $big: unknown }).$big === 'string' ? BigInt((v as { $big: string }).$big) : v;

export class ArkStore {
  private readonly vtxos = new Map<string, VtxoRecord>();
  private readonly byScript = new Map<string, Set<string>>();
  private readonly vtxs = new Map<string, VirtualTxRecord>();
  private readonly batches = new Map<string, BatchRecord>();
  private readonly pending = new Map<string, PendingArkTxRecord>();
  private readonly contracts = new Map<string, ContractTermsRecord>();
  private readonly metas = new Map<string, Map<string, unknown>>();
  private readonly db: Database.Database | undefined;

  private constructor(path: string | undefined, private readonly clock: () => number = Date.now) {
    if (path === undefined) return;
    this.db = openSideConnection(path, { synchronous: 'FULL' });
    this.db.exec('CREATE TABLE IF NOT EXISTS ark_records (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id))');
    for (const row of this.db.prepare('SELECT kind, body FROM ark_records').all() as { kind: Kind; body: string }[]) {
      const v = JSON.parse(row.body, reviver) as never;
      this.applyOne(row.kind, v);
    }
  }

  /** In memory only (tests, embedded demo without a data dir). */
  static memory(clock?: () => number): ArkStore {
    return new ArkStore(undefined, clock);
  }

  /** Persisted in the server's SQLite file, table `ark_records`. */
  static open(path: string, clock?: () => number): ArkStore {
    return new ArkStore(path, clock);
  }

  close(): void {
    this.db?.close();
  }

  commit(c: StoreChange): void {
    const rows: { kind: Kind; id: string; v: unknown }[] = [];
    const at = this.clock();
    for (const v of c.vtxos ?? []) rows.push({ kind: 'vtxo', id: key(v.txid, v.vout), v: { ...v, updatedAt: at } });
    for (const v of c.virtualTxs ?? []) rows.push({ kind: 'vtx', id: v.txid, v });
    for (const v of c.batches ?? []) rows.push({ kind: 'batch', id: v.commitmentTxid, v });
    for (const v of c.pending ?? []) rows.push({ kind: 'pending', id: v.arkTxid, v });
    for (const v of c.contracts ?? []) rows.push({ kind: 'contract', id: v.script, v });
    for (const m of c.meta ?? []) rows.push({ kind: 'meta', id: `${m.kind}\n${m.id}`, v: m });
    if (this.db !== undefined) {
      const put = this.db.prepare('INSERT OR REPLACE INTO ark_records (kind, id, body) VALUES (?, ?, ?)');
      const del = this.db.prepare("DELETE FROM ark_records WHERE kind = 'pending' AND id = ?");
      this.db.transaction(() => {
        for (const r of rows) put.run(r.kind, r.id, JSON.stringify(r.v, replacer));
        for (const id of c.pendingDone ?? []) del.run(id);
      })();
    }
    for (const r of rows) this.applyOne(r.kind, r.v as never);
    for (const id of c.pendingDone ?? []) this.pending.delete(id);
  }

  private applyOne(kind: Kind, v: never): void {
    if (kind === 'vtxo') {
      const r = v as VtxoRecord;
      const k = key(r.txid, r.vout);
      this.vtxos.set(k, r);
      let s = this.byScript.get(r.script);
      if (!s) this.byScript.set(r.script, (s = new Set()));
      s.add(k);
    } else if (kind === 'vtx') {
      const r = v as VirtualTxRecord;
      this.vtxs.set(r.txid, r);
    } else if (kind === 'batch') {
      const r = v as BatchRecord;
      this.batches.set(r.commitmentTxid, r);
    } else if (kind === 'meta') {
      const m = v as { kind: string; id: string; value: unknown };
      let byId = this.metas.get(m.kind);
      if (!byId) this.metas.set(m.kind, (byId = new Map()));
      byId.set(m.id, m.value);
    } else if (kind === 'contract') {
      const r = v as ContractTermsRecord;
      this.contracts.set(r.script, r);
    } else {
      const r = v as PendingArkTxRecord;
      this.pending.set(r.arkTxid, r);
    }
  }

  vtxo(txid: string, vout: number): VtxoRecord | undefined {
    return this.vtxos.get(key(txid, vout));
  }

  vtxosByScript(script: string): VtxoRecord[] {
    return [...(this.byScript.get(script) ?? [])].map((k) => this.vtxos.get(k)!);
  }

  allVtxos(): VtxoRecord[] {
    return [...this.vtxos.values()];
  }

  virtualTx(txid: string): VirtualTxRecord | undefined {
    return this.vtxs.get(txid);
  }

  batch(commitmentTxid: string): BatchRecord | undefined {
    return this.batches.get(commitmentTxid);
  }

  allBatches(): BatchRecord[] {
    return [...this.batches.values()];
  }

  pendingTx(arkTxid: string): PendingArkTxRecord | undefined {
    return this.pending.get(arkTxid);
  }

  allPending(): PendingArkTxRecord[] {
    return [...this.pending.values()];
  }

  meta(kind: string, id: string): unknown {
    return this.metas.get(kind)?.get(id);
  }

  metaAll(kind: string): unknown[] {
    return [...(this.metas.get(kind)?.values() ?? [])];
  }

  contract(script: string): ContractTermsRecord | undefined {
    return this.contracts.get(script);
  }

  allContracts(): ContractTermsRecord[] {
    return [...this.contracts.values()];
  }
}
