import "server-only";

/** The job queue: enqueue in the caller's transaction, handlers per queue, a worker per process. */
export { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, retryDelayMs } from "./backoff";
export { countJobs, deleteDoneJobs, listDeadJobs, retryDeadJob, type DeadJob, type JobCount } from "./admin";
export { defineJob, registerJobs, type JobDefinition, type RegisteredJob, type RetryPolicy } from "./define";
export { enqueue, runDueJobs, type EnqueueInput, type RunResult } from "./queue";
export {
  PermanentJobError,
  registerHandler,
  unregisterHandler,
  type JobContext,
  type JobHandler,
} from "./registry";
export {
  createJobWorker,
  kickJobWorker,
  startJobWorker,
  stopJobWorker,
  type JobWorker,
  type JobWorkerOptions,
} from "./worker";
