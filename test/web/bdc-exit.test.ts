import { describe, expect, it } from 'vitest';
import { exitAdvice } from '../../web/src/lib/bdc-exit.js';

const race = 'Once block H exists and MTP has reached T, … the first confirmed claim wins (a race).';

describe('block-delta exit advice in words', () => {
  it('a SLOW holder: a block number', () => {
    expect(exitAdvice({ exitDelayBlocks: 144, exitDelaySource: 'contract', unrollTxs: 3, unrollTxsSource: 'exit package', latestStart: { kind: 'height', height: 899_952, pointOfNoReturn: 899_953 }, metastability: race }))
      .toEqual({ startBy: 'Start a unilateral exit by block 899,952', passed: false, basis: 'exit delay 144 blocks + 3 transactions to unroll, one block each', metastability: race });
  });

  it('a FAST holder: a UTC date marked as an estimate; assumptions are said', () => {
    // 1,699,901,600 = 2023-11-13 18:53:20 UTC (calendar.timegm), shown to the minute.
    const a = exitAdvice({ exitDelayBlocks: 145, exitDelaySource: 'assumed: x', unrollTxs: 13, unrollTxsSource: 'assumed: y', latestStart: { kind: 'time', time: 1_699_901_600, estimate: true }, metastability: race });
    expect(a?.startBy).toBe('Start a unilateral exit by 2023-11-13 18:53 UTC (estimate)');
    expect(a?.basis).toBe('exit delay 145 blocks + 13 transactions to unroll, one block each (partly assumed)');
  });

  it('with the chain tip: how far off, or passed', () => {
    const slow = { exitDelayBlocks: 144, unrollTxs: 3, latestStart: { kind: 'height', height: 899_952 }, metastability: race };
    // 6 blocks × 600 s = 1 h after the tip's time 1,700,000,000 (2023-11-14 22:13:20 UTC) → 23:13.
    expect(exitAdvice(slow, { height: 899_946, time: 1_700_000_000 })).toMatchObject({ startBy: 'Start a unilateral exit by block 899,952 (≈ 2023-11-14 23:13 UTC (in 1 h 0 min))', passed: false });
    expect(exitAdvice(slow, { height: 899_952, time: 1_700_000_000 })).toMatchObject({ startBy: 'Start a unilateral exit by block 899,952 (now)', passed: false });
    expect(exitAdvice(slow, { height: 899_953, time: 1_700_000_000 })).toMatchObject({ startBy: 'Start a unilateral exit by block 899,952 (passed)', passed: true });
    const fast = { exitDelayBlocks: 144, unrollTxs: 3, latestStart: { kind: 'time', time: 1_700_000_000 }, metastability: race };
    expect(exitAdvice(fast, { height: 1, time: 1_700_000_000 - 2 * 86_400 })?.startBy).toBe('Start a unilateral exit by 2023-11-14 22:13 UTC (estimate, in 2 days)');
    expect(exitAdvice(fast, { height: 1, time: 1_700_000_001 })).toMatchObject({ startBy: 'Start a unilateral exit by 2023-11-14 22:13 UTC (estimate, passed)', passed: true });
  });

  it('nothing to say without a well-formed exit', () => {
    expect(exitAdvice(undefined)).toBeUndefined();
    expect(exitAdvice({ exitDelayBlocks: 1, unrollTxs: 1, latestStart: { kind: 'later' } })).toBeUndefined();
  });
});
