import { useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad } from '../api/hooks.js';
import { useLiveIndex } from '../api/live-index.js';
import { Loading } from '../components/Notice.js';
import { friendly } from '../lib/api-errors.js';
import type { ChainTip } from '../lib/deadline.js';
import type { AccountKey } from '../lib/keys.js';
import { BdcPositions } from '../products/block-delta/BdcPositions.js';
import { DeadlinePicker } from '../products/block-delta/DeadlinePicker.js';
import { isOpen } from '../products/block-delta/series-status.js';
import { SeriesTable } from '../products/block-delta/SeriesTable.js';
import { SeriesTrade } from '../products/block-delta/SeriesTrade.js';
import { SwapOffers } from '../products/swaps/SwapOffers.js';

export function Contracts({ backend, feed, accountKey }: { backend: Backend; feed: Feed; accountKey: AccountKey | undefined }) {
  const series = useLoad(() => friendly(backend.products.bdcSeries(), 'block-delta contracts'), [backend]);
  // Best bid/ask, fair odds and status move with every block.
  const index = useLiveIndex(backend, feed, () => series.reload());
  const tip: ChainTip | undefined = index.data && index.data.time !== null ? { height: index.data.height, time: index.data.time } : undefined;
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [trades, setTrades] = useState(0); // bumps after an order of ours, so positions reload
  const list = series.data ?? [];
  const current = list.find((s) => s.series === selected) ?? list.find(isOpen);

  return (
    <main>
      <h1>Block-delta contracts <span className="muted small">"height H is mined before time T"</span></h1>
      <p className="small muted" style={{ margin: 0 }}>
        FAST wins if block H arrives before the deadline; SLOW wins if the chain's median time passes T first. Prices are FAST's share of the payout
        in basis points (5,000 = even odds); SLOW pays the rest. Deadlines are checked against median-time-past, about an hour behind the newest
        block's time. Dates for heights are estimates at 10 minutes a block (≈).
      </p>
      {series.data && <DeadlinePicker tip={tip} series={list} onPick={setSelected} />}
      <section className="panel">
        <h2>Series</h2>
        {series.error ? (
          <div className="notice" data-testid="bdc-unavailable">{series.error}</div>
        ) : !series.data || !tip ? (
          <Loading what="series" />
        ) : list.length === 0 ? (
          <div className="empty">No series are listed yet. The operator lists new ones as blocks arrive; come back in a few blocks.</div>
        ) : (
          <SeriesTable list={list} tip={tip} selected={current?.series} onSelect={setSelected} />
        )}
      </section>
      {current && tip && <SeriesTrade key={current.series} backend={backend} feed={feed} s={current} tip={tip} accountKey={accountKey} onTraded={() => { series.reload(); setTrades((n) => n + 1); }} />}
      {accountKey && series.data && <BdcPositions backend={backend} accountKey={accountKey} version={trades} tip={tip} />}
      <SwapOffers backend={backend} accountKey={accountKey} />
    </main>
  );
}
