import "server-only";
import { and, isNotNull, lt, or } from "drizzle-orm";
import { userSessions } from "@/lib/server/db/schema";
import type { Db, DbOrTx } from "@/lib/server/db/types";
import { z } from "zod";
import { defineJob } from "@/lib/server/jobs";
import { systemContext } from "@/lib/server/kernel";
import { IDEMPOTENCY_WINDOW_MS, pruneIdempotencyKeys } from "@/lib/server/http/idempotency-keys";
import { pruneInboundMessages } from "@/lib/server/services/partners";

/**
 * Hourly housekeeping on the job queue: forget replay ids long past every signature window and
 * idempotency keys past their 24 hours, and delete session rows that ended a while ago (their
 * sign-ins and sign-outs stay in the audit trail).
 * One job per hour slot: the singleton key makes instances that boot together schedule it once.
 */
export const MAINTENANCE_QUEUE = "maintenance.prune";
const HOUR_MS = 3_600_000;
/** Replays older than the 5-minute window are refused as stale anyway; a day is ample margin. */
export const INBOUND_ID_RETENTION_MS = 24 * HOUR_MS;
/** Ended sessions are kept a while so an admin can see recent sign-outs on the row. */
export const ENDED_SESSION_RETENTION_MS = 30 * 24 * HOUR_MS;

const slotKey = (at: Date) => `hour:${new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS).toISOString()}`;

/** Queues the run of the hour slot `at` falls in (nothing when that slot is already queued). */
export async function scheduleMaintenance(db: DbOrTx, at: Date): Promise<void> {
  await maintenanceJob.enqueue(db, {}, { runAt: at, singletonKey: slotKey(at), now: at });
}

export type MaintenanceResult = { inboundIds: number; sessions: number; idempotencyKeys: number };

export async function runMaintenance(db: Db, now: Date): Promise<MaintenanceResult> {
  const inboundIds = await pruneInboundMessages(
    systemContext(db, () => now),
    {
      olderThan: new Date(now.getTime() - INBOUND_ID_RETENTION_MS),
    },
  );
  // Past its 24-hour window a key is a new key anyway: its stored answer is no longer needed.
  const idempotencyKeys = await pruneIdempotencyKeys(
    systemContext(db, () => now),
    {
      olderThan: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS),
    },
  );
  const before = new Date(now.getTime() - ENDED_SESSION_RETENTION_MS);
  const sessions = await db
    .delete(userSessions)
    .where(
      or(
        lt(userSessions.expiresAt, before),
        and(isNotNull(userSessions.revokedAt), lt(userSessions.revokedAt, before)),
      ),
    )
    .returning({ id: userSessions.id });
  return { inboundIds, sessions: sessions.length, idempotencyKeys };
}

/** The hourly run (default retry policy); each run queues the next hour's. */
export const maintenanceJob = defineJob({
  queue: MAINTENANCE_QUEUE,
  payload: z.object({}),
  handler: async (job) => {
    await runMaintenance(job.db, job.now);
    await scheduleMaintenance(job.db, new Date(job.now.getTime() + HOUR_MS));
  },
});

/** Registers the handler. Called by boot. */
