/**
 * The dashboard's hashprice history: the ranges a miner picks (1 M, 1 Y, 5 Y, all), the query each sends to
 * `GET /v1/index/history`, and the server's series turned into what the chart draws — BTC/PH/day on an even
 * time grid, with a marker at every halving. Pure, unit-tested from test/web.
 */
import type { HashpriceSeriesWire, HistoryResolution } from '../../../src/index/hashprice-history.js';
import { BLOCKS_PER_DAY } from '../../../src/units/time.js';

export type HistoryRange = '1M' | '1Y' | '5Y' | 'ALL';

export const HISTORY_RANGES: readonly { id: HistoryRange; label: string; days: number | undefined; resolution: HistoryResolution }[] = [
  { id: '1M', label: '1 M', days: 30, resolution: 'block' },
  { id: '1Y', label: '1 Y', days: 365, resolution: 'day' },
  { id: '5Y', label: '5 Y', days: 5 * 365, resolution: 'day' },
  { id: 'ALL', label: 'All', days: undefined, resolution: 'day' },
];

const DAY_S = 86_400;

/**
 * The query for a range ending at the tip the page first saw: `from` the date `days` before the tip's header
 * time (the height in force then), or 144 blocks a day back when the tip's time is unknown; `to` the tip.
 */
export function historyQuery(range: HistoryRange, tip: { height: number; time: number | null }): { from?: string; to: string; resolution: HistoryResolution } {
  const r = HISTORY_RANGES.find((x) => x.id === range) ?? HISTORY_RANGES[HISTORY_RANGES.length - 1];
  const to = String(tip.height);
  if (r.days === undefined) return { to, resolution: r.resolution };
  const from =
    tip.time !== null
      ? new Date(Math.max(1_231_006_505, tip.time - r.days * DAY_S) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
      : String(Math.max(0, tip.height - r.days * BLOCKS_PER_DAY));
  return { from, to, resolution: r.resolution };
}

export interface ChartPoint {
  time: number;
  /** BTC per PH/s per day. */
  value: number;
}

export interface HistoryChartData {
  /** The series sampled on an even time grid (the chart spaces points evenly, so the grid keeps time to scale). */
  points: ChartPoint[];
  /** One per halving in the range, at the first grid time at or after it. */
  halvings: { time: number; text: string }[];
  basis: string;
  fromHeight: number;
  toHeight: number;
  /** How many points the server sent, and the grid step (s) they are drawn at. */
  seriesPoints: number;
  stepSeconds: number;
  firstTime: number | undefined;
  lastTime: number | undefined;
}

const GRID_STEPS = [3_600, 2 * 3_600, 6 * 3_600, 12 * 3_600, DAY_S, 2 * DAY_S, 3 * DAY_S, 7 * DAY_S, 14 * DAY_S, 30 * DAY_S];

/**
 * The series as the chart draws it. lightweight-charts spaces points evenly whatever their times, and the
 * series is dense where headers are shipped and one point a retarget elsewhere, so it is sampled on an even
 * time grid (at most `maxPoints`, the step a round number of hours or days): each grid time takes the value in
 * force then (the last point at or before it). The index is a step function, so no value is invented; a step
 * shows at the first grid time after it.
 */
export function chartData(s: HashpriceSeriesWire, maxPoints = 800): HistoryChartData {
  const src: ChartPoint[] = [];
  const halvingTimes: { time: number; text: string }[] = [];
  for (const p of s.points) {
    const value = Number(p.hashpriceSatPerPHDay) / 1e8;
    if (!(value > 0) || !Number.isFinite(value)) continue;
    // Header times can step back a little; the step series runs forward in time.
    const prev = src.at(-1);
    const time = prev !== undefined && p.time < prev.time ? prev.time : p.time;
    src.push({ time, value });
    const h = s.halvings.find((x) => x.height === p.height);
    if (h) halvingTimes.push({ time, text: `Halving ${h.halving}` });
  }
  const base = { basis: s.basis, fromHeight: s.fromHeight, toHeight: s.toHeight, seriesPoints: s.points.length };
  if (src.length === 0) return { ...base, points: [], halvings: [], stepSeconds: 0, firstTime: undefined, lastTime: undefined };
  const first = src[0].time;
  const last = src[src.length - 1].time;
  const step = GRID_STEPS.find((g) => (last - first) / g <= maxPoints - 1) ?? Math.ceil((last - first) / (maxPoints - 1));
  const points: ChartPoint[] = [];
  let i = 0;
  for (let t = first; ; t += step) {
    const at = Math.min(t, last);
    while (i + 1 < src.length && src[i + 1].time <= at) i++;
    points.push({ time: at, value: src[i].value });
    if (at === last) break;
  }
  const halvings = halvingTimes.flatMap((h) => {
    const g = points.find((p) => p.time >= h.time);
    return g === undefined ? [] : [{ time: g.time, text: h.text }];
  });
  return { ...base, points, halvings, stepSeconds: step, firstTime: first, lastTime: last };
}

/** A price-axis label for values from 10^12 BTC/PH/day (2009) down to 10^-4 (today). */
export function formatHashpriceAxis(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return v.toExponential(2);
  if (a >= 1) return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  if (a >= 1e-8) return v.toFixed(8);
  return v.toExponential(2);
}
