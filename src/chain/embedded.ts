/**
 * The real mainnet data shipped in data/mainnet: contiguous .bin header segments, one row per
 * difficulty epoch (epochs.csv), the headers at every epoch boundary, and the fees of blocks 0..438.
 * Everything is read lazily and cached per data directory; .bin files are kept as one Buffer each and
 * indexed by offset, so a header lookup is a subarray, not a copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HashPerpError, InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { HEADER_BYTES, decodeHeader, headerHash, type BlockHeader } from './header.js';
import { EPOCH_INTERVAL } from './params.js';
import { workOfBits } from './target.js';

export interface EpochRow {
  epoch: number;
  startHeight: number;
  endHeight: number;
  bits: number;
  startTime?: number;
  endTime?: number;
  startHash?: string;
  endHash?: string;
  chainworkAtEnd: bigint;
  /** `header` when read from headers, `electrum-target` when taken from Electrum's checkpoint targets. */
  bitsSource: string;
}

export interface HeightRange {
  firstHeight: number;
  lastHeight: number;
}

export interface EmbeddedChain {
  /** Where the data was read from. */
  readonly dataDir: string;
  /** Contiguous .bin header runs, ascending. */
  readonly segments: readonly HeightRange[];
  /** Epochs 0..473 from epochs.csv. */
  readonly epochs: readonly EpochRow[];
  /** Last height covered by epoch data (955583). */
  readonly maxHeight: number;
  /** The 80-byte header from a .bin segment or epoch_boundary_headers.csv; undefined when not shipped. */
  rawHeader(height: number): Uint8Array | undefined;
  header(height: number): BlockHeader | undefined;
  /** Block hash (display hex) where the header or the epoch table knows it. */
  hash(height: number): string | undefined;
  /** Bits in force at any height 0..maxHeight; InvalidArgumentError otherwise. */
  bitsAt(height: number): number;
  /** Cumulative chainwork through `height` (sum of per-block work from genesis), any covered height. */
  chainworkAt(height: number): bigint;
  segmentOf(height: number): HeightRange | undefined;
  /** Total fees (sat) of the block where known (blocks 0..438: 0). */
  feesAt(height: number): bigint | undefined;
  /** Header time where known: from a shipped header, else the epoch table's start/end time. */
  timeAt(height: number): number | undefined;
  /** All headers of one segment as one buffer (height h at byte (h - firstHeight) * 80); no copy. */
  segmentBuffer(range: HeightRange): Buffer;
}

/** Blocks per epoch: params.ts EPOCH_INTERVAL under this file's name. */
export const EPOCH_BLOCKS = EPOCH_INTERVAL;

let cachedRoot: string | undefined;

/** The directory holding package.json, found by walking up from this module (works from src/ and dist/src/). */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new HashPerpError('data_missing', `package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function defaultDataDir(): string {
  return join(packageRoot(), 'data', 'mainnet');
}

const cache = new Map<string, EmbeddedChain>();

export function loadEmbeddedChain(dataDir?: string): EmbeddedChain {
  const dir = resolve(dataDir ?? defaultDataDir());
  let chain = cache.get(dir);
  if (!chain) {
    chain = new EmbeddedData(dir);
    cache.set(dir, chain);
  }
  return chain;
}

interface SegmentFile extends HeightRange {
  file: string;
  bytes?: Buffer;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new HashPerpError('data_missing', `embedded chain data: cannot read ${path}: ${(e as Error).message}`);
  }
}

function parseCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    const row: Record<string, string> = {};
    head.forEach((k, i) => (row[k] = cells[i] ?? ''));
    return row;
  });
}

const optInt = (s: string): number | undefined => (s === '' ? undefined : Number(s));
const optStr = (s: string): string | undefined => (s === '' ? undefined : s);

function checkHeight(height: number): void {
  assertSafeInteger('height', height);
}

class EmbeddedData implements EmbeddedChain {
  readonly segments: readonly HeightRange[];
  readonly epochs: readonly EpochRow[];
  readonly maxHeight: number;
  private readonly files: SegmentFile[];
  private boundary: Map<number, Buffer> | undefined;
  private fees: Map<number, bigint> | undefined;

  constructor(readonly dataDir: string) {
    const index = JSON.parse(readText(join(dataDir, 'headers', 'segments.json'))) as { file: string; first_height: number; last_height: number }[];
    this.files = index
      .map((s) => ({ file: join(dataDir, 'headers', s.file), firstHeight: s.first_height, lastHeight: s.last_height }))
      .sort((a, b) => a.firstHeight - b.firstHeight);
    this.segments = this.files.map((s) => Object.freeze({ firstHeight: s.firstHeight, lastHeight: s.lastHeight }));
    this.epochs = parseCsv(readText(join(dataDir, 'epochs.csv'))).map((r) => ({
      epoch: Number(r.epoch),
      startHeight: Number(r.start_height),
      endHeight: Number(r.end_height),
      bits: parseInt(r.bits_hex, 16),
      startTime: optInt(r.start_time),
      endTime: optInt(r.end_time),
      startHash: optStr(r.start_hash),
      endHash: optStr(r.end_hash),
      chainworkAtEnd: BigInt('0x' + r.chainwork_at_end_hex),
      bitsSource: r.bits_source,
    }));
    this.epochs.forEach((e, i) => {
      if (e.epoch !== i || e.startHeight !== i * EPOCH_BLOCKS || e.endHeight !== e.startHeight + EPOCH_BLOCKS - 1)
        throw new HashPerpError('data_corrupt', `epochs.csv: row ${i} is not epoch ${i} covering ${i * EPOCH_BLOCKS}..${i * EPOCH_BLOCKS + 2015}`);
    });
    this.maxHeight = this.epochs[this.epochs.length - 1].endHeight;
  }

  segmentOf(height: number): HeightRange | undefined {
    checkHeight(height);
    return this.segments.find((s) => height >= s.firstHeight && height <= s.lastHeight);
  }

  private segmentBytes(seg: SegmentFile): Buffer {
    if (!seg.bytes) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(seg.file);
      } catch (e) {
        throw new HashPerpError('data_missing', `embedded chain data: cannot read ${seg.file}: ${(e as Error).message}`);
      }
      const expected = (seg.lastHeight - seg.firstHeight + 1) * HEADER_BYTES;
      if (bytes.length !== expected) throw new HashPerpError('data_corrupt', `${seg.file}: ${bytes.length} bytes, expected ${expected}`);
      seg.bytes = bytes;
    }
    return seg.bytes;
  }

  /** All headers of a segment as one buffer (header at height h at offset (h - firstHeight) * 80). */
  segmentBuffer(range: HeightRange): Buffer {
    const seg = this.files.find((s) => s.firstHeight === range.firstHeight && s.lastHeight === range.lastHeight);
    if (!seg) throw new InvalidArgumentError('segment', `no segment ${range.firstHeight}..${range.lastHeight}`);
    return this.segmentBytes(seg);
  }

  private boundaryHeaders(): Map<number, Buffer> {
    if (!this.boundary) {
      const m = new Map<number, Buffer>();
      for (const r of parseCsv(readText(join(this.dataDir, 'epoch_boundary_headers.csv')))) {
        const raw = Buffer.from(r.header_hex, 'hex');
        if (raw.length !== HEADER_BYTES) throw new HashPerpError('data_corrupt', `epoch_boundary_headers.csv: height ${r.height}: header is ${raw.length} bytes`);
        m.set(Number(r.height), raw);
      }
      this.boundary = m;
    }
    return this.boundary;
  }

  rawHeader(height: number): Uint8Array | undefined {
    checkHeight(height);
    const seg = this.files.find((s) => height >= s.firstHeight && height <= s.lastHeight);
    if (seg) {
      const off = (height - seg.firstHeight) * HEADER_BYTES;
      return this.segmentBytes(seg).subarray(off, off + HEADER_BYTES);
    }
    return this.boundaryHeaders().get(height);
  }

  header(height: number): BlockHeader | undefined {
    const raw = this.rawHeader(height);
    return raw ? decodeHeader(raw) : undefined;
  }

  hash(height: number): string | undefined {
    const raw = this.rawHeader(height);
    if (raw) return headerHash(raw);
    const e = this.epochs[Math.floor(height / EPOCH_BLOCKS)];
    if (!e) return undefined;
    if (height === e.startHeight) return e.startHash;
    if (height === e.endHeight) return e.endHash;
    return undefined;
  }

  timeAt(height: number): number | undefined {
    const raw = this.rawHeader(height);
    if (raw) return (raw[68] | (raw[69] << 8) | (raw[70] << 16) | (raw[71] << 24)) >>> 0;
    const e = this.epochs[Math.floor(height / EPOCH_BLOCKS)];
    if (!e) return undefined;
    if (height === e.startHeight) return e.startTime;
    if (height === e.endHeight) return e.endTime;
    return undefined;
  }

  private epochAt(field: string, height: number): EpochRow {
    checkHeight(height);
    if (height < 0 || height > this.maxHeight)
      throw new InvalidArgumentError(field, `height ${height} is outside the embedded epoch data (0..${this.maxHeight})`);
    return this.epochs[Math.floor(height / EPOCH_BLOCKS)];
  }

  bitsAt(height: number): number {
    return this.epochAt('height', height).bits;
  }

  chainworkAt(height: number): bigint {
    const e = this.epochAt('height', height);
    const before = e.epoch === 0 ? 0n : this.epochs[e.epoch - 1].chainworkAtEnd;
    return before + BigInt(height - e.startHeight + 1) * workOfBits(e.bits);
  }

  feesAt(height: number): bigint | undefined {
    checkHeight(height);
    if (!this.fees) {
      const m = new Map<number, bigint>();
      for (const r of parseCsv(readText(join(this.dataDir, 'blocks_000000-000438_full_block_stats.csv')))) m.set(Number(r.height), BigInt(r.implied_fees_sat));
      this.fees = m;
    }
    return this.fees.get(height);
  }
}

/** The embedded data as verification context: what it does not know is undefined, never guessed. */
export function embeddedContext(chain: EmbeddedChain = loadEmbeddedChain()): {
  hash(h: number): string | undefined;
  bits(h: number): number | undefined;
  time(h: number): number | undefined;
  chainwork(h: number): bigint | undefined;
} {
  const covered = (h: number): boolean => Number.isSafeInteger(h) && h >= 0 && h <= chain.maxHeight;
  return {
    hash: (h) => (covered(h) ? chain.hash(h) : undefined),
    bits: (h) => (covered(h) ? chain.bitsAt(h) : undefined),
    time: (h) => (covered(h) ? chain.timeAt(h) : undefined),
    chainwork: (h) => (covered(h) ? chain.chainworkAt(h) : undefined),
  };
}
