import { describe, expect, it } from "vitest";
import { createLimiter, LimiterWaitTooLong } from "./limiter";

/** A fake clock: sleeping advances time, so every wait is exact and instant. */
function fakeClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    sleeps,
  };
}

describe("per-key limiter", () => {
  it("lets a burst of a tenth of the budget through at once, then paces the rest", async () => {
    const clock = fakeClock();
    const limiter = createLimiter({ readsPerMinute: 600, writesPerMinute: 300, clock });
    for (let i = 0; i < 60; i++) await limiter.acquire("app", "read");
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire("app", "read");
    // 540 a minute refill: one token every 111.1 ms.
    expect(clock.sleeps).toEqual([112]);
  });

  it("never allows more than the budget in any 60 s window", async () => {
    const clock = fakeClock();
    const limiter = createLimiter({ readsPerMinute: 120, writesPerMinute: 60, clock, maxWaitMs: 120_000 });
    const times: number[] = [];
    for (let i = 0; i < 400; i++) {
      await limiter.acquire("app", "write");
      times.push(clock.now());
    }
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(60);
    }
    // And it does not crawl: 400 writes at 60 a minute take about 400 / 60 minutes.
    expect(clock.now() - 1_000_000).toBeLessThan(((400 - 6) / 54) * 60_000 + 2000);
  });

  it("keeps reads and writes, and each caller, in separate buckets", async () => {
    const clock = fakeClock();
    const limiter = createLimiter({ readsPerMinute: 10, writesPerMinute: 10, clock });
    await limiter.acquire("a", "read");
    await limiter.acquire("a", "write");
    await limiter.acquire("b", "read");
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire("a", "read");
    expect(clock.sleeps).toHaveLength(1);
    expect(limiter.size).toBe(3);
  });

  it("queues concurrent callers in order: each reserved turn is one token later", async () => {
    const clock = fakeClock();
    const sleeps: number[] = [];
    const limiter = createLimiter({
      readsPerMinute: 60,
      writesPerMinute: 60,
      clock: { now: clock.now, sleep: async (ms) => void sleeps.push(ms) },
    });
    await Promise.all(Array.from({ length: 5 }, () => limiter.acquire("app", "read")));
    // Burst of 6 would pass, so use 10 at once instead.
    await Promise.all(Array.from({ length: 5 }, () => limiter.acquire("app", "read")));
    // 6 passed at once; the next four wait 1, 2, 3, 4 tokens (54 a minute: 1.11 s each).
    expect(sleeps).toEqual([1112, 2223, 3334, 4445]);
  });

  it("refuses a wait longer than its bound instead of holding the caller", async () => {
    const clock = fakeClock();
    const limiter = createLimiter({ readsPerMinute: 10, writesPerMinute: 10, clock, maxWaitMs: 5000 });
    await limiter.acquire("app", "read"); // the burst of 1
    const error = await limiter.acquire("app", "read").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimiterWaitTooLong);
    expect((error as LimiterWaitTooLong).retryAfterMs).toBe(6667);
    // The refused call took no turn: after the wait the next one goes.
    clock.advance(6667);
    await limiter.acquire("app", "read");
    expect(clock.sleeps).toEqual([]);
  });

  it("forgets buckets that have filled up again when it holds too many", async () => {
    const clock = fakeClock();
    const limiter = createLimiter({ readsPerMinute: 600, writesPerMinute: 300, clock, maxCallers: 3 });
    for (const id of ["a", "b", "c"]) await limiter.acquire(id, "read");
    clock.advance(60_000);
    await limiter.acquire("d", "read");
    expect(limiter.size).toBe(1);
  });
});
