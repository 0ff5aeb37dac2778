import "server-only";

/**
 * The client's own rate limiter: a token bucket per caller (connected application) and per kind
 * of call (reads = GET, writes = the rest), so Handoff keeps under Didit's per-key budget (about
 * 600 reads and 300 writes a minute) instead of collecting 429s. A call without a token waits for
 * one (its turn is reserved, so waiters are served in order); a wait longer than `maxWaitMs` fails
 * at once. In-process: several console instances each keep their own buckets, so together they may
 * spend up to N times the budget (configure DIDIT_RATE_LIMIT_* per instance accordingly).
 *
 * Any 60 s window sees at most `perMinute` calls: the bucket holds `burst` tokens and refills
 * `perMinute - burst` a minute.
 */

export type LimiterClock = { now: () => number; sleep: (ms: number) => Promise<void> };

export type LimiterOptions = {
  readsPerMinute: number;
  writesPerMinute: number;
  /** Longest a call waits for its turn before failing (rate_limited). */
  maxWaitMs?: number;
  /** Share of the budget usable at once (default 1/10). */
  burstFraction?: number;
  clock?: Partial<LimiterClock>;
  /** Buckets kept at most; idle full ones go first. */
  maxCallers?: number;
};

type Bucket = { tokens: number; updatedAt: number };

export class LimiterWaitTooLong extends Error {
  constructor(readonly retryAfterMs: number) {
    super("rate limiter wait too long");
    this.name = "LimiterWaitTooLong";
  }
}

class TokenBucket {
  readonly burst: number;
  readonly perMs: number;
  constructor(perMinute: number, burstFraction: number) {
    this.burst = Math.max(1, Math.floor(perMinute * burstFraction));
    this.perMs = Math.max(perMinute - this.burst, 1) / 60_000;
  }

  fill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.perMs);
    bucket.updatedAt = now;
  }

  /** Reserves one token; returns how long to wait for it (0 = now). */
  reserve(bucket: Bucket, now: number, maxWaitMs: number): number {
    this.fill(bucket, now);
    const wait = bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.perMs);
    if (wait > maxWaitMs) throw new LimiterWaitTooLong(wait);
    bucket.tokens -= 1;
    return wait;
  }
}

export type DiditLimiter = {
  /** Waits for the caller's turn; throws LimiterWaitTooLong when that would exceed the bound. */
  acquire(callerId: string, kind: "read" | "write"): Promise<void>;
  /** Buckets held (tests, diagnostics). */
  readonly size: number;
};

export function createLimiter(options: LimiterOptions): DiditLimiter {
  const now = options.clock?.now ?? (() => Date.now());
  const sleep = options.clock?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWaitMs = options.maxWaitMs ?? 15_000;
  const burstFraction = options.burstFraction ?? 0.1;
  const maxCallers = options.maxCallers ?? 10_000;
  const shapes = {
    read: new TokenBucket(options.readsPerMinute, burstFraction),
    write: new TokenBucket(options.writesPerMinute, burstFraction),
  };
  const buckets = new Map<string, Bucket>();

  function bucketOf(key: string, kind: "read" | "write", at: number): Bucket {
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= maxCallers) {
        // Drop buckets that are full again: forgetting them changes nothing.
        for (const [k, b] of buckets) {
          const shape = shapes[k.endsWith(":write") ? "write" : "read"];
          shape.fill(b, at);
          if (b.tokens >= shape.burst) buckets.delete(k);
        }
      }
      bucket = { tokens: shapes[kind].burst, updatedAt: at };
      buckets.set(key, bucket);
    }
    return bucket;
  }

  return {
    async acquire(callerId, kind) {
      const at = now();
      const wait = shapes[kind].reserve(bucketOf(`${callerId}:${kind}`, kind, at), at, maxWaitMs);
      if (wait > 0) await sleep(wait);
    },
    get size() {
      return buckets.size;
    },
  };
}
