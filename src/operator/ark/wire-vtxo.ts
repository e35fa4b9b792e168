/** A stored VTXO in the indexer's wire type (the SDK's `Vtxo`): amounts and times as decimal strings. */
import type { Vtxo } from '@arkade-os/sdk';
import type { VtxoRecord } from './ark-store.js';

export function toWireVtxo(r: VtxoRecord): Vtxo {
  return {
    outpoint: { txid: r.txid, vout: r.vout },
    createdAt: String(r.createdAt),
    expiresAt: r.expiresAt > 0 ? String(r.expiresAt) : null,
    amount: r.amount.toString(),
    script: r.script,
    isPreconfirmed: r.preconfirmed,
    isSwept: r.swept,
    isUnrolled: r.unrolled,
    isSpent: r.spentBy !== '',
    spentBy: r.spentBy === '' ? null : r.spentBy,
    commitmentTxids: r.commitmentTxids,
    ...(r.settledBy !== '' ? { settledBy: r.settledBy } : {}),
    ...(r.arkTxid !== '' ? { arkTxid: r.arkTxid } : {}),
  };
}
