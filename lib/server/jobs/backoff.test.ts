import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_BACKOFF, retryDelayMs } from "./backoff";

describe("retryDelayMs", () => {
  it("doubles the step per attempt, with jitter in [step/2, step]", () => {
    const backoff = { kind: "exponential" as const, baseMs: 1000, maxMs: 60_000 };
    expect(retryDelayMs(backoff, 1, () => 0)).toBe(500);
    expect(retryDelayMs(backoff, 1, () => 1)).toBe(1000);
    expect(retryDelayMs(backoff, 2, () => 0)).toBe(1000);
    expect(retryDelayMs(backoff, 3, () => 0.5)).toBe(3000);
    // Capped at maxMs, still jittered below it.
    expect(retryDelayMs(backoff, 20, () => 1)).toBe(60_000);
    expect(retryDelayMs(backoff, 20, () => 0)).toBe(30_000);
  });

  it("stays within its bounds for any attempt and any draw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (baseMs, extra, attempt, draw) => {
          const maxMs = baseMs + extra;
          const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 40));
          const d = retryDelayMs({ kind: "exponential", baseMs, maxMs }, attempt, () => draw);
          return d >= Math.floor(step / 2) && d <= Math.ceil(step);
        },
      ),
    );
  });

  it("spreads retries of jobs that failed together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(DEFAULT_BACKOFF, 3)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it("follows a fixed schedule as written and repeats its last delay", () => {
    const fixed = { kind: "fixed" as const, delaysMs: [60_000, 240_000] };
    expect([1, 2, 3, 4].map((a) => retryDelayMs(fixed, a, () => 0.9))).toEqual([
      60_000, 240_000, 240_000, 240_000,
    ]);
    expect(retryDelayMs({ kind: "fixed", delaysMs: [] }, 1)).toBe(0);
  });
});
