import { useMemo } from 'react';
import type { Backend } from '../../api/backend.js';
import type { Feed } from '../../api/feed.js';
import { useLoad } from '../../api/hooks.js';
import { useProductLive } from '../../api/product-live.js';
import type { BdcSeriesView } from '../../api/products.js';
import { DepthChart } from '../../components/DepthChart.js';
import { ErrorNotice, Loading } from '../../components/Notice.js';
import { friendly } from '../../lib/api-errors.js';
import { edgeVsFair } from '../../lib/bdc.js';
import { describeDeadline, describeHeight, type ChainTip } from '../../lib/deadline.js';
import { depthOf } from '../../lib/depth.js';
import { bpsPct, grouped, satAmount, signedBps } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';
import { BdcOrderForm } from './BdcOrderForm.js';

/** One series: its terms, the model's fair odds beside the live book, and the order form. */
export function SeriesTrade({ backend, feed, s, tip, accountKey, onTraded }: { backend: Backend; feed: Feed; s: BdcSeriesView; tip: ChainTip; accountKey: AccountKey | undefined; onTraded: () => void }) {
  const book = useLoad(() => friendly(backend.products.bdcBook(s.series), 'the block-delta book'), [backend, s.series]);
  // The bdc:<series> channel keeps the book current (snapshot on subscribe, then every change).
  const live = useProductLive(feed, 'bdc', s.series, book.data);
  const depth = useMemo(() => depthOf(live.book), [live.book]);
  const fair = s.fairBps ?? undefined;
  const edge = edgeVsFair(fair, depth?.bestBid, depth?.bestAsk);
  return (
    <div className="grid two">
      <section className="panel">
        <h2>{s.series} <span className="muted small">book, FAST price in bps</span></h2>
        <dl className="kv" style={{ marginBottom: 10 }}>
          <dt>Block H</dt><dd>{grouped(s.height)} ({describeHeight(s.height, tip)})</dd>
          <dt>Deadline T</dt><dd>{describeDeadline(s.deadline, tip.time)}</dd>
          <dt>Payout per contract</dt><dd>{satAmount(s.payoutSat)}</dd>
          <dt>Model's fair FAST odds</dt><dd className="fair" data-testid="bdc-fair">{bpsPct(fair)}</dd>
          <dt>Best ask vs fair (FAST taker; below 0 = cheaper than the model)</dt><dd>{edge.fastTakerBps === undefined ? 'no asks' : signedBps(edge.fastTakerBps)}</dd>
          <dt>Best bid vs fair (SLOW taker; below 0 = cheaper than the model)</dt><dd>{edge.slowTakerBps === undefined ? 'no bids' : signedBps(edge.slowTakerBps)}</dd>
        </dl>
        {book.error ? <ErrorNotice title="The book could not be loaded" message={book.error} onRetry={book.reload} /> : depth ? <DepthChart depth={depth} unit="bps" /> : <Loading what="the book" />}
      </section>
      <section className="panel">
        <h2>Take a side</h2>
        <BdcOrderForm backend={backend} s={s} bestBid={depth?.bestBid} bestAsk={depth?.bestAsk} accountKey={accountKey} onTraded={onTraded} />
      </section>
    </div>
  );
}
