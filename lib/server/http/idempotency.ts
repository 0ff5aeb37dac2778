import "server-only";
import { createHash } from "node:crypto";
import { canonicalJson } from "@/lib/server/crypto/canonical-json";
import { loggableError } from "@/lib/server/db/errors";
import type { getLogger } from "@/lib/server/logger";
import type { ServiceContext } from "@/lib/server/kernel";
import {
  claimIdempotencyKey,
  recordIdempotentAnswer,
  releaseIdempotencyKey,
  type StoredAnswer,
} from "@/lib/server/http/idempotency-keys";
import { AppError } from "./errors";

/**
 * `Idempotency-Key` with Stripe's semantics, for any session route that opts in (`idempotent:
 * true` on apiRoute): the first request with a key runs; the same request again within 24 hours
 * gets the stored status and body with `Idempotent-Replayed: true` and runs nothing; the key with
 * another request is 422 `idempotency_key_reused`; a repeat while the first runs is 409
 * `idempotency_in_progress`. Keys are the caller's own. Only a final outcome is stored (2xx, 4xx
 * but 429): after a 5xx, a 429 or a crash the key is retryable. Input refused before the handler
 * runs (authentication, validation) is not stored either, as with Stripe.
 */
export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";

const PRINTABLE_ASCII = /^[\x20-\x7e]{1,255}$/;
/** Headers worth replaying; nothing that could carry a credential. */
const REPLAYED_HEADERS = ["content-type", "cache-control", "location"] as const;

/** The request's key, null when it sent none; 422 when the value is not 1–255 printable ASCII. */
export function idempotencyKeyFrom(headers: Headers): string | null {
  const value = headers.get(IDEMPOTENCY_HEADER);
  if (value === null) return null;
  if (!PRINTABLE_ASCII.test(value)) {
    throw new AppError("validation_failed", "The Idempotency-Key header is invalid.", {
      fields: { "Idempotency-Key": ["Must be 1 to 255 printable ASCII characters."] },
    });
  }
  return value;
}

/** What a key must match on a repeat: the same method, path and JSON body (key order aside). */
export function requestFingerprint(method: string, path: string, json: unknown): string {
  const body = json === undefined ? "" : canonicalJson(json);
  return createHash("sha256").update(`${method.toUpperCase()} ${path}\n${body}`).digest("hex");
}

export type HeldKey = { scope: string; key: string; lockId: string };

/**
 * Claims the key for this request: the lease to run it, or the Response to answer instead (the
 * replayed answer). Refusals are thrown as AppError.
 */
export async function beginIdempotent(
  ctx: ServiceContext,
  input: { key: string; req: Request; json: unknown },
): Promise<HeldKey | Response> {
  if (!ctx.actor) throw new Error("beginIdempotent: an idempotent route needs a signed-in caller");
  const scope = `user:${ctx.actor.id}`;
  const method = input.req.method.toUpperCase();
  const path = new URL(input.req.url).pathname;
  const claim = await claimIdempotencyKey(ctx, {
    scope,
    key: input.key,
    method,
    path,
    fingerprint: requestFingerprint(method, path, input.json),
  });
  switch (claim.kind) {
    case "run":
      return { scope, key: input.key, lockId: claim.lockId };
    case "replay":
      return new Response(claim.answer.body || null, {
        status: claim.answer.status,
        headers: { ...claim.answer.headers, [REPLAYED_HEADER]: "true" },
      });
    case "reused":
      throw new AppError(
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request: use a new key for a new request.",
      );
    case "in_progress":
      throw new AppError(
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still being processed: wait for it, then retry with the same key.",
      );
  }
}

/**
 * Stores a final answer for replay, or gives the key back after one that is not final. Never
 * throws: the caller's answer stands; a key left unrecorded becomes retryable when its lease ends.
 */
export async function settleIdempotent(
  ctx: ServiceContext,
  held: HeldKey,
  response: Response,
  log: Pick<ReturnType<typeof getLogger>, "error">,
): Promise<void> {
  try {
    if (response.status >= 500 || response.status === 429) {
      await releaseIdempotencyKey(ctx, held);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const answer: StoredAnswer = { status: response.status, headers, body: await response.clone().text() };
    await recordIdempotentAnswer(ctx, { ...held, answer });
  } catch (err) {
    log.error({ err: loggableError(err) }, "could not settle an idempotency key");
  }
}
