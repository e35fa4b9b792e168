import { useMemo, useRef } from 'react';
import type { IndexValue } from '../../../src/api/schemas.js';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad } from '../api/hooks.js';
import { useLiveIndex } from '../api/live-index.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { historySeries, toCurveView, toIndexView } from '../lib/index-view.js';
import { CurvePanel } from '../products/hashprice/CurvePanel.js';
import { HashpriceHistory } from '../products/hashprice/HashpriceHistory.js';
import { IndexCards } from '../products/hashprice/IndexCards.js';

/** One value per day (144 blocks) for the last year, ending at the tip the page first saw. */
const HISTORY_STEP = 144;
const HISTORY_DAYS = 365;
const historyQuery = (tip: number) => ({ from: Math.max(0, tip - HISTORY_STEP * HISTORY_DAYS), to: tip, step: HISTORY_STEP, limit: HISTORY_DAYS + 1 });

/** The first defined value a prop takes, kept for the component's life. */
function useFirst<T>(v: T | undefined): T | undefined {
  const r = useRef<T | undefined>(undefined);
  if (r.current === undefined && v !== undefined) r.current = v;
  return r.current;
}

export function Dashboard({ backend, feed }: { backend: Backend; feed: Feed }) {
  // Runs on later blocks, by when `curve` and `history` below exist.
  const index = useLiveIndex(backend, feed, (v) => {
    // A new block can also move the curve's basis; refresh it lazily.
    if (!curve.data || v.height !== curve.data.atHeight) curve.reload();
    if (history.data) {
      const last = history.data.at(-1);
      if (!last || v.height >= last.height + HISTORY_STEP) history.set([...history.data, v]);
    }
  });
  const height = index.data?.height;
  const firstTip = useFirst(height);
  const history = useLoad(
    () => (firstTip === undefined ? new Promise<IndexValue[]>(() => {}) : backend.history(historyQuery(firstTip)).then((h) => h.values)),
    [backend, firstTip],
  );
  const curve = useLoad(() => backend.curve(), [backend]);
  const prev = useLoad(() => (height === undefined || height < 144 ? Promise.reject(new Error('No value 24 h earlier.')) : backend.indexAt(height - 144)), [backend, height]);

  const view = index.data ? toIndexView(index.data) : undefined;
  const points = useMemo(() => historySeries(history.data ?? []), [history.data]);

  return (
    <main>
      <h1>Hashprice dashboard</h1>
      {index.error && !view && (
        <ErrorNotice title="The index is not available yet" message={index.error} onRetry={index.reload} />
      )}
      {!view && !index.error && <Loading what="the hashprice index" />}
      {view && <IndexCards v={view} prev={prev.data} prevError={prev.error} />}
      <div className="grid two">
        <section className="panel">
          <h2>Hashprice history <span className="muted small">BTC/PH/day, daily</span></h2>
          <HashpriceHistory firstTip={firstTip} indexFailed={index.error !== undefined} history={history} points={points} />
        </section>
        <section className="panel">
          <h2>Forward curve</h2>
          {curve.error ? (
            <ErrorNotice title="No forward curve yet" message={curve.error} onRetry={curve.reload} />
          ) : curve.data ? (
            <CurvePanel curve={toCurveView(curve.data)} spot={view?.hashpriceSatPerPhDay} tip={view} />
          ) : (
            <Loading what="the forward curve" />
          )}
        </section>
      </div>
    </main>
  );
}
