import type { PlaceOrderBody } from '../../../src/api/schemas.js';
import type { Side } from './margin.js';

/** What a person types; every field is a string or a checkbox until validated. */
export interface OrderFormInput {
  side: Side;
  type: 'limit' | 'market';
  /** sat/PH/day, an integer tick; ignored for market orders. */
  price: string;
  /** lots of 1 TH/s·day. */
  qty: string;
  tif: 'GTC' | 'IOC' | 'FOK';
  postOnly: boolean;
  reduceOnly: boolean;
  clientOrderId: string;
}

/** The server's POST body (src/api/schemas.ts PlaceOrderBody), with every option stated. */
export type OrderDraft = PlaceOrderBody & { timeInForce: 'GTC' | 'IOC' | 'FOK'; postOnly: boolean; reduceOnly: boolean };

export type FieldErrors = Partial<Record<keyof OrderFormInput, string>>;

const wholePositive = (s: string): number | undefined => {
  const t = s.trim().replace(/[_ ,]/g, '');
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/**
 * Pure validation with messages a person can act on. Market orders never rest, so they are IOC and cannot
 * be post-only; post-only only makes sense for an order that is allowed to rest (GTC).
 */
export function validateOrderForm(market: string, f: OrderFormInput): { draft?: OrderDraft; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const qty = wholePositive(f.qty);
  if (qty === undefined) errors.qty = 'Enter a whole number of lots (1 lot = 1 TH/s for one day).';
  let price: number | undefined;
  if (f.type === 'limit') {
    price = wholePositive(f.price);
    if (price === undefined) errors.price = 'Enter a limit price in whole sat per PH/s per day.';
  }
  if (f.postOnly && f.type === 'market') errors.postOnly = 'A market order takes liquidity, so it cannot be post-only.';
  else if (f.postOnly && f.tif !== 'GTC') errors.postOnly = `Post-only orders must rest in the book (GTC), not ${f.tif}.`;
  if (f.type === 'market' && f.tif === 'GTC') errors.tif = 'A market order never rests: choose IOC or FOK.';
  const cid = f.clientOrderId.trim();
  if (cid !== '' && !/^[A-Za-z0-9_.:-]{1,64}$/.test(cid)) errors.clientOrderId = 'Up to 64 letters, digits, "-", "_", "." or ":".';
  if (Object.keys(errors).length > 0) return { errors };
  const draft: OrderDraft = { market, side: f.side, type: f.type, size: qty!, timeInForce: f.tif, postOnly: f.postOnly, reduceOnly: f.reduceOnly };
  if (price !== undefined) draft.price = price;
  if (cid !== '') draft.clientOrderId = cid;
  return { draft, errors };
}

/** Taker unless the order is post-only (the only kind guaranteed to add liquidity). */
export function liquidityOf(d: OrderDraft): 'taker' | 'maker' {
  return d.postOnly ? 'maker' : 'taker';
}
