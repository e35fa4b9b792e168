import { describe, expect, it } from 'vitest';
import type { HashpriceSeriesWire } from '../../src/index/hashprice-history.js';
import { chartData, formatHashpriceAxis, historyQuery } from '../../web/src/lib/hashprice-history.js';

const point = (height: number, time: number, sat: string) => ({ height, time, timeEstimated: false, epoch: Math.floor(height / 2016), bits: '1d00ffff', difficulty: 1, subsidySat: '0', hashpriceSatPerPHDay: sat, kind: 'retarget' as const });
const series = (points: ReturnType<typeof point>[], halvings: HashpriceSeriesWire['halvings'] = []): HashpriceSeriesWire => ({
  resolution: 'epoch', fromHeight: points[0].height, toHeight: points.at(-1)!.height, feesIncluded: false, basis: 'subsidy only', pointCap: 5000, points, halvings,
});
const DAY = 86_400;

describe('historyQuery: the range buttons', () => {
  const tip = { height: 822_673, time: Date.UTC(2023, 11, 24) / 1000 };
  it('a range is the date that many days before the tip; All has no start; the tip ends every range', () => {
    expect(historyQuery('1Y', tip)).toEqual({ from: '2022-12-24T00:00:00Z', to: '822673', resolution: 'day' });
    expect(historyQuery('1M', tip)).toEqual({ from: '2023-11-24T00:00:00Z', to: '822673', resolution: 'block' });
    expect(historyQuery('ALL', tip)).toEqual({ to: '822673', resolution: 'day' });
  });
  it('without the tip time, 144 blocks a day back; never before genesis', () => {
    expect(historyQuery('1Y', { height: 822_673, time: null }).from).toBe(String(822_673 - 365 * 144));
    expect(historyQuery('5Y', { height: 1_000, time: null }).from).toBe('0');
    expect(historyQuery('5Y', { height: 1_000, time: 1_231_006_505 + DAY }).from).toBe('2009-01-03T18:15:05Z');
  });
});

describe('chartData: the series on an even time grid', () => {
  it('each grid time takes the value in force then; BTC from sat; halvings at the first grid time after them', () => {
    const t0 = 1_300_000_000;
    const s = series(
      [point(0, t0, '400000000'), point(2016, t0 + 10 * DAY + 5, '200000000'), point(4032, t0 + 20 * DAY, '100000000')],
      [{ height: 2016, halving: 1, time: t0 + 10 * DAY + 5, timeEstimated: false, subsidySatBefore: '2', subsidySatAfter: '1' }],
    );
    const d = chartData(s, 100);
    expect(d.stepSeconds).toBe(6 * 3600); // 20 days / 99 intervals → the first round step ≥ 4.85 h
    expect(d.points[0]).toEqual({ time: t0, value: 4 });
    expect(d.points.find((p) => p.time === t0 + 10 * DAY)!.value).toBe(4); // 5 s before the step
    expect(d.points.find((p) => p.time === t0 + 10 * DAY + 6 * 3600)!.value).toBe(2);
    expect(d.points.at(-1)).toEqual({ time: t0 + 20 * DAY, value: 1 });
    expect(d.halvings).toEqual([{ time: t0 + 10 * DAY + 6 * 3600, text: 'Halving 1' }]);
    const times = d.points.map((p) => p.time);
    expect(times.every((t, i) => i === 0 || t > times[i - 1])).toBe(true);
    expect([d.seriesPoints, d.firstTime, d.lastTime]).toEqual([3, t0, t0 + 20 * DAY]);
  });

  it('a header time that steps back does not move the series backwards', () => {
    const d = chartData(series([point(0, 1000, '100'), point(1, 5000, '200'), point(2, 4000, '300'), point(3, 9000, '300')]), 10);
    // Block 2's time (4000) is before block 1's (5000): it is drawn at 5000, where it takes over from block 1.
    expect(d.points.map((p) => [p.time, p.value])).toEqual([[1000, 1e-6], [4600, 1e-6], [8200, 3e-6], [9000, 3e-6]]);
  });
});

it('formatHashpriceAxis reads from 10^12 BTC/PH/day down to sats', () => {
  expect(formatHashpriceAxis(1.0058e12)).toBe('1.01e+12');
  expect(formatHashpriceAxis(1234.5)).toBe('1,234.5');
  expect(formatHashpriceAxis(0.00174608)).toBe('0.00174608');
});
