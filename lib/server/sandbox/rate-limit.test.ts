import { describe, expect, it } from "vitest";

import { createSandboxRateLimiter, RateLimiter, rateLimitHeaders } from "@/lib/server/sandbox/rate-limit";

const T0 = 1_800_000_000_000; // a multiple of 60 s

describe("RateLimiter", () => {
  it("allows up to the limit within a window, then refuses with Retry-After", () => {
    const rl = new RateLimiter({ limit: 3 });
    expect(rl.hit("k", T0).remaining).toBe(2);
    expect(rl.hit("k", T0 + 1).remaining).toBe(1);
    expect(rl.hit("k", T0 + 2)).toMatchObject({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    const refused = rl.hit("k", T0 + 15_500);
    expect(refused).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetSeconds: 45,
      retryAfterSeconds: 45,
    });
  });

  it("opens a fresh window after the reset", () => {
    const rl = new RateLimiter({ limit: 1 });
    expect(rl.hit("k", T0).allowed).toBe(true);
    expect(rl.hit("k", T0 + 59_999)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(rl.hit("k", T0 + 60_000)).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 60 });
  });

  it("counts keys independently", () => {
    const rl = new RateLimiter({ limit: 1 });
    expect(rl.hit("a", T0).allowed).toBe(true);
    expect(rl.hit("a", T0).allowed).toBe(false);
    expect(rl.hit("b", T0).allowed).toBe(true);
  });

  it("does not count refused requests against the next window", () => {
    const rl = new RateLimiter({ limit: 2 });
    for (let i = 0; i < 50; i++) rl.hit("k", T0 + i);
    expect(rl.hit("k", T0 + 60_000).remaining).toBe(1);
  });

  it("keeps memory bounded: evicts stale buckets and caps the number of keys", () => {
    const rl = new RateLimiter({ limit: 5, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) rl.hit(`key-${i}`, T0);
    expect(rl.size).toBe(100);
    // The newest keys survived, the oldest were evicted (and so start afresh).
    expect(rl.hit("key-999", T0).remaining).toBe(3);
    rl.hit("other", T0 + 60_000);
    expect(rl.size).toBe(1);
  });

  it("rejects nonsensical limits", () => {
    expect(() => new RateLimiter({ limit: 0 })).toThrow(RangeError);
  });
});

describe("createSandboxRateLimiter", () => {
  it("keeps separate budgets for reads and writes with the given limits", () => {
    const rl = createSandboxRateLimiter({ reads: 2, writes: 1 });
    expect(rl.hit("key", "GET", T0).limit).toBe(2);
    expect(rl.hit("key", "post", T0)).toMatchObject({ allowed: true, limit: 1 });
    expect(rl.hit("key", "PATCH", T0).allowed).toBe(false);
    expect(rl.hit("key", "GET", T0).allowed).toBe(true);
    expect(rl.hit("key", "HEAD", T0).allowed).toBe(false);
  });

  it("defaults to 600 reads and 300 writes per minute", () => {
    const rl = createSandboxRateLimiter();
    expect(rl.hit("key", "GET", T0).limit).toBe(600);
    expect(rl.hit("key", "DELETE", T0).limit).toBe(300);
  });
});

describe("rateLimitHeaders", () => {
  it("sets the X-RateLimit trio and Retry-After only when refused", () => {
    const rl = new RateLimiter({ limit: 1 });
    expect(rateLimitHeaders(rl.hit("k", T0 + 30_000))).toEqual({
      "X-RateLimit-Limit": "1",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": "30",
    });
    expect(rateLimitHeaders(rl.hit("k", T0 + 30_000))["Retry-After"]).toBe("30");
  });
});
