import { describe, expect, it } from 'vitest';
import { bpsPct, grouped, ppmPct, ratioPct, satAmount, satPerPhDayText, signedBps } from '../../web/src/lib/format.js';
import { tenorDays } from '../../web/src/lib/forward-markets.js';
import { recordOf, recordsOf } from '../../web/src/lib/records.js';
import { postOnlyError } from '../../web/src/lib/time-in-force.js';
import { positiveDigits, wholeNumber, wholePositive } from '../../web/src/lib/whole-number.js';

describe('presentation helpers shared by the pages', () => {
  it('formats counts, sat amounts and prices with grouping', () => {
    expect(grouped(1234567)).toBe('1,234,567');
    expect(satAmount(100_000)).toBe('100,000 sat');
    expect(satPerPhDayText(174_608)).toBe('174,608 sat/PH/day');
  });

  it('formats ratios, ppm rates and bps as percentages, a dash where there is no number', () => {
    expect(ratioPct(0.1234)).toBe('12.34 %');
    expect(ratioPct(-1.094, 1)).toBe('-109.4 %');
    expect(ratioPct(undefined)).toBe('—');
    expect(ratioPct(Number.NaN)).toBe('—');
    expect(ppmPct(2_000)).toBe('0.2 %');
    expect(ppmPct(100_000n)).toBe('10 %');
    expect(bpsPct(5_750)).toBe('57.50 %');
    expect(bpsPct(null)).toBe('—');
    expect(signedBps(150)).toBe('+150 bps');
    expect(signedBps(0)).toBe('+0 bps');
    expect(signedBps(-20)).toBe('-20 bps');
  });

  it('reads typed whole numbers: grouped and bounded for orders, plain digits as text for the account forms', () => {
    expect(wholeNumber(' 1,000 ')).toBe(1000);
    expect(wholeNumber('0')).toBe(0);
    expect(wholeNumber('1.5')).toBeUndefined();
    expect(wholeNumber('9007199254740993')).toBeUndefined();
    expect(wholePositive('0')).toBeUndefined();
    expect(wholePositive('1_000')).toBe(1000);
    expect(positiveDigits(' 250 ')).toBe('250');
    expect(positiveDigits('000')).toBeUndefined();
    expect(positiveDigits('1,000')).toBeUndefined();
    expect(positiveDigits('123456789012345678901234567890')).toBe('123456789012345678901234567890');
  });

  it('names a forward tenor, guards server records and explains post-only', () => {
    expect(tenorDays('FWD-90D')).toBe(90);
    expect(tenorDays('HPI-PERP')).toBeUndefined();
    expect(recordOf({ a: 1 })).toEqual({ a: 1 });
    expect(recordOf([1])).toBeUndefined();
    expect(recordsOf([{ a: 1 }, { b: 2 }])).toHaveLength(2);
    expect(recordsOf([{ a: 1 }, 2])).toEqual([]);
    expect(postOnlyError(true, 'IOC')).toBe('Post-only orders must rest in the book (GTC), not IOC.');
    expect(postOnlyError(true, 'GTC')).toBeUndefined();
    expect(postOnlyError(false, 'FOK')).toBeUndefined();
  });
});
