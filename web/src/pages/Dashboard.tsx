import { useMemo, useRef } from 'react';
import type { IndexValue } from '../../../src/api/schemas.js';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad, useSubscription } from '../api/hooks.js';
import { HistoryChart } from '../components/HistoryChart.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { btcPerPhDay, duration, hashrate, satPerThDay, shortHash, signedPct, utc } from '../lib/format.js';
import { change24h, historySeries, toCurveView, toIndexView, type CurveView, type IndexView } from '../lib/index-view.js';

/** One value per day (144 blocks) for the last year, ending at the tip the page first saw. */
const HISTORY_STEP = 144;
const HISTORY_DAYS = 365;
const historyQuery = (tip: number) => ({ from: Math.max(0, tip - HISTORY_STEP * HISTORY_DAYS), to: tip, step: HISTORY_STEP, limit: HISTORY_DAYS + 1 });

function Provenance({ height, hash, extra }: { height: number; hash: string | null; extra?: string }) {
  return (
    <div className="provenance" data-testid="provenance">
      at height <span className="num">{height.toLocaleString('en-US')}</span> · block <span className="mono" title={hash ?? ''}>{shortHash(hash)}</span>
      {extra ? ` · ${extra}` : ''}
    </div>
  );
}

function HashpriceCard({ v }: { v: IndexView }) {
  return (
    <section className="panel card" aria-labelledby="hp-label">
      <div className="label" id="hp-label">Hashprice index (HPI)</div>
      <div className="big" data-testid="hashprice-btc">
        {btcPerPhDay(v.hashpriceSatPerPhDay)} <span className="unit">BTC/PH/day</span>
      </div>
      <div className="num" data-testid="hashprice-sat-th">
        {satPerThDay(v.hashpriceSatPerPhDay)} <span className="muted">sat/TH/day</span>
      </div>
      {!v.feesIncluded && <div className="small muted">Subsidy only: the chain source gives no fees.</div>}
      <Provenance height={v.height} hash={v.hash} extra={utc(v.time)} />
    </section>
  );
}

function ChangeCard({ v, prev, error }: { v: IndexView; prev: IndexValue | undefined; error: string | undefined }) {
  const ch = prev ? change24h(v, [prev]) : undefined;
  return (
    <section className="panel card">
      <div className="label">24 h change (144 blocks)</div>
      {ch ? (
        <>
          <div className={`big ${ch.pct > 0 ? 'pos' : ch.pct < 0 ? 'neg' : ''}`} data-testid="change-24h">{signedPct(ch.pct)}</div>
          <div className="small muted num">from {btcPerPhDay(ch.from.hashpriceSatPerPhDay)} BTC/PH/day</div>
          <Provenance height={ch.from.height} hash={prev?.blockHash ?? null} extra={`to ${v.height.toLocaleString('en-US')}`} />
        </>
      ) : (
        <div className="small muted" style={{ marginTop: 8 }}>{error ?? 'Loading the value 144 blocks ago…'}</div>
      )}
    </section>
  );
}

function HashrateCard({ v }: { v: IndexView }) {
  return (
    <section className="panel card">
      <div className="label">Network hashrate</div>
      <div className="big num" data-testid="hashrate">{hashrate(v.hashrateHps)}</div>
      <div className="small muted">
        {v.hashrateWindow ? `estimated from chainwork over the last ${v.hashrateWindow} blocks` : `No estimate: ${v.hashrateUnavailable ?? 'unknown'}`}
      </div>
      <div className="small muted num">difficulty {v.difficulty.toExponential(4)}</div>
      <Provenance height={v.height} hash={v.hash} />
    </section>
  );
}

function RetargetCard({ v }: { v: IndexView }) {
  const r = v.retarget;
  return (
    <section className="panel card">
      <div className="label">Next difficulty retarget</div>
      {'unavailable' in r ? (
        <div className="small muted" style={{ marginTop: 8 }} data-testid="retarget">{r.unavailable}</div>
      ) : (
        <>
          <div className="big" data-testid="retarget">{signedPct(r.changePct)} <span className="unit">difficulty</span></div>
          <div className="small num">
            {r.final ? 'final: the next difficulty is fixed' : 'projected'} at height {r.retargetHeight.toLocaleString('en-US')}
          </div>
          <div className="small muted num">
            {r.blocksRemaining.toLocaleString('en-US')} blocks left · about {duration(r.expectedSecondsToRetarget)}
          </div>
          <Provenance height={v.height} hash={v.hash} />
        </>
      )}
    </section>
  );
}

function CurvePanel({ curve, spot, tip }: { curve: CurveView; spot: number | undefined; tip: IndexView | undefined }) {
  return (
    <>
      <table data-testid="forward-curve">
        <thead>
          <tr>
            <th>Contract length</th>
            <th>BTC/PH/day</th>
            <th>sat/TH/day</th>
            <th>vs index</th>
          </tr>
        </thead>
        <tbody>
          {spot !== undefined && (
            <tr>
              <td>Index now</td>
              <td>{btcPerPhDay(spot)}</td>
              <td>{satPerThDay(spot)}</td>
              <td>—</td>
            </tr>
          )}
          {curve.points.map((p) => (
            <tr key={p.days}>
              <td>{p.days} days</td>
              <td>{btcPerPhDay(p.hashpriceSatPerPhDay)}</td>
              <td>{satPerThDay(p.hashpriceSatPerPhDay)}</td>
              <td className={spot && p.hashpriceSatPerPhDay < spot ? 'neg' : 'pos'}>{spot ? signedPct((p.hashpriceSatPerPhDay / spot - 1) * 100, 1) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details style={{ marginTop: 10 }}>
        <summary className="small">Model: {curve.modelName} (assumptions)</summary>
        <ul className="small muted">
          {curve.assumptions.map((a) => (
            <li key={a.label}>
              <strong>{a.label}:</strong> {a.text}
            </li>
          ))}
        </ul>
      </details>
      <Provenance height={curve.atHeight} hash={tip?.height === curve.atHeight ? tip.hash : null} extra="each point is the expected mean hashprice over the contract" />
    </>
  );
}

/** The first defined value a prop takes, kept for the component's life. */
function useFirst<T>(v: T | undefined): T | undefined {
  const r = useRef<T | undefined>(undefined);
  if (r.current === undefined && v !== undefined) r.current = v;
  return r.current;
}

export function Dashboard({ backend, feed }: { backend: Backend; feed: Feed }) {
  const index = useLoad(() => backend.index(), [backend]);
  const height = index.data?.height;
  const firstTip = useFirst(height);
  const history = useLoad(
    () => (firstTip === undefined ? new Promise<IndexValue[]>(() => {}) : backend.history(historyQuery(firstTip)).then((h) => h.values)),
    [backend, firstTip],
  );
  const curve = useLoad(() => backend.curve(), [backend]);
  const prev = useLoad(() => (height === undefined || height < 144 ? Promise.reject(new Error('No value 24 h earlier.')) : backend.indexAt(height - 144)), [backend, height]);

  useSubscription(feed, { channel: 'index' }, (m) => {
    if (m.type !== 'index') return;
    index.set(m.data);
    // A new block can also move the curve's basis; refresh it lazily.
    if (!curve.data || m.data.height !== curve.data.atHeight) curve.reload();
    if (history.data) {
      const last = history.data.at(-1);
      if (!last || m.data.height >= last.height + HISTORY_STEP) history.set([...history.data, m.data]);
    }
  });

  const view = index.data ? toIndexView(index.data) : undefined;
  const points = useMemo(() => historySeries(history.data ?? []), [history.data]);

  return (
    <main>
      <h1>Hashprice dashboard</h1>
      {index.error && !view && (
        <ErrorNotice title="The index is not available yet" message={index.error} onRetry={index.reload} />
      )}
      {!view && !index.error && <Loading what="the hashprice index" />}
      {view && (
        <div className="grid cards">
          <HashpriceCard v={view} />
          <ChangeCard v={view} prev={prev.data} error={prev.error} />
          <HashrateCard v={view} />
          <RetargetCard v={view} />
        </div>
      )}
      <div className="grid two">
        <section className="panel">
          <h2>Hashprice history <span className="muted small">BTC/PH/day, daily</span></h2>
          {firstTip === undefined ? (
            <div className="empty">{index.error ? 'History appears once the index has its first block.' : 'Loading history…'}</div>
          ) : history.error ? (
            <ErrorNotice title="History could not be loaded" message={history.error} onRetry={history.reload} />
          ) : points.length === 0 && !history.loading ? (
            <div className="empty">
              {(history.data ?? []).length === 0
                ? 'No history yet: the server has not indexed any blocks.'
                : 'The server knows no block times for this period (its chain data has no headers here), so the history cannot be drawn against time.'}
            </div>
          ) : (
            <HistoryChart points={points} />
          )}
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
