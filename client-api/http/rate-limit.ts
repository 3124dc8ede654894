import { errors } from "../../homeserver/errors.js";

/** The `rate_limits` settings. */
export interface RateLimitSettings {
  enabled: boolean;
  per_second: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * A token bucket per requester (user, or IP for unauthenticated routes). Rates are configurable and the
 * whole thing can be switched off, e.g. for tests and benchmarks.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly clock: { now(): number },
  ) {}

  /** Throws M_LIMIT_EXCEEDED with retry_after_ms when `key` has no tokens left. */
  take(key: string): void {
    if (!this.settings.enabled) return;
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.settings.burst, updated: now };
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.settings.per_second);
    bucket.updated = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      throw errors.limitExceeded(Math.ceil(((1 - bucket.tokens) / this.settings.per_second) * 1000));
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 100_000) this.prune(now);
  }

  private prune(now: number): void {
    const fullAfterMs = (this.settings.burst / this.settings.per_second) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.updated > fullAfterMs) this.buckets.delete(key);
  }
}
