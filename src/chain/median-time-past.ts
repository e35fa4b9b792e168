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

export interface TimeAboveMtp {
  /** true: time > MTP of height − 1; false: not; undefined: unknown times leave it open. */
  verdict: boolean | undefined;
  /** Blocks in the window (the MTP of height − 1). */
  span: number;
  /** Window times below `time`, and window times unknown. */
  below: number;
  unknown: number;
  /** Times below `time` needed for `time` to be above the median. */
  need: number;
}

/**
 * The header rule: the time of the header at `height` (> 0) must be above the MTP of height − 1.
 * time > median  <=>  more than half of the window's times are below it, so partial knowledge can
 * still decide (enough known times below, or too few possible).
 */
export function timeAboveMedianTimePast(time: number, height: number, timeOf: (h: number) => number | undefined): TimeAboveMtp {
  const span = mtpSpan(height - 1);
  const need = Math.floor(span / 2) + 1;
  let below = 0;
  let unknown = 0;
  for (let k = 1; k <= span; k++) {
    const pt = timeOf(height - k);
    if (pt === undefined) unknown++;
    else if (pt < time) below++;
  }
  const verdict = below >= need ? true : below + unknown < need ? false : undefined;
  return { verdict, span, below, unknown, need };
}
