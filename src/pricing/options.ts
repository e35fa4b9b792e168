/**
 * Hashprice options (HPI calls and puts), priced with Hedge's lognormal drift model, and the vault's
 * quote with its refusal rules.
 *
 * Hedge's formula (reference 004, §5.2.2), with its d₁ = (1/σ)[ln(K/S₀) + (σ²/2 − μ)T]:
 *   V_C = S₀e^{μT}(1 − Φ(d₁/√T − σ√T)) − K(1 − Φ(d₁/√T)),   V_P = KΦ(d₁/√T) − S₀e^{μT}Φ(d₁/√T − σ√T).
 * With F = S₀e^{μT}, d₁/√T = −d₂ and d₁/√T − σ√T = −d₁ in Black-76's notation, so this is
 *   V_C = F·Φ(d₁) − K·Φ(d₂),  V_P = K·Φ(−d₂) − F·Φ(−d₁),  d₁,₂ = [ln(F/K) ± σ²T/2] / (σ√T).
 * Where it differs from Black-76, and why:
 *  - no discount factor e^{−rT}: the premium and the payoff are both sat held by the same vault, and there
 *    is no sat interest rate on this exchange to discount with (Hedge does the same with DCU);
 *  - the forward is not a traded forward/futures price but S₀e^{μT} with μ estimated from the index's own
 *    history (there is no carry argument for hashprice: it cannot be stored or shorted spot);
 *  - known halvings multiply the forward (`subsidyFactor`), because μ and σ are estimated without them.
 * Put-call parity under this model is C − P = F − K (undiscounted).
 *
 * The contract settles on S = the mean index over the expiry day (144 blocks ending at `expiryHeight`),
 * not on one value. We price that arithmetic mean by moment matching (Lévy / Turnbull–Wakeman): the
 * discrete mean of 144 lognormal values at block times t_j (expected spacing `blockIntervalS`) gets its
 * exact first two moments under the model, E[A] = S₀/n Σ f_j e^{μt_j} and
 * E[A²] = S₀²/n² Σ_j Σ_k f_j f_k e^{μ(t_j+t_k) + σ² min(t_j,t_k)}, and is priced as a lognormal with the
 * same moments: forward F = E[A], total variance v = ln(E[A²]/F²). For T ≥ 3 days the difference from
 * "the index at mid-day" is small, but moment matching is exact in mean, so parity (C − P = F − K) holds.
 */
import { subsidySat } from '../index/hashprice.js';
import { HashPerpError, InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { invalidField } from '../units/checks.js';
import { gammaQ } from './gamma.js';
import { BLOCKS_PER_DAY, SECONDS_PER_YEAR } from './index-history.js';

export type OptionType = 'call' | 'put';

/** Standard normal CDF through the regularized incomplete gamma: Φ(x) = ½·Q(½, x²/2) for x < 0. */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) throw new RangeError('normCdf: NaN');
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const tail = 0.5 * gammaQ(0.5, (x * x) / 2);
  return x < 0 ? tail : 1 - tail;
}

export function normPdf(x: number): number {
  return Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
}

function finite(field: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new InvalidArgumentError(field, `expected a finite number ≥ ${min}, got ${String(v)}`);
  return v;
}

function optionType(v: unknown): OptionType {
  if (v !== 'call' && v !== 'put') throw new InvalidArgumentError('type', `expected 'call' or 'put', got ${String(v)}`);
  return v;
}

export interface LognormalValue {
  /** Model value per unit of the underlying (sat/PH/day; = msat per lot). */
  value: number;
  forward: number;
  d1: number;
  d2: number;
  /** Φ(d1), Φ(d2) as used (call side). */
  nd1: number;
  nd2: number;
  /** ∂value/∂forward (undiscounted Black delta w.r.t. F). */
  deltaForward: number;
  /** ∂value/∂(√v), v = total variance. */
  vegaSd: number;
}

/** Black-form value with no discounting, from a forward and the total variance v = σ²T of ln S. */
export function lognormalValue(type: OptionType, forward: number, strike: number, totalVariance: number): LognormalValue {
  optionType(type);
  finite('forward', forward, 0);
  finite('strike', strike, 0);
  finite('totalVariance', totalVariance, 0);
  const sd = Math.sqrt(totalVariance);
  if (sd < 1e-12 || strike === 0 || forward === 0) {
    // σ → 0 (or a degenerate strike): the payoff of the forward itself.
    const itm = type === 'call' ? forward > strike : strike > forward;
    const value = Math.max(0, type === 'call' ? forward - strike : strike - forward);
    const inf = forward > strike ? Infinity : -Infinity;
    return { value, forward, d1: inf, d2: inf, nd1: forward > strike ? 1 : 0, nd2: forward > strike ? 1 : 0, deltaForward: itm ? (type === 'call' ? 1 : -1) : 0, vegaSd: 0 };
  }
  const d1 = (Math.log(forward / strike) + totalVariance / 2) / sd;
  const d2 = d1 - sd;
  const nd1 = normCdf(d1);
  const nd2 = normCdf(d2);
  const value = type === 'call' ? forward * nd1 - strike * nd2 : strike * normCdf(-d2) - forward * normCdf(-d1);
  return { value: Math.max(0, value), forward, d1, d2, nd1, nd2, deltaForward: type === 'call' ? nd1 : nd1 - 1, vegaSd: forward * normPdf(d1) };
}

export interface HedgeInput {
  type: OptionType;
  spot: number;
  strike: number;
  /** Drift per year (E[S_T] = S₀e^{μT}). */
  mu: number;
  /** Volatility of ln S per √year. */
  sigma: number;
  /** Time to a point expiry, years. */
  tYears: number;
}

/** Hedge's formula for a point expiry: forward S₀e^{μT}, variance σ²T, no discounting. */
export function hedgeOptionValue(p: HedgeInput): LognormalValue & { delta: number; vega: number } {
  const spot = finite('spot', p.spot, 0);
  const sigma = finite('sigma', p.sigma, 0);
  const t = finite('tYears', p.tYears, 0);
  const mu = finite('mu', p.mu);
  const growth = Math.exp(mu * t);
  const v = lognormalValue(p.type, spot * growth, finite('strike', p.strike, 0), sigma * sigma * t);
  return { ...v, delta: growth * v.deltaForward, vega: v.vegaSd * Math.sqrt(t) };
}

export interface ExpiryDayMoments {
  forward: number;
  totalVariance: number;
  /** Years from now to the middle block of the expiry day. */
  tMidYears: number;
  /** Years from now to the last block of the expiry day. */
  tEndYears: number;
}

/**
 * First two moments of the mean of the index over the expiry day's blocks, matched to a lognormal.
 * `factors[j]` multiplies the j-th block's value deterministically (known subsidy changes), 1 when none.
 */
export function expiryDayMoments(spot: number, mu: number, sigma: number, timesYears: readonly number[], factors?: readonly number[]): ExpiryDayMoments {
  const n = timesYears.length;
  if (n === 0) throw new InvalidArgumentError('times', 'at least one averaging time is needed');
  const f = (j: number): number => factors?.[j] ?? 1;
  const s2 = sigma * sigma;
  let m1 = 0;
  let m2 = 0;
  for (let j = 0; j < n; j++) {
    const tj = timesYears[j];
    m1 += f(j) * Math.exp(mu * tj);
    // Symmetric double sum: diagonal once, off-diagonal twice (min(t_j, t_k) = t_k for k < j, times ascending).
    m2 += f(j) * f(j) * Math.exp(2 * mu * tj + s2 * tj);
    for (let k = 0; k < j; k++) m2 += 2 * f(j) * f(k) * Math.exp(mu * (tj + timesYears[k]) + s2 * Math.min(tj, timesYears[k]));
  }
  const mean = m1 / n;
  const second = m2 / (n * n);
  // σ = 0 exactly: no variance (the float ratio would leave ~1e-14 of rounding).
  const totalVariance = sigma === 0 ? 0 : Math.max(0, Math.log(second / (mean * mean)));
  return { forward: spot * mean, totalVariance, tMidYears: timesYears[Math.floor((n - 1) / 2)], tEndYears: timesYears[n - 1] };
}

export interface HpiOptionInput {
  type: OptionType;
  /** Current index (sat/PH/day), integer. */
  spotSatPerPHDay: number | bigint;
  strikeSatPerPHDay: number | bigint;
  /** Size in lots of 1 TH/s·day: payoff msat = lots × max(S − K, 0). */
  lots: number | bigint;
  mu: number;
  sigma: number;
  /** Tip height now and the last block of the expiry day; the expiry day is expiryHeight−143 .. expiryHeight. */
  tipHeight: number;
  expiryHeight: number;
  /** Expected seconds per block used to turn heights into time (default 600). */
  blockIntervalS?: number;
  /** Mean fees per block in the spot's reward (sat); the subsidy factor scales only the subsidy part. Default 0. */
  feeSat?: bigint;
  /**
   * Calls only: the payoff per lot is capped at this many sat/PH/day (msat per lot), i.e. the contract pays
   * min(max(S − K, 0), cap). Such a call is a call spread and is valued as C(K) − C(K + cap) on the same
   * moment-matched lognormal. Omitted: an uncapped call.
   */
  callCapSatPerPHDay?: number | bigint;
}

export interface HpiOptionPrice {
  type: OptionType;
  lots: bigint;
  /** Model premium for the whole size, msat, rounded to the nearest msat. */
  premiumMsat: bigint;
  /** Model value per lot, msat (float, for display). */
  perLotMsat: number;
  /** Forward of the expiry-day mean (sat/PH/day), including known halvings. */
  forward: number;
  totalVariance: number;
  /** Known subsidy change between now and the expiry day (mean over its blocks; 1 when none). */
  subsidyFactor: number;
  tMidYears: number;
  /** ∂(value per lot)/∂spot: dimensionless (msat per lot per sat/PH/day). */
  delta: number;
  /** Position premium change (msat) for +1 volatility point (σ + 0.01). */
  vegaMsatPerVolPoint: number;
  method: string;
}

function toBigInt(field: string, v: number | bigint, min: bigint): bigint {
  const b = typeof v === 'bigint' ? v : BigInt(assertSafeInteger(field, v));
  if (b < min) throw new InvalidArgumentError(field, `must be at least ${min}, got ${b}`);
  return b;
}

/** Premium and display greeks of an HPI option under the drift model with expiry-day averaging. */
export function priceHpiOption(input: HpiOptionInput): HpiOptionPrice {
  const type = optionType(input.type);
  const spot = toBigInt('spotSatPerPHDay', input.spotSatPerPHDay, 1n);
  const strike = toBigInt('strikeSatPerPHDay', input.strikeSatPerPHDay, 0n);
  const lots = toBigInt('lots', input.lots, 1n);
  const mu = finite('mu', input.mu);
  const sigma = finite('sigma', input.sigma, 0);
  if (Math.abs(mu) > 50 || sigma > 50) throw new InvalidArgumentError(Math.abs(mu) > 50 ? 'mu' : 'sigma', 'outside the model range (|μ| ≤ 50, σ ≤ 50 per year)');
  const tip = assertSafeInteger('tipHeight', input.tipHeight, 0);
  const expiry = assertSafeInteger('expiryHeight', input.expiryHeight, tip + BLOCKS_PER_DAY);
  const interval = finite('blockIntervalS', input.blockIntervalS ?? 600, 1);
  const fee = input.feeSat ?? 0n;
  if (typeof fee !== 'bigint' || fee < 0n) throw invalidField('feeSat', 'a non-negative bigint', fee);

  const first = expiry - BLOCKS_PER_DAY + 1;
  const times: number[] = [];
  const factors: number[] = [];
  const rewardNow = Number(subsidySat(tip) + fee);
  for (let h = first; h <= expiry; h++) {
    times.push(((h - tip) * interval) / SECONDS_PER_YEAR);
    factors.push(Number(subsidySat(h) + fee) / rewardNow);
  }
  const subsidyFactor = factors.reduce((a, b) => a + b, 0) / factors.length;
  const S0 = Number(spot);
  const capInput = input.callCapSatPerPHDay;
  if (capInput !== undefined && type !== 'call') throw new InvalidArgumentError('callCapSatPerPHDay', 'only a call has a cap');
  const cap = capInput === undefined ? undefined : toBigInt('callCapSatPerPHDay', capInput, 1n);
  // A capped call pays min(max(S − K, 0), cap) = (S − K)⁺ − (S − (K + cap))⁺: the call spread K .. K + cap.
  const upper = cap === undefined ? undefined : Number(strike + cap);
  const m = expiryDayMoments(S0, mu, sigma, times, factors);
  const spreadValue = (fwd: number, variance: number): { value: number; deltaForward: number } => {
    const lo = lognormalValue(type, fwd, Number(strike), variance);
    if (upper === undefined) return lo;
    const hi = lognormalValue('call', fwd, upper, variance);
    return { value: Math.max(0, lo.value - hi.value), deltaForward: lo.deltaForward - hi.deltaForward };
  };
  const v = spreadValue(m.forward, m.totalVariance);
  // Vega by central difference on σ: the total variance of the average is not σ²T exactly.
  const bump = 0.005;
  const valueAt = (s: number): number => spreadValue(m.forward, expiryDayMoments(S0, mu, s, times, factors).totalVariance).value;
  const vegaPerUnit = (valueAt(sigma + bump) - valueAt(Math.max(0, sigma - bump))) / (sigma + bump - Math.max(0, sigma - bump));
  const perLot = v.value;
  // Round half up on a micro-msat grid so lots × value is exact integer arithmetic.
  const micro = BigInt(Math.round(perLot * 1e6));
  const premiumMsat = (lots * micro + 500_000n) / 1_000_000n;
  return {
    type,
    lots,
    premiumMsat,
    perLotMsat: perLot,
    forward: m.forward,
    totalVariance: m.totalVariance,
    subsidyFactor,
    tMidYears: m.tMidYears,
    delta: (m.forward / S0) * v.deltaForward,
    vegaMsatPerVolPoint: vegaPerUnit * 0.01 * Number(lots),
    method:
      `Hedge drift model (forward S0·e^{μT}, no discounting) on the mean of blocks ${first}..${expiry}; ` +
      (cap === undefined ? '' : `call capped at ${cap} per lot: valued as the call spread C(${strike}) − C(${strike + cap}); `) +
      `moment-matched lognormal over ${BLOCKS_PER_DAY} block times at ${interval} s; known subsidy changes ×${subsidyFactor.toFixed(6)}`,
  };
}

// ---------------------------------------------------------------- vault quote and refusals

export const MIN_EXPIRY_BLOCKS = 432; // 72 hours at 600 s
export const DEFAULT_MAX_INDEX_MOVE_BPS = 100;
export const DEFAULT_MAX_QUOTE_AGE_S = 1800;

export interface VaultOptionQuote {
  type: OptionType;
  lots: bigint;
  strikeSatPerPHDay: bigint;
  expiryHeight: number;
  /** Model value (msat) and the vault's prices around it: it sells at the ask, buys back at the bid. */
  modelMsat: bigint;
  askMsat: bigint;
  bidMsat: bigint;
  spreadBps: number;
  /** The chain state the quote was made at: the refusal rules compare against it. */
  quotedAtHeight: number;
  quotedAtMtp: number;
  indexAtQuote: bigint;
}

export type Refusal = { ok: true } | { ok: false; code: 'expiry_too_soon' | 'quote_stale' | 'quote_expired'; reason: string };

/** Expiry must be at least 432 blocks (72 h at the target spacing) above the tip: heights, not the wall clock. */
export function checkMinimumExpiry(tipHeight: number, expiryHeight: number, minBlocks = MIN_EXPIRY_BLOCKS): Refusal {
  assertSafeInteger('tipHeight', tipHeight, 0);
  assertSafeInteger('expiryHeight', expiryHeight, 0);
  assertSafeInteger('minBlocks', minBlocks, 0);
  const ahead = expiryHeight - tipHeight;
  if (ahead < minBlocks)
    return { ok: false, code: 'expiry_too_soon', reason: `expiry height ${expiryHeight} is ${ahead} blocks above the tip ${tipHeight}; at least ${minBlocks} (72 h) required` };
  return { ok: true };
}

export interface QuoteFreshnessRule {
  /** Largest index move since the quote, in bps of the quoted index (default 100 = 1 %). */
  maxIndexMoveBps?: number;
  /** Largest MTP advance since the quote, seconds (default 1800). */
  maxAgeS?: number;
}

/**
 * A quote is refused when the index moved more than the set fraction since it was made (exact integer
 * comparison), or when the chain's MTP advanced more than maxAgeS (MTP, never the wall clock).
 * The HPI moves only at retargets and halvings (plus fees where known), so the default 1 % refuses any
 * quote made before a retarget of ordinary size; Hedge uses 10 % for a continuously moving spot.
 */
export function checkQuoteFresh(quote: Pick<VaultOptionQuote, 'indexAtQuote' | 'quotedAtMtp'>, now: { index: bigint; mtp: number }, rule: QuoteFreshnessRule = {}): Refusal {
  const maxMove = assertSafeInteger('maxIndexMoveBps', rule.maxIndexMoveBps ?? DEFAULT_MAX_INDEX_MOVE_BPS, 0, 10_000);
  const maxAge = assertSafeInteger('maxAgeS', rule.maxAgeS ?? DEFAULT_MAX_QUOTE_AGE_S, 0);
  if (typeof now.index !== 'bigint' || now.index <= 0n) throw invalidField('index', 'a positive bigint', now.index);
  if (typeof quote.indexAtQuote !== 'bigint' || quote.indexAtQuote <= 0n) throw invalidField('indexAtQuote', 'a positive bigint', quote.indexAtQuote);
  assertSafeInteger('mtp', now.mtp, 0);
  const diff = now.index > quote.indexAtQuote ? now.index - quote.indexAtQuote : quote.indexAtQuote - now.index;
  if (diff * 10_000n > BigInt(maxMove) * quote.indexAtQuote)
    return { ok: false, code: 'quote_stale', reason: `index moved from ${quote.indexAtQuote} to ${now.index} sat/PH/day since the quote, more than ${maxMove} bps` };
  if (now.mtp - quote.quotedAtMtp > maxAge)
    return { ok: false, code: 'quote_expired', reason: `MTP advanced ${now.mtp - quote.quotedAtMtp} s since the quote, more than ${maxAge} s` };
  return { ok: true };
}

/** Throw the refusal as a HashPerpError (code = the refusal code, field names the input). */
export function assertAccepted(r: Refusal, field: string): void {
  if (!r.ok) throw new HashPerpError(r.code, r.reason, { field });
}

export interface VaultQuoteInput extends HpiOptionInput {
  spreadBps: number;
  tipMtp: number;
}

/**
 * The vault's quote: model value ± spreadBps, ask rounded up and bid rounded down (the vault never
 * rounds in the taker's favour). Refuses (throws) an expiry under 72 h.
 */
export function vaultOptionQuote(input: VaultQuoteInput): VaultOptionQuote & { price: HpiOptionPrice } {
  const spread = assertSafeInteger('spreadBps', input.spreadBps, 0, 9_999);
  assertSafeInteger('tipMtp', input.tipMtp, 0);
  assertAccepted(checkMinimumExpiry(input.tipHeight, input.expiryHeight), 'expiryHeight');
  const price = priceHpiOption(input);
  const v = price.premiumMsat;
  const up = BigInt(10_000 + spread);
  const down = BigInt(10_000 - spread);
  return {
    type: price.type,
    lots: price.lots,
    strikeSatPerPHDay: toBigInt('strikeSatPerPHDay', input.strikeSatPerPHDay, 0n),
    expiryHeight: input.expiryHeight,
    modelMsat: v,
    askMsat: (v * up + 9_999n) / 10_000n,
    bidMsat: (v * down) / 10_000n,
    spreadBps: spread,
    quotedAtHeight: input.tipHeight,
    quotedAtMtp: input.tipMtp,
    indexAtQuote: toBigInt('spotSatPerPHDay', input.spotSatPerPHDay, 1n),
    price,
  };
}
