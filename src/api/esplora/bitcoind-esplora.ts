/**
 * Esplora's answers computed from bitcoind's JSON-RPC (the node runs with -txindex=1; without it, or
 * while the txindex lags a new block, a confirmed tx is found through the block the history index below
 * knows for it).
 *
 * Where each answer comes from:
 * - blocks, headers, tx by id: getblockhash / getblock / getblockheader / getrawtransaction (verbosity 2,
 *   which carries prevouts and the fee for confirmed txs);
 * - a mempool tx's prevouts: its parent in the mempool snapshot, else gettxout on the chain UTXO set
 *   (a mempool spend does not remove it there), else getrawtransaction of the parent;
 * - an address's UTXOs: scantxoutset over the chain UTXO set (slow on mainnet: a full UTXO-set scan,
 *   one at a time node-wide, so calls are queued here), minus outputs spent in the mempool, plus
 *   mempool outputs paying it;
 * - an address's history and who spent an output: HistoryIndex, built here by reading every block
 *   (getblock verbosity 3) from a start height, plus the mempool snapshot. History before the start
 *   height is not known: a confirmed output spent before it answers {spent:true} without a spender, and
 *   address history lists only txs from the start height on (default: genesis on regtest, the tip at the
 *   first query elsewhere; `historyFromHeight` sets it).
 */
import type { BtcNetwork } from '../../bitcoin/networks.js';
import { RpcError, type BitcoindRpc } from '../../chain/rpc-client.js';
import { HashPerpError } from '../../units/errors.js';
import {
  btcPerKvbToSatPerVb,
  btcToSats,
  confirmedStatus,
  isUnspendable,
  toEsploraBlock,
  toEsploraTx,
  type CoreBlock,
  type CorePrevout,
  type CoreTx,
  type EsploraBlock,
  type EsploraOutspend,
  type EsploraStatus,
  type EsploraTx,
  type EsploraUtxo,
} from './format.js';
import type { EsploraBackend } from './backend.js';
import { HistoryIndex, outpointKey, type IndexedBlock } from './history-index.js';
import { addressScript, parsePackage, parseTxHex } from './params.js';

/** RPC_INVALID_ADDRESS_OR_KEY: unknown tx or block. */
const RPC_NOT_FOUND = -5;
/** RPC_INVALID_PARAMETER: a height above the tip. */
const RPC_INVALID_PARAMETER = -8;
const BLOCKS_PER_PAGE = 10;
const TXS_PER_PAGE = 25;
const MEMPOOL_TXS_PER_PAGE = 50;
const SYNC_CHUNK = 20;
const FEE_TARGETS = [...Array.from({ length: 25 }, (_, i) => i + 1), 144, 504, 1008];
const HEADER_CACHE = 10_000;
/** Calls per JSON-RPC batch: a mempool or an address with thousands of entries is read in several requests. */
const BATCH = 500;

export interface BitcoindEsploraOptions {
  /** First height of the address-history and spender index. */
  historyFromHeight?: number;
}

interface MempoolTx {
  tx: CoreTx;
  /** Seconds since epoch the node first saw it (Esplora lists mempool txs newest first). */
  time: number;
}

interface ScanUnspent {
  txid: string;
  vout: number;
  amount: number;
  height: number;
  blockhash?: string;
}

const notFound = (message: string): HashPerpError => new HashPerpError('not_found', message);
const invalid = (field: string, message: string): HashPerpError => new HashPerpError('invalid_argument', message, { field });

export class BitcoindEsplora implements EsploraBackend {
  private index: HistoryIndex | undefined;
  private syncing: Promise<void> | undefined;
  private readonly mempool = new Map<string, MempoolTx>();
  private mempoolSpenders = new Map<string, { txid: string; vin: number }>();
  private refreshing: Promise<void> | undefined;
  private readonly headers = new Map<string, { height: number; time: number }>();
  private scanQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly rpc: BitcoindRpc,
    readonly network: BtcNetwork,
    private readonly opts: BitcoindEsploraOptions = {},
  ) {}

  // ---- blocks ----

  tipHeight(): Promise<number> {
    return this.rpc.call<number>('getblockcount');
  }

  tipHash(): Promise<string> {
    return this.rpc.call<string>('getbestblockhash');
  }

  async blockHashAt(height: number): Promise<string> {
    try {
      return await this.rpc.call<string>('getblockhash', [height]);
    } catch (e) {
      if (e instanceof RpcError && e.rpcCode === RPC_INVALID_PARAMETER) throw notFound(`Block not found: no block at height ${height}`);
      throw e;
    }
  }

  async block(hash: string): Promise<EsploraBlock> {
    return toEsploraBlock(await this.known<CoreBlock>('getblock', [hash, 1], `Block not found: ${hash}`));
  }

  /** Ten blocks going down from `start` (default: the tip), newest first. */
  async blocks(start?: number): Promise<EsploraBlock[]> {
    const tip = await this.tipHeight();
    const top = start ?? tip;
    if (top > tip) throw notFound(`Block not found: height ${top} is above the tip ${tip}`);
    const heights = Array.from({ length: Math.min(BLOCKS_PER_PAGE, top + 1) }, (_, i) => top - i);
    const hashes = await this.rpc.batch<string>(heights.map((h) => ({ method: 'getblockhash', params: [h] })));
    const blocks = await this.rpc.batch<CoreBlock>(hashes.map((h) => ({ method: 'getblock', params: [h, 1] })));
    return blocks.map(toEsploraBlock);
  }

  blockHex(hash: string): Promise<string> {
    return this.known<string>('getblock', [hash, 0], `Block not found: ${hash}`);
  }

  headerHex(hash: string): Promise<string> {
    return this.known<string>('getblockheader', [hash, false], `Block not found: ${hash}`);
  }

  async blockStatus(hash: string): Promise<{ in_best_chain: boolean; height?: number; next_best?: string | null }> {
    const h = await this.known<{ height: number; confirmations: number; nextblockhash?: string }>('getblockheader', [hash, true], `Block not found: ${hash}`);
    // Core answers confirmations -1 for a block off the best chain.
    if (h.confirmations < 0) return { in_best_chain: false };
    return { in_best_chain: true, height: h.height, next_best: h.nextblockhash ?? null };
  }

  async blockTxids(hash: string): Promise<string[]> {
    return (await this.known<{ tx: string[] }>('getblock', [hash, 1], `Block not found: ${hash}`)).tx;
  }

  /** 25 txs of a block from `start` (a multiple of 25, as Esplora pages them). */
  async blockTxs(hash: string, start: number): Promise<EsploraTx[]> {
    if (start % TXS_PER_PAGE !== 0) throw invalid('start_index', `Invalid start_index: must be a multiple of ${TXS_PER_PAGE}, got ${start}`);
    const b = await this.known<{ hash: string; height: number; time: number; confirmations: number; tx: CoreTx[] }>('getblock', [hash, 3], `Block not found: ${hash}`);
    if (start >= b.tx.length) throw notFound(`start index out of range: block ${hash} has ${b.tx.length} transactions`);
    const status: EsploraStatus = b.confirmations > 0 ? confirmedStatus(b.height, b.hash, b.time) : { confirmed: false };
    const page = b.tx.slice(start, start + TXS_PER_PAGE);
    await this.resolvePrevouts(page, true);
    return page.map((t) => toEsploraTx(t, status));
  }

  // ---- transactions ----

  async tx(txid: string): Promise<EsploraTx> {
    const t = await this.rawTx<CoreTx>(txid, 2);
    const status = await this.statusOf(t);
    await this.resolvePrevouts([t], true);
    return toEsploraTx(t, status);
  }

  async txStatus(txid: string): Promise<EsploraStatus> {
    return this.statusOf(await this.rawTx<CoreTx>(txid, 1));
  }

  txHex(txid: string): Promise<string> {
    return this.rawTx<string>(txid, 0);
  }

  /** bitcoind's merkleblock proof (gettxoutproof) of a confirmed tx. */
  async merkleblockProof(txid: string): Promise<string> {
    const t = await this.rawTx<CoreTx>(txid, 1);
    if (t.blockhash === undefined || (t.confirmations ?? 0) <= 0) throw notFound(`Transaction not confirmed: ${txid}`);
    return this.rpc.call<string>('gettxoutproof', [[txid], t.blockhash]);
  }

  async outspends(txid: string): Promise<EsploraOutspend[]> {
    const t = await this.rawTx<CoreTx>(txid, 1);
    await this.syncIndex();
    await this.refreshMempool();
    const index = this.index!;
    const out: (EsploraOutspend | undefined)[] = t.vout.map((o) => {
      if (isUnspendable(o.scriptPubKey.hex)) return { spent: false };
      const m = this.mempoolSpenders.get(outpointKey(txid, o.n));
      if (m) return { spent: true, txid: m.txid, vin: m.vin, status: { confirmed: false } };
      const c = index.spenderOf(txid, o.n);
      if (c) return { spent: true, txid: c.txid, vin: c.vin, status: confirmedStatus(c.block.height, c.block.hash, c.block.time) };
      return undefined;
    });
    const open = out.flatMap((o, n) => (o === undefined ? [n] : []));
    const utxos = await this.batch<unknown>(open.map((n) => ({ method: 'gettxout', params: [txid, n, true] })));
    // Not in the UTXO set and no spender known: spent before the index's start height (or just now).
    open.forEach((n, i) => (out[n] = utxos[i] === null ? { spent: true } : { spent: false }));
    return out as EsploraOutspend[];
  }

  /** POST /tx: the txid, or the node's refusal as Esplora words it. */
  async broadcast(body: unknown): Promise<string> {
    const txHex = parseTxHex(body);
    try {
      return await this.rpc.call<string>('sendrawtransaction', [txHex]);
    } catch (e) {
      if (e instanceof RpcError) throw refused('sendrawtransaction', e);
      throw e;
    }
  }

  /**
   * POST /txs/package: bitcoind's submitpackage result. A package the node did not take whole is a 400
   * (the SDK reads only the status; a 200 would tell it the package is in).
   */
  async submitPackage(body: unknown): Promise<unknown> {
    const txs = parsePackage(body);
    let result: { package_msg?: string };
    try {
      result = await this.rpc.call<{ package_msg?: string }>('submitpackage', [txs]);
    } catch (e) {
      if (e instanceof RpcError) throw refused('submitpackage', e);
      throw e;
    }
    if (result.package_msg !== 'success') throw new HashPerpError('tx_refused', `submitpackage: ${JSON.stringify(result)}`);
    return result;
  }

  async mempoolTxids(): Promise<string[]> {
    return this.rpc.call<string[]>('getrawmempool');
  }

  /** Target (blocks) → sat/vB, for the targets estimatesmartfee can answer (none on a fresh regtest). */
  async feeEstimates(): Promise<Record<string, number>> {
    const r = await this.rpc.batch<{ feerate?: number }>(FEE_TARGETS.map((t) => ({ method: 'estimatesmartfee', params: [t] })));
    const out: Record<string, number> = {};
    FEE_TARGETS.forEach((t, i) => {
      const f = r[i]?.feerate;
      if (typeof f === 'number') out[String(t)] = btcPerKvbToSatPerVb(f);
    });
    return out;
  }

  // ---- addresses ----

  async addressUtxos(address: string): Promise<EsploraUtxo[]> {
    const script = addressScript(this.network, address);
    await this.refreshMempool();
    const unspents = await this.scan(script);
    const chain = unspents.filter((u) => !this.mempoolSpenders.has(outpointKey(u.txid, u.vout)));
    const missing = chain.filter((u) => u.blockhash === undefined);
    const hashes = await this.batch<string>(missing.map((u) => ({ method: 'getblockhash', params: [u.height] })));
    missing.forEach((u, i) => (u.blockhash = hashes[i]));
    const unknown = [...new Set(chain.map((u) => u.blockhash!))].filter((h) => !this.headers.has(h));
    const infos = await this.batch<{ height: number; time: number }>(unknown.map((h) => ({ method: 'getblockheader', params: [h, true] })));
    unknown.forEach((h, i) => this.cacheHeader(h, infos[i]!));
    const out: EsploraUtxo[] = [];
    const seen = new Set<string>();
    for (const u of chain) {
      const h = await this.headerInfo(u.blockhash!);
      out.push({ txid: u.txid, vout: u.vout, value: btcToSats(u.amount), status: confirmedStatus(u.height, u.blockhash!, h.time) });
      seen.add(outpointKey(u.txid, u.vout));
    }
    for (const { tx } of this.mempool.values())
      for (const o of tx.vout) {
        const key = outpointKey(tx.txid, o.n);
        if (o.scriptPubKey.hex !== script || seen.has(key) || this.mempoolSpenders.has(key)) continue;
        out.push({ txid: tx.txid, vout: o.n, value: btcToSats(o.value), status: { confirmed: false } });
      }
    return out;
  }

  /** Up to 50 mempool txs then the first 25 confirmed ones, newest first. */
  async addressTxs(address: string): Promise<EsploraTx[]> {
    const script = addressScript(this.network, address);
    await this.syncIndex();
    const mempool = await this.mempoolTxsOf(script);
    return [...mempool, ...(await this.chainTxsOf(script))];
  }

  /** Confirmed txs, 25 a page, after `lastSeen` (the last txid of the previous page). */
  async addressTxsChain(address: string, lastSeen?: string): Promise<EsploraTx[]> {
    const script = addressScript(this.network, address);
    await this.syncIndex();
    return this.chainTxsOf(script, lastSeen);
  }

  async addressTxsMempool(address: string): Promise<EsploraTx[]> {
    const script = addressScript(this.network, address);
    await this.syncIndex();
    return this.mempoolTxsOf(script);
  }

  private async chainTxsOf(script: string, lastSeen?: string): Promise<EsploraTx[]> {
    const index = this.index!;
    let ids = index.txidsOf(script);
    if (lastSeen !== undefined) {
      const at = ids.indexOf(lastSeen);
      if (at < 0) throw notFound(`Transaction not found in this address's history: ${lastSeen}`);
      ids = ids.slice(at + 1);
    }
    ids = ids.slice(0, TXS_PER_PAGE);
    const refs = ids.map((id) => index.blockOf(id)!);
    const txs = await this.rpc.batch<CoreTx>(ids.map((id, i) => ({ method: 'getrawtransaction', params: [id, 2, refs[i]!.hash] })));
    await this.resolvePrevouts(txs, true);
    return txs.map((t, i) => toEsploraTx(t, confirmedStatus(refs[i]!.height, refs[i]!.hash, refs[i]!.time)));
  }

  private async mempoolTxsOf(script: string): Promise<EsploraTx[]> {
    await this.refreshMempool();
    const index = this.index;
    const hits = [...this.mempool.values()].filter(
      ({ tx }) =>
        // A tx confirmed after the snapshot is listed once, as confirmed.
        !index?.blockOf(tx.txid) && (tx.vout.some((o) => o.scriptPubKey.hex === script) || tx.vin.some((i) => i.prevout?.scriptPubKey.hex === script)),
    );
    hits.sort((a, b) => b.time - a.time);
    return hits.slice(0, MEMPOOL_TXS_PER_PAGE).map(({ tx }) => toEsploraTx(tx, { confirmed: false }));
  }

  // ---- the history index ----

  /** Brings the history index to the node's best chain, unwinding blocks that left it. */
  syncIndex(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    if (!this.index) {
      const start = this.opts.historyFromHeight ?? (this.network.bech32 === 'bcrt' ? 0 : await this.tipHeight());
      this.index = new HistoryIndex(start);
    }
    const index = this.index;
    // A reorg while reading blocks makes a chunk not extend the index: start over (bounded).
    for (let round = 0; round < 5; round++) {
      const best = await this.tipHash();
      if (index.tip()?.hash === best) return;
      for (let top = index.tip(); top; top = index.tip()) {
        const hash = await this.blockHashAt(top.height).catch((e: unknown) => {
          if (e instanceof HashPerpError && e.code === 'not_found') return undefined;
          throw e;
        });
        if (hash === top.hash) break;
        index.disconnect();
      }
      const tip = await this.tipHeight();
      let extended = true;
      for (let h = index.nextHeight(); h <= tip && extended; h += SYNC_CHUNK) {
        const heights = Array.from({ length: Math.min(SYNC_CHUNK, tip - h + 1) }, (_, i) => h + i);
        let blocks: IndexedBlock[];
        try {
          const hashes = await this.rpc.batch<string>(heights.map((x) => ({ method: 'getblockhash', params: [x] })));
          blocks = await this.rpc.batch<IndexedBlock>(hashes.map((x) => ({ method: 'getblock', params: [x, 3] })));
        } catch (e) {
          if (e instanceof RpcError && (e.rpcCode === RPC_INVALID_PARAMETER || e.rpcCode === RPC_NOT_FOUND)) break; // the chain shrank meanwhile
          throw e;
        }
        for (const b of blocks) {
          const prev = index.tip();
          if (prev && b.previousblockhash !== prev.hash) {
            extended = false;
            break;
          }
          index.connect(b);
        }
      }
    }
  }

  // ---- the mempool snapshot ----

  private refreshMempool(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const entries = await this.rpc.call<Record<string, { time: number; fees: { base: number } }>>('getrawmempool', [true]);
    for (const id of [...this.mempool.keys()]) if (!(id in entries)) this.mempool.delete(id);
    const fresh = Object.keys(entries).filter((id) => !this.mempool.has(id));
    const got = await this.settled<CoreTx>(fresh.map((id) => ({ method: 'getrawtransaction', params: [id, 1] })));
    const added: CoreTx[] = [];
    got.forEach((t, i) => {
      if (t instanceof RpcError) return; // left the mempool meanwhile
      const e = entries[fresh[i]!]!;
      t.fee = e.fees.base;
      this.mempool.set(t.txid, { tx: t, time: e.time });
      added.push(t);
    });
    // A tx whose parent vanished meanwhile is dropped now and read again next time.
    for (const t of await this.resolvePrevouts(added, false)) this.mempool.delete(t.txid);
    const spenders = new Map<string, { txid: string; vin: number }>();
    for (const { tx } of this.mempool.values())
      tx.vin.forEach((i, n) => {
        if (i.txid !== undefined && i.vout !== undefined) spenders.set(outpointKey(i.txid, i.vout), { txid: tx.txid, vin: n });
      });
    this.mempoolSpenders = spenders;
  }

  // ---- helpers ----

  /**
   * Fills `prevout` on inputs that lack it (mempool txs; confirmed ones on a node without undo data).
   * Returns the txs some of whose prevouts cannot be found; with `strict` that is an error instead.
   */
  private async resolvePrevouts(txs: CoreTx[], strict: boolean): Promise<CoreTx[]> {
    const wanted = txs.flatMap((t) => t.vin.filter((i) => i.prevout === undefined && i.coinbase === undefined).map((i) => ({ t, i })));
    if (wanted.length === 0) return [];
    const found = new Map<string, CorePrevout>();
    const parentsToRead = new Set<string>();
    for (const { i } of wanted) {
      const parent = this.mempool.get(i.txid!)?.tx.vout[i.vout!];
      if (parent) found.set(outpointKey(i.txid!, i.vout!), parent);
    }
    const rest = wanted.filter(({ i }) => !found.has(outpointKey(i.txid!, i.vout!)));
    const utxos = await this.batch<CorePrevout | null>(
      rest.map(({ i }) => ({ method: 'gettxout', params: [i.txid, i.vout, false] })),
    );
    rest.forEach(({ i }, n) => {
      const u = utxos[n];
      if (u) found.set(outpointKey(i.txid!, i.vout!), { value: u.value, scriptPubKey: u.scriptPubKey });
      else parentsToRead.add(i.txid!);
    });
    const parents = [...parentsToRead];
    const read = await this.settled<CoreTx>(parents.map((id) => ({ method: 'getrawtransaction', params: this.txParams(id, 1) })));
    read.forEach((p) => {
      if (p instanceof RpcError) return;
      for (const o of p.vout) found.set(outpointKey(p.txid, o.n), o);
    });
    const failed = new Set<CoreTx>();
    for (const { t, i } of wanted) {
      const p = found.get(outpointKey(i.txid!, i.vout!));
      if (p) i.prevout = { value: p.value, scriptPubKey: p.scriptPubKey };
      else failed.add(t);
    }
    if (strict && failed.size > 0) {
      const t = [...failed][0]!;
      throw new HashPerpError('rpc_error', `bitcoind: cannot find the outputs ${t.txid} spends (is -txindex on?)`);
    }
    return [...failed];
  }

  private async statusOf(t: CoreTx): Promise<EsploraStatus> {
    if (t.blockhash === undefined || (t.confirmations ?? 0) <= 0) return { confirmed: false };
    const h = await this.headerInfo(t.blockhash);
    return confirmedStatus(h.height, t.blockhash, h.time);
  }

  private async headerInfo(hash: string): Promise<{ height: number; time: number }> {
    return this.headers.get(hash) ?? this.cacheHeader(hash, await this.rpc.call<{ height: number; time: number }>('getblockheader', [hash, true]));
  }

  private cacheHeader(hash: string, r: { height: number; time: number }): { height: number; time: number } {
    const h = { height: r.height, time: r.time };
    if (this.headers.size >= HEADER_CACHE) this.headers.clear();
    this.headers.set(hash, h);
    return h;
  }

  /** getrawtransaction with the block the history index knows for it (so no -txindex is needed). */
  private txParams(txid: string, verbosity: number): unknown[] {
    const ref = this.index?.blockOf(txid);
    return ref ? [txid, verbosity, ref.hash] : [txid, verbosity];
  }

  private async rawTx<T>(txid: string, verbosity: number): Promise<T> {
    const message = `Transaction not found: ${txid}`;
    const hinted = this.index?.blockOf(txid)?.hash;
    try {
      return await this.known<T>('getrawtransaction', this.txParams(txid, verbosity), message);
    } catch (e) {
      if (!(e instanceof HashPerpError && e.code === 'not_found')) throw e;
    }
    // Not found: the hinted block left the chain, or the tx was just mined and -txindex (updated
    // asynchronously) has not caught up, or there is no -txindex. The history index reads blocks
    // directly: ask again with the block it knows now.
    await this.syncIndex();
    const ref = this.index?.blockOf(txid)?.hash;
    if (ref !== undefined && ref !== hinted) return this.known<T>('getrawtransaction', [txid, verbosity, ref], message);
    if (hinted !== undefined) return this.known<T>('getrawtransaction', [txid, verbosity], message);
    throw notFound(message);
  }

  /** An RPC whose "no such tx/block" answer is a 404. */
  private async known<T>(method: string, params: unknown[], message: string): Promise<T> {
    try {
      return await this.rpc.call<T>(method, params);
    } catch (e) {
      if (e instanceof RpcError && e.rpcCode === RPC_NOT_FOUND) throw notFound(message);
      throw e;
    }
  }

  private async batch<T>(calls: { method: string; params: unknown[] }[]): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < calls.length; i += BATCH) out.push(...(await this.rpc.batch<T>(calls.slice(i, i + BATCH))));
    return out;
  }

  /** A batch where each call may fail on its own (the client's batch throws on the first failure). */
  private async settled<T>(calls: { method: string; params: unknown[] }[]): Promise<(T | RpcError)[]> {
    const out: (T | RpcError)[] = [];
    for (let i = 0; i < calls.length; i += BATCH) {
      const chunk = calls.slice(i, i + BATCH);
      try {
        out.push(...(await this.rpc.batch<T>(chunk)));
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
        out.push(...(await Promise.all(chunk.map((c) => this.rpc.call<T>(c.method, c.params).catch((err: unknown) => {
          if (err instanceof RpcError) return err;
          throw err;
        })))));
      }
    }
    return out;
  }

  /** scantxoutset admits one scan node-wide: queue ours, and wait out someone else's. */
  private scan(script: string): Promise<ScanUnspent[]> {
    const run = async (): Promise<ScanUnspent[]> => {
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await this.rpc.call<{ unspents: ScanUnspent[] }>('scantxoutset', ['start', [`raw(${script})`]]);
          return r.unspents;
        } catch (e) {
          if (!(e instanceof RpcError) || !/in progress/i.test(e.rpcMessage) || attempt >= 20) throw e;
          await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
        }
      }
    };
    const p = this.scanQueue.then(run, run);
    this.scanQueue = p.catch(() => undefined);
    return p;
  }
}

function refused(method: string, e: RpcError): HashPerpError {
  // electrs' wording, which clients match on (e.g. "txn-already-in-mempool").
  return new HashPerpError('tx_refused', `${method} RPC error: ${JSON.stringify({ code: e.rpcCode, message: e.rpcMessage })}`);
}
