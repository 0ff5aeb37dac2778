import "server-only";

/**
 * In-memory fixed-window rate limiter for the sandbox (Didit: ~600 GET and ~300 writes per minute
 * per key). Windows are aligned to multiples of `windowMs`; the clock is a parameter so tests need
 * no sleeping. Memory is bounded: stale buckets are swept as time passes and at most `maxKeys`
 * buckets are kept (the oldest window goes first).
 */

export type RateLimitResult = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends (X-RateLimit-Reset). */
  resetSeconds: number;
  /** 0 when allowed; otherwise seconds to wait (Retry-After), at least 1. */
  retryAfterSeconds: number;
};

export type RateLimiterOptions = { limit: number; windowMs?: number; maxKeys?: number };

type Bucket = { windowStart: number; count: number };

export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly maxKeys: number;
  // Insertion order = window order: a bucket is re-inserted whenever its window starts anew.
  private readonly buckets = new Map<string, Bucket>();

  constructor({ limit, windowMs = 60_000, maxKeys = 10_000 }: RateLimiterOptions) {
    if (!(limit >= 1) || !(windowMs >= 1) || !(maxKeys >= 1))
      throw new RangeError("Invalid rate limit options");
    this.limit = Math.floor(limit);
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
  }

  /** Counts one request for `key` at `nowMs` (refused requests are not counted). */
  hit(key: string, nowMs: number): RateLimitResult {
    const windowStart = Math.floor(nowMs / this.windowMs) * this.windowMs;
    this.sweep(windowStart);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.windowStart !== windowStart) {
      if (bucket) this.buckets.delete(key);
      bucket = { windowStart, count: 0 };
      this.buckets.set(key, bucket);
      while (this.buckets.size > this.maxKeys) {
        const oldest = this.buckets.keys().next().value as string;
        this.buckets.delete(oldest);
      }
    }
    const resetSeconds = Math.max(1, Math.ceil((windowStart + this.windowMs - nowMs) / 1000));
    if (bucket.count >= this.limit) {
      return {
        allowed: false,
        limit: this.limit,
        remaining: 0,
        resetSeconds,
        retryAfterSeconds: resetSeconds,
      };
    }
    bucket.count++;
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - bucket.count,
      resetSeconds,
      retryAfterSeconds: 0,
    };
  }

  /** Number of buckets held (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(currentWindow: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.windowStart >= currentWindow) break;
      this.buckets.delete(key);
    }
  }
}

export type SandboxRateLimiterOptions = {
  reads?: number;
  writes?: number;
  windowMs?: number;
  maxKeys?: number;
};

/** Two limiters per API key: GET/HEAD count as reads, every other method as writes. */
export function createSandboxRateLimiter(options: SandboxRateLimiterOptions = {}) {
  const { reads = 600, writes = 300, windowMs = 60_000, maxKeys = 10_000 } = options;
  const readLimiter = new RateLimiter({ limit: reads, windowMs, maxKeys });
  const writeLimiter = new RateLimiter({ limit: writes, windowMs, maxKeys });
  return {
    hit(key: string, method: string, nowMs: number): RateLimitResult {
      const m = method.toUpperCase();
      return (m === "GET" || m === "HEAD" ? readLimiter : writeLimiter).hit(key, nowMs);
    },
  };
}

/** The headers a response carries: always the X-RateLimit trio, plus Retry-After when refused. */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  const headers: Record<string, string> = {
    "X-RateLimit-Limit": String(result.limit),
    "X-RateLimit-Remaining": String(result.remaining),
    "X-RateLimit-Reset": String(result.resetSeconds),
  };
  if (!result.allowed) headers["Retry-After"] = String(result.retryAfterSeconds);
  return headers;
}
