/**
 * Proof of reserves: the outpoints the operator controls, each named so anyone can look it up on a node
 * (gettxout txid vout), summed and set against what it owes. Pure: the server gathers the coins.
 *
 * Two comparisons, because the coins back two different debts:
 * - the exchange ledger (the liabilities tree's total, msat) is backed by the operator's own coins:
 *   its wallet, the outputs of forfeit transactions that reached the chain (they pay the operator), and
 *   the VTXOs of its liquidity key L, where users' Ark deposits land;
 * - the VTXOs users hold in their Ark wallets are backed by the unspent batch outputs they hang from.
 * The vault's NAV is shown beside the liabilities, not added to them: the vault's cash is a ledger
 * account, already a leaf of the tree, and its positions' gains are other ledger accounts' losses.
 * `reservesShort` is true when either side falls short.
 */
import type { LiabilitiesRoot } from './liabilities.js';

/** 'liquidity': a VTXO of the operator's liquidity key L (users' Ark deposits land there); an offchain outpoint, looked up in the indexer, backed by its batch output. */
export type ReserveKind = 'wallet' | 'forfeit' | 'batch' | 'liquidity';

export interface ReserveOutpoint {
  kind: ReserveKind;
  txid: string;
  vout: number;
  amountSat: string;
  /** 0 while in the mempool. */
  confirmations: number;
}

export interface ReservesReport {
  /** Where the coins are: 'bitcoind' (a real chain: check each outpoint with gettxout) or 'embedded' (the demo ledger, no network). */
  chain: string;
  network: string;
  onChain: string;
  /** The Ark chain's tip when the coins were read. */
  chainHeight: number;
  outpoints: ReserveOutpoint[];
  /** reservesSat: the on-chain coins (wallet, forfeits, batch outputs); liquiditySat sits inside the batch outputs. */
  totals: { walletSat: string; forfeitSat: string; batchSat: string; liquiditySat: string; reservesSat: string };
  /** The exchange ledger: liabilities at the engine's block, against the operator's own coins. */
  exchange: { liabilities: LiabilitiesRoot | null; vaultNavMsat: string; backingMsat: string; shortByMsat: string };
  /** Users' VTXOs (unspent, not swept) against the batch outputs they hang from. */
  ark: { vtxosOutstandingSat: string; batchOutputsSat: string; shortBySat: string };
  reservesShort: boolean;
}

export interface ReservesInput {
  chain: string;
  network: string;
  onChain: string;
  chainHeight: number;
  outpoints: ReserveOutpoint[];
  liabilities: LiabilitiesRoot | undefined;
  vaultNavMsat: bigint;
  vtxosOutstandingSat: bigint;
}

export function reservesReport(i: ReservesInput): ReservesReport {
  const sum = (k: ReserveKind): bigint => i.outpoints.filter((o) => o.kind === k).reduce((s, o) => s + BigInt(o.amountSat), 0n);
  const wallet = sum('wallet');
  const forfeit = sum('forfeit');
  const batch = sum('batch');
  const liquidity = sum('liquidity');
  // Contract VTXOs are not counted: they back the block-delta pots, but which side pays out is decided later (conservative).
  const backingMsat = (wallet + forfeit + liquidity) * 1000n;
  const owed = i.liabilities === undefined ? 0n : BigInt(i.liabilities.totalMsat);
  const exShort = owed > backingMsat ? owed - backingMsat : 0n;
  const arkShort = i.vtxosOutstandingSat > batch ? i.vtxosOutstandingSat - batch : 0n;
  return {
    chain: i.chain, network: i.network, onChain: i.onChain, chainHeight: i.chainHeight,
    outpoints: i.outpoints,
    totals: { walletSat: wallet.toString(), forfeitSat: forfeit.toString(), batchSat: batch.toString(), liquiditySat: liquidity.toString(), reservesSat: (wallet + forfeit + batch).toString() },
    exchange: { liabilities: i.liabilities ?? null, vaultNavMsat: i.vaultNavMsat.toString(), backingMsat: backingMsat.toString(), shortByMsat: exShort.toString() },
    ark: { vtxosOutstandingSat: i.vtxosOutstandingSat.toString(), batchOutputsSat: batch.toString(), shortBySat: arkShort.toString() },
    reservesShort: exShort > 0n || arkShort > 0n,
  };
}
