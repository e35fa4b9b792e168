import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HashPerpError, InvalidArgumentError } from '../../src/units/errors.js';
import { SECONDS_PER_YEAR } from '../../src/pricing/index-history.js';
import {
  MIN_EXPIRY_BLOCKS,
  checkMinimumExpiry,
  checkQuoteFresh,
  hedgeOptionValue,
  normCdf,
  priceHpiOption,
  vaultOptionQuote,
  type HpiOptionInput,
} from '../../src/pricing/options.js';
import { seededRng } from '../../src/pricing/prng.js';

function normal(seed: number): () => number {
  const rng = seededRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** Hedge's formula exactly as printed in reference 004 §5.2.2, with its own d₁ — an independent form. */
function hedgeAsPrinted(type: 'call' | 'put', S0: number, K: number, mu: number, sigma: number, T: number): number {
  const d1 = (Math.log(K / S0) + (sigma * sigma / 2 - mu) * T) / sigma;
  const a = d1 / Math.sqrt(T);
  const b = a - sigma * Math.sqrt(T);
  return type === 'call' ? S0 * Math.exp(mu * T) * (1 - normCdf(b)) - K * (1 - normCdf(a)) : K * normCdf(a) - S0 * Math.exp(mu * T) * normCdf(b);
}

describe('normCdf', () => {
  it('matches tabulated Φ', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normCdf(-3)).toBeCloseTo(0.0013498980316300933, 15);
    expect(normCdf(-8) / 6.22096057427178e-16).toBeCloseTo(1, 10);
  });
});

describe('hedgeOptionValue (point expiry)', () => {
  it('worked example S0 = K = 50,000, σ = 0.6, μ = 0.1, T = 0.25', () => {
    // By hand (values from scipy.stats.norm, independent of this code):
    //   F = 50,000·e^{0.025} = 51,265.75602622
    //   σ√T = 0.3; d1 = (ln(F/K) + 0.045)/0.3 = (0.025 + 0.045)/0.3 = 0.2333333; d2 = d1 − 0.3 = −0.0666667
    //   N(d1) = 0.5922487117, N(d2) = 0.4734235357
    //   C = 51,265.756·0.5922487117 − 50,000·0.4734235357 = 30,362.08 − 23,671.18 = 6,690.901176
    //   P = C − (F − K) = 6,690.901176 − 1,265.756026 = 5,425.145150
    //   In Hedge's notation d₁ = (1/0.6)[0 + (0.18 − 0.1)·0.25] = 0.0333333, d₁/√T = 0.0666667 = −d2.
    //   delta = e^{μT}·N(d1) = 0.6072415592, vega = F·φ(d1)·√T = 9,951.418158 per unit σ.
    const p = { spot: 50_000, strike: 50_000, mu: 0.1, sigma: 0.6, tYears: 0.25 };
    const c = hedgeOptionValue({ type: 'call', ...p });
    const put = hedgeOptionValue({ type: 'put', ...p });
    expect(c.forward).toBeCloseTo(51_265.75602622145, 8);
    expect(c.d1).toBeCloseTo(0.2333333333, 9);
    expect(c.d2).toBeCloseTo(-0.0666666667, 9);
    expect(c.nd1).toBeCloseTo(0.5922487117031047, 12);
    expect(c.nd2).toBeCloseTo(0.4734235356996349, 12);
    expect(c.value).toBeCloseTo(6_690.901176033582, 7);
    expect(put.value).toBeCloseTo(5_425.145149812139, 7);
    expect(c.delta).toBeCloseTo(0.6072415592203065, 10);
    expect(c.vega).toBeCloseTo(9_951.418157848808, 6);
    expect(hedgeAsPrinted('call', 50_000, 50_000, 0.1, 0.6, 0.25)).toBeCloseTo(c.value, 8);
  });

  it('equals Hedge\'s printed formula and satisfies undiscounted parity C − P = S0·e^{μT} − K', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1_000, max: 500_000, noNaN: true }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        (S0, kRatio, mu, sigma, T) => {
          const K = S0 * kRatio;
          const c = hedgeOptionValue({ type: 'call', spot: S0, strike: K, mu, sigma, tYears: T }).value;
          const p = hedgeOptionValue({ type: 'put', spot: S0, strike: K, mu, sigma, tYears: T }).value;
          const scale = S0 * Math.exp(Math.abs(mu) * T) + K;
          expect(Math.abs(c - hedgeAsPrinted('call', S0, K, mu, sigma, T))).toBeLessThan(1e-9 * scale);
          expect(Math.abs(p - hedgeAsPrinted('put', S0, K, mu, sigma, T))).toBeLessThan(1e-9 * scale);
          expect(Math.abs(c - p - (S0 * Math.exp(mu * T) - K))).toBeLessThan(1e-9 * scale);
        },
      ),
      { numRuns: 300, seed: 10 },
    );
  });

  it('limits: σ → 0 pays the forward\'s intrinsic value; deep ITM ≈ F − K; deep OTM ≈ 0; T = 0 is intrinsic', () => {
    const F = 50_000 * Math.exp(0.2 * 0.5);
    for (const K of [40_000, 55_000, 60_000]) {
      expect(hedgeOptionValue({ type: 'call', spot: 50_000, strike: K, mu: 0.2, sigma: 0, tYears: 0.5 }).value).toBeCloseTo(Math.max(0, F - K), 9);
      expect(hedgeOptionValue({ type: 'put', spot: 50_000, strike: K, mu: 0.2, sigma: 1e-9, tYears: 0.5 }).value).toBeCloseTo(Math.max(0, K - F), 6);
    }
    const deep = hedgeOptionValue({ type: 'call', spot: 50_000, strike: 5_000, mu: 0.2, sigma: 0.5, tYears: 0.5 });
    expect(deep.value).toBeCloseTo(F - 5_000, 6);
    expect(deep.delta).toBeCloseTo(Math.exp(0.1), 9);
    expect(hedgeOptionValue({ type: 'call', spot: 50_000, strike: 500_000, mu: 0.2, sigma: 0.5, tYears: 0.5 }).value).toBeLessThan(1e-5); // d2 ≈ −6.6
    expect(hedgeOptionValue({ type: 'put', spot: 50_000, strike: 45_000, mu: 0.5, sigma: 0.3, tYears: 0 }).value).toBe(0);
    expect(hedgeOptionValue({ type: 'put', spot: 50_000, strike: 55_000, mu: 0.5, sigma: 0.3, tYears: 0 }).value).toBe(5_000);
  });

  it('Monte-Carlo cross-check (seeded, 200,000 draws of S_T = S0·exp((μ − σ²/2)T + σ√T·Z))', () => {
    const S0 = 50_000, K = 52_000, mu = -0.3, sigma = 0.8, T = 0.1;
    const z = normal(7);
    const n = 200_000;
    let sum = 0, sum2 = 0;
    for (let i = 0; i < n; i++) {
      const ST = S0 * Math.exp((mu - sigma * sigma / 2) * T + sigma * Math.sqrt(T) * z());
      const pay = Math.max(0, ST - K);
      sum += pay;
      sum2 += pay * pay;
    }
    const mean = sum / n;
    const se = Math.sqrt((sum2 / n - mean * mean) / n);
    const model = hedgeOptionValue({ type: 'call', spot: S0, strike: K, mu, sigma, tYears: T }).value;
    expect(Math.abs(mean - model)).toBeLessThan(4 * se);
  });
});

const base: HpiOptionInput = {
  type: 'call',
  spotSatPerPHDay: 50_000,
  strikeSatPerPHDay: 50_000,
  lots: 1_000,
  mu: 0.1,
  sigma: 0.6,
  tipHeight: 800_000, // no halving before 840,000
  expiryHeight: 800_000 + 13_140, // ≈ 0.25 year at 600 s
};

describe('priceHpiOption (expiry-day mean, integer premium)', () => {
  it('close to the point formula at mid-day; put-call parity on the averaged forward; premium = lots × value', () => {
    const c = priceHpiOption(base);
    const p = priceHpiOption({ ...base, type: 'put' });
    const tMid = ((13_140 - 71.5) * 600) / SECONDS_PER_YEAR;
    // The mean of e^{μt} over the day equals e^{μ·tMid} to second order in μ·(half a day).
    expect(Math.abs(c.forward / (50_000 * Math.exp(0.1 * tMid)) - 1)).toBeLessThan(1e-8);
    // Variance: a little less than σ²·t_end (the last day is averaged).
    const tEnd = (13_140 * 600) / SECONDS_PER_YEAR;
    expect(c.totalVariance).toBeLessThan(0.36 * tEnd);
    expect(c.totalVariance).toBeGreaterThan(0.36 * (tEnd - 1 / 365));
    expect(Number(c.premiumMsat - p.premiumMsat)).toBeCloseTo(1_000 * (c.forward - 50_000), -0.5); // within ±1 msat rounding
    expect(c.premiumMsat).toBe(BigInt(Math.round(1_000 * c.perLotMsat)));
    const point = hedgeOptionValue({ type: 'call', spot: 50_000, strike: 50_000, mu: 0.1, sigma: 0.6, tYears: tMid });
    expect(Math.abs(c.perLotMsat / point.value - 1)).toBeLessThan(0.005);
    expect(c.subsidyFactor).toBe(1);
  });

  it('Monte-Carlo of the real payoff (mean of 144 block values on a GBM path) agrees within 4 SE', () => {
    const input: HpiOptionInput = { ...base, expiryHeight: base.tipHeight + 600, mu: 0.4, sigma: 1.2, strikeSatPerPHDay: 52_000, lots: 1 };
    const model = priceHpiOption(input).perLotMsat;
    const z = normal(99);
    const dt = 600 / SECONDS_PER_YEAR;
    const paths = 20_000;
    let sum = 0, sum2 = 0;
    for (let p = 0; p < paths; p++) {
      const t0 = (600 - 143) * dt;
      let logS = Math.log(50_000) + (0.4 - 0.72) * t0 + 1.2 * Math.sqrt(t0) * z();
      let acc = Math.exp(logS);
      for (let j = 1; j < 144; j++) {
        logS += (0.4 - 0.72) * dt + 1.2 * Math.sqrt(dt) * z();
        acc += Math.exp(logS);
      }
      const pay = Math.max(0, acc / 144 - 52_000);
      sum += pay;
      sum2 += pay * pay;
    }
    const mean = sum / paths;
    const se = Math.sqrt((sum2 / paths - mean * mean) / paths);
    expect(Math.abs(mean - model)).toBeLessThan(4 * se);
  });

  it('σ → 0: the premium is lots × max(F − K, 0) of the averaged forward', () => {
    const c = priceHpiOption({ ...base, sigma: 0, strikeSatPerPHDay: 49_000 });
    expect(c.totalVariance).toBe(0);
    expect(c.premiumMsat).toBe(BigInt(Math.round(1_000 * (c.forward - 49_000))));
    expect(priceHpiOption({ ...base, sigma: 0, type: 'put', strikeSatPerPHDay: 49_000 }).premiumMsat).toBe(0n);
  });

  it('a halving before the expiry day halves the forward (subsidy added deterministically)', () => {
    const before = priceHpiOption({ ...base, tipHeight: 839_000, expiryHeight: 839_000 + 2_000 });
    expect(before.subsidyFactor).toBe(0.5);
    const noHalving = priceHpiOption({ ...base, tipHeight: 800_000, expiryHeight: 800_000 + 2_000 });
    expect(before.forward / noHalving.forward).toBeCloseTo(0.5, 12);
    // Expiry day straddling 840,000: blocks 839,857..840,000 → 143 at 6.25 BTC, 1 at 3.125 BTC.
    const straddle = priceHpiOption({ ...base, tipHeight: 839_000, expiryHeight: 840_000 });
    expect(straddle.subsidyFactor).toBeCloseTo((143 + 0.5) / 144, 12);
  });

  it('greeks: delta by bumping the spot, vega positive and consistent with a σ bump', () => {
    const c = priceHpiOption({ ...base, lots: 1 });
    const up = priceHpiOption({ ...base, lots: 1, spotSatPerPHDay: 50_010 }).perLotMsat;
    const dn = priceHpiOption({ ...base, lots: 1, spotSatPerPHDay: 49_990 }).perLotMsat;
    expect(c.delta).toBeCloseTo((up - dn) / 20, 4);
    const v1 = priceHpiOption({ ...base, lots: 1, sigma: 0.61 }).perLotMsat - c.perLotMsat;
    expect(c.vegaMsatPerVolPoint).toBeGreaterThan(0);
    expect(c.vegaMsatPerVolPoint / v1).toBeCloseTo(1, 2);
  });

  it('bigint sizes past 2^53 stay exact multiples', () => {
    const one = priceHpiOption({ ...base, lots: 1 });
    const big = priceHpiOption({ ...base, lots: 10n ** 12n });
    expect(big.premiumMsat).toBe(BigInt(Math.round(one.perLotMsat * 1e6)) * 10n ** 6n);
  });

  it('bad input names the field', () => {
    const bad: [Partial<HpiOptionInput>, RegExp][] = [
      [{ type: 'straddle' as 'call' }, /^type:/],
      [{ lots: 0 }, /^lots:/],
      [{ lots: 1.5 }, /^lots:/],
      [{ spotSatPerPHDay: 0 }, /^spotSatPerPHDay:/],
      [{ strikeSatPerPHDay: -1 }, /^strikeSatPerPHDay:/],
      [{ sigma: -0.1 }, /^sigma:/],
      [{ mu: Number.NaN }, /^mu:/],
      [{ expiryHeight: 800_100 }, /^expiryHeight:/],
      [{ blockIntervalS: 0 }, /^blockIntervalS:/],
    ];
    for (const [patch, re] of bad) expect(() => priceHpiOption({ ...base, ...patch })).toThrow(re);
    expect(() => priceHpiOption({ ...base, lots: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('vault quote and refusals', () => {
  it('ask and bid are model ± spread, rounded in the vault\'s favour', () => {
    const q = vaultOptionQuote({ ...base, spreadBps: 250, tipMtp: 1_707_000_000 });
    const m = q.modelMsat;
    expect(q.askMsat).toBe((m * 10_250n + 9_999n) / 10_000n);
    expect(q.bidMsat).toBe((m * 9_750n) / 10_000n);
    expect(q.askMsat * 10_000n).toBeGreaterThanOrEqual(m * 10_250n);
    expect(q.bidMsat * 10_000n).toBeLessThanOrEqual(m * 9_750n);
    expect(q).toMatchObject({ quotedAtHeight: 800_000, quotedAtMtp: 1_707_000_000, indexAtQuote: 50_000n, spreadBps: 250 });
    expect(() => vaultOptionQuote({ ...base, spreadBps: 10_000, tipMtp: 1 })).toThrow(/^spreadBps:/);
  });

  it('expiry must be at least 432 blocks (72 h) above the tip', () => {
    expect(MIN_EXPIRY_BLOCKS).toBe(432);
    expect(checkMinimumExpiry(830_000, 830_432)).toEqual({ ok: true });
    const r = checkMinimumExpiry(830_000, 830_431);
    expect(r).toMatchObject({ ok: false, code: 'expiry_too_soon' });
    let err: unknown;
    try {
      vaultOptionQuote({ ...base, expiryHeight: 800_431, spreadBps: 100, tipMtp: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HashPerpError);
    expect(err).toMatchObject({ code: 'expiry_too_soon', field: 'expiryHeight' });
    expect(vaultOptionQuote({ ...base, expiryHeight: 800_432, spreadBps: 100, tipMtp: 1 }).expiryHeight).toBe(800_432);
  });

  it('a quote is stale when the index moved more than the set fraction (exact at the boundary), or MTP advanced too far', () => {
    const q = { indexAtQuote: 50_000n, quotedAtMtp: 1_000_000 };
    expect(checkQuoteFresh(q, { index: 50_500n, mtp: 1_000_000 })).toEqual({ ok: true }); // exactly 100 bps
    expect(checkQuoteFresh(q, { index: 50_501n, mtp: 1_000_000 })).toMatchObject({ ok: false, code: 'quote_stale' });
    expect(checkQuoteFresh(q, { index: 49_500n, mtp: 1_000_000 })).toEqual({ ok: true });
    expect(checkQuoteFresh(q, { index: 49_499n, mtp: 1_000_000 })).toMatchObject({ ok: false, code: 'quote_stale' });
    expect(checkQuoteFresh(q, { index: 55_000n, mtp: 1_000_000 }, { maxIndexMoveBps: 1_000 })).toEqual({ ok: true }); // Hedge's 10 %
    expect(checkQuoteFresh(q, { index: 50_000n, mtp: 1_001_800 })).toEqual({ ok: true });
    expect(checkQuoteFresh(q, { index: 50_000n, mtp: 1_001_801 })).toMatchObject({ ok: false, code: 'quote_expired' });
    expect(() => checkQuoteFresh(q, { index: 0n, mtp: 1 })).toThrow(/^index:/);
    expect(() => checkQuoteFresh(q, { index: 1n, mtp: 1 }, { maxIndexMoveBps: -1 })).toThrow(/^maxIndexMoveBps:/);
  });
});
