import { useCallback, useEffect, useRef, useState } from 'react';
import type { Feed, FeedMessage, FeedState, Subscription } from './feed.js';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
  set: (v: T) => void;
  /**
   * Replaces the value with `f(latest)`. Use it, not `set(f(data))`, when the new value depends on the old:
   * feed messages can arrive back to back before a render, and `data` in a handler is then the stale one.
   */
  update: (f: (latest: T | undefined) => T) => void;
}

/** Runs `load` on mount and whenever `deps` change; keeps the last good value while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef.current().then(
      (v) => {
        if (!live) return;
        setData(() => v); // never as an updater: v may itself be a function
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(describeError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((v: T) => setData(() => v), []);
  const update = useCallback((f: (latest: T | undefined) => T) => setData((latest) => f(latest)), []);
  return { data, error, loading, reload, set, update };
}

export function useFeedState(feed: Feed): { state: FeedState; detail: string | undefined } {
  const [s, setS] = useState<{ state: FeedState; detail: string | undefined }>({ state: feed.state, detail: feed.lastError });
  useEffect(() => feed.onState((state, detail) => setS({ state, detail })), [feed]);
  return s;
}

/** Subscribes while mounted; `sub` is compared by its JSON (functions ignored) so callers can pass a fresh object each render. */
export function useSubscription(feed: Feed, sub: Subscription | undefined, onMessage: (m: FeedMessage) => void): void {
  const cb = useRef(onMessage);
  cb.current = onMessage;
  const key = sub === undefined ? '' : JSON.stringify(sub);
  useEffect(() => {
    if (sub === undefined) return;
    return feed.subscribe(sub, (m) => cb.current(m));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [feed, key]);
}

/** A message a person can act on, from whatever a request threw. */
export function describeError(e: unknown): string {
  if (e instanceof TypeError && /fetch|network/i.test(e.message)) return 'Cannot reach the HashPerp server. Check that it is running and try again.';
  if (e instanceof Error) return e.message;
  return String(e);
}
