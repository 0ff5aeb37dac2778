import { spawn, type ChildProcess } from "node:child_process";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/lib/server/db/types";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { enqueue } from "./queue";
import { registerHandler, unregisterHandler } from "./registry";
import { createJobWorker } from "./worker";

const JOBS = 1000;
const LEASE_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
  // No unique key: a job executed twice is counted twice.
  await t.db.execute(sql`create table job_test_runs (
    id bigserial primary key,
    job_id uuid not null,
    instance text not null,
    attempt integer not null,
    at timestamptz not null default clock_timestamp())`);
});
afterAll(async () => {
  await t.close();
});

type Run = { job_id: string; instance: string; attempt: number; at: Date | string };
const runs = async (where = sql`true`) =>
  rowsOf<Run>(
    await t.db.execute(
      sql`select job_id, instance, attempt, at from job_test_runs where ${where} order by id`,
    ),
  );

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function enqueueMany(queue: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  await t.db.transaction(async (tx) => {
    for (let i = 0; i < n; i++) ids.push((await enqueue(tx, { queue, payload: { i } }))!.id);
  });
  return ids;
}

async function expectEachRanOnce(ids: string[]) {
  const rows = await runs(sql`job_id in (select id from jobs where queue = 'test.count')`);
  expect(rows).toHaveLength(ids.length);
  expect(new Set(rows.map((r) => r.job_id)).size).toBe(ids.length);
  expect(new Set(rows.map((r) => r.job_id))).toEqual(new Set(ids));
  const states = rowsOf<{ state: string; n: number }>(
    await t.db.execute(
      sql`select state, count(*)::int as n from jobs where queue = 'test.count' group by state`,
    ),
  );
  expect(states.map((s) => [s.state, Number(s.n)])).toEqual([["done", ids.length]]);
  return rows;
}

if (testDriver() === "postgres") {
  /** Two app instances: separate Node processes, each with its own pool and worker. */
  describe("two instances on one PostgreSQL database", () => {
    const instances = new Map<string, { child: ChildProcess; output: string[]; exit: Promise<string> }>();

    function startInstance(name: string) {
      // node itself with tsx's loader (not the tsx CLI, whose child would outlive a SIGKILL).
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--conditions=react-server", "scripts/jobs-test-instance.ts"],
        {
          env: {
            // The child inherits the test's environment (NODE_ENV, data dir, log level), plus its own.
            // eslint-disable-next-line no-restricted-properties
            ...process.env,
            JOBS_TEST_DATABASE_URL: t.url!,
            JOBS_TEST_INSTANCE: name,
            JOBS_TEST_LEASE_MS: String(LEASE_MS),
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const output: string[] = [];
      child.stdout!.on("data", (d: Buffer) => output.push(...d.toString().split("\n").filter(Boolean)));
      child.stderr!.on("data", (d: Buffer) => output.push(...d.toString().split("\n").filter(Boolean)));
      const exit = new Promise<string>((resolve) =>
        child.on("exit", (code, signal) => resolve(signal ?? `exit ${code}`)),
      );
      instances.set(name, { child, output, exit });
    }

    beforeAll(async () => {
      startInstance("a");
      startInstance("b");
      await waitFor(
        async () => [...instances.values()].every((i) => i.output.some((l) => l.startsWith("ready"))),
        30_000,
        `both instances to start: ${[...instances.values()].map((i) => i.output.join(" | ")).join(" // ")}`,
      );
    }, 60_000);
    afterAll(async () => {
      for (const i of instances.values())
        if (i.child.exitCode === null && !i.child.killed) i.child.kill("SIGKILL");
      await Promise.all([...instances.values()].map((i) => i.exit));
    });

    it(`run each of ${JOBS} jobs exactly once between them`, async () => {
      const ids = await enqueueMany("test.count", JOBS);
      await waitFor(
        async () => {
          const [row] = rowsOf<{ n: number }>(
            await t.db.execute(
              sql`select count(*)::int as n from jobs where queue = 'test.count' and state = 'done'`,
            ),
          );
          return Number(row!.n) === JOBS;
        },
        30_000,
        "the jobs to be done",
      );
      const rows = await expectEachRanOnce(ids);
      // Both instances took part.
      const perInstance = new Map<string, number>();
      for (const r of rows) perInstance.set(r.instance, (perInstance.get(r.instance) ?? 0) + 1);
      expect([...perInstance.keys()].sort()).toEqual(["a", "b"]);
    });

    it("retries the job of an instance killed mid-job on the other, after the lease", async () => {
      const [id] = await enqueueMany("test.hang", 1);
      await waitFor(async () => (await runs(sql`job_id = ${id!}`)).length === 1, 10_000, "the first attempt");
      const [first] = await runs(sql`job_id = ${id!}`);
      const victim = instances.get(first!.instance)!;
      const survivor = first!.instance === "a" ? "b" : "a";
      victim.child.kill("SIGKILL");
      const killedAt = Date.now();
      expect(await victim.exit).toBe("SIGKILL");

      await waitFor(async () => (await runs(sql`job_id = ${id!}`)).length === 2, 15_000, "the retry");
      const retriedAfterMs = Date.now() - killedAt;
      const [, second] = await runs(sql`job_id = ${id!}`);
      expect(second).toMatchObject({ instance: survivor, attempt: 2 });
      // Not before the lease the dead instance last renewed (every third of it) could run out.
      expect(retriedAfterMs).toBeGreaterThanOrEqual(LEASE_MS / 2);
      await waitFor(
        async () => {
          const [job] = rowsOf<{ state: string }>(
            await t.db.execute(sql`select state from jobs where id = ${id!}`),
          );
          return job?.state === "done";
        },
        5000,
        "the job to be done",
      );
      const [job] = rowsOf<{ state: string; attempts: number; locked_by: string | null }>(
        await t.db.execute(sql`select state, attempts, locked_by from jobs where id = ${id!}`),
      );
      expect(job).toMatchObject({ state: "done", attempts: 2, locked_by: null });

      // The survivor stops gracefully on SIGTERM.
      const alive = instances.get(survivor)!;
      alive.child.kill("SIGTERM");
      expect(await alive.exit).toBe("exit 0");
      expect(alive.output.at(-1)).toBe('stopped {"finished":0,"released":0}');
    });
  });
} else {
  /** PGlite is one in-process connection (one owner process): two workers share it. */
  describe("two workers on one PGlite database", () => {
    it(`run each of ${JOBS} jobs exactly once between them`, async () => {
      registerHandler("test.count", async (ctx) => {
        await t.db.execute(
          sql`insert into job_test_runs (job_id, instance, attempt) values (${ctx.jobId}, ${ctx.workerId}, ${ctx.attempt})`,
        );
      });
      const ids = await enqueueMany("test.count", JOBS);
      const a = createJobWorker(t.db, {
        id: "a",
        concurrency: 8,
        pollIntervalMs: 20,
        queues: ["test.count"],
      });
      const b = createJobWorker(t.db, {
        id: "b",
        concurrency: 8,
        pollIntervalMs: 20,
        queues: ["test.count"],
      });
      await waitFor(
        async () => {
          const [row] = rowsOf<{ n: number }>(
            await t.db.execute(
              sql`select count(*)::int as n from jobs where queue = 'test.count' and state = 'done'`,
            ),
          );
          return Number(row!.n) === JOBS;
        },
        45_000,
        "the jobs to be done",
      );
      await Promise.all([a.stop(), b.stop()]);
      const rows = await expectEachRanOnce(ids);
      expect([...new Set(rows.map((r) => r.instance))].sort()).toEqual(["a", "b"]);
      unregisterHandler("test.count");
    });
  });
}
