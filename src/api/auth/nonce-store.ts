/**
 * Remembers (principal, nonce) pairs long enough to refuse replays, and no longer: a request is
 * only accepted when its timestamp is within ±window of now, so a nonce seen at `now` can only be
 * replayed successfully until now + 2×window. Entries expire in insertion order (the clock is
 * monotone), so eviction is a walk from the front of a Map. The size is capped: when full, new
 * nonces are refused as retryable instead of evicting live entries (evicting would reopen replays).
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export type NonceResult = 'ok' | 'replayed' | 'full';

export class NonceStore {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly clock: Clock,
    readonly windowMs: number,
    readonly maxEntries = 1_000_000,
  ) {}

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
    this.seen.set(key, now + 2 * this.windowMs);
    return 'ok';
  }

  private evict(now: number): void {
    for (const [k, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(k);
    }
  }
}
