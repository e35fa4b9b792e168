/**
 * Token buckets keyed by a string (an account, an API key, an IP). Time comes from the injected
 * clock so tests control refills. Idle buckets that have refilled completely carry no information
 * and are dropped when the table grows past `maxKeys`.
 */
import type { Clock } from './auth/nonce-store.js';

export interface BucketSpec {
  /** Burst size. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSec: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    private readonly clock: Clock,
    readonly spec: BucketSpec,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes `cost` tokens; returns 0 when allowed, else the milliseconds until it would be. */
  take(key: string, cost = 1): number {
    const now = this.clock.nowMs();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      b = { tokens: this.spec.capacity, at: now };
      this.buckets.set(key, b);
    } else {
      const elapsed = Math.max(0, now - b.at);
      b.tokens = Math.min(this.spec.capacity, b.tokens + (elapsed * this.spec.refillPerSec) / 1000);
      b.at = now;
    }
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - b.tokens) * 1000) / this.spec.refillPerSec);
  }

  private sweep(now: number): void {
    const fullAfterMs = (this.spec.capacity * 1000) / this.spec.refillPerSec;
    for (const [k, b] of this.buckets) if (now - b.at >= fullAfterMs) this.buckets.delete(k);
    // Still full of active keys: drop the oldest half rather than grow without bound.
    if (this.buckets.size >= this.maxKeys) {
      let n = Math.floor(this.maxKeys / 2);
      for (const k of this.buckets.keys()) {
        if (n-- <= 0) break;
        this.buckets.delete(k);
      }
    }
  }
}

export interface RateLimitConfig {
  /** Per account or API key, for reads and order placement. */
  perKey: BucketSpec;
  /** Per key, for cancels: larger, so a client can always pull its quotes. */
  cancelPerKey: BucketSpec;
  /** Per client IP, every request. */
  perIp: BucketSpec;
}

export const defaultRateLimits: RateLimitConfig = {
  perKey: { capacity: 200, refillPerSec: 100 },
  cancelPerKey: { capacity: 1000, refillPerSec: 500 },
  perIp: { capacity: 600, refillPerSec: 300 },
};
