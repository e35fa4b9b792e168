import { ColorType, createChart, HistogramSeries, LineSeries, type IChartApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { BacktestReport } from '../../../../src/backtest/index.js';

const btcAxis = (v: number): string => `${(v / 1e8).toFixed(v !== 0 && Math.abs(v) < 1e7 ? 4 : 2)} BTC`;
const options = {
  autoSize: true,
  layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: '#9aa4b2', attributionLogo: false },
  grid: { vertLines: { color: '#222831' }, horzLines: { color: '#222831' } },
  rightPriceScale: { borderColor: '#2a313b' },
  timeScale: { borderColor: '#2a313b', minBarSpacing: 0.01 },
  localization: { priceFormatter: btcAxis },
} as const;

/** Two lightweight-charts: cumulative income hedged vs unhedged, and each period's income side by side. */
export function BacktestCharts({ report }: { report: BacktestReport }) {
  const cumEl = useRef<HTMLDivElement>(null);
  const perEl = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const charts: IChartApi[] = [];
    if (cumEl.current) {
      const c = createChart(cumEl.current, options);
      // Times must increase strictly: header times can repeat at one-block-a-day steps only in theory; keep the first.
      const pts = report.series.filter((p, i, a) => i === 0 || p.time > a[i - 1].time);
      c.addSeries(LineSeries, { color: '#9aa4b2', lineWidth: 2, title: 'unhedged' }).setData(pts.map((p) => ({ time: p.time as UTCTimestamp, value: p.unhedgedSat })));
      c.addSeries(LineSeries, { color: '#f2a900', lineWidth: 2, title: 'hedged' }).setData(pts.map((p) => ({ time: p.time as UTCTimestamp, value: p.hedgedSat })));
      c.timeScale().fitContent();
      charts.push(c);
    }
    if (perEl.current) {
      const c = createChart(perEl.current, options);
      const per = report.periods.filter((p, i, a) => i === 0 || p.time > a[i - 1].time);
      c.addSeries(HistogramSeries, { color: '#f2a900', title: 'hedged' }).setData(per.map((p) => ({ time: p.time as UTCTimestamp, value: p.hedgedSat - p.unhedgedSat, color: p.hedgedSat >= p.unhedgedSat ? '#3fb950' : '#f85149' })));
      c.addSeries(LineSeries, { color: '#9aa4b2', lineWidth: 1, title: 'unhedged' }).setData(per.map((p) => ({ time: p.time as UTCTimestamp, value: p.unhedgedSat })));
      c.timeScale().fitContent();
      charts.push(c);
    }
    return () => charts.forEach((c) => c.remove());
  }, [report]);
  return (
    <>
      <h3>Cumulative net income</h3>
      <div className="chart" ref={cumEl} data-testid="backtest-cumulative" data-points={report.series.length} aria-label="Cumulative net BTC income, hedged and unhedged" />
      <h3>Each period: unhedged income (line) and what the hedge added or cost (bars)</h3>
      <div className="chart" ref={perEl} data-testid="backtest-periods" data-periods={report.periods.length} aria-label="Per-period income and hedge result" />
    </>
  );
}
