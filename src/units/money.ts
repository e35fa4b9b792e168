import { InvalidArgumentError } from './errors.js';

export const SAT_PER_BTC = 100_000_000n;
export const MSAT_PER_SAT = 1000n;

/** Format sats as BTC with 8 decimals, exactly (no float). */
export function formatBtc(sat: bigint | number): string {
  const v = BigInt(sat);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / SAT_PER_BTC;
  const frac = (a % SAT_PER_BTC).toString().padStart(8, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** Parse a BTC decimal string ("0.00945") to sats exactly; more than 8 decimals is an error. */
export function parseBtc(field: string, s: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{0,8}))?$/.exec(s.trim());
  if (!m) throw new InvalidArgumentError(field, `not a BTC amount with at most 8 decimals: ${JSON.stringify(s)}`);
  const v = BigInt(m[2]!) * SAT_PER_BTC + BigInt((m[3] ?? '').padEnd(8, '0'));
  return m[1] === '-' ? -v : v;
}

/** sat -> BTC as a float, for display and models only. */
export function satToBtcNumber(sat: bigint | number): number {
  return Number(sat) / 1e8;
}
