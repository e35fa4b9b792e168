// The engine's own option price. Everything here derives from engine state only (the index history the
// options product records from BlockConnected, the tip, the contract terms, the vault's configured spread):
// a BuyOption command never supplies the model value, μ, σ or the spread. The edge quote (quote.ts) calls
// the same function on the same state, so what the API shows is what the engine will charge.
//
// History: the mean index of each 144-block day (day d = heights 144d .. 144d+143, as src/pricing/index-history.ts
// samples), every block re-priced at the era-0 subsidy (index × 2^era), so a halving is not read as volatility
// (the pricer adds known halvings back through its subsidy factor). The day's time is the mean header time of
// the blocks seen. Only whole days that ended count (a day ends when a block of a later day arrives).
// Estimation: GBM maximum likelihood (estimateDriftVol) over the last `historyDays` daily points, μ and σ
// rounded to ppm, σ never below the vault's floor (a fresh engine with fewer than `minHistoryDays` whole days
// prices with μ = 0 and σ = the floor); price: the Hedge drift model on the expiry-day mean (priceHpiOption); a call is capped at
// CALL_CAP_STRIKE_MULTIPLE × K per lot (rules.ts), so it is valued as the call spread it is: C(K) − C(K + cap).
//
// Determinism: the float steps (log, exp, sqrt, the normal CDF) are IEEE-754 operations in a fixed order on
// integers from the state; V8 computes Math.exp/log with its own fdlibm port, the same on every platform, and
// the per-lot value is rounded to a micro-msat grid before it meets the integer lots.
import { estimateDriftVol, type DriftVolEstimate } from '../../../pricing/index-history.js';
import { priceHpiOption, type HpiOptionPrice } from '../../../pricing/options.js';
import { scaleByPpmUp } from '../../ppm.js';
import { CALL_CAP_STRIKE_MULTIPLE, type OptionType } from './rules.js';

/** One whole day of the index as the engine saw it (integers, so the snapshot is exact). */
export interface DayPoint {
  /** Day number: height / 144. */
  day: number;
  /** Mean header time of the blocks seen that day (unix s, floored). */
  time: number;
  /** Mean of index × 2^era over the blocks seen (sat/PH/day at the era-0 subsidy, floored). */
  value: bigint;
}

export interface ModelInputs {
  /** What the engine prices with (ppm per year). */
  muPpm: number;
  sigmaPpm: number;
  /**
   * 'estimate': μ and σ estimated from the recorded days, σ raised to the floor if the estimate is below it.
   * 'prior': fewer whole days than `minDays` were recorded: μ = 0 and σ = the floor.
   */
  basis: 'estimate' | 'prior';
  /** The raw estimate of σ (ppm), before the floor; null under the prior. */
  sigmaEstimatePpm: number | null;
  /** The estimate itself, with its standard errors and method (display); absent under the prior. */
  estimate?: DriftVolEstimate;
  /** Daily points used (oldest and newest day; -1 when none). */
  points: number;
  fromDay: number;
  toDay: number;
}

export type ModelRefusal = { ok: false; reason: string };

/**
 * μ and σ (ppm per year) from the recorded days. The vault sells, so it never prices with less volatility
 * than `sigmaFloorPpm`: the index is a step function that moves at retargets, and a window without a retarget
 * estimates σ = 0, which would price every out-of-the-money option at nothing. With fewer than `minDays`
 * whole days (a fresh engine) there is nothing to estimate from: μ = 0 and σ = the floor (the prior).
 */
export function modelInputsFromHistory(history: readonly DayPoint[], minDays: number, sigmaFloorPpm: number): { ok: true; inputs: ModelInputs } | ModelRefusal {
  const span = history.length === 0 ? { points: 0, fromDay: -1, toDay: -1 } : { points: history.length, fromDay: history[0].day, toDay: history[history.length - 1].day };
  if (history.length < Math.max(3, minDays)) return { ok: true, inputs: { muPpm: 0, sigmaPpm: sigmaFloorPpm, basis: 'prior', sigmaEstimatePpm: null, ...span } };
  const est = estimateDriftVol(history.map((p) => ({ time: p.time, value: Number(p.value) })));
  const muPpm = Math.round(est.mu * 1e6);
  const sigmaEstimatePpm = Math.round(est.sigma * 1e6);
  if (!Number.isSafeInteger(muPpm) || !Number.isSafeInteger(sigmaEstimatePpm) || Math.abs(muPpm) > 50_000_000 || sigmaEstimatePpm > 50_000_000) {
    return { ok: false, reason: `estimated μ ${est.mu} or σ ${est.sigma} per year is outside the model range (|μ| ≤ 50, σ ≤ 50)` };
  }
  return { ok: true, inputs: { muPpm, sigmaPpm: Math.max(sigmaEstimatePpm, sigmaFloorPpm), basis: 'estimate', sigmaEstimatePpm, estimate: est, ...span } };
}

export interface EnginePriceInput {
  type: OptionType;
  strike: bigint;
  lots: bigint;
  expiryHeight: number;
  tipHeight: number;
  index: number;
  muPpm: number;
  sigmaPpm: number;
  spreadBps: number;
}

export interface EnginePrice {
  /** Model value of the whole size (msat): for a call the capped payoff, C(K) − C(K + cap). */
  modelMsat: bigint;
  /** The vault's ask: ceil(model × (10 000 + spread) / 10 000). */
  premiumMsat: bigint;
  /** The pricer's detail for the uncapped leg at K (display). */
  price: HpiOptionPrice;
  /** The cap per lot (msat per lot = sat/PH/day) for a call; undefined for a put. */
  capPerLot: bigint | undefined;
}

/** The engine's price of an option at its own state. Throws only on inputs the caller has already checked. */
export function enginePrice(p: EnginePriceInput): EnginePrice {
  const cap = p.type === 'call' ? p.strike * CALL_CAP_STRIKE_MULTIPLE : undefined;
  const price = priceHpiOption({
    type: p.type, spotSatPerPHDay: p.index, strikeSatPerPHDay: p.strike, lots: p.lots,
    mu: p.muPpm / 1e6, sigma: p.sigmaPpm / 1e6, tipHeight: p.tipHeight, expiryHeight: p.expiryHeight,
    ...(cap === undefined ? {} : { callCapSatPerPHDay: cap }),
  });
  const modelMsat = price.premiumMsat;
  const premiumMsat = scaleByPpmUp(modelMsat, p.spreadBps * 100);
  return { modelMsat, premiumMsat, price, capPerLot: cap };
}
