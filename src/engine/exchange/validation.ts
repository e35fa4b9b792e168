// Field checks shared by the command handlers. Each returns the Rejection to send back, or undefined.
import type { SubmitResult } from '../book/types.js';
import { isAccountId } from '../ledger/ledger.js';
import { MAX_PRICE } from '../products/perp/pricing.js';
import { Rejection } from '../rejection.js';
import type { MarketState } from './state.js';

const MAX_SAT = 2_100_000_000_000_000; // 21 M BTC

export const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

export function kindOf(command: unknown): string {
  return typeof command === 'object' && command !== null ? String((command as { type?: unknown }).type) : 'unknown';
}

export function checkAccount(a: unknown): Rejection | undefined {
  if (!isAccountId(a)) return new Rejection('invalid_argument', 'account must be 1..128 characters of [A-Za-z0-9_.-]', 'account');
  return undefined;
}

export function checkAmount(v: unknown): Rejection | undefined {
  if (!isSafeInt(v) || v <= 0 || v > MAX_SAT) return new Rejection('invalid_argument', 'amountSat must be a positive integer number of sat', 'amountSat');
  return undefined;
}

export function checkPrice(m: MarketState, v: unknown): Rejection | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return new Rejection('invalid_argument', 'price is required (integer ticks)', 'price');
  if (v <= 0 || v > MAX_PRICE) return new Rejection('invalid_argument', `price must be between 1 and ${MAX_PRICE}`, 'price');
  if (!Number.isInteger(v) || v % m.spec.tick !== 0) return new Rejection('price_off_tick', `price must be a multiple of the tick ${m.spec.tick}`, 'price');
  return undefined;
}

export function bookRejection(res: SubmitResult): Rejection {
  switch (res.rejectReason) {
    case 'post_only_would_cross': return new Rejection('post_only_would_cross', 'post-only order would take liquidity', 'postOnly');
    case 'fok_not_fillable': return new Rejection('fok_not_fillable', 'fill-or-kill order cannot fill completely', 'tif');
    default: return new Rejection('invalid_argument', `order refused by the book (${res.rejectReason ?? 'unknown'})`, res.invalidField ?? 'order');
  }
}
