import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { connectedApplications } from "@/lib/server/db/schema/sharing";
import { jobs } from "@/lib/server/db/schema/jobs";
import type { Db, DbOrTx } from "@/lib/server/db/types";
import { z } from "zod";
import { AppError, diditOf, type ServiceDeps } from "@/lib/server/kernel";
import { defineJob, PermanentJobError, type JobContext, type JobDefinition } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { upsertMirrorRows } from "./mirror";

/**
 * Fills the session mirror from Didit's list API, newest first. A backfill walks every page with
 * visible progress on the application's row (sync_total, sync_done); an incremental pass walks
 * from the newest until it reaches what an earlier pass mirrored (sync_high_water, less an overlap).
 * Each page commits on its own, and a pass is a chain of bounded jobs: each job carries the offset
 * it starts at and hands the rest to the next, so a crash resumes where the last page committed.
 *
 * One sync per application at a time: every job of a pass holds the singleton key `app:<id>`.
 * A job hands the key over to its continuation in the transaction that enqueues it (it clears its
 * own row's key first), so the key is never free mid-pass, and a re-run of a job that already
 * handed over (its worker died before marking it done) sees its key gone and stops.
 *
 * Every 15 minutes a tick (queue `sessions.sync-tick`, key `tick:<id>`, handed over the same way)
 * queues an incremental pass; webhooks keep the mirror fresh in between.
 */

export const SYNC_QUEUE = "sessions.sync";
export const SYNC_TICK_QUEUE = "sessions.sync-tick";
export const SYNC_INTERVAL_MS = 15 * 60_000;
/**
 * Rows per list call. The sandbox serves up to 1000; an upstream that caps lower still works (the
 * next offset follows what it returned). 500 halves the backfill time of 100 (bench/results/sync.md).
 */
export const SYNC_PAGE_SIZE = 500;
/** An incremental pass goes this far below the high-water mark (clock skew, late commits). */
export const SYNC_OVERLAP_MS = 5 * 60_000;
/** A job's share of a pass: then it hands over to a new job. */
const PAGES_PER_JOB = 50;
const JOB_TIME_BUDGET_MS = 60_000;
const SYNC_MAX_ATTEMPTS = 8;

export type SyncMode = "backfill" | "incremental";

const syncPayloadSchema = z.object({
  applicationId: z.string(),
  mode: z.enum(["backfill", "incremental"]),
  /** The list offset this job starts at. */
  offset: z.number().int().min(0),
  /** The newest `created_at` seen by this pass (its first page), ISO. */
  newest: z.string().nullable().optional(),
  /** Incremental: stop below this (ISO); fixed when the pass starts. */
  stopBelow: z.string().nullable().optional(),
});
type SyncPayload = z.infer<typeof syncPayloadSchema>;

const syncKey = (applicationId: string) => `app:${applicationId}`;
const tickKey = (applicationId: string) => `tick:${applicationId}`;

function log() {
  return getLogger().child({ component: "session-sync" });
}

/**
 * Queues a sync pass for the application (inside the caller's transaction). Nothing when one is
 * already queued or running, or when the application is deleted or has no key. An incremental
 * pass of an application never backfilled is a backfill. Also makes sure its 15-minute tick runs.
 */
export async function enqueueSessionSync(
  tx: DbOrTx,
  applicationId: string,
  options: { mode: SyncMode },
  now: Date = new Date(),
): Promise<void> {
  const [app] = await tx
    .select({
      id: connectedApplications.id,
      apiKeyCiphertext: connectedApplications.apiKeyCiphertext,
      backfilledAt: connectedApplications.syncBackfilledAt,
      highWater: connectedApplications.syncHighWater,
      state: connectedApplications.syncState,
    })
    .from(connectedApplications)
    .where(and(eq(connectedApplications.id, applicationId), isNull(connectedApplications.deletedAt)))
    .limit(1);
  if (!app || !app.apiKeyCiphertext) return;
  const mode: SyncMode =
    options.mode === "incremental" && app.backfilledAt && app.highWater ? "incremental" : "backfill";
  const queued = await sessionSyncJob.enqueue(
    tx,
    { applicationId, mode, offset: 0 },
    { singletonKey: syncKey(applicationId), now },
  );
  if (queued) {
    await tx
      .update(connectedApplications)
      .set({ syncState: "queued", updatedAt: now })
      .where(eq(connectedApplications.id, applicationId));
  }
  await sessionSyncTickJob.enqueue(
    tx,
    { applicationId },
    { singletonKey: tickKey(applicationId), runAt: new Date(now.getTime() + SYNC_INTERVAL_MS), now },
  );
}

/** Does this job still hold its singleton key (false: it already handed over to a successor)? */
async function holdsKey(db: DbOrTx, jobId: string, key: string): Promise<boolean> {
  const [row] = await db.select({ key: jobs.singletonKey }).from(jobs).where(eq(jobs.id, jobId)).limit(1);
  return row?.key === key;
}

/** Releases this job's singleton key and enqueues its successor under it, atomically (in `tx`). */
async function handOver<P>(
  tx: DbOrTx,
  job: JobContext,
  next: JobDefinition<P>,
  payload: P,
  options: { singletonKey: string; runAt?: Date; now: Date },
) {
  await tx
    .update(jobs)
    .set({ singletonKey: null })
    .where(and(eq(jobs.id, job.jobId), eq(jobs.singletonKey, options.singletonKey)));
  await next.enqueue(tx, payload, options);
}

export type SyncRunOptions = ServiceDeps & { pageSize?: number; pagesPerJob?: number };

function syncErrorMessage(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return "The sync failed unexpectedly; it is retried automatically (see the server log).";
}

/** Incremental: where the pass stops (fixed by its first job, carried by the next ones). */
function stopBelowOf(payload: SyncPayload, highWater: Date | null): Date | null {
  if (payload.stopBelow !== undefined) return payload.stopBelow ? new Date(payload.stopBelow) : null;
  return highWater ? new Date(highWater.getTime() - SYNC_OVERLAP_MS) : null;
}

/** The application's row shows the pass running; its first job resets the progress. */
async function markRunning(
  db: Db,
  job: JobContext,
  applicationId: string,
  offset: number,
  backfill: boolean,
) {
  await db
    .update(connectedApplications)
    .set({
      syncState: "running",
      syncError: null,
      updatedAt: job.now,
      ...(offset === 0
        ? {
            syncStartedAt: job.now,
            syncFinishedAt: null,
            ...(backfill ? { syncDone: 0, syncTotal: null } : {}),
          }
        : {}),
    })
    .where(eq(connectedApplications.id, applicationId));
}

/** The end of a pass: idle again, and the high-water mark raised to the newest row seen. */
async function finishPass(db: Db, applicationId: string, backfill: boolean, newest: Date | null) {
  const done = new Date();
  await db
    .update(connectedApplications)
    .set({
      syncState: "idle",
      syncError: null,
      syncFinishedAt: done,
      updatedAt: done,
      ...(backfill ? { syncBackfilledAt: done } : {}),
      ...(newest
        ? {
            syncHighWater: sql`greatest(${connectedApplications.syncHighWater}, ${newest.toISOString()}::timestamptz)`,
          }
        : {}),
    })
    .where(eq(connectedApplications.id, applicationId));
}

/** One job of a pass: up to PAGES_PER_JOB pages, then a hand-over, or the end of the pass. */
// About 80 lines: the page loop, its failure handling and the hand-over share the pass state
// (offset, newest, stopBelow); the row updates around it live in their own functions.
export async function runSessionSyncJob(
  job: JobContext,
  payload: SyncPayload,
  options: SyncRunOptions = {},
): Promise<void> {
  const db: Db = job.db;
  const key = syncKey(payload.applicationId);
  if (!(await holdsKey(db, job.jobId, key))) return;
  const [app] = await db
    .select()
    .from(connectedApplications)
    .where(and(eq(connectedApplications.id, payload.applicationId), isNull(connectedApplications.deletedAt)))
    .limit(1);
  if (!app || !app.apiKeyCiphertext) {
    // Deleted, or its key removed, since the job was queued: nothing to sync with.
    if (app) {
      await db
        .update(connectedApplications)
        .set({ syncState: "idle", updatedAt: job.now })
        .where(eq(connectedApplications.id, app.id));
    }
    return;
  }
  const caller = { id: app.id, apiKeyCiphertext: app.apiKeyCiphertext };
  const didit = diditOf(options);
  const pageSize = options.pageSize ?? SYNC_PAGE_SIZE;
  const pagesPerJob = options.pagesPerJob ?? PAGES_PER_JOB;
  const backfill = payload.mode === "backfill";
  const startedAt = Date.now();

  let offset = payload.offset;
  let newest = payload.newest ? new Date(payload.newest) : null;
  const stopBelow = stopBelowOf(payload, app.syncHighWater);
  await markRunning(db, job, app.id, offset, backfill);

  let finished = false;
  try {
    for (let pages = 0; pages < pagesPerJob && !finished; pages++) {
      if (job.signal.aborted || Date.now() - startedAt > JOB_TIME_BUDGET_MS) break;
      const page = await didit.listSessions(caller, { kind: "all", limit: pageSize, offset });
      const rows = page.results;
      for (const r of rows) if (!newest || r.createdAt > newest) newest = r.createdAt;
      const reachedKnown = !backfill && !!stopBelow && rows.some((r) => r.createdAt < stopBelow);
      finished = page.nextOffset === null || rows.length === 0 || reachedKnown;
      const nextOffset = page.nextOffset ?? offset + rows.length;
      await db.transaction(async (tx) => {
        await upsertMirrorRows(tx, app.id, rows);
        await tx
          .update(connectedApplications)
          .set({
            ...(backfill ? { syncTotal: page.count, syncDone: Math.min(nextOffset, page.count) } : {}),
            apiKeyError: null,
            updatedAt: new Date(),
          })
          .where(eq(connectedApplications.id, app.id));
      });
      offset = nextOffset;
    }
  } catch (error) {
    await recordFailure(db, job, app.id, error);
    throw error instanceof AppError && error.code === "key_rejected"
      ? new PermanentJobError(error.message)
      : error;
  }

  if (!finished) {
    await db.transaction(async (tx) => {
      const next: SyncPayload = {
        applicationId: app.id,
        mode: payload.mode,
        offset,
        newest: newest?.toISOString() ?? null,
        stopBelow: stopBelow ? stopBelow.toISOString() : null,
      };
      // Due at once: the claim time of this job is already past.
      await handOver(tx, job, sessionSyncJob, next, { singletonKey: key, now: job.now });
    });
    return;
  }
  await finishPass(db, app.id, backfill, newest);
  log().info({ applicationId: app.id, mode: payload.mode, offset }, "session sync pass finished");
}

/**
 * A failed page: a rejected key fails the pass at once (an admin must replace the key); anything
 * else (rate limited, Didit unavailable) is retried by the queue, and fails the pass on the last try.
 */
async function recordFailure(db: Db, job: JobContext, applicationId: string, error: unknown) {
  const message = syncErrorMessage(error);
  const keyRejected = error instanceof AppError && error.code === "key_rejected";
  const last = keyRejected || job.retryAt === null;
  await db
    .update(connectedApplications)
    .set({
      syncState: last ? "failed" : "running",
      syncError: last ? message : `${message} (retrying at ${job.retryAt!.toISOString()})`,
      ...(keyRejected ? { apiKeyError: message } : {}),
      ...(last ? { syncFinishedAt: new Date() } : {}),
      updatedAt: new Date(),
    })
    .where(eq(connectedApplications.id, applicationId));
  log().warn(
    {
      applicationId,
      attempt: job.attempt,
      code: error instanceof AppError ? error.code : "internal",
      final: last,
    },
    "session sync page failed",
  );
}

/** The 15-minute tick: hands over to the next tick, then queues an incremental pass. */
export async function runSessionSyncTick(job: JobContext, payload: { applicationId: string }): Promise<void> {
  const key = tickKey(payload.applicationId);
  if (!(await holdsKey(job.db, job.jobId, key))) return;
  const [app] = await job.db
    .select({ id: connectedApplications.id })
    .from(connectedApplications)
    .where(and(eq(connectedApplications.id, payload.applicationId), isNull(connectedApplications.deletedAt)))
    .limit(1);
  // A deleted application's ticks end here.
  if (!app) return;
  await job.db.transaction(async (tx) => {
    await handOver(
      tx,
      job,
      sessionSyncTickJob,
      { applicationId: app.id },
      { singletonKey: key, runAt: new Date(job.now.getTime() + SYNC_INTERVAL_MS), now: job.now },
    );
    await enqueueSessionSync(tx, app.id, { mode: "incremental" }, job.now);
  });
}

/** One job of a sync pass (a chain of them under the key `app:<id>`). */
export const sessionSyncJob = defineJob({
  queue: SYNC_QUEUE,
  payload: syncPayloadSchema,
  retry: {
    maxAttempts: SYNC_MAX_ATTEMPTS,
    backoff: { kind: "exponential", baseMs: 15_000, maxMs: 15 * 60_000 },
  },
  handler: (job, payload) => runSessionSyncJob(job, payload),
});

/** The 15-minute tick of one application (default retry policy, as before). */
export const sessionSyncTickJob = defineJob({
  queue: SYNC_TICK_QUEUE,
  payload: z.object({ applicationId: z.string() }),
  handler: (job, payload) => runSessionSyncTick(job, payload),
});
