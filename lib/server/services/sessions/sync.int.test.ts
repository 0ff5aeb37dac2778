import { randomUUID } from "node:crypto";
import { and, count, eq, inArray, isNotNull } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { foldSearch } from "@/lib/search-fold";
import { seal } from "@/lib/server/crypto/envelope";
import { jobs } from "@/lib/server/db/schema/jobs";
import { connectedApplications, sessionMirror } from "@/lib/server/db/schema/sharing";
import { createDiditClient, DiditError, setDiditClientForTests } from "@/lib/server/didit";
import type { DiditClient } from "@/lib/server/didit/types";
import { registerHandler, runDueJobs, registerJobs } from "@/lib/server/jobs";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { sandboxApi, STATUSES, type Kind, type TestApp } from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";
import { enqueueSessionSync, runSessionSyncJob, SYNC_INTERVAL_MS, SYNC_QUEUE, SYNC_TICK_QUEUE } from "./sync";
import { sessionSyncJob, sessionSyncTickJob } from "@/lib/server/services/sessions";

/**
 * The sync job against the sandbox over real HTTP: a backfill in bounded, chained jobs with
 * progress on the application's row, an incremental pass that stops at what is mirrored, the
 * 15-minute tick, and the failure paths (a rejected key, rate limiting).
 */

let t: TestDatabase;
let server: SandboxServer;
let api: ReturnType<typeof sandboxApi>;
let real: DiditClient;
let listCalls = 0;

/** The real client, counting list calls. */
const counting = (): DiditClient => ({
  ...real,
  listSessions: (caller, query) => {
    listCalls++;
    return real.listSessions(caller, query);
  },
});

async function connect(sandboxApp: TestApp, key = sandboxApp.key) {
  const id = randomUUID();
  await t.db.insert(connectedApplications).values({
    id,
    name: `App ${id.slice(0, 4)}`,
    diditApplicationId: sandboxApp.id,
    environment: "sandbox",
    apiKeyCiphertext: seal(key, id),
    apiKeyLast4: key.slice(-4),
  });
  return id;
}

const appRow = async (id: string) =>
  (await t.db.select().from(connectedApplications).where(eq(connectedApplications.id, id)))[0]!;
const mirrored = async (id: string) =>
  (await t.db.select({ n: count() }).from(sessionMirror).where(eq(sessionMirror.applicationId, id)))[0]!.n;
const liveJobs = async (queue: string, key: string) =>
  t.db
    .select()
    .from(jobs)
    .where(
      and(eq(jobs.queue, queue), eq(jobs.singletonKey, key), inArray(jobs.state, ["pending", "running"])),
    );

/** Creates `n` sessions over the sandbox's admin API: one KYB in five, every status in turn. */
async function createSessions(app: TestApp, n: number, vendorPrefix = "sync-") {
  for (let i = 0; i < n; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, (_, j) => {
        const k = i + j;
        const kind: Kind = k % 5 === 4 ? "business" : "user";
        return api.newSession(app, kind, STATUSES[k % STATUSES.length]!, {
          vendor_data: `${vendorPrefix}${kind}-${k}`,
        });
      }),
    );
  }
}

/** Runs sync jobs due at `now` until none is left (each round claims what the last one queued). */
async function drain(now = new Date(), rounds = 50) {
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    const r = await runDueJobs(t.db, { now, queues: [SYNC_QUEUE] });
    if (r.claimed === 0) break;
    total += r.claimed;
  }
  return total;
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startSandboxServer();
  api = sandboxApi(server.origin);
  real = createDiditClient({ baseUrl: () => `${server.origin}/sandbox`, limiter: false, maxRetries: 0 });
  setDiditClientForTests(counting());
});
afterEach(() => {
  // Back to the process handlers with their default page size.
  registerJobs([sessionSyncJob, sessionSyncTickJob]);
});
afterAll(async () => {
  setDiditClientForTests(null);
  await server?.close();
  await t?.close();
});

describe(`session sync (${testDriver()})`, () => {
  it("backfills every session of both kinds in chained jobs, with progress, then mirrors only what is new", async () => {
    const sandboxApp = await api.newApp("recipe", "Sync bank");
    // Created a day ago (the sandbox's clock), so the new ones below are past the overlap window.
    await api.setClock(-2 * 86_400);
    await createSessions(sandboxApp, 100);
    await api.setClock(-86_400);
    await createSessions(sandboxApp, 30, "later-");
    await api.setClock(0);
    const id = await connect(sandboxApp);
    // Small pages and jobs, so one pass is several jobs.
    registerHandler(SYNC_QUEUE, (job, payload) =>
      runSessionSyncJob(job, payload as never, { pageSize: 20, pagesPerJob: 3 }),
    );

    await t.db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "incremental" }));
    await t.db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "backfill" }));
    const queued = await liveJobs(SYNC_QUEUE, `app:${id}`);
    expect(queued).toHaveLength(1);
    // Never backfilled: the incremental request became a backfill.
    expect(queued[0]!.payload).toMatchObject({ mode: "backfill", offset: 0 });
    expect((await appRow(id)).syncState).toBe("queued");

    listCalls = 0;
    await runDueJobs(t.db, { queues: [SYNC_QUEUE] });
    let row = await appRow(id);
    expect(row.syncState).toBe("running");
    expect(row.syncTotal).toBe(130);
    expect(row.syncDone).toBe(60);
    expect(await mirrored(id)).toBe(60);
    // The first job handed its key to the continuation, which starts where it stopped.
    const [first] = await t.db.select().from(jobs).where(eq(jobs.id, queued[0]!.id));
    expect(first!.singletonKey).toBeNull();
    const [next] = await liveJobs(SYNC_QUEUE, `app:${id}`);
    expect(next!.payload).toMatchObject({ mode: "backfill", offset: 60 });
    // While the pass runs, another request queues nothing.
    await t.db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "backfill" }));
    expect(await liveJobs(SYNC_QUEUE, `app:${id}`)).toHaveLength(1);

    await drain();
    row = await appRow(id);
    expect(row.syncState).toBe("idle");
    expect(row.syncDone).toBe(130);
    expect(row.syncBackfilledAt).not.toBeNull();
    expect(row.syncError).toBeNull();
    expect(await mirrored(id)).toBe(130);
    expect(listCalls).toBe(7);
    const newest = await t.db
      .select({ at: sessionMirror.diditCreatedAt })
      .from(sessionMirror)
      .where(eq(sessionMirror.applicationId, id))
      .orderBy(sessionMirror.diditCreatedAt);
    expect(row.syncHighWater!.getTime()).toBe(newest.at(-1)!.at.getTime());
    // Both kinds, Title Case statuses, names and vendor_data for the picker.
    const kinds = await t.db
      .selectDistinct({ kind: sessionMirror.kind })
      .from(sessionMirror)
      .where(eq(sessionMirror.applicationId, id));
    expect(kinds.map((k) => k.kind).sort()).toEqual(["business", "user"]);
    const [business] = await t.db
      .select()
      .from(sessionMirror)
      .where(
        and(
          eq(sessionMirror.applicationId, id),
          eq(sessionMirror.kind, "business"),
          eq(sessionMirror.status, "Approved"),
        ),
      )
      .limit(1);
    expect(business!.displayName).toBeTruthy();
    // Folded (lib/search-fold.ts): "Müller Bau GmbH" is stored "muller bau gmbh …".
    expect(business!.searchText).toContain(foldSearch(business!.displayName!));
    expect(business!.vendorData).toMatch(/^(sync|later)-business-\d+$/);

    // Five new sessions: the incremental pass reads the newest pages, through the 30 sessions
    // within the overlap window below the high-water mark, and stops at the older ones.
    await createSessions(sandboxApp, 5);
    listCalls = 0;
    await t.db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "incremental" }));
    expect((await liveJobs(SYNC_QUEUE, `app:${id}`))[0]!.payload).toMatchObject({ mode: "incremental" });
    await drain();
    expect(await mirrored(id)).toBe(135);
    expect(listCalls).toBe(2);
    row = await appRow(id);
    expect(row.syncState).toBe("idle");
    expect(row.syncDone).toBe(130);
  });

  it("ticks every 15 minutes: each tick queues an incremental pass and the next tick", async () => {
    const sandboxApp = await api.newApp("spec", "Tick pay");
    await createSessions(sandboxApp, 12);
    const id = await connect(sandboxApp);
    const now = new Date();
    await t.db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "backfill" }, now));
    await drain(now);
    expect(await mirrored(id)).toBe(12);
    const [tick] = await liveJobs(SYNC_TICK_QUEUE, `tick:${id}`);
    expect(tick!.runAt.getTime()).toBe(now.getTime() + SYNC_INTERVAL_MS);

    const later = new Date(now.getTime() + SYNC_INTERVAL_MS + 1000);
    expect((await runDueJobs(t.db, { now: later, queues: [SYNC_TICK_QUEUE] })).done).toBeGreaterThanOrEqual(
      1,
    );
    const [nextTick] = await liveJobs(SYNC_TICK_QUEUE, `tick:${id}`);
    expect(nextTick!.runAt.getTime()).toBe(later.getTime() + SYNC_INTERVAL_MS);
    expect(nextTick!.id).not.toBe(tick!.id);
    const [pass] = await liveJobs(SYNC_QUEUE, `app:${id}`);
    expect(pass!.payload).toMatchObject({ mode: "incremental" });
    // A tick re-run after it handed over (its worker died before marking it done) does nothing.
    await t.db.update(jobs).set({ state: "pending", runAt: later }).where(eq(jobs.id, tick!.id));
    await runDueJobs(t.db, { now: later, queues: [SYNC_TICK_QUEUE] });
    expect(await liveJobs(SYNC_TICK_QUEUE, `tick:${id}`)).toHaveLength(1);
    await drain(later);
    expect((await appRow(id)).syncState).toBe("idle");

    // A deleted application's tick ends the chain.
    await t.db
      .update(connectedApplications)
      .set({ deletedAt: new Date() })
      .where(eq(connectedApplications.id, id));
    const muchLater = new Date(later.getTime() + 2 * SYNC_INTERVAL_MS);
    await runDueJobs(t.db, { now: muchLater, queues: [SYNC_TICK_QUEUE] });
    expect(await liveJobs(SYNC_TICK_QUEUE, `tick:${id}`)).toHaveLength(0);
  });

  it("fails the pass at once with the client's message when Didit rejects the key", async () => {
    const sandboxApp = await api.newApp("recipe", "Bad key");
    const id = await connect(sandboxApp, "not-a-real-key-0000");
    await t.db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "backfill" }));
    const result = await runDueJobs(t.db, { queues: [SYNC_QUEUE] });
    expect(result.dead).toBe(1);
    const row = await appRow(id);
    expect(row.syncState).toBe("failed");
    expect(row.syncError).toBeTruthy();
    expect(row.syncError).not.toContain("not-a-real-key");
    expect(row.syncError).not.toContain("permission to perform");
    expect(row.apiKeyError).toBe(row.syncError);
    // A new request may start again once the key is fixed.
    await t.db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "backfill" }));
    expect((await appRow(id)).syncState).toBe("queued");
  });

  it("retries a rate-limited page later, keeping what committed, and fails only on the last attempt", async () => {
    const sandboxApp = await api.newApp("recipe", "Busy");
    await createSessions(sandboxApp, 45);
    const id = await connect(sandboxApp);
    let calls = 0;
    const flaky: DiditClient = {
      ...real,
      listSessions: (caller, query) => {
        // Only this application's second page (other tests' jobs may run in the same claim).
        if (caller.id === id && ++calls === 2) {
          return Promise.reject(
            new DiditError(
              "rate_limited",
              "Didit is rate limiting this application's key: try again in a minute.",
              {
                retryAfterSeconds: 30,
              },
            ),
          );
        }
        return real.listSessions(caller, query);
      },
    };
    registerHandler(SYNC_QUEUE, (job, payload) =>
      runSessionSyncJob(job, payload as never, { pageSize: 20, didit: flaky }),
    );
    await t.db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "backfill" }));
    const now = new Date();
    expect((await runDueJobs(t.db, { now, queues: [SYNC_QUEUE] })).retrying).toBe(1);
    let row = await appRow(id);
    expect(row.syncState).toBe("running");
    expect(row.syncError).toMatch(/rate limiting.*retrying at/);
    expect(await mirrored(id)).toBe(20);
    const [retry] = await liveJobs(SYNC_QUEUE, `app:${id}`);
    expect(retry!.runAt.getTime()).toBeGreaterThan(now.getTime());
    // The retry resumes from its payload's offset; upserts make the repeated page harmless.
    await drain(new Date(retry!.runAt.getTime() + 1));
    row = await appRow(id);
    expect(row.syncState).toBe("idle");
    expect(row.syncError).toBeNull();
    expect(await mirrored(id)).toBe(45);
    const withLineage = await t.db
      .select({ n: count() })
      .from(sessionMirror)
      .where(and(eq(sessionMirror.applicationId, id), isNotNull(sessionMirror.sharedFromSession)));
    expect(withLineage[0]!.n).toBe(0);
  });
});
