import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { difficultyOfBits } from '../../src/chain/target.js';
import { bdcOdds } from '../../src/pricing/block-arrival.js';
import { MTP_LAG_BLOCKS, bdcFairValue, type BdcChainState } from '../../src/pricing/bdc-fair-value.js';

const BITS = 0x1703ba5d; // epoch 411 (828,576..830,591)
const D = difficultyOfBits(BITS);
const ON_SCHEDULE_HPS = (D * 2 ** 32) / 600;

const state: BdcChainState = {
  height: 829_000, // 424 blocks into epoch 411; next retarget at 830,592
  mtp: 1_707_000_000,
  bits: BITS,
  epochStartTime: 1_707_000_000 - 424 * 600,
  hashrateHps: ON_SCHEDULE_HPS,
};

describe('bdcFairValue: no retarget in the window (Poisson)', () => {
  it('equals bdcOdds for H − tip − 1 arrivals over T − MTP seconds', () => {
    for (const [dh, dt] of [[7, 3_600], [20, 7_200], [150, 86_400], [1_000, 600_000]] as const) {
      const fv = bdcFairValue(state, { height: state.height + dh, time: state.mtp + dt });
      const ref = bdcOdds({ blocks: dh - 1, seconds: dt, hashrateHps: ON_SCHEDULE_HPS, difficulty: D });
      expect(fv.method).toBe('poisson');
      expect(fv.pFast).toBeCloseTo(ref.pFast, 12);
      expect(fv.fairBps).toBe(ref.fairBps);
    }
  });

  it('hand cases: next block is certain while MTP < T; one more arrival is 1 − e^{−s/600}', () => {
    expect(bdcFairValue(state, { height: state.height + 1, time: state.mtp + 1 })).toMatchObject({ pFast: 1, fairBps: 9999 });
    const two = bdcFairValue(state, { height: state.height + 2, time: state.mtp + 600 });
    expect(two.pFast).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(two.fairBps).toBe(6321);
  });

  it('the MTP lag: FAST is worth more than the naive count of H − tip blocks from MTP (T ~ an hour later)', () => {
    const series = { height: state.height + 12, time: state.mtp + 7_200 };
    const fv = bdcFairValue(state, series);
    const naive = bdcOdds({ blocks: 12, seconds: 7_200, intervalS: 600 });
    expect(fv.pFast).toBeGreaterThan(naive.pFast);
    // Equal to "11 arrivals in two hours": 12 needed from the MTP block, minus the one already counted.
    expect(fv.pFast).toBeCloseTo(bdcOdds({ blocks: 11, seconds: 7_200, intervalS: 600 }).pFast, 12);
  });

  it('SLOW already won when MTP ≥ T; H at or below the tip is refused', () => {
    expect(bdcFairValue(state, { height: state.height + 10, time: state.mtp })).toMatchObject({ method: 'decided', pFast: 0, fairBps: 1 });
    expect(() => bdcFairValue(state, { height: state.height, time: state.mtp + 1 })).toThrow(/^series\.height:/);
    expect(() => bdcFairValue({ ...state, hashrateHps: 0 }, { height: state.height + 5, time: state.mtp + 600 })).toThrow(/^hashrateHps:/);
    expect(() => bdcFairValue({ ...state, bits: -1 }, { height: state.height + 5, time: state.mtp + 600 })).toThrow(/^bits:/);
  });

  it('monotone in T (non-decreasing) and in H (non-increasing)', () => {
    let prev = 0;
    for (let dt = 0; dt <= 200_000; dt += 2_500) {
      const p = bdcFairValue(state, { height: state.height + 144, time: state.mtp + dt }).pFast;
      expect(p).toBeGreaterThanOrEqual(prev);
      prev = p;
    }
    expect(prev).toBeGreaterThan(0.99);
    prev = 1;
    for (let dh = 1; dh <= 300; dh += 7) {
      const p = bdcFairValue(state, { height: state.height + dh, time: state.mtp + 86_400 }).pFast;
      expect(p).toBeLessThanOrEqual(prev);
      prev = p;
    }
  });

  it('hashrate growth raises FAST odds (integrated rate)', () => {
    const s = { height: state.height + 150, time: state.mtp + 86_400 };
    expect(bdcFairValue({ ...state, hashrateGrowthPerDay: 0.01 }, s).pFast).toBeGreaterThan(bdcFairValue(state, s).pFast);
  });
});

describe('bdcFairValue: across a retarget (simulation)', () => {
  const near = { ...state, height: 830_400, epochStartTime: state.mtp - 1_824 * 600 }; // on schedule, 192 blocks before the retarget

  it('switches to simulation when the retarget lies among the modelled arrivals, and agrees with Poisson when on schedule', () => {
    const series = { height: 830_700, time: near.mtp + 299 * 600 };
    const fv = bdcFairValue(near, series, { paths: 4_000, seed: 3 });
    expect(fv.method).toBe('simulation');
    expect(fv.crossesRetarget).toBe(true);
    expect(fv.nextRetargetHeight).toBe(830_592);
    const poisson = bdcOdds({ blocks: 299, seconds: 299 * 600, intervalS: 600 }).pFast;
    // On schedule the retarget keeps D (to ~0.1 %), so the path model reduces to Poisson.
    expect(Math.abs(fv.pFast - poisson)).toBeLessThan(4 * (fv.stdError as number) + 0.01);
  });

  it('a fast epoch (hashrate 30 % above the difficulty): the retarget slows blocks back to ~600 s', () => {
    const fast = { ...near, hashrateHps: ON_SCHEDULE_HPS * 1.3, epochStartTime: near.mtp - Math.round((1_824 * 600) / 1.3) };
    // By hand: 1,399 arrivals from the MTP block (830,395). The first 196 (to 830,591) come every 600/1.3 =
    // 461.5 s: ≈ 90,460 s. The epoch took 2,015 × 461.5 s = 930,000 s, so D rises by 1,209,600/930,000 = 1.3006
    // and the other 1,203 come every ≈ 600.3 s: ≈ 722,160 s. T at the sum (812,620 s) is the median: P ≈ 0.5.
    const series = { height: 830_400 + 1_400, time: near.mtp + 812_620 };
    const sim = bdcFairValue(fast, series, { paths: 2_000, seed: 5 });
    expect(sim.method).toBe('simulation');
    expect(Math.abs(sim.pFast - 0.5)).toBeLessThan(4 * (sim.stdError as number) + 0.03);
    // Ignoring the retarget (rate stays 1.3× for the whole window) would make FAST nearly certain.
    expect(bdcOdds({ blocks: 1_399, seconds: 812_620, intervalS: 600 / 1.3 }).pFast).toBeGreaterThan(0.999);
  });

  it('an epoch that began within the last 5 blocks: the simulation starts at that epoch, and on schedule matches Poisson', () => {
    const just = { ...state, height: 828_578, epochStartTime: state.mtp }; // 2 blocks into epoch 411
    const fv = bdcFairValue(just, { height: 830_700, time: state.mtp + 2_121 * 600 }, { paths: 2_000, seed: 1 });
    expect(fv.method).toBe('simulation');
    const poisson = bdcOdds({ blocks: 2_121, seconds: 2_121 * 600, intervalS: 600 }).pFast;
    expect(Math.abs(fv.pFast - poisson)).toBeLessThan(4 * (fv.stdError as number) + 0.01);
  });

  it('monotone in T within simulation noise (seeded)', () => {
    let prev = -1;
    for (const hours of [30, 40, 50, 60]) {
      const fv = bdcFairValue(near, { height: 830_700, time: near.mtp + hours * 3_600 }, { paths: 2_000, seed: 11 });
      expect(fv.method).toBe('simulation');
      expect(fv.pFast).toBeGreaterThan(prev - 3 * (fv.stdError as number));
      prev = fv.pFast;
    }
  });
});

describe('the MTP model on real headers (822,527–830,592)', () => {
  it('MTP(n) is the time of block n − 5 for most blocks and trails the tip by ~5 intervals', () => {
    const chain = loadEmbeddedChain();
    let equal = 0, n = 0, lag = 0;
    for (let h = 822_537; h <= 830_592; h++) {
      const ts: number[] = [];
      for (let k = h - 10; k <= h; k++) ts.push(chain.timeAt(k) as number);
      const mtp = [...ts].sort((a, b) => a - b)[5];
      if (mtp === chain.timeAt(h - MTP_LAG_BLOCKS)) equal++;
      lag += (chain.timeAt(h) as number) - mtp;
      n++;
    }
    const meanInterval = ((chain.timeAt(830_592) as number) - (chain.timeAt(822_537) as number)) / (830_592 - 822_537);
    expect(equal / n).toBeGreaterThan(0.6);
    expect(lag / n / meanInterval).toBeGreaterThan(4.5);
    expect(lag / n / meanInterval).toBeLessThan(5.5);
  });
});
