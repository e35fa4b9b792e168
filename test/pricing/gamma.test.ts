import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gammaP, gammaQ, logGamma, poissonAtLeast } from '../../src/pricing/gamma.js';

/** Independent reference: P(N ≥ k) = 1 − Σ_{j<k} e^{−Λ} Λ^j / j!, with ln j! as a running sum of logs. */
function poissonAtLeastBySum(k: number, lambda: number): number {
  let lnFact = 0;
  let below = 0;
  for (let j = 0; j < k; j++) {
    if (j > 0) lnFact += Math.log(j);
    below += Math.exp(j * Math.log(lambda) - lambda - lnFact);
  }
  return 1 - below;
}

/** Upper tail summed directly (accurate where 1 − below would cancel). */
function poissonBelowBySum(k: number, lambda: number): number {
  return 1 - poissonAtLeastBySum(k, lambda);
}

describe('logGamma', () => {
  it('equals ln((n−1)!) for integers up to 170 and ln √π at 1/2', () => {
    let lnFact = 0;
    for (let n = 1; n <= 170; n++) {
      if (n > 1) lnFact += Math.log(n - 1);
      expect(logGamma(n), `n=${n}`).toBeCloseTo(lnFact, n < 20 ? 12 : 9);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(1.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI) / 2), 13);
  });
  it('is continuous across the Lanczos/Stirling switch at 10', () => {
    expect(logGamma(10 - 1e-9)).toBeCloseTo(logGamma(10 + 1e-9), 7);
  });
});

describe('poissonAtLeast = P(Poisson(Λ) ≥ k)', () => {
  it('k = 0 is certain; k = 1 is 1 − e^{−Λ}; k = 2 is 1 − e^{−Λ}(1 + Λ); k = 3 adds Λ²/2', () => {
    for (const l of [1e-6, 0.01, 0.5, 1, 2.5, 6, 17.3, 50, 200]) {
      expect(poissonAtLeast(0, l)).toBe(1);
      expect(poissonAtLeast(1, l)).toBeCloseTo(-Math.expm1(-l), 14);
      expect(poissonAtLeast(2, l)).toBeCloseTo(1 - Math.exp(-l) * (1 + l), 13);
      expect(poissonAtLeast(3, l)).toBeCloseTo(1 - Math.exp(-l) * (1 + l + (l * l) / 2), 13);
    }
    // Tiny Λ: relative precision kept (no 1 − (1 − ε) cancellation).
    expect(poissonAtLeast(1, 1e-12) / 1e-12).toBeCloseTo(1, 9);
    expect(poissonAtLeast(2, 1e-6) / 5e-13).toBeCloseTo(1, 5);
  });

  it('hand value: 6 blocks in an hour at 600 s -> 1 − e^{−6} Σ_{j<6} 6^j/j! = 0.554320', () => {
    // Σ_{j=0}^{5} 6^j/j! = 1 + 6 + 18 + 36 + 54 + 64.8 = 179.8; e^{−6} × 179.8 = 0.445680
    expect(poissonAtLeast(6, 6)).toBeCloseTo(1 - Math.exp(-6) * 179.8, 14);
    expect(poissonAtLeast(6, 6)).toBeCloseTo(0.554320, 6);
  });

  it('matches direct summation for moderate k', () => {
    for (const [k, l] of [
      [100, 90],
      [1000, 1000],
      [2016, 1900],
    ] as const) expect(poissonAtLeast(k, l), `k=${k} Λ=${l}`).toBeCloseTo(poissonAtLeastBySum(k, l), 10);
  });

  it('matches 40-digit mpmath values for k in the tens of thousands', () => {
    // mpmath.mp.dps = 40; mpmath.gammainc(k, 0, Λ, regularized=True)
    const truth: [number, number, number][] = [
      [20_000, 19_800, 0.0783004950121773475275213436631792089301],
      [20_000, 20_300, 0.9827064487220965535601558236543294418256],
      [50_000, 50_000, 0.5005947081047933113901967760799006996248],
      [2016, 1900, 0.004302643689924378559579025825144973687191],
      [1000, 1000, 0.5042052441802155085037778436021187991892],
    ];
    for (const [k, l, p] of truth) expect(Math.abs(poissonAtLeast(k, l) - p) / p, `k=${k} Λ=${l}`).toBeLessThan(1e-9);
  });

  it('is finite, in [0, 1] and tends to the normal limit for k = 100,000', () => {
    const k = 100_000;
    const sd = Math.sqrt(k);
    for (const z of [-3, -1, 0, 1, 3]) {
      const p = poissonAtLeast(k, k + z * sd);
      expect(Number.isFinite(p)).toBe(true);
      // P(N ≥ k) with Λ = k + z√k ≈ Φ(z) (continuity/skew corrections are O(1/√k) ≈ 0.003).
      const phi = 0.5 * (1 + erf(z / Math.SQRT2));
      expect(Math.abs(p - phi), `z=${z}`).toBeLessThan(0.005);
    }
    expect(poissonAtLeast(k, 10)).toBe(0);
    expect(poissonAtLeast(k, 1e7)).toBe(1);
  });

  it('P + Q = 1, monotone increasing in Λ and decreasing in k (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30_000 }), fc.double({ min: 0, max: 40_000, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), (k, l, dl) => {
        const p = poissonAtLeast(k, l);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(gammaP(k, l) + gammaQ(k, l)).toBeCloseTo(1, 12);
        expect(poissonAtLeast(k, l + dl)).toBeGreaterThanOrEqual(p - 1e-12);
        expect(poissonAtLeast(k + 1, l)).toBeLessThanOrEqual(p + 1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects bad arguments', () => {
    expect(() => poissonAtLeast(-1, 1)).toThrow(/k/);
    expect(() => poissonAtLeast(1.5, 1)).toThrow(/k/);
    expect(() => poissonAtLeast(1, -1)).toThrow(/lambda/);
    expect(() => poissonAtLeast(1, Number.NaN)).toThrow(/lambda/);
  });

  it('small-tail reference agrees too', () => {
    expect(gammaQ(30, 10)).toBeCloseTo(poissonBelowBySum(30, 10), 14);
  });
});

/** Abramowitz–Stegun 7.1.26 is too coarse here; use the series/continued fraction via erf(x) = P(1/2, x²). */
function erf(x: number): number {
  const v = gammaP(0.5, x * x);
  return x < 0 ? -v : v;
}
