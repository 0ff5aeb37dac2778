/**
 * The review page's server side (issue 8, Performance: p95 ≤ 300 ms): `getImport(ctx, id)` as the
 * page and `GET /api/imports/{id}` call it — the import, its inbox item and partner, decisions,
 * the audit timeline, then `loadReviewSides`: the clone's decision through our key at the sandbox
 * over HTTP, media URLs rewritten and, for a sister brand's source, the source's decision through
 * that application's key (in parallel) and the field-by-field differences. The clone is a KYB
 * company with 20 key people (the sandbox's `key_people_count`). `loadReviewSides` alone is
 * measured too, to show where the time goes.
 *
 *   npx tsx --conditions=react-server bench/review-page.ts \
 *     [--iterations 200] [--key-people 20] [--imports 10] \
 *     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * On PostgreSQL with --database-url (a scratch database created on that server and dropped
 * afterwards), else an in-memory PGlite. One process holds the Didit sandbox as a real HTTP server
 * on 127.0.0.1 (test/sandbox-http.ts) and one database for both. Calls are sequential (one officer
 * opening pages), round robin over `--imports` imported clones per scenario, after 20 warm-up
 * calls. Exits 1 if a page lacks its clone (or a sister's source), or if its JSON holds a URL.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { createScratchDatabase, percentile, runMain } from "./lib";

const USAGE =
  "Usage: bench/review-page.ts [--iterations N] [--key-people N] [--imports N] [--database-url postgres://…]";
const WARM_UP = 20;
const BUDGET_P95_MS = 300;

function configure() {
  Object.assign(process.env, {
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    HANDOFF_DATA_DIR: mkdtempSync(path.join(tmpdir(), "handoff-bench-")),
    SANDBOX_ENABLED: "true",
    SANDBOX_RATE_LIMIT_ENABLED: "false",
    DIDIT_RATE_LIMIT_ENABLED: "false",
    SANDBOX_JWT_SECRET: randomBytes(32).toString("base64"),
    SANDBOX_ADMIN_TOKEN: randomBytes(32).toString("base64url"),
  });
}

type Stats = { p50: number; p95: number; p99: number; max: number; mean: number };

function stats(ms: number[]): Stats {
  const sorted = [...ms].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
    mean,
  };
}

const fmt = (n: number) => n.toFixed(1);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      iterations: { type: "string", default: "200" },
      "key-people": { type: "string", default: "20" },
      imports: { type: "string", default: "10" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const iterations = Number(values.iterations);
  const keyPeople = Number(values["key-people"]);
  const importCount = Number(values.imports);
  if (![iterations, keyPeople, importCount].every((n) => Number.isInteger(n) && n > 0) || keyPeople > 50) {
    console.error(USAGE);
    return 2;
  }

  configure();
  const { setDatabase } = await import("@/lib/server/db/client");
  const { migratePostgresUrl, openPglite, openPostgres } = await import("@/lib/server/db/open");
  const { migrateSandbox } = await import("@/lib/server/sandbox/migrate");
  const { createApplication } = await import("@/lib/server/sandbox/applications");
  const { createGeneratedSession } = await import("@/lib/server/sandbox/sessions");
  const { sandboxNow } = await import("@/lib/server/sandbox/clock");
  const { seal } = await import("@/lib/server/crypto/envelope");
  const schema = await import("@/lib/server/db/schema");
  const { createDiditClient, setDiditClientForTests } = await import("@/lib/server/didit");
  const { partnerMeta, receiveToken } = await import("@/lib/server/services/inbox");
  const { createImport } = await import("@/lib/server/services/imports");
  const { getImport } = await import("@/lib/server/services/reviews");
  const { loadReviewSides } = await import("@/lib/server/services/review-view");
  const { systemContext } = await import("@/lib/server/services/context");
  const { startSandboxServer } = await import("@/test/sandbox-http");
  const { insertUser } = await import("@/test/session");

  const databaseUrl = values["database-url"];
  const scratch = databaseUrl ? await createScratchDatabase(databaseUrl, "handoff_bench_review") : null;
  let handle: Awaited<ReturnType<typeof openPglite>>;
  if (scratch) {
    await migratePostgresUrl(scratch.url);
    handle = openPostgres(scratch.url, { max: 10 });
  } else {
    handle = await openPglite(null);
  }
  const server = await startSandboxServer();
  const db = handle.db;
  try {
    await migrateSandbox(db);
    setDatabase(handle);
    // The product's client as it is configured by default, but for the base URL and the limiter.
    const didit = { calls: 0 };
    const client = createDiditClient({ baseUrl: () => `${server.origin}/sandbox`, limiter: false });
    setDiditClientForTests({
      ...client,
      getDecision: (...args: Parameters<typeof client.getDecision>) => {
        didit.calls++;
        return client.getDecision(...args);
      },
    });

    // Us (Northwind Bank), our sister brand (Northwind Pay, also connected here) and a partner.
    const bank = await createApplication(db, { name: "Northwind Bank", profile: "recipe" });
    const pay = await createApplication(db, { name: "Northwind Pay", profile: "recipe" });
    const ext = await createApplication(db, { name: "Service X", profile: "recipe" });
    const connect = async (app: typeof bank, name: string) => {
      const id = randomUUID();
      await db.insert(schema.connectedApplications).values({
        id,
        name,
        diditApplicationId: app.application_id,
        environment: "sandbox",
        apiKeyCiphertext: seal(app.api_key, id),
        apiKeyLast4: app.api_key.slice(-4),
        defaultWorkflowUser: app.workflows.user,
        defaultWorkflowBusiness: app.workflows.business,
      });
      return id;
    };
    const bankRow = await connect(bank, "Northwind Bank");
    await connect(pay, "Northwind Pay");
    const partnerOf = async (app: typeof bank, name: string) => {
      const id = randomUUID();
      await db.insert(schema.partners).values({
        id,
        name,
        diditApplicationId: app.application_id,
        applicationId: bankRow,
        direction: "inbound",
        agreementReference: "DSA-BENCH",
        agreementSignedOn: "2026-01-01",
        agreementExpiresOn: "2099-12-31",
        allowedKinds: ["user", "business"],
        allowedStatuses: ["Approved", "Declined", "In Review"],
        deliveryChannel: "push",
        importMode: "manual",
        trustReview: false,
      });
      return id;
    };
    const partners = {
      sister: await partnerOf(pay, "Northwind Pay"),
      partner: await partnerOf(ext, "Service X"),
    };
    const sources = { sister: pay, partner: ext };
    const officer = await insertUser(db, "officer");
    const ctx = () => ({
      db,
      actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" as const },
      now: () => new Date(),
      requestId: `bench-${randomUUID()}`,
      ip: null,
      userAgent: "bench",
    });
    const now = await sandboxNow(db);

    /** A KYB session of `from` with `keyPeople` key people, shared with us, received and imported. */
    const imported = async (scenario: "sister" | "partner") => {
      const from = sources[scenario];
      const source = await createGeneratedSession(db, {
        applicationId: from.application_id,
        kind: "business",
        status: "Approved",
        now,
        keyPeopleCount: keyPeople,
      });
      const res = await fetch(`${server.origin}/sandbox/v3/session/${source.id}/share/`, {
        method: "POST",
        headers: { "x-api-key": from.api_key, "content-type": "application/json" },
        body: JSON.stringify({ for_application_id: bank.application_id, ttl_in_seconds: 3600 }),
      });
      if (res.status !== 201) throw new Error(`share answered ${res.status}: ${await res.text()}`);
      const { share_token: token } = (await res.json()) as { share_token: string };
      const sys = systemContext(db);
      const { item } = await receiveToken(sys, partnerMeta(sys, partners[scenario]), {
        source: "push",
        token,
        partnerId: partners[scenario],
        senderShareId: randomUUID(),
        manifest: {
          session_number: 1,
          status: "Approved",
          created_at: now.toISOString(),
          features: ["KYB_REGISTRY", "KYB_KEY_PEOPLE", "KYB_DOCUMENTS"],
          agreement_reference: "DSA-BENCH",
        },
        stated: {
          session_kind: "business",
          from_application_id: from.application_id,
          for_application_id: bank.application_id,
          expires_at: new Date(Number(decodeJwt(token).exp) * 1000).toISOString(),
        },
      });
      const dto = await createImport(ctx(), item.id, {});
      if (dto.state !== "imported") throw new Error(`import failed: ${dto.failureCode} ${dto.failureReason}`);
      return dto.id;
    };

    const results: Record<string, { page: Stats; sides: Stats; bytes: number; calls: number }> = {};
    for (const scenario of ["partner", "sister"] as const) {
      const ids: string[] = [];
      for (let i = 0; i < importCount; i++) ids.push(await imported(scenario));

      // Check one page before timing: the clone with its key people, the source when a sister's.
      const page = await getImport(ctx(), ids[0]!);
      const json = JSON.stringify(page);
      if (!page.clone.available) throw new Error(`clone unavailable: ${page.clone.code}`);
      const people = page.clone.decision.featureData.key_people_checks?.length ?? 0;
      if (people !== keyPeople) throw new Error(`expected ${keyPeople} key people, the clone has ${people}`);
      if (scenario === "sister" && (page.source.relation !== "sister" || !page.source.side.available)) {
        throw new Error("the sister's source is missing from the page");
      }
      if (scenario === "partner" && page.source.relation !== "partner") throw new Error("expected a partner");
      if (/https?:\/\//.test(json)) throw new Error("a URL reached the page's JSON");

      const time = async (fn: (id: string) => Promise<unknown>) => {
        for (let i = 0; i < WARM_UP; i++) await fn(ids[i % ids.length]!);
        const ms: number[] = [];
        for (let i = 0; i < iterations; i++) {
          const started = performance.now();
          await fn(ids[i % ids.length]!);
          ms.push(performance.now() - started);
        }
        return stats(ms);
      };
      const callsBefore = didit.calls;
      const pageStats = await time((id) => getImport(ctx(), id));
      const calls = (didit.calls - callsBefore) / (iterations + WARM_UP);
      const sidesStats = await time(async (id) => {
        const [row] = await db
          .select({ imp: schema.imports, from: schema.inboxItems.fromApplicationId })
          .from(schema.imports)
          .innerJoin(schema.inboxItems, eq(schema.inboxItems.id, schema.imports.inboxItemId))
          .where(eq(schema.imports.id, id));
        return loadReviewSides(ctx(), {
          id,
          applicationId: row!.imp.applicationId,
          cloneSessionId: row!.imp.cloneSessionId,
          sourceSessionId: row!.imp.sourceSessionId,
          fromApplicationId: row!.from,
        });
      });
      results[scenario] = { page: pageStats, sides: sidesStats, bytes: Buffer.byteLength(json), calls };
    }

    console.log(
      `review page bench: ${handle.driver}${scratch ? ` (${scratch.name})` : ""}, KYB with ${keyPeople} key people, ` +
        `${iterations} sequential calls per row after ${WARM_UP} warm-up, ${importCount} imports round robin`,
    );
    console.log(
      "| source | measured | p50 ms | p95 ms | p99 ms | max ms | mean ms | Didit reads / page | page JSON |",
    );
    console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const [scenario, r] of Object.entries(results)) {
      const label =
        scenario === "sister" ? "sister brand (clone + source + differences)" : "partner (clone only)";
      for (const [what, s] of [
        ["getImport (the page)", r.page],
        ["loadReviewSides alone", r.sides],
      ] as const) {
        console.log(
          `| ${label} | ${what} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${fmt(s.mean)} | ${what.startsWith("getImport") ? r.calls.toFixed(1) : ""} | ${what.startsWith("getImport") ? `${(r.bytes / 1024).toFixed(1)} KiB` : ""} |`,
        );
      }
    }
    const worst = Math.max(...Object.values(results).map((r) => r.page.p95));
    console.log(
      `worst page p95: ${fmt(worst)} ms (budget ${BUDGET_P95_MS} ms): ${worst <= BUDGET_P95_MS ? "within" : "OVER"}`,
    );
    return worst <= BUDGET_P95_MS ? 0 : 1;
  } finally {
    setDiditClientForTests(null);
    await server.close();
    await handle.close();
    await scratch?.drop();
  }
}

runMain(main);
