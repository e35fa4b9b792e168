// The history a backtest replays: a sequence of blocks, each with the index the engine would have published
// there (subsidy only: headers carry no fees), its time and the sum of the index over the blocks it stands for
// (the miner's income between two steps). Two resolutions:
//   - 'epoch': one block per 144-block day (its last block), bits from epochs.csv, times interpolated where no
//     header is shipped: the index is constant inside an epoch, so one block a day loses only the day a
//     retarget falls in (its income still counts every block, by `indexSum`);
//   - 'block': every block, from the shipped headers only (a range must lie inside one shipped segment).
import type { IndexChain } from '../index/chain-view.js';
import { subsidyOnlyHashprice } from '../index/hashprice-history.js';
import { timeAtHeight } from '../index/time-map.js';
import { MAX_PRICE } from '../engine/products/perp/pricing.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { BLOCKS_PER_DAY, formatUtc } from '../units/time.js';

export type BacktestResolution = 'epoch' | 'block';
export const BACKTEST_RESOLUTIONS: readonly BacktestResolution[] = ['epoch', 'block'];

export interface Step {
  height: number;
  /** Header time (shipped) or the interpolated time; `mtp` is the running maximum of times (never decreases). */
  time: number;
  mtp: number;
  /** The index at this block, sat/PH/day (the engine may see it divided by a power of ten: hedge-run.ts priceScale). */
  index: number;
  /** Σ index over the blocks since the previous step (this one included), and their count. */
  indexSum: bigint;
  blocks: number;
}

export interface StepsRequest {
  fromHeight: number;
  toHeight: number;
  resolution: BacktestResolution;
}

/** The first height whose index the engine admits (index ≤ MAX_PRICE): earlier history cannot run through it. */
export function firstEngineHeight(chain: IndexChain): number {
  // The subsidy-only index falls with difficulty and halvings; it rose a little at a few downward retargets,
  // so scan epochs rather than bisect.
  let last = 0;
  for (let h = 0; h <= chain.maxHeight; h += 2016) if (Number(subsidyOnlyHashprice(chain, h)) > MAX_PRICE) last = h + 2016;
  return Math.min(last, chain.maxHeight);
}

/** The first height whose index is a safe integer (2^53): the backtest's own bound. */
export function firstSafeHeight(chain: IndexChain): number {
  let last = 0;
  for (let h = 0; h <= chain.maxHeight; h += 2016) if (subsidyOnlyHashprice(chain, h) > BigInt(Number.MAX_SAFE_INTEGER)) last = h + 2016;
  return Math.min(last, chain.maxHeight);
}

function indexAt(chain: IndexChain, h: number): number {
  const v = subsidyOnlyHashprice(chain, h);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < 1n)
    throw new InvalidArgumentError('fromHeight', `the index at height ${h} is ${v} sat/PH/day, above 2^53, too large for exact arithmetic; start at height ${firstSafeHeight(chain)} or later`);
  return Number(v);
}

/** The blocks to replay over [fromHeight, toHeight] at a resolution. */
export function backtestSteps(chain: IndexChain, req: StepsRequest): Step[] {
  if (!BACKTEST_RESOLUTIONS.includes(req.resolution)) throw new InvalidArgumentError('resolution', `expected 'epoch' or 'block', got ${JSON.stringify(req.resolution)}`);
  const from = assertSafeInteger('fromHeight', req.fromHeight, 0, chain.maxHeight);
  const to = assertSafeInteger('toHeight', req.toHeight, from + BLOCKS_PER_DAY * 7, chain.maxHeight);
  const steps: Step[] = [];
  let mtp = 0;
  if (req.resolution === 'block') {
    const seg = chain.segmentOf(from);
    if (seg === undefined || seg.lastHeight < to)
      throw new InvalidArgumentError('toHeight', `block resolution needs shipped headers for every block of ${from}..${to}; shipped segments: ${chain.segments.map((s) => `${s.firstHeight}..${s.lastHeight}`).join(', ')}`);
    for (let h = from; h <= to; h++) {
      const index = indexAt(chain, h);
      const time = chain.timeAt(h) as number;
      mtp = Math.max(mtp, time);
      steps.push({ height: h, time, mtp, index, indexSum: BigInt(index), blocks: 1 });
    }
    return steps;
  }
  // One block per day: the last block of each 144-block day from `from`; the income sums every block.
  let prev = from - 1;
  let sum = 0n;
  let bits = -1;
  let value = 0;
  for (let h = from; h <= to; h++) {
    const b = chain.bitsAt(h);
    // The index changes only with the bits or at a halving; recompute only then.
    if (b !== bits || h % 210_000 === 0) {
      bits = b;
      value = indexAt(chain, h);
    }
    sum += BigInt(value);
    if ((h - from + 1) % BLOCKS_PER_DAY === 0 || h === to) {
      const shipped = chain.timeAt(h);
      const time = shipped ?? timeAtHeight(chain, h).time;
      mtp = Math.max(mtp, time);
      steps.push({ height: h, time, mtp, index: value, indexSum: sum, blocks: h - prev });
      prev = h;
      sum = 0n;
    }
  }
  return steps;
}

/** A height range as text for messages and reports. */
export function describeRange(steps: readonly Step[]): string {
  const a = steps[0], b = steps[steps.length - 1];
  return `heights ${a.height}..${b.height} (${formatUtc(a.time)} .. ${formatUtc(b.time)})`;
}
