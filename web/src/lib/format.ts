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

export function lots(n: number): string {
  return n.toLocaleString('en-US');
}
