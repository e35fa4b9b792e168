import { thToForwardLots } from './position.js';
import { wholePositive } from './whole-number.js';
import { postOnlyError, type TimeInForceChoice } from './time-in-force.js';
import type { FieldErrors } from './field-errors.js';

/**
 * Forward order entry (FWD-30D..365D): price in sat/PH/day ticks, size typed in TH/s and sent in forward
 * lots (0.0001 TH/s). Buying is the investor's side (pays upfront, receives the hashrate's rewards); selling
 * is the miner's (receives upfront, locks 110 % collateral).
 */
export interface ForwardOrderInput extends TimeInForceChoice {
  side: 'buy' | 'sell';
  price: string;
  th: string;
}

export interface ForwardOrderBody extends TimeInForceChoice {
  market: string;
  side: 'buy' | 'sell';
  price: number;
  qty: number;
}

export type ForwardFieldErrors = FieldErrors<keyof ForwardOrderInput>;

export function validateForwardOrder(market: string, f: ForwardOrderInput): { body?: ForwardOrderBody; errors: ForwardFieldErrors } {
  const errors: ForwardFieldErrors = {};
  const price = wholePositive(f.price);
  if (price === undefined) errors.price = 'Enter a price in whole sat per PH/s per day.';
  let qty: number | undefined;
  try {
    qty = thToForwardLots('th', f.th);
  } catch (e) {
    errors.th = e instanceof Error ? e.message.replace(/^th: /, '') : String(e);
  }
  const postOnly = postOnlyError(f.postOnly, f.tif);
  if (postOnly) errors.postOnly = postOnly;
  if (Object.keys(errors).length > 0) return { errors };
  return { body: { market, side: f.side, price: price!, qty: qty!, tif: f.tif, postOnly: f.postOnly }, errors };
}

/** The calculator's taker: a buyer takes the investor's side, a seller the miner's. */
export const takerOf = (side: 'buy' | 'sell'): 'investor' | 'miner' => (side === 'buy' ? 'investor' : 'miner');
