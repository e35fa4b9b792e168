/**
 * Follows a ChainSource (bitcoind, Esplora, the paced replay) and turns its best chain into
 *   - provisional `tip` events for display (they may be reorged away),
 *   - `reorg` events for display,
 *   - confirmed-block records (`ConfirmedBlock`, confirmed-block.ts) only for blocks buried under
 *     `confirmations` blocks; the server turns them into the engine's BlockConnected commands.
 *
 * Design choice: settlement is final in the engine (funding paid, PnL settled, options expired), so the
 * engine is never asked to undo a block. DESIGN.md's BlockDisconnected therefore exists only as the
 * display `reorg` event: a reorg shallower than the confirmation depth only rewrites provisional tips;
 * a reorg that would disconnect a block already sent to the engine halts the follower with the terminal
 * error `deep_reorg` (an operator decision, never an automatic unwind).
 *
 * `confirmations` is a depth: block h is sent once the best chain's tip is at h + confirmations or
 * above (0 = sent at the tip, right for the replay, which cannot reorg; 1 on regtest; 6 on mainnet).
 *
 * Every header is verified with the project's rules (verifyHeaders: PoW, link, bits, retarget where the
 * epoch's first time is known, MTP, version) before use. A rule failure is terminal (`header_invalid`,
 * naming height and rule); any error thrown by the source is retryable (the caller logs the `retry`
 * event and the next poll tries again). A link failure can be a reorg racing the poll, so it is retried
 * a few times before being taken as invalid data. Polls are all-or-nothing: a poll reads everything it
 * needs from the source first, then applies it, so a failed poll changes nothing.
 */
import { blockIndexAt, hashpriceRule, type BlockIndex, type IndexInput } from '../index/block-index.js';
import { FEE_WINDOW_BLOCKS } from '../index/index-at.js';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import type { ConfirmedBlock } from './confirmed-block.js';
import { embeddedContext } from './embedded.js';
import { HEADER_BYTES, headerHash } from './header.js';
import { medianTimePast, mtpSpan } from './median-time-past.js';
import { EPOCH_INTERVAL, MAINNET, MEDIAN_TIME_SPAN, subsidy, type ChainParams } from './params.js';
import type { ChainSource } from './source.js';
import { RULE_NAMES, verifyHeaders, type HeaderContext, type Rule } from './validate.js';

export interface BlockRef {
  height: number;
  hash: string;
}

export interface TipEvent {
  kind: 'tip';
  height: number;
  hash: string;
  time: number;
  /** Median time past of the 11 blocks ending at this one (Core's GetMedianTimePast of this block). */
  mtp: number;
  index: BlockIndex;
}
export interface ReorgEvent {
  kind: 'reorg';
  /** The last block common to the old and new branch. */
  fork: BlockRef;
  /** Blocks of the old branch, ascending; none of them was sent to the engine. */
  disconnected: BlockRef[];
  /** Blocks of the new branch read in the same poll, ascending (more may follow in tip events). */
  connected: BlockRef[];
}
/** A block became confirmed: the record the server turns into the engine's BlockConnected command. */
export interface CommandEvent {
  kind: 'command';
  command: ConfirmedBlock;
}
/** A retryable failure (source unreachable, chain changed under the poll); the next poll retries. */
export interface RetryEvent {
  kind: 'retry';
  error: HashPerpError;
}
export interface HaltedEvent {
  kind: 'halted';
  error: FollowerHaltedError;
}
export type FollowerEvent = TipEvent | ReorgEvent | CommandEvent | RetryEvent | HaltedEvent;
export type FollowerListener = (event: FollowerEvent) => void;

export type HaltCode = 'deep_reorg' | 'header_invalid' | 'insufficient_history' | 'index_out_of_range' | 'listener_error';

/** Terminal: the follower stops and needs an operator (or a fix) before it can go on. */
export class FollowerHaltedError extends HashPerpError {
  constructor(
    code: HaltCode,
    message: string,
    readonly height?: number,
    readonly rule?: Rule,
  ) {
    super(code, message);
    this.name = 'FollowerHaltedError';
  }
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface FollowerOptions {
  source: ChainSource;
  /** Consensus rules to verify with (default MAINNET). */
  params?: ChainParams;
  /** Depth a block must have before it is sent to the engine; default defaultConfirmations(source, params). */
  confirmations?: number;
  /**
   * What is known outside the follower's window (epoch-start times for retargets, the hash before the
   * first header). Default: the embedded mainnet data on MAINNET, nothing on regtest.
   */
  context?: HeaderContext;
  /** Resume after the last block sent to the engine (from the journal); its hash must still be on the source's chain. */
  resume?: BlockRef;
  /** Without resume: the first block to process (default: the source's tip at the first poll). */
  startHeight?: number;
  /** Milliseconds between polls when caught up (default 1000). */
  pollMs?: number;
  /** Headers read per poll while catching up (default 1000). */
  maxBatch?: number;
  /** Ask the source for block fees (default true). Without fees the index uses fee144 = 0. */
  fees?: boolean;
  /** Index price rule (sat/PH/day); default hashpriceSatPerPHDay(bits, subsidy + fee144). */
  indexPrice?: (input: IndexInput) => bigint;
  /** Consecutive polls whose headers fail to link before that is taken as invalid data (default 3). */
  maxLinkRetries?: number;
  timers?: Timers;
}

export interface PollResult {
  status: 'ok' | 'retry' | 'halted';
  /** Height of the best block held after the poll, if any. */
  tipHeight?: number;
  /** True when the source is known to have more blocks than this poll read (catching up). */
  more?: boolean;
  error?: HashPerpError;
}

export interface FollowerStatus {
  state: 'idle' | 'running' | 'halted';
  tip: BlockRef | null;
  /** The last block sent to the engine (or the resume point / the block before the start). */
  confirmed: BlockRef | null;
  confirmations: number;
  polls: number;
  retries: number;
  lastRetry?: string;
  error?: { code: string; message: string };
  /** Rules verifyHeaders could not decide for lack of context, by rule: header count. */
  unchecked: Record<string, number>;
}

/** 0 for the paced replay (it cannot reorg), 1 on regtest, 6 otherwise. */
export function defaultConfirmations(source: ChainSource, params: ChainParams = MAINNET): number {
  if (source.name === 'replay') return 0;
  return params.name === 'regtest' ? 1 : 6;
}


interface Held extends BlockRef {
  time: number;
  bits: number;
  fees: bigint | undefined;
  /** Only for blocks read after the start (history blocks are never emitted). */
  info?: { mtp: number; index: BlockIndex };
}

interface Plan {
  /** Height of the last block kept from the current window (-1 when none). */
  fork: number;
  from: number;
  raws: Uint8Array[];
  fees: (bigint | undefined)[];
  /** Init only: the resume/anchor block that must end the history. */
  expectLast?: BlockRef;
  /** Init only: time of the current epoch's first block when it is below the history. */
  epochStart?: { height: number; time: number };
  sourceTip: number;
}

class RetryLater extends HashPerpError {
  constructor(code: 'source_behind' | 'source_bad_data' | 'chain_changed', message: string) {
    super(code, message);
  }
}

const readU32 = (raw: Uint8Array, off: number): number => (raw[off] | (raw[off + 1] << 8) | (raw[off + 2] << 16) | (raw[off + 3] << 24)) >>> 0;

export class ChainFollower {
  readonly source: ChainSource;
  readonly params: ChainParams;
  readonly confirmations: number;
  private readonly context: HeaderContext | undefined;
  private readonly pollMs: number;
  private readonly maxBatch: number;
  private readonly wantFees: boolean;
  private readonly indexPrice: (input: IndexInput) => bigint;
  private readonly maxLinkRetries: number;
  private readonly timers: Timers;
  private readonly resume: BlockRef | undefined;
  private readonly startHeight: number | undefined;
  /** Blocks kept: enough for the fee window, and for the MTP window under every unconfirmed block. */
  private readonly keep: number;

  private window: Held[] = [];
  private initialized = false;
  private confirmedHeight = -1;
  private readonly epochStartTimes = new Map<number, number>();
  private readonly listeners = new Set<FollowerListener>();
  private queue: Promise<unknown> = Promise.resolve();
  private halted: FollowerHaltedError | undefined;
  private running = false;
  private timer: unknown;
  private linkFailures = 0;
  private polls = 0;
  private retries = 0;
  private lastRetry: string | undefined;
  private readonly unchecked: Record<string, number> = {};

  constructor(opts: FollowerOptions) {
    if (!opts?.source) throw new InvalidArgumentError('source', 'a ChainSource is required');
    this.source = opts.source;
    this.params = opts.params ?? MAINNET;
    const int = (field: string, v: number | undefined, dflt: number, min: number): number => {
      const x = v ?? dflt;
      if (!Number.isSafeInteger(x) || x < min) throw new InvalidArgumentError(field, `expected an integer >= ${min}, got ${String(x)}`);
      return x;
    };
    this.confirmations = int('confirmations', opts.confirmations, defaultConfirmations(this.source, this.params), 0);
    this.pollMs = int('pollMs', opts.pollMs, 1000, 1);
    this.maxBatch = int('maxBatch', opts.maxBatch, 1000, 1);
    this.maxLinkRetries = int('maxLinkRetries', opts.maxLinkRetries, 3, 0);
    this.wantFees = opts.fees ?? true;
    this.context = opts.context ?? (this.params.name === 'mainnet' ? embeddedContext() : undefined);
    this.indexPrice = opts.indexPrice ?? hashpriceRule;
    this.timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
    if (opts.resume) {
      int('resume.height', opts.resume.height, 0, 0);
      if (!/^[0-9a-f]{64}$/.test(opts.resume.hash)) throw new InvalidArgumentError('resume.hash', `expected 64 lowercase hex characters, got ${JSON.stringify(opts.resume.hash)}`);
    }
    this.resume = opts.resume;
    this.startHeight = opts.startHeight === undefined ? undefined : int('startHeight', opts.startHeight, 0, 0);
    this.keep = Math.max(FEE_WINDOW_BLOCKS, this.confirmations + MEDIAN_TIME_SPAN) + 1;
  }

  /** Subscribe; returns the unsubscribe function. Listeners run synchronously inside the poll. */
  on(listener: FollowerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): FollowerStatus {
    const top = this.window[this.window.length - 1];
    const conf = this.held(this.confirmedHeight) ?? (this.resume && this.resume.height === this.confirmedHeight ? this.resume : undefined);
    return {
      state: this.halted ? 'halted' : this.running ? 'running' : 'idle',
      tip: top ? { height: top.height, hash: top.hash } : null,
      confirmed: conf ? { height: conf.height, hash: conf.hash } : null,
      confirmations: this.confirmations,
      polls: this.polls,
      retries: this.retries,
      lastRetry: this.lastRetry,
      error: this.halted ? { code: this.halted.code, message: this.halted.message } : undefined,
      unchecked: { ...this.unchecked },
    };
  }

  /** Polls until stop() or a terminal error; catching up polls again at once, else after pollMs. */
  start(): void {
    if (this.running || this.halted) return;
    this.running = true;
    const loop = (): void => {
      this.timer = undefined;
      if (!this.running) return;
      void this.pollOnce().then((r) => {
        if (r.status === 'halted') this.running = false;
        if (this.running) this.timer = this.timers.setTimeout(loop, r.more ? 0 : this.pollMs);
      });
    };
    loop();
  }

  /** Stops polling and waits for a poll in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.queue;
  }

  /** One poll; polls never overlap (a call made during a poll runs after it). */
  pollOnce(): Promise<PollResult> {
    const run = this.queue.then(() => this.poll());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A listener that throws is a caller bug whose effect is unknown (did the engine get the command?): terminal. */
  private emit(event: FollowerEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        const height = 'height' in event ? event.height : event.kind === 'command' ? event.command.height : undefined;
        throw new FollowerHaltedError('listener_error', `a listener failed on the ${event.kind} event${height === undefined ? '' : ` at height ${height}`}: ${e instanceof Error ? e.message : String(e)}`, height);
      }
    }
  }

  private held(height: number): Held | undefined {
    const first = this.window[0];
    return first && height >= first.height ? this.window[height - first.height] : undefined;
  }

  private async poll(): Promise<PollResult> {
    if (this.halted) return { status: 'halted', error: this.halted };
    this.polls++;
    try {
      // The first poll loads the history below the start, then reads what is new like any other poll.
      if (!this.initialized) this.apply(await this.fetchInit());
      return this.apply(await this.fetchNext());
    } catch (e) {
      if (e instanceof FollowerHaltedError) return this.halt(e);
      const err =
        e instanceof HashPerpError ? e : new HashPerpError('source_error', `${this.source.name}: ${e instanceof Error ? e.message : String(e)}`);
      this.retries++;
      this.lastRetry = err.message;
      try {
        this.emit({ kind: 'retry', error: err });
      } catch (le) {
        return this.halt(le as FollowerHaltedError);
      }
      return { status: 'retry', error: err, tipHeight: this.window[this.window.length - 1]?.height };
    }
  }

  private halt(e: FollowerHaltedError): PollResult {
    this.halted = e;
    this.running = false;
    try {
      this.emit({ kind: 'halted', error: e });
    } catch {
      // The follower is already stopped; a listener failing on the halt notice changes nothing.
    }
    return { status: 'halted', error: e };
  }

  private async fetchFees(from: number, count: number): Promise<(bigint | undefined)[]> {
    const out: (bigint | undefined)[] = [];
    for (let h = from; h < from + count; h++) out.push(this.wantFees ? await this.source.blockFees(h) : undefined);
    return out;
  }

  private async fetchInit(): Promise<Plan> {
    const tip = await this.source.tipHeight();
    const floor = (this.source as { firstHeight?: number }).firstHeight ?? 0;
    let anchor: number;
    if (this.resume) {
      if (tip < this.resume.height) throw new RetryLater('source_behind', `${this.source.name}: tip ${tip} is below the resume height ${this.resume.height}; waiting for it to catch up`);
      const hash = await this.source.blockHash(this.resume.height);
      if (hash !== this.resume.hash)
        throw new FollowerHaltedError(
          'deep_reorg',
          `resume: block ${this.resume.hash} at height ${this.resume.height}, already sent to the engine, is not on ${this.source.name}'s best chain (it has ${hash}); settled blocks cannot be undone`,
          this.resume.height,
        );
      anchor = this.resume.height;
    } else {
      const first = this.startHeight ?? tip;
      if (first > tip) throw new RetryLater('source_behind', `${this.source.name}: tip ${tip} is below the start height ${first}; waiting for it`);
      if (first < floor) throw new FollowerHaltedError('insufficient_history', `start height ${first} is below the lowest height ${floor} ${this.source.name} serves`, first);
      anchor = first - 1;
    }
    const from = Math.max(floor, anchor - this.keep + 1);
    const count = anchor - from + 1;
    const raws = count > 0 ? await this.source.rawHeaders(from, count) : [];
    const feeCount = Math.min(count, FEE_WINDOW_BLOCKS);
    const fees = [...new Array<undefined>(count - feeCount).fill(undefined), ...(feeCount > 0 ? await this.fetchFees(anchor - feeCount + 1, feeCount) : [])];
    // The retarget at the next epoch boundary needs the time of this epoch's first block.
    let epochStart: Plan['epochStart'];
    const es = Math.max(0, anchor) - (Math.max(0, anchor) % EPOCH_INTERVAL);
    if (this.params.retargeting && es < from && es >= floor && this.context?.time(es) === undefined) {
      const [raw] = await this.source.rawHeaders(es, 1);
      epochStart = { height: es, time: readU32(raw, 68) };
    }
    const expectLast = count > 0 ? (this.resume ?? undefined) : undefined;
    return { fork: -1, from, raws, fees, expectLast, epochStart, sourceTip: tip };
  }

  private async fetchNext(): Promise<Plan> {
    const tip = await this.source.tipHeight();
    const top = this.window[this.window.length - 1];
    let fork: number;
    if (!top) fork = -1;
    else {
      // Walk down from the highest height both chains have until the hashes agree.
      let h = Math.min(tip, top.height);
      for (;;) {
        const mine = this.held(h);
        if (!mine) throw this.deepReorg(h, `the fork point is below the ${this.window.length} blocks held`);
        const theirs = await this.source.blockHash(h);
        if (theirs === mine.hash) break;
        if (h <= this.confirmedHeight) throw this.deepReorg(h, `block ${mine.hash} at height ${h} was sent to the engine; ${this.source.name} now has ${theirs}`);
        h--;
      }
      fork = h;
    }
    const from = fork + 1;
    const count = Math.max(0, Math.min(tip, fork + this.maxBatch) - fork);
    const raws = count > 0 ? await this.source.rawHeaders(from, count) : [];
    const fees = count > 0 ? await this.fetchFees(from, count) : [];
    return { fork, from, raws, fees, sourceTip: tip };
  }

  private deepReorg(height: number, detail: string): FollowerHaltedError {
    return new FollowerHaltedError(
      'deep_reorg',
      `reorg deeper than the confirmation depth (${this.confirmations}) at height ${height}: ${detail}. Settlement is final in the engine, so the follower stops; an operator must decide`,
      height,
    );
  }

  /** Verification context: the window below the new headers first, then what was learned of epoch starts, then the given context. */
  private contextFor(base: readonly Held[]): HeaderContext {
    const first = base[0]?.height ?? 0;
    const at = (h: number): Held | undefined => (h >= first && h - first < base.length ? base[h - first] : undefined);
    const ctx = this.context;
    return {
      hash: (h) => at(h)?.hash ?? ctx?.hash(h),
      bits: (h) => at(h)?.bits ?? ctx?.bits(h),
      time: (h) => at(h)?.time ?? this.epochStartTimes.get(h) ?? ctx?.time(h),
    };
  }

  private apply(plan: Plan): PollResult {
    const init = !this.initialized;
    const base = plan.fork < 0 || init ? [] : this.window.slice(0, plan.fork - this.window[0].height + 1);
    const disconnected = init ? [] : this.window.slice(base.length);
    for (const d of disconnected) if (d.height <= this.confirmedHeight) throw this.deepReorg(d.height, `block ${d.hash} was sent to the engine`);

    const n = plan.raws.length;
    const blocks: Held[] = [];
    if (n > 0) {
      if (init && plan.epochStart) this.epochStartTimes.set(plan.epochStart.height, plan.epochStart.time);
      const bytes = Buffer.concat(plan.raws);
      if (bytes.length !== n * HEADER_BYTES) throw new RetryLater('source_bad_data', `${this.source.name}: headers of ${plan.from}..${plan.from + n - 1} are not 80 bytes each`);
      const report = verifyHeaders(bytes, plan.from, { params: this.params, context: this.contextFor(base) });
      if (report.failure) {
        const f = report.failure;
        if (f.rule === 'link' && this.linkFailures < this.maxLinkRetries) {
          this.linkFailures++;
          throw new RetryLater('chain_changed', `${this.source.name}: ${f.message} (the chain may have changed during the poll; retrying)`);
        }
        throw new FollowerHaltedError('header_invalid', `${this.source.name}: header at height ${f.height} fails ${f.rule} (${RULE_NAMES[f.rule]}): ${f.message}`, f.height, f.rule);
      }
      const last = plan.raws[n - 1];
      if (plan.expectLast && headerHash(last) !== plan.expectLast.hash)
        throw new RetryLater('chain_changed', `${this.source.name}: header at ${plan.expectLast.height} no longer hashes to ${plan.expectLast.hash}; retrying`);
      for (const u of report.unchecked) if (u.rule !== 'time-too-new') this.unchecked[u.rule] = (this.unchecked[u.rule] ?? 0) + u.count;
      plan.raws.forEach((raw, i) => {
        blocks.push({ height: plan.from + i, hash: headerHash(raw), time: readU32(raw, 68), bits: readU32(raw, 72), fees: plan.fees[i] });
      });
    }
    this.linkFailures = 0;

    // Index and MTP for the new blocks, computed over the kept blocks plus the new ones.
    const chain = [...base, ...blocks];
    if (!init) {
      const firstHeight = chain[0]?.height ?? 0;
      for (const b of blocks) {
        const i = b.height - firstHeight;
        const span = mtpSpan(b.height);
        if (i + 1 < span) throw new FollowerHaltedError('insufficient_history', `height ${b.height}: the median time past needs the ${span - 1} blocks before it; only ${i} are held`, b.height);
        const mtp = medianTimePast(chain.slice(i + 1 - span, i + 1).map((x) => x.time));
        b.info = { mtp, index: blockIndexAt(chain, i, this.params, this.indexPrice) };
      }
    }

    // Apply: nothing below can fail on the source's account.
    this.window = chain;
    this.initialized = true;
    for (const d of disconnected) if (d.height % EPOCH_INTERVAL === 0) this.epochStartTimes.delete(d.height);
    if (init) this.confirmedHeight = plan.expectLast?.height ?? this.resume?.height ?? plan.from + n - 1;
    if (disconnected.length > 0) {
      const f = base[base.length - 1];
      this.emit({
        kind: 'reorg',
        fork: { height: f.height, hash: f.hash },
        disconnected: disconnected.map((d) => ({ height: d.height, hash: d.hash })),
        connected: blocks.map((b) => ({ height: b.height, hash: b.hash })),
      });
    }
    for (const b of blocks) {
      if (b.height % EPOCH_INTERVAL === 0) this.epochStartTimes.set(b.height, b.time);
      if (init || !b.info) continue;
      this.emit({ kind: 'tip', height: b.height, hash: b.hash, time: b.time, mtp: b.info.mtp, index: b.info.index });
      this.sendBuried(b.height);
    }
    if (this.window.length > this.keep) this.window = this.window.slice(this.window.length - this.keep);
    const top = this.window[this.window.length - 1];
    return { status: 'ok', tipHeight: top?.height, more: top !== undefined && plan.sourceTip > top.height };
  }

  private sendBuried(topHeight: number): void {
    while (this.confirmedHeight + 1 <= topHeight - this.confirmations) {
      const b = this.held(this.confirmedHeight + 1);
      if (!b?.info) throw new FollowerHaltedError('insufficient_history', `height ${this.confirmedHeight + 1}: block not held when it became confirmed`, this.confirmedHeight + 1);
      const price = b.info.index.hashpriceSatPerPHDay;
      if (price < 0n || price > BigInt(Number.MAX_SAFE_INTEGER))
        throw new FollowerHaltedError(
          'index_out_of_range',
          `height ${b.height}: index price ${price} sat/PH/day is outside 0..2^53 - 1 (trivial ${this.params.name} difficulty?); give the follower an indexPrice rule for this network`,
          b.height,
        );
      const command: ConfirmedBlock = { type: 'BlockConnected', height: b.height, hash: b.hash, time: b.time, mtp: b.info.mtp, indexPrice: Number(price) };
      this.emit({ kind: 'command', command });
      this.confirmedHeight = b.height;
    }
  }
}
