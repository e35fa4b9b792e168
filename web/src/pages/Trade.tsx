import { useMemo, useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad } from '../api/hooks.js';
import { useLiveIndex } from '../api/live-index.js';
import { MarketTabs } from '../components/MarketTabs.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { FORWARD_MARKETS, tenorDays } from '../lib/forward-markets.js';
import { indexPriceOf, toCurveView } from '../lib/index-view.js';
import type { AccountKey } from '../lib/keys.js';
import { ForwardTrade } from '../products/forwards/ForwardTrade.js';
import { PositionBuilder } from '../products/forwards/PositionBuilder.js';
import { PerpMarket } from '../products/perp/PerpMarket.js';
import { usePerpMarket } from '../products/perp/use-perp-market.js';

export function Trade({ backend, feed, accountKey }: { backend: Backend; feed: Feed; accountKey: AccountKey | undefined }) {
  const perpMarket = usePerpMarket(backend, feed);
  const { markets, perp } = perpMarket;
  const index = useLiveIndex(backend, feed);
  const curve = useLoad(() => backend.curve(), [backend]);
  const [price, setPrice] = useState('');
  const [tab, setTab] = useState<string>('perp');
  // The forward markets' list with best bid/ask and fair price; the four tenors are known even if the server lacks the route.
  const fwd = useLoad(() => backend.products.forwardMarkets(), [backend]);
  const fwdIds = fwd.data && fwd.data.length > 0 ? fwd.data.map((m) => m.market) : [...FORWARD_MARKETS];
  const curveMap = useMemo(() => new Map((curve.data ? toCurveView(curve.data).points : []).map((p) => [p.days, p.hashpriceSatPerPhDay])), [curve.data]);
  const indexPrice = indexPriceOf(index.data);

  const builder = (
    <section className="panel">
      <h2>Position builder <span className="muted small">hashrate forwards, 30 to 365 days</span></h2>
      <PositionBuilder indexPrice={indexPrice} curve={curveMap} />
    </section>
  );
  const tabs = <MarketTabs tabs={[{ id: 'perp', label: perp?.id ?? 'HPI-PERP' }, ...fwdIds.map((id) => ({ id, label: id }))]} selected={tab} onSelect={setTab} />;
  if (tab !== 'perp') {
    const days = tenorDays(tab);
    return (
      <main>
        {tabs}
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h1>{tab} <span className="muted small">hashrate forward: buy or sell TH/s for {days ?? '?'} days at a fixed price</span></h1>
        </div>
        <ForwardTrade key={tab} backend={backend} feed={feed} market={tab} info={fwd.data?.find((m) => m.market === tab)} indexPrice={indexPrice} curvePrice={days !== undefined ? curveMap.get(days) : undefined} accountKey={accountKey} />
        {builder}
      </main>
    );
  }
  // The calculators need only the index, so they stay useful while no market is open.
  if (markets.error || !markets.data || !perp) {
    return (
      <main>
        {tabs}
        <h1>Trade</h1>
        {markets.error ? (
          <ErrorNotice title="Markets could not be loaded" message={markets.error} onRetry={markets.reload} />
        ) : !markets.data ? (
          <Loading what="markets" />
        ) : (
          <div className="notice" data-testid="no-market">
            This server lists no perpetual market yet, so there is no book to trade against. The forward calculators below work from the index.
          </div>
        )}
        {builder}
      </main>
    );
  }
  return (
    <main>
      {tabs}
      <PerpMarket backend={backend} perp={perp} market={perpMarket} index={index} indexPrice={indexPrice} price={price} onPriceChange={setPrice} accountKey={accountKey} />
      {builder}
    </main>
  );
}
