/**
 * Date -> height in force at that date. Known block times come from shipped headers (exact) and from the
 * epoch table's start/end times; between known times the height is interpolated, past the last known
 * time it is extrapolated; both say so.
 */
import { EPOCH_INTERVAL } from '../chain/params.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import type { IndexChain } from './chain-view.js';

/** How many trailing known epochs set the block interval used to extrapolate past the last known time. */
export const EXTRAPOLATION_EPOCHS = 26;

export interface HeightAtTime {
  height: number;
  /** True when the answer comes from consecutive known header times (the last block timestamped ≤ t). */
  exact: boolean;
  basis: string;
}

interface Anchors {
  heights: Int32Array;
  times: Float64Array;
  /** suffixMin[i] = min(times[i..]): non-decreasing, so a binary search finds the last anchor with time ≤ t. */
  suffixMin: Float64Array;
  tailIntervalS: number;
  tailFrom: number;
}

const cache = new WeakMap<IndexChain, Anchors>();

function anchorsOf(chain: IndexChain): Anchors {
  const hit = cache.get(chain);
  if (hit) return hit;
  const known = new Map<number, number>();
  for (const seg of chain.segments) {
    const buf = chain.segmentBuffer?.(seg);
    if (buf) {
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      for (let h = seg.firstHeight; h <= seg.lastHeight; h++) known.set(h, view.getUint32((h - seg.firstHeight) * 80 + 68, true));
      continue;
    }
    for (let h = seg.firstHeight; h <= seg.lastHeight; h++) {
      const t = chain.timeAt(h);
      if (t !== undefined) known.set(h, t);
    }
  }
  for (const e of chain.epochs)
    for (const h of [e.startHeight, e.endHeight]) {
      const t = chain.timeAt(h);
      if (t !== undefined) known.set(h, t);
    }
  const sorted = [...known.entries()].sort((a, b) => a[0] - b[0]);
  const n = sorted.length;
  const heights = new Int32Array(n);
  const times = new Float64Array(n);
  sorted.forEach(([h, t], i) => {
    heights[i] = h;
    times[i] = t;
  });
  const suffixMin = new Float64Array(n);
  let m = Infinity;
  for (let i = n - 1; i >= 0; i--) suffixMin[i] = m = Math.min(m, times[i]);
  // Interval for extrapolation: mean over the last EXTRAPOLATION_EPOCHS epochs of known times.
  const lastH = heights[n - 1];
  const fromH = Math.max(0, lastH - EXTRAPOLATION_EPOCHS * EPOCH_INTERVAL);
  let j = 0;
  while (heights[j] < fromH) j++;
  const tailIntervalS = (times[n - 1] - times[j]) / (lastH - heights[j]);
  const a: Anchors = { heights, times, suffixMin, tailIntervalS, tailFrom: heights[j] };
  cache.set(chain, a);
  return a;
}

const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** The height in force at `unixSeconds`: the last block whose timestamp is ≤ t (estimated where times are unknown). */
export function heightAtTime(chain: IndexChain, unixSeconds: number): HeightAtTime {
  assertSafeInteger('at', unixSeconds);
  const { heights, times, suffixMin, tailIntervalS, tailFrom } = anchorsOf(chain);
  if (unixSeconds < suffixMin[0]) throw new InvalidArgumentError('at', `${iso(unixSeconds)} is before the genesis block (${iso(suffixMin[0])})`);
  let lo = 0;
  let hi = heights.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (suffixMin[mid] <= unixSeconds) lo = mid;
    else hi = mid - 1;
  }
  const h0 = heights[lo];
  const t0 = times[lo];
  if (lo === heights.length - 1) {
    const height = h0 + Math.floor((unixSeconds - t0) / tailIntervalS);
    if (height > chain.maxHeight)
      throw new InvalidArgumentError('at', `${iso(unixSeconds)} is estimated past the last covered height ${chain.maxHeight}`);
    return {
      height,
      exact: false,
      basis:
        `estimate: extrapolated from the last known block time (height ${h0}, ${iso(t0)}) at ${tailIntervalS.toFixed(1)} s per block, ` +
        `the mean interval of heights ${tailFrom}..${h0}; block times after height ${h0} are not shipped`,
    };
  }
  const h1 = heights[lo + 1];
  const t1 = times[lo + 1];
  if (h1 === h0 + 1) return { height: h0, exact: true, basis: `header times: block ${h0} at ${iso(t0)} ≤ t < block ${h1} at ${iso(t1)}` };
  const est = h0 + Math.floor(((unixSeconds - t0) * (h1 - h0)) / Math.max(1, t1 - t0));
  const height = Math.min(Math.max(est, h0), h1 - 1);
  return {
    height,
    exact: false,
    basis: `estimate: linear interpolation between known block times of heights ${h0} (${iso(t0)}) and ${h1} (${iso(t1)})`,
  };
}

export interface TimeAtHeight {
  /** Unix seconds. */
  time: number;
  /** True when it is the block's own header time (or the epoch table's time for that block). */
  exact: boolean;
}

/**
 * Height -> time, the inverse of heightAtTime on the same anchors: the block's header time where it is known,
 * else a linear interpolation between the nearest known block times, else (past the last known time) an
 * extrapolation at the mean interval of the last EXTRAPOLATION_EPOCHS epochs.
 */
export function timeAtHeight(chain: IndexChain, height: number): TimeAtHeight {
  assertSafeInteger('height', height, 0, chain.maxHeight);
  const { heights, times, tailIntervalS } = anchorsOf(chain);
  let lo = 0;
  let hi = heights.length - 1;
  if (height >= heights[hi]) {
    const exact = height === heights[hi];
    return { time: exact ? times[hi] : Math.round(times[hi] + (height - heights[hi]) * tailIntervalS), exact };
  }
  // The last anchor at or below `height` (heights[0] is the genesis block, so one exists).
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (heights[mid] <= height) lo = mid;
    else hi = mid - 1;
  }
  if (heights[lo] === height) return { time: times[lo], exact: true };
  const h0 = heights[lo], h1 = heights[lo + 1];
  return { time: Math.round(times[lo] + ((times[lo + 1] - times[lo]) * (height - h0)) / (h1 - h0)), exact: false };
}
