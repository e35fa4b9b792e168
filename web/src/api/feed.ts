import type { Book, IndexValue, Trade } from '../../../src/api/schemas.js';

/**
 * Browser side of the server's WebSocket feeds (protocol in src/api/ws.ts): one socket, channel
 * subscriptions replayed after every reconnect, back-off capped at 10 s.
 */
export type FeedMessage =
  | { type: 'index'; data: IndexValue }
  | { type: 'book'; market: string; data: Book }
  | { type: 'trades'; market: string; data: Trade }
  | { type: 'account'; data: unknown }
  | { type: 'subscribed' | 'unsubscribed'; channel: string; market?: string }
  | { type: 'error'; error: { code: string; message: string; field?: string } };

export type Subscription =
  | { channel: 'index' }
  | { channel: 'book' | 'trades'; market: string }
  /** `auth` is called for every (re)subscription: the server refuses a replayed nonce. */
  | { channel: 'account'; auth: () => Record<string, string> };

export type FeedState = 'connecting' | 'live' | 'down';

const keyOf = (s: Subscription): string => (s.channel === 'book' || s.channel === 'trades' ? `${s.channel}:${s.market}` : s.channel);

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
    if (sub.channel === 'account') this.socket.send(JSON.stringify(op === 'subscribe' ? { op, channel: 'account', auth: sub.auth() } : { op, channel: 'account' }));
    else this.socket.send(JSON.stringify({ op, ...sub }));
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
      const key = msg.type === 'book' || msg.type === 'trades' ? `${msg.type}:${msg.market}` : msg.type;
      const entry = this.subs.get(key);
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
