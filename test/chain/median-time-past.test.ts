import { describe, it, expect } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import {
  MEDIAN_TIME_SPAN,
  firstHeightWithFullMtpWindow,
  medianTimePast,
  medianTimePastAt,
  mtpSpan,
  mtpWindowCounts,
  timeAboveMedianTimePast,
} from '../../src/chain/median-time-past.js';
import { EPOCH_INTERVAL, MAINNET, REGTEST, TARGET_TIMESPAN, subsidy } from '../../src/chain/params.js';
import { MAINNET_POW_LIMIT, targetOf, targetToBits } from '../../src/chain/target.js';
import { nextEpochBits } from '../../src/chain/validate.js';
import { nextBitsFromTimespan } from '../../src/index/retarget.js';
import { medianTimePast as blockCommandMtp } from '../../src/index/confirmed-block.js';
import { HALVING_INTERVAL, subsidySat } from '../../src/index/hashprice.js';
import { EPOCH_BLOCKS } from '../../src/index/retarget.js';
import { BLOCKS_PER_DAY } from '../../src/units/time.js';
import { BLOCKS_PER_DAY as HISTORY_BLOCKS_PER_DAY } from '../../src/pricing/index-history.js';

describe('median time past: one rule', () => {
  it('is the element at floor(n / 2) of the sorted times, as Core', () => {
    expect(medianTimePast([5, 1, 3])).toBe(3);
    expect(medianTimePast([4, 1, 3, 2])).toBe(3);
    expect(medianTimePast([7])).toBe(7);
    expect(medianTimePast(Uint32Array.from([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10]))).toBe(5);
  });

  it('covers the 11 blocks ending at a height, fewer near genesis', () => {
    expect(MEDIAN_TIME_SPAN).toBe(11);
    expect(mtpSpan(0)).toBe(1);
    expect(mtpSpan(9)).toBe(10);
    expect(mtpSpan(10)).toBe(11);
    expect(mtpSpan(800_000)).toBe(11);
    expect(firstHeightWithFullMtpWindow(822_527)).toBe(822_537);
    const times = (h: number): number => 1000 + h * 10;
    expect(medianTimePastAt(3, times)).toBe(1020); // heights 0..3: sorted [1000,1010,1020,1030][2]
    expect(medianTimePastAt(100, times)).toBe(1950); // heights 90..100: the 6th of 11
  });

  it('matches the block-command MTP on shipped headers', () => {
    const chain = loadEmbeddedChain();
    const last = chain.segments[chain.segments.length - 1];
    for (const h of [0, 5, 10, 11, 1000, last.firstHeight + 10, last.lastHeight]) {
      const direct = medianTimePastAt(h, (x) => chain.timeAt(x));
      expect(blockCommandMtp(chain, h)).toBe(direct);
    }
  });

  it('decides time > MTP of the parent from partial knowledge, and leaves it open only when it must', () => {
    const known = (ts: (number | undefined)[]) => (h: number) => ts[h];
    // height 11: window heights 0..10 (11 times), 6 below needed.
    const ts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    expect(timeAboveMedianTimePast(7, 11, known(ts))).toBe(true);
    expect(mtpWindowCounts(7, 11, known(ts))).toEqual({ span: 11, below: 6, unknown: 0, need: 6 });
    expect(timeAboveMedianTimePast(6, 11, known(ts))).toBe(false);
    expect(mtpWindowCounts(6, 11, known(ts)).below).toBe(5);
    const holes = [1, 2, 3, 4, 5, undefined, undefined, 8, 9, 10, 11];
    expect(timeAboveMedianTimePast(7, 11, known(holes))).toBeUndefined();
    expect(mtpWindowCounts(7, 11, known(holes))).toEqual({ span: 11, below: 5, unknown: 2, need: 6 });
    expect(timeAboveMedianTimePast(100, 11, known(holes))).toBe(true);
    expect(timeAboveMedianTimePast(3, 11, known(holes))).toBe(false);
    // a run read directly gives the answers of the lookup it stands for
    const run = Uint32Array.from([5, 9, 1, 7, 3, 8, 2, 6, 4, 10, 11, 12, 13]);
    const lookup = (h: number): number | undefined => (h >= 100 && h < 113 ? run[h - 100] : undefined);
    for (const height of [101, 105, 111, 112, 113])
      for (const t of [0, 5, 6, 7, 8, 14])
        expect(timeAboveMedianTimePast(t, height, { timeOf: () => undefined, run, runFirst: 100 }), `${height} ${t}`).toBe(timeAboveMedianTimePast(t, height, lookup));
    // height 1: the window is genesis alone
    expect(timeAboveMedianTimePast(2, 1, known([1]))).toBe(true);
    expect(timeAboveMedianTimePast(1, 1, known([1]))).toBe(false);
  });
});

describe('chain params: halving interval, epoch, subsidy, blocks per day', () => {
  it('halving interval lives in the params; subsidy(height, params) is the one rule', () => {
    expect(MAINNET.halvingInterval).toBe(210_000);
    expect(REGTEST.halvingInterval).toBe(150);
    expect(HALVING_INTERVAL).toBe(210_000);
    expect(subsidy(209_999)).toBe(5_000_000_000n);
    expect(subsidy(210_000, MAINNET)).toBe(2_500_000_000n);
    expect(subsidy(149, REGTEST)).toBe(5_000_000_000n);
    expect(subsidy(150, REGTEST)).toBe(2_500_000_000n);
    expect(subsidy(64 * 150, REGTEST)).toBe(0n);
    for (const h of [0, 209_999, 210_000, 840_000, 33 * 210_000]) expect(subsidySat(h)).toBe(subsidy(h, MAINNET));
    expect(() => subsidy(-1)).toThrow(/height/);
  });

  it('blocks per epoch and per day are one number each', () => {
    expect(EPOCH_INTERVAL).toBe(2016);
    expect(EPOCH_BLOCKS).toBe(EPOCH_INTERVAL);
    expect(BLOCKS_PER_DAY).toBe(144);
    expect(HISTORY_BLOCKS_PER_DAY).toBe(BLOCKS_PER_DAY);
  });

  it('the retarget is one rule: the index projection and the header check agree, fractional timespans as before', () => {
    const chain = loadEmbeddedChain();
    const timed = chain.epochs.filter((e) => e.startTime !== undefined && e.endTime !== undefined);
    expect(timed.length).toBeGreaterThan(100);
    for (const e of timed) expect(nextBitsFromTimespan(e.bits, e.endTime! - e.startTime!)).toBe(nextEpochBits(e.bits, e.startTime!, e.endTime!));
    // the projection's former body, written out: clamp, round, scale, cap
    const before = (bits: number, x: number): number => {
      const clamped = Math.min(Math.max(x, TARGET_TIMESPAN / 4), TARGET_TIMESPAN * 4);
      let next = (targetOf(bits) * BigInt(Math.round(clamped))) / BigInt(TARGET_TIMESPAN);
      if (next > MAINNET_POW_LIMIT) next = MAINNET_POW_LIMIT;
      return targetToBits(next);
    };
    for (const x of [0, 302_399.4, 302_399.6, 302_400.5, 1_209_600.49, 1_209_600.5, 4_838_399.5, 4_838_400.7, 9e9])
      for (const bits of [0x1d00ffff, 0x1c0fffff, 0x17034219]) expect(nextBitsFromTimespan(bits, x), `${bits} ${x}`).toBe(before(bits, x));
  });
});
