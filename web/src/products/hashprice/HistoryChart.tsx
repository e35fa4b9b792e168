import {
  ColorType,
  createChart,
  createSeriesMarkers,
  LineSeries,
  LineType,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { formatHashpriceAxis, type HistoryChartData } from '../../lib/hashprice-history.js';

const iso = (t: number | undefined): string => (t === undefined ? '' : new Date(t * 1000).toISOString());

/**
 * Hashprice in BTC/PH/day against header time, drawn as steps (the index moves only at retargets and halvings),
 * with a marker at each halving; `log` puts the price axis on a log scale. The data attributes say what is
 * drawn (first and last time, point count, scale), for people reading the DOM and for the browser tests.
 */
export function HistoryChart({ data, log }: { data: HistoryChartData; log: boolean }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Line'> | null>(null);
  const markers = useRef<ISeriesMarkersPluginApi<Time> | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = createChart(el.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: '#9aa4b2', attributionLogo: false },
      grid: { vertLines: { color: '#222831' }, horzLines: { color: '#222831' } },
      rightPriceScale: { borderColor: '#2a313b' },
      timeScale: { borderColor: '#2a313b', minBarSpacing: 0.01, lockVisibleTimeRangeOnResize: true },
      localization: { priceFormatter: formatHashpriceAxis },
    });
    const s = c.addSeries(LineSeries, { color: '#f2a900', lineWidth: 2, lineType: LineType.WithSteps, priceFormat: { type: 'custom', formatter: formatHashpriceAxis, minMove: 1e-8 } });
    series.current = s;
    markers.current = createSeriesMarkers(s, []);
    chart.current = c;
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
      markers.current = null;
    };
  }, []);

  useEffect(() => {
    // Log scale: the chart draws log10 of the value on a linear axis and labels it with the value, so the axis
    // gets evenly spaced, readable marks across the fifteen decades since 2009 (its own log mode labels few).
    const y = log ? (v: number) => Math.log10(v) : (v: number) => v;
    const label = log ? (x: number) => formatHashpriceAxis(10 ** x) : formatHashpriceAxis;
    chart.current?.applyOptions({ localization: { priceFormatter: label } });
    series.current?.applyOptions({ priceFormat: { type: 'custom', formatter: label, minMove: log ? 1e-6 : 1e-8 } });
    series.current?.setData(data.points.map((p) => ({ time: p.time as UTCTimestamp, value: y(p.value) })));
    markers.current?.setMarkers(data.halvings.map((h) => ({ time: h.time as UTCTimestamp, position: 'aboveBar', color: '#7aa2f7', shape: 'arrowDown', text: h.text })));
    chart.current?.timeScale().fitContent();
  }, [data, log]);

  return (
    <div
      className="chart"
      ref={el}
      data-testid="history-chart"
      data-points={data.points.length}
      data-series-points={data.seriesPoints}
      data-from-height={data.fromHeight}
      data-to-height={data.toHeight}
      data-first-time={iso(data.firstTime)}
      data-last-time={iso(data.lastTime)}
      data-halvings={data.halvings.length}
      data-scale={log ? 'log' : 'linear'}
      aria-label="Hashprice history chart, BTC per PH/s per day"
    />
  );
}
