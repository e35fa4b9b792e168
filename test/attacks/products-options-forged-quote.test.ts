// Attack: a journaled BuyOption that carries its own price. Before the fix the engine took `quote.modelMsat`
// as the model value and only checked premium = ceil(model × 1.01): a deep in-the-money call worth about
// 1,000,050 msat was bought for 2 msat. Now the engine prices every option from its own state (the daily index
// history it recorded from BlockConnected, the Hedge model, its own spread) and the command's premium is only
// the buyer's limit. The engine's value is checked here against an independent estimate and integration.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { BuyOptionCommand } from '../../src/engine/products/options/commands.js';
import { optionPriceOf } from '../../src/engine/products/options/index.js';
import { Harness, block, deposit, ofType } from '../engine/helpers.js';

const S = 50_000;
const YEAR = 365.25 * 86_400;
const mtpAt = (h: number): number => 1_700_000_000 + h * 600 - 3600;
const timeAt = (h: number): number => 1_700_000_000 + h * 600;
/** Days alternate 50 000 / 51 000 (σ > 0); day 6, the tip's, is 50 000. */
const hist = (x: number): number => (Math.floor(x / 144) % 2 === 0 ? S : 51_000);

function setup(): Harness {
  const h = new Harness();
  for (let x = 0; x <= 1000; x++) h.run(block(x, hist(x)));
  // The vault holds 20 000 sat: enough to lock the call's 8 000 000 msat of collateral (≤ 50 % of its capital).
  h.run({ type: 'FundSystem', account: 'vault', amountSat: 20_000 }, deposit('mallory', 2_000));
  return h;
}

/** A call K = 40 000, 100 lots, expiring at 1500: 100 × (50 000 − 40 000) = 1 000 000 msat in the money. */
function forged(premiumMsat: string, modelMsat: string): BuyOptionCommand {
  return {
    type: 'BuyOption', account: 'mallory', optionType: 'call', strike: 40_000, lots: 100, expiryHeight: 1500,
    quote: { modelMsat, premiumMsat, spreadBps: 100, muPpm: 0, sigmaPpm: 0, indexAtQuote: S, quotedAtHeight: 1000, quotedAtMtp: mtpAt(1000) },
  };
}

/** Φ by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), independent of the pricer's gamma-function Φ. */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * z);
  const erf = 1 - (((((1.061405429 * k - 1.453152027) * k) + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('attack: BuyOption with a forged model value', () => {
  it('the 2-msat call of the report is refused: the engine\'s premium is above the command\'s limit; nothing changes', () => {
    const h = setup();
    const before = h.ex.stateHash();
    const ev = h.run(forged('2', '1') as Command);
    expect(ev).toMatchObject([{ type: 'CommandRejected', reason: 'quote_stale', field: 'quote.premiumMsat' }]);
    expect(h.ex.stateHash()).toBe(before);
    expect(h.bal('mallory')).toBe(2_000_000n);
  });

  it('a forged model with a generous limit is charged the engine\'s own price, never the command\'s', () => {
    const h = setup();
    const r = optionPriceOf(h.ex, { optionType: 'call', strike: 40_000, lots: 100, expiryHeight: 1500 });
    if (!r.ok) throw new Error(r.reason);
    const [b] = ofType(h.run(forged('1500000', '1') as Command), 'OptionBought');
    expect(b).toMatchObject({ modelMsat: r.price.modelMsat, premiumMsat: r.price.premiumMsat, muPpm: r.inputs.muPpm, sigmaPpm: r.inputs.sigmaPpm });
    // Worth at least its intrinsic value 1 000 000 on the forward; the ask is model + 1 %.
    expect(b.modelMsat).toBeGreaterThanOrEqual(1_000_000n);
    expect(b.premiumMsat).toBe((b.modelMsat * 10_100n + 9_999n) / 10_000n);
    expect(h.bal('mallory')).toBe(2_000_000n - b.premiumMsat - b.feeMsat);
  });

  it('the engine\'s μ, σ and value agree with an independent estimate from the blocks fed and a numerical integral', () => {
    const h = setup();
    // μ, σ by hand: GBM MLE on the six whole days 0..5 the engine recorded (day mean value, mean header time).
    const days = [0, 1, 2, 3, 4, 5].map((d) => {
      let t = 0;
      for (let x = d * 144; x < d * 144 + 144; x++) t += timeAt(x);
      return { time: Math.floor(t / 144), value: hist(d * 144) };
    });
    const r: number[] = [], dt: number[] = [];
    for (let i = 0; i + 1 < days.length; i++) { r.push(Math.log(days[i + 1].value / days[i].value)); dt.push((days[i + 1].time - days[i].time) / YEAR); }
    const span = dt.reduce((a, b) => a + b, 0);
    const m = r.reduce((a, b) => a + b, 0) / span;
    const sigma = Math.sqrt(r.reduce((a, x, i) => a + (x - m * dt[i]) ** 2 / dt[i], 0) / (r.length - 1));
    const mu = m + sigma * sigma / 2;
    const q = optionPriceOf(h.ex, { optionType: 'call', strike: 49_000, lots: 10, expiryHeight: 1576 });
    if (!q.ok) throw new Error(q.reason);
    expect(q.inputs.points).toBe(6);
    expect(Math.abs(q.inputs.muPpm - mu * 1e6)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(q.inputs.sigmaPpm - sigma * 1e6)).toBeLessThanOrEqual(0.5);
    // Rough size by hand: five daily log returns ±ln(51/50) = ±0.0198 with the n − 1 correction:
    // σ ≈ 0.0198 × √365.25 × √(5/4) ≈ 0.423 per year.
    expect(sigma).toBeGreaterThan(0.41);
    expect(sigma).toBeLessThan(0.43);

    // Value of the capped call (pays min(max(A − 49 000, 0), 98 000) per lot) on the expiry-day mean A of blocks
    // 1433..1576, by moment matching computed here (double sum) and a Simpson integral over the lognormal.
    const mu1 = q.inputs.muPpm / 1e6, s1 = q.inputs.sigmaPpm / 1e6;
    const t: number[] = [];
    for (let x = 1433; x <= 1576; x++) t.push(((x - 1000) * 600) / YEAR);
    let m1 = 0, m2 = 0;
    for (const a of t) { m1 += Math.exp(mu1 * a); for (const b of t) m2 += Math.exp(mu1 * (a + b) + s1 * s1 * Math.min(a, b)); }
    const F = S * m1 / t.length;
    const v = Math.log((m2 / (t.length * t.length)) / ((m1 / t.length) ** 2));
    const sd = Math.sqrt(v), mean = Math.log(F) - v / 2;
    const K = 49_000, cap = 98_000;
    const n = 4000, lo = mean - 12 * sd, hi = mean + 12 * sd, step = (hi - lo) / n;
    let integral = 0;
    for (let i = 0; i <= n; i++) {
      const x = lo + i * step;
      const pay = Math.min(Math.max(Math.exp(x) - K, 0), cap);
      const dens = Math.exp(-((x - mean) ** 2) / (2 * v)) / (sd * Math.sqrt(2 * Math.PI));
      integral += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * pay * dens;
    }
    integral *= step / 3;
    const perLot = Number(q.price.modelMsat) / 10;
    expect(Math.abs(perLot - integral)).toBeLessThan(0.2); // the model rounds the whole size to the msat
    // and the closed form with an independent Φ: C(K) − C(3K) on (F, v).
    const black = (k: number): number => { const d1 = (Math.log(F / k) + v / 2) / sd; return F * phi(d1) - k * phi(d1 - sd); };
    expect(Math.abs(perLot - (black(K) - black(K + cap)))).toBeLessThan(0.2);
  });
});
