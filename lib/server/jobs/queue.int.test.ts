import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "@/lib/server/db/schema/jobs";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { countJobs, deleteDoneJobs, listDeadJobs, retryDeadJob } from "./admin";
import { claimDueJobs, enqueue, runClaimedJob, runDueJobs } from "./queue";
import { PermanentJobError, registerHandler, unregisterHandler, type JobContext } from "./registry";
import { createJobWorker } from "./worker";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
});
afterAll(async () => {
  await t.close();
});

const T0 = new Date("2026-11-30T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const newQueue = () => `test.${randomUUID()}`;
const jobRow = async (id: string) => (await t.db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A handler that records its calls and fails the first `failures` of them with "boom <n>". */
function recording(failures = 0, error: (n: number) => Error = (n) => new Error(`boom ${n}`)) {
  const calls: { ctx: JobContext; payload: Record<string, unknown> }[] = [];
  const handler = async (ctx: JobContext, payload: Record<string, unknown>) => {
    calls.push({ ctx, payload });
    if (calls.length <= failures) throw error(calls.length);
  };
  return { calls, handler };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(20);
  }
}

describe(`job queue (${testDriver()})`, () => {
  it("enqueues inside the caller's transaction: a rolled-back change enqueues nothing", async () => {
    const queue = newQueue();
    await expect(
      t.db.transaction(async (tx) => {
        await enqueue(tx, { queue, payload: { n: 1 }, now: T0 });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await t.db.select().from(jobs).where(eq(jobs.queue, queue))).toHaveLength(0);

    const created = await t.db.transaction((tx) => enqueue(tx, { queue, payload: { n: 2 }, now: T0 }));
    const row = await jobRow(created!.id);
    expect(row).toMatchObject({
      queue,
      payload: { n: 2 },
      state: "pending",
      attempts: 0,
      maxAttempts: 5,
      deadline: null,
      backoff: { kind: "exponential", baseMs: 10_000, maxMs: 3_600_000 },
      leaseUntil: null,
      lockedBy: null,
    });
    expect(row.runAt.toISOString()).toBe(T0.toISOString());

    const { calls, handler } = recording();
    registerHandler(queue, handler);
    expect(await runDueJobs(t.db, { now: T0, queues: [queue] })).toEqual({
      claimed: 1,
      done: 1,
      retrying: 0,
      dead: 0,
    });
    expect(calls.map((c) => c.payload)).toEqual([{ n: 2 }]);
    expect(calls[0]!.ctx).toMatchObject({ jobId: created!.id, queue, attempt: 1, maxAttempts: 5 });
    expect(await jobRow(created!.id)).toMatchObject({
      state: "done",
      attempts: 1,
      lastError: null,
      lockedBy: null,
    });
    unregisterHandler(queue);
  });

  it("runs a scheduled job at its run_at, not before", async () => {
    const queue = newQueue();
    const { calls, handler } = recording();
    registerHandler(queue, handler);
    const job = await enqueue(t.db, { queue, payload: {}, runAt: at(60_000), now: T0 });
    expect(await runDueJobs(t.db, { now: at(59_999), queues: [queue] })).toMatchObject({ claimed: 0 });
    expect(calls).toHaveLength(0);
    expect(await runDueJobs(t.db, { now: at(60_000), queues: [queue] })).toMatchObject({
      claimed: 1,
      done: 1,
    });
    expect((await jobRow(job!.id)).finishedAt?.toISOString()).toBe(at(60_000).toISOString());
    unregisterHandler(queue);
  });

  it("retries with exponential backoff and jitter, then dead-letters with the last error", async () => {
    const queue = newQueue();
    const { calls, handler } = recording(10);
    registerHandler(queue, handler);
    const backoff = { kind: "exponential" as const, baseMs: 1000, maxMs: 60_000 };
    const job = await enqueue(t.db, { queue, payload: {}, maxAttempts: 4, backoff, now: T0 });
    let now = T0;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await runDueJobs(t.db, { now, queues: [queue] });
      expect(result).toMatchObject({ claimed: 1, retrying: 1 });
      const row = await jobRow(job!.id);
      expect(row).toMatchObject({ state: "pending", attempts: attempt, lastError: `boom ${attempt}` });
      const wait = row.runAt.getTime() - now.getTime();
      const step = 1000 * 2 ** (attempt - 1);
      expect(wait).toBeGreaterThanOrEqual(step / 2);
      expect(wait).toBeLessThanOrEqual(step);
      // The handler was told when its failure would be retried.
      expect(calls.at(-1)!.ctx.retryAt?.toISOString()).toBe(row.runAt.toISOString());
      waits.push(wait);
      // Not due a millisecond early.
      expect(
        await runDueJobs(t.db, { now: new Date(row.runAt.getTime() - 1), queues: [queue] }),
      ).toMatchObject({
        claimed: 0,
      });
      now = row.runAt;
    }
    expect(await runDueJobs(t.db, { now, queues: [queue] })).toMatchObject({ claimed: 1, dead: 1 });
    expect(calls.at(-1)!.ctx).toMatchObject({ attempt: 4, retryAt: null });
    const dead = await jobRow(job!.id);
    expect(dead).toMatchObject({ state: "dead", attempts: 4, lastError: "boom 4", leaseUntil: null });
    expect(dead.finishedAt?.toISOString()).toBe(now.toISOString());
    // Dead is final.
    expect(await runDueJobs(t.db, { now: at(86_400_000), queues: [queue] })).toMatchObject({ claimed: 0 });
    expect(calls).toHaveLength(4);
    unregisterHandler(queue);
  });

  it("follows a job's explicit retry delays exactly", async () => {
    const queue = newQueue();
    const { handler } = recording(2);
    registerHandler(queue, handler);
    const job = await enqueue(t.db, {
      queue,
      payload: {},
      maxAttempts: 3,
      backoff: { kind: "fixed", delaysMs: [60_000, 240_000] },
      now: T0,
    });
    await runDueJobs(t.db, { now: T0, queues: [queue] });
    expect((await jobRow(job!.id)).runAt.toISOString()).toBe(at(60_000).toISOString());
    await runDueJobs(t.db, { now: at(60_000), queues: [queue] });
    expect((await jobRow(job!.id)).runAt.toISOString()).toBe(at(300_000).toISOString());
    expect(await runDueJobs(t.db, { now: at(300_000), queues: [queue] })).toMatchObject({ done: 1 });
    expect(await jobRow(job!.id)).toMatchObject({ state: "done", attempts: 3, lastError: null });
    unregisterHandler(queue);
  });

  it("dead-letters at once on a PermanentJobError", async () => {
    const queue = newQueue();
    const { calls, handler } = recording(1, () => new PermanentJobError("the destination is gone"));
    registerHandler(queue, handler);
    const job = await enqueue(t.db, { queue, payload: {}, now: T0 });
    expect(await runDueJobs(t.db, { now: T0, queues: [queue] })).toMatchObject({ dead: 1 });
    expect(await jobRow(job!.id)).toMatchObject({
      state: "dead",
      attempts: 1,
      lastError: "the destination is gone",
    });
    expect(calls).toHaveLength(1);
    unregisterHandler(queue);
  });

  it("schedules no retry past the deadline, and does not start a job whose deadline passed", async () => {
    const queue = newQueue();
    const { calls, handler } = recording(10);
    registerHandler(queue, handler);
    const backoff = { kind: "fixed" as const, delaysMs: [30_000] };
    const job = await enqueue(t.db, { queue, payload: {}, backoff, deadline: at(50_000), now: T0 });
    await runDueJobs(t.db, { now: T0, queues: [queue] });
    expect(await jobRow(job!.id)).toMatchObject({ state: "pending", attempts: 1 });
    // At 30 s the next retry would be at 60 s, after the deadline: this attempt is the last.
    expect(await runDueJobs(t.db, { now: at(30_000), queues: [queue] })).toMatchObject({ dead: 1 });
    expect(calls.at(-1)!.ctx.retryAt).toBeNull();
    expect(await jobRow(job!.id)).toMatchObject({ state: "dead", attempts: 2, lastError: "boom 2" });

    const late = await enqueue(t.db, { queue, payload: {}, runAt: at(10_000), deadline: at(5_000), now: T0 });
    expect(await runDueJobs(t.db, { now: at(10_000), queues: [queue] })).toMatchObject({ claimed: 0 });
    expect(await jobRow(late!.id)).toMatchObject({
      state: "dead",
      attempts: 0,
      lastError: "the deadline passed before an attempt could start",
    });
    expect(calls).toHaveLength(2);
    unregisterHandler(queue);
  });

  it("lets a job whose lease ran out be claimed again, and fences the first claim's outcome", async () => {
    const queue = newQueue();
    const { calls, handler } = recording();
    registerHandler(queue, handler);
    const job = await enqueue(t.db, { queue, payload: {}, maxAttempts: 2, now: T0 });
    // A worker claims it and dies without finishing.
    const [first] = await claimDueJobs(t.db, {
      now: T0,
      limit: 10,
      leaseMs: 30_000,
      workerId: "dead-worker",
      queues: [queue],
    });
    expect(first).toMatchObject({ id: job!.id, attempts: 1 });
    expect(await jobRow(job!.id)).toMatchObject({ state: "running", lockedBy: "dead-worker" });
    expect(await runDueJobs(t.db, { now: at(29_999), queues: [queue] })).toMatchObject({ claimed: 0 });
    expect(await runDueJobs(t.db, { now: at(30_000), queues: [queue], workerId: "w2" })).toMatchObject({
      claimed: 1,
      done: 1,
    });
    expect(calls.map((c) => c.ctx.attempt)).toEqual([2]);
    expect(await jobRow(job!.id)).toMatchObject({ state: "done", attempts: 2 });
    // The first worker comes back to life: its late outcome changes nothing.
    expect(await runClaimedJob(t.db, first!, { now: at(40_000) })).toBe("lost");
    expect(await jobRow(job!.id)).toMatchObject({ state: "done", attempts: 2, lockedBy: null });

    // A lease that runs out on the last attempt dead-letters the job.
    const last = await enqueue(t.db, { queue, payload: {}, maxAttempts: 1, now: T0 });
    await claimDueJobs(t.db, { now: T0, limit: 10, leaseMs: 1000, workerId: "dead-worker", queues: [queue] });
    await runDueJobs(t.db, { now: at(1000), queues: [queue] });
    expect(await jobRow(last!.id)).toMatchObject({
      state: "dead",
      lastError: "the lease of attempt 1 ran out: its worker stopped or crashed",
    });
    unregisterHandler(queue);
  });

  it("keeps one pending job per singleton key", async () => {
    const queue = newQueue();
    const { handler } = recording();
    registerHandler(queue, handler);
    const a = await enqueue(t.db, { queue, payload: { n: 1 }, singletonKey: "session-1", now: T0 });
    expect(a).not.toBeNull();
    expect(await enqueue(t.db, { queue, payload: { n: 2 }, singletonKey: "session-1", now: T0 })).toBeNull();
    expect(
      await enqueue(t.db, { queue, payload: { n: 3 }, singletonKey: "session-2", now: T0 }),
    ).not.toBeNull();
    await runDueJobs(t.db, { now: T0, queues: [queue] });
    // Once it ran, the key is free again.
    expect(
      await enqueue(t.db, { queue, payload: { n: 4 }, singletonKey: "session-1", now: T0 }),
    ).not.toBeNull();
    unregisterHandler(queue);
  });

  it("does not let a backlog in one queue starve another", async () => {
    const busy = newQueue();
    const quiet = newQueue();
    const ran: string[] = [];
    registerHandler(busy, async () => void ran.push("busy"));
    registerHandler(quiet, async () => void ran.push("quiet"));
    for (let i = 0; i < 10; i++) await enqueue(t.db, { queue: busy, payload: {}, now: T0 });
    await enqueue(t.db, { queue: quiet, payload: {}, now: at(1) });
    // One job per claim: the quiet queue's turn comes within two claims, not after ten.
    await runDueJobs(t.db, { now: at(1), limit: 1, queues: [busy, quiet] });
    await runDueJobs(t.db, { now: at(1), limit: 1, queues: [busy, quiet] });
    expect(ran).toContain("quiet");
    unregisterHandler(busy);
    unregisterHandler(quiet);
  });

  it("claims only queues with a handler", async () => {
    const queue = newQueue();
    const job = await enqueue(t.db, { queue, payload: {}, now: T0 });
    const other = newQueue();
    registerHandler(other, async () => undefined);
    const runnable = await enqueue(t.db, { queue: other, payload: {}, now: T0 });
    expect(await runDueJobs(t.db, { now: at(1000) })).toMatchObject({ claimed: 1, done: 1 });
    expect(await jobRow(runnable!.id)).toMatchObject({ state: "done" });
    expect(await jobRow(job!.id)).toMatchObject({ state: "pending", attempts: 0 });
    unregisterHandler(other);
  });

  it("counts jobs per queue and state, lists the dead and retries one", async () => {
    const queue = newQueue();
    const { handler } = recording(1, () => new PermanentJobError("gone"));
    registerHandler(queue, handler);
    const dead = await enqueue(t.db, { queue, payload: { id: "x" }, now: T0 });
    await runDueJobs(t.db, { now: T0, queues: [queue] });
    await enqueue(t.db, { queue, payload: {}, runAt: at(1e9), now: T0 });
    const counts = (await countJobs(t.db)).filter((c) => c.queue === queue);
    expect(counts).toEqual([
      { queue, state: "dead", count: 1 },
      { queue, state: "pending", count: 1 },
    ]);
    const listed = await listDeadJobs(t.db, { queue });
    expect(listed).toMatchObject([{ id: dead!.id, payload: { id: "x" }, attempts: 1, lastError: "gone" }]);

    expect(await retryDeadJob(t.db, { id: dead!.id, now: at(5000) })).toBe("retried");
    expect(await retryDeadJob(t.db, { id: dead!.id, now: at(5000) })).toBe("not_found");
    expect(await jobRow(dead!.id)).toMatchObject({ state: "pending", attempts: 0, finishedAt: null });
    expect(await runDueJobs(t.db, { now: at(5000), queues: [queue] })).toMatchObject({ claimed: 1, done: 1 });
    unregisterHandler(queue);
  });

  it("deletes done jobs past their retention, keeping pending and dead ones", async () => {
    const queue = newQueue();
    registerHandler(queue, async (_ctx, payload) => {
      if (payload.fail) throw new PermanentJobError("no");
    });
    const old = await enqueue(t.db, { queue, payload: {}, now: T0 });
    const dead = await enqueue(t.db, { queue, payload: { fail: true }, now: T0 });
    await runDueJobs(t.db, { now: T0, queues: [queue] });
    const recent = await enqueue(t.db, { queue, payload: {}, now: at(10_000) });
    await runDueJobs(t.db, { now: at(10_000), queues: [queue] });
    const pending = await enqueue(t.db, { queue, payload: {}, runAt: at(1e9), now: T0 });
    expect(await deleteDoneJobs(t.db, { before: at(5000) })).toBeGreaterThanOrEqual(1);
    const left = (await t.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.queue, queue))).map(
      (r) => r.id,
    );
    expect(left.sort()).toEqual([dead!.id, recent!.id, pending!.id].sort());
    expect(left).not.toContain(old!.id);
    unregisterHandler(queue);
  });
});

describe(`job worker (${testDriver()})`, () => {
  it("runs jobs concurrently up to its limit, each once", async () => {
    const queue = newQueue();
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    registerHandler(queue, async (ctx) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(ctx.jobId);
      await sleep(15);
      inFlight--;
    });
    const ids: string[] = [];
    await t.db.transaction(async (tx) => {
      for (let i = 0; i < 40; i++) ids.push((await enqueue(tx, { queue, payload: { i } }))!.id);
    });
    const worker = createJobWorker(t.db, {
      concurrency: 4,
      pollIntervalMs: 50,
      leaseMs: 10_000,
      queues: [queue],
    });
    await waitFor(async () => {
      const [row] = await t.db
        .select({ n: sql<number>`count(*)::int` })
        .from(jobs)
        .where(sql`${jobs.queue} = ${queue} and ${jobs.state} = 'done'`);
      return Number(row!.n) === 40;
    });
    await worker.stop();
    expect(seen.sort()).toEqual([...ids].sort());
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
    unregisterHandler(queue);
  });

  it("stops gracefully: waits for a running job, or releases it after the timeout", async () => {
    const queue = newQueue();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    let aborted = false;
    registerHandler(queue, async (ctx, payload) => {
      started.push(ctx.jobId);
      if (payload.hang) {
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
        aborted = ctx.signal.aborted;
        return;
      }
      await gate;
    });

    const quick = await enqueue(t.db, { queue, payload: {} });
    const w1 = createJobWorker(t.db, { concurrency: 2, pollIntervalMs: 20, queues: [queue] });
    await waitFor(async () => started.includes(quick!.id));
    const stopping = w1.stop({ timeoutMs: 5000 });
    setTimeout(release, 100);
    expect(await stopping).toEqual({ finished: 1, released: 0 });
    expect(await jobRow(quick!.id)).toMatchObject({ state: "done", attempts: 1 });

    const stuck = await enqueue(t.db, { queue, payload: { hang: true } });
    const w2 = createJobWorker(t.db, { concurrency: 2, pollIntervalMs: 20, queues: [queue] });
    await waitFor(async () => started.includes(stuck!.id));
    expect(await w2.stop({ timeoutMs: 200 })).toEqual({ finished: 0, released: 1 });
    expect(aborted).toBe(true);
    const row = await jobRow(stuck!.id);
    // Given back untried, due now, for another worker.
    expect(row).toMatchObject({ state: "pending", attempts: 0, lockedBy: null, leaseUntil: null });
    expect(row.runAt.getTime()).toBeLessThanOrEqual(Date.now());
    // A stopped worker claims nothing more.
    await enqueue(t.db, { queue, payload: {} });
    await sleep(100);
    expect(w2.running()).toBe(0);
    expect(
      await t.db
        .select()
        .from(jobs)
        .where(sql`${jobs.queue} = ${queue} and ${jobs.state} = 'running'`),
    ).toHaveLength(0);
    unregisterHandler(queue);
  });

  it("renews the lease of a long job so no other worker takes it", async () => {
    const queue = newQueue();
    let runs = 0;
    registerHandler(queue, async () => {
      runs++;
      await sleep(700);
    });
    const job = await enqueue(t.db, { queue, payload: {} });
    const a = createJobWorker(t.db, { concurrency: 1, pollIntervalMs: 20, leaseMs: 200, queues: [queue] });
    const b = createJobWorker(t.db, { concurrency: 1, pollIntervalMs: 20, leaseMs: 200, queues: [queue] });
    await waitFor(async () => (await jobRow(job!.id)).state === "done");
    await Promise.all([a.stop(), b.stop()]);
    expect(runs).toBe(1);
    expect(await jobRow(job!.id)).toMatchObject({ attempts: 1 });
    unregisterHandler(queue);
  });
});
