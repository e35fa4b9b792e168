// Summary statistics of a backtest's outcomes: the spread of per-period incomes and the deepest fall of a
// cumulative series from its running peak.

export interface Distribution { count: number; min: number; p10: number; median: number; p90: number; max: number; mean: number; stdev: number }

/** Quantile by linear interpolation between order statistics (type 7, as R and NumPy default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function periodStats(values: readonly number[]): Distribution {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const mean = n === 0 ? 0 : s.reduce((a, b) => a + b, 0) / n;
  const stdev = n < 2 ? 0 : Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { count: n, min: s[0] ?? 0, p10: quantile(s, 0.1), median: quantile(s, 0.5), p90: quantile(s, 0.9), max: s[n - 1] ?? 0, mean, stdev };
}

/** Largest drop of a cumulative series below its running peak (≥ 0). */
export function maxDrawdown(cumulative: readonly number[]): number {
  let peak = -Infinity;
  let dd = 0;
  for (const v of cumulative) {
    if (v > peak) peak = v;
    if (peak - v > dd) dd = peak - v;
  }
  return dd;
}
