/** Hashrate is H/s in code; these are display helpers and exact unit constants. */
export const TH = 1e12;
export const PH = 1e15;
export const EH = 1e18;

export function formatHashrate(hps: number): string {
  const units: [number, string][] = [[1e21, 'ZH/s'], [EH, 'EH/s'], [PH, 'PH/s'], [TH, 'TH/s'], [1e9, 'GH/s'], [1e6, 'MH/s'], [1e3, 'kH/s']];
  for (const [scale, name] of units) if (Math.abs(hps) >= scale) return `${(hps / scale).toFixed(2)} ${name}`;
  return `${hps.toFixed(2)} H/s`;
}
