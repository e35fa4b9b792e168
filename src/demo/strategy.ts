/**
 * The demo market maker's strategy: pure. Given a market's view (index, tick) it returns the quotes
 * it wants resting: `levels` bids and asks, symmetric around the fair value, the first level
 * `spreadPpm / 2` away from it and each further level `stepPpm` further. Bids round down and asks
 * up to the tick, so a quote is never better than the rule says.
 */
import type { Side } from '../engine/index.js';

export interface QuoteParams {
  levels: number;
  /** Full spread between the best bid and the best ask, ppm of fair value. */
  spreadPpm: number;
  /** Distance between successive levels, ppm of fair value. */
  stepPpm: number;
  /** Lots at the first level; each further level adds `sizeStepLots`. */
  sizeLots: number;
  sizeStepLots: number;
}

export const DEFAULT_QUOTE_PARAMS: QuoteParams = { levels: 5, spreadPpm: 4_000, stepPpm: 2_000, sizeLots: 20, sizeStepLots: 10 };

export interface Quote {
  market: string;
  side: Side;
  price: number;
  qty: number;
}

export interface QuoteInput {
  market: string;
  /** Model fair value, ticks (sat/PH/day); undefined before the market has an index. */
  fair: number | undefined;
  tick: number;
  /** Largest accepted price (the engine's MAX_PRICE). */
  maxPrice: number;
}

export function desiredQuotes(input: QuoteInput, p: QuoteParams = DEFAULT_QUOTE_PARAMS): Quote[] {
  const { fair, tick, market } = input;
  if (fair === undefined || !Number.isFinite(fair) || fair <= 0) return [];
  const out: Quote[] = [];
  for (let i = 0; i < p.levels; i++) {
    const offsetPpm = p.spreadPpm / 2 + i * p.stepPpm;
    const qty = p.sizeLots + i * p.sizeStepLots;
    const bid = Math.floor((fair * (1_000_000 - offsetPpm)) / 1_000_000 / tick) * tick;
    const ask = Math.ceil((fair * (1_000_000 + offsetPpm)) / 1_000_000 / tick) * tick;
    if (bid >= tick) out.push({ market, side: 'buy', price: bid, qty });
    if (ask <= input.maxPrice) out.push({ market, side: 'sell', price: ask, qty });
  }
  return out;
}

/** How the maker leans its quotes against its inventory: free up to `freeLots`, then `ppmPerLot`, capped. */
export interface LeanParams {
  freeLots: number;
  ppmPerLot: number;
  maxPpm: number;
}

/** Past 40 lots the maker shades its fair by 100 ppm a lot (at most 0.6 %): a short maker quotes higher. */
export const DEFAULT_LEAN_PARAMS: LeanParams = { freeLots: 40, ppmPerLot: 100, maxPpm: 6_000 };

/** The ppm the maker shifts its quoting centre by, given its signed position (lots): against the position. */
export function inventoryLeanPpm(positionLots: number, p: LeanParams = DEFAULT_LEAN_PARAMS): number {
  const excess = Math.max(0, Math.abs(positionLots) - p.freeLots);
  const ppm = Math.min(p.maxPpm, excess * p.ppmPerLot);
  return positionLots > 0 && ppm > 0 ? -ppm : ppm;
}
