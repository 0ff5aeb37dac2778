import "server-only";
import type { JobBackoff } from "@/lib/server/db/schema/jobs";

/** The default for jobs that name none: 10 s, 20 s, 40 s … capped at one hour, with jitter. */
export const DEFAULT_BACKOFF: JobBackoff = { kind: "exponential", baseMs: 10_000, maxMs: 3_600_000 };
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * How long to wait after failed attempt number `attempt` (1-based). Exponential backoff uses
 * "equal jitter": a uniform draw in [d/2, d] for d = min(maxMs, baseMs · 2^(attempt-1)), so retries
 * of jobs that failed together spread out but never come back sooner than half the step. A fixed
 * schedule is used as written; past its end the last delay repeats.
 */
export function retryDelayMs(
  backoff: JobBackoff,
  attempt: number,
  random: () => number = Math.random,
): number {
  if (backoff.kind === "fixed") {
    const delays = backoff.delaysMs;
    if (delays.length === 0) return 0;
    return delays[Math.min(Math.max(attempt, 1), delays.length) - 1]!;
  }
  const step = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(step / 2 + (step / 2) * random());
}
