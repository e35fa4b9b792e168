import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { sha256 } from '@noble/hashes/sha2.js';
import type { RelativeTimelock } from '@arkade-os/sdk';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import { keyPairFromSecret, parseXOnly, type KeyPair } from '../bitcoin/keys.js';
import { NETWORKS, networkByName, type NetworkName } from '../bitcoin/networks.js';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo, p2trKeyOnly, slowLockTime, type BdcSide, type BlockDeltaVtxo, type ExportedVtxo } from '../bitcoin/vtxo-scripts.js';
import { TX_OPTS, signLeafInput } from '../bitcoin/tx.js';
import { planVtxoTree } from '../bitcoin/vtxo-tree.js';
import { serializeExitPackage, parseExitPackage, type ExitPackage } from '../bitcoin/exit-package.js';
import type { ArkTransaction } from '../bitcoin/ark-tx.js';
import { ArkOperator, type FundingUtxo, type VtxoRecord } from './operator.js';
import { assertVtxoScript } from './rules.js';
import { settlementPaths } from './contract-settlement.js';
import type { BatchRecord, ContractHistoryEntry, ContractRecord, ContractStore } from './contract-store.js';
import type { BdcPositionOpened, BdcPositionSettled, BdcPositionTransferred, BdcSeriesSettled } from '../engine/products/bdc/events.js';

export interface ContractServiceConfig {
  /** The operator's secret key S (32-byte hex, from config). */
  operatorSecret: string;
  network: NetworkName;
  /** CSV of every unilateral leaf (and the checkpoint unroll delay). */
  exitDelay: RelativeTimelock;
  /** CSV of the sweep leaf of every batch output. */
  batchExpiry: RelativeTimelock;
  store: ContractStore;
  /** Fee of the commitment tx, sat (default 2000). */
  commitmentFee?: bigint;
  /** Where commitment change goes (default: S's key-path P2TR). */
  changeScript?: Uint8Array;
  /** Funding used by `batch()` when the caller passes none (a funded UTXO of a key the server holds). */
  fundingSource?: () => FundingUtxo | undefined;
  /**
   * Keys of accounts the server itself holds (demo and regtest users). With one, that user co-signs
   * the VTXO tree (MuSig2) and signs its side of a leaf-1 transfer at once; without one the tree is
   * signed by S alone and a transfer waits for `completeTransfer`.
   */
  signerFor?: (account: string) => KeyPair | undefined;
}

export interface BatchResult {
  batchId: string;
  commitmentTxid: string;
  commitmentHex: string;
  funded: boolean;
  fundedReason?: string;
  positionIds: string[];
}

/** The document a person or auditor downloads for one position. */
export interface ContractDocument {
  positionId: string;
  series: string;
  account: string;
  status: ContractRecord['status'];
  reason?: string;
  network: NetworkName;
  terms: {
    side: BdcSide;
    targetHeight: number;
    deadline: number;
    /** nLockTime of the SLOW claim (leaf 3): T − 1, so it opens exactly when MTP ≥ T (BIP113 needs MTP > nLockTime). */
    slowLockTime: number;
    contracts: number;
    amountSat: number;
    stakeSat: number;
    operator: string;
    exitDelay: { type: string; value: string };
    batchExpiry: { type: string; value: string };
  };
  address?: string;
  vtxo?: ExportedVtxo;
  /** Whether the VTXO's batch is a real, funded commitment transaction. */
  funded: boolean;
  fundedReason?: string;
  batch?: { batchId: string; commitmentTxid: string; vtxoId: string; treeCosigners: string[] };
  exitPackage?: ExitPackage;
  pendingTransfer?: ContractRecord['pendingTransfer'];
  settlement?: ContractRecord['settlement'];
  history: ContractHistoryEntry[];
}

type EventLike = { type: string };

const NOT_BATCHED = 'not in a batch yet: the VTXO exists only as an address until the next batch';
const UNFUNDED_REASON = (outpoint: string): string =>
  `embedded/demo mode without a chain: the commitment tx spends the placeholder outpoint ${outpoint}, which does not exist; neither it nor the exit package can be broadcast`;
const SINGLE_COSIGNER_NOTE = 'tree signed by S alone for owners whose keys the server does not hold';

/**
 * The edge adapter between the block-delta product and the Bitcoin layer: each opened position
 * becomes a three-leaf contract VTXO (user U vs operator S), batches put pending VTXOs into a
 * commitment tx + VTXO tree with exit packages, transfers move a batched VTXO offchain through leaf 1,
 * and settlements record which leaf pays the winner. Every step is written to the store before the
 * call returns; the in-memory operator is rebuilt from the store on start.
 */
export class ContractService {
  readonly operator: ArkOperator;
  readonly network: NetworkName;
  private readonly S: KeyPair;
  private readonly store: ContractStore;
  private readonly commitmentFee: bigint;
  private readonly changeScript: Uint8Array;

  constructor(private readonly cfg: ContractServiceConfig) {
    let secret: Uint8Array;
    try {
      secret = hex.decode(cfg.operatorSecret);
    } catch {
      throw new InvalidArgumentError('operatorSecret', 'not hex');
    }
    if (secret.length !== 32) throw new InvalidArgumentError('operatorSecret', `expected 32 bytes, got ${secret.length}`);
    this.S = keyPairFromSecret(secret);
    networkByName(cfg.network);
    this.network = cfg.network;
    this.store = cfg.store;
    this.commitmentFee = cfg.commitmentFee ?? 2_000n;
    this.changeScript = cfg.changeScript ?? p2trKeyOnly(this.S.publicKey).script;
    this.operator = new ArkOperator({ key: this.S, exitDelay: cfg.exitDelay, batchExpiry: cfg.batchExpiry });
    this.rehydrate();
  }

  get operatorPubkey(): string {
    return hex.encode(this.S.publicKey);
  }

  /**
   * Applies engine events (other types are ignored). With `seq` (the journal sequence number of the
   * command that produced them) a replayed command is skipped whole; opens and settlements are also
   * idempotent by positionId without it. Never throws for a bad account or term: the record says why.
   */
  onEvents(events: readonly EventLike[], seq?: number): ContractRecord[] {
    if (seq !== undefined && seq <= this.store.lastSeq()) return [];
    return this.store.atomically(() => {
      const touched = new Map<string, ContractRecord>();
      for (const e of events) {
        const r = this.apply(e, seq);
        for (const rec of r) touched.set(rec.positionId, rec);
      }
      if (seq !== undefined) this.store.setLastSeq(seq);
      return [...touched.values()];
    });
  }

  private apply(e: EventLike, seq: number | undefined): ContractRecord[] {
    switch (e.type) {
      case 'BdcPositionOpened':
        return this.opened(e as BdcPositionOpened, seq);
      case 'BdcPositionTransferred':
        return this.transferred(e as BdcPositionTransferred, seq);
      case 'BdcPositionSettled':
        return this.settled(e as BdcPositionSettled, seq);
      case 'BdcSeriesSettled':
        return this.seriesSettled(e as BdcSeriesSettled, seq);
      default:
        return [];
    }
  }

  /** Builds and checks the VTXO for an owner; a reason instead when the owner or terms cannot have one. */
  private vtxoFor(owner: string, side: BdcSide, H: number, T: number): { vtxo: BlockDeltaVtxo } | { reason: string; status: 'no-key' } {
    let user: Uint8Array;
    try {
      user = parseXOnly('account', owner);
    } catch (err) {
      return { status: 'no-key', reason: `account ${JSON.stringify(owner)} is not a BIP-340 x-only public key (${(err as Error).message}); the position is held by the exchange ledger only` };
    }
    try {
      const vtxo = buildBlockDeltaVtxo({ user, operator: this.S.publicKey, userSide: side, targetHeight: H, deadline: T, exitDelay: this.cfg.exitDelay });
      assertVtxoScript(vtxo.scripts, { operator: this.S.publicKey, minExitDelay: this.cfg.exitDelay, blockTypeAllowed: this.cfg.batchExpiry.type === 'blocks', contract: true, requireExitLeaf: true });
      return { vtxo };
    } catch (err) {
      return { status: 'no-key', reason: `no contract VTXO for these terms: ${(err as Error).message}` };
    }
  }

  private opened(e: BdcPositionOpened, seq: number | undefined): ContractRecord[] {
    if (this.store.get(e.positionId)) return [];
    const built = this.vtxoFor(e.account, e.side, e.height, e.deadline);
    const rec: ContractRecord = {
      positionId: e.positionId,
      series: e.series,
      account: e.account,
      side: e.side,
      targetHeight: e.height,
      deadline: e.deadline,
      contracts: e.contracts,
      amountSat: e.amountSat,
      stakeSat: e.stakeSat,
      status: 'vtxo' in built ? 'pending-batch' : built.status,
      history: [],
    };
    if ('vtxo' in built) {
      rec.vtxo = exportBlockDeltaVtxo(built.vtxo, NETWORKS[this.network]);
      rec.history.push(entry(seq, { kind: 'opened', detail: `contract VTXO ${rec.vtxo.address} for ${e.account} (${e.side}), awaiting a batch` }));
    } else {
      rec.reason = built.reason;
      rec.history.push(entry(seq, { kind: 'rejected', detail: built.reason }));
    }
    this.store.put(rec);
    return [rec];
  }

  private transferred(e: BdcPositionTransferred, seq: number | undefined): ContractRecord[] {
    const rec = this.store.get(e.positionId);
    if (!rec) return [];
    if (rec.account !== e.from) {
      // Without a seq this is the only replay guard: the position is no longer where the event says it was.
      return [];
    }
    const built = this.vtxoFor(e.to, rec.side, rec.targetHeight, rec.deadline);
    if (!rec.batch) {
      rec.account = e.to;
      delete rec.pendingTransfer;
      if ('vtxo' in built) {
        rec.vtxo = exportBlockDeltaVtxo(built.vtxo, NETWORKS[this.network]);
        if (rec.status === 'no-key') rec.status = 'pending-batch';
        delete rec.reason;
        rec.history.push(entry(seq, { kind: 'transferred', from: e.from, to: e.to, detail: `not batched: re-keyed to ${rec.vtxo.address}` }));
      } else {
        if (rec.status === 'pending-batch') rec.status = 'no-key';
        delete rec.vtxo;
        rec.reason = built.reason;
        rec.history.push(entry(seq, { kind: 'transferred', from: e.from, to: e.to, detail: `not batched; ${built.reason}` }));
      }
      this.store.put(rec);
      return [rec];
    }
    rec.account = e.to;
    if (!('vtxo' in built)) {
      rec.history.push(entry(seq, { kind: 'transfer-failed', from: e.from, to: e.to, detail: `the VTXO stays with ${e.from}: ${built.reason}` }));
      rec.reason = built.reason;
      this.store.put(rec);
      return [rec];
    }
    try {
      this.transferBatched(rec, e.from, e.to, built.vtxo, seq);
    } catch (err) {
      rec.reason = `transfer through leaf 1 failed: ${(err as Error).message}`;
      rec.history.push(entry(seq, { kind: 'transfer-failed', from: e.from, to: e.to, detail: rec.reason }));
    }
    this.store.put(rec);
    return [rec];
  }

  /** The Ark transfer through leaf 1 (U + S) from the current VTXO to the new owner's contract VTXO. */
  private proposal(rec: ContractRecord, prevOwner: string, next: BlockDeltaVtxo): { ark: ArkTransaction; outputs: { vtxoScript: BlockDeltaVtxo['vtxoScript']; amount: bigint; contract: boolean }[]; id: string } {
    const id = rec.batch!.vtxoId;
    const current = this.operator.vtxo(id);
    const prev = this.vtxoFor(prevOwner, rec.side, rec.targetHeight, rec.deadline);
    if (!('vtxo' in prev)) throw new HashPerpError('internal_error', `current VTXO owner ${prevOwner} has no key`);
    // Checkpoint and Ark tx are zero-fee v3 (CPFP pays at exit time), so the value moves whole.
    const amount = current.amount;
    const outputs = [{ vtxoScript: next.vtxoScript, amount, contract: true }];
    const ark = this.operator.proposeTransfer([{ id, leaf: prev.vtxo.leaf(1) }], outputs);
    return { ark, outputs, id };
  }

  private transferBatched(rec: ContractRecord, from: string, to: string, next: BlockDeltaVtxo, seq: number | undefined): void {
    // A transfer still waiting for signatures is superseded: its PSBTs spend the same VTXO.
    const owner = rec.pendingTransfer ? rec.pendingTransfer.from : from;
    const { ark, outputs, id } = this.proposal(rec, owner, next);
    const signer = this.cfg.signerFor?.(owner);
    if (!signer) {
      rec.pendingTransfer = {
        from: owner,
        to,
        checkpointPsbts: ark.checkpoints.map((c) => hex.encode(c.tx.toPSBT())),
        arkPsbt: hex.encode(ark.arkTx.toPSBT()),
        arkTxid: ark.arkTx.id,
      };
      rec.history.push(entry(seq, { kind: 'transfer-awaiting-signature', from, to, txid: ark.arkTx.id, detail: `leaf-1 Ark tx built; ${owner} must sign the checkpoint and Ark tx (completeTransfer)` }));
      return;
    }
    for (const c of ark.checkpoints) signLeafInput(c.tx, 0, [signer]);
    signLeafInput(ark.arkTx, 0, [signer]);
    this.finishTransfer(rec, id, ark, outputs, next, from, to, seq);
  }

  private finishTransfer(rec: ContractRecord, id: string, ark: ArkTransaction, outputs: { vtxoScript: BlockDeltaVtxo['vtxoScript']; amount: bigint; contract: boolean }[], next: BlockDeltaVtxo, from: string, to: string, seq: number | undefined): void {
    const [newId] = this.operator.cosign([{ id }], ark, outputs);
    const batch = this.store.batches().find((b) => b.id === rec.batch!.batchId)!;
    rec.vtxo = exportBlockDeltaVtxo(next, NETWORKS[this.network]);
    rec.batch = { ...rec.batch!, vtxoId: newId!, exitPackage: serializeExitPackage(packageOf(this.operator.vtxo(newId!), batch)) };
    delete rec.pendingTransfer;
    delete rec.reason;
    rec.history.push(entry(seq, { kind: 'transferred', from, to, txid: ark.arkTx.id, vtxoId: newId!, detail: `offchain transfer through leaf 1 to ${rec.vtxo.address}` }));
  }

  /**
   * Completes a leaf-1 transfer the previous owner signed: the PSBTs must be those `contract()` shows
   * (same txids), each carrying the owner's BIP-340 signature; S verifies every leaf signature, co-signs,
   * and the position's VTXO and exit package become the new owner's.
   */
  completeTransfer(positionId: string, signed: { checkpointPsbts: string[]; arkPsbt: string }): ContractRecord {
    return this.store.atomically(() => {
      const rec = this.record(positionId);
      const p = rec.pendingTransfer;
      if (!p) throw new HashPerpError('no_pending_transfer', `position ${positionId} has no transfer awaiting signatures`, { field: 'positionId' });
      const next = this.vtxoFor(p.to, rec.side, rec.targetHeight, rec.deadline);
      if (!('vtxo' in next)) throw new HashPerpError('internal_error', next.reason);
      const { ark, outputs, id } = this.proposal(rec, p.from, next.vtxo);
      if (signed.checkpointPsbts.length !== ark.checkpoints.length) throw new InvalidArgumentError('checkpointPsbts', `expected ${ark.checkpoints.length}`);
      const copySigs = (field: string, psbtHex: string, into: Transaction): void => {
        let t: Transaction;
        try {
          t = Transaction.fromPSBT(hex.decode(psbtHex), TX_OPTS);
        } catch {
          throw new InvalidArgumentError(field, 'not a PSBT');
        }
        if (t.id !== into.id) throw new InvalidArgumentError(field, `PSBT is for ${t.id}, expected ${into.id}`);
        for (let i = 0; i < into.inputsLength; i++) {
          const sigs = t.getInput(i).tapScriptSig;
          if (sigs) into.updateInput(i, { tapScriptSig: sigs });
        }
      };
      signed.checkpointPsbts.forEach((s, i) => copySigs(`checkpointPsbts[${i}]`, s, ark.checkpoints[i]!.tx));
      copySigs('arkPsbt', signed.arkPsbt, ark.arkTx);
      this.finishTransfer(rec, id, ark, outputs, next.vtxo, p.from, p.to, undefined);
      this.store.put(rec);
      return rec;
    });
  }

  private settled(e: BdcPositionSettled, seq: number | undefined): ContractRecord[] {
    const rec = this.store.get(e.positionId);
    if (!rec || rec.settlement) return [];
    const paths = settlementPaths(rec.side, e.won);
    rec.settlement = { ...paths, won: e.won, payoutMsat: e.payoutMsat.toString() };
    rec.status = 'settled';
    rec.history.push(
      entry(seq, {
        kind: 'settled',
        detail: `${paths.winner} won (${e.account} ${e.won ? 'won' : 'lost'}, payout ${e.payoutMsat} msat); cooperative settlement through leaf 1, fallback leaf ${paths.fallbacks.map((f) => f.leaf).join(', ')} (unroll, then CSV)${rec.batch ? '' : '; never batched, settled in the ledger only'}`,
      }),
    );
    this.store.put(rec);
    return [rec];
  }

  private seriesSettled(e: BdcSeriesSettled, seq: number | undefined): ContractRecord[] {
    const out: ContractRecord[] = [];
    for (const rec of this.store.all()) {
      if (rec.series !== e.series || !rec.settlement || rec.settlement.decidedAtHash !== undefined) continue;
      rec.settlement = { ...rec.settlement, decidedAtHeight: e.decidedAtHeight, decidedAtHash: e.decidedAtHash, mtp: e.mtp };
      rec.history.push(entry(seq, { kind: 'series-decided', detail: `${e.winner} by the header rule at block ${e.decidedAtHeight} (${e.decidedAtHash}), MTP ${e.mtp}` }));
      this.store.put(rec);
      out.push(rec);
    }
    return out;
  }

  pending(): ContractRecord[] {
    return this.store.all().filter((r) => r.status === 'pending-batch');
  }

  /**
   * Puts every pending position into one batch. `funding` is a UTXO of a key the server holds (with a
   * node); without one (and no fundingSource) the batch spends an
   * explicit placeholder and every export says `funded: false`. Returns undefined when nothing is pending.
   */
  batch(funding?: FundingUtxo): BatchResult | undefined {
    return this.store.atomically(() => {
      const recs = this.pending();
      if (recs.length === 0) return undefined;
      const cosignerKeys: KeyPair[] = [];
      const requests = recs.map((r) => {
        const v = this.vtxoFor(r.account, r.side, r.targetHeight, r.deadline);
        if (!('vtxo' in v)) throw new HashPerpError('internal_error', `pending position ${r.positionId} has no VTXO: ${v.reason}`);
        const signer = this.cfg.signerFor?.(r.account);
        if (signer && !cosignerKeys.some((k) => hex.encode(k.publicKey) === hex.encode(signer.publicKey))) cosignerKeys.push(signer);
        return { vtxoScript: v.vtxo.vtxoScript, amount: BigInt(r.amountSat), cosigners: signer ? [signer] : [], contract: true };
      });
      const real = funding ?? this.cfg.fundingSource?.();
      let fund: FundingUtxo;
      let fundedReason: string | undefined;
      if (real) {
        fund = real;
      } else {
        const plan = planVtxoTree({
          leaves: requests.map((q) => ({ pkScript: q.vtxoScript.pkScript, amount: q.amount, cosigners: q.cosigners.map((k) => k.publicKey) })),
          operator: this.S.publicKey,
          sweepDelay: this.cfg.batchExpiry,
        });
        const n = this.store.batches().length;
        const txid = hex.encode(sha256(new TextEncoder().encode(`HashPerp/unfunded-placeholder/${this.operatorPubkey}/${n}`)));
        fund = { txid, vout: 0, amount: plan.batchOutput.amount + this.commitmentFee, pkScript: p2trKeyOnly(this.S.publicKey).script, key: this.S };
        fundedReason = UNFUNDED_REASON(`${txid}:0`);
      }
      const b = this.operator.createBatch(fund, requests, this.changeScript, this.commitmentFee);
      const funded = fundedReason === undefined;
      const treeCosigners = [this.operatorPubkey, ...cosignerKeys.map((k) => hex.encode(k.publicKey))];
      const batchRec: BatchRecord = {
        id: b.id,
        commitmentTxid: b.commitmentTx.id,
        commitmentHex: b.commitmentHex,
        funded,
        ...(fundedReason !== undefined ? { fundedReason } : {}),
        fundingOutpoint: `${fund.txid}:${fund.vout}`,
        positionIds: recs.map((r) => r.positionId),
        treeCosigners,
      };
      this.store.putBatch(batchRec);
      recs.forEach((r, i) => {
        const vtxoId = b.vtxoIds[i]!;
        r.status = 'batched';
        r.batch = {
          batchId: b.id,
          commitmentTxid: b.commitmentTx.id,
          funded,
          ...(fundedReason !== undefined ? { fundedReason } : {}),
          vtxoId,
          exitPackage: serializeExitPackage(packageOf(this.operator.vtxo(vtxoId), batchRec)),
        };
        const unsigned = requests[i]!.cosigners.length === 0 ? `; ${SINGLE_COSIGNER_NOTE}` : '';
        r.history.push({ kind: 'batched', txid: b.commitmentTx.id, vtxoId, detail: `in batch ${b.id} (${funded ? 'funded' : 'UNFUNDED placeholder'})${unsigned}` });
        this.store.put(r);
      });
      return { batchId: b.id, commitmentTxid: b.commitmentTx.id, commitmentHex: b.commitmentHex, funded, ...(fundedReason !== undefined ? { fundedReason } : {}), positionIds: batchRec.positionIds };
    });
  }

  record(positionId: string): ContractRecord {
    const r = this.store.get(positionId);
    if (!r) throw new HashPerpError('unknown_position', `unknown position ${positionId}`, { field: 'positionId' });
    return r;
  }

  records(filter: { account?: string; series?: string } = {}): ContractRecord[] {
    return this.store.all().filter((r) => (filter.account === undefined || r.account === filter.account) && (filter.series === undefined || r.series === filter.series));
  }

  /** The downloadable contract: terms, address, leaves with control blocks, status, history, exit package. */
  contract(positionId: string): ContractDocument {
    const r = this.record(positionId);
    const batchRow = r.batch ? this.store.batches().find((b) => b.id === r.batch!.batchId) : undefined;
    const rel = (t: RelativeTimelock) => ({ type: t.type, value: t.value.toString() });
    return {
      positionId: r.positionId,
      series: r.series,
      account: r.account,
      status: r.status,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      network: this.network,
      terms: {
        side: r.side,
        targetHeight: r.targetHeight,
        deadline: r.deadline,
        slowLockTime: slowLockTime(r.deadline),
        contracts: r.contracts,
        amountSat: r.amountSat,
        stakeSat: r.stakeSat,
        operator: this.operatorPubkey,
        exitDelay: rel(this.cfg.exitDelay),
        batchExpiry: rel(this.cfg.batchExpiry),
      },
      ...(r.vtxo ? { address: r.vtxo.address, vtxo: r.vtxo } : {}),
      funded: r.batch?.funded ?? false,
      ...(r.batch ? (r.batch.fundedReason !== undefined ? { fundedReason: r.batch.fundedReason } : {}) : { fundedReason: NOT_BATCHED }),
      ...(r.batch && batchRow ? { batch: { batchId: r.batch.batchId, commitmentTxid: r.batch.commitmentTxid, vtxoId: r.batch.vtxoId, treeCosigners: batchRow.treeCosigners } } : {}),
      ...(r.batch ? { exitPackage: parseExitPackage(r.batch.exitPackage) } : {}),
      ...(r.pendingTransfer ? { pendingTransfer: r.pendingTransfer } : {}),
      ...(r.settlement ? { settlement: r.settlement } : {}),
      history: r.history,
    };
  }

  /** The stored exit package JSON (serializeExitPackage) of a batched position. */
  exitPackage(positionId: string): string {
    const r = this.record(positionId);
    if (!r.batch) throw new HashPerpError('not_batched', `position ${positionId} is not in a batch yet`, { field: 'positionId' });
    return r.batch.exitPackage;
  }

  batches(): BatchRecord[] {
    return this.store.batches();
  }

  close(): void {
    this.store.close();
  }

  /** Rebuilds the operator's live VTXOs from the store so transfers work after a restart. */
  private rehydrate(): void {
    for (const r of this.store.all()) {
      if (!r.batch || !r.vtxo?.terms || this.operator.vtxos.has(r.batch.vtxoId)) continue;
      const pkg = parseExitPackage(r.batch.exitPackage);
      const owner = r.vtxo.terms.user;
      const v = this.vtxoFor(owner, r.side, r.targetHeight, r.deadline);
      if (!('vtxo' in v)) continue;
      if (hex.encode(v.vtxo.vtxoScript.pkScript) !== pkg.vtxo.scriptPubKey) throw new HashPerpError('store_corrupt', `position ${r.positionId}: stored VTXO script does not match its terms`);
      const rec: VtxoRecord = {
        id: r.batch.vtxoId,
        txid: pkg.vtxo.txid,
        vout: pkg.vtxo.vout,
        amount: BigInt(pkg.vtxo.amount),
        vtxoScript: v.vtxo.vtxoScript,
        batchId: r.batch.batchId,
        state: 'live',
        contract: true,
        exitSteps: pkg.steps,
      };
      this.operator.vtxos.set(rec.id, rec);
    }
  }
}

function entry(seq: number | undefined, e: ContractHistoryEntry): ContractHistoryEntry {
  return seq === undefined ? e : { ...e, seq };
}

/** The exit package of a VTXO (same shape as ArkOperator.exitPackage), from the stored batch row. */
export function packageOf(v: VtxoRecord, batch: Pick<BatchRecord, 'id'>): ExitPackage {
  return {
    version: 1,
    vtxo: { txid: v.txid, vout: v.vout, amount: v.amount.toString(), scriptPubKey: hex.encode(v.vtxoScript.pkScript), tapTree: hex.encode(v.vtxoScript.encode()) },
    commitmentTxid: batch.id,
    batchVout: 0,
    steps: v.exitSteps,
  };
}
