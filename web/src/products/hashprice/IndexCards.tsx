import type { IndexValue } from '../../../../src/api/schemas.js';
import { btcPerPhDay, duration, grouped, hashrate, satPerThDay, signedPct, utc } from '../../lib/format.js';
import { change24h, type IndexView } from '../../lib/index-view.js';
import { Provenance } from './Provenance.js';

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
          <Provenance height={ch.from.height} hash={prev?.blockHash ?? null} extra={`to ${grouped(v.height)}`} />
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
            {r.final ? 'final: the next difficulty is fixed' : 'projected'} at height {grouped(r.retargetHeight)}
          </div>
          <div className="small muted num">
            {grouped(r.blocksRemaining)} blocks left · about {duration(r.expectedSecondsToRetarget)}
          </div>
          <Provenance height={v.height} hash={v.hash} />
        </>
      )}
    </section>
  );
}

/** The dashboard's four cards: hashprice, its 24 h change, network hashrate and the next retarget. */
export function IndexCards({ v, prev, prevError }: { v: IndexView; prev: IndexValue | undefined; prevError: string | undefined }) {
  return (
    <div className="grid cards">
      <HashpriceCard v={v} />
      <ChangeCard v={v} prev={prev} error={prevError} />
      <HashrateCard v={v} />
      <RetargetCard v={v} />
    </div>
  );
}
