/**
 * Import throughput end to end (issue 8, Performance): per item, `createImport` as an officer's
 * click runs it — the row-locked claim transaction, the one Didit import-shared call at the
 * sandbox over HTTP, then the transaction recording the clone (import row, inbox item, session
 * mirror row with its lineage, token destroyed, `import.created` audit event) — at 1 and at 20
 * imports in flight, each on its own pending item. Reports items/s and per-item p50/p95/max, and
 * the Didit call's share of it.
 *
 *   npx tsx --conditions=react-server bench/import-throughput.ts \
 *     [--items 200] [--levels 1,20] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * On PostgreSQL with --database-url (a scratch database created on that server and dropped
 * afterwards), else an in-memory PGlite. Items are minted before each level (not timed); 20
 * warm-up imports first. Exits 1 unless every import ended `imported` with its audit event and
 * its clone mirrored, and Didit was called exactly once per item.
 */
import { parseArgs } from "node:util";
import { and, count, eq, inArray, isNotNull } from "drizzle-orm";
import { importWorld } from "./import-world";
import { percentile, runMain } from "./lib";

const USAGE = "Usage: bench/import-throughput.ts [--items N] [--levels 1,20] [--database-url postgres://…]";
const WARM_UP = 20;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "200" },
      levels: { type: "string", default: "1,20" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const itemCount = Number(values.items);
  const levels = values.levels.split(",").map(Number);
  if (!Number.isInteger(itemCount) || itemCount < 1 || !levels.every((n) => Number.isInteger(n) && n > 0)) {
    console.error(USAGE);
    return 2;
  }

  const w = await importWorld({
    databaseUrl: values["database-url"],
    prefix: "handoff_bench_import",
    pool: Math.max(20, ...levels) + 4,
  });
  try {
    const { createImport } = await import("@/lib/server/services/receiving");
    const { imports, auditEvents, sessionMirror } = w.schema;

    const run = async (ids: string[], inFlight: number) => {
      const ms: number[] = [];
      let failed = 0;
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: Math.min(inFlight, ids.length) }, async () => {
          while (next < ids.length) {
            const id = ids[next++]!;
            const t0 = performance.now();
            try {
              const imp = await createImport(w.ctx(), id, {});
              if (imp.state !== "imported") failed++;
            } catch {
              failed++;
            }
            ms.push(performance.now() - t0);
          }
        }),
      );
      return { ms, failed, wallMs: performance.now() - started };
    };

    // Warm-up: the first imports of a process compile code and prepare queries.
    await run(await w.items(WARM_UP), 4);

    type Row = {
      level: number;
      ids: string[];
      ms: number[];
      didit: number[];
      wallMs: number;
      failed: number;
    };
    const rows: Row[] = [];
    for (const level of levels) {
      const ids = await w.items(itemCount);
      w.didit.ms.length = 0;
      const callsBefore = w.didit.calls;
      const r = await run(ids, level);
      const calls = w.didit.calls - callsBefore;
      rows.push({
        level,
        ids,
        ms: r.ms,
        didit: [...w.didit.ms],
        wallMs: r.wallMs,
        failed: r.failed + Math.abs(calls - ids.length),
      });
    }

    console.log(
      `driver ${w.driver} (${w.databaseName}); ${itemCount} items per level, each imported once (KYC, trust_review false)`,
    );
    console.log(
      "| concurrent | items | wall | items/s | p50 | p95 | max | Didit call p50 | Didit call p95 | failed |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let ok = true;
    for (const r of rows) {
      const ms = [...r.ms].sort((a, b) => a - b);
      const didit = [...r.didit].sort((a, b) => a - b);
      // What each import must have left behind: imported, audited, its clone mirrored.
      const [done] = await w.db
        .select({ n: count() })
        .from(imports)
        .where(
          and(
            inArray(imports.inboxItemId, r.ids),
            eq(imports.state, "imported"),
            isNotNull(imports.cloneSessionId),
          ),
        );
      const importIds = (
        await w.db.select({ id: imports.id }).from(imports).where(inArray(imports.inboxItemId, r.ids))
      ).map((i) => i.id);
      const clones = (
        await w.db
          .select({ clone: imports.cloneSessionId })
          .from(imports)
          .where(inArray(imports.inboxItemId, r.ids))
      ).map((c) => c.clone!);
      const [audited] = await w.db
        .select({ n: count() })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "import.created"), inArray(auditEvents.entityId, importIds)));
      const [mirrored] = await w.db
        .select({ n: count() })
        .from(sessionMirror)
        .where(inArray(sessionMirror.diditSessionId, clones));
      const complete =
        Number(done?.n) === r.ids.length &&
        Number(audited?.n) === r.ids.length &&
        Number(mirrored?.n) === r.ids.length;
      const failed = r.failed + (complete ? 0 : 1);
      console.log(
        `| ${r.level} | ${r.ids.length} | ${(r.wallMs / 1000).toFixed(2)} s | ${((r.ids.length * 1000) / r.wallMs).toFixed(1)} | ` +
          `${percentile(ms, 50).toFixed(1)} ms | ${percentile(ms, 95).toFixed(1)} ms | ${ms[ms.length - 1]!.toFixed(1)} ms | ` +
          `${percentile(didit, 50).toFixed(1)} ms | ${percentile(didit, 95).toFixed(1)} ms | ${failed} |`,
      );
      if (!complete) {
        console.error(
          `level ${r.level}: ${Number(done?.n)} imported, ${Number(audited?.n)} audited, ${Number(mirrored?.n)} mirrored of ${r.ids.length}`,
        );
      }
      ok &&= failed === 0;
    }
    return ok ? 0 : 1;
  } finally {
    await w.close();
  }
}

runMain(main, { stack: true });
