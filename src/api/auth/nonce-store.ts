/**
 * Remembers (principal, nonce) pairs long enough to refuse replays, and no longer: a request is
 * only accepted when its timestamp is within ±window of now, so a nonce seen at `now` can only be
 * replayed successfully until now + 2×window. Entries expire in insertion order (the clock is
 * monotone), so eviction is a walk from the front of a Map. The size is capped: when full, new
 * nonces are refused as retryable instead of evicting live entries (evicting would reopen replays).
 *
 * A restart must not reopen the window: with a `NonceLog` every accepted nonce is written to it
 * (synchronously, before the request's handler runs, so before its command is journaled and
 * acknowledged) and the live ones are loaded back at start. Without one, the server refuses every
 * timestamp before `notBeforeMs` (its start), which no request signed before the restart can pass.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export type NonceResult = 'ok' | 'replayed' | 'full';

/** Durable record of accepted nonces (the server's SQLite file: sqlite-nonces.ts). */
export interface NonceLog {
  /** The entries still live at `nowMs`, oldest expiry first. */
  live(nowMs: number): Iterable<readonly [key: string, expiresMs: number]>;
  /** Records one accepted nonce; must be durable before it returns (throws if it cannot be written). */
  add(key: string, expiresMs: number): void;
  /** Forgets entries expired at `nowMs`. */
  prune(nowMs: number): void;
}

export class NonceStore {
  private readonly seen = new Map<string, number>();
  private nextPruneMs = 0;
  constructor(
    private readonly clock: Clock,
    readonly windowMs: number,
    readonly maxEntries = 1_000_000,
    private readonly log?: NonceLog,
  ) {
    if (log !== undefined) for (const [k, exp] of log.live(clock.nowMs())) this.seen.set(k, exp);
  }

  get size(): number {
    return this.seen.size;
  }

  /** Records the nonce; 'replayed' if this principal used it within the live window. */
  use(principal: string, nonce: string): NonceResult {
    const now = this.clock.nowMs();
    this.evict(now);
    const key = principal + ':' + nonce;
    if (this.seen.has(key)) return 'replayed';
    if (this.seen.size >= this.maxEntries) return 'full';
    const expires = now + 2 * this.windowMs;
    // Written through before it counts: a nonce the log could not keep is not accepted.
    this.log?.add(key, expires);
    this.seen.set(key, expires);
    return 'ok';
  }

  private evict(now: number): void {
    for (const [k, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(k);
    }
    if (this.log !== undefined && now >= this.nextPruneMs) {
      this.nextPruneMs = now + this.windowMs;
      this.log.prune(now);
    }
  }
}
