// A block's price step for one market: the new index moves the basis EMA, which moves fair price and
// mark; the mark's premium joins the funding window, whose average sets the 8-hour rate.
import type { EngineEvent } from '../events.js';
import { averagePremium, basisPpm, emaStep, fairPrice, fundingRate8hPpm, premiumPpm } from '../products/perp/pricing.js';
import { markOf, type MarketState } from './state.js';

/** Takes `index` into the market, emits MarkPrice and FundingPaid, and returns the new mark. */
export function markAndFunding(m: MarketState, index: number, height: number, out: EngineEvent[]): number {
  m.index = index;
  const basis = basisPpm(index, m.book.bestBid(), m.book.bestAsk());
  if (basis !== undefined) m.basisEmaPpm = emaStep(m.basisEmaPpm, basis, m.spec.basisEmaBlocks);
  const mark = markOf(m) as number;
  out.push({ type: 'MarkPrice', market: m.spec.id, height, index, fair: fairPrice(index, m.basisEmaPpm), mark, basisEmaPpm: m.basisEmaPpm });
  const prem = premiumPpm(mark, index);
  m.premiums.push(prem);
  if (m.premiums.length > m.spec.fundingBlocks) m.premiums.shift();
  const avg = averagePremium(m.premiums);
  m.rate8hPpm = fundingRate8hPpm(avg, m.spec);
  out.push({ type: 'FundingPaid', market: m.spec.id, height, premiumPpm: prem, avgPremiumPpm: avg, rate8hPpm: m.rate8hPpm, mark });
  return mark;
}
