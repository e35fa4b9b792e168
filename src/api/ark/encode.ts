/**
 * The port's values (the SDK's types) as arkd's JSON: camelCase, int64/uint64 as decimal strings,
 * enums as their names, proto maps as objects with string keys. Each encoder is the inverse of the
 * SDK's parser for that message, so `RestArkProvider`/`RestIndexerProvider` read back what the port
 * returned.
 *
 * Zero values: arkd's gateway emits unpopulated fields; these encoders do too for fields the SDK
 * types as required, and leave out fields the port left undefined (settledBy, arkTxid, assets,
 * page, checkpointTxs) so the SDK reads back undefined rather than "" or [].
 */
import { hex } from '@scure/base';
import {
  SettlementEventType,
  type ArkInfo,
  type ChainTx,
  type CommitmentTx,
  type PageResponse,
  type SettlementEvent,
  type SubscriptionResponse,
  type TxNotification,
  type VirtualCoin,
  type Vtxo,
} from '@arkade-os/sdk';
import type { JsonObject } from './decode.js';
import type { TreeTxRef } from '../../operator/ark/ports.js';

const int64 = (v: bigint | number): string => v.toString();

export function encodeInfo(info: ArkInfo): JsonObject {
  const out: JsonObject = {
    version: info.version,
    signerPubkey: info.signerPubkey,
    forfeitPubkey: info.forfeitPubkey,
    forfeitAddress: info.forfeitAddress,
    checkpointTapscript: info.checkpointTapscript,
    network: info.network,
    sessionDuration: int64(info.sessionDuration),
    unilateralExitDelay: int64(info.unilateralExitDelay),
    boardingExitDelay: int64(info.boardingExitDelay),
    utxoMinAmount: int64(info.utxoMinAmount),
    utxoMaxAmount: int64(info.utxoMaxAmount),
    vtxoMinAmount: int64(info.vtxoMinAmount),
    vtxoMaxAmount: int64(info.vtxoMaxAmount),
    dust: int64(info.dust),
    fees: { intentFee: { ...info.fees.intentFee }, txFeeRate: info.fees.txFeeRate },
    scheduledSession:
      info.scheduledSession === undefined
        ? null
        : {
            nextStartTime: int64(info.scheduledSession.nextStartTime),
            nextEndTime: int64(info.scheduledSession.nextEndTime),
            period: int64(info.scheduledSession.period),
            duration: int64(info.scheduledSession.duration),
            fees: { intentFee: { ...info.scheduledSession.fees.intentFee }, txFeeRate: info.scheduledSession.fees.txFeeRate },
          },
    deprecatedSigners: info.deprecatedSigners.map((s) => ({ pubkey: s.pubkey, cutoffDate: int64(s.cutoffDate) })),
    serviceStatus: { ...info.serviceStatus },
    digest: info.digest,
  };
  return out;
}

/** GetEventStreamResponse: exactly one of its oneof fields. */
export function encodeSettlementEvent(e: SettlementEvent): JsonObject {
  switch (e.type) {
    case SettlementEventType.BatchStarted:
      return { batchStarted: { id: e.id, intentIdHashes: [...e.intentIdHashes], batchExpiry: int64(e.batchExpiry) } };
    case SettlementEventType.BatchFinalization:
      return { batchFinalization: { id: e.id, commitmentTx: e.commitmentTx } };
    case SettlementEventType.BatchFinalized:
      return { batchFinalized: { id: e.id, commitmentTxid: e.commitmentTxid } };
    case SettlementEventType.BatchFailed:
      return { batchFailed: { id: e.id, reason: e.reason } };
    case SettlementEventType.TreeSigningStarted:
      return { treeSigningStarted: { id: e.id, cosignersPubkeys: [...e.cosignersPublicKeys], unsignedCommitmentTx: e.unsignedCommitmentTx } };
    case SettlementEventType.TreeNonces: {
      const nonces: Record<string, string> = {};
      for (const [pubkey, n] of e.nonces) nonces[pubkey] = hex.encode(n.pubNonce);
      return { treeNonces: { id: e.id, topic: [...e.topic], txid: e.txid, nonces } };
    }
    case SettlementEventType.TreeTx:
      return {
        treeTx: {
          id: e.id,
          topic: [...e.topic],
          batchIndex: e.batchIndex,
          txid: e.chunk.txid,
          tx: e.chunk.tx,
          children: childrenMap(e.chunk.children),
        },
      };
    case SettlementEventType.TreeSignature:
      return { treeSignature: { id: e.id, topic: [...e.topic], batchIndex: e.batchIndex, txid: e.txid, signature: e.signature } };
    case SettlementEventType.StreamStarted:
      return { streamStarted: { id: e.id } };
  }
}

function childrenMap(children: Record<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(children)) out[k] = v;
  return out;
}

/** arkd's Vtxo / IndexerVtxo (the same fields). */
export function encodeVtxo(v: Vtxo): JsonObject {
  const out: JsonObject = {
    outpoint: { txid: v.outpoint.txid, vout: v.outpoint.vout },
    createdAt: v.createdAt,
    // arkd's expires_at is an int64: "no expiry" is 0, never null.
    expiresAt: v.expiresAt ?? '0',
    amount: v.amount,
    script: v.script,
    isPreconfirmed: v.isPreconfirmed,
    isSwept: v.isSwept,
    isUnrolled: v.isUnrolled,
    isSpent: v.isSpent,
    spentBy: v.spentBy ?? '',
    commitmentTxids: [...v.commitmentTxids],
  };
  if (v.settledBy !== undefined) out.settledBy = v.settledBy;
  if (v.arkTxid !== undefined) out.arkTxid = v.arkTxid;
  if (v.assets !== undefined) out.assets = v.assets.map((a) => ({ assetId: a.assetId, amount: a.amount }));
  return out;
}

function encodeCheckpoints(c: Record<string, { txid: string; tx: string }> | undefined): JsonObject | undefined {
  if (c === undefined) return undefined;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(c)) out[k] = { txid: v.txid, tx: v.tx };
  return out;
}

function encodeTxNotification(n: TxNotification): JsonObject {
  const out: JsonObject = {
    txid: n.txid,
    tx: n.tx,
    spentVtxos: n.spentVtxos.map(encodeVtxo),
    spendableVtxos: n.spendableVtxos.map(encodeVtxo),
  };
  const cp = encodeCheckpoints(n.checkpointTxs);
  if (cp !== undefined) out.checkpointTxs = cp;
  return out;
}

/** GetTransactionsStreamResponse; undefined when the port yielded neither kind. */
export function encodeTransactionEvent(e: { commitmentTx?: TxNotification; arkTx?: TxNotification }): JsonObject | undefined {
  if (e.commitmentTx !== undefined) return { commitmentTx: encodeTxNotification(e.commitmentTx) };
  if (e.arkTx !== undefined) return { arkTx: encodeTxNotification(e.arkTx) };
  return undefined;
}

/** The SDK's EXPIRY_MIN_PLAUSIBLE_MS: legacy batchExpiry values at or above it are ms timestamps. */
const EXPIRY_MIN_PLAUSIBLE_MS = Date.UTC(2025, 0, 1);

/**
 * The inverse of the SDK's convertVtxo (wallet/vtxo.ts): the port's subscription events carry
 * VirtualCoins, the wire carries IndexerVtxo. Expiry: a timestamp in seconds, or a block height.
 */
export function virtualCoinToVtxo(c: VirtualCoin): Vtxo {
  const state = c.virtualStatus?.state;
  let expiresAt = '0';
  if (c.expiresAt !== undefined) expiresAt = String(Math.floor(new Date(c.expiresAt).getTime() / 1000));
  else if (c.expiresAtHeight !== undefined) expiresAt = String(c.expiresAtHeight);
  else if (c.virtualStatus?.batchExpiry !== undefined && c.virtualStatus.batchExpiry > 0) {
    const b = c.virtualStatus.batchExpiry;
    expiresAt = String(b >= EXPIRY_MIN_PLAUSIBLE_MS ? Math.floor(b / 1000) : b / 1000);
  }
  const v: Vtxo = {
    outpoint: { txid: c.txid, vout: c.vout },
    createdAt: String(Math.floor(c.createdAt.getTime() / 1000)),
    expiresAt,
    amount: String(c.value),
    script: c.script,
    isPreconfirmed: c.isPreconfirmed ?? state === 'preconfirmed',
    isSwept: c.isSwept ?? state === 'swept',
    isUnrolled: c.isUnrolled,
    isSpent: c.isSpent ?? state === 'spent',
    spentBy: c.spentBy ?? '',
    commitmentTxids: c.commitmentTxIds ?? c.virtualStatus?.commitmentTxIds ?? [],
  };
  if (c.settledBy !== undefined) v.settledBy = c.settledBy;
  if (c.arkTxId !== undefined) v.arkTxid = c.arkTxId;
  if (c.assets !== undefined) v.assets = c.assets.map((a) => ({ assetId: a.assetId, amount: a.amount.toString() }));
  return v;
}

/** GetSubscriptionResponse carrying an IndexerSubscriptionEvent. */
export function encodeSubscriptionEvent(e: SubscriptionResponse): JsonObject {
  const event: JsonObject = {
    scripts: [...e.scripts],
    newVtxos: e.newVtxos.map((c) => encodeVtxo(virtualCoinToVtxo(c))),
    spentVtxos: e.spentVtxos.map((c) => encodeVtxo(virtualCoinToVtxo(c))),
    sweptVtxos: e.sweptVtxos.map((c) => encodeVtxo(virtualCoinToVtxo(c))),
  };
  if (e.txid !== undefined) event.txid = e.txid;
  if (e.tx !== undefined) event.tx = e.tx;
  const cp = encodeCheckpoints(e.checkpointTxs);
  if (cp !== undefined) event.checkpointTxs = cp;
  return { event };
}

export function encodePage(p: PageResponse | undefined): { page?: JsonObject } {
  return p === undefined ? {} : { page: { current: p.current, next: p.next, total: p.total } };
}

export function encodeTreeRefs(refs: TreeTxRef[]): JsonObject[] {
  return refs.map((r) => ({ txid: r.txid, children: childrenMap(r.children) }));
}

export function encodeCommitmentTx(c: CommitmentTx): JsonObject {
  const batches: JsonObject = {};
  for (const [k, b] of Object.entries(c.batches)) {
    batches[k] = { totalOutputAmount: b.totalOutputAmount, totalOutputVtxos: b.totalOutputVtxos, expiresAt: b.expiresAt, swept: b.swept };
  }
  return {
    startedAt: c.startedAt,
    endedAt: c.endedAt,
    batches,
    totalInputAmount: c.totalInputAmount,
    totalInputVtxos: c.totalInputVtxos,
    totalOutputAmount: c.totalOutputAmount,
    totalOutputVtxos: c.totalOutputVtxos,
  };
}

export function encodeChain(chain: ChainTx[]): JsonObject[] {
  return chain.map((t) => ({ txid: t.txid, expiresAt: t.expiresAt, type: t.type, spends: [...t.spends] }));
}
