import type { Book, IndexValue, Trade } from '../../../src/api/schemas.js';
import type { ProductChannel, ProductFeedMessage } from '../lib/product-feed.js';

/**
 * Browser side of the server's WebSocket feeds (protocol in src/api/ws.ts): one socket, channel
 * subscriptions replayed after every reconnect, back-off capped at 10 s.
 */
export type FeedMessage =
  | { type: 'index'; data: IndexValue }
  | { type: 'book'; market: string; data: Book }
  | { type: 'trades'; market: string; data: Trade }
  | { type: 'account'; data: unknown }
  | ProductFeedMessage
  | { type: 'subscribed' | 'unsubscribed'; channel: string; market?: string }
  | { type: 'error'; error: { code: string; message: string; field?: string } };

export type Subscription =
  | { channel: 'index' }
  | { channel: 'book' | 'trades'; market: string }
  /** Forward markets (`FWD-90D`) and block-delta series (`BDC-<H>-<T>`): a book snapshot first, then books and trades. */
  | { channel: ProductChannel; market: string }
  /** `auth` is called for every (re)subscription: the server refuses a replayed nonce. */
  | { channel: 'account'; auth: () => Record<string, string> };

export type FeedState = 'connecting' | 'live' | 'down';

/** The key a subscription is held under; the same as `messageKey` of the messages it receives. */
export const subscriptionKey = (s: Subscription): string => ('market' in s ? `${s.channel}:${s.market}` : s.channel);

/** Which subscription a server message belongs to (undefined: acks and errors, which belong to none). */
export function messageKey(m: FeedMessage): string | undefined {
  switch (m.type) {
    case 'book':
    case 'trades':
    case 'forwards':
    case 'bdc':
      return `${m.type}:${m.market}`;
    case 'index':
    case 'account':
      return m.type;
    default:
      return undefined;
  }
}

/** The JSON a (un)subscription sends; `auth` is signed afresh for each account subscription. */
export function subscriptionFrame(op: 'subscribe' | 'unsubscribe', sub: Subscription): Record<string, unknown> {
  if (sub.channel === 'account') return op === 'subscribe' ? { op, channel: 'account', auth: sub.auth() } : { op, channel: 'account' };
  return { op, ...sub };
}

const keyOf = subscriptionKey;

export class Feed {
  private socket: WebSocket | undefined;
  private readonly subs = new Map<string, { sub: Subscription; listeners: Set<(m: FeedMessage) => void> }>();
  private readonly stateListeners = new Set<(s: FeedState, detail?: string) => void>();
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | undefined;
  state: FeedState = 'connecting';
  lastError: string | undefined;

  constructor(private readonly url: string) {}

  static forPage(): Feed {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return new Feed(`${proto}//${location.host}/v1/ws`);
  }

  onState(fn: (s: FeedState, detail?: string) => void): () => void {
    this.stateListeners.add(fn);
    fn(this.state, this.lastError);
    return () => void this.stateListeners.delete(fn);
  }

  /** Listens to one channel; the first listener subscribes, the last one to leave unsubscribes. */
  subscribe(sub: Subscription, fn: (m: FeedMessage) => void): () => void {
    const key = keyOf(sub);
    let entry = this.subs.get(key);
    if (!entry) {
      entry = { sub, listeners: new Set() };
      this.subs.set(key, entry);
      this.sendSub('subscribe', sub);
    }
    entry.listeners.add(fn);
    this.ensureOpen();
    return () => {
      const e = this.subs.get(key);
      if (!e) return;
      e.listeners.delete(fn);
      if (e.listeners.size === 0) {
        this.subs.delete(key);
        this.sendSub('unsubscribe', sub);
      }
    };
  }

  private setState(s: FeedState, detail?: string): void {
    this.state = s;
    this.lastError = detail;
    for (const l of this.stateListeners) l(s, detail);
  }

  private sendSub(op: 'subscribe' | 'unsubscribe', sub: Subscription): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify(subscriptionFrame(op, sub)));
  }

  private ensureOpen(): void {
    if (this.socket || this.timer) return;
    const ws = new WebSocket(this.url);
    this.socket = ws;
    ws.onopen = () => {
      this.retryMs = 500;
      this.setState('live');
      for (const { sub } of this.subs.values()) this.sendSub('subscribe', sub);
    };
    ws.onmessage = (ev) => {
      let msg: FeedMessage;
      try {
        msg = JSON.parse(String(ev.data)) as FeedMessage;
      } catch {
        return;
      }
      if (msg.type === 'error') {
        this.setState(this.state, `${msg.error.message} (${msg.error.code})`);
        return;
      }
      const key = messageKey(msg);
      const entry = key === undefined ? undefined : this.subs.get(key);
      if (entry) for (const l of entry.listeners) l(msg);
    };
    ws.onclose = (ev) => {
      this.socket = undefined;
      this.setState('down', ev.reason || 'connection to the server lost');
      if (this.subs.size === 0) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.setState('connecting');
        this.ensureOpen();
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }
}
