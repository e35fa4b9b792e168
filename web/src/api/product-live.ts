import { useEffect, useState } from 'react';
import type { Feed } from './feed.js';
import { useFeedState, useSubscription } from './hooks.js';
import { applyProductMessage, emptyLive, isProductMessage, withHttpBook, type BookLevelsView, type ProductChannel, type ProductLive } from '../lib/product-feed.js';

/**
 * A product market's book and trades, live from the feed's `forwards:<market>` / `bdc:<series>` channel. The
 * HTTP read fills the view until the channel's snapshot arrives (and stands in when the server has no such
 * channel); after a reconnect the server's fresh snapshot replaces the book.
 */
export function useProductLive(feed: Feed, channel: ProductChannel, market: string, httpBook: BookLevelsView | undefined): ProductLive {
  const [live, setLive] = useState<ProductLive>(emptyLive);
  useEffect(() => setLive(emptyLive()), [channel, market]);
  useEffect(() => {
    if (httpBook !== undefined) setLive((l) => withHttpBook(l, httpBook));
  }, [httpBook]);
  const { state } = useFeedState(feed);
  useEffect(() => {
    // A new connection's snapshot may carry a lower seq only if the server restarted; accept it.
    if (state === 'connecting') setLive((l) => ({ ...l, bookSeq: undefined }));
  }, [state]);
  useSubscription(feed, { channel, market }, (m) => {
    if (isProductMessage(m) && m.type === channel && m.market === market) setLive((l) => applyProductMessage(l, m));
  });
  return live;
}
