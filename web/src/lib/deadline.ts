import { InvalidArgumentError } from '../../../src/units/errors.js';
import { formatUtc, parseIsoDate, SECONDS_PER_DAY } from '../../../src/units/time.js';
import { grouped } from './format.js';

/**
 * Human-readable block-delta deadlines. A series is "height H before time T": T is a unix time that the
 * chain compares with median-time-past (BIP113, about an hour behind the newest header), and H is a height
 * whose date can only be estimated (600 s a block). "Now" is the chain's now — the tip header's time — not
 * this computer's clock: a server replaying old headers lives in their time.
 */
export const SECONDS_PER_BLOCK = 600;
/** BIP65: lock values at or above this are unix times; below, heights. */
export const LOCKTIME_THRESHOLD = 500_000_000;
const MAX_LOCKTIME = 0xffff_ffff;

export interface ChainTip {
  height: number;
  /** Header time of the tip, unix seconds. */
  time: number;
}

/** "in 7 days", "in 3 h 20 min", "2 days ago": whole days from 2 days on, else hours and minutes. */
export function relative(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  let text: string;
  if (s >= 2 * SECONDS_PER_DAY) {
    // One decimal at most; 6.9998 days (a deadline rounded to the minute) reads as 7.
    text = `${Math.round((s / SECONDS_PER_DAY) * 10) / 10} days`;
  } else if (s >= 3600) {
    text = `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  } else text = `${Math.max(1, Math.round(s / 60))} min`;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

/** "in 7 days, 2026-03-03 12:00 UTC" for a deadline T measured from the chain's now. */
export function describeDeadline(deadline: number, now: number): string {
  return `${relative(deadline - now)}, ${formatUtc(deadline)}`;
}

/** Estimated time height H is mined: the tip's time plus 600 s for every block still to come. */
export function estimatedTimeOfHeight(height: number, tip: ChainTip): number {
  return tip.time + (height - tip.height) * SECONDS_PER_BLOCK;
}

/** "≈ 2026-03-03 12:00 UTC (in 7 days)", or "mined 3 blocks ago" once the tip is past it. */
export function describeHeight(height: number, tip: ChainTip): string {
  if (height <= tip.height) return `mined ${tip.height - height === 0 ? 'at the tip' : `${grouped(tip.height - height)} blocks ago`}`;
  const t = estimatedTimeOfHeight(height, tip);
  return `≈ ${formatUtc(t)} (${relative(t - tip.time)})`;
}

/** The height expected at time T: where the odds of "H before T" sit near even. */
export function expectedHeightAt(deadline: number, tip: ChainTip): number {
  return tip.height + Math.max(1, Math.round((deadline - tip.time) / SECONDS_PER_BLOCK));
}

export type DeadlineInput = { mode: 'days'; days: string } | { mode: 'date'; date: string };

/**
 * What a person picks ("in N days" or a UTC date/time) -> the unix deadline T, whole minutes.
 * Must be after the chain's now and a valid time locktime.
 */
export function deadlineFromInput(input: DeadlineInput, now: number): number {
  let t: number;
  if (input.mode === 'days') {
    const s = input.days.trim();
    if (!/^\d+(\.\d+)?$/.test(s) || Number(s) <= 0) throw new InvalidArgumentError('days', 'enter a number of days greater than 0, e.g. 7 or 0.5');
    t = now + Math.round(Number(s) * SECONDS_PER_DAY);
  } else {
    if (input.date.trim() === '') throw new InvalidArgumentError('date', 'pick a date');
    t = parseIsoDate('date', input.date.trim());
  }
  t = Math.round(t / 60) * 60;
  if (t <= now) throw new InvalidArgumentError(input.mode, `the deadline must be after the chain's current time (${formatUtc(now)})`);
  if (t < LOCKTIME_THRESHOLD || t > MAX_LOCKTIME) throw new InvalidArgumentError(input.mode, 'the deadline is outside what a Bitcoin time lock can express');
  return t;
}
