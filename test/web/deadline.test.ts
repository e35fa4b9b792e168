import { describe, expect, it } from 'vitest';
import { deadlineFromInput, describeDeadline, describeHeight, estimatedTimeOfHeight, expectedHeightAt, relative } from '../../web/src/lib/deadline.js';

// 2026-03-03 12:00 UTC = 1,772,539,200 (calendar.timegm); one week earlier = 1,771,934,400.
const T = 1_772_539_200;
const NOW = T - 7 * 86_400;

describe('human-readable block-delta deadlines', () => {
  it('relative times read like a person would say them', () => {
    expect(relative(7 * 86_400)).toBe('in 7 days');
    expect(relative(2.5 * 86_400)).toBe('in 2.5 days');
    expect(relative(-2 * 86_400)).toBe('2 days ago');
    expect(relative(3 * 3600 + 20 * 60)).toBe('in 3 h 20 min');
    expect(relative(36 * 3600)).toBe('in 36 h 0 min'); // under 2 days stays in hours
    expect(relative(90)).toBe('in 2 min');
    expect(relative(-10)).toBe('1 min ago');
  });

  it('a deadline shows both the relative and the UTC date', () => {
    expect(describeDeadline(T, NOW)).toBe('in 7 days, 2026-03-03 12:00 UTC');
  });

  it('a height maps to an estimated date at 600 s a block, marked ≈', () => {
    const tip = { height: 830_000, time: NOW };
    // 1,008 blocks × 600 s = 604,800 s = exactly 7 days.
    expect(estimatedTimeOfHeight(831_008, tip)).toBe(T);
    expect(describeHeight(831_008, tip)).toBe('≈ 2026-03-03 12:00 UTC (in 7 days)');
    expect(describeHeight(829_997, tip)).toBe('mined 3 blocks ago');
    expect(describeHeight(830_000, tip)).toBe('mined at the tip');
    expect(expectedHeightAt(T, tip)).toBe(831_008);
    expect(expectedHeightAt(NOW + 1, tip)).toBe(830_001); // never the tip itself
  });

  it('"in N days" or a date becomes T, checked against the chain’s now and BIP65', () => {
    expect(deadlineFromInput({ mode: 'days', days: '7' }, NOW)).toBe(T);
    expect(deadlineFromInput({ mode: 'days', days: '0.5' }, NOW)).toBe(NOW + 43_200);
    expect(deadlineFromInput({ mode: 'date', date: '2026-03-03T12:00' }, NOW)).toBe(T); // no zone = UTC
    expect(deadlineFromInput({ mode: 'date', date: '2026-03-03' }, NOW)).toBe(T - 12 * 3600);
    // Rounded to the minute.
    expect(deadlineFromInput({ mode: 'days', days: '1' }, NOW + 29)).toBe(NOW + 86_400);
    expect(() => deadlineFromInput({ mode: 'days', days: '0' }, NOW)).toThrow(/^days: enter a number of days/);
    expect(() => deadlineFromInput({ mode: 'days', days: 'soon' }, NOW)).toThrow(/days/);
    expect(() => deadlineFromInput({ mode: 'date', date: '2026-02-01' }, NOW)).toThrow(/^date: the deadline must be after the chain's current time \(2026-02-24 12:00 UTC\)/);
    expect(() => deadlineFromInput({ mode: 'date', date: '' }, NOW)).toThrow(/pick a date/);
    // A chain whose clock is before 1985 cannot put a time lock a day later: below the 500,000,000 threshold.
    expect(() => deadlineFromInput({ mode: 'days', days: '1' }, 400_000_000)).toThrow(/time lock/);
    expect(() => deadlineFromInput({ mode: 'date', date: '2107-01-01' }, NOW)).toThrow(/time lock/); // past 2^32 − 1 (2106-02-07)
  });
});
