/**
 * Fan-out of the operator's events to the SSE streams. Each subscriber gets its own bounded queue;
 * a subscriber that stops reading (a stalled client) is cut off rather than growing the server's
 * memory, and reconnects as the SDK does after any stream error.
 *
 * Topic rule (arkd's events listener): an event with no topics goes to everyone; an event with
 * topics goes to a subscriber whose own topics intersect them. A subscriber with no topics gets
 * everything.
 */
export interface Topical<E> {
  event: E;
  topics?: readonly string[];
}

const MAX_QUEUED = 10_000;

export class EventBus<E> {
  private readonly subs = new Set<Subscriber<E>>();

  publish(event: E, topics: readonly string[] = []): void {
    for (const s of this.subs) {
      if (!s.wants(topics)) continue;
      s.push(event);
    }
  }

  /** An async iterable of events for these topics; it ends when `signal` aborts or the queue overflows. */
  subscribe(topics: readonly string[], signal: AbortSignal): AsyncIterable<E> {
    const sub = new Subscriber<E>(new Set(topics), () => this.subs.delete(sub));
    this.subs.add(sub);
    if (signal.aborted) sub.close();
    else signal.addEventListener('abort', () => sub.close(), { once: true });
    return sub;
  }
}

class Subscriber<E> implements AsyncIterable<E> {
  private readonly queue: E[] = [];
  private waiting: ((r: IteratorResult<E>) => void) | undefined;
  private closed = false;

  constructor(private readonly topics: Set<string>, private readonly onClose: () => void) {}

  wants(topics: readonly string[]): boolean {
    if (topics.length === 0 || this.topics.size === 0) return true;
    return topics.some((t) => this.topics.has(t));
  }

  push(e: E): void {
    if (this.closed) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: e, done: false });
      return;
    }
    if (this.queue.length >= MAX_QUEUED) {
      this.close();
      return;
    }
    this.queue.push(e);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<E> {
    return {
      next: () => {
        const e = this.queue.shift();
        if (e !== undefined) return Promise.resolve({ value: e, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
