import { formatHashrate } from '../../../src/units/hashrate.js';
import { formatBtc } from '../../../src/units/money.js';
import { formatDuration, formatUtc } from '../../../src/units/time.js';

/** Display helpers only: every number here has already been computed exactly elsewhere. */

/** sat/PH/day -> "0.00049012" BTC/PH/day (exact, 8 decimals). */
export function btcPerPhDay(satPerPhDay: number | bigint): string {
  return formatBtc(BigInt(Math.round(Number(satPerPhDay))));
}

/** sat/PH/day -> sat/TH/day with 3 decimals (1 PH = 1000 TH, so exact). */
export function satPerThDay(satPerPhDay: number | bigint): string {
  return (Number(satPerPhDay) / 1000).toFixed(3);
}

export function signedPct(pct: number, digits = 2): string {
  if (!Number.isFinite(pct)) return '—';
  const s = pct.toFixed(digits);
  return pct > 0 ? `+${s} %` : `${s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s} %`;
}

/**
 * msat (bigint or decimal string) -> "0.00012345 BTC". Costs round up to the sat (never understated);
 * what you hold rounds down (never overstated).
 */
export function msatAsBtc(msat: bigint | string, round: 'cost' | 'holding' = 'cost'): string {
  const v = BigInt(msat);
  const floor = v >= 0n ? v / 1000n : -((-v + 999n) / 1000n);
  const sat = round === 'holding' || v % 1000n === 0n ? floor : floor + 1n;
  return `${formatBtc(sat)} BTC`;
}

export function hashrate(hps: number | undefined): string {
  return hps === undefined || !Number.isFinite(hps) ? '—' : formatHashrate(hps);
}

export function utc(unixSeconds: number | null | undefined): string {
  return unixSeconds === null || unixSeconds === undefined ? 'time unknown' : formatUtc(unixSeconds);
}

export function duration(seconds: number): string {
  return formatDuration(seconds);
}

/** Block hashes start with a run of zeros that says nothing; keep a few, then the distinctive tail. */
export function shortHash(hash: string | null | undefined): string {
  if (!hash) return 'no hash known';
  return hash.length > 24 ? `${hash.slice(0, 6)}…${hash.slice(-14)}` : hash;
}

/** 1234567 -> "1,234,567": counts, heights, lots and prices all read with the same grouping. */
export function grouped(n: number | bigint): string {
  return n.toLocaleString('en-US');
}

/** 100000 -> "100,000 sat". */
export function satAmount(n: number): string {
  return `${grouped(n)} sat`;
}

/** A price tick with its unit: 174608 -> "174,608 sat/PH/day". */
export function satPerPhDayText(n: number): string {
  return `${grouped(n)} sat/PH/day`;
}

/** A ratio as a percentage, 0.1234 -> "12.34 %"; a dash when there is no finite ratio to show. */
export function ratioPct(x: number | undefined, digits = 2): string {
  return x !== undefined && Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '—';
}

/** A rate in parts per million as the percentage it is, 2000 -> "0.2 %" (no rounding: fees are exact). */
export function ppmPct(ppm: number | bigint): string {
  return `${Number(ppm) / 10_000} %`;
}

/** "62.50 %" for 6,250 bps (a block-delta price is a probability in basis points). */
export function bpsPct(bps: number | null | undefined): string {
  return bps === null || bps === undefined || !Number.isFinite(bps) ? '—' : `${(bps / 100).toFixed(2)} %`;
}

/** A distance in bps with its sign, so "+150 bps" and "-20 bps" read as above or below. */
export function signedBps(bps: number): string {
  return `${bps >= 0 ? '+' : ''}${bps} bps`;
}
