// A block's price step for one market: the book's impact bid and ask (the average fills of the impact notional)
// give this block's premium sample against the new index, clamped to the premium band; the sample moves the
// basis EMA (fair price) and joins the funding window; the mark is the median of the impact prices and fair,
// clamped to the mark band, and stays fixed until the next block.
import type { OrderBook } from '../book/order-book.js';
import type { EngineEvent } from '../events.js';
import { averagePremium, emaStep, fairPrice, fundingRate8hPpm, impactPrice, impactPremiumPpm, markPrice } from '../products/perp/pricing.js';
import type { MarketState } from './state.js';

/** Impact price of one side of `book` (undefined when the side cannot fill `notionalMsat`). Walks only what it needs. */
export function impactOf(book: OrderBook, side: 'buy' | 'sell', notionalMsat: number): number | undefined {
  // The taker's side is the opposite of the levels walked: the impact bid sells into the bids.
  for (let n = 16; ; n *= 8) {
    const levels = book.depth(side, n);
    const p = impactPrice(levels, notionalMsat, side === 'buy' ? 'sell' : 'buy');
    if (p !== undefined || levels.length < n) return p;
  }
}

/** Takes `index` into the market, sets its mark, emits MarkPrice and FundingPaid, and returns the new mark. */
export function markAndFunding(m: MarketState, index: number, height: number, out: EngineEvent[]): number {
  const spec = m.spec;
  m.index = index;
  const notional = spec.impactNotionalSat * 1000;
  const bid = impactOf(m.book, 'buy', notional), ask = impactOf(m.book, 'sell', notional);
  const prem = impactPremiumPpm(index, bid, ask, spec.premiumBandPpm);
  m.basisEmaPpm = Math.max(-spec.markBandPpm, Math.min(spec.markBandPpm, emaStep(m.basisEmaPpm, prem, spec.basisEmaBlocks)));
  const mark = markPrice(index, m.basisEmaPpm, bid, ask, spec.markBandPpm);
  m.mark = mark;
  out.push({ type: 'MarkPrice', market: spec.id, height, index, fair: fairPrice(index, m.basisEmaPpm), mark, basisEmaPpm: m.basisEmaPpm });
  m.premiums.push(prem);
  if (m.premiums.length > spec.fundingBlocks) m.premiums.shift();
  const avg = averagePremium(m.premiums);
  m.rate8hPpm = fundingRate8hPpm(avg, spec);
  out.push({ type: 'FundingPaid', market: spec.id, height, premiumPpm: prem, avgPremiumPpm: avg, rate8hPpm: m.rate8hPpm, mark });
  return mark;
}
