import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { SHARE_DELIVERY_TYPE, type ShareDelivery } from "@/lib/schemas/partner-api";
import { EnvelopeError, open } from "@/lib/server/crypto/envelope";
import { partners, shareDeliveries, shares } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import { defineJob, type JobContext } from "@/lib/server/jobs";
import { classifyAnswer, partnerRequest } from "@/lib/server/kernel";
import { getLogger } from "@/lib/server/logger";
import { recordAudit } from "@/lib/server/services/audit";
import { partnerSigningSecret } from "@/lib/server/services/partners";
import { markExpired } from "./expire";
import { DELIVERY_QUEUE, EXPIRY_QUEUE } from "./queues";

/**
 * Delivery of shares on the push channel (`shares.delivery`), and the expiry of every share left
 * pending at its `exp` (`shares.expire`). A push is a POST of `handoff.share.v1` to the partner's
 * inbox URL, signed per Standard Webhooks with a fresh `webhook-id` per attempt (receivers dedupe
 * redeliveries on the token's hash): 2xx delivered, 4xx other than 408/429 failed for good,
 * anything else retried by the queue until the token's `exp` (the job's deadline).
 */

export const PUSH_TIMEOUT_MS = 10_000;
const SYSTEM = { id: null, label: "system" } as const;

type ShareRow = typeof shares.$inferSelect;

/** The body a partner's inbox receives (docs/partner-api.md). */
export function pushBody(share: ShareRow, fromApplicationId: string, token: string): ShareDelivery {
  return {
    type: SHARE_DELIVERY_TYPE,
    share_id: share.id,
    share_token: token,
    session_kind: share.sessionKind,
    from_application_id: fromApplicationId,
    for_application_id: share.forApplicationId,
    expires_at: share.expiresAt.toISOString(),
    manifest: share.manifest,
  };
}

function fromApplicationOf(share: ShareRow): string {
  const claim = share.claims.from_application_id;
  return typeof claim === "string" ? claim : "";
}

type Attempt = { httpStatus: number | null; error: string | null; durationMs: number };

/** Sends once; never throws, never puts the token or the secret in its error text. */
async function send(url: string, body: string, secret: string, messageId: string, signal: AbortSignal) {
  const answer = await partnerRequest({
    method: "POST",
    url,
    body,
    secret,
    messageId,
    signal,
    timeoutMs: PUSH_TIMEOUT_MS,
    read: "discard",
  });
  if (answer.kind === "answer") {
    const ok = answer.status >= 200 && answer.status < 300;
    return {
      httpStatus: answer.status,
      error: ok ? null : `HTTP ${answer.status} from the partner's inbox`,
      durationMs: answer.durationMs,
    } satisfies Attempt;
  }
  const reason =
    answer.why === "timeout"
      ? `no answer from the partner's inbox within ${PUSH_TIMEOUT_MS / 1000} s`
      : answer.why === "interrupted"
        ? "the delivery was interrupted (the worker stopped)"
        : `could not reach the partner's inbox (${answer.code})`;
  return { httpStatus: null, error: reason, durationMs: answer.durationMs } satisfies Attempt;
}

/** 2xx delivered; 4xx other than 408/429 (409 included) refused for good; anything else may succeed later. */
export function classify(status: number | null): "delivered" | "failed" | "retry" {
  const verdict = classifyAnswer(status, { conflict: "final" });
  return verdict === "sent" ? "delivered" : verdict === "final" ? "failed" : "retry";
}

/** One push attempt of one share (the `shares.delivery` job). */
export async function deliverShare(job: JobContext, shareId: string): Promise<void> {
  const db = job.db;
  const now = job.now;
  // Claim the attempt under the row lock: a revoke waits for it or sees this job running.
  const claimed = await db.transaction(async (tx) => {
    const [s] = await tx.select().from(shares).where(eq(shares.id, shareId)).limit(1).for("update");
    if (!s || s.state !== "pending" || s.channel !== "push" || !s.tokenCiphertext) return null;
    if (s.expiresAt <= now) {
      await markExpired(tx, { now }, s.id);
      return null;
    }
    const [partner] = await tx.select().from(partners).where(eq(partners.id, s.partnerId)).limit(1);
    const attempt = s.attempts + 1;
    await tx.update(shares).set({ attempts: attempt, updatedAt: now }).where(eq(shares.id, s.id));
    return { share: s, partner: partner ?? null, attempt };
  });
  if (!claimed) return;
  const { share, partner, attempt } = claimed;

  let refusal: string | null = null;
  if (!partner) refusal = "the partner no longer exists";
  else if (partner.status !== "active") refusal = "the partner was suspended before delivery";
  else if (!partner.pushUrl) refusal = "the partner has no inbox URL";
  const secret = refusal ? null : await partnerSigningSecret(db, partner!.id);
  if (!refusal && !secret) refusal = "the partner has no signing secret: generate one on the partner's page";
  if (refusal) {
    await recordOutcome(
      db,
      share,
      attempt,
      "failed",
      { httpStatus: null, error: refusal, durationMs: 0 },
      now,
    );
    return;
  }

  let token: string;
  try {
    token = open(share.tokenCiphertext!, share.id);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    // Retrying cannot help: the key it was sealed under is gone (HANDOFF_ENCRYPTION_KEY_PREVIOUS?).
    const failure = {
      httpStatus: null,
      error: `the stored token cannot be decrypted: ${error.message}`,
      durationMs: 0,
    };
    await recordOutcome(db, share, attempt, "failed", failure, now);
    return;
  }
  const body = JSON.stringify(pushBody(share, fromApplicationOf(share), token));
  const messageId = `msg_${share.id.replace(/-/g, "")}_${attempt}`;
  const result = await send(partner!.pushUrl!, body, secret!, messageId, job.signal);
  const verdict = classify(result.httpStatus);
  if (verdict === "retry") {
    const willRetry = job.retryAt !== null && job.retryAt < share.expiresAt;
    await recordOutcome(db, share, attempt, willRetry ? "retrying" : "gave_up", result, now);
    if (willRetry) throw new Error(result.error ?? "delivery failed");
    return;
  }
  await recordOutcome(db, share, attempt, verdict, result, now);
}

type Outcome = "delivered" | "failed" | "retrying" | "gave_up";

async function recordOutcome(
  db: Db,
  share: ShareRow,
  attempt: number,
  outcome: Outcome,
  result: Attempt,
  now: Date,
) {
  const finishedAt = new Date(now.getTime() + result.durationMs);
  await db.transaction(async (tx) => {
    await tx.insert(shareDeliveries).values({
      shareId: share.id,
      attempt,
      channel: "push",
      outcome: outcome === "gave_up" ? "retrying" : outcome,
      httpStatus: result.httpStatus,
      error: result.error,
      durationMs: result.durationMs,
      startedAt: now,
      finishedAt,
    });
    const [current] = await tx.select().from(shares).where(eq(shares.id, share.id)).limit(1).for("update");
    if (!current || current.state !== "pending") {
      getLogger().warn(
        { shareId: share.id, state: current?.state, outcome },
        "a push attempt finished after the share left pending",
      );
      return;
    }
    const meta = { actor: SYSTEM, now: finishedAt };
    if (outcome === "delivered") {
      await tx
        .update(shares)
        .set({
          state: "delivered",
          deliveredAt: finishedAt,
          tokenCiphertext: null,
          lastError: null,
          updatedAt: finishedAt,
        })
        .where(eq(shares.id, share.id));
      await recordAudit(tx, meta, {
        action: "share.delivered",
        entityType: "share",
        entityId: share.id,
        data: { channel: "push", attempt, httpStatus: result.httpStatus },
      });
    } else if (outcome === "failed") {
      await tx
        .update(shares)
        .set({ state: "failed", tokenCiphertext: null, lastError: result.error, updatedAt: finishedAt })
        .where(eq(shares.id, share.id));
      await recordAudit(tx, meta, {
        action: "share.delivery_failed",
        entityType: "share",
        entityId: share.id,
        data: { channel: "push", attempt, httpStatus: result.httpStatus, error: result.error },
      });
    } else {
      // Retried by the queue; once no retry fits before `exp`, the expiry job ends it as expired.
      await tx
        .update(shares)
        .set({ lastError: result.error, updatedAt: finishedAt })
        .where(eq(shares.id, share.id));
    }
  });
}

/** The `shares.expire` job, due at the token's `exp`: a share still pending then expires. */
export async function expireShare(job: JobContext, shareId: string): Promise<void> {
  const outcome = await job.db.transaction(async (tx) => {
    const [s] = await tx.select().from(shares).where(eq(shares.id, shareId)).limit(1).for("update");
    if (!s || s.state !== "pending") return "settled";
    if (s.expiresAt > job.now) return "early";
    await markExpired(tx, { now: job.now }, s.id);
    return "expired";
  });
  if (outcome === "early") throw new Error("the token has not expired yet");
}

const sharePayload = z.object({ shareId: z.string() });

/**
 * `shares.delivery`: one push attempt; retried until the token's `exp` (the job's deadline). The
 * enqueue in shares.ts passes the same retry policy (1,000 attempts, exponential 5 s to 5 min).
 */
export const shareDeliveryJob = defineJob({
  queue: DELIVERY_QUEUE,
  payload: sharePayload,
  retry: { maxAttempts: 1000, backoff: { kind: "exponential", baseMs: 5_000, maxMs: 300_000 } },
  handler: (job, { shareId }) => deliverShare(job, shareId),
});

/** `shares.expire`: due at the token's `exp` (queue defaults for retries). */
export const shareExpiryJob = defineJob({
  queue: EXPIRY_QUEUE,
  payload: sharePayload,
  handler: (job, { shareId }) => expireShare(job, shareId),
});
