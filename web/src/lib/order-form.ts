import type { PlaceOrderBody } from '../../../src/api/schemas.js';
import type { Side } from './margin.js';
import { wholePositive } from './whole-number.js';
import { postOnlyError, type TimeInForce } from './time-in-force.js';
import type { FieldErrors } from './field-errors.js';

/** What a person types; every field is a string or a checkbox until validated. */
export interface OrderFormInput {
  side: Side;
  type: 'limit' | 'market';
  /** sat/PH/day, an integer tick; ignored for market orders. */
  price: string;
  /** lots of 1 TH/s·day. */
  qty: string;
  tif: TimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  clientOrderId: string;
}

/** The server's POST body (src/api/schemas.ts PlaceOrderBody), with every option stated. */
export type OrderDraft = PlaceOrderBody & { timeInForce: TimeInForce; postOnly: boolean; reduceOnly: boolean };

export type OrderFieldErrors = FieldErrors<keyof OrderFormInput>;

/**
 * Pure validation with messages a person can act on. Market orders never rest, so they are IOC and cannot
 * be post-only; post-only only makes sense for an order that is allowed to rest (GTC).
 */
export function validateOrderForm(market: string, f: OrderFormInput): { draft?: OrderDraft; errors: OrderFieldErrors } {
  const errors: OrderFieldErrors = {};
  const qty = wholePositive(f.qty);
  if (qty === undefined) errors.qty = 'Enter a whole number of lots (1 lot = 1 TH/s for one day).';
  let price: number | undefined;
  if (f.type === 'limit') {
    price = wholePositive(f.price);
    if (price === undefined) errors.price = 'Enter a limit price in whole sat per PH/s per day.';
  }
  const postOnly = f.postOnly && f.type === 'market' ? 'A market order takes liquidity, so it cannot be post-only.' : postOnlyError(f.postOnly, f.tif);
  if (postOnly) errors.postOnly = postOnly;
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
