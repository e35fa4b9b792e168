import { InvalidArgumentError } from './errors.js';

export const SECONDS_PER_DAY = 86_400;
/** Blocks per day at the 600 s target spacing: the one conversion between heights and days (not the fee window, index-at.ts). */
export const BLOCKS_PER_DAY = 144;

/** Parse an ISO-8601 date or date-time (UTC if no zone) to unix seconds. */
export function parseIsoDate(field: string, s: string): number {
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}Z`;
  const ms = Date.parse(withZone);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(ms)) throw new InvalidArgumentError(field, `not an ISO date: ${JSON.stringify(s)}`);
  return Math.floor(ms / 1000);
}

export function formatUtc(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('T', ' ').replace(/:\d{2}\.\d{3}Z$/, ' UTC');
}

/** "90 days", "3 h 20 min" — for people, never for the engine. */
export function formatDuration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  const sign = seconds < 0 ? '-' : '';
  if (s >= 2 * SECONDS_PER_DAY) return `${sign}${(s / SECONDS_PER_DAY).toFixed(1).replace(/\.0$/, '')} days`;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${sign}${h} h ${m} min`;
  return `${sign}${m} min ${s % 60} s`;
}
