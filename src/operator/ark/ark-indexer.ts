/**
 * arkd's IndexerService over the operator's store: VTXOs by script or outpoint, the chain of
 * virtual transactions behind a VTXO (what the SDK's Unroll broadcasts), trees, connectors,
 * forfeits, virtual txs, and script subscriptions fed by the operator's changes.
 */
import type { ChainTx, CommitmentTx, Outpoint, PageResponse, SubscriptionResponse } from '@arkade-os/sdk';
import { ChainTxType } from '@arkade-os/sdk';
import { randomBytes } from '@noble/hashes/utils.js';
import { hex } from '@scure/base';
import type { ArkOperator } from './ark-operator.js';
import type { ArkStore, VtxoRecord } from './ark-store.js';
import { ArkRequestError, type ArkIndexerPort, type Page, type TreeTxRef, type VtxoQuery } from './ports.js';
import { toWireVtxo } from './wire-vtxo.js';
import { EventBus } from './event-bus.js';
import { outpointKey as op } from './outpoint.js';

const DEFAULT_PAGE = 1000;

function paginate<T>(all: T[], page?: Page): { items: T[]; page?: PageResponse } {
  if (!page) return { items: all };
  const size = page.size > 0 ? page.size : DEFAULT_PAGE;
  const total = Math.ceil(all.length / size);
  const items = all.slice(page.index * size, (page.index + 1) * size);
  return { items, page: { current: page.index, next: page.index + 1 < total ? page.index + 1 : page.index, total } };
}


export class ArkIndexer implements ArkIndexerPort {
  private readonly subscriptions = new Map<string, Set<string>>();
  private readonly subBus = new EventBus<SubscriptionResponse & { subscriptionId: string }>();

  constructor(private readonly store: ArkStore, operator: ArkOperator) {
    void (async () => {
      const ctl = new AbortController();
      for await (const ch of operator.scriptEvents.subscribe([], ctl.signal)) {
        for (const [id, scripts] of this.subscriptions) {
          const touched = (rs: VtxoRecord[]) => rs.filter((r) => scripts.has(r.script));
          const newV = touched(ch.newVtxos);
          const spentV = touched(ch.spentVtxos);
          const sweptV = touched(ch.sweptVtxos);
          if (newV.length + spentV.length + sweptV.length === 0) continue;
          const mine = [...new Set([...newV, ...spentV, ...sweptV].map((r) => r.script))];
          const conv = (rs: VtxoRecord[]) => rs.map((r) => ({ ...convertForSubscription(r) }));
          this.subBus.publish(
            { subscriptionId: id, txid: ch.txid, scripts: mine, newVtxos: conv(newV), spentVtxos: conv(spentV), sweptVtxos: conv(sweptV), ...(ch.tx ? { tx: ch.tx } : {}), ...(ch.checkpointTxs ? { checkpointTxs: ch.checkpointTxs } : {}) },
            [id],
          );
        }
      }
    })();
  }

  async getVtxos(q: VtxoQuery) {
    let rs: VtxoRecord[];
    if (q.scripts && q.scripts.length > 0) rs = q.scripts.flatMap((s) => this.store.vtxosByScript(s));
    else if (q.outpoints && q.outpoints.length > 0) rs = q.outpoints.map((o) => this.store.vtxo(o.txid, o.vout)).filter((r): r is VtxoRecord => r !== undefined);
    else throw new ArkRequestError('INVALID_REQUEST', 'give scripts or outpoints', 'scripts');
    if (q.spendableOnly) rs = rs.filter((r) => r.spentBy === '' && !r.swept && !r.unrolled);
    if (q.spentOnly) rs = rs.filter((r) => r.spentBy !== '');
    if (q.recoverableOnly) rs = rs.filter((r) => r.swept && r.spentBy === '');
    if (q.pendingOnly) rs = rs.filter((r) => r.preconfirmed && r.spentBy === '');
    // after/before are unix milliseconds of the last update (arkd's indexer.proto); 0 means unbounded.
    const at = (r: VtxoRecord) => r.updatedAt ?? r.createdAt * 1000;
    if (q.after) rs = rs.filter((r) => at(r) > q.after!);
    if (q.before) rs = rs.filter((r) => at(r) < q.before!);
    rs.sort((a, b) => b.createdAt - a.createdAt || (a.txid < b.txid ? -1 : 1));
    const { items, page } = paginate(rs, q.page);
    return { vtxos: items.map(toWireVtxo), ...(page ? { page } : {}) };
  }

  private batchOf(batch: Outpoint) {
    const b = this.store.batch(batch.txid);
    if (!b || batch.vout !== 0) throw new ArkRequestError('TX_NOT_FOUND', `no batch at ${op(batch.txid, batch.vout)}`, 'batchOutpoint');
    return b;
  }

  private refs(txids: string[]): TreeTxRef[] {
    return txids.map((txid) => ({ txid, children: this.store.virtualTx(txid)?.children ?? {} }));
  }

  async getVtxoTree(batch: Outpoint, page?: Page) {
    const { items, page: p } = paginate(this.refs(this.batchOf(batch).vtxoTreeTxids), page);
    return { vtxoTree: items, ...(p ? { page: p } : {}) };
  }

  async getVtxoTreeLeaves(batch: Outpoint, page?: Page) {
    const leaves = this.refs(this.batchOf(batch).vtxoTreeTxids)
      .filter((r) => Object.keys(r.children).length === 0)
      .map((r) => ({ txid: r.txid, vout: 0 }));
    const { items, page: p } = paginate(leaves, page);
    return { leaves: items, ...(p ? { page: p } : {}) };
  }

  async getBatchSweepTransactions(batch: Outpoint) {
    return { sweptBy: this.batchOf(batch).sweptBy };
  }

  async getCommitmentTx(txid: string): Promise<CommitmentTx> {
    const b = this.store.batch(txid);
    if (!b) throw new ArkRequestError('TX_NOT_FOUND', `no commitment tx ${txid}`, 'txid');
    return {
      startedAt: String(b.startedAt),
      endedAt: String(b.endedAt),
      batches: b.batchAmount > 0n ? { '0': { totalOutputAmount: b.batchAmount.toString(), totalOutputVtxos: b.totalOutputVtxos, expiresAt: String(b.confirmedHeight > 0 ? b.confirmedHeight + b.expiryBlocks : 0), swept: b.sweptBy.length > 0 } } : {},
      totalInputAmount: b.totalInputAmount.toString(),
      totalInputVtxos: b.totalInputVtxos,
      totalOutputAmount: b.totalOutputAmount.toString(),
      totalOutputVtxos: b.totalOutputVtxos,
    };
  }

  async getCommitmentTxConnectors(txid: string, page?: Page) {
    const b = this.store.batch(txid);
    if (!b) throw new ArkRequestError('TX_NOT_FOUND', `no commitment tx ${txid}`, 'txid');
    const { items, page: p } = paginate(this.refs(b.connectorTxids), page);
    return { connectors: items, ...(p ? { page: p } : {}) };
  }

  async getCommitmentTxForfeitTxs(txid: string, page?: Page) {
    const b = this.store.batch(txid);
    if (!b) throw new ArkRequestError('TX_NOT_FOUND', `no commitment tx ${txid}`, 'txid');
    const { items, page: p } = paginate(b.forfeitTxids, page);
    return { txids: items, ...(p ? { page: p } : {}) };
  }

  async getVirtualTxs(txids: string[], page?: Page) {
    const txs = txids.map((t) => this.store.virtualTx(t)?.psbt).filter((t): t is string => t !== undefined);
    const { items, page: p } = paginate(txs, page);
    return { txs: items, ...(p ? { page: p } : {}) };
  }

  /** arkd's walk: an Ark tx and its checkpoints for a preconfirmed VTXO, the tree branch and the commitment for a settled one. */
  async getVtxoChain(vtxo: Outpoint, page?: Page) {
    const start = this.store.vtxo(vtxo.txid, vtxo.vout);
    if (!start) throw new ArkRequestError('VTXO_NOT_FOUND', `no VTXO ${op(vtxo.txid, vtxo.vout)}`, 'outpoint');
    const chain: ChainTx[] = [];
    const visited = new Set<string>();
    let frontier: VtxoRecord[] = [start];
    while (frontier.length > 0) {
      const next: VtxoRecord[] = [];
      for (const v of frontier) {
        const k = op(v.txid, v.vout);
        if (visited.has(k)) continue;
        visited.add(k);
        const expiresAt = String(v.expiresAt);
        if (v.preconfirmed) {
          const ark = this.store.virtualTx(v.txid);
          if (!ark) throw new ArkRequestError('TX_NOT_FOUND', `Ark tx ${v.txid} missing`, 'outpoint');
          const cps = ark.spends ?? [];
          chain.push({ txid: v.txid, expiresAt, type: ChainTxType.ARK, spends: cps });
          for (const cp of cps) {
            const rec = this.store.virtualTx(cp);
            const prev = rec?.spends?.[0] ?? '';
            const [ptxid, pvout] = prev.split(':');
            // arkd lists the parent txid (the tx holding the spent VTXO), not the outpoint.
            chain.push({ txid: cp, expiresAt, type: ChainTxType.CHECKPOINT, spends: ptxid ? [ptxid] : [] });
            const pv = ptxid ? this.store.vtxo(ptxid, Number(pvout)) : undefined;
            if (pv) next.push(pv);
          }
          continue;
        }
        const b = this.store.batch(v.batch.split(':')[0]!);
        if (!b) throw new ArkRequestError('TX_NOT_FOUND', `batch of ${k} missing`, 'outpoint');
        const branch = this.branchTo(b.vtxoTreeTxids, v.txid);
        for (let i = branch.length - 1; i >= 0; i--) {
          chain.push({ txid: branch[i]!, expiresAt, type: ChainTxType.TREE, spends: [i === 0 ? b.commitmentTxid : branch[i - 1]!] });
        }
        chain.push({ txid: b.commitmentTxid, expiresAt, type: ChainTxType.COMMITMENT, spends: [] });
      }
      frontier = next;
    }
    const { items, page: p } = paginate(chain, page);
    return { chain: items, ...(p ? { page: p } : {}) };
  }

  /** Tree txids from the root down to `leaf`. */
  private branchTo(treeTxids: string[], leaf: string): string[] {
    const parentOf = new Map<string, string>();
    for (const t of treeTxids) for (const c of Object.values(this.store.virtualTx(t)?.children ?? {})) parentOf.set(c, t);
    const path = [leaf];
    let cur = leaf;
    while (parentOf.has(cur)) {
      cur = parentOf.get(cur)!;
      path.unshift(cur);
    }
    return path;
  }

  async subscribeForScripts(scripts: string[], subscriptionId?: string): Promise<string> {
    for (const s of scripts) if (!/^[0-9a-f]{2,}$/i.test(s) || s.length % 2 !== 0) throw new ArkRequestError('INVALID_REQUEST', `script ${s} is not hex`, 'scripts');
    const id = subscriptionId && this.subscriptions.has(subscriptionId) ? subscriptionId : hex.encode(randomBytes(16));
    const set = this.subscriptions.get(id) ?? new Set<string>();
    for (const s of scripts) set.add(s.toLowerCase());
    this.subscriptions.set(id, set);
    return id;
  }

  async unsubscribeForScripts(subscriptionId: string, scripts?: string[]): Promise<void> {
    const set = this.subscriptions.get(subscriptionId);
    if (!set) return;
    if (!scripts || scripts.length === 0) this.subscriptions.delete(subscriptionId);
    else for (const s of scripts) set.delete(s.toLowerCase());
  }

  /** Throws before streaming for an unknown id, so the client gets a 4xx instead of a stream that fails. */
  subscription(subscriptionId: string, signal: AbortSignal): AsyncIterable<SubscriptionResponse> {
    if (!this.subscriptions.has(subscriptionId)) throw new ArkRequestError('INVALID_REQUEST', `no subscription ${subscriptionId}`, 'subscriptionId');
    const events = this.subBus.subscribe([subscriptionId], signal);
    return (async function* () {
      for await (const e of events) {
        const { subscriptionId: _id, ...rest } = e;
        yield rest;
      }
    })();
  }
}

/** The SDK's subscription payload carries VirtualCoins (the codec turns them back into wire VTXOs). */
function convertForSubscription(r: VtxoRecord): SubscriptionResponse['newVtxos'][number] {
  const isSpent = r.spentBy !== '';
  const state = r.swept ? 'swept' : isSpent ? 'spent' : r.preconfirmed ? 'preconfirmed' : 'settled';
  const expiry = r.expiresAt <= 0 ? {} : r.expiresAt >= 500_000_000 ? { expiresAt: new Date(r.expiresAt * 1000) } : { expiresAtHeight: r.expiresAt };
  return {
    txid: r.txid,
    vout: r.vout,
    value: Number(r.amount),
    script: r.script,
    createdAt: new Date(r.createdAt * 1000),
    status: { confirmed: !r.swept && !r.preconfirmed, isLeaf: !r.preconfirmed },
    virtualStatus: { state, commitmentTxIds: r.commitmentTxids },
    isPreconfirmed: r.preconfirmed,
    isSwept: r.swept,
    isUnrolled: r.unrolled,
    isSpent,
    spentBy: r.spentBy,
    commitmentTxIds: r.commitmentTxids,
    ...expiry,
    ...(r.settledBy !== '' ? { settledBy: r.settledBy } : {}),
    ...(r.arkTxid !== '' ? { arkTxId: r.arkTxid } : {}),
  } as unknown as SubscriptionResponse['newVtxos'][number];
}
