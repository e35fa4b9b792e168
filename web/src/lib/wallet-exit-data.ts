import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { InvalidArgumentError } from '../../../src/units/errors.js';

/**
 * What a user holds to leave Ark without the operator: for each VTXO, its chain back to the on-chain commitment
 * transaction (arkd's indexer `GET /v1/indexer/vtxo/{txid}/{vout}/chain`) and every virtual transaction on it
 * (`GET /v1/indexer/virtualTx/{txids}`), fetched while the server is up. Broadcasting those, root first, after
 * their timelocks is the unilateral exit; once the operator is gone nobody else can hand them out.
 */

/** The indexer calls this needs (the SDK's IndexerProvider has both). */
export interface ExitIndexer {
  getVtxoChain(outpoint: { txid: string; vout: number }, opts?: { pageIndex?: number; pageSize?: number }): Promise<{ chain: ChainEntry[]; page?: { current: number; next: number; total: number } }>;
  getVirtualTxs(txids: string[]): Promise<{ txs: string[] }>;
}

export interface ChainEntry {
  txid: string;
  expiresAt: string;
  type: string;
  spends: string[];
}

/** The VTXO fields this reads (a subset of the SDK's ExtendedVirtualCoin). */
export interface ExitVtxo {
  txid: string;
  vout: number;
  value: number;
  virtualStatus: { state: string };
  expiresAt?: Date;
  expiresAtHeight?: number;
}

export interface VtxoExitData {
  outpoint: string;
  valueSat: number;
  state: string;
  /** Batch expiry, as a time (ms since epoch) or a block height: after it the operator may sweep the batch. */
  expiry: { atMs: number } | { atHeight: number } | null;
  /** The on-chain commitment transaction(s) the chain hangs from: already on chain, nothing to hold. */
  commitmentTxids: string[];
  chain: ChainEntry[];
  /** Every non-commitment transaction of the chain, as the PSBT (base64) the indexer gave, checked against its txid. */
  virtualTxs: { txid: string; type: string; psbt: string }[];
}

export interface ExitDataDocument {
  kind: 'hashperp-ark-exit-data';
  version: 1;
  fetchedAtMs: number;
  arkServerUrl: string;
  vtxos: VtxoExitData[];
}

export function expiryOf(v: Pick<ExitVtxo, 'expiresAt' | 'expiresAtHeight'>): VtxoExitData['expiry'] {
  if (v.expiresAt !== undefined) return { atMs: v.expiresAt.getTime() };
  if (v.expiresAtHeight !== undefined) return { atHeight: v.expiresAtHeight };
  return null;
}

const COMMITMENT = 'INDEXER_CHAINED_TX_TYPE_COMMITMENT';

/** The whole chain of one VTXO, following the indexer's pages (bounded, so a server that never ends a listing cannot hang the page). */
export async function fetchChain(indexer: ExitIndexer, outpoint: { txid: string; vout: number }): Promise<ChainEntry[]> {
  const out: ChainEntry[] = [];
  let pageIndex = 0;
  for (let guard = 0; guard < 100; guard++) {
    const r = await indexer.getVtxoChain(outpoint, { pageIndex, pageSize: 1000 });
    out.push(...r.chain);
    if (!r.page || r.page.next <= r.page.current || r.page.next >= r.page.total) return out;
    pageIndex = r.page.next;
  }
  throw new InvalidArgumentError('chain', `the indexer's chain for ${outpoint.txid}:${outpoint.vout} did not end within 100 pages`);
}

/** Decodes PSBTs and keys them by their own txid, refusing any the caller did not ask for (a wrong or tampered tx is no exit). */
export function matchVirtualTxs(requested: readonly string[], psbts: readonly string[]): Map<string, string> {
  const want = new Set(requested);
  const got = new Map<string, string>();
  for (const psbt of psbts) {
    let id: string;
    try {
      id = Transaction.fromPSBT(base64.decode(psbt), { allowUnknownOutputs: true, allowUnknownInputs: true }).id;
    } catch (e) {
      throw new InvalidArgumentError('virtualTxs', `the indexer returned a transaction that is not a PSBT: ${(e as Error).message}`);
    }
    if (!want.has(id)) throw new InvalidArgumentError('virtualTxs', `the indexer returned ${id}, which was not asked for`);
    got.set(id, psbt);
  }
  const missing = requested.filter((t) => !got.has(t));
  if (missing.length > 0) throw new InvalidArgumentError('virtualTxs', `the indexer did not return ${missing.join(', ')}`);
  return got;
}

export async function collectExitData(indexer: ExitIndexer, vtxos: readonly ExitVtxo[], opts: { arkServerUrl: string; nowMs: number }): Promise<ExitDataDocument> {
  const out: VtxoExitData[] = [];
  for (const v of vtxos) {
    const chain = await fetchChain(indexer, v);
    const virtual = chain.filter((c) => c.type !== COMMITMENT);
    const ids = [...new Set(virtual.map((c) => c.txid))];
    const txs = ids.length === 0 ? new Map<string, string>() : matchVirtualTxs(ids, (await indexer.getVirtualTxs(ids)).txs);
    out.push({
      outpoint: `${v.txid}:${v.vout}`,
      valueSat: v.value,
      state: v.virtualStatus.state,
      expiry: expiryOf(v),
      commitmentTxids: chain.filter((c) => c.type === COMMITMENT).map((c) => c.txid),
      chain,
      virtualTxs: ids.map((txid) => ({ txid, type: virtual.find((c) => c.txid === txid)!.type, psbt: txs.get(txid)! })),
    });
  }
  return { kind: 'hashperp-ark-exit-data', version: 1, fetchedAtMs: opts.nowMs, arkServerUrl: opts.arkServerUrl, vtxos: out };
}

/** Where a send goes: an Ark address pays offchain, a bitcoin address leaves through a collaborative exit. */
export type SendRoute = { kind: 'ark'; address: string } | { kind: 'onchain'; address: string };

export function sendRoute(address: string, is: { ark: (a: string) => boolean; bitcoin: (a: string) => boolean }): SendRoute {
  const a = address.trim();
  if (a === '') throw new InvalidArgumentError('address', 'enter an Ark address or a bitcoin address');
  if (is.ark(a)) return { kind: 'ark', address: a };
  if (is.bitcoin(a)) return { kind: 'onchain', address: a };
  throw new InvalidArgumentError('address', 'neither an Ark address nor a bitcoin address of this network');
}

/** A whole number of sats, at least 1 and at most what can be spent. */
export function parseSendAmount(text: string, availableSat: number): bigint {
  const t = text.trim().replace(/[_,\s]/g, '');
  if (!/^\d+$/.test(t)) throw new InvalidArgumentError('amount', 'enter a whole number of sats');
  const n = BigInt(t);
  if (n <= 0n) throw new InvalidArgumentError('amount', 'must be at least 1 sat');
  if (n > BigInt(availableSat)) throw new InvalidArgumentError('amount', `only ${availableSat} sats are spendable`);
  return n;
}
