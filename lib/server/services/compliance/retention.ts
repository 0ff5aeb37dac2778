import "server-only";
import { and, eq, inArray, isNotNull, isNull, lt } from "drizzle-orm";
import type { ApplicationDto, RetentionRunDto, SetRetentionRequest } from "@/lib/schemas/applications";
import { connectedApplications, inboxItems, sessionMirror } from "@/lib/server/db/schema/sharing";
import type { Db, DbOrTx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { z } from "zod";
import { defineJob } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { toApplicationDto } from "@/lib/server/services/applications";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";

/**
 * Retention of the personal data Handoff holds for each connected application: past the period,
 * the mirror's personal fields (name, registration number, vendor_data, search text, country,
 * document type) and finished inbox items' manifests and sealed tokens are removed; the rows stay
 * with their ids, numbers and statuses, so lineage, evidence and the audit trail still resolve.
 * Share rows hold no personal data (claims and manifests are ids, numbers, statuses, features):
 * they are kept. The `retention.enforce` job runs daily (one per day slot, like maintenance), in
 * batches of RETENTION_BATCH rows per statement so a backlog never holds long locks.
 */

export const RETENTION_QUEUE = "retention.enforce";
export const RETENTION_BATCH = 1000;
const DAY_MS = 86_400_000;
/** Inbox items are scrubbed only once nothing more can happen to them. */
const FINAL_INBOX_STATES = ["imported", "rejected", "expired", "failed", "invalid"] as const;

type ApplicationRow = typeof connectedApplications.$inferSelect;

const NOT_FOUND = "No such connected application.";

async function loadLive(db: DbOrTx, id: string, lock = false): Promise<ApplicationRow> {
  const q = db
    .select()
    .from(connectedApplications)
    .where(and(eq(connectedApplications.id, id), isNull(connectedApplications.deletedAt)))
    .limit(1);
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new AppError("not_found", NOT_FOUND);
  return row;
}

/** `PUT /api/applications/{id}/retention`: a period in days (30–3650) or null to keep. */
export async function setApplicationRetention(
  ctx: ServiceContext,
  id: string,
  input: SetRetentionRequest,
): Promise<ApplicationDto> {
  assertCan(ctx, "applications.manage");
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const current = await loadLive(tx, id, true);
    if (current.retentionDays === input.days) return toApplicationDto(current);
    const [updated] = await tx
      .update(connectedApplications)
      .set({ retentionDays: input.days, updatedAt: now })
      .where(eq(connectedApplications.id, id))
      .returning();
    await recordAudit(tx, auditMeta(ctx), {
      action: "application.retention_set",
      entityType: "connected_application",
      entityId: id,
      data: { from: current.retentionDays, to: input.days },
    });
    return toApplicationDto(updated!);
  });
}

/** Personal fields of a mirror row, as retention and erasure leave them. */
export const REDACTED_MIRROR_FIELDS = {
  displayName: null,
  registrationNumber: null,
  vendorData: null,
  searchText: "",
  country: null,
  documentType: null,
} as const;

/** One batch: mirror rows of `applicationId` created before `cutoff`, not yet redacted. */
async function redactMirrorBatch(db: Db, applicationId: string, cutoff: Date, now: Date): Promise<number> {
  const batch = db
    .select({ id: sessionMirror.id })
    .from(sessionMirror)
    .where(
      and(
        eq(sessionMirror.applicationId, applicationId),
        lt(sessionMirror.diditCreatedAt, cutoff),
        isNull(sessionMirror.redactedAt),
      ),
    )
    .limit(RETENTION_BATCH)
    .for("update", { skipLocked: true });
  const rows = await db
    .update(sessionMirror)
    .set({ ...REDACTED_MIRROR_FIELDS, redactedAt: now })
    .where(and(inArray(sessionMirror.id, batch), isNull(sessionMirror.redactedAt)))
    .returning({ id: sessionMirror.id });
  return rows.length;
}

/** One batch: finished inbox items of `applicationId` received before `cutoff`, not yet redacted. */
async function redactInboxBatch(db: Db, applicationId: string, cutoff: Date, now: Date): Promise<number> {
  const batch = db
    .select({ id: inboxItems.id })
    .from(inboxItems)
    .where(
      and(
        eq(inboxItems.applicationId, applicationId),
        lt(inboxItems.receivedAt, cutoff),
        inArray(inboxItems.state, [...FINAL_INBOX_STATES]),
        isNull(inboxItems.redactedAt),
      ),
    )
    .limit(RETENTION_BATCH)
    .for("update", { skipLocked: true });
  const rows = await db
    .update(inboxItems)
    .set({ manifest: null, tokenCiphertext: null, redactedAt: now, updatedAt: now })
    .where(and(inArray(inboxItems.id, batch), isNull(inboxItems.redactedAt)))
    .returning({ id: inboxItems.id });
  return rows.length;
}

async function drain(batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await batch();
    total += n;
    if (n < RETENTION_BATCH) return total;
  }
}

/**
 * Enforces one application's period at `now`: batches until nothing older is left, then one
 * `retention.enforced` audit event with the counts and the cut-off (never a name), and the run
 * recorded on the application. Without a period nothing is removed or written.
 */
export async function enforceRetention(
  db: Db,
  applicationId: string,
  now: Date,
  meta: AuditRequestMeta,
): Promise<RetentionRunDto> {
  const app = await loadLive(db, applicationId);
  const counts = { sessionMirror: 0, inboxItems: 0 };
  if (app.retentionDays === null) {
    return { applicationId, days: null, cutoff: null, counts, ranAt: now.toISOString() };
  }
  const days = app.retentionDays;
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  try {
    counts.sessionMirror = await drain(() => redactMirrorBatch(db, applicationId, cutoff, now));
    counts.inboxItems = await drain(() => redactInboxBatch(db, applicationId, cutoff, now));
  } catch (error) {
    const message = "The retention run stopped before the end: it is tried again on the next run.";
    getLogger()
      .child({ component: "retention", applicationId })
      .error({ err: error instanceof Error ? error.message : String(error) }, "retention run failed");
    await db.transaction(async (tx) => {
      await tx
        .update(connectedApplications)
        .set({ retentionRunAt: now, retentionError: message })
        .where(eq(connectedApplications.id, applicationId));
      // What was removed before the failure is still accounted for.
      await recordAudit(tx, meta, {
        action: "retention.enforced",
        entityType: "connected_application",
        entityId: applicationId,
        data: { days, cutoff: cutoff.toISOString(), counts, complete: false },
      });
    });
    throw new AppError("internal_error", message);
  }
  await db.transaction(async (tx) => {
    await tx
      .update(connectedApplications)
      .set({ retentionRunAt: now, retentionError: null })
      .where(eq(connectedApplications.id, applicationId));
    await recordAudit(tx, meta, {
      action: "retention.enforced",
      entityType: "connected_application",
      entityId: applicationId,
      data: { days, cutoff: cutoff.toISOString(), counts, complete: true },
    });
  });
  return { applicationId, days, cutoff: cutoff.toISOString(), counts, ranAt: now.toISOString() };
}

/** `POST /api/applications/{id}/retention/run`: the run now, for one application (admin). */
export async function runApplicationRetention(ctx: ServiceContext, id: string): Promise<RetentionRunDto> {
  assertCan(ctx, "applications.manage");
  return enforceRetention(ctx.db, id, ctx.now(), auditMeta(ctx));
}

const SYSTEM = (now: Date): AuditRequestMeta => ({
  actor: { id: null, label: "system" },
  now,
  requestId: null,
});

/** The job: every application with a period; one failing does not stop the others. */
export async function runRetentionJob(db: Db, now: Date): Promise<RetentionRunDto[]> {
  const apps = await db
    .select({ id: connectedApplications.id })
    .from(connectedApplications)
    .where(and(isNull(connectedApplications.deletedAt), isNotNull(connectedApplications.retentionDays)));
  const results: RetentionRunDto[] = [];
  for (const { id } of apps) {
    try {
      results.push(await enforceRetention(db, id, now, SYSTEM(now)));
    } catch {
      // Recorded on the application (retentionError) and logged by enforceRetention.
    }
  }
  return results;
}

const slotKey = (at: Date) => `day:${new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS).toISOString()}`;

/** The daily run; each run queues the next day's. */
export const retentionJob = defineJob({
  queue: RETENTION_QUEUE,
  payload: z.object({}),
  handler: async (job) => {
    await runRetentionJob(job.db, job.now);
    await scheduleRetention(job.db, new Date(job.now.getTime() + DAY_MS));
  },
});

/** Queues the run of the day slot `at` falls in (nothing when that slot is already queued). */
export async function scheduleRetention(db: DbOrTx, at: Date): Promise<void> {
  await retentionJob.enqueue(db, {}, { runAt: at, singletonKey: slotKey(at), now: at });
}
