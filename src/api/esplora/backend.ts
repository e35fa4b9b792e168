/**
 * What the /esplora routes ask of the chain behind them. Two implementations: `BitcoindEsplora`
 * (a real node over JSON-RPC) and `LedgerEsplora` (the embedded demo's in-memory ledger, nothing on
 * any network). Arguments arrive parsed (params.ts) except addresses and request bodies, which each
 * backend checks against its network; errors are HashPerpErrors (not_found → 404, invalid_argument
 * and tx_refused → 400), worded as electrs words them.
 */
import { HashPerpError } from '../../units/errors.js';
import type { EsploraBlock, EsploraOutspend, EsploraStatus, EsploraTx, EsploraUtxo } from './format.js';

export interface EsploraBackend {
  tipHeight(): Promise<number>;
  tipHash(): Promise<string>;
  /** Ten blocks going down from `start` (default: the tip), newest first. */
  blocks(start?: number): Promise<EsploraBlock[]>;
  blockHashAt(height: number): Promise<string>;
  block(hash: string): Promise<EsploraBlock>;
  blockHex(hash: string): Promise<string>;
  headerHex(hash: string): Promise<string>;
  blockStatus(hash: string): Promise<{ in_best_chain: boolean; height?: number; next_best?: string | null }>;
  blockTxids(hash: string): Promise<string[]>;
  /** 25 txs of a block from `start` (a multiple of 25). */
  blockTxs(hash: string, start: number): Promise<EsploraTx[]>;

  tx(txid: string): Promise<EsploraTx>;
  txStatus(txid: string): Promise<EsploraStatus>;
  txHex(txid: string): Promise<string>;
  merkleblockProof(txid: string): Promise<string>;
  outspends(txid: string): Promise<EsploraOutspend[]>;
  /** POST /tx: the txid, or the refusal as electrs words it (`sendrawtransaction RPC error: {...}`). */
  broadcast(body: unknown): Promise<string>;
  /** POST /txs/package: a JSON array of raw txs (parents first); a refusal unless all are taken. */
  submitPackage(body: unknown): Promise<unknown>;
  mempoolTxids(): Promise<string[]>;
  /** Target (blocks) → sat/vB. */
  feeEstimates(): Promise<Record<string, number>>;

  addressUtxos(address: string): Promise<EsploraUtxo[]>;
  /** Up to 50 mempool txs then the first 25 confirmed ones, newest first. */
  addressTxs(address: string): Promise<EsploraTx[]>;
  addressTxsMempool(address: string): Promise<EsploraTx[]>;
  /** Confirmed txs, 25 a page, after `lastSeen` (the last txid of the previous page). */
  addressTxsChain(address: string, lastSeen?: string): Promise<EsploraTx[]>;
}

/** One output's spender: read off `outspends`, the same way for every backend. */
export async function outspendOf(b: EsploraBackend, txid: string, vout: number): Promise<EsploraOutspend> {
  const all = await b.outspends(txid);
  const o = all[vout];
  if (!o) throw new HashPerpError('not_found', `Output not found: ${txid} has ${all.length} outputs, no output ${vout}`);
  return o;
}
