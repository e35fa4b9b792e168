import type { IndexValue } from '../../../src/api/schemas.js';
import type { Backend } from './backend.js';
import type { Feed } from './feed.js';
import { useLoad, useSubscription, type Loaded } from './hooks.js';

/** The hashprice index: read once, then replaced by every value the feed's `index` channel sends (one a block). */
export function useLiveIndex(backend: Backend, feed: Feed, onValue?: (v: IndexValue) => void): Loaded<IndexValue> {
  const index = useLoad(() => backend.index(), [backend]);
  useSubscription(feed, { channel: 'index' }, (m) => {
    if (m.type !== 'index') return;
    index.set(m.data);
    onValue?.(m.data);
  });
  return index;
}
