// Hashprice options on the engine: hand-computed collateral, payoff on the expiry day's mean, the vault's
// booked liability, the quote re-checks (72 h, index move, MTP age, ask = model + spread), refusals that
// change nothing, transfers for swap offers, and snapshot → restore.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Exchange } from '../../src/engine/exchange.js';
import type { BuyOptionCommand } from '../../src/engine/products/options/commands.js';
import { OptionsModule, collateralAccount, optionPriceOf, optionsOf, optionById } from '../../src/engine/products/options/index.js';
import { collateralMsat, liabilityMsat, payoffMsat } from '../../src/engine/products/options/rules.js';
import { expiryDayMoments, normCdf, priceHpiOption } from '../../src/pricing/options.js';
import { SECONDS_PER_YEAR } from '../../src/pricing/index-history.js';
import { Harness, block, deposit, jsonb, ofType } from '../engine/helpers.js';

const S = 50_000;
const mtpAt = (h: number): number => 1_700_000_000 + h * 600 - 3600;
/** The history the engine records before the tip: days alternate between 50 000 and 51 000 (σ > 0); day 6 (tip 1000) is 50 000. */
const hist = (x: number): number => (Math.floor(x / 144) % 2 === 0 ? S : 51_000);

/**
 * A BuyOption quoted at height `at` (index S, the helpers' MTP). The quote is only the buyer's limit: `limit`
 * is the most it pays (default: far above any premium here, so the engine's own price applies).
 */
function buy(account: string, optionType: 'call' | 'put', strike: number, lots: number, expiryHeight: number, limit: bigint | undefined,
  at: number, over: Partial<BuyOptionCommand['quote']> = {}): BuyOptionCommand {
  return {
    type: 'BuyOption', account, optionType, strike, lots, expiryHeight,
    quote: { premiumMsat: (limit ?? 10n ** 15n).toString(), indexAtQuote: S, quotedAtHeight: at, quotedAtMtp: mtpAt(at), ...over },
  };
}

/** The engine's own price for these terms at its tip (what a BuyOption pays). */
function engineQuote(h: Harness, optionType: 'call' | 'put', strike: number, lots: number, expiryHeight: number): { model: bigint; premium: bigint; fee: bigint } {
  const r = optionPriceOf(h.ex, { optionType, strike, lots, expiryHeight });
  if (!r.ok) throw new Error(r.reason);
  const premium = r.price.premiumMsat;
  return { model: r.price.modelMsat, premium, fee: (premium * 2_000n) / 1_000_000n };
}

function invariants(h: Harness): void {
  expect(h.ex.ledger.total()).toBe(0n);
  for (const [k, v] of h.ex.ledger.entries()) if (k !== 'world') expect(v, k).toBeGreaterThanOrEqual(0n);
}

/** Blocks 0..1000 (six whole days of history), vault funded with 10 000 sat, alice and bob with 100 sat; index 50 000. */
function setup(): Harness {
  const h = new Harness();
  runBlocks(h, 0, 1000, hist);
  h.run({ type: 'FundSystem', account: 'vault', amountSat: 10_000 }, deposit('alice', 100), deposit('bob', 100));
  return h;
}

function runBlocks(h: Harness, from: number, to: number, index: (height: number) => number): void {
  for (let x = from; x <= to; x++) h.run(block(x, index(x)));
}

describe('option rules (hand-computed)', () => {
  it('collateral: a call locks lots × 2K (the cap), a put lots × K', () => {
    expect(collateralMsat('call', 50_000n, 10n)).toBe(1_000_000n); // 10 × 50 000 × 2
    expect(collateralMsat('put', 50_000n, 10n)).toBe(500_000n); // 10 × 50 000
  });

  it('payoff on the mean index of the expiry day', () => {
    // 72 blocks at 51 000 and 72 at 52 000: mean 51 500.
    const sum = 72n * 51_000n + 72n * 52_000n;
    expect(payoffMsat('call', 50_000n, 10n, sum, 144n)).toBe(15_000n); // 10 × (51 500 − 50 000)
    expect(payoffMsat('put', 52_000n, 10n, sum, 144n)).toBe(5_000n); // 10 × (52 000 − 51 500)
    expect(payoffMsat('put', 50_000n, 10n, sum, 144n)).toBe(0n);
    expect(payoffMsat('call', 52_000n, 10n, sum, 144n)).toBe(0n);
    // Mean 50 000 + 1/144: 1000 lots × 1/144 = 6.94 → floored to 6 msat; 100 lots → 0.69 → 0.
    const odd = 143n * 50_000n + 50_001n;
    expect(payoffMsat('call', 50_000n, 1000n, odd, 144n)).toBe(6n);
    expect(payoffMsat('call', 50_000n, 100n, odd, 144n)).toBe(0n);
    // Cap: K = 10 000, mean 40 000 → 30 000 per lot uncapped, capped at 2K = 20 000.
    expect(payoffMsat('call', 10_000n, 1n, 144n * 40_000n, 144n)).toBe(20_000n);
    // Put at index 0 pays the whole strike.
    expect(payoffMsat('put', 10_000n, 3n, 0n, 144n)).toBe(30_000n);
  });

  it('booked liability: max(intrinsic on the expected mean, model value amortised over the life), capped', () => {
    const o = { type: 'call' as const, strike: 50_000n, lots: 10n, modelMsat: 1_000_000n, openedAtHeight: 1000, expiryHeight: 1576 };
    // At sale: the whole model value (life 576 blocks, 576 left).
    expect(liabilityMsat(o, 1000, 50_000n, 0n, 0)).toBe(1_000_000n);
    // Half-way, out of the money: ceil(1 000 000 × 288 / 576) = 500 000.
    expect(liabilityMsat(o, 1288, 50_000n, 0n, 0)).toBe(500_000n);
    // 1 block left: ceil(1 000 000 / 576) = 1737 (1736.1 rounded up).
    expect(liabilityMsat(o, 1575, 49_000n, 0n, 0)).toBe(1737n);
    // Index 60 000 before the expiry day: intrinsic 10 × 10 000 = 100 000 > 1737.
    expect(liabilityMsat(o, 1575, 60_000n, 0n, 0)).toBe(100_000n);
    // Inside the expiry day: 100 blocks seen summing 100 × 50 000, index now 59 000 for the other 44:
    // expected mean = (5 000 000 + 44 × 59 000)/144 = 52 750 → 10 × 2750 = 27 500 (time value 1737 smaller).
    expect(liabilityMsat(o, 1575, 59_000n, 5_000_000n, 100)).toBe(27_500n);
    // Capped at the collateral 1 000 000: index 200 000 → intrinsic 1 500 000.
    expect(liabilityMsat(o, 1575, 200_000n, 0n, 0)).toBe(1_000_000n);
  });
});

describe('pricer values the engine is fed (hand-computed)', () => {
  it('σ = 0, μ = 0: the premium is the intrinsic value on the forward', () => {
    // No halving between 1000 and 1500: forward = S; call K = 49 000 → 1000 msat per lot, 10 lots → 10 000.
    const p = priceHpiOption({ type: 'call', spotSatPerPHDay: S, strikeSatPerPHDay: 49_000, lots: 10, mu: 0, sigma: 0, tipHeight: 1000, expiryHeight: 1500 });
    expect(p.premiumMsat).toBe(10_000n);
    expect(p.forward).toBe(S);
  });

  it('at the money with μ = 0: the averaged lognormal against an independent double sum and erf', () => {
    // Moment matching by hand: F = S (μ = 0, no halving); E[A²]/F² = (1/n²) Σ_j Σ_k e^{σ² min(t_j, t_k)},
    // t_j = (h_j − tip) × 600 s in years. At the money Black gives V = F(2Φ(√v/2) − 1) per lot.
    const sigma = 0.8, tip = 1000, expiry = 1576;
    const t: number[] = [];
    for (let x = expiry - 143; x <= expiry; x++) t.push(((x - tip) * 600) / SECONDS_PER_YEAR);
    let m2 = 0;
    for (const a of t) for (const b of t) m2 += Math.exp(sigma * sigma * Math.min(a, b));
    const v = Math.log(m2 / (t.length * t.length));
    // Φ through erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7), independent of the pricer's gamma-function Φ.
    const erf = (x: number): number => {
      const k = 1 / (1 + 0.3275911 * x);
      return 1 - (((((1.061405429 * k - 1.453152027) * k) + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-x * x);
    };
    const phi = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));
    const perLot = S * (2 * phi(Math.sqrt(v) / 2) - 1);
    // Rough check by hand: the day's blocks are 433..576 blocks out; for times spread evenly on [a, b] the mean
    // of min(t_j, t_k) is a + (b − a)/3 = 480.7 blocks, so v ≈ σ² × 480.7 × 600 / 31 557 600 = 0.64 × 0.009139 = 0.005849,
    // √v/2 = 0.03824, 2Φ(x) − 1 ≈ 2 × 0.39894 × 0.03824 = 0.030511 → V ≈ 50 000 × 0.030511 ≈ 1525.5 msat per lot.
    expect(perLot).toBeGreaterThan(1_515);
    expect(perLot).toBeLessThan(1_535);
    const p = priceHpiOption({ type: 'call', spotSatPerPHDay: S, strikeSatPerPHDay: S, lots: 1, mu: 0, sigma, tipHeight: tip, expiryHeight: expiry });
    expect(p.perLotMsat / perLot).toBeCloseTo(1, 5);
    const put = priceHpiOption({ type: 'put', spotSatPerPHDay: S, strikeSatPerPHDay: S, lots: 1, mu: 0, sigma, tipHeight: tip, expiryHeight: expiry });
    expect(put.perLotMsat).toBeCloseTo(p.perLotMsat, 6); // parity at the money with F = K
    expect(normCdf(0)).toBe(0.5);
  });
});

describe('the call cap is a contract term: a call pays at most 2K per lot and is priced as the call spread C(K) − C(3K)', () => {
  const tip = 1000, expiry = 1576;
  const times: number[] = [];
  for (let x = expiry - 143; x <= expiry; x++) times.push(((x - tip) * 600) / SECONDS_PER_YEAR);
  /** E[min(max(A − K, 0), cap)] for ln A ~ N(ln F − v/2, v), by Simpson's rule on ±12 sd (independent of Black's formula). */
  function integrate(F: number, v: number, K: number, cap: number): number {
    const sd = Math.sqrt(v), mean = Math.log(F) - v / 2, n = 20_000, lo = mean - 12 * sd, step = (24 * sd) / n;
    let acc = 0;
    for (let i = 0; i <= n; i++) {
      const x = lo + i * step;
      const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
      acc += w * Math.min(Math.max(Math.exp(x) - K, 0), cap) * Math.exp(-((x - mean) ** 2) / (2 * v)) / (sd * Math.sqrt(2 * Math.PI));
    }
    return (acc * step) / 3;
  }

  it('σ = 0 by hand: deep in the money the capped call is worth the cap 2K, not S − K', () => {
    // F = S = 50 000 (μ = 0, no halving). K = 10 000: S − K = 40 000 per lot, the contract pays at most 2K = 20 000.
    const base = { type: 'call' as const, spotSatPerPHDay: S, lots: 3, mu: 0, sigma: 0, tipHeight: tip, expiryHeight: expiry };
    expect(priceHpiOption({ ...base, strikeSatPerPHDay: 10_000 }).premiumMsat).toBe(120_000n); // uncapped 3 × 40 000
    expect(priceHpiOption({ ...base, strikeSatPerPHDay: 10_000, callCapSatPerPHDay: 20_000 }).premiumMsat).toBe(60_000n); // 3 × 20 000
    // K = 20 000: S − K = 30 000 < 2K = 40 000, the cap does not bind.
    expect(priceHpiOption({ ...base, strikeSatPerPHDay: 20_000, callCapSatPerPHDay: 40_000 }).premiumMsat).toBe(90_000n);
    expect(() => priceHpiOption({ ...base, type: 'put', strikeSatPerPHDay: 20_000, callCapSatPerPHDay: 40_000 })).toThrow(/callCapSatPerPHDay/);
  });

  it('closed form C(K) − C(K + 2K) = the numerical integral of the capped payoff, where the cap binds and where it barely matters', () => {
    for (const [sigma, K] of [[0.4, 50_000], [0.4, 20_000], [3, 50_000], [8, 30_000], [8, 12_000]] as const) {
      const p = priceHpiOption({ type: 'call', spotSatPerPHDay: S, strikeSatPerPHDay: K, lots: 1, mu: 0.2, sigma, tipHeight: tip, expiryHeight: expiry, callCapSatPerPHDay: 2 * K });
      const m = expiryDayMoments(S, 0.2, sigma, times);
      const want = integrate(m.forward, m.totalVariance, K, 2 * K);
      expect(Math.abs(p.perLotMsat - want) / want, `σ ${sigma} K ${K}`).toBeLessThan(1e-6);
      // The cap never adds value (at σ = 0.4 the chance of a mean above 3K is nil and the two agree).
      const uncapped = priceHpiOption({ type: 'call', spotSatPerPHDay: S, strikeSatPerPHDay: K, lots: 1, mu: 0.2, sigma, tipHeight: tip, expiryHeight: expiry });
      expect(p.perLotMsat).toBeLessThanOrEqual(uncapped.perLotMsat);
    }
    // At σ = 8 (a huge variance) the cap removes most of an uncapped call's value: the vault no longer sells
    // an unbounded payoff at the price of a bounded one, or the other way round.
    const hi = priceHpiOption({ type: 'call', spotSatPerPHDay: S, strikeSatPerPHDay: 12_000, lots: 1, mu: 0.2, sigma: 8, tipHeight: tip, expiryHeight: expiry });
    const capped = priceHpiOption({ type: 'call', spotSatPerPHDay: S, strikeSatPerPHDay: 12_000, lots: 1, mu: 0.2, sigma: 8, tipHeight: tip, expiryHeight: expiry, callCapSatPerPHDay: 24_000 });
    expect(capped.perLotMsat).toBeLessThan(24_000);
    expect(hi.perLotMsat - capped.perLotMsat).toBeGreaterThan(1_000);
  });

  it('the engine sells calls at the capped value, the payoff never exceeds the cap, and the collateral is exactly the cap', () => {
    const h = setup();
    const r = optionPriceOf(h.ex, { optionType: 'call', strike: 20_000, lots: 4, expiryHeight: 1576 });
    if (!r.ok) throw new Error(r.reason);
    expect(r.price.capPerLot).toBe(40_000n);
    const uncapped = priceHpiOption({ type: 'call', spotSatPerPHDay: S, strikeSatPerPHDay: 20_000, lots: 4, mu: r.inputs.muPpm / 1e6, sigma: r.inputs.sigmaPpm / 1e6, tipHeight: 1000, expiryHeight: 1576 });
    const capped = priceHpiOption({ type: 'call', spotSatPerPHDay: S, strikeSatPerPHDay: 20_000, lots: 4, mu: r.inputs.muPpm / 1e6, sigma: r.inputs.sigmaPpm / 1e6, tipHeight: 1000, expiryHeight: 1576, callCapSatPerPHDay: 40_000 });
    expect(r.price.modelMsat).toBe(capped.premiumMsat);
    expect(r.price.modelMsat).toBeLessThanOrEqual(uncapped.premiumMsat);
    expect(collateralMsat('call', 20_000n, 4n)).toBe(4n * 40_000n);
    expect(payoffMsat('call', 20_000n, 4n, 144n * 1_000_000n, 144n)).toBe(4n * 40_000n); // S = 1 000 000 ≫ 3K: pays the cap
  });
});

describe('BuyOption on the engine', () => {
  it('buyer pays the engine\'s premium + fee, the vault locks the worst case; settlement pays the mean-index payoff', () => {
    const h = setup();
    const E = 1500;
    const qa = engineQuote(h, 'call', 49_000, 10, E);
    const qb = engineQuote(h, 'put', 51_500, 4, E);
    // In the money on the forward (μ ≈ 0 over alternating days), so each is worth at least its intrinsic value.
    expect(qa.model).toBeGreaterThanOrEqual(10_000n);
    expect(qb.model).toBeGreaterThanOrEqual(4_000n);
    expect(qa.premium).toBe((qa.model * 10_100n + 9_999n) / 10_000n);
    const ev = h.run(buy('alice', 'call', 49_000, 10, E, qa.premium, 1000), buy('bob', 'put', 51_500, 4, E, qb.premium, 1000));
    expect(h.bal('alice')).toBe(100_000n - qa.premium - qa.fee);
    expect(h.bal('bob')).toBe(100_000n - qb.premium - qb.fee);
    // the fees go to the vault, not to the exchange's `fees` account.
    expect(h.bal('fees')).toBe(0n);
    // collateral: call 10 × 49 000 × 2 = 980 000; put 4 × 51 500 = 206 000.
    const [a, b] = ofType(ev, 'OptionBought');
    expect(a).toMatchObject({ optionId: 'o1005', premiumMsat: qa.premium, modelMsat: qa.model, feeMsat: qa.fee, collateralMsat: 980_000n, height: 1000, indexAtQuote: S, quotedAtHeight: 1000 });
    expect(b).toMatchObject({ optionId: 'o1006', premiumMsat: qb.premium, feeMsat: qb.fee, collateralMsat: 206_000n });
    expect(h.bal(collateralAccount('o1005'))).toBe(980_000n);
    const vault0 = 10_000_000n + qa.premium + qa.fee + qb.premium + qb.fee;
    expect(h.bal('vault')).toBe(vault0 - 980_000n - 206_000n);
    invariants(h);

    // Index 50 000 up to the expiry day's first half; the day (1357..1500) is 72 blocks at 50 000, 72 at 52 000.
    runBlocks(h, 1001, E - 1, (x) => (x <= E - 72 ? 50_000 : 52_000));
    expect(optionById(h.ex, 'o1005')?.status).toBe('open');
    const mod = h.ex.product<OptionsModule>('options') as OptionsModule;
    expect(mod.expiryDay(E)).toEqual({ sum: 72n * 50_000n + 71n * 52_000n, n: 143 });
    const last = h.run(block(E, 52_000));
    // mean 51 000: call 10 × (51 000 − 49 000) = 20 000; put 4 × (51 500 − 51 000) = 2000.
    const settled = ofType(last, 'OptionSettled');
    expect(settled).toMatchObject([
      { optionId: 'o1005', account: 'alice', payoffMsat: 20_000n, releasedMsat: 960_000n, blocks: 144, indexSum: 72n * 50_000n + 72n * 52_000n },
      { optionId: 'o1006', account: 'bob', payoffMsat: 2_000n, releasedMsat: 204_000n, blocks: 144 },
    ]);
    expect(h.bal('alice')).toBe(100_000n - qa.premium - qa.fee + 20_000n);
    expect(h.bal('bob')).toBe(100_000n - qb.premium - qb.fee + 2_000n);
    expect(h.bal('vault')).toBe(vault0 - 22_000n);
    expect(h.bal(collateralAccount('o1005'))).toBe(0n);
    expect(optionsOf(h.ex, 'alice')).toMatchObject([{ id: 'o1005', status: 'settled', payoffMsat: 20_000n }]);
    invariants(h);
  });

  it('re-checks the quote against its own chain view (72 h, index move, MTP age) and the buyer\'s limit; refusals change nothing', () => {
    const h = setup();
    h.run(deposit('carol', 20_000));
    const hash = h.ex.stateHash();
    const q = engineQuote(h, 'call', 49_000, 1, 1500);
    const cases: [Command, string, string][] = [
      // 72 h = 432 blocks: tip 1000 → 1431 is too soon, 1432 is fine (below).
      [buy('alice', 'call', 49_000, 1, 1431, undefined, 1000), 'expiry_too_soon', 'expiryHeight'],
      // index 50 000 quoted as 50 506: |Δ| = 506 > 1 % of 50 506 = 505.06 → stale.
      [buy('alice', 'call', 49_000, 1, 1500, undefined, 1000, { indexAtQuote: 50_506 }), 'quote_stale', 'quote'],
      // MTP 1801 s older than the tip's: more than 1800 s.
      [buy('alice', 'call', 49_000, 1, 1500, undefined, 1000, { quotedAtMtp: mtpAt(1000) - 1801 }), 'quote_stale', 'quote'],
      [buy('alice', 'call', 49_000, 1, 1500, undefined, 1000, { quotedAtHeight: 1001 }), 'invalid_argument', 'quote.quotedAtHeight'],
      // the buyer's limit one msat below the engine's premium
      [buy('alice', 'call', 49_000, 1, 1500, q.premium - 1n, 1000), 'quote_stale', 'quote.premiumMsat'],
      [buy('alice', 'call', 49_000, 1, 1500, undefined, 1000, { premiumMsat: '-5' }), 'invalid_argument', 'quote.premiumMsat'],
      // 200 000 is 4× the index: the model value rounds to 0 msat, and the vault gives nothing away.
      [buy('alice', 'call', 200_000, 1, 1500, undefined, 1000), 'not_allowed', 'strike'],
      [buy('alice', 'call', 0, 1, 1500, undefined, 1000), 'invalid_argument', 'strike'],
      [buy('alice', 'call', 49_000, 0, 1500, undefined, 1000), 'invalid_argument', 'lots'],
      [{ ...buy('alice', 'call', 49_000, 1, 1500, undefined, 1000), optionType: 'straddle' } as unknown as Command, 'invalid_argument', 'optionType'],
      [buy('bad:acct', 'call', 49_000, 1, 1500, undefined, 1000), 'invalid_argument', 'account'],
      // alice has 100 000 msat: 100 lots of the call cost about 100 × 1000 + time value, more than that.
      [buy('alice', 'call', 49_000, 100, 1500, undefined, 1000), 'insufficient_balance', 'lots'],
      // carol (20 000 000 msat): 120 lots × 49 000 × 2 = 11 760 000 > the vault's cash (10 000 000 + the premium).
      [buy('carol', 'call', 49_000, 120, 1500, undefined, 1000), 'exposure_limit', 'lots'],
      // 60 lots → 5 880 000 > 50 % of the vault's capital (10 000 000 + premium ≈ 60 000).
      [buy('carol', 'call', 49_000, 60, 1500, undefined, 1000), 'exposure_limit', 'lots'],
    ];
    for (const [cmd, reason, field] of cases) {
      const ev = h.run(cmd);
      expect(ev, reason + field).toMatchObject([{ type: 'CommandRejected', reason, field }]);
      expect(h.ex.stateHash()).toBe(hash);
    }
    // The edges that pass, each on a fresh exchange: expiry exactly 432 blocks out, a 1 % move
    // (505 × 10 000 ≤ 100 × 50 505), MTP exactly 1800 s old, the limit exactly the premium, 51 lots (51 × 98 000 = 4 998 000 ≤ 50 % of the capital).
    for (const cmd of [
      buy('alice', 'call', 49_000, 1, 1432, undefined, 1000),
      buy('alice', 'call', 49_000, 1, 1500, undefined, 1000, { indexAtQuote: 50_505 }),
      buy('alice', 'call', 49_000, 1, 1500, undefined, 1000, { quotedAtMtp: mtpAt(1000) - 1800 }),
      buy('alice', 'call', 49_000, 1, 1500, q.premium, 1000),
      buy('carol', 'call', 49_000, 51, 1500, undefined, 1000),
    ]) {
      const fresh = setup();
      fresh.run(deposit('carol', 20_000));
      expect(ofType(fresh.run(cmd), 'OptionBought')).toHaveLength(1);
      invariants(fresh);
    }
  });

  it('refuses before the first block (no index); before five whole days it prices with the prior μ = 0, σ = the floor', () => {
    const h = new Harness();
    expect(h.run(buy('alice', 'call', 49_000, 1, 1500, undefined, 0))).toMatchObject([{ type: 'CommandRejected', reason: 'market_not_ready' }]);
    // Blocks 0..719 are days 0..4 with day 4 still running: four whole days, five needed to estimate.
    runBlocks(h, 0, 719, hist);
    h.run({ type: 'FundSystem', account: 'vault', amountSat: 10_000 }, deposit('alice', 100));
    const prior = optionPriceOf(h.ex, { optionType: 'call', strike: 49_000, lots: 1, expiryHeight: 1200 });
    expect(prior).toMatchObject({ ok: true, inputs: { basis: 'prior', muPpm: 0, sigmaPpm: 100_000, sigmaEstimatePpm: null, points: 4 } });
    const ev = h.run(buy('alice', 'call', 49_000, 1, 1200, undefined, 719, { quotedAtMtp: mtpAt(719) }));
    const [b] = ofType(ev, 'OptionBought');
    expect(b, JSON.stringify(ev, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toMatchObject({ muPpm: 0, sigmaPpm: 100_000 });
    // Under the prior F = S = 50 000 (μ = 0): 1 lot at K 49 000 is worth at least its 1000 of intrinsic value.
    expect(b.modelMsat).toBeGreaterThanOrEqual(1_000n);
    h.run(block(720, S)); // day 4 ends: five whole days, now estimated (σ ≈ 0.47 over four alternating returns)
    const est = optionPriceOf(h.ex, { optionType: 'call', strike: 49_000, lots: 1, expiryHeight: 1200 });
    expect(est).toMatchObject({ ok: true, inputs: { basis: 'estimate', points: 5 } });
    if (est.ok) expect(est.inputs.sigmaPpm).toBe(est.inputs.sigmaEstimatePpm);
  });

  it('a window in which the index never moved estimates σ = 0; the vault prices with its σ floor instead of giving options away', () => {
    const h = new Harness();
    runBlocks(h, 0, 1000, () => S);
    const r = optionPriceOf(h.ex, { optionType: 'call', strike: 50_500, lots: 10, expiryHeight: 1576 });
    expect(r).toMatchObject({ ok: true, inputs: { basis: 'estimate', muPpm: 0, sigmaEstimatePpm: 0, sigmaPpm: 100_000 } });
    if (r.ok) expect(r.price.modelMsat).toBeGreaterThan(0n);
  });

  it('an index move after the quote (a retarget) makes it stale', () => {
    const h = setup();
    h.run(block(1001, 52_000)); // +4 %
    expect(h.run(buy('alice', 'call', 49_000, 1, 1500, undefined, 1000))).toMatchObject([{ type: 'CommandRejected', reason: 'quote_stale' }]);
  });

  it('transferPosition / describePosition move the holder side only, with the swap module\'s owner names', () => {
    const h = setup();
    h.run(buy('alice', 'put', 52_000, 2, 1500, undefined, 1000));
    const mod = h.ex.product<OptionsModule>('options') as OptionsModule;
    const ctx = h.ex.productContext(99);
    expect(mod.describePosition('o1005', 'user:alice')).toMatchObject({ optionId: 'o1005', optionType: 'put', strike: '52000', lots: '2', collateralMsat: '104000' });
    expect(mod.describePosition('o1005', 'user:bob')).toBeUndefined();
    const out: EngineEvent[] = [];
    expect(mod.transferPosition('o99', 'user:alice', 'user:bob', ctx, [])?.reason).toBe('unknown_position');
    expect(mod.transferPosition('o1005', 'user:bob', 'user:carol', ctx, [])?.reason).toBe('not_owner');
    expect(mod.transferPosition('o1005', 'user:alice', 'user:alice', ctx, [])?.reason).toBe('invalid_argument');
    expect(mod.transferPosition('o1005', 'user:alice', 'user:bob', ctx, out)).toBeUndefined();
    expect(out).toEqual([{ type: 'OptionTransferred', optionId: 'o1005', from: 'alice', to: 'bob' }]);
    // The payoff goes to the new holder: the index sits at 50 000 all through → put pays 2 × 2000 = 4000.
    runBlocks(h, 1001, 1500, () => S);
    expect(optionById(h.ex, 'o1005')).toMatchObject({ holder: 'bob', buyer: 'alice', payoffMsat: 4_000n });
    expect(h.bal('bob')).toBe(104_000n);
    expect(mod.transferPosition('o1005', 'user:bob', 'user:alice', ctx, [])?.reason).toBe('already_settled');
    invariants(h);
  });

  it('a swap offer moves an option through the swap product (OfferPosition → AcceptOffer)', () => {
    const h = setup();
    h.run(buy('alice', 'put', 52_000, 2, 1500, undefined, 1000)); // o1005
    const offered = h.run({ type: 'OfferPosition', account: 'alice', product: 'options', positionId: 'o1005', priceMsat: '7000' } as Command);
    const created = offered.find((e) => e.type === 'SwapOfferCreated') as { offerId: number } | undefined;
    expect(created, jsonb(offered)).toBeDefined();
    const taken = h.run({ type: 'AcceptOffer', account: 'bob', offerId: (created as { offerId: number }).offerId } as Command);
    expect(ofType(taken, 'OptionTransferred')).toEqual([{ type: 'OptionTransferred', optionId: 'o1005', from: 'alice', to: 'bob' }]);
    expect(optionById(h.ex, 'o1005')?.holder).toBe('bob');
    expect(h.bal(collateralAccount('o1005'))).toBe(104_000n); // the vault's collateral did not move
    invariants(h);
  });

  it('snapshot → restore mid-expiry-day reproduces the hash and the settlement', () => {
    const h = setup();
    h.run(buy('alice', 'call', 49_000, 10, 1500, undefined, 1000));
    const idx = (x: number): number => 50_000 + (x % 7) * 300;
    runBlocks(h, 1001, 1400, idx);
    const copy = new Harness(Exchange.restore(h.ex.snapshot()));
    copy.seq = h.seq;
    expect(copy.ex.stateHash()).toBe(h.ex.stateHash());
    runBlocks(h, 1401, 1501, idx);
    runBlocks(copy, 1401, 1501, idx);
    expect(copy.ex.stateHash()).toBe(h.ex.stateHash());
    // Hand-check the settlement from the index path itself: Σ idx over 1357..1500, payoff floor(10 × (sum − 144 × 49 000)/144).
    let sum = 0n;
    for (let x = 1357; x <= 1500; x++) sum += BigInt(idx(x));
    const want = (10n * (sum - 144n * 49_000n)) / 144n;
    expect(optionById(copy.ex, 'o1005')).toMatchObject({ status: 'settled', payoffMsat: want, indexSum: sum, blocks: 144 });
    invariants(copy);
  });
});
