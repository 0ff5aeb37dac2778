import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const JOB_STATES = ["pending", "running", "done", "dead"] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * How a failed job waits before its next attempt: exponential (`baseMs · 2^(attempt-1)`, capped at
 * `maxMs`, with jitter) or an explicit list of delays, one per retry (Didit's webhook schedule).
 */
export type JobBackoff =
  { kind: "exponential"; baseMs: number; maxMs: number } | { kind: "fixed"; delaysMs: number[] };

/**
 * The one queue of background work (lib/server/jobs). A row is claimed with FOR UPDATE SKIP LOCKED
 * and leased until `lease_until`; a running row whose lease ran out is claimable again (its worker
 * died). Payloads are ids and small facts, never secrets: rows are listed by dashboards.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    queue: text("queue").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    state: text("state", { enum: JOB_STATES }).notNull().default("pending"),
    runAt: timestamp("run_at", { withTimezone: true }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    /** No attempt starts and no retry is scheduled after it. */
    deadline: timestamp("deadline", { withTimezone: true }),
    backoff: jsonb("backoff").$type<JobBackoff>().notNull(),
    /** At most one pending or running job per (queue, key). */
    singletonKey: text("singleton_key"),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    lockedBy: text("locked_by"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    // The claim: due pending rows per queue in run_at order, and running rows whose lease ran out.
    index("jobs_due_idx")
      .on(t.queue, t.runAt)
      .where(sql`${t.state} = 'pending'`),
    index("jobs_lease_idx")
      .on(t.leaseUntil)
      .where(sql`${t.state} = 'running'`),
    index("jobs_deadline_idx")
      .on(t.deadline)
      .where(sql`${t.state} in ('pending', 'running') and ${t.deadline} is not null`),
    // Dashboards: counts per queue and state, dead-lettered jobs newest first.
    index("jobs_queue_state_idx").on(t.queue, t.state, t.updatedAt),
    uniqueIndex("jobs_singleton_idx")
      .on(t.queue, t.singletonKey)
      .where(sql`${t.singletonKey} is not null and ${t.state} in ('pending', 'running')`),
    check("jobs_attempts_check", sql`${t.attempts} >= 0 and ${t.maxAttempts} >= 1`),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
