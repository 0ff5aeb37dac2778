import "server-only";
import type { z } from "zod";
import type { JobBackoff } from "@/lib/server/db/schema/jobs";
import type { DbOrTx } from "@/lib/server/db/types";
import { enqueue, type EnqueueInput } from "./queue";
import { PermanentJobError, registerHandler, type JobContext } from "./registry";

/** How a queue retries: attempts in all (the first included) and the delay between them. */
export type RetryPolicy = { maxAttempts?: number; backoff?: JobBackoff };

/**
 * One queue: its name, the zod schema of its payload, its handler and its retry policy. Enqueue
 * through the definition (`job.enqueue(tx, payload, options)`): the payload is checked against the
 * schema before the row is written, and the retry policy applied. A row whose payload does not
 * match (written by an older version, or by hand) is dead at once with a message naming the queue
 * and the field: one way for every queue. Definitions are registered in one place
 * (lib/server/services/jobs.ts).
 */
export type JobDefinition<P> = {
  readonly queue: string;
  readonly payload: z.ZodType<P>;
  readonly retry: RetryPolicy;
  readonly handler: (job: JobContext, payload: P) => Promise<void>;
  enqueue(
    tx: DbOrTx,
    payload: P,
    options?: Omit<EnqueueInput, "queue" | "payload">,
  ): Promise<{ id: string } | null>;
  /** Parses a stored payload; throws PermanentJobError when it does not match the schema. */
  parse(payload: unknown): P;
  /** One attempt on a stored payload: parse, then the handler. */
  run(job: JobContext, payload: unknown): Promise<void>;
};

/** What registration needs of a definition, whatever its payload type. */
export type RegisteredJob = { readonly queue: string; run(job: JobContext, payload: unknown): Promise<void> };

export function defineJob<S extends z.ZodType<Record<string, unknown>>>(def: {
  queue: string;
  payload: S;
  handler: (job: JobContext, payload: z.infer<S>) => Promise<void>;
  retry?: RetryPolicy;
}): JobDefinition<z.infer<S>> {
  const retry = def.retry ?? {};
  function parse(payload: unknown): z.infer<S> {
    const result = def.payload.safeParse(payload);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "payload";
    throw new PermanentJobError(`${def.queue}: bad payload (${where}: ${issue?.message ?? "invalid"})`);
  }
  return {
    queue: def.queue,
    payload: def.payload as unknown as z.ZodType<z.infer<S>>,
    retry,
    handler: def.handler,
    parse,
    run: async (job, payload) => def.handler(job, parse(payload)),
    async enqueue(tx, payload, options = {}) {
      // Refused before it is written: a bad payload is a bug of the caller, not a dead job.
      const checked = def.payload.parse(payload);
      return enqueue(tx, {
        maxAttempts: retry.maxAttempts,
        backoff: retry.backoff,
        ...options,
        queue: def.queue,
        payload: checked,
      });
    },
  };
}

/** Registers each definition's handler behind its payload check. */
export function registerJobs(definitions: readonly RegisteredJob[]): void {
  for (const def of definitions) registerHandler(def.queue, (job, payload) => def.run(job, payload));
}
