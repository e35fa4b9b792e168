/**
 * The shipped mainnet headers replayed as a live chain: a ChainSource whose tip advances one block per
 * `paceMs` of an injected clock, inside one contiguous .bin segment. The embedded server default uses it
 * so funding, forward days and expiries happen on real headers without a node.
 *
 * Only heights from the segment's first up to the current tip exist for this source (what a node that
 * has not yet seen the next block would answer). The replay cannot reorg, so a follower may use 0
 * confirmations on it. Pure apart from the injected clock, which is read once at construction and at
 * each call.
 */
import { InvalidArgumentError } from '../units/errors.js';
import { loadEmbeddedChain, type EmbeddedChain, type HeightRange } from './embedded.js';
import { headerHash } from './header.js';
import { firstHeightWithFullMtpWindow } from './median-time-past.js';
import { UnknownHeightError, checkCountArg, checkHeightArg, type ChainSource } from './source.js';

export const DEFAULT_PACE_MS = 5_000;
/** Blocks kept below the default start so a follower has a full fee window (144) and MTP window (11). */
export const DEFAULT_START_OFFSET = 144;

export interface PacedReplayOptions {
  /** Milliseconds of the clock per block (> 0). */
  paceMs?: number;
  /** The clock, ms. Injected so the replay is deterministic under test. */
  now: () => number;
  /** Height revealed as the tip at construction; default the segment's first height + 144. */
  startHeight?: number;
  /**
   * Resume: the last height the server had processed. The tip starts there and the next block is revealed
   * one pace later. Takes precedence over startHeight.
   */
  resumeFrom?: number;
  /** The segment to replay (one of chain.segments); default the newest (822,527–830,592). */
  segment?: HeightRange;
  chain?: EmbeddedChain;
}

export type PacedReplayState = 'replaying' | 'ended';

export interface PacedReplayStatus {
  state: PacedReplayState;
  tipHeight: number;
  segment: HeightRange;
  paceMs: number;
  /** Clock time (ms) at which the next block is revealed; absent once the segment is exhausted. */
  nextBlockAtMs?: number;
  /** Why the tip no longer moves, when it does not. */
  reason?: string;
}

export class PacedReplaySource implements ChainSource {
  readonly name = 'replay';
  readonly paceMs: number;
  readonly segment: HeightRange;
  /** The tip at construction (start or resume height). */
  readonly baseHeight: number;
  private readonly chain: EmbeddedChain;
  private readonly now: () => number;
  private readonly t0: number;

  constructor(opts: PacedReplayOptions) {
    if (typeof opts?.now !== 'function') throw new InvalidArgumentError('now', 'a clock function returning milliseconds is required');
    const paceMs = opts.paceMs ?? DEFAULT_PACE_MS;
    if (typeof paceMs !== 'number' || !Number.isFinite(paceMs) || paceMs <= 0) throw new InvalidArgumentError('paceMs', `expected a positive number of milliseconds, got ${String(paceMs)}`);
    this.paceMs = paceMs;
    this.chain = opts.chain ?? loadEmbeddedChain();
    const segs = this.chain.segments;
    const seg = opts.segment ?? segs[segs.length - 1];
    if (!segs.some((s) => s.firstHeight === seg.firstHeight && s.lastHeight === seg.lastHeight))
      throw new InvalidArgumentError('segment', `no shipped segment ${seg.firstHeight}..${seg.lastHeight}; shipped: ${segs.map((s) => `${s.firstHeight}..${s.lastHeight}`).join(', ')}`);
    this.segment = seg;
    // The MTP of a block needs the 10 before it; a start closer to the segment's first header would emit a wrong MTP.
    const lowest = firstHeightWithFullMtpWindow(seg.firstHeight);
    const field = opts.resumeFrom !== undefined ? 'resumeFrom' : 'startHeight';
    const base = opts.resumeFrom ?? opts.startHeight ?? Math.min(seg.firstHeight + DEFAULT_START_OFFSET, seg.lastHeight);
    if (!Number.isSafeInteger(base) || base < lowest || base > seg.lastHeight)
      throw new InvalidArgumentError(field, `expected an integer height in ${lowest}..${seg.lastHeight} (segment ${seg.firstHeight}..${seg.lastHeight}, leaving 10 headers for the median time past), got ${String(base)}`);
    this.baseHeight = base;
    this.now = opts.now;
    this.t0 = opts.now();
  }

  /** Lowest height this source serves (the segment's first): a follower's history cannot reach below it. */
  get firstHeight(): number {
    return this.segment.firstHeight;
  }

  private currentTip(): number {
    const elapsed = Math.max(0, this.now() - this.t0);
    return Math.min(this.segment.lastHeight, this.baseHeight + Math.floor(elapsed / this.paceMs));
  }

  status(): PacedReplayStatus {
    const tip = this.currentTip();
    const base = { tipHeight: tip, segment: this.segment, paceMs: this.paceMs };
    if (tip >= this.segment.lastHeight)
      return { ...base, state: 'ended', reason: `end of the shipped segment ${this.segment.firstHeight}..${this.segment.lastHeight}: no more real headers to replay; the tip stays at ${tip}` };
    return { ...base, state: 'replaying', nextBlockAtMs: this.t0 + (tip - this.baseHeight + 1) * this.paceMs };
  }

  async tipHeight(): Promise<number> {
    return this.currentTip();
  }

  private raw(field: string, height: number, tip: number): Uint8Array {
    checkHeightArg(field, height);
    if (height < this.segment.firstHeight) throw new UnknownHeightError(this.name, height, `below the replayed segment (first height ${this.segment.firstHeight})`);
    if (height > tip) throw new UnknownHeightError(this.name, height, `not replayed yet (tip is ${tip})`);
    // Inside the segment by construction, so the header is shipped.
    return this.chain.rawHeader(height)!;
  }

  async blockHash(height: number): Promise<string> {
    return headerHash(this.raw('height', height, this.currentTip()));
  }

  async rawHeaders(from: number, count: number): Promise<Uint8Array[]> {
    checkHeightArg('from', from);
    checkCountArg(count);
    const tip = this.currentTip();
    return Array.from({ length: count }, (_, i) => this.raw('from', from + i, tip));
  }

  async blockFees(height: number): Promise<bigint | undefined> {
    this.raw('height', height, this.currentTip());
    return this.chain.feesAt(height);
  }
}
