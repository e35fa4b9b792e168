import { FORWARD_LOTS_PER_TH } from '../../../src/engine/products/forward/calculator.js';
import { InvalidArgumentError } from '../../../src/units/errors.js';

/**
 * "150.5" TH/s -> forward lots (1 lot = 0.0001 TH/s), exactly; at least 1 TH/s (DESIGN.md forward size).
 */
export function thToForwardLots(field: string, s: string): number {
  const m = /^(\d+)(?:\.(\d{0,4}))?$/.exec(s.trim());
  if (!m) throw new InvalidArgumentError(field, 'enter TH/s with at most 4 decimals, e.g. 100 or 12.5');
  const lots = BigInt(m[1]!) * FORWARD_LOTS_PER_TH + BigInt((m[2] ?? '').padEnd(4, '0'));
  if (lots < FORWARD_LOTS_PER_TH) throw new InvalidArgumentError(field, 'the minimum forward size is 1 TH/s');
  if (lots > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(field, 'too large');
  return Number(lots);
}

/** Slider positions are whole ticks between these bounds around the reference (index or curve point). */
export function sliderRange(reference: number): { min: number; max: number } {
  return { min: Math.max(1, Math.floor(reference * 0.5)), max: Math.max(2, Math.ceil(reference * 1.2)) };
}
