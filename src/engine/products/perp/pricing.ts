// Pure HPI-PERP price rules: impact prices, fair price, mark, basis EMA, premium, the funding rate and the
// price bands. Integers only.
import { ceilScaleByPpm, floorRatioPpm, floorScaleByPpm } from '../../ppm.js';
import type { PerpSpec } from './spec.js';

/**
 * Largest price or index (sat/PH/day). The pricing rules multiply two prices' sum by 10^6 in doubles
 * ((bid + ask) × 10^6 ≤ 8e15 < 2^53). 4e9 admits every index since mid-2014 (height ~310,000), so the
 * 2014 header segment can be replayed, and is ~80 000× today's hashprice.
 */
export const MAX_PRICE = 4_000_000_000;

/** index × (1 + EMA of basis), floored to the tick grid's unit (1 sat/PH/day). */
export function fairPrice(index: number, basisEmaPpm: number): number {
  return floorScaleByPpm(index, basisEmaPpm);
}

/**
 * Average fill price (sat/PH/day) of a taker trading `notionalMsat` against `levels` (one side of the book,
 * best first): whole levels while they fit, then the lots that reach the notional, the average rounded away
 * from the trader (a sell's floored, a buy's ceiled). Undefined when the side cannot fill the notional: a
 * thin side contributes nothing (Hyperliquid's and dYdX's impact prices; BitMEX's impact bid/ask).
 */
export function impactPrice(levels: readonly { price: number; qty: number }[], notionalMsat: number, side: 'buy' | 'sell'): number | undefined {
  let lots = 0, notional = 0;
  for (const l of levels) {
    const left = notionalMsat - notional;
    const take = l.qty * l.price <= left ? l.qty : Math.ceil(left / l.price);
    lots += take;
    notional += take * l.price;
    if (notional >= notionalMsat) return side === 'sell' ? Math.floor(notional / lots) : Math.ceil(notional / lots);
  }
  return undefined;
}

/** `x` clamped to index × (1 ± bandPpm), the edges on whole ticks toward the index. */
export function clampToBand(x: number, index: number, bandPpm: number): number {
  return Math.max(ceilScaleByPpm(index, -bandPpm), Math.min(floorScaleByPpm(index, bandPpm), x));
}

/**
 * Mark = median(impact bid, impact ask, fair), clamped to index × (1 ± markBandPpm). A side that cannot fill the
 * impact notional is replaced by fair (so a one-sided or empty book gives fair, and a 1-lot quote gives nothing);
 * fair = index × (1 + basis EMA). Hyperliquid's median of a robust book price and the oracle-anchored EMA,
 * with BitMEX's impact prices and a hard band around the index that no order can cross.
 */
export function markPrice(index: number, basisEmaPpm: number, impactBid: number | undefined, impactAsk: number | undefined, markBandPpm: number): number {
  const fair = fairPrice(index, basisEmaPpm);
  const b = impactBid ?? fair, a = impactAsk ?? fair;
  const lo = Math.min(b, a), hi = Math.max(b, a);
  return clampToBand(Math.max(lo, Math.min(hi, fair)), index, markBandPpm);
}

/**
 * Impact premium of the book against the index, ppm (BitMEX's premium index, dYdX's premium sample):
 * (max(0, impact bid − index) − max(0, index − impact ask)) / index, floored; a missing side contributes 0,
 * so an empty or one-sided thin book samples 0 and the EMA and the funding window decay toward 0.
 * Clamped to ±bandPpm.
 */
export function impactPremiumPpm(index: number, impactBid: number | undefined, impactAsk: number | undefined, bandPpm: number): number {
  const up = impactBid === undefined ? 0 : Math.max(0, impactBid - index);
  const down = impactAsk === undefined ? 0 : Math.max(0, index - impactAsk);
  return Math.max(-bandPpm, Math.min(bandPpm, floorRatioPpm(up - down, index)));
}

/** One EMA step with α = 2/(n+1), floored: ema + floor((x − ema)·2/(n+1)). */
export function emaStep(ema: number, x: number, n: number): number {
  return ema + Math.floor(((x - ema) * 2) / (n + 1));
}

/** Premium of this block, ppm: floor((mark − index) / index · 10^6). */
export function premiumPpm(mark: number, index: number): number {
  return floorRatioPpm(mark - index, index);
}

/** 8-hour funding rate (ppm) from the averaged premium P: F = P + clamp(−P, ±clamp), then capped at ±cap. */
export function fundingRate8hPpm(avgPremiumPpm: number, spec: Pick<PerpSpec, 'fundingClampPpm' | 'fundingCapPpm'>): number {
  const c = spec.fundingClampPpm;
  const f = avgPremiumPpm + Math.max(-c, Math.min(c, -avgPremiumPpm));
  return Math.max(-spec.fundingCapPpm, Math.min(spec.fundingCapPpm, f));
}

/** Protection-band edge around mark (market orders, liquidations), on the tick grid, never below one tick. */
export function bandEdge(side: 'buy' | 'sell', mark: number, bandPpm: number, tick: number): number {
  if (side === 'buy') {
    const p = floorScaleByPpm(mark, bandPpm);
    return Math.max(tick, p - (p % tick));
  }
  const p = ceilScaleByPpm(mark, -bandPpm);
  return Math.max(tick, p + ((tick - (p % tick)) % tick));
}

/** Mean of the premium window, floored (empty window: 0). */
export function averagePremium(window: readonly number[]): number {
  if (window.length === 0) return 0;
  let s = 0;
  for (const p of window) s += p;
  return Math.floor(s / window.length);
}

/**
 * The prices a limit order on `side` may carry: [lo, hi] on the tick grid. Any side stays within
 * index × (1 ± indexBandPpm); the aggressive side also within the market band of mark (a buy at most
 * mark × (1 + marketBandPpm), a sell at least mark × (1 − marketBandPpm)), the edge a market order takes.
 */
export function priceBand(side: 'buy' | 'sell', mark: number, index: number, spec: Pick<PerpSpec, 'tick' | 'marketBandPpm' | 'indexBandPpm'>): { lo: number; hi: number } {
  let lo = bandEdge('sell', index, spec.indexBandPpm, spec.tick);
  let hi = bandEdge('buy', index, spec.indexBandPpm, spec.tick);
  if (side === 'buy') hi = Math.min(hi, bandEdge('buy', mark, spec.marketBandPpm, spec.tick));
  else lo = Math.max(lo, bandEdge('sell', mark, spec.marketBandPpm, spec.tick));
  return { lo, hi };
}
