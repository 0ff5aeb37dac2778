import "server-only";
import type { DiditOperation } from "./errors";

/**
 * Which failures a call may be retried on (docs/didit-client.md has the table):
 * - `safe`: reads, DELETE and the PATCH of a destination (repeating them changes nothing more):
 *   connection errors (also a connection dropped mid-answer), 5xx and 429;
 * - `refused-only`: writes whose repetition would do something again (share mints another token,
 *   update-status appends another review, a destination is created twice): only when Didit cannot
 *   have acted: a 429 (throttled before the view) or a connection that never opened;
 * - `never`: import. A lost answer is reconciled by the caller (list by vendor_data), never by a
 *   second import.
 * Timeouts are not retried: the caller already waited the whole timeout.
 */
export type RetryClass = "safe" | "refused-only" | "never";

export const RETRY_CLASS: Record<DiditOperation, RetryClass> = {
  listSessions: "safe",
  getDecision: "safe",
  listWebhookDestinations: "safe",
  getWebhookDestination: "safe",
  deleteSession: "safe",
  deleteWebhookDestination: "safe",
  updateWebhookDestination: "safe",
  share: "refused-only",
  updateStatus: "refused-only",
  createWebhookDestination: "refused-only",
  importShared: "never",
};

/** What went wrong with one attempt. */
export type AttemptFailure =
  | { kind: "status"; status: number; retryAfterMs: number | null }
  /** The connection never opened: the request cannot have reached Didit. */
  | { kind: "connect" }
  /** The connection failed after the request may have been sent (reset, dropped mid-answer). */
  | { kind: "network" }
  | { kind: "timeout" };

export function isRetryable(cls: RetryClass, failure: AttemptFailure): boolean {
  if (cls === "never" || failure.kind === "timeout") return false;
  if (failure.kind === "connect") return true;
  if (failure.kind === "network") return cls === "safe";
  if (failure.status === 429) return true;
  return cls === "safe" && failure.status >= 500;
}

/** Error codes of a connection that never opened (undici's and the OS's). */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Whether a fetch error (TypeError "fetch failed" with a cause chain) is a connect failure. */
export function isConnectError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECT_CODES.has(code)) return true;
    const errors = (current as { errors?: unknown }).errors;
    // AggregateError of a dual-stack connect (every address refused).
    if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => isConnectError(e))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** `Retry-After`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^[A-Za-z]{3}, /.test(trimmed)) return null; // an IMF-fixdate: `Tue, 01 Dec 2026 12:00:00 GMT`
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

export type BackoffOptions = { baseMs: number; capMs: number; random: () => number };

/**
 * The wait before retry `n` (1 = the first retry): exponential with "equal jitter", so retries
 * of many callers spread out but never collapse to zero. A Retry-After wins when given.
 */
export function retryDelayMs(
  n: number,
  retryAfterMs: number | null,
  { baseMs, capMs, random }: BackoffOptions,
): number {
  if (retryAfterMs !== null) return retryAfterMs + Math.floor(random() * Math.min(1000, baseMs));
  const exp = Math.min(capMs, baseMs * 2 ** (n - 1));
  return Math.floor(exp / 2 + random() * (exp / 2));
}
