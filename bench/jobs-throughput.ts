/**
 * Job queue throughput: N jobs whose handler writes one row, run by one in-process worker.
 *
 *   npx tsx --conditions=react-server bench/jobs-throughput.ts --count 5000 [--concurrency 8] \
 *     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Without --database-url it runs on an in-memory PGlite; with it, on a fresh database created on
 * that server (dropped afterwards). Prints the enqueue and run rates,
 * and how many jobs ran more than once (0 expected).
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { migratePostgresUrl, openPglite, openPostgres } from "@/lib/server/db/open";
import type { DatabaseHandle } from "@/lib/server/db/types";
import { rowsOf } from "@/lib/server/db/types";
import { createJobWorker, enqueue, registerHandler } from "@/lib/server/jobs";

const USAGE = "Usage: bench/jobs-throughput.ts --count N [--concurrency N] [--database-url postgres://…]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: "string" },
      concurrency: { type: "string", default: "8" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const count = Number(values.count);
  const concurrency = Number(values.concurrency);
  if (values.help || !Number.isInteger(count) || count < 1 || !Number.isInteger(concurrency)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }

  let handle: DatabaseHandle;
  let drop = async () => undefined as void;
  const adminUrl = values["database-url"];
  if (adminUrl) {
    const name = `handoff_bench_jobs_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migratePostgresUrl(url.toString());
    handle = openPostgres(url.toString(), { max: concurrency + 2 });
    drop = async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    };
  } else {
    handle = await openPglite(null);
  }
  const { db } = handle;
  try {
    await db.execute(
      sql`create table bench_runs (job_id uuid not null, at timestamptz not null default clock_timestamp())`,
    );
    registerHandler("bench.noop", async (ctx) => {
      await ctx.db.execute(sql`insert into bench_runs (job_id) values (${ctx.jobId})`);
    });

    const enqueueStart = performance.now();
    for (let offset = 0; offset < count; offset += 500) {
      await db.transaction(async (tx) => {
        for (let i = offset; i < Math.min(count, offset + 500); i++) {
          await enqueue(tx, { queue: "bench.noop", payload: { i } });
        }
      });
    }
    const enqueueMs = performance.now() - enqueueStart;

    const runStart = performance.now();
    const worker = createJobWorker(db, { concurrency, pollIntervalMs: 20, queues: ["bench.noop"] });
    for (;;) {
      const [row] = rowsOf<{ n: number }>(
        await db.execute(sql`select count(*)::int as n from jobs where state = 'done'`),
      );
      if (Number(row!.n) >= count) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const runMs = performance.now() - runStart;
    await worker.stop();
    const [dupes] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*) - count(distinct job_id) as n from bench_runs`),
    );
    console.log(
      JSON.stringify({
        driver: handle.driver,
        count,
        concurrency,
        enqueuePerSecond: Math.round(count / (enqueueMs / 1000)),
        runPerSecond: Math.round(count / (runMs / 1000)),
        runSeconds: Number((runMs / 1000).toFixed(1)),
        duplicateRuns: Number(dupes!.n),
      }),
    );
    return 0;
  } finally {
    await handle.close();
    await drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
