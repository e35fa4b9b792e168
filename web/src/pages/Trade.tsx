import { useEffect, useMemo, useState } from 'react';
import type { Trade as TradeT } from '../../../src/api/schemas.js';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useFeedState, useLoad, useSubscription } from '../api/hooks.js';
import { DepthChart } from '../components/DepthChart.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { OrderBook } from '../components/OrderBook.js';
import { OrderEntry } from '../components/OrderEntry.js';
import { PositionBuilder } from '../components/PositionBuilder.js';
import { RecentTrades } from '../components/RecentTrades.js';
import { VaultTrade } from '../components/VaultTrade.js';
import { FORWARD_MARKETS, ForwardTrade } from '../components/ForwardTrade.js';
import { depthOf } from '../lib/depth.js';
import { btcPerPhDay } from '../lib/format.js';
import { toCurveView, toIndexView } from '../lib/index-view.js';
import type { AccountKey } from '../lib/keys.js';

const TRADES_SHOWN = 30;

export function Trade({ backend, feed, accountKey }: { backend: Backend; feed: Feed; accountKey: AccountKey | undefined }) {
  const markets = useLoad(() => backend.markets(), [backend]);
  const perp = markets.data?.find((m) => m.kind === 'perp');
  const market = perp?.id;
  const book = useLoad(() => (market ? backend.book(market, 50) : Promise.reject(new Error('no market'))), [backend, market]);
  const trades = useLoad(() => (market ? backend.trades(market, TRADES_SHOWN) : Promise.resolve([] as TradeT[])), [backend, market]);
  const index = useLoad(() => backend.index(), [backend]);
  const curve = useLoad(() => backend.curve(), [backend]);
  const [price, setPrice] = useState('');
  const [tab, setTab] = useState<string>('perp');
  // The forward markets' list with best bid/ask and fair price; the four tenors are known even if the server lacks the route.
  const fwd = useLoad(() => backend.products.forwardMarkets(), [backend]);
  const fwdIds = fwd.data && fwd.data.length > 0 ? fwd.data.map((m) => m.market) : [...FORWARD_MARKETS];

  useSubscription(feed, market ? { channel: 'book', market } : undefined, (m) => {
    if (m.type === 'book') book.set(m.data);
  });
  useSubscription(feed, market ? { channel: 'trades', market } : undefined, (m) => {
    if (m.type === 'trades') trades.set([m.data, ...(trades.data ?? [])].slice(0, TRADES_SHOWN));
  });
  // Trades are a stream, not a snapshot: after a reconnect, fetch what was missed.
  const { state: feedState } = useFeedState(feed);
  useEffect(() => {
    if (feedState === 'live' && trades.data) trades.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [feedState]);
  useSubscription(feed, { channel: 'index' }, (m) => {
    if (m.type === 'index') index.set(m.data);
  });

  const depth = useMemo(() => depthOf(book.data), [book.data]);
  const curveMap = useMemo(() => new Map((curve.data ? toCurveView(curve.data).points : []).map((p) => [p.days, p.hashpriceSatPerPhDay])), [curve.data]);
  const hp = index.data ? toIndexView(index.data).hashpriceSatPerPhDay : NaN;
  const indexPrice = Number.isFinite(hp) ? hp : undefined;

  const builder = (
    <section className="panel">
      <h2>Position builder <span className="muted small">hashrate forwards, 30 to 365 days</span></h2>
      <PositionBuilder indexPrice={indexPrice} curve={curveMap} />
    </section>
  );
  const tabs = (
    <div className="market-tabs" role="tablist" aria-label="Market" data-testid="market-tabs">
      <button role="tab" aria-selected={tab === 'perp'} onClick={() => setTab('perp')}>{perp?.id ?? 'HPI-PERP'}</button>
      {fwdIds.map((id) => (
        <button key={id} role="tab" aria-selected={tab === id} onClick={() => setTab(id)}>{id}</button>
      ))}
    </div>
  );
  if (tab !== 'perp') {
    return (
      <main>
        {tabs}
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h1>{tab} <span className="muted small">hashrate forward: buy or sell TH/s for {/FWD-(\d+)D/.exec(tab)?.[1] ?? '?'} days at a fixed price</span></h1>
        </div>
        <ForwardTrade key={tab} backend={backend} feed={feed} market={tab} info={fwd.data?.find((m) => m.market === tab)} indexPrice={indexPrice} curvePrice={curveMap.get(Number(/FWD-(\d+)D/.exec(tab)?.[1]))} accountKey={accountKey} />
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
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>{perp.id} <span className="muted small">{perp.description}</span></h1>
        <div className="small muted num" data-testid="trade-index">
          {indexPrice !== undefined ? `Index ${btcPerPhDay(indexPrice)} BTC/PH/day · height ${index.data!.height.toLocaleString('en-US')}` : index.error ?? 'Index loading…'}
        </div>
      </div>
      <div className="grid trade-grid">
        <section className="panel">
          <h2>Order book</h2>
          {book.error && !book.data ? (
            <ErrorNotice title="The book could not be loaded" message={book.error} onRetry={book.reload} />
          ) : depth ? (
            <OrderBook depth={depth} onPick={(p) => setPrice(String(p))} />
          ) : book.data ? (
            <div className="notice error">The server sent a book this page cannot read.</div>
          ) : (
            <Loading what="the book" />
          )}
        </section>
        <section className="panel">
          <h2>Depth</h2>
          {depth ? <DepthChart depth={depth} /> : <Loading what="depth" />}
          <h2 style={{ marginTop: 16 }}>Recent trades</h2>
          {trades.error ? <ErrorNotice title="Trades could not be loaded" message={trades.error} onRetry={trades.reload} /> : <RecentTrades trades={trades.data ?? []} />}
        </section>
        <section className="panel order-entry">
          <h2>Place an order</h2>
          <OrderEntry
            market={perp.id}
            bestBid={depth?.bestBid}
            bestAsk={depth?.bestAsk}
            indexPrice={indexPrice}
            price={price}
            onPriceChange={setPrice}
            accountKey={accountKey}
            send={(d) => backend.placeOrder(accountKey!.secretKeyHex, d)}
          />
          <h2 style={{ marginTop: 16 }}>vs vault at index ± spread</h2>
          <VaultTrade backend={backend} market={perp.id} indexPrice={indexPrice} accountKey={accountKey} />
        </section>
      </div>
      {builder}
    </main>
  );
}
