import "server-only";
import { AppError } from "../errors";
import { SignatureRejected } from "./partner";
import { verifyDiditSignature } from "./didit-signature";

/** didit-api.md §6: `|now - X-Timestamp| > 300 s` is refused, and so is a stale body `timestamp`. */
export const DIDIT_TOLERANCE_SECONDS = 300;

const TIMESTAMP_RE = /^\d{1,12}$/;
const EVENT_ID_RE = /^[\x21-\x7e]{1,200}$/;

function within(seconds: number, now: Date): boolean {
  return Math.abs(now.getTime() / 1000 - seconds) <= DIDIT_TOLERANCE_SECONDS;
}

/** Header checks and the signature, over the raw bytes, before anything in the body is trusted. */
export function verifyDiditRequest(
  raw: Uint8Array,
  text: string | null,
  headers: Headers,
  secrets: string[],
  now: Date,
): void {
  const timestamp = headers.get("x-timestamp");
  const v2 = headers.get("x-signature-v2");
  const v1 = headers.get("x-signature");
  if (!timestamp || (!v2 && !v1)) throw new SignatureRejected("missing header");
  if (!TIMESTAMP_RE.test(timestamp) || !within(Number(timestamp), now)) {
    throw new SignatureRejected("X-Timestamp outside the tolerance");
  }
  if (!verifyDiditSignature(raw, text, { v2, v1 }, secrets)) {
    throw new SignatureRejected("no matching signature");
  }
}

/**
 * The verified body's freshness and idempotency key. A stale or missing `timestamp` (Unix seconds)
 * is refused like a stale header (a replay of an old signed body); a body without a usable
 * `event_id` is invalid input (422), as it cannot be deduplicated.
 */
export function diditEventId(payload: unknown, now: Date): string {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new AppError("validation_failed", "Some fields are invalid.", {
      fields: {},
      form: ["A Didit event is a JSON object"],
    });
  }
  const record = payload as { timestamp?: unknown; event_id?: unknown };
  if (typeof record.timestamp !== "number" || !within(record.timestamp, now)) {
    throw new SignatureRejected("body timestamp stale or missing");
  }
  if (typeof record.event_id !== "string" || !EVENT_ID_RE.test(record.event_id)) {
    throw new AppError("validation_failed", "Some fields are invalid.", {
      fields: { event_id: ["Required: a string of 1 to 200 printable ASCII characters"] },
    });
  }
  return record.event_id;
}
