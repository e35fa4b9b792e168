/**
 * One batch, from the selected intents to the broadcast commitment transaction, as arkd runs it:
 *
 *   BatchStarted ─ intents confirm ─ build commitment tx, VTXO tree, connector tree
 *   ─ TreeTx events (VTXO tree) + TreeSigningStarted ─ every cosigner's nonces ─ TreeNonces events
 *   ─ every cosigner's partial signatures (the operator's own too) ─ TreeSignature events
 *   ─ TreeTx events (connector tree) + BatchFinalization ─ forfeits for every VTXO input and the
 *   users' signatures of their boarding inputs ─ the operator co-signs, signs its wallet inputs,
 *   broadcasts ─ BatchFinalized.
 *
 * Nothing is written to the store until the commitment transaction has been accepted by the chain:
 * a batch that fails or is cut short by a crash leaves every input exactly where it was (boarding
 * outputs unspent, VTXOs unspent; forfeits signed for a commitment that never existed spend a
 * connector that never exists).
 */
import { base64, hex } from '@scure/base';
import { randomBytes } from '@noble/hashes/utils.js';
import { Transaction } from '@scure/btc-signer';
import { SettlementEventType, type SettlementEvent, type TxTree } from '@arkade-os/sdk';
import type { ArkChain, ChainCoin } from './ark-chain.js';
import type { BatchRecord, StoreChange, VirtualTxRecord, VtxoRecord } from './ark-store.js';
import { PhaseGate } from './phase-gate.js';
import { ArkRequestError } from './ports.js';
import type { BoardingInput, VerifiedIntent, VtxoInput } from './intent-queue.js';
import { ANCHOR_PKSCRIPT, connectorLeaves, flattenTree, planConnectorTree, planVtxoTree, sweepTapTreeRoot, type TreeLeaf } from './tree-builder.js';
import { TreeSigningSession } from './tree-signing.js';
import { buildCommitmentTx, CommitmentFundingError, cosignBoardingInputs, mergeSignedBoardingInputs, type BuiltCommitmentTx } from './commitment-tx.js';
import { assignConnectors, collectForfeits, cosignForfeit, type ForfeitContext, type VerifiedForfeit } from './forfeits.js';
import type { OperatorKeys } from './operator-keys.js';
import { outpointKey as outpoint } from './outpoint.js';

export interface BatchDeps {
  chain: ArkChain;
  keys: OperatorKeys;
  /** Relative expiry of the VTXO tree (blocks < 512, else seconds). */
  vtxoTreeExpiry: bigint;
  dust: bigint;
  phaseTimeoutMs: number;
  publish(event: SettlementEvent, topics?: readonly string[]): void;
  /** Unix seconds. */
  now(): number;
  log(msg: string): void;
  /** Off by default: called with each phase's duration (benchmarks; see bench/ark.ts for the names). */
  onPhase?: ((phase: string, ms: number) => void) | undefined;
}

export interface BatchOutcome {
  commitmentTxid: string;
  change: StoreChange;
  spentVtxos: VtxoRecord[];
  newVtxos: VtxoRecord[];
  txHex: string;
}


/** The phases a user can answer in, in order. */
export type BatchPhase = 'confirmation' | 'nonces' | 'signatures' | 'forfeits' | 'done';

type Forfeit = VerifiedForfeit & { vtxo: string; connector: string };

export class BatchSession {
  readonly id = hex.encode(randomBytes(16));
  phase: BatchPhase = 'confirmation';
  private readonly confirm: PhaseGate<true>;
  private nonces: PhaseGate<true> | undefined;
  private sigs: PhaseGate<true> | undefined;
  private forfeitGate: PhaseGate<true> | undefined;
  private boardingGate: PhaseGate<true> | undefined;
  private signing: TreeSigningSession | undefined;
  private built: BuiltCommitmentTx | undefined;
  /** The commitment tx as it collects the users' boarding signatures. */
  private commitment: Transaction | undefined;
  private forfeitCtx: ForfeitContext | undefined;
  private forfeits = new Map<string, Forfeit>();
  /** Commitment inputs whose owners' signatures a merge verified. */
  private readonly mergedInputs = new Set<number>();
  private readonly abort = new AbortController();

  /** Runs f, reporting its duration to onPhase when there is one (promises are timed to settlement). */
  private timed<T>(phase: string, f: () => T): T {
    const on = this.deps.onPhase;
    if (!on) return f();
    const t0 = performance.now();
    const out = f();
    if (out instanceof Promise) return out.finally(() => on(phase, performance.now() - t0)) as T;
    on(phase, performance.now() - t0);
    return out;
  }

  constructor(private readonly deps: BatchDeps, private intents: VerifiedIntent[]) {
    this.confirm = new PhaseGate(new Set(intents.map((i) => i.id)));
  }

  /** Aborts the waiting phase (server shutdown): the batch fails and nothing is stored. */
  cancel(): void {
    this.abort.abort();
  }

  confirmRegistration(intentId: string): void {
    if (this.phase !== 'confirmation' || !this.confirm.expects(intentId)) throw new ArkRequestError('CONFIRMATION_SESSION_NOT_STARTED', `intent ${intentId} is not awaiting confirmation in this batch`, 'intentId');
    this.confirm.answer(intentId, true);
  }

  submitNonces(pubkey: string, nonces: Record<string, string>): void {
    if (this.phase !== 'nonces' || !this.signing || !this.nonces) throw new ArkRequestError('INVALID_REQUEST', 'the batch is not collecting tree nonces', 'batchId');
    if (!this.nonces.expects(pubkey)) throw new ArkRequestError('INVALID_REQUEST', `${pubkey} is not a cosigner of this batch`, 'pubkey');
    // the last cosigner's nonces also trigger nonce aggregation and the operator's own signing
    this.timed('musig.nonces', () => this.signing!.addNonces(pubkey, nonces));
    this.nonces.answer(pubkey, true);
  }

  submitSignatures(pubkey: string, sigs: Record<string, string>): void {
    if (this.phase !== 'signatures' || !this.signing || !this.sigs) throw new ArkRequestError('INVALID_REQUEST', 'the batch is not collecting tree signatures', 'batchId');
    if (!this.sigs.expects(pubkey)) throw new ArkRequestError('INVALID_REQUEST', `${pubkey} is not a cosigner of this batch`, 'pubkey');
    this.timed('musig.verifyPartialSigs', () => this.signing!.addSignatures(pubkey, sigs));
    this.sigs.answer(pubkey, true);
  }

  /** Signed forfeits for this batch's VTXO inputs, and/or the commitment tx with the user's boarding signatures. */
  submitForfeits(signedForfeitTxs: string[], signedCommitmentTx: string | undefined): void {
    if (this.phase !== 'forfeits' || !this.forfeitGate || !this.boardingGate || !this.commitment || !this.built) throw new ArkRequestError('INVALID_FORFEIT_TXS', 'the batch is not collecting forfeit transactions', 'signedForfeitTxs');
    // Verify everything first: a submission with one bad part changes nothing.
    let collected: Map<string, Forfeit> | undefined;
    if (signedForfeitTxs.length > 0) {
      if (!this.forfeitCtx) throw new ArkRequestError('INVALID_FORFEIT_TXS', 'this batch forfeits no VTXO', 'signedForfeitTxs');
      const ctx = this.forfeitCtx;
      collected = this.timed('forfeits.verify', () => collectForfeits(signedForfeitTxs, ctx, this.forfeits).forfeits);
    }
    let merged: { tx: Transaction; signedInputs: number[] } | undefined;
    if (signedCommitmentTx !== undefined) {
      const owned = this.boardingInputs().map((b) => outpoint(b.txid, b.vout));
      const commitment = this.commitment;
      merged = this.timed('boarding.verify', () => mergeSignedBoardingInputs(commitment, signedCommitmentTx, { owned, operatorXOnly: this.deps.keys.signerXOnly, inPlace: true }));
    }
    if (collected) {
      this.forfeits = collected;
      for (const v of collected.keys()) this.forfeitGate.answer(v, true);
    }
    if (merged) {
      this.commitment = merged.tx;
      for (const idx of merged.signedInputs) {
        this.mergedInputs.add(idx);
        const inp = merged.tx.getInput(idx);
        this.boardingGate.answer(outpoint(hex.encode(inp.txid!), inp.index!), true);
      }
    }
  }

  private vtxoInputs(): VtxoInput[] {
    return this.intents.flatMap((i) => i.vtxoInputs);
  }

  private boardingInputs(): BoardingInput[] {
    return this.intents.flatMap((i) => i.boardingInputs);
  }

  private topicsOfAll(): string[] {
    return this.intents.flatMap((i) => [...i.cosigners, ...i.vtxoInputs.map((v) => outpoint(v.txid, v.vout)), ...i.boardingInputs.map((b) => outpoint(b.txid, b.vout))]);
  }

  /** Runs the batch to its end; throws (after publishing BatchFailed) when it fails. */
  async run(walletCoins: () => Promise<ChainCoin[]>): Promise<BatchOutcome> {
    const d = this.deps;
    const expiry = d.vtxoTreeExpiry;
    let topics = this.topicsOfAll();
    try {
      // 1. BatchStarted: every intent confirms, or is dropped from the batch.
      d.publish({ type: SettlementEventType.BatchStarted, id: this.id, intentIdHashes: this.intents.map((i) => i.idHash), batchExpiry: expiry });
      await this.timed('wait.confirmations', () => this.confirm.wait(d.phaseTimeoutMs, this.abort.signal));
      if (this.abort.signal.aborted) throw new ArkRequestError('INTERNAL_ERROR', 'the operator is shutting down');
      const unconfirmed = new Set(this.confirm.missing());
      this.intents = this.intents.filter((i) => !unconfirmed.has(i.id));
      if (this.intents.length === 0) throw new ArkRequestError('INTERNAL_ERROR', 'no intent confirmed its registration');
      topics = this.topicsOfAll();

      // 2. The commitment tx, the VTXO tree and the connector tree.
      const buildStart = performance.now();
      const sweepRoot = sweepTapTreeRoot(d.keys.forfeitXOnly, expiry);
      const leaves: TreeLeaf[] = [];
      for (const i of this.intents) {
        const offchain = i.outputs.filter((o) => !o.onchain);
        if (offchain.length > 0) leaves.push({ outputs: offchain.map((o) => ({ script: o.script, amount: o.amount })), cosigners: [...i.cosigners, d.keys.signerCompressedHex] });
      }
      const onchainOutputs = this.intents.flatMap((i) => i.outputs.filter((o) => o.onchain).map((o) => ({ script: o.script, amount: o.amount })));
      const forfeited = this.vtxoInputs().filter((v) => v.needsForfeit);
      const cLeaves = forfeited.length > 0 ? connectorLeaves(d.keys.connectorScript, forfeited.length, d.dust) : [];
      // Planned once: the key aggregation (most of the cost) serves both the output and the txs.
      const vtxoPlan = leaves.length > 0 ? planVtxoTree(leaves, sweepRoot, expiry) : undefined;
      const connectorPlan = cLeaves.length > 0 ? planConnectorTree(cLeaves) : undefined;
      const batchOutput = vtxoPlan ? vtxoPlan.output : null;
      const connectorOutput = connectorPlan ? connectorPlan.output : null;
      this.built = await this.timed('commitment.build', () => this.fund(walletCoins, batchOutput, connectorOutput, onchainOutputs));
      const unsigned = this.built.tx;
      this.commitment = unsigned.clone();
      const commitmentTxid = unsigned.id;
      let vtxoTree: TxTree | undefined = vtxoPlan?.build({ txid: commitmentTxid, vout: 0 });
      const connectorVout = batchOutput ? 1 : 0;
      const connectorTree = connectorPlan?.build({ txid: commitmentTxid, vout: connectorVout });
      let connectorChunks: ReturnType<typeof flattenTree> = [];
      if (connectorTree) {
        // Connector leaf i is reserved for forfeited VTXO i (intent order, input order: the order the
        // SDK wallet walks its inputs); its branch is streamed only to that VTXO's topic.
        const leafOutpoints = connectorTree.leaves().map((l) => outpoint(l.id, 0));
        const byConnector = assignConnectors(leafOutpoints, forfeited.map((v) => outpoint(v.txid, v.vout)));
        const connectors: ForfeitContext['connectors'] = new Map();
        for (const leaf of connectorTree.leaves()) {
          const o = leaf.getOutput(0);
          const k = outpoint(leaf.id, 0);
          connectors.set(k, { amount: o.amount!, pkScript: o.script!, vtxo: byConnector.get(k)! });
        }
        this.forfeitCtx = {
          vtxos: new Map(forfeited.map((v) => [outpoint(v.txid, v.vout), { amount: v.amount, pkScript: v.pkScript }])),
          connectors,
          forfeitOutputScript: d.keys.forfeitOutputScript,
          operatorXOnly: d.keys.signerXOnly,
        };
        connectorChunks = flattenTree(connectorTree, (node) => {
          const out: string[] = [];
          for (const l of node.leaves()) {
            const v = byConnector.get(outpoint(l.id, 0));
            if (v) out.push(v);
          }
          return out;
        });
      }

      // 3. Tree signing: the users' cosigner keys and S, every node.
      d.onPhase?.('tree.build', performance.now() - buildStart);
      if (vtxoTree) {
        const chunks = this.timed('tree.flatten', () => flattenTree(vtxoTree!));
        for (const c of chunks) d.publish({ type: SettlementEventType.TreeTx, id: this.id, topic: c.topic, batchIndex: 0, chunk: { txid: c.txid, tx: c.tx, children: c.children } }, c.topic);
        const tree = vtxoTree;
        this.signing = this.timed('musig.setup', () => new TreeSigningSession(tree, sweepRoot, batchOutput!.amount, d.keys.signerSecret));
        const users = this.signing.userCosignerKeys();
        this.nonces = new PhaseGate(new Set(users));
        this.sigs = new PhaseGate(new Set(users));
        this.phase = 'nonces';
        d.publish({ type: SettlementEventType.TreeSigningStarted, id: this.id, cosignersPublicKeys: this.signing.userCosignerKeys(), unsignedCommitmentTx: base64.encode(unsigned.toPSBT()) }, topics);
        const nonces = this.nonces;
        if (!(await this.timed('wait.nonces', () => nonces.wait(d.phaseTimeoutMs, this.abort.signal)))) throw new ArkRequestError('SIGNING_SESSION_TIMED_OUT', `musig2 signing session timed out (nonce collection): missing ${this.nonces.missing().join(', ')}`);
        this.phase = 'signatures';
        for (const c of chunks) d.publish({ type: SettlementEventType.TreeNonces, id: this.id, topic: c.topic, txid: c.txid, nonces: decodeNonceMap(this.signing.noncesFor(c.txid)) }, c.topic);
        const sigGate = this.sigs;
        if (!(await this.timed('wait.signatures', () => sigGate.wait(d.phaseTimeoutMs, this.abort.signal)))) throw new ArkRequestError('SIGNING_SESSION_TIMED_OUT', `musig2 signing session timed out (signatures collection): missing ${this.sigs.missing().join(', ')}`);
        const signing = this.signing;
        vtxoTree = this.timed('musig.aggregate', () => signing.finalize());
        const sigs = this.signing.signatures();
        for (const c of chunks) d.publish({ type: SettlementEventType.TreeSignature, id: this.id, topic: c.topic, batchIndex: 0, txid: c.txid, signature: sigs[c.txid]! }, c.topic);
      }

      // 4. Forfeits and boarding signatures.
      for (const c of connectorChunks) d.publish({ type: SettlementEventType.TreeTx, id: this.id, topic: c.topic, batchIndex: 1, chunk: { txid: c.txid, tx: c.tx, children: c.children } }, c.topic);
      this.forfeitGate = new PhaseGate(new Set(forfeited.map((v) => outpoint(v.txid, v.vout))));
      this.boardingGate = new PhaseGate(new Set(this.boardingInputs().map((b) => outpoint(b.txid, b.vout))));
      this.phase = 'forfeits';
      d.publish({ type: SettlementEventType.BatchFinalization, id: this.id, commitmentTx: base64.encode(unsigned.toPSBT()) }, topics);
      const fGate = this.forfeitGate;
      const bGate = this.boardingGate;
      const [fOk, bOk] = await this.timed('wait.forfeits', () => Promise.all([fGate.wait(d.phaseTimeoutMs, this.abort.signal), bGate.wait(d.phaseTimeoutMs, this.abort.signal)]));
      if (!fOk) throw new ArkRequestError('INVALID_FORFEIT_TXS', `forfeits missing for ${this.forfeitGate.missing().join(', ')}`);
      if (!bOk) throw new ArkRequestError('INVALID_BOARDING_INPUT_SIG', `boarding signatures missing for ${this.boardingGate.missing().join(', ')}`);

      // 5. The operator's signatures, then the broadcast.
      const signStart = performance.now();
      let final = cosignBoardingInputs(this.commitment!, this.built.boardingInputIndexes, d.keys.signerSecret, { verifiedByMerge: this.mergedInputs });
      final = d.keys.signWalletInputs(final);
      final.finalize();
      if (final.id !== commitmentTxid) throw new Error('commitment txid changed while signing');
      const txHex = hex.encode(final.extract());
      d.onPhase?.('commitment.sign', performance.now() - signStart);
      this.phase = 'done';
      await this.timed('commitment.broadcast', () => d.chain.broadcast(txHex));
      const signedForfeits = this.timed('forfeits.cosign', () => [...this.forfeits.values()].map((f) => ({ vtxo: f.vtxo, tx: cosignForfeit(f, d.keys.signerSecret, d.keys.forfeitSecret) })));
      const outcome = this.timed('outcome', () => this.outcome(final, txHex, vtxoTree, connectorTree, signedForfeits));
      d.publish({ type: SettlementEventType.BatchFinalized, id: this.id, commitmentTxid }, topics);
      return outcome;
    } catch (e) {
      this.phase = 'done';
      const reason = e instanceof Error ? e.message : String(e);
      d.log(`batch ${this.id} failed: ${reason}`);
      d.publish({ type: SettlementEventType.BatchFailed, id: this.id, reason }, topics);
      throw e;
    }
  }

  /** The operator's coins, largest first, until they cover the outputs and the fee. */
  private async fund(walletCoins: () => Promise<ChainCoin[]>, batchOutput: { script: Uint8Array; amount: bigint } | null, connectorOutput: { script: Uint8Array; amount: bigint } | null, onchainOutputs: { script: Uint8Array; amount: bigint }[]): Promise<BuiltCommitmentTx> {
    const coins = (await walletCoins()).filter((c) => c.confirmations >= 1).sort((a, b) => (a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : 0));
    const feeRate = await this.deps.chain.feeRate();
    const boardingInputs = this.boardingInputs().map((b) => ({ txid: b.txid, vout: b.vout, amount: b.amount, pkScript: b.pkScript, tapTree: b.tapTree }));
    let lastError: unknown;
    for (let n = boardingInputs.length > 0 ? 0 : 1; n <= coins.length; n++) {
      try {
        return buildCommitmentTx({
          boardingInputs,
          walletInputs: coins.slice(0, n).map((c) => ({ txid: c.txid, vout: c.vout, amount: c.amount, pkScript: c.pkScript })),
          batchOutput,
          connectorOutput,
          onchainOutputs,
          changeScript: this.deps.keys.walletScript,
          feeRate,
          dust: this.deps.dust,
        });
      } catch (e) {
        if (!(e instanceof CommitmentFundingError)) throw e;
        lastError = e;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('the operator wallet cannot fund this batch');
  }

  private outcome(final: Transaction, txHex: string, vtxoTree: TxTree | undefined, connectorTree: TxTree | undefined, forfeits: { vtxo: string; tx: Transaction }[]): BatchOutcome {
    const now = this.deps.now();
    const txid = final.id;
    const virtualTxs: VirtualTxRecord[] = [];
    const newVtxos: VtxoRecord[] = [];
    const treeTxids: string[] = [];
    if (vtxoTree) {
      for (const node of flattenTree(vtxoTree)) {
        virtualTxs.push({ txid: node.txid, kind: 'tree', psbt: node.tx, commitmentTxid: txid, children: node.children });
        treeTxids.push(node.txid);
      }
      for (const leaf of vtxoTree.leaves()) {
        for (let i = 0; i < leaf.outputsLength; i++) {
          const o = leaf.getOutput(i);
          if (!o.script || o.amount === undefined || isAnchor(o.script)) continue;
          newVtxos.push({
            txid: leaf.id, vout: i, amount: o.amount, script: hex.encode(o.script), createdAt: now, expiresAt: 0,
            commitmentTxids: [txid], batch: outpoint(txid, 0), preconfirmed: false, swept: false, unrolled: false, spentBy: '', settledBy: '', arkTxid: '',
          });
        }
      }
    }
    const connectorTxids: string[] = [];
    if (connectorTree) {
      for (const node of flattenTree(connectorTree)) {
        virtualTxs.push({ txid: node.txid, kind: 'connector', psbt: node.tx, commitmentTxid: txid, children: node.children });
        connectorTxids.push(node.txid);
      }
    }
    const forfeitByVtxo: Record<string, string> = {};
    for (const f of forfeits) {
      virtualTxs.push({ txid: f.tx.id, kind: 'forfeit', psbt: base64.encode(f.tx.toPSBT()), commitmentTxid: txid, spends: [f.vtxo] });
      forfeitByVtxo[f.vtxo] = f.tx.id;
    }
    const spentVtxos: VtxoRecord[] = this.vtxoInputs().map((v) => ({ ...v.record, spentBy: txid, settledBy: txid }));
    const batch: BatchRecord = {
      id: this.id,
      commitmentTxid: txid,
      commitmentTxHex: txHex,
      startedAt: now,
      endedAt: now,
      batchAmount: vtxoTree ? final.getOutput(0).amount! : 0n,
      expiryBlocks: Number(this.deps.vtxoTreeExpiry),
      confirmedHeight: 0,
      vtxoTreeTxids: treeTxids,
      connectorTxids,
      forfeitTxids: Object.values(forfeitByVtxo),
      forfeitByVtxo,
      totalInputAmount: this.vtxoInputs().reduce((s, v) => s + v.amount, 0n) + this.boardingInputs().reduce((s, b) => s + b.amount, 0n),
      totalInputVtxos: this.vtxoInputs().length,
      totalOutputAmount: newVtxos.reduce((s, v) => s + v.amount, 0n),
      totalOutputVtxos: newVtxos.length,
      sweptBy: [],
    };
    return { commitmentTxid: txid, txHex, spentVtxos, newVtxos, change: { vtxos: [...spentVtxos, ...newVtxos], virtualTxs, batches: [batch] } };
  }
}

/** TreeNonces carries each cosigner's public nonce; the SDK's provider type wants the decoded bytes. */
function decodeNonceMap(m: Record<string, string>): Map<string, { pubNonce: Uint8Array }> {
  return new Map(Object.entries(m).map(([k, v]) => [k, { pubNonce: hex.decode(v) }]));
}

function isAnchor(script: Uint8Array): boolean {
  return script.length === ANCHOR_PKSCRIPT.length && script.every((b, i) => b === ANCHOR_PKSCRIPT[i]);
}
