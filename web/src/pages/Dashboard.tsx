import { useRef } from 'react';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad } from '../api/hooks.js';
import { useLiveIndex } from '../api/live-index.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { toCurveView, toIndexView } from '../lib/index-view.js';
import { CurvePanel } from '../products/hashprice/CurvePanel.js';
import { HashpriceHistory } from '../products/hashprice/HashpriceHistory.js';
import { IndexCards } from '../products/hashprice/IndexCards.js';

/** The first defined value a prop takes, kept for the component's life. */
function useFirst<T>(v: T | undefined): T | undefined {
  const r = useRef<T | undefined>(undefined);
  if (r.current === undefined && v !== undefined) r.current = v;
  return r.current;
}

export function Dashboard({ backend, feed }: { backend: Backend; feed: Feed }) {
  // Runs on later blocks, by when `curve` below exists.
  const index = useLiveIndex(backend, feed, (v) => {
    // A new block can also move the curve's basis; refresh it lazily.
    if (!curve.data || v.height !== curve.data.atHeight) curve.reload();
  });
  const height = index.data?.height;
  // The history ends at the tip the page first saw (a new block each few seconds would refetch it).
  const firstTip = useFirst(index.data ? { height: index.data.height, time: index.data.time } : undefined);
  const curve = useLoad(() => backend.curve(), [backend]);
  const prev = useLoad(() => (height === undefined || height < 144 ? Promise.reject(new Error('No value 24 h earlier.')) : backend.indexAt(height - 144)), [backend, height]);

  const view = index.data ? toIndexView(index.data) : undefined;

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
          <h2>Hashprice history <span className="muted small">BTC/PH/day since 2009</span></h2>
          <HashpriceHistory backend={backend} tip={firstTip} indexFailed={index.error !== undefined} />
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
