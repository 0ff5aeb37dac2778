/**
 * One "app instance" for the two-instance test of the job queue (lib/server/jobs/instances.int.test.ts):
 * a process with its own connection pool and worker on the database at JOBS_TEST_DATABASE_URL. Its
 * handlers record every execution in job_test_runs (created by the test), with no unique key, so a
 * job run twice shows up twice. SIGTERM stops it gracefully and prints the stop result.
 *
 *   JOBS_TEST_DATABASE_URL=postgres://… JOBS_TEST_INSTANCE=a tsx --conditions=react-server scripts/jobs-test-instance.ts
 */
import { sql } from "drizzle-orm";
import { openPostgres } from "@/lib/server/db/open";
import { registerHandler, startJobWorker, stopJobWorker, type JobContext } from "@/lib/server/jobs";

const url = process.env.JOBS_TEST_DATABASE_URL;
const instance = process.env.JOBS_TEST_INSTANCE ?? String(process.pid);
const leaseMs = Number(process.env.JOBS_TEST_LEASE_MS ?? 2000);
if (!url) {
  console.error("JOBS_TEST_DATABASE_URL is required");
  process.exit(2);
}

const handle = openPostgres(url, { max: 4 });

const record = (ctx: JobContext) =>
  ctx.db.execute(
    sql`insert into job_test_runs (job_id, instance, attempt) values (${ctx.jobId}, ${instance}, ${ctx.attempt})`,
  );

registerHandler("test.count", async (ctx) => {
  await record(ctx);
});
// Hangs on its first attempt (the test kills this process then); later attempts succeed.
registerHandler("test.hang", async (ctx) => {
  await record(ctx);
  if (ctx.attempt === 1) await new Promise(() => undefined);
});

startJobWorker(handle.db, { concurrency: 8, pollIntervalMs: 50, leaseMs, id: instance });
console.log(`ready ${instance}`);

// The worker's timers are unref'd; this keeps the process up until it is told to stop.
const keepAlive = setInterval(() => undefined, 1 << 30);
process.on("SIGTERM", () => {
  void stopJobWorker({ timeoutMs: 5000 }).then(async (result) => {
    clearInterval(keepAlive);
    await handle.close();
    console.log(`stopped ${JSON.stringify(result)}`);
    process.exit(0);
  });
});
