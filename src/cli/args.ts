import { InvalidArgumentError } from '../units/errors.js';

/** A non-negative integer option value; the error names the option. */
export function nonNegativeInteger(field: string, v: string): number {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(field, `expected a non-negative integer, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(field, `too large: ${v}`);
  return n;
}
