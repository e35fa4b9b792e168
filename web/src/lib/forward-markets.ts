/** The forward tenors the exchange lists; known here so tabs and rollovers work before (or without) the market list. */
export const FORWARD_MARKETS = ['FWD-30D', 'FWD-90D', 'FWD-180D', 'FWD-365D'] as const;

/** "FWD-90D" -> 90; undefined for a name that is not a forward market. */
export function tenorDays(market: string): number | undefined {
  const m = /FWD-(\d+)D/.exec(market);
  return m ? Number(m[1]) : undefined;
}
