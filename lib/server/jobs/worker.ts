import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "@/lib/server/db/types";
import { getLogger } from "@/lib/server/logger";
import {
  claimDueJobs,
  describeJobError,
  expireJobs,
  extendLease,
  releaseJob,
  runClaimedJob,
  type ClaimedJob,
} from "./queue";
import { deleteDoneJobs } from "./admin";
import { currentWorker, setCurrentWorker } from "./registry";

export type JobWorkerOptions = {
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** How often an idle worker looks for due jobs (enqueue in this process wakes it sooner). */
  pollIntervalMs?: number;
  /** How long a claim holds; renewed every third of it while the handler runs. */
  leaseMs?: number;
  /** Only these queues (default: every queue with a registered handler, read at each poll). */
  queues?: string[];
  /** Names the worker in locked_by; default host, pid and a random suffix. */
  id?: string;
  /** Done jobs older than this are deleted, once an hour; default 7 days. */
  keepDoneMs?: number;
};

export type StopResult = { finished: number; released: number };

export type JobWorker = {
  readonly id: string;
  /** Looks for due jobs after `delayMs`, sooner than the next poll. */
  kick: (delayMs?: number) => void;
  /** Jobs whose handlers are running now. */
  running: () => number;
  /**
   * Stops claiming, waits up to `timeoutMs` for the running handlers, then aborts the rest and
   * gives their jobs back (pending now, the attempt not counted) for another worker.
   */
  stop: (options?: { timeoutMs?: number }) => Promise<StopResult>;
};

type Active = {
  job: ClaimedJob;
  controller: AbortController;
  heartbeat: NodeJS.Timeout;
  done: Promise<void>;
};

/** A polling worker over `db`. Several may share a database, in one process or many. */
export function createJobWorker(db: Db, options: JobWorkerOptions = {}): JobWorker {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pollIntervalMs = Math.max(10, options.pollIntervalMs ?? 1000);
  const leaseMs = Math.max(100, options.leaseMs ?? 60_000);
  const keepDoneMs = options.keepDoneMs ?? 7 * 24 * 3_600_000;
  const id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const logger = getLogger().child({ component: "jobs", worker: id });
  const active = new Map<string, Active>();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = 0;
  let polling: Promise<void> | null = null;
  let pollAgain = false;
  let finished = 0;
  let expiredAt = 0;
  let pollErrorLoggedAt = 0;
  let prunedAt = 0;

  function schedule(delayMs: number) {
    if (stopped) return;
    // Keep an earlier wake-up already set.
    if (timer && timerAt <= Date.now() + delayMs) return;
    if (timer) clearTimeout(timer);
    timerAt = Date.now() + delayMs;
    timer = setTimeout(() => {
      timer = null;
      void poll();
    }, delayMs);
    timer.unref();
  }

  // Every look for work goes through a timer, never straight from a finished job's promise: on
  // PGlite the queries resolve as microtasks, and a chain of them would starve timers and I/O.
  function poll(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (polling) {
      pollAgain = true;
      return polling;
    }
    pollAgain = false;
    const run = async () => {
      const free = concurrency - active.size;
      if (free <= 0) return;
      const now = new Date();
      // Jobs of dead workers are housekeeping: dead-lettered or taken over once a second.
      const housekeeping = now.getTime() - expiredAt >= Math.max(pollIntervalMs, 1000);
      if (housekeeping) {
        expiredAt = now.getTime();
        await expireJobs(db, { now, queues: options.queues });
      }
      if (now.getTime() - prunedAt >= 3_600_000) {
        prunedAt = now.getTime();
        await deleteDoneJobs(db, { before: new Date(now.getTime() - keepDoneMs) });
      }
      const claimed = await claimDueJobs(db, {
        now,
        limit: free,
        leaseMs,
        workerId: id,
        queues: options.queues,
        expiredLeases: housekeeping,
      });
      for (const job of claimed) launch(job, now);
      // A full claim may have left more due jobs behind.
      if (claimed.length === free) pollAgain = true;
    };
    // .finally runs after the assignment even when run() settles at once.
    polling = run()
      .catch((error: unknown) => {
        // Once a minute at most: a database that is down (or not migrated) fails every poll.
        if (Date.now() - pollErrorLoggedAt < 60_000) return;
        pollErrorLoggedAt = Date.now();
        logger.error({ err: describeJobError(error) }, "job poll failed");
      })
      .finally(() => {
        polling = null;
        schedule(pollAgain ? 0 : pollIntervalMs);
      });
    return polling;
  }

  function launch(job: ClaimedJob, now: Date) {
    const controller = new AbortController();
    const heartbeat = setInterval(
      () => {
        extendLease(db, job, new Date(Date.now() + leaseMs))
          .then((held) => {
            if (!held) controller.abort(new Error("the job's lease was lost"));
          })
          .catch((error: unknown) => logger.error({ err: describeJobError(error) }, "lease renewal failed"));
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();
    const done = runClaimedJob(db, job, { now, signal: controller.signal, clock: () => new Date() })
      .then((outcome) => {
        if (outcome !== "lost") finished++;
      })
      .catch((error: unknown) =>
        logger.error(
          { err: describeJobError(error), jobId: job.id, queue: job.queue },
          "job outcome not recorded",
        ),
      )
      .finally(() => {
        clearInterval(heartbeat);
        active.delete(job.id);
        // A slot is free: look for more soon.
        schedule(0);
      });
    active.set(job.id, { job, controller, heartbeat, done });
  }

  const worker: JobWorker = {
    id,
    kick(delayMs = 0) {
      if (!stopped) schedule(delayMs);
    },
    running: () => active.size,
    async stop({ timeoutMs = 10_000 } = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      // A claim under way would add running jobs: let it land first.
      if (polling) await polling;
      const finishedBefore = finished;
      if (active.size > 0) {
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...active.values()].map((a) => a.done)),
          new Promise((resolve) => (wait = setTimeout(resolve, timeoutMs))),
        ]);
        clearTimeout(wait);
      }
      const finishedInTime = finished - finishedBefore;
      let released = 0;
      for (const a of [...active.values()]) {
        clearInterval(a.heartbeat);
        // Released before the abort, so a handler that returns on abort cannot mark it done.
        if (await releaseJob(db, a.job, new Date())) released++;
        a.controller.abort(new Error("the worker is stopping"));
      }
      if (currentWorker() === worker) setCurrentWorker(undefined);
      return { finished: finishedInTime, released };
    },
  };
  schedule(0);
  return worker;
}

/** Starts the process's worker (once: hot reloads and per-route bundles share it). */
export function startJobWorker(db: Db, options: JobWorkerOptions = {}): JobWorker {
  const existing = currentWorker<JobWorker>();
  if (existing) return existing;
  const worker = createJobWorker(db, options);
  setCurrentWorker(worker);
  return worker;
}

/** Stops the process's worker gracefully (see JobWorker.stop); nothing when none is running. */
export async function stopJobWorker(options: { timeoutMs?: number } = {}): Promise<StopResult> {
  const worker = currentWorker<JobWorker>();
  if (!worker) return { finished: 0, released: 0 };
  setCurrentWorker(undefined);
  return worker.stop(options);
}

/** Wakes the process's worker (after a commit that enqueued jobs), if one is running. */
export function kickJobWorker(delayMs = 0): void {
  currentWorker<JobWorker>()?.kick(delayMs);
}
