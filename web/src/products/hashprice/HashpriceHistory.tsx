import type { IndexValue } from '../../../../src/api/schemas.js';
import type { Loaded } from '../../api/hooks.js';
import { ErrorNotice } from '../../components/Notice.js';
import { HistoryChart } from './HistoryChart.js';

/** The year's daily hashprice, or why there is nothing to draw yet. */
export function HashpriceHistory({ firstTip, indexFailed, history, points }: {
  firstTip: number | undefined;
  indexFailed: boolean;
  history: Loaded<IndexValue[]>;
  points: { time: number; value: number }[];
}) {
  if (firstTip === undefined) return <div className="empty">{indexFailed ? 'History appears once the index has its first block.' : 'Loading history…'}</div>;
  if (history.error) return <ErrorNotice title="History could not be loaded" message={history.error} onRetry={history.reload} />;
  if (points.length === 0 && !history.loading) {
    return (
      <div className="empty">
        {(history.data ?? []).length === 0
          ? 'No history yet: the server has not indexed any blocks.'
          : 'The server knows no block times for this period (its chain data has no headers here), so the history cannot be drawn against time.'}
      </div>
    );
  }
  return <HistoryChart points={points} />;
}
