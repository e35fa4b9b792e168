/**
 * Median time past (BIP113, Core's GetMedianTimePast): the one place the rule is written. The MTP of
 * block h is the median of the times of the MEDIAN_TIME_SPAN (11) blocks ending at h (fewer near
 * genesis): sorted, the element at floor(n / 2). A header at h must have a time above the MTP of h − 1.
 * Pure: times come from the caller (an array or a lookup by height).
 */
import { MEDIAN_TIME_SPAN } from './params.js';

export { MEDIAN_TIME_SPAN };

/** Median of the given times as Core takes it: sorted ascending, the element at floor(n / 2). */
export function medianTimePast(times: ArrayLike<number>): number {
  const s = Array.from(times).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Number of blocks whose times make the MTP of block `height`: 11, fewer near genesis. */
export function mtpSpan(height: number): number {
  return Math.min(MEDIAN_TIME_SPAN, height + 1);
}

/**
 * The MTP of block `height` from a lookup of header times by height (heights height − span + 1 ..
 * height). The lookup may throw to refuse a missing time; a missing time (undefined) gives NaN.
 */
export function medianTimePastAt(height: number, timeOf: (h: number) => number | undefined): number {
  const span = mtpSpan(height);
  const times: number[] = [];
  for (let h = height - span + 1; h <= height; h++) times.push(timeOf(h) ?? NaN);
  return medianTimePast(times);
}

/**
 * Lowest height whose full window of MEDIAN_TIME_SPAN blocks lies at or above `firstKnownHeight`:
 * a source that starts at `firstKnownHeight` can give the MTP of this height and of every one above.
 */
export function firstHeightWithFullMtpWindow(firstKnownHeight: number): number {
  return firstKnownHeight + MEDIAN_TIME_SPAN - 1;
}

/** Times below `time` a window of `span` must hold for `time` to be above its median: more than half. */
export function mtpNeed(span: number): number {
  return Math.floor(span / 2) + 1;
}

/**
 * Times by height for the MTP rule: `run` holds the times of heights runFirst.. (read directly, the hot
 * path of a header run); `timeOf` answers for the other heights (undefined: unknown).
 */
export interface TimeLookup {
  timeOf: (h: number) => number | undefined;
  run?: ArrayLike<number>;
  runFirst?: number;
}
type Times = TimeLookup | ((h: number) => number | undefined);

/** Window times of the MTP of height − 1 below `time` and unknown, packed as below × 64 + unknown (span <= 11). */
function countWindow(time: number, height: number, times: Times): number {
  const span = mtpSpan(height - 1);
  const { timeOf, run, runFirst = 0 } = typeof times === 'function' ? { timeOf: times } : times;
  let below = 0;
  let unknown = 0;
  if (run && height - span >= runFirst && height - 1 < runFirst + run.length) {
    for (let h = height - span; h < height; h++) if (run[h - runFirst] < time) below++;
    return below * 64;
  }
  for (let k = 1; k <= span; k++) {
    const pt = timeOf(height - k);
    if (pt === undefined) unknown++;
    else if (pt < time) below++;
  }
  return below * 64 + unknown;
}

/**
 * The header rule: the time of the header at `height` (> 0) must be above the MTP of height − 1.
 * time > median  <=>  more than half of the window's times are below it, so partial knowledge can
 * still decide. true: above; false: not above; undefined: unknown times leave it open.
 */
export function timeAboveMedianTimePast(time: number, height: number, times: Times): boolean | undefined {
  const c = countWindow(time, height, times);
  const below = c >> 6;
  const need = mtpNeed(mtpSpan(height - 1));
  return below >= need ? true : below + (c & 63) < need ? false : undefined;
}

/** The counts behind timeAboveMedianTimePast's answer, for a message that explains it. */
export function mtpWindowCounts(time: number, height: number, times: Times): { span: number; below: number; unknown: number; need: number } {
  const c = countWindow(time, height, times);
  const span = mtpSpan(height - 1);
  return { span, below: c >> 6, unknown: c & 63, need: mtpNeed(span) };
}
