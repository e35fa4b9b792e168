// Pure HPI-PERP price rules: fair price, mark, basis EMA, premium and the funding rate. Integers only.
import { ceilScaleByPpm, floorRatioPpm, floorScaleByPpm, PPM_NUMBER } from '../../ppm.js';
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
 * Mark = median(best bid, best ask, fair). A missing side counts as −∞ (bid) or +∞ (ask), so a one-sided
 * book gives min(ask, fair) or max(bid, fair); an empty book gives the index alone.
 */
export function markPrice(index: number, basisEmaPpm: number, bestBid: number | undefined, bestAsk: number | undefined): number {
  if (bestBid === undefined && bestAsk === undefined) return index;
  const fair = fairPrice(index, basisEmaPpm);
  if (bestBid === undefined) return Math.min(bestAsk as number, fair);
  if (bestAsk === undefined) return Math.max(bestBid, fair);
  const lo = Math.min(bestBid, bestAsk), hi = Math.max(bestBid, bestAsk);
  return Math.max(lo, Math.min(hi, fair));
}

/** Basis of the book's mid against the index, ppm (floored). Undefined unless both sides are quoted. */
export function basisPpm(index: number, bestBid: number | undefined, bestAsk: number | undefined): number | undefined {
  if (bestBid === undefined || bestAsk === undefined) return undefined;
  return floorRatioPpm(bestBid + bestAsk, 2 * index) - PPM_NUMBER;
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
