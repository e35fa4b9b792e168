import { formatBtc } from './money.js';

/**
 * Hashprice, forward and perp prices are integer sat per PH/s per day (tick = 1).
 * 1 PH/s = 1000 TH/s, so sat/TH/day = sat/PH/day / 1000.
 */
export function hashpriceBtcPerPHDay(satPerPHDay: bigint | number): string {
  return formatBtc(BigInt(satPerPHDay));
}

export function hashpriceSatPerTHDay(satPerPHDay: bigint | number): number {
  return Number(satPerPHDay) / 1000;
}
