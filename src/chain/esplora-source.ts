/**
 * Esplora REST (Blockstream's API, also served by mempool.space) as a ChainSource:
 * GET /blocks/tip/height, /block-height/:height, /blocks/:start_height (10 block summaries per request,
 * re-encoded to 80-byte headers and checked against their id), /block/:hash/header for what a summary
 * page missed, /block/:hash/txs/0 for fees.
 * Esplora has no per-block fee total; fees are the coinbase outputs minus the subsidy, i.e. the fees
 * the miner claimed (equal to the block's fees unless the miner under-claimed).
 */
import { HashPerpError } from '../units/errors.js';
import { HEADER_BYTES, encodeHeader, headerHash } from './header.js';
import { subsidy } from './params.js';
import { SourceDataError, UnknownHeightError, checkHeightArg, checkRangeBelowTip, type ChainSource } from './source.js';

const CONCURRENCY = 8;

/** Esplora's block format (the fields a header needs). */
interface EsploraBlock {
  id: string;
  height: number;
  version: number;
  timestamp: number;
  bits: number;
  nonce: number;
  merkle_root: string;
  previousblockhash?: string | null;
}

interface EsploraTx {
  vin: { is_coinbase?: boolean }[];
  vout: { value: number }[];
}

export class EsploraSource implements ChainSource {
  readonly name = 'esplora';
  private readonly base: string;

  constructor(baseUrl: string, private readonly timeoutMs = 30_000) {
    try {
      new URL(baseUrl);
    } catch {
      throw new HashPerpError('invalid_argument', `esplora: not a URL: ${JSON.stringify(baseUrl)}`, { field: 'esplora' });
    }
    this.base = baseUrl.replace(/\/+$/, '');
  }

  private async get(path: string): Promise<{ status: number; text: string }> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new HashPerpError('esplora_unreachable', `esplora GET ${path}: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.status >= 500 || res.status === 429) throw new HashPerpError('esplora_error', `esplora GET ${path}: HTTP ${res.status}: ${text.slice(0, 200)}`);
    return { status: res.status, text };
  }

  private async getOk(path: string, height: number): Promise<string> {
    const { status, text } = await this.get(path);
    if (status === 404) throw new UnknownHeightError(this.name, height, `GET ${path}: ${text.trim().slice(0, 100) || 'not found'}`);
    if (status !== 200) throw new SourceDataError(this.name, `GET ${path}: HTTP ${status}: ${text.slice(0, 200)}`);
    return text;
  }

  async tipHeight(): Promise<number> {
    const { status, text } = await this.get('/blocks/tip/height');
    const n = Number(text.trim());
    if (status !== 200 || !Number.isSafeInteger(n) || n < 0) throw new SourceDataError(this.name, `GET /blocks/tip/height: HTTP ${status}: ${text.slice(0, 100)}`);
    return n;
  }

  async blockHash(height: number): Promise<string> {
    checkHeightArg('height', height);
    const hash = (await this.getOk(`/block-height/${height}`, height)).trim();
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new SourceDataError(this.name, `GET /block-height/${height}: not a block hash: ${hash.slice(0, 100)}`);
    return hash;
  }

  private async headerAt(height: number): Promise<Uint8Array> {
    const hash = await this.blockHash(height);
    const hex = (await this.getOk(`/block/${hash}/header`, height)).trim();
    const raw = new Uint8Array(Buffer.from(hex, 'hex'));
    if (raw.length !== HEADER_BYTES || headerHash(raw) !== hash) throw new SourceDataError(this.name, `height ${height}: header ${hex.slice(0, 16)}… does not hash to ${hash}`);
    return raw;
  }

  /** Headers of up to 10 blocks ending at `top` from one /blocks/:start_height page, keyed by height. */
  private async page(top: number): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    const { status, text } = await this.get(`/blocks/${top}`);
    if (status !== 200) return out;
    let blocks: EsploraBlock[];
    try {
      blocks = JSON.parse(text);
    } catch {
      throw new SourceDataError(this.name, `GET /blocks/${top}: not JSON: ${text.slice(0, 100)}`);
    }
    for (const b of Array.isArray(blocks) ? blocks : []) {
      const raw = encodeHeader({
        version: b.version,
        prevHash: b.previousblockhash ?? '0'.repeat(64),
        merkleRoot: b.merkle_root,
        time: b.timestamp,
        bits: b.bits,
        nonce: b.nonce,
      });
      // The summary is only trusted if it re-encodes to a header with the block's own hash.
      if (headerHash(raw) !== b.id) throw new SourceDataError(this.name, `GET /blocks/${top}: block ${b.height} does not re-encode to its id ${b.id}`);
      out.set(b.height, raw);
    }
    return out;
  }

  async rawHeaders(from: number, count: number): Promise<Uint8Array[]> {
    await checkRangeBelowTip(this, from, count);
    const got = new Map<number, Uint8Array>();
    const tops: number[] = [];
    for (let top = Math.min(from + count - 1, from + 9); ; top = Math.min(top + 10, from + count - 1)) {
      tops.push(top);
      if (top === from + count - 1) break;
    }
    await this.pool(tops, async (top) => {
      for (const [h, raw] of await this.page(top)) if (h >= from && h < from + count) got.set(h, raw);
    });
    const missing = Array.from({ length: count }, (_, i) => from + i).filter((h) => !got.has(h));
    await this.pool(missing, async (h) => {
      got.set(h, await this.headerAt(h));
    });
    return Array.from({ length: count }, (_, i) => got.get(from + i)!);
  }

  private async pool<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) await fn(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  }

  async blockFees(height: number): Promise<bigint | undefined> {
    const hash = await this.blockHash(height);
    const text = await this.getOk(`/block/${hash}/txs/0`, height);
    let txs: EsploraTx[];
    try {
      txs = JSON.parse(text);
    } catch {
      throw new SourceDataError(this.name, `GET /block/${hash}/txs/0: not JSON: ${text.slice(0, 100)}`);
    }
    const coinbase = txs[0];
    if (!coinbase || !coinbase.vin?.[0]?.is_coinbase) throw new SourceDataError(this.name, `GET /block/${hash}/txs/0: first transaction is not a coinbase`);
    const claimed = coinbase.vout.reduce((sum, o) => sum + BigInt(o.value), 0n);
    const fees = claimed - subsidy(height);
    // Under-claimed blocks (claimed < subsidy) exist; the fee total is then unknown, not negative.
    return fees < 0n ? undefined : fees;
  }
}
