// Field checks of the forward commands. Each returns the Rejection to send back, or undefined.
import { isAccountId } from '../../ledger/ledger.js';
import { Rejection } from '../../rejection.js';
import { MAX_FORWARD_PRICE, MIN_ORDER_LOTS } from './contract.js';
import type { ForwardState } from './state.js';

export const bad = (field: string, message: string): Rejection => new Rejection('invalid_argument', message, field);
export const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
/** `user:alice` or `alice` → `alice`: contracts and orders name bare accounts. */
export const bareAccount = (a: string): string => (a.startsWith('user:') ? a.slice(5) : a);

export function checkAccount(a: unknown): Rejection | undefined {
  if (!isAccountId(a)) return bad('account', 'account must be 1..128 characters of [A-Za-z0-9_.-]');
  return undefined;
}
export function checkMarket(s: ForwardState, m: unknown): Rejection | undefined {
  if (typeof m !== 'string' || !s.books.has(m)) return new Rejection('unknown_market', `unknown forward market ${String(m)} (FWD-30D, FWD-90D, FWD-180D, FWD-365D)`, 'market');
  return undefined;
}
export function checkSide(v: unknown): Rejection | undefined {
  return v === 'buy' || v === 'sell' ? undefined : bad('side', 'side must be "buy" (investor) or "sell" (miner)');
}
export function checkPrice(p: unknown): Rejection | undefined {
  if (!isSafeInt(p) || p < 1 || p > MAX_FORWARD_PRICE) return bad('price', `price must be an integer in [1, ${MAX_FORWARD_PRICE}] sat/PH/day`);
  return undefined;
}
export function checkQty(q: unknown): Rejection | undefined {
  if (!isSafeInt(q) || q < MIN_ORDER_LOTS || q > 1e12) return bad('qty', `qty must be an integer number of lots (0.0001 TH/s), at least ${MIN_ORDER_LOTS} (1 TH/s)`);
  return undefined;
}
