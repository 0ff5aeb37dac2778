/**
 * Session sync benchmark: a backfill of the session mirror from the Didit sandbox over real HTTP.
 *
 *   npx tsx --conditions=react-server bench/sync.ts \
 *     --database-url postgres://postgres@127.0.0.1:5432/postgres [--count 100000] [--rate-limit off|on] [--keep]
 *
 * Creates its own database on that server (handoff_bench_sync_<time>), migrates it (product and
 * sandbox), creates one sandbox application with `count` sessions (bulk, 80 % KYC / 20 % KYB, every
 * status), serves the sandbox's route handlers on a loopback HTTP port, connects the application
 * to the console (its key sealed as the product stores it) and runs the real sync job
 * (`sessions.sync`: pages of SYNC_PAGE_SIZE from `GET /v3/sessions/`, one transaction per page,
 * chained jobs; `--page-size` to compare another size)
 * until the pass is idle. It prints rows/s and the list calls per minute (the most in any 60 s
 * window), then drops the database (unless --keep).
 *
 * `--rate-limit on` turns on both limits: the sandbox answers 429 past SANDBOX_RATE_LIMIT_READS a
 * minute per key (600), and the client's own limiter (DIDIT_RATE_LIMIT_READS, 600) spaces the calls
 * so that none is refused.
 */
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { createScratchDatabase, runMain } from "./lib";

const USAGE =
  "Usage: bench/sync.ts --database-url postgres://user@host:port/db [--count N] [--rate-limit off|on] [--page-size N] [--keep]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "database-url": { type: "string" },
      count: { type: "string", default: "100000" },
      "rate-limit": { type: "string", default: "off" },
      "page-size": { type: "string" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const count = Number(values.count);
  const adminUrl = values["database-url"];
  const rateLimit = values["rate-limit"];
  if (
    values.help ||
    !adminUrl ||
    !Number.isInteger(count) ||
    count < 1 ||
    !["on", "off"].includes(rateLimit!)
  ) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  // Before anything reads the configuration (it is parsed once, on first use).
  process.env.SANDBOX_ENABLED = "true";
  process.env.SANDBOX_RATE_LIMIT_ENABLED = rateLimit === "on" ? "true" : "false";
  process.env.HANDOFF_DATA_DIR ??= path.resolve(import.meta.dirname, "..", ".data", "bench-sync");
  process.env.HANDOFF_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  process.env.SANDBOX_ADMIN_TOKEN ??= randomBytes(24).toString("base64url");
  process.env.SANDBOX_JWT_SECRET ??= randomBytes(32).toString("base64");
  process.env.LOG_LEVEL ??= "warn";

  const { migratePostgresUrl, openPostgres } = await import("@/lib/server/db/open");
  const { setDatabase } = await import("@/lib/server/db/client");
  const { migrateSandbox } = await import("@/lib/server/sandbox/migrate");
  const { createApplication } = await import("@/lib/server/sandbox/applications");
  const { bulkCreateSessions } = await import("@/lib/server/sandbox/bulk");
  const { startSandboxServer } = await import("@/test/sandbox-http");
  const { seal } = await import("@/lib/server/crypto/envelope");
  const { connectedApplications, sessionMirror } = await import("@/lib/server/db/schema/sharing");
  const { createDiditClient, setDiditClientForTests } = await import("@/lib/server/didit");
  const { registerHandler, runDueJobs } = await import("@/lib/server/jobs");
  const { enqueueSessionSync, runSessionSyncJob, SYNC_PAGE_SIZE, SYNC_QUEUE } =
    await import("@/lib/server/services/sessions");
  const { count: countRows, eq } = await import("drizzle-orm");
  type DiditClient = import("@/lib/server/didit/types").DiditClient;

  const scratch = await createScratchDatabase(adminUrl, "handoff_bench_sync");
  const { name, url } = scratch;
  let handle: ReturnType<typeof openPostgres> | null = null;
  let server: Awaited<ReturnType<typeof startSandboxServer>> | null = null;
  try {
    await migratePostgresUrl(url);
    handle = openPostgres(url, { max: 10 });
    setDatabase(handle);
    const db = handle.db;
    await migrateSandbox(db);
    const sandboxApp = await createApplication(db, { name: "Bench bank", profile: "recipe" });
    console.log(`database ${name}; creating ${count.toLocaleString("en")} sandbox sessions…`);
    let t = performance.now();
    await bulkCreateSessions(db, {
      applicationId: sandboxApp.application_id,
      count,
      vendorDataPrefix: "bench-",
    });
    console.log(`  created in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    server = await startSandboxServer();
    const calls: number[] = [];
    let refused = 0;
    const real = createDiditClient({
      baseUrl: `${server.origin}/sandbox`,
      limiter: rateLimit === "on" ? { readsPerMinute: 600, writesPerMinute: 300, maxWaitMs: 120_000 } : false,
    });
    const counting: DiditClient = {
      ...real,
      listSessions: async (caller, query) => {
        try {
          const page = await real.listSessions(caller, query);
          calls.push(performance.now());
          return page;
        } catch (error) {
          refused++;
          throw error;
        }
      },
    };
    setDiditClientForTests(counting);
    // The product's handler; --page-size overrides its page size (to compare).
    const pageSize = values["page-size"] ? Number(values["page-size"]) : SYNC_PAGE_SIZE;
    registerHandler(SYNC_QUEUE, (job, payload) => runSessionSyncJob(job, payload as never, { pageSize }));

    const id = randomUUID();
    await db.insert(connectedApplications).values({
      id,
      name: "Bench bank",
      diditApplicationId: sandboxApp.application_id,
      environment: "sandbox",
      apiKeyCiphertext: seal(sandboxApp.api_key, id),
      apiKeyLast4: sandboxApp.api_key.slice(-4),
    });
    await db.transaction((tx) => enqueueSessionSync(tx, id, { mode: "backfill" }));

    console.log(
      `backfill, pages of ${pageSize} (sandbox rate limit ${rateLimit}, client limiter ${rateLimit})…`,
    );
    t = performance.now();
    let jobsRun = 0;
    let lastReport = t;
    for (;;) {
      const r = await runDueJobs(db, { queues: [SYNC_QUEUE] });
      jobsRun += r.claimed;
      const [row] = await db
        .select({
          state: connectedApplications.syncState,
          done: connectedApplications.syncDone,
          error: connectedApplications.syncError,
        })
        .from(connectedApplications)
        .where(eq(connectedApplications.id, id));
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        const s = (lastReport - t) / 1000;
        console.log(
          `  ${row!.done.toLocaleString("en")} rows in ${s.toFixed(0)} s (${Math.round(row!.done / s)} rows/s)`,
        );
      }
      if (row!.state === "idle" || row!.state === "failed") {
        if (row!.state === "failed") throw new Error(`sync failed: ${row!.error}`);
        break;
      }
      if (r.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - t) / 1000;
    const [mirrored] = await db
      .select({ n: countRows() })
      .from(sessionMirror)
      .where(eq(sessionMirror.applicationId, id));
    // The most calls in any 60 s window, and the average per minute.
    let peak = 0;
    for (let i = 0, j = 0; i < calls.length; i++) {
      while (calls[i]! - calls[j]! >= 60_000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    console.log(
      `mirrored ${mirrored!.n.toLocaleString("en")} of ${count.toLocaleString("en")} sessions in ${seconds.toFixed(1)} s = ` +
        `${Math.round(mirrored!.n / seconds)} rows/s; ${calls.length} list calls in ${jobsRun} jobs, ` +
        `${(calls.length / (seconds / 60)).toFixed(0)} calls/min on average, at most ${peak} in any 60 s; ` +
        `${refused} refused (429 or other)`,
    );
    if (mirrored!.n !== count) throw new Error("not every session was mirrored");
    return 0;
  } finally {
    setDiditClientForTests(null);
    await server?.close();
    await handle?.close();
    await scratch.drop(values.keep);
  }
}

runMain(main, { stack: true });
