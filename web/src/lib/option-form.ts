import { MIN_EXPIRY_BLOCKS } from '../../../src/pricing/options.js';
import { parseBtc } from '../../../src/units/money.js';
import type { FieldErrors } from './field-errors.js';
import { grouped } from './format.js';
import { BLOCKS_PER_DAY } from '../../../src/units/time.js';

/**
 * The "Buy an option" form: what a person types (strike in BTC/PH/day, expiry in days from now) into the
 * terms GET /v1/options/quote and POST /v1/options/buy take (strike in sat/PH/day, expiry as a height).
 * Days become blocks at 144 a day (600 s a block), counted from the chain tip.
 */
export interface OptionFormInput {
  optionType: 'call' | 'put';
  /** BTC/PH/day, up to 8 decimals. */
  strikeBtc: string;
  /** Days from now to expiry. */
  days: string;
  lots: string;
}

export interface OptionTerms {
  optionType: 'call' | 'put';
  strike: number;
  expiryHeight: number;
  lots: number;
}

export { BLOCKS_PER_DAY };
const MAX_STRIKE = 4_000_000_000; // the route's bound, sat/PH/day
const MAX_LOTS = 1_000_000_000;
const MAX_DAYS = 3650;

export type OptionFormErrors = FieldErrors<'strikeBtc' | 'days' | 'lots' | 'tip'>;

export function validateOptionForm(f: OptionFormInput, tipHeight: number | undefined): { body: OptionTerms | undefined; errors: OptionFormErrors } {
  const errors: OptionFormErrors = {};
  let strike: number | undefined;
  try {
    const sat = parseBtc('strike', f.strikeBtc);
    if (sat < 1n || sat > BigInt(MAX_STRIKE)) errors.strikeBtc = `Strike must be between 0.00000001 and 40 BTC/PH/day.`;
    else strike = Number(sat);
  } catch {
    errors.strikeBtc = 'Enter the strike in BTC/PH/day, e.g. 0.00045 (at most 8 decimals).';
  }
  let blocks: number | undefined;
  const d = f.days.trim();
  if (!/^\d+(\.\d+)?$/.test(d)) errors.days = 'Enter the number of days until expiry, e.g. 30.';
  else {
    blocks = Math.round(Number(d) * BLOCKS_PER_DAY);
    if (blocks < MIN_EXPIRY_BLOCKS) errors.days = `Options expire at least ${MIN_EXPIRY_BLOCKS / BLOCKS_PER_DAY} days (${MIN_EXPIRY_BLOCKS} blocks) from now.`;
    else if (Number(d) > MAX_DAYS) errors.days = `At most ${grouped(MAX_DAYS)} days.`;
  }
  const l = f.lots.trim();
  let lots: number | undefined;
  if (!/^\d+$/.test(l) || Number(l) < 1 || Number(l) > MAX_LOTS) errors.lots = 'Lots are whole numbers from 1 to 1,000,000,000 (1 lot = 1 TH/s for a day).';
  else lots = Number(l);
  if (tipHeight === undefined || !Number.isSafeInteger(tipHeight) || tipHeight < 0) errors.tip = 'The chain tip is not known yet, so the expiry height cannot be set.';
  if (Object.keys(errors).length > 0 || strike === undefined || blocks === undefined || lots === undefined || tipHeight === undefined) return { body: undefined, errors };
  return { body: { optionType: f.optionType, strike, expiryHeight: tipHeight + blocks, lots }, errors };
}
