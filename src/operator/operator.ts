import { CSVMultisigTapscript, VtxoScript, decodeTapscript, scriptFromTapLeafScript, type RelativeTimelock, type TapLeafScript } from '@arkade-os/sdk';
import { Transaction, SigHash } from '@scure/btc-signer';
import { hex } from '@scure/base';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import type { KeyPair } from '../bitcoin/keys.js';
import { assertRelative } from '../bitcoin/timelocks.js';
import { TX_OPTS, assertLeafFullySigned, buildLeafSpend, signLeafInput } from '../bitcoin/tx.js';
import { planVtxoTree, buildVtxoTree, signTreeMusig2, sweepTapscript, type VtxoTree } from '../bitcoin/vtxo-tree.js';
import { buildArkTransaction, type ArkInput, type ArkTransaction } from '../bitcoin/ark-tx.js';
import { exitStep, type ExitPackage, type ExitStep } from '../bitcoin/exit-package.js';
import { assertVtxoScript } from './rules.js';

export interface OperatorConfig {
  key: KeyPair;
  /** Minimum CSV of unilateral leaves; also the checkpoint unroll delay. */
  exitDelay: RelativeTimelock;
  /** Batch expiry: CSV of the sweep leaf on every tree output. */
  batchExpiry: RelativeTimelock;
  radix?: number;
}

/** A key-path P2TR UTXO the operator spends to fund a commitment tx. */
export interface FundingUtxo {
  txid: string;
  vout: number;
  amount: bigint;
  pkScript: Uint8Array;
  key: KeyPair;
}

export interface VtxoRequest {
  vtxoScript: VtxoScript;
  amount: bigint;
  /** Owners who co-sign the tree branch (MuSig2 with S). */
  cosigners: KeyPair[];
  /** Contract VTXOs may use height CLTVs (HashPerp's ASP extension). */
  contract: boolean;
}

export interface VtxoRecord {
  id: string;
  txid: string;
  vout: number;
  amount: bigint;
  vtxoScript: VtxoScript;
  batchId: string;
  state: 'live' | 'spent' | 'renewed' | 'swept';
  contract: boolean;
  exitSteps: ExitStep[];
}

export interface Batch {
  id: string;
  commitmentTx: Transaction;
  commitmentHex: string;
  batchVout: number;
  changeVout: number | undefined;
  tree: VtxoTree;
  vtxoIds: string[];
  state: 'live' | 'swept';
}

const outpoint = (txid: string, vout: number): string => `${txid}:${vout}`;

/**
 * An Ark-style operator: builds batches (commitment tx + MuSig2-signed VTXO tree with a sweep leaf),
 * co-signs offchain transfers (checkpoint per input + Ark tx) after applying the VTXO rules, keeps
 * every VTXO's exit package, renews and sweeps.
 */
export class ArkOperator {
  readonly vtxos = new Map<string, VtxoRecord>();
  readonly batches = new Map<string, Batch>();
  constructor(readonly cfg: OperatorConfig) {
    assertRelative('exitDelay', cfg.exitDelay);
    assertRelative('batchExpiry', cfg.batchExpiry);
  }

  get pubkey(): Uint8Array {
    return this.cfg.key.publicKey;
  }

  /** Leaf S uses to reclaim an abandoned checkpoint (arkd's server unroll closure). */
  serverUnroll(): CSVMultisigTapscript.Type {
    return CSVMultisigTapscript.encode({ timelock: this.cfg.exitDelay, pubkeys: [this.pubkey] });
  }

  /** arkd's rules (rules.ts) with arkd's own switch: block timelocks only when the tree expiry is in blocks. */
  private checkScript(s: VtxoScript, contract: boolean): void {
    assertVtxoScript(s.scripts, { operator: this.pubkey, minExitDelay: this.cfg.exitDelay, blockTypeAllowed: this.cfg.batchExpiry.type === 'blocks', contract, requireExitLeaf: true });
  }

  createBatch(funding: FundingUtxo, requests: VtxoRequest[], changeScript: Uint8Array, commitmentFee: bigint): Batch {
    requests.forEach((r) => this.checkScript(r.vtxoScript, r.contract));
    const plan = planVtxoTree({
      leaves: requests.map((r) => ({ pkScript: r.vtxoScript.pkScript, amount: r.amount, cosigners: r.cosigners.map((k) => k.publicKey) })),
      operator: this.pubkey,
      sweepDelay: this.cfg.batchExpiry,
      ...(this.cfg.radix !== undefined ? { radix: this.cfg.radix } : {}),
    });
    const change = funding.amount - plan.batchOutput.amount - commitmentFee;
    if (change < 0n) throw new InvalidArgumentError('funding', `needs ${plan.batchOutput.amount + commitmentFee} sat, has ${funding.amount}`);
    const commitmentTx = new Transaction({ ...TX_OPTS, version: 2 });
    commitmentTx.addInput({ txid: funding.txid, index: funding.vout, witnessUtxo: { script: funding.pkScript, amount: funding.amount }, tapInternalKey: funding.key.publicKey });
    commitmentTx.addOutput({ script: plan.batchOutput.pkScript, amount: plan.batchOutput.amount });
    const changeVout = change >= 546n ? (commitmentTx.addOutput({ script: changeScript, amount: change }), 1) : undefined;
    commitmentTx.signIdx(funding.key.secretKey, 0, [SigHash.DEFAULT]);
    commitmentTx.finalize();
    const tree = buildVtxoTree(plan, commitmentTx.id, 0);
    signTreeMusig2(tree, [this.cfg.key, ...requests.flatMap((r) => r.cosigners)]);
    for (const n of tree.all()) n.tx.finalize();
    const batchId = commitmentTx.id;
    const vtxoIds = requests.map((r, i) => {
      const { txid, vout, branch } = tree.vtxo(i);
      const steps = branch.map((n) => exitStep('tree', `tree depth ${n.depth}`, n.tx));
      const rec: VtxoRecord = { id: outpoint(txid, vout), txid, vout, amount: r.amount, vtxoScript: r.vtxoScript, batchId, state: 'live', contract: r.contract, exitSteps: steps };
      this.vtxos.set(rec.id, rec);
      return rec.id;
    });
    const batch: Batch = { id: batchId, commitmentTx, commitmentHex: hex.encode(commitmentTx.extract()), batchVout: 0, changeVout, tree, vtxoIds, state: 'live' };
    this.batches.set(batchId, batch);
    return batch;
  }

  vtxo(id: string): VtxoRecord {
    const v = this.vtxos.get(id);
    if (!v) throw new HashPerpError('vtxo_unknown', `unknown VTXO ${id}`, { field: 'vtxo' });
    return v;
  }

  arkInput(id: string, leaf: TapLeafScript): ArkInput {
    const v = this.vtxo(id);
    return { txid: v.txid, vout: v.vout, amount: v.amount, vtxoScript: v.vtxoScript, leaf };
  }

  /** Builds the checkpoints and Ark tx for a transfer; the owners sign it, then `cosign`. */
  proposeTransfer(inputs: { id: string; leaf: TapLeafScript }[], outputs: { vtxoScript: VtxoScript; amount: bigint; contract: boolean }[]): ArkTransaction {
    for (const i of inputs) {
      const v = this.vtxo(i.id);
      if (v.state !== 'live') throw new HashPerpError('vtxo_not_live', `VTXO ${i.id} is ${v.state}`, { field: 'inputs' });
      const t = decodeTapscript(scriptFromTapLeafScript(i.leaf));
      if (CSVMultisigTapscript.is(t) || 'timelock' in (t.params as object)) throw new HashPerpError('offchain_leaf_required', `leaf of ${i.id} is a unilateral leaf`, { field: 'inputs' });
      if (!(t.params as { pubkeys: Uint8Array[] }).pubkeys.some((k) => hex.encode(k) === hex.encode(this.pubkey))) throw new HashPerpError('offchain_leaf_required', `leaf of ${i.id} lacks S`, { field: 'inputs' });
      v.vtxoScript.findLeaf(hex.encode(scriptFromTapLeafScript(i.leaf)));
    }
    outputs.forEach((o) => this.checkScript(o.vtxoScript, o.contract));
    return buildArkTransaction(
      inputs.map((i) => this.arkInput(i.id, i.leaf)),
      outputs.map((o) => ({ script: o.vtxoScript.pkScript, amount: o.amount })),
      this.serverUnroll(),
    );
  }

  /**
   * Co-signs a transfer the owners signed, marks inputs spent, records the new VTXOs with their exit
   * packages (parent's steps + checkpoint + Ark tx). Returns the new VTXO ids.
   */
  cosign(inputs: { id: string }[], ark: ArkTransaction, outputs: { vtxoScript: VtxoScript; amount: bigint; contract: boolean }[]): string[] {
    for (const c of ark.checkpoints) signLeafInput(c.tx, 0, [this.cfg.key]);
    for (let i = 0; i < ark.arkTx.inputsLength; i++) signLeafInput(ark.arkTx, i, [this.cfg.key]);
    for (const c of ark.checkpoints) assertLeafFullySigned(c.tx, 0);
    for (let i = 0; i < ark.arkTx.inputsLength; i++) assertLeafFullySigned(ark.arkTx, i);
    for (const c of ark.checkpoints) c.tx.finalize();
    ark.arkTx.finalize();
    const parents = inputs.map((i) => this.vtxo(i.id));
    parents.forEach((p) => (p.state = 'spent'));
    return outputs.map((o, vout) => {
      const steps: ExitStep[] = [];
      const seen = new Set<string>();
      parents.forEach((p, j) => {
        for (const s of p.exitSteps) if (!seen.has(s.txid)) (seen.add(s.txid), steps.push(s));
        steps.push(exitStep('checkpoint', `checkpoint ${j}`, ark.checkpoints[j]!.tx));
      });
      steps.push(exitStep('ark', 'ark tx', ark.arkTx));
      const rec: VtxoRecord = { id: outpoint(ark.arkTx.id, vout), txid: ark.arkTx.id, vout, amount: o.amount, vtxoScript: o.vtxoScript, batchId: parents[0]!.batchId, state: 'live', contract: o.contract, exitSteps: steps };
      this.vtxos.set(rec.id, rec);
      return rec.id;
    });
  }

  exitPackage(id: string): ExitPackage {
    const v = this.vtxo(id);
    const b = this.batches.get(v.batchId)!;
    return {
      version: 1,
      vtxo: { txid: v.txid, vout: v.vout, amount: v.amount.toString(), scriptPubKey: hex.encode(v.vtxoScript.pkScript), tapTree: hex.encode(v.vtxoScript.encode()) },
      commitmentTxid: b.id,
      batchVout: b.batchVout,
      steps: v.exitSteps,
    };
  }

  exportExitPackages(): ExitPackage[] {
    return [...this.vtxos.values()].filter((v) => v.state === 'live').map((v) => this.exitPackage(v.id));
  }

  /** Renewal: the live VTXOs move into a new batch with the same scripts; the old ones are marked renewed. */
  renew(ids: string[], funding: FundingUtxo, cosigners: KeyPair[], changeScript: Uint8Array, commitmentFee: bigint): { batch: Batch; renewed: Map<string, string> } {
    const olds = ids.map((id) => this.vtxo(id));
    olds.forEach((o) => {
      if (o.state !== 'live') throw new HashPerpError('vtxo_not_live', `VTXO ${o.id} is ${o.state}`, { field: 'ids' });
    });
    const batch = this.createBatch(
      funding,
      olds.map((o) => ({ vtxoScript: o.vtxoScript, amount: o.amount, cosigners, contract: o.contract })),
      changeScript,
      commitmentFee,
    );
    const renewed = new Map<string, string>();
    olds.forEach((o, i) => {
      o.state = 'renewed';
      renewed.set(o.id, batch.vtxoIds[i]!);
    });
    return { batch, renewed };
  }

  /** The sweep of an expired batch output through its CSV(expiry) + S leaf; an ordinary tx paying `fee` from the swept amount. */
  sweepTx(batchId: string, to: Uint8Array, fee: bigint): Transaction {
    const b = this.batches.get(batchId);
    if (!b) throw new HashPerpError('batch_unknown', `unknown batch ${batchId}`, { field: 'batch' });
    const out = b.tree.plan.batchOutput;
    const sweep = sweepTapscript(this.pubkey, this.cfg.batchExpiry);
    if (hex.encode(scriptFromTapLeafScript(out.sweepLeaf)) !== hex.encode(sweep.script)) throw new HashPerpError('internal_error', 'sweep leaf mismatch');
    const tx = buildLeafSpend({ txid: b.id, vout: b.batchVout, amount: out.amount, pkScript: out.pkScript, leaf: out.sweepLeaf }, { script: to, amount: out.amount - fee });
    signLeafInput(tx, 0, [this.cfg.key]);
    tx.finalize();
    return tx;
  }

  markSwept(batchId: string): void {
    const b = this.batches.get(batchId);
    if (!b) return;
    b.state = 'swept';
    for (const id of b.vtxoIds) {
      const v = this.vtxos.get(id);
      if (v && v.state === 'live') v.state = 'swept';
    }
  }
}

