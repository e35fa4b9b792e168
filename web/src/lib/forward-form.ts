import { thToForwardLots } from './position.js';

/**
 * Forward order entry (FWD-30D..365D): price in sat/PH/day ticks, size typed in TH/s and sent in forward
 * lots (0.0001 TH/s). Buying is the investor's side (pays upfront, receives the hashrate's rewards); selling
 * is the miner's (receives upfront, locks 110 % collateral).
 */
export interface ForwardOrderInput {
  side: 'buy' | 'sell';
  price: string;
  th: string;
  tif: 'GTC' | 'IOC' | 'FOK';
  postOnly: boolean;
}

export interface ForwardOrderBody {
  market: string;
  side: 'buy' | 'sell';
  price: number;
  qty: number;
  tif: 'GTC' | 'IOC' | 'FOK';
  postOnly: boolean;
}

export type ForwardFieldErrors = Partial<Record<keyof ForwardOrderInput, string>>;

export function validateForwardOrder(market: string, f: ForwardOrderInput): { body?: ForwardOrderBody; errors: ForwardFieldErrors } {
  const errors: ForwardFieldErrors = {};
  const p = f.price.trim().replace(/[_ ,]/g, '');
  const price = /^\d+$/.test(p) && Number.isSafeInteger(Number(p)) && Number(p) > 0 ? Number(p) : undefined;
  if (price === undefined) errors.price = 'Enter a price in whole sat per PH/s per day.';
  let qty: number | undefined;
  try {
    qty = thToForwardLots('th', f.th);
  } catch (e) {
    errors.th = e instanceof Error ? e.message.replace(/^th: /, '') : String(e);
  }
  if (f.postOnly && f.tif !== 'GTC') errors.postOnly = `Post-only orders must rest in the book (GTC), not ${f.tif}.`;
  if (Object.keys(errors).length > 0) return { errors };
  return { body: { market, side: f.side, price: price!, qty: qty!, tif: f.tif, postOnly: f.postOnly }, errors };
}

/** The calculator's taker: a buyer takes the investor's side, a seller the miner's. */
export const takerOf = (side: 'buy' | 'sell'): 'investor' | 'miner' => (side === 'buy' ? 'investor' : 'miner');
