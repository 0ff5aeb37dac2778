import "server-only";
import { and, count, desc, eq, lt } from "drizzle-orm";
import { jobs, type JobState } from "@/lib/server/db/schema/jobs";
import { isUniqueViolation } from "@/lib/server/db/errors";
import type { DbOrTx } from "@/lib/server/db/types";
import { currentWorker } from "./registry";

/** Read side of the queue for dashboards: counts, the dead-letter list, and a retry of a dead job. */

export type JobCount = { queue: string; state: JobState; count: number };

export async function countJobs(db: DbOrTx): Promise<JobCount[]> {
  const rows = await db
    .select({ queue: jobs.queue, state: jobs.state, count: count() })
    .from(jobs)
    .groupBy(jobs.queue, jobs.state)
    .orderBy(jobs.queue, jobs.state);
  return rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.count) }));
}

export type DeadJob = {
  id: string;
  queue: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

export async function listDeadJobs(
  db: DbOrTx,
  input: { queue?: string; limit?: number } = {},
): Promise<DeadJob[]> {
  const where = input.queue
    ? and(eq(jobs.state, "dead"), eq(jobs.queue, input.queue))
    : eq(jobs.state, "dead");
  return db
    .select({
      id: jobs.id,
      queue: jobs.queue,
      payload: jobs.payload,
      attempts: jobs.attempts,
      maxAttempts: jobs.maxAttempts,
      lastError: jobs.lastError,
      createdAt: jobs.createdAt,
      finishedAt: jobs.finishedAt,
    })
    .from(jobs)
    .where(where)
    .orderBy(desc(jobs.updatedAt), desc(jobs.id))
    .limit(Math.min(Math.max(input.limit ?? 50, 1), 500));
}

/**
 * Gives a dead job a fresh set of attempts, due now (its deadline lifted). "not_found" when no such
 * dead job; "conflict" when a job with its singleton key is already queued.
 */
export async function retryDeadJob(
  db: DbOrTx,
  input: { id: string; now?: Date },
): Promise<"retried" | "not_found" | "conflict"> {
  const now = input.now ?? new Date();
  try {
    const rows = await db
      .update(jobs)
      .set({ state: "pending", attempts: 0, runAt: now, deadline: null, updatedAt: now, finishedAt: null })
      .where(and(eq(jobs.id, input.id), eq(jobs.state, "dead")))
      .returning({ id: jobs.id });
    if (rows.length === 0) return "not_found";
  } catch (error) {
    if (isUniqueViolation(error)) return "conflict";
    throw error;
  }
  currentWorker<{ kick: (delayMs?: number) => void }>()?.kick(50);
  return "retried";
}

/** Deletes done jobs finished before `before` (the worker does it hourly); dead ones are kept. */
export async function deleteDoneJobs(db: DbOrTx, input: { before: Date }): Promise<number> {
  const rows = await db
    .delete(jobs)
    .where(and(eq(jobs.state, "done"), lt(jobs.finishedAt, input.before)))
    .returning({ id: jobs.id });
  return rows.length;
}
