import "server-only";
import type { Db } from "@/lib/server/db/types";

/** What a handler is given for one attempt of one job. */
export type JobContext = {
  db: Db;
  jobId: string;
  queue: string;
  /** 1-based number of this attempt. */
  attempt: number;
  maxAttempts: number;
  /** The worker running it (its locked_by). */
  workerId: string;
  /** The time the attempt was claimed; retry delays count from it. */
  now: Date;
  /** When the job runs again if this attempt throws a retryable error; null on the last attempt. */
  retryAt: Date | null;
  /** Aborted when the worker stops before the handler finished, or the lease was lost. */
  signal: AbortSignal;
};

/**
 * Runs one attempt. No transaction is open around it (PGlite has one connection): a handler that
 * writes several rows opens its own. Returning marks the job done; throwing schedules a retry (or
 * dead-letters it when attempts or deadline ran out); `PermanentJobError` dead-letters it at once.
 * A job can run more than once (a worker that dies after the work but before marking it done):
 * handlers must be idempotent or tolerate a repeat.
 */
export type JobHandler<P = Record<string, unknown>> = (ctx: JobContext, payload: P) => Promise<void>;

const PERMANENT_BRAND = Symbol.for("handoff.PermanentJobError");

/**
 * A failure that retrying cannot fix (the target is gone, the input is wrong): dead-letter now.
 * Branded in the global symbol registry, as AppError is: a handler bundled apart from the worker
 * throws another copy of this class, and `instanceof` must still hold.
 */
export class PermanentJobError extends Error {
  readonly [PERMANENT_BRAND] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    return (value as { [PERMANENT_BRAND]?: unknown })[PERMANENT_BRAND] === true;
  }

  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

// On globalThis: Next may bundle these modules once per route, and every copy must share them.
const store = globalThis as unknown as {
  __handoffJobHandlers?: Map<string, JobHandler>;
  __handoffJobWorker?: unknown;
};
const handlers = (store.__handoffJobHandlers ??= new Map());

/** Registers (or replaces) the handler of a queue. Only registered queues are claimed. */
export function registerHandler<P extends Record<string, unknown>>(
  queue: string,
  handler: JobHandler<P>,
): void {
  handlers.set(queue, handler as JobHandler);
}

export function unregisterHandler(queue: string): void {
  handlers.delete(queue);
}

export function handlerFor(queue: string): JobHandler | undefined {
  return handlers.get(queue);
}

export function registeredQueues(): string[] {
  return [...handlers.keys()];
}

/** The process's worker (startJobWorker), kept here so that enqueue can wake it. */
export function currentWorker<T>(): T | undefined {
  return store.__handoffJobWorker as T | undefined;
}

export function setCurrentWorker(worker: unknown): void {
  store.__handoffJobWorker = worker;
}
