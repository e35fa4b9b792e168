import { describe, expect, it } from 'vitest';
import { bdcOdds, meanIntervalOf, simulateAcrossRetarget } from '../../src/pricing/block-arrival.js';
import { logGamma, poissonAtLeast } from '../../src/pricing/gamma.js';
import { seededRng } from '../../src/pricing/prng.js';
import { difficultyOfBits } from '../../src/chain/target.js';

describe('bdcOdds', () => {
  it('interval form: 6 blocks in 3600 s at 600 s', () => {
    const o = bdcOdds({ blocks: 6, seconds: 3600, intervalS: 600 });
    expect(o.expectedBlocks).toBe(6);
    expect(o.pFast).toBeCloseTo(0.554320, 6);
    expect(o.pSlow).toBeCloseTo(1 - 0.554320, 6);
    expect(o.fairBps).toBe(5543);
  });
  it('hashrate form: interval = D × 2^32 / H', () => {
    // D = 1.2e14, H = 6e20: interval = 1.2e14 × 4294967296 / 6e20 = 858.99 s; Λ(3600) = 4.1910
    const o = bdcOdds({ blocks: 1, seconds: 3600, hashrateHps: 6e20, difficulty: 1.2e14 });
    expect(o.meanIntervalS).toBeCloseTo(858.993459, 5);
    expect(o.pFast).toBeCloseTo(1 - Math.exp(-3600 / 858.993459), 8);
  });
  it('Monte-Carlo cross-check: sum of k exponentials ≤ s, seeded', () => {
    const rng = seededRng(42);
    const n = 40_000;
    for (const [k, s] of [[6, 3600], [3, 900], [20, 14_400]] as const) {
      let hits = 0;
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let j = 0; j < k; j++) t += rng.exp1() * 600;
        if (t <= s) hits++;
      }
      const p = bdcOdds({ blocks: k, seconds: s, intervalS: 600 }).pFast;
      const se = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(hits / n - p), `k=${k}`).toBeLessThan(4 * se);
    }
  });
  it('missing, conflicting and negative arguments name the field', () => {
    expect(() => meanIntervalOf({})).toThrow(/hashrate: missing/);
    expect(() => meanIntervalOf({ hashrateHps: 1 })).toThrow(/difficulty: missing/);
    expect(() => meanIntervalOf({ intervalS: 600, difficulty: 1 })).toThrow(/interval: give either/);
    expect(() => bdcOdds({ blocks: 1, seconds: -1, intervalS: 600 })).toThrow(/seconds/);
    expect(() => bdcOdds({ blocks: -1, seconds: 1, intervalS: 600 })).toThrow(/blocks/);
    expect(() => bdcOdds({ blocks: 1, seconds: 1, intervalS: -600 })).toThrow(/interval/);
    expect(() => bdcOdds({ blocks: 1, seconds: 1, intervalS: 0 })).toThrow(/interval/);
  });
});

describe('seeded PRNG', () => {
  it('is deterministic per seed and roughly uniform', () => {
    const a = seededRng(7), b = seededRng(7), c = seededRng(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(c.next()).not.toBe(xs[0]);
    const r = seededRng(1);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += r.next();
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });
});

describe('simulateAcrossRetarget', () => {
  const bits = 0x1703ba5d;
  const d = difficultyOfBits(bits);
  const h600 = (d * 2 ** 32) / 600;

  it('far from a retarget equals the closed form (within 4 standard errors) and is deterministic', () => {
    const q = { blocks: 6, seconds: 3600, hashrateHps: h600, tipHeight: 828_576 + 10, bits, tipTime: 1_700_000_000, epochStartTime: 1_700_000_000 - 6000, paths: 20_000, seed: 3 };
    const sim = simulateAcrossRetarget(q);
    const exact = bdcOdds({ blocks: 6, seconds: 3600, hashrateHps: h600, difficulty: d }).pFast;
    expect(Math.abs(sim.pFast - exact)).toBeLessThan(4 * sim.stdError);
    expect(sim.retargetsCrossedMean).toBe(0);
    expect(simulateAcrossRetarget(q)).toEqual(sim);
    expect(simulateAcrossRetarget({ ...q, seed: 4 }).pFast).not.toBe(sim.pFast);
  });

  it('across a retarget that doubles difficulty: matches a numerical integral of the two-rate model', () => {
    // Hashrate is 2× what the difficulty expects (blocks every 300 s). The tip is block 2016k+2000 and the epoch's
    // 2000 intervals took 2000 × 300 s. After 15 more blocks (block 2016k+2015) the retarget sees ≈ 2015 × 300 s =
    // 604,500 s -> difficulty × 1,209,600/604,500 ≈ 2.001, blocks every ≈ 600.3 s. FAST = 60 blocks within 30,000 s.
    // Reference: P = ∫ Gamma(15, 300)(t) × P(Poisson((30,000 − t)/600.3) ≥ 45) dt.
    const tip = 828_576 + 2000;
    const q = { blocks: 60, seconds: 30_000, hashrateHps: 2 * h600, tipHeight: tip, bits, tipTime: 1_700_000_000, epochStartTime: 1_700_000_000 - 2000 * 300, paths: 20_000, seed: 11 };
    const sim = simulateAcrossRetarget(q);
    expect(sim.retargetsCrossedMean).toBeCloseTo(1, 2);
    const dens = (t: number): number => Math.exp(14 * Math.log(t) - t / 300 - 15 * Math.log(300) - logGamma(15));
    let ref = 0;
    const dt = 5;
    for (let t = dt / 2; t < 30_000; t += dt) ref += dens(t) * poissonAtLeast(45, (30_000 - t) / 600.3) * dt;
    expect(Math.abs(sim.pFast - ref)).toBeLessThan(4 * sim.stdError + 0.005);
    // The constant-rate formula would be badly wrong here (Λ = 100 -> P ≈ 1).
    expect(bdcOdds({ blocks: 60, seconds: 30_000, intervalS: 300 }).pFast).toBeGreaterThan(0.9999);
    expect(sim.pFast).toBeLessThan(0.6);
  });

  it('refuses oversized or bad simulations naming the argument', () => {
    const base = { blocks: 6, seconds: 3600, hashrateHps: h600, tipHeight: 10, bits, tipTime: 0, epochStartTime: 0 };
    expect(() => simulateAcrossRetarget({ ...base, paths: 0 })).toThrow(/paths/);
    expect(() => simulateAcrossRetarget({ ...base, seconds: 1e9, paths: 1_000_000 })).toThrow(/paths: simulation too large/);
    expect(() => simulateAcrossRetarget({ ...base, hashrateHps: -1 })).toThrow(/hashrate/);
  });
});
