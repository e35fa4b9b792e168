import { ColorType, createChart, LineSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';

/** Hashprice history in BTC/PH/day against header time. */
export function HistoryChart({ points }: { points: { time: number; value: number }[] }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Line'> | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = createChart(el.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: '#9aa4b2', attributionLogo: false },
      grid: { vertLines: { color: '#222831' }, horzLines: { color: '#222831' } },
      rightPriceScale: { borderColor: '#2a313b' },
      timeScale: { borderColor: '#2a313b' },
      localization: { priceFormatter: (p: number) => p.toFixed(8) },
    });
    series.current = c.addSeries(LineSeries, { color: '#f2a900', lineWidth: 2, priceFormat: { type: 'price', precision: 8, minMove: 1e-8 } });
    chart.current = c;
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, []);

  useEffect(() => {
    series.current?.setData(points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
    chart.current?.timeScale().fitContent();
  }, [points]);

  return <div className="chart" ref={el} data-testid="history-chart" aria-label="Hashprice history chart, BTC per PH/s per day" />;
}
