import { ApiError } from "./api-fetch";

/**
 * The `Idempotency-Key` of one confirmation (a share, an import, a decision), kept per tab in
 * sessionStorage under a scope naming the action and its choices: a retry of the same
 * confirmation (after a lost answer, a 5xx, a reload) sends the same key, so the server replays
 * the first outcome instead of acting twice; other choices make another scope, so a new key.
 */
const PREFIX = "handoff.idempotency-key:";
const memory = new Map<string, string>();

function newKey(): string {
  // getRandomValues, not randomUUID: the latter needs a secure context (a console on plain http).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function confirmationKey(scope: string): string {
  try {
    const stored = window.sessionStorage.getItem(PREFIX + scope);
    if (stored) return stored;
    const key = newKey();
    window.sessionStorage.setItem(PREFIX + scope, key);
    return key;
  } catch {
    // Storage refused (a private mode): the key lives as long as the page.
    let key = memory.get(scope);
    if (!key) memory.set(scope, (key = newKey()));
    return key;
  }
}

/**
 * Forgets the key once its outcome is final for the user: a success (a new confirmation is a new
 * action) or a refusal (4xx, shown; trying again after fixing its cause is a new attempt). A
 * network error, a 5xx or "still in progress" keeps it, so the retry is the same request.
 */
export function settleConfirmationKey(scope: string, error?: unknown): void {
  if (error !== undefined) {
    const final =
      error instanceof ApiError &&
      error.status >= 400 &&
      error.status < 500 &&
      error.status !== 429 &&
      !error.is("idempotency_in_progress");
    if (!final) return;
  }
  memory.delete(scope);
  try {
    window.sessionStorage.removeItem(PREFIX + scope);
  } catch {
    // Nothing stored.
  }
}

/** The request header for a key (none without one). */
export function idempotencyHeader(key: string | undefined): Record<string, string> {
  return key ? { "idempotency-key": key } : {};
}
