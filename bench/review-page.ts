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
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { percentile, runMain } from "./lib";
import {
  benchOfficer,
  connectApplication,
  insertPartner,
  openSandboxBench,
  receivePushedShare,
  installSandboxDiditClient,
} from "./world";

const USAGE =
  "Usage: bench/review-page.ts [--iterations N] [--key-people N] [--imports N] [--database-url postgres://…]";
const WARM_UP = 20;
const BUDGET_P95_MS = 300;

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

  const bench = await openSandboxBench({
    databaseUrl: values["database-url"],
    prefix: "handoff_bench_review",
    pool: 10,
  });
  try {
    const { createApplication } = await import("@/lib/server/sandbox/applications");
    const { createGeneratedSession } = await import("@/lib/server/sandbox/sessions");
    const { sandboxNow } = await import("@/lib/server/sandbox/clock");
    const schema = await import("@/lib/server/db/schema");
    const { createImport } = await import("@/lib/server/services/receiving");
    const { getImportInReview: getImport, loadReviewSides } = await import("@/lib/server/services/reviews");
    const { db, server } = bench;
    // The product's client as it is configured by default, but for the base URL and the limiter.
    const didit = { calls: 0 };
    await installSandboxDiditClient(server.origin, {}, (client) => ({
      getDecision: (...args: Parameters<typeof client.getDecision>) => {
        didit.calls++;
        return client.getDecision(...args);
      },
    }));

    // Us (Northwind Bank), our sister brand (Northwind Pay, also connected here) and a partner.
    const bank = await createApplication(db, { name: "Northwind Bank", profile: "recipe" });
    const pay = await createApplication(db, { name: "Northwind Pay", profile: "recipe" });
    const ext = await createApplication(db, { name: "Service X", profile: "recipe" });
    const bankRow = await connectApplication(db, bank, "Northwind Bank");
    await connectApplication(db, pay, "Northwind Pay");
    const partnerOf = (app: typeof bank, name: string) =>
      insertPartner(db, app, {
        name,
        applicationId: bankRow,
        direction: "inbound",
        deliveryChannel: "push",
        importMode: "manual",
        trustReview: false,
      });
    const partners = {
      sister: await partnerOf(pay, "Northwind Pay"),
      partner: await partnerOf(ext, "Service X"),
    };
    const sources = { sister: pay, partner: ext };
    const { ctx } = await benchOfficer(db);
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
      const item = await receivePushedShare(db, {
        origin: server.origin,
        from,
        forApplicationId: bank.application_id,
        sessionId: source.id,
        kind: "business",
        features: ["KYB_REGISTRY", "KYB_KEY_PEOPLE", "KYB_DOCUMENTS"],
        partnerId: partners[scenario],
        now,
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
      `review page bench: ${bench.driver}${bench.scratch ? ` (${bench.scratch.name})` : ""}, KYB with ${keyPeople} key people, ` +
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
    await bench.close();
  }
}

runMain(main);
