import type { Backend } from './backend.js';
import type { Feed } from './feed.js';
import { useLoad, useSubscription } from './hooks.js';

/**
 * Calls `onEvent` for every event on this account (fill, cancel, funding, delivery…) from the feed's signed
 * `account` channel, so views of the account reload instead of polling.
 */
export function useAccountEvents(backend: Backend, feed: Feed, sk: string, onEvent: () => void): void {
  const signer = useLoad(() => backend.accountFeedSigner(sk), [backend, sk]);
  useSubscription(feed, signer.data ? { channel: 'account', auth: signer.data } : undefined, (m) => {
    if (m.type === 'account') onEvent();
  });
}
