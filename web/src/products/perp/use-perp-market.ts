import { useEffect, useMemo } from 'react';
import type { Trade } from '../../../../src/api/schemas.js';
import type { Backend } from '../../api/backend.js';
import type { Feed } from '../../api/feed.js';
import { useFeedState, useLoad, useSubscription } from '../../api/hooks.js';
import { depthOf } from '../../lib/depth.js';
import { withTrade } from '../../lib/recent-trades.js';

const TRADES_SHOWN = 30;

/**
 * The perpetual market (the first market of kind perp), its book and recent trades, kept current by the
 * feed's `book` and `trades` channels. Held by the Trade page, so the book stays live behind the forward tabs.
 */
export function usePerpMarket(backend: Backend, feed: Feed) {
  const markets = useLoad(() => backend.markets(), [backend]);
  const perp = markets.data?.find((m) => m.kind === 'perp');
  const market = perp?.id;
  const book = useLoad(() => (market ? backend.book(market, 50) : Promise.reject(new Error('no market'))), [backend, market]);
  const trades = useLoad(() => (market ? backend.trades(market, TRADES_SHOWN) : Promise.resolve([] as Trade[])), [backend, market]);
  useSubscription(feed, market ? { channel: 'book', market } : undefined, (m) => {
    if (m.type === 'book') book.set(m.data);
  });
  useSubscription(feed, market ? { channel: 'trades', market } : undefined, (m) => {
    // Functional update: several fills of one order arrive back to back, before a render refreshes `trades.data`.
    if (m.type === 'trades') trades.update((latest) => withTrade(latest, m.data, TRADES_SHOWN));
  });
  // Trades are a stream, not a snapshot: after a reconnect, fetch what was missed.
  const { state: feedState } = useFeedState(feed);
  useEffect(() => {
    if (feedState === 'live' && trades.data) trades.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [feedState]);
  const depth = useMemo(() => depthOf(book.data), [book.data]);
  return { markets, perp, book, trades, depth };
}

export type PerpMarketState = ReturnType<typeof usePerpMarket>;
