/**
 * HashPerp's Ark server: arkd's ArkService behind the port the /ark routes speak. It admits
 * intents, runs one batch at a time on a fixed session clock, co-signs offchain Ark transactions
 * with their checkpoints, and tells the streams what happened. The protocol steps live in the
 * modules it calls (intent, tree-builder, tree-signing, commitment-tx, forfeits, offchain); this
 * file is the order they run in and the state between them.
 */
import type { ArkInfo, SettlementEvent, TxNotification } from '@arkade-os/sdk';
import { SettlementEventType } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { batchSweepInput, buildSweepTx } from './sweep.js';
import { enforceStep, markUnrolled, spendToEnforce, spendsToEnforce, type SpendToEnforce } from './chain-watch.js';
import type { ArkChain } from './ark-chain.js';
import type { ArkStore, VtxoRecord } from './ark-store.js';
import { arkInfo, type ArkParams } from './ark-params.js';
import { BatchSession } from './batch-session.js';
import { EventBus } from './event-bus.js';
import { IntentQueue, intentPolicy } from './intent-queue.js';
import type { OperatorKeys } from './operator-keys.js';
import { checkpointTapscript, finalizeOffchainTx, pendingTxView, submitOffchainTx, type PendingOffchainTx } from './offchain.js';
import { parseIntent, verifyIntent, type RealPrevout } from './intent.js';
import { ArkRequestError, type ArkServicePort, type PendingTx, type RawIntent } from './ports.js';
import { toWireVtxo } from './wire-vtxo.js';
import { checkContractTx, type ContractTermsRecord, type GuardContext } from '../block-delta/contract-guard.js';

export type ContractPolicy = Pick<GuardContext, 'outcome' | 'isOperatorScript' | 'window' | 'tip'>;

/** Without a policy (no engine to decide series) nothing is ever decided: contracts only swap, or exit on chain. */
const UNDECIDED: ContractPolicy = { outcome: () => undefined, isOperatorScript: () => false, window: { blocks: 0, seconds: 0 }, tip: () => ({ height: 0, mtp: 0 }) };
import { outpointKey as op } from './outpoint.js';

export interface ArkOperatorDeps {
  params: ArkParams;
  keys: OperatorKeys;
  chain: ArkChain;
  store: ArkStore;
  version: string;
  /** Milliseconds since the epoch. */
  now?: () => number;
  log?: (msg: string) => void;
  /** Most intents in one batch. */
  maxIntentsPerBatch?: number;
  /** Who won a block-delta series, and which scripts are the operator's own (contract-guard.ts). */
  contracts?: ContractPolicy;
  /** Off by default: each phase's duration in ms ('intent.verify' per intent, the batch's phases: batch-session.ts). */
  onPhase?: (phase: string, ms: number) => void;
}

type TxEvent = { commitmentTx?: TxNotification; arkTx?: TxNotification };


export class ArkOperator implements ArkServicePort {
  readonly events = new EventBus<SettlementEvent>();
  readonly txEvents = new EventBus<TxEvent>();
  /** Scripts touched by a change, for the indexer's script subscriptions. */
  readonly scriptEvents = new EventBus<{ txid: string; tx?: string; newVtxos: VtxoRecord[]; spentVtxos: VtxoRecord[]; sweptVtxos: VtxoRecord[]; checkpointTxs?: Record<string, { txid: string; tx: string }> }>();
  private readonly queue: IntentQueue;
  private batch: BatchSession | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private readonly checkpointScript: Uint8Array;
  /** Inputs held by the running batch or by Ark txs submitted but not finalized. */
  private readonly locked = new Set<string>();
  private stopped = false;
  private lastBatch: string | undefined;
  private lastError: string | undefined;
  /** Forfeited VTXOs unrolled by their old owners, by outpoint, until their forfeit is on chain. */
  private readonly enforcing = new Map<string, SpendToEnforce>();
  /** Last block height scanned for virtual txs. */
  private scanned: number | undefined;

  constructor(private readonly d: ArkOperatorDeps) {
    this.now = d.now ?? Date.now;
    this.log = d.log ?? (() => {});
    this.checkpointScript = checkpointTapscript(d.keys.signerXOnly, d.params.checkpointExitDelay);
    this.queue = new IntentQueue({
      chain: d.chain,
      store: d.store,
      params: d.params,
      keys: d.keys,
      now: this.now,
      isLocked: (o) => this.locked.has(o),
    });
    // Ark txs submitted before a restart stay pending, their inputs locked, until finalized.
    for (const p of d.store.allPending()) for (const c of (p.state as PendingOffchainTx).checkpoints) this.locked.add(op(c.spends.txid, c.spends.vout));
    for (const f of spendsToEnforce(d.store)) this.enforcing.set(op(f.vtxo.txid, f.vtxo.vout), f);
  }

  /** Whether an outpoint is held by the running batch, a queued intent or an Ark tx awaiting finalization. */
  isLocked(outpoint: string): boolean {
    return this.locked.has(outpoint) || this.queue.has(outpoint);
  }

  /** Starts the session clock: every `sessionSeconds` a batch starts if intents are waiting. */
  start(): void {
    const period = this.d.params.timing.sessionSeconds * 1000;
    this.timer = setInterval(() => void this.tick(), period);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.batch?.cancel();
    await this.running?.catch(() => {});
  }

  /** One session tick (tests call it directly instead of waiting for the clock). */
  async tick(): Promise<void> {
    if (this.stopped) return;
    await this.maintain().catch((e: unknown) => this.log(`ark maintenance: ${e instanceof Error ? e.message : String(e)}`));
    if (this.running || this.queue.size === 0) return;
    const intents = this.queue.take(this.d.maxIntentsPerBatch ?? 128);
    const session = new BatchSession(
      {
        chain: this.d.chain,
        keys: this.d.keys,
        vtxoTreeExpiry: this.d.params.vtxoTreeExpiry,
        dust: this.d.params.dust,
        phaseTimeoutMs: this.d.params.timing.phaseTimeoutMs,
        publish: (e, topics) => this.events.publish(e, topics),
        now: () => Math.floor(this.now() / 1000),
        log: this.log,
        onPhase: this.d.onPhase,
      },
      intents,
    );
    const inputs = intents.flatMap((i) => [...i.vtxoInputs, ...i.boardingInputs].map((x) => op(x.txid, x.vout)));
    for (const o of inputs) this.locked.add(o);
    this.batch = session;
    this.running = (async () => {
      try {
        const out = await session.run(() => this.d.chain.coinsOf(this.d.keys.walletScript));
        const t0 = performance.now();
        this.d.store.commit(out.change);
        this.lastBatch = out.commitmentTxid;
        this.d.onPhase?.('store.commit', performance.now() - t0);
        this.log(`batch ${session.id}: commitment ${out.commitmentTxid} broadcast, ${out.newVtxos.length} VTXOs, ${out.spentVtxos.length} forfeited`);
        const note: TxNotification = {
          txid: out.commitmentTxid,
          tx: out.txHex,
          spentVtxos: out.spentVtxos.map(toWireVtxo),
          spendableVtxos: out.newVtxos.map(toWireVtxo),
        };
        this.txEvents.publish({ commitmentTx: note });
        this.scriptEvents.publish({ txid: out.commitmentTxid, tx: out.txHex, newVtxos: out.newVtxos, spentVtxos: out.spentVtxos, sweptVtxos: [] });
      } catch (e) {
        // BatchFailed was published; the inputs go back to their owners untouched.
        this.lastError = e instanceof Error ? e.message : String(e);
      } finally {
        for (const o of inputs) this.locked.delete(o);
        this.batch = undefined;
        this.running = undefined;
      }
    })();
    await this.running;
  }

  /**
   * Between batches: record when commitment txs confirm (that starts their expiry clock) and sweep
   * batches whose expiry has passed.
   */
  async maintain(): Promise<void> {
    const tip = await this.d.chain.tipHeight();
    // Blocks since the last look: virtual txs in them unroll the VTXOs they create.
    if (this.scanned === undefined) {
      const confirmed = this.d.store.allBatches().filter((b) => b.confirmedHeight > 0 && b.sweptBy.length === 0).map((b) => b.confirmedHeight);
      this.scanned = confirmed.length > 0 ? Math.min(...confirmed) - 1 : tip;
    }
    for (let h = this.scanned + 1; h <= tip; h++) {
      const txids = await this.d.chain.blockTxids(h);
      if (!txids) break;
      const unrolled = markUnrolled(this.d.store, txids);
      if (unrolled.length > 0) this.log(`${unrolled.length} VTXO(s) unrolled on chain at height ${h}`);
      for (const v of unrolled) {
        const f = spendToEnforce(this.d.store, v);
        if (f) this.enforcing.set(op(v.txid, v.vout), f);
      }
      this.scanned = h;
    }
    // Forfeits: never while a batch may be spending the same wallet coins.
    if (!this.running) {
      for (const [key, f] of this.enforcing) {
        try {
          if ((await enforceStep({ chain: this.d.chain, store: this.d.store, keys: this.d.keys, log: this.log }, f)) === 'done') this.enforcing.delete(key);
        } catch (e) {
          this.log(`${f.kind} of ${f.vtxo.txid}:${f.vtxo.vout}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    for (const b of this.d.store.allBatches()) {
      if (b.confirmedHeight === 0) {
        const h = await this.d.chain.blockHeightOf(b.commitmentTxid);
        if (h === undefined) continue;
        const expiresAt = b.expiryBlocks < 512 ? h + b.expiryBlocks : 0;
        const touched = this.d.store.allVtxos().filter((v) => v.commitmentTxids.includes(b.commitmentTxid) && v.expiresAt === 0);
        this.d.store.commit({ batches: [{ ...b, confirmedHeight: h }], vtxos: touched.map((v) => ({ ...v, expiresAt })) });
        continue;
      }
      if (b.sweptBy.length > 0 || b.batchAmount === 0n || b.expiryBlocks >= 512) continue;
      if (tip < b.confirmedHeight + b.expiryBlocks) continue;
      const live = await this.d.chain.unspent(b.commitmentTxid, 0);
      if (!live) continue; // the tree was unrolled on chain: its outputs are swept one by one (not yet done)
      const root = this.d.store.virtualTx(b.vtxoTreeTxids[0]!);
      if (!root) continue;
      const sweep = buildSweepTx([batchSweepInput(root.psbt, this.d.keys.forfeitXOnly, live.amount)], this.d.keys.forfeitSecret, this.d.keys.walletScript, await this.d.chain.feeRate());
      const txHex = hex.encode(sweep.extract());
      await this.d.chain.broadcast(txHex);
      const swept = this.d.store.allVtxos().filter((v) => v.commitmentTxids.includes(b.commitmentTxid) && v.spentBy === '' && !v.swept).map((v) => ({ ...v, swept: true }));
      this.d.store.commit({ batches: [{ ...b, sweptBy: [sweep.id] }], vtxos: swept });
      this.log(`swept batch ${b.commitmentTxid} (${swept.length} unspent VTXOs) in ${sweep.id}`);
      this.scriptEvents.publish({ txid: sweep.id, tx: txHex, newVtxos: [], spentVtxos: [], sweptVtxos: swept });
    }
  }

  /** What /health shows. */
  status(): { batches: number; vtxos: number; queuedIntents: number; batchRunning: boolean; lastBatch: string | null; lastError: string | null } {
    return { batches: this.d.store.allBatches().length, vtxos: this.d.store.allVtxos().length, queuedIntents: this.queue.size, batchRunning: this.running !== undefined, lastBatch: this.lastBatch ?? null, lastError: this.lastError ?? null };
  }

  async getInfo(): Promise<ArkInfo> {
    return arkInfo(
      this.d.params,
      {
        signerPubkey: this.d.keys.signerCompressedHex,
        forfeitPubkey: this.d.keys.forfeitCompressedHex,
        forfeitAddress: this.d.keys.forfeitAddress,
        checkpointTapscript: hex.encode(this.checkpointScript),
      },
      this.d.version,
    );
  }

  /**
   * The desk registers a contract's script before the Ark tx that creates it is submitted; from then
   * on the guard decides when S co-signs a spend of it. Idempotent for identical terms.
   */
  registerContract(t: ContractTermsRecord): void {
    if (t.operator !== hex.encode(this.d.keys.signerXOnly)) throw new ArkRequestError('INVALID_REQUEST', 'the contract is not against this operator', 'operator');
    // The script commits to U, S, the side, H, T and d: a known script already carries these terms.
    if (this.d.store.contract(t.script) === undefined) this.d.store.commit({ contracts: [t] });
  }

  async registerIntent(intent: RawIntent): Promise<string> {
    if (!this.d.onPhase) return this.queue.register(intent);
    const t0 = performance.now();
    try {
      return await this.queue.register(intent);
    } finally {
      this.d.onPhase('intent.verify', performance.now() - t0);
    }
  }

  async deleteIntent(intent: RawIntent): Promise<void> {
    await this.queue.delete(intent);
  }

  async confirmRegistration(intentId: string): Promise<void> {
    if (!this.batch) throw new ArkRequestError('CONFIRMATION_SESSION_NOT_STARTED', 'no batch is waiting for confirmations', 'intentId');
    this.batch.confirmRegistration(intentId);
  }

  private batchFor(batchId: string) {
    if (!this.batch || this.batch.id !== batchId) throw new ArkRequestError('INVALID_REQUEST', `batch ${batchId} is not running`, 'batchId');
    return this.batch;
  }

  async submitTreeNonces(batchId: string, pubkey: string, nonces: Record<string, string>): Promise<void> {
    this.batchFor(batchId).submitNonces(pubkey, nonces);
  }

  async submitTreeSignatures(batchId: string, pubkey: string, signatures: Record<string, string>): Promise<void> {
    this.batchFor(batchId).submitSignatures(pubkey, signatures);
  }

  async submitSignedForfeitTxs(signedForfeitTxs: string[], signedCommitmentTx?: string): Promise<void> {
    if (!this.batch) throw new ArkRequestError('INVALID_FORFEIT_TXS', 'no batch is collecting forfeits', 'signedForfeitTxs');
    this.batch.submitForfeits(signedForfeitTxs, signedCommitmentTx);
  }

  async submitTx(signedArkTx: string, checkpointTxs: string[]): Promise<{ arkTxid: string; finalArkTx: string; signedCheckpointTxs: string[] }> {
    const nowS = Math.floor(this.now() / 1000);
    const tipHeight = await this.d.chain.tipHeight();
    // From here to the store commit nothing awaits: no other request can spend the same VTXO in between.
    const res = submitOffchainTx({
      signedArkTx,
      checkpointTxs,
      operatorSecretKey: this.d.keys.signerSecret,
      checkpointTapscript: this.checkpointScript,
      dust: this.d.params.dust,
      tipHeight,
      now: nowS,
      vtxoMinAmount: this.d.params.vtxoMinAmount,
      ...(this.d.params.vtxoMaxAmount >= 0n ? { vtxoMaxAmount: this.d.params.vtxoMaxAmount } : {}),
      minExitDelay: this.d.params.unilateralExitDelay < 512n ? { type: 'blocks', value: this.d.params.unilateralExitDelay } : { type: 'seconds', value: this.d.params.unilateralExitDelay },
      lookupVtxo: (o) => {
        const r = this.d.store.vtxo(o.txid, o.vout);
        if (!r) return undefined;
        return { amount: r.amount, pkScript: hex.decode(r.script), spent: r.spentBy !== '', swept: r.swept, unrolled: r.unrolled };
      },
      isPendingSpent: (o) => {
        const k = op(o.txid, o.vout);
        return this.locked.has(k) || this.queue.has(k);
      },
    });
    const inputs = res.spent.map((o) => this.d.store.vtxo(o.txid, o.vout)!);
    checkContractTx(
      inputs.map((r) => ({ outpoint: op(r.txid, r.vout), script: r.script, amount: r.amount, expiresAt: r.expiresAt })),
      res.created.map((c) => ({ script: c.script, amount: c.amount })),
      { ...(this.d.contracts ?? UNDECIDED), contractOf: (s) => this.d.store.contract(s) },
    );
    const expiries = inputs.map((r) => r.expiresAt).filter((e) => e > 0);
    const expiresAt = expiries.length > 0 ? Math.min(...expiries) : 0;
    const commitmentTxids = [...new Set(inputs.flatMap((r) => r.commitmentTxids))];
    const root = commitmentTxids[0] ?? '';
    const spent: VtxoRecord[] = res.pending.checkpoints.map((c) => ({ ...this.d.store.vtxo(c.spends.txid, c.spends.vout)!, spentBy: c.txid, arkTxid: res.arkTxid }));
    // The Ark tx is final for the operator once it has signed it: its outputs exist (preconfirmed)
    // from now on, even before the user finalizes the checkpoints.
    const created: VtxoRecord[] = res.created.map((c) => ({
      txid: c.txid, vout: c.vout, amount: c.amount, script: c.script, createdAt: nowS, expiresAt,
      commitmentTxids, batch: inputs[0]!.batch, preconfirmed: true, swept: c.swept, unrolled: false, spentBy: '', settledBy: '', arkTxid: '',
    }));
    this.d.store.commit({
      vtxos: [...spent, ...created],
      virtualTxs: [
        { txid: res.arkTxid, kind: 'ark', psbt: res.finalArkTx, commitmentTxid: root, spends: res.pending.checkpoints.map((c) => c.txid) },
        ...res.pending.checkpoints.map((c) => ({ txid: c.txid, kind: 'checkpoint' as const, psbt: c.signedTx, commitmentTxid: root, spends: [op(c.spends.txid, c.spends.vout)] })),
      ],
      pending: [{ arkTxid: res.arkTxid, state: res.pending, createdAt: nowS }],
    });
    for (const c of res.pending.checkpoints) this.locked.add(op(c.spends.txid, c.spends.vout));
    const checkpointsById = Object.fromEntries(res.pending.checkpoints.map((c) => [c.txid, { txid: c.txid, tx: c.signedTx }]));
    const note: TxNotification = { txid: res.arkTxid, tx: res.finalArkTx, spentVtxos: spent.map(toWireVtxo), spendableVtxos: created.map(toWireVtxo), checkpointTxs: checkpointsById };
    this.txEvents.publish({ arkTx: note });
    this.scriptEvents.publish({ txid: res.arkTxid, tx: res.finalArkTx, newVtxos: created, spentVtxos: spent, sweptVtxos: [], checkpointTxs: checkpointsById });
    return { arkTxid: res.arkTxid, finalArkTx: res.finalArkTx, signedCheckpointTxs: res.signedCheckpointTxs };
  }

  async finalizeTx(arkTxid: string, finalCheckpointTxs: string[]): Promise<void> {
    const p = this.d.store.pendingTx(arkTxid);
    if (!p) throw new ArkRequestError('TX_NOT_FOUND', `no pending Ark tx ${arkTxid}`, 'arkTxid');
    const pending = p.state as PendingOffchainTx;
    const fin = finalizeOffchainTx(pending, finalCheckpointTxs, { isUnrolled: (o) => this.d.store.vtxo(o.txid, o.vout)?.unrolled === true });
    const root = this.d.store.virtualTx(arkTxid)?.commitmentTxid ?? '';
    this.d.store.commit({
      virtualTxs: fin.pending.checkpoints.map((c, i) => ({ txid: c.txid, kind: 'checkpoint' as const, psbt: fin.finalCheckpointTxs[i]!, commitmentTxid: root, spends: [op(c.spends.txid, c.spends.vout)] })),
      pendingDone: [arkTxid],
    });
    for (const c of pending.checkpoints) this.locked.delete(op(c.spends.txid, c.spends.vout));
  }

  async getPendingTxs(intent: RawIntent): Promise<PendingTx[]> {
    const parsed = parseIntent(intent.proof, intent.message);
    if (parsed.kind !== 'get-pending-tx') throw new ArkRequestError('INVALID_INTENT_MESSAGE', `expected a get-pending-tx intent, got ${parsed.kind}`, 'intent.message');
    // The inputs are spent by the pending txs: the proof is checked against the stored VTXOs as they were.
    const prevouts = new Map<string, RealPrevout>();
    for (const i of parsed.inputs) {
      const r = this.d.store.vtxo(i.txid, i.vout);
      if (!r) throw new ArkRequestError('VTXO_NOT_FOUND', `no VTXO ${op(i.txid, i.vout)}`, 'intent.proof');
      prevouts.set(op(i.txid, i.vout), { amount: r.amount, pkScript: hex.decode(r.script), kind: 'vtxo', createdAt: r.createdAt });
    }
    verifyIntent(parsed, prevouts, Math.floor(this.now() / 1000), { ...intentPolicy({ params: this.d.params, keys: this.d.keys }), unilateralExitDelay: undefined });
    const owned = new Set(parsed.inputs.map((i) => op(i.txid, i.vout)));
    const out: PendingTx[] = [];
    for (const p of this.d.store.allPending()) {
      const st = p.state as PendingOffchainTx;
      if (!st.checkpoints.some((c) => owned.has(op(c.spends.txid, c.spends.vout)))) continue;
      out.push(pendingTxView(st));
    }
    return out;
  }

  async *batchEvents(topics: string[], signal: AbortSignal): AsyncIterable<SettlementEvent> {
    yield { type: SettlementEventType.StreamStarted, id: `${this.now()}` };
    yield* this.events.subscribe(topics, signal);
  }

  transactions(signal: AbortSignal): AsyncIterable<TxEvent> {
    return this.txEvents.subscribe([], signal);
  }
}
