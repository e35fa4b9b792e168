import { useMemo, useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import { ErrorNotice } from '../../components/Notice.js';
import { chartData, HISTORY_RANGES, historyQuery, type HistoryRange } from '../../lib/hashprice-history.js';
import { HistoryChart } from './HistoryChart.js';

/**
 * Where hashprice has been: the server's series from the shipped chain data (per retarget and halving since
 * 2009, per day or block where headers are shipped), up to the tip the page first saw. Range buttons, a log
 * scale, halvings marked, and the basis of the values stated under the chart.
 */
export function HashpriceHistory({ backend, tip, indexFailed }: {
  backend: Backend;
  /** The index tip the page first saw; undefined until the index has a block. */
  tip: { height: number; time: number | null } | undefined;
  indexFailed: boolean;
}) {
  const [range, setRange] = useState<HistoryRange>('ALL');
  const [log, setLog] = useState(true);
  const series = useLoad(
    () => (tip === undefined ? new Promise<never>(() => {}) : backend.hashpriceHistory(historyQuery(range, tip))),
    [backend, tip?.height, range],
  );
  const data = useMemo(() => (series.data ? chartData(series.data) : undefined), [series.data]);

  if (tip === undefined) return <div className="empty">{indexFailed ? 'History appears once the index has its first block.' : 'Loading history…'}</div>;
  return (
    <>
      <div className="row history-controls">
        <div className="tabs" role="tablist" aria-label="History range" data-testid="history-ranges">
          {HISTORY_RANGES.map((r) => (
            <button key={r.id} role="tab" aria-selected={range === r.id} onClick={() => setRange(r.id)}>{r.label}</button>
          ))}
        </div>
        <label className="small">
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} data-testid="history-log" /> Log scale
        </label>
      </div>
      {series.error ? (
        <ErrorNotice title="History could not be loaded" message={series.error} onRetry={series.reload} />
      ) : data === undefined ? (
        <div className="empty">Loading history…</div>
      ) : data.points.length === 0 ? (
        <div className="empty">No history in this range.</div>
      ) : (
        <HistoryChart data={data} log={log} />
      )}
      <p className="small muted" data-testid="history-basis">
        Subsidy only, fees not included (block headers carry no fees): hashprice = block subsidy × 86,400 × 10¹⁵ / (difficulty × 2³²)
        per PH/s per day, from the bits of every retarget since 2009: per block (1 M) or per day where the headers are shipped, per retarget and halving elsewhere.
        Arrows mark the halvings (every 210,000 blocks).
      </p>
    </>
  );
}
