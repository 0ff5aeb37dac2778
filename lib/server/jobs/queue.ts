import "server-only";
import { and, asc, eq, inArray, isNotNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { jobs, type JobBackoff } from "@/lib/server/db/schema/jobs";
import { loggableError } from "@/lib/server/db/errors";
import type { Db, DbOrTx } from "@/lib/server/db/types";
import { getLogger } from "@/lib/server/logger";
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, retryDelayMs } from "./backoff";
import { currentWorker, handlerFor, PermanentJobError, registeredQueues } from "./registry";

/**
 * One queue for all background work, in the `jobs` table. Home-made rather than pg-boss 10: that
 * one ran on both drivers behind adapters, but has no per-job retry schedule or deadline and reads
 * time only from the database's now(), so neither Didit's 60 s/240 s retries nor tests could use it.
 */

export type EnqueueInput = {
  queue: string;
  /** Ids and small facts only, never a secret: job rows are shown on dashboards. */
  payload: Record<string, unknown>;
  /** Not before this time; default now. */
  runAt?: Date;
  /** Attempts in all, the first included; default 5. */
  maxAttempts?: number;
  /** No attempt starts, and no retry is scheduled, after it. */
  deadline?: Date | null;
  backoff?: JobBackoff;
  /** While a pending or running job of this queue has the key, enqueueing another does nothing. */
  singletonKey?: string;
  /** The clock for created_at and the default runAt (tests); default the wall clock. */
  now?: Date;
};

/**
 * Queues a job inside the caller's transaction: a rolled-back change enqueues nothing, a committed
 * one always has its job. Answers null when a job with the same singleton key is already queued.
 */
export async function enqueue(tx: DbOrTx, input: EnqueueInput): Promise<{ id: string } | null> {
  const now = input.now ?? new Date();
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError("maxAttempts must be ≥ 1");
  const [row] = await tx
    .insert(jobs)
    .values({
      queue: input.queue,
      payload: input.payload,
      runAt: input.runAt ?? now,
      maxAttempts,
      deadline: input.deadline ?? null,
      backoff: input.backoff ?? DEFAULT_BACKOFF,
      singletonKey: input.singletonKey ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: jobs.id });
  // Wakes this process's worker shortly; on PostgreSQL a claim before the commit just finds nothing
  // and the next poll picks the job up.
  currentWorker<{ kick: (delayMs?: number) => void }>()?.kick(50);
  return row ? { id: row.id } : null;
}

export type ClaimedJob = {
  id: string;
  queue: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  deadline: Date | null;
  backoff: JobBackoff;
  lockedBy: string;
  leaseUntil: Date;
};

export type ClaimOptions = {
  now: Date;
  limit: number;
  leaseMs: number;
  workerId: string;
  /** Default: the queues with a registered handler. */
  queues?: string[];
  /** Also take over jobs whose lease ran out (default true; a worker does it once a second). */
  expiredLeases?: boolean;
};

/**
 * Claims up to `limit` due jobs: running ones whose lease ran out (their worker died) with
 * attempts left, then pending ones whose run_at has come, one queue at a time from a rotating
 * start (so a backlog in one queue does not starve the others, and each claim walks its queue's
 * index in run_at order instead of sorting every due row). FOR UPDATE SKIP LOCKED lets concurrent
 * claims from any number of instances take different rows; each claim is one statement, so no
 * transaction stays open while the jobs run.
 */
export async function claimDueJobs(db: Db, options: ClaimOptions): Promise<ClaimedJob[]> {
  const queues = options.queues ?? registeredQueues();
  if (queues.length === 0 || options.limit < 1) return [];
  const { now } = options;
  const open = or(sql`${jobs.deadline} is null`, sql`${jobs.deadline} > ${now.toISOString()}::timestamptz`);
  const claimed: ClaimedJob[] = [];
  if (options.expiredLeases !== false) {
    claimed.push(
      ...(await claimWhere(
        db,
        and(
          eq(jobs.state, "running"),
          lte(jobs.leaseUntil, now),
          lt(jobs.attempts, jobs.maxAttempts),
          inArray(jobs.queue, queues),
          open,
        ),
        asc(jobs.leaseUntil),
        options.limit,
        options,
      )),
    );
  }
  const start = rotation++ % queues.length;
  for (let k = 0; k < queues.length && claimed.length < options.limit; k++) {
    const queue = queues[(start + k) % queues.length]!;
    const pending = and(eq(jobs.state, "pending"), eq(jobs.queue, queue), lte(jobs.runAt, now), open);
    claimed.push(
      ...(await claimWhere(db, pending, asc(jobs.runAt), options.limit - claimed.length, options)),
    );
  }
  return claimed;
}

let rotation = 0;

async function claimWhere(
  db: Db,
  where: SQL | undefined,
  order: SQL,
  limit: number,
  options: ClaimOptions,
): Promise<ClaimedJob[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const due = db.select({ id: jobs.id }).from(jobs).where(where).orderBy(order).limit(limit).for("update", {
    skipLocked: true,
  });
  const rows = await db
    .update(jobs)
    .set({
      state: "running",
      attempts: sql`${jobs.attempts} + 1`,
      leaseUntil,
      lockedBy: options.workerId,
      updatedAt: options.now,
    })
    .where(inArray(jobs.id, due))
    .returning();
  return rows.map((r) => ({
    id: r.id,
    queue: r.queue,
    payload: r.payload,
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    deadline: r.deadline,
    backoff: r.backoff,
    lockedBy: options.workerId,
    leaseUntil,
  }));
}

/**
 * Dead-letters what can no longer run: running jobs whose lease ran out on their last attempt, and
 * jobs whose deadline passed before an attempt could start. Answers how many.
 */
export async function expireJobs(db: Db, options: { now: Date; queues?: string[] }): Promise<number> {
  const queues = options.queues ?? registeredQueues();
  if (queues.length === 0) return 0;
  const now = options.now;
  const lost = and(eq(jobs.state, "running"), lte(jobs.leaseUntil, now));
  // Two statements, each on its partial index (deadline, lease), rather than one OR over both.
  const pastDeadline = await deadLetter(
    db,
    and(
      isNotNull(jobs.deadline),
      lte(jobs.deadline, now),
      or(eq(jobs.state, "pending"), lost),
      inArray(jobs.queue, queues),
    ),
    sql`coalesce(${jobs.lastError} || ' (then the deadline passed)', 'the deadline passed before an attempt could start')`,
    now,
  );
  const leaseLost = await deadLetter(
    db,
    and(lost, sql`${jobs.attempts} >= ${jobs.maxAttempts}`, inArray(jobs.queue, queues)),
    sql`'the lease of attempt ' || ${jobs.attempts} || ' ran out: its worker stopped or crashed'`,
    now,
  );
  return pastDeadline + leaseLost;
}

async function deadLetter(db: Db, where: SQL | undefined, lastError: SQL, now: Date): Promise<number> {
  const rows = await db
    .update(jobs)
    .set({ state: "dead", lastError, leaseUntil: null, lockedBy: null, updatedAt: now, finishedAt: now })
    .where(where)
    .returning({ id: jobs.id, queue: jobs.queue, lastError: jobs.lastError });
  for (const r of rows) log().warn({ jobId: r.id, queue: r.queue, error: r.lastError }, "job dead-lettered");
  return rows.length;
}

export type JobOutcome = "done" | "retrying" | "dead" | "released" | "lost";

/** When a failure of this attempt would be retried, or null when it is the last one. */
export function retryTime(job: ClaimedJob, now: Date, random: () => number = Math.random): Date | null {
  if (job.attempts >= job.maxAttempts) return null;
  const at = new Date(now.getTime() + retryDelayMs(job.backoff, job.attempts, random));
  if (job.deadline && at >= job.deadline) return null;
  return at;
}

/**
 * Runs one claimed job's handler and records the outcome. Every update is fenced by the claim
 * (worker id and attempt number): a worker that lost its lease cannot overwrite the new owner's.
 */
export async function runClaimedJob(
  db: Db,
  job: ClaimedJob,
  options: { now: Date; signal?: AbortSignal; clock?: () => Date },
): Promise<JobOutcome> {
  const handler = handlerFor(job.queue);
  if (!handler) return (await releaseJob(db, job, options.clock?.() ?? options.now)) ? "released" : "lost";
  const retryAt = retryTime(job, options.now);
  let error: unknown = null;
  try {
    await handler(
      {
        db,
        jobId: job.id,
        queue: job.queue,
        attempt: job.attempts,
        maxAttempts: job.maxAttempts,
        workerId: job.lockedBy,
        now: options.now,
        retryAt,
        signal: options.signal ?? new AbortController().signal,
      },
      job.payload,
    );
  } catch (e) {
    error = e ?? new Error("handler threw a falsy value");
  }
  // A worker passes its clock; a fixed `now` (runDueJobs in tests) stays fixed.
  const finishedAt = options.clock?.() ?? options.now;
  if (error === null) {
    const done = await finish(db, job, {
      state: "done",
      leaseUntil: null,
      lockedBy: null,
      lastError: null,
      updatedAt: finishedAt,
      finishedAt,
    });
    return done ? "done" : "lost";
  }
  const message = describeJobError(error);
  const permanent = error instanceof PermanentJobError;
  if (!permanent && retryAt) {
    const retried = await finish(db, job, {
      state: "pending",
      runAt: retryAt,
      leaseUntil: null,
      lockedBy: null,
      lastError: message,
      updatedAt: finishedAt,
    });
    log().info(
      { jobId: job.id, queue: job.queue, attempt: job.attempts, retryAt, error: message },
      "job retrying",
    );
    return retried ? "retrying" : "lost";
  }
  const dead = await finish(db, job, {
    state: "dead",
    leaseUntil: null,
    lockedBy: null,
    lastError: message,
    updatedAt: finishedAt,
    finishedAt,
  });
  log().warn({ jobId: job.id, queue: job.queue, attempt: job.attempts, error: message }, "job dead-lettered");
  return dead ? "dead" : "lost";
}

async function finish(db: Db, job: ClaimedJob, set: Partial<typeof jobs.$inferInsert>): Promise<boolean> {
  const rows = await db.update(jobs).set(set).where(claimedBy(job)).returning({ id: jobs.id });
  return rows.length === 1;
}

const claimedBy = (job: ClaimedJob) =>
  and(
    eq(jobs.id, job.id),
    eq(jobs.state, "running"),
    eq(jobs.lockedBy, job.lockedBy),
    eq(jobs.attempts, job.attempts),
  );

/** Gives a claimed job back untried (a stopping worker): pending now, the attempt not counted. */
export async function releaseJob(db: Db, job: ClaimedJob, now: Date): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({
      state: "pending",
      attempts: sql`${jobs.attempts} - 1`,
      runAt: now,
      leaseUntil: null,
      lockedBy: null,
      updatedAt: now,
    })
    .where(claimedBy(job))
    .returning({ id: jobs.id });
  return rows.length === 1;
}

/** Pushes a running job's lease forward; false when the claim was lost (another worker has it). */
export async function extendLease(db: Db, job: ClaimedJob, leaseUntil: Date): Promise<boolean> {
  const rows = await db.update(jobs).set({ leaseUntil }).where(claimedBy(job)).returning({ id: jobs.id });
  if (rows.length === 1) job.leaseUntil = leaseUntil;
  return rows.length === 1;
}

export type RunResult = { claimed: number; done: number; retrying: number; dead: number };

/**
 * Claims the jobs due at `now` once and runs them to their outcome, concurrently: the way tests
 * and scripts drive the queue at a chosen time without a worker.
 */
export async function runDueJobs(
  db: Db,
  options: { now?: Date; limit?: number; leaseMs?: number; queues?: string[]; workerId?: string } = {},
): Promise<RunResult> {
  const now = options.now ?? new Date();
  await expireJobs(db, { now, queues: options.queues });
  const claimed = await claimDueJobs(db, {
    now,
    limit: options.limit ?? 100,
    leaseMs: options.leaseMs ?? 5 * 60_000,
    workerId: options.workerId ?? `run-due-${process.pid}`,
    queues: options.queues,
  });
  const result: RunResult = { claimed: claimed.length, done: 0, retrying: 0, dead: 0 };
  const outcomes = await Promise.all(claimed.map((job) => runClaimedJob(db, job, { now })));
  for (const o of outcomes) if (o === "done" || o === "retrying" || o === "dead") result[o]++;
  return result;
}

/** The error as stored in last_error and logged: a message only, never a failed query's parameters. */
export function describeJobError(error: unknown): string {
  const safe = loggableError(error);
  let message: string;
  if (safe !== error) {
    const cause = (safe as { cause?: { message?: unknown } }).cause;
    message = `database error: ${String(cause?.message ?? "unknown")}`;
  } else if (error instanceof Error) {
    message = error.message || error.name;
  } else {
    message = String(error);
  }
  return message.slice(0, 1000);
}

function log() {
  return getLogger().child({ component: "jobs" });
}
