/**
 * Share-mint benchmark of the Didit sandbox: `POST /v3/session/{id}/share/` through its route
 * handler (authentication, clock, validation, mint, share log), in process.
 *
 *   npx tsx --conditions=react-server bench/sandbox-share.ts [--mints 200] [--sessions 200]
 *     [--concurrency 50] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * On an in-memory PGlite by default; with --database-url, on a database it creates on that server
 * (handoff_bench_share_<time>) and drops afterwards. Three scenarios, each `--mints` shares:
 *   1. one session, sequential mints;
 *   2. the same number of sequential mints spread over `--sessions` sessions (one session each
 *      while there are sessions left, then round robin);
 *   3. one (fresh) session, `--concurrency` mints in flight at a time.
 * Prints shares/s, p50/p99/max latency, failures, whether every token is distinct, and how far the
 * largest `iat` ran ahead of the clock.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { decodeJwt } from "jose";
import { percentile, runMain } from "./lib";
import { openBenchDatabase } from "./world";

const USAGE =
  "Usage: bench/sandbox-share.ts [--mints N] [--sessions N] [--concurrency N] [--database-url postgres://…]";

type Outcome = { ms: number; status: number; token: string | null };
type Row = {
  scenario: string;
  mints: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
  distinct: boolean;
  aheadSeconds: number;
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      mints: { type: "string", default: "200" },
      sessions: { type: "string", default: "200" },
      concurrency: { type: "string", default: "50" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const mints = Number(values.mints);
  const sessionCount = Number(values.sessions);
  const concurrency = Number(values.concurrency);
  if (![mints, sessionCount, concurrency].every((n) => Number.isInteger(n) && n > 0)) {
    console.error(USAGE);
    return 2;
  }

  // Configuration before the first module reads it.
  Object.assign(process.env, {
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    SANDBOX_ENABLED: "true",
    SANDBOX_RATE_LIMIT_ENABLED: "false",
    SANDBOX_JWT_SECRET: randomBytes(32).toString("base64"),
  });
  const { createApplication } = await import("@/lib/server/sandbox/applications");
  const { createGeneratedSession } = await import("@/lib/server/sandbox/sessions");
  const { sandboxNow } = await import("@/lib/server/sandbox/clock");
  const share = await import("@/app/sandbox/v3/session/[id]/share/route");

  const bench = await openBenchDatabase({
    databaseUrl: values["database-url"],
    prefix: "handoff_bench_share",
    pool: 20,
  });
  const { handle, scratch } = bench;
  try {
    const x = await createApplication(handle.db, { name: "Service X", profile: "recipe" });
    const y = await createApplication(handle.db, { name: "Service Y", profile: "recipe" });
    const now = await sandboxNow(handle.db);
    const newSession = async () =>
      (
        await createGeneratedSession(handle.db, {
          applicationId: x.application_id,
          kind: "user",
          status: "Approved",
          now,
        })
      ).id;
    const many: string[] = [];
    for (let i = 0; i < sessionCount; i++) many.push(await newSession());
    const single = await newSession();
    const contended = await newSession();

    const body = JSON.stringify({ for_application_id: y.application_id, ttl_in_seconds: 3600 });
    const mint = async (sessionId: string): Promise<Outcome> => {
      const req = new Request(`http://127.0.0.1/sandbox/v3/session/${sessionId}/share/`, {
        method: "POST",
        headers: { "x-api-key": x.api_key, "content-type": "application/json" },
        body,
      });
      const started = performance.now();
      const res = await share.POST(req, { params: Promise.resolve({ id: sessionId }) });
      const json = (await res.json()) as { share_token?: string };
      return { ms: performance.now() - started, status: res.status, token: json.share_token ?? null };
    };

    const run = async (scenario: string, next: (i: number) => string, inFlight: number): Promise<Row> => {
      const outcomes: Outcome[] = [];
      let issued = 0;
      const clockAtStart = Math.floor((await sandboxNow(handle.db)).getTime() / 1000);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (issued < mints) {
            const i = issued++;
            outcomes.push(await mint(next(i)));
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const clockAtEnd = Math.floor((await sandboxNow(handle.db)).getTime() / 1000);
      const ok = outcomes.filter((o) => o.status === 200 || o.status === 201);
      const tokens = ok.map((o) => o.token!);
      const maxIat = Math.max(clockAtStart, ...tokens.map((t) => decodeJwt(t).iat!));
      const sorted = outcomes.map((o) => o.ms).sort((a, b) => a - b);
      return {
        scenario,
        mints,
        seconds,
        rate: mints / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? 0,
        failed: outcomes.length - ok.length,
        distinct: new Set(tokens).size === tokens.length,
        aheadSeconds: Math.max(0, maxIat - clockAtEnd),
      };
    };

    // Warm-up on a session of its own: the first requests of a process compile code and queries.
    const warm = await newSession();
    for (let i = 0; i < 50; i++) await mint(warm);
    const rows = [
      await run(`1 session × ${mints} sequential`, () => single, 1),
      await run(`${sessionCount} sessions, ${mints} sequential`, (i) => many[i % many.length]!, 1),
      await run(`1 session, ${concurrency} concurrent`, () => contended, concurrency),
    ];
    console.log(`driver ${handle.driver}${scratch ? ` (database ${scratch.name})` : " (in memory)"}`);
    console.log(
      "| scenario | mints | time | shares/s | p50 | p99 | max | failed | tokens distinct | iat ahead of clock at end |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const r of rows) {
      console.log(
        `| ${r.scenario} | ${r.mints} | ${r.seconds.toFixed(2)} s | ${r.rate.toFixed(0)} | ${r.p50.toFixed(1)} ms | ` +
          `${r.p99.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${r.failed} | ${r.distinct ? "yes" : "NO"} | ${r.aheadSeconds} s |`,
      );
    }
    return rows.every((r) => r.failed === 0 && r.distinct) ? 0 : 1;
  } finally {
    await bench.close();
  }
}

runMain(main);
