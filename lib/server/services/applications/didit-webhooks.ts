import "server-only";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { EnvelopeError, open } from "@/lib/server/crypto/envelope";
import { erasureRequests } from "@/lib/server/db/schema/recalls";
import { connectedApplications, sessionMirror } from "@/lib/server/db/schema/sharing";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError, diditOf, type ServiceContext, type ServiceDeps } from "@/lib/server/kernel";
import { defineJob, PermanentJobError } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { raiseRecall, recallForStatus } from "@/lib/server/services/recalls";
import { diditMeta, syncImportStatus } from "@/lib/server/services/reviews";
import { markMirrorDeleted, upsertMirrorFromDecision } from "@/lib/server/services/sessions";

/**
 * Didit's webhooks for our connected applications (`POST /api/webhooks/didit/{applicationId}`).
 * The route mode verifies the signature over the raw bytes and handles `event_id` once; this module
 * gives it the application's secret, and queues the work so Didit gets its 200 at once. The job
 * notes the event and refreshes the session mirror from the decision (read from Didit: the event's
 * own copy of the decision is never stored, nor put in the job's payload).
 */

export const DIDIT_WEBHOOK_QUEUE = "didit.webhook";
/** Events that change a session: the mirror row is refreshed from its decision. */
const SESSION_EVENTS = new Set(["status.updated", "data.updated"]);

/** What the receiver reads of an event; everything else (the decision, names) is left alone. */
export const diditWebhookEventSchema = z.looseObject({
  webhook_type: z.string({ error: "Required: the event type" }).min(1).max(100),
  session_id: z.uuid({ error: "Must be a session UUID" }).optional().nullable(),
  session_kind: z.enum(["user", "business"], { error: 'Must be "user" or "business"' }).optional().nullable(),
  application_id: z.string().max(100).optional().nullable(),
  status: z.string().max(100).optional().nullable(),
});
export type DiditWebhookEvent = z.infer<typeof diditWebhookEventSchema>;

const diditWebhookJobSchema = z.object({
  applicationId: z.string(),
  eventId: z.string(),
  webhookType: z.string(),
  sessionId: z.string().nullable(),
  sessionKind: z.enum(["user", "business"]),
  receivedAt: z.string(),
});
export type DiditWebhookJob = z.infer<typeof diditWebhookJobSchema>;

const log = () => getLogger().child({ component: "didit-webhooks" });

/**
 * The secrets lookup of the route mode: the application's webhook secret, opened; null for an
 * unknown or deleted application, or one without a registered destination (all answer 401).
 */
export async function diditWebhookSecrets(
  ctx: ServiceContext,
  applicationId: string,
): Promise<{ applicationId: string; secrets: string[] } | null> {
  const [row] = await ctx.db
    .select({ id: connectedApplications.id, secret: connectedApplications.webhookSecretCiphertext })
    .from(connectedApplications)
    .where(and(eq(connectedApplications.id, applicationId), isNull(connectedApplications.deletedAt)))
    .limit(1);
  if (!row?.secret) return null;
  try {
    return { applicationId: row.id, secrets: [open(row.secret, row.id)] };
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    log().error({ applicationId, err: error.message }, "the webhook secret does not decrypt");
    return null;
  }
}

/** The handler: one job with ids and small facts (no personal data), answered 200 at once. */
export async function acceptDiditWebhook(
  ctx: ServiceContext,
  sender: { applicationId: string; eventId: string },
  event: DiditWebhookEvent,
): Promise<{ received: true }> {
  const payload: DiditWebhookJob = {
    applicationId: sender.applicationId,
    eventId: sender.eventId,
    webhookType: event.webhook_type,
    sessionId: event.session_id ? event.session_id.toLowerCase() : null,
    sessionKind: event.session_kind ?? "user",
    receivedAt: ctx.now().toISOString(),
  };
  await diditWebhookJob.enqueue(ctx.db, payload, { now: ctx.now() });
  return { received: true };
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof AppError && error.code === code;
}

/**
 * One event's work: `lastWebhookAt`, then for a session event the decision from Didit into the
 * mirror (a 404: the session was deleted at Didit). A job runs at least once: both steps are
 * idempotent, and the decision read is always the newest, so events handled out of order agree.
 */
// Long on purpose: the two idempotent steps of one event (lastWebhookAt, then the decision into
// the mirror with the recalls it triggers) share the locked mirror row and must stay in order.
export async function processDiditWebhook(
  db: ServiceContext["db"],
  job: DiditWebhookJob,
  deps: ServiceDeps = {},
): Promise<void> {
  const client = diditOf(deps);
  const receivedAt = new Date(job.receivedAt);
  const [app] = await db
    .update(connectedApplications)
    .set({ lastWebhookAt: receivedAt })
    .where(
      and(
        eq(connectedApplications.id, job.applicationId),
        isNull(connectedApplications.deletedAt),
        or(isNull(connectedApplications.lastWebhookAt), lt(connectedApplications.lastWebhookAt, receivedAt)),
      ),
    )
    .returning({ id: connectedApplications.id });
  const [row] = app
    ? [app]
    : await db
        .select({ id: connectedApplications.id })
        .from(connectedApplications)
        .where(and(eq(connectedApplications.id, job.applicationId), isNull(connectedApplications.deletedAt)));
  if (!row) return; // removed meanwhile: nothing to refresh
  if (!SESSION_EVENTS.has(job.webhookType) || !job.sessionId) return;

  const [keyed] = await db
    .select({ id: connectedApplications.id, apiKeyCiphertext: connectedApplications.apiKeyCiphertext })
    .from(connectedApplications)
    .where(eq(connectedApplications.id, job.applicationId));
  if (!keyed?.apiKeyCiphertext) return;
  const caller = { id: keyed.id, apiKeyCiphertext: keyed.apiKeyCiphertext };
  const sessionId = job.sessionId;
  try {
    const decision = await client.getDecision(caller, sessionId);
    await db.transaction(async (tx) => {
      // A source we shared that was declined, expired or moved back to review: its partners are told.
      const before = await mirrorStateOf(tx, job.applicationId, sessionId);
      await upsertMirrorFromDecision(tx, job.applicationId, decision);
      await recallForStatus(tx, diditMeta(new Date(), `webhook:${job.eventId}`), {
        applicationId: job.applicationId,
        sessionId,
        previous: before?.status ?? null,
        status: decision.status,
        source: "webhook",
      });
      // The clone of one of our imports: its status in the review queue, and a sent decision confirmed.
      await syncImportStatus(tx, diditMeta(new Date(), `webhook:${job.eventId}`), {
        applicationId: job.applicationId,
        sessionId,
        status: decision.status,
        source: "webhook",
      });
    });
  } catch (error) {
    if (isCode(error, "not_found")) {
      await db.transaction(async (tx) => {
        const before = await mirrorStateOf(tx, job.applicationId, sessionId);
        await markMirrorDeleted(tx, job.applicationId, sessionId);
        // Deleted at Didit: once (a deletion already seen raises nothing again), and not when our
        // own erasure asked for it (the erasure raises its own recall).
        if (!before?.deletedAt && !(await erasureRunning(tx, job.applicationId, sessionId))) {
          await raiseRecall(tx, diditMeta(new Date(), `webhook:${job.eventId}`), {
            applicationId: job.applicationId,
            sessionId,
            trigger: "deleted",
            fromStatus: before?.status ?? null,
            toStatus: null,
            source: "webhook",
          });
        }
      });
      return;
    }
    if (isCode(error, "key_rejected")) {
      await db
        .update(connectedApplications)
        .set({
          apiKeyError: "Didit refused this application's API key: rotate it on the Applications page.",
          updatedAt: sql`now()`,
        })
        .where(eq(connectedApplications.id, job.applicationId));
      throw new PermanentJobError("Didit refused the application's API key");
    }
    throw error;
  }
}

/** An erasure of this session is under way here (it deleted the session at Didit itself). */
async function erasureRunning(tx: DbOrTx, applicationId: string, sessionId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: erasureRequests.id })
    .from(erasureRequests)
    .where(
      and(
        eq(erasureRequests.applicationId, applicationId),
        eq(erasureRequests.sessionId, sessionId),
        eq(erasureRequests.state, "running"),
      ),
    )
    .limit(1);
  return !!row;
}

/** The mirror row's status and deletion before this event changes them (null: not mirrored). */
async function mirrorStateOf(tx: DbOrTx, applicationId: string, sessionId: string) {
  const [row] = await tx
    .select({ status: sessionMirror.status, deletedAt: sessionMirror.deletedAt })
    .from(sessionMirror)
    .where(and(eq(sessionMirror.applicationId, applicationId), eq(sessionMirror.diditSessionId, sessionId)))
    .limit(1)
    .for("update");
  return row ?? null;
}

/** The queue of Didit's webhook events: one job per event, retried with backoff. */
export const diditWebhookJob = defineJob({
  queue: DIDIT_WEBHOOK_QUEUE,
  payload: diditWebhookJobSchema,
  retry: { maxAttempts: 6, backoff: { kind: "exponential", baseMs: 5_000, maxMs: 15 * 60_000 } },
  handler: (job, payload) => processDiditWebhook(job.db, payload),
});
