/**
 * The 100-way duplicate race (issue 8 §2 and Performance: resolves in ≤ 1 s on PostgreSQL): per
 * round, 100 concurrent `createImport` calls on one pending item, all started at once; the wall
 * time until every one has answered. Each round must give exactly 1 Didit import call, 1 import
 * row, 1 success and 99 `already_imported` refusals naming the winner; a round that does not is a
 * failure (exit 1), as is a p50 or max over the goal when --strict is given.
 *
 *   npx tsx --conditions=react-server bench/import-race.ts \
 *     [--rounds 10] [--racers 100] [--goal-ms 1000] [--strict] \
 *     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * On PostgreSQL with --database-url (a scratch database created on that server and dropped
 * afterwards; a pool of 20 connections, as the app's), else an in-memory PGlite. One warm-up round
 * first (not reported).
 */
import { parseArgs } from "node:util";
import { count, eq } from "drizzle-orm";
import { importWorld } from "./import-world";
import { percentile, runMain } from "./lib";

const USAGE =
  "Usage: bench/import-race.ts [--rounds N] [--racers N] [--goal-ms N] [--strict] [--database-url postgres://…]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "10" },
      racers: { type: "string", default: "100" },
      "goal-ms": { type: "string", default: "1000" },
      strict: { type: "boolean", default: false },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rounds = Number(values.rounds);
  const racers = Number(values.racers);
  const goalMs = Number(values["goal-ms"]);
  if (![rounds, racers, goalMs].every((n) => Number.isInteger(n) && n > 0)) {
    console.error(USAGE);
    return 2;
  }

  const w = await importWorld({
    databaseUrl: values["database-url"],
    prefix: "handoff_bench_race",
    pool: 20,
  });
  try {
    const { createImport } = await import("@/lib/server/services/receiving");
    const { AppError } = await import("@/lib/server/http/errors");
    const { imports } = w.schema;

    type Round = {
      ms: number;
      calls: number;
      rows: number;
      ok: number;
      refused: number;
      other: string[];
    };
    const race = async (): Promise<Round> => {
      const [itemId] = await w.items(1);
      const callsBefore = w.didit.calls;
      const started = performance.now();
      const results = await Promise.allSettled(
        Array.from({ length: racers }, () => createImport(w.ctx(), itemId!, {})),
      );
      const ms = performance.now() - started;
      const winners = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      const winnerId = winners[0]?.id;
      let refused = 0;
      const other: string[] = [];
      for (const r of results) {
        if (r.status === "fulfilled") continue;
        const e: unknown = r.reason;
        if (
          e instanceof AppError &&
          e.code === "already_imported" &&
          (e.details as { importId?: string } | undefined)?.importId === winnerId
        )
          refused++;
        else other.push(e instanceof AppError ? e.code : String(e));
      }
      const [rows] = await w.db.select({ n: count() }).from(imports).where(eq(imports.inboxItemId, itemId!));
      return {
        ms,
        calls: w.didit.calls - callsBefore,
        rows: Number(rows?.n ?? 0),
        ok: winners.filter((i) => i.state === "imported").length,
        refused,
        other,
      };
    };

    await race(); // warm-up
    const all: Round[] = [];
    for (let i = 0; i < rounds; i++) all.push(await race());

    console.log(
      `driver ${w.driver} (${w.databaseName}); ${rounds} rounds of ${racers} concurrent createImport on one item`,
    );
    console.log("| round | resolved in | Didit calls | import rows | 201 | 409 already_imported | other |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    let exact = true;
    all.forEach((r, i) => {
      const right =
        r.calls === 1 && r.rows === 1 && r.ok === 1 && r.refused === racers - 1 && r.other.length === 0;
      exact &&= right;
      console.log(
        `| ${i + 1} | ${r.ms.toFixed(1)} ms | ${r.calls} | ${r.rows} | ${r.ok} | ${r.refused} | ${r.other.join(", ") || "none"}${right ? "" : " ✗"} |`,
      );
    });
    const sorted = all.map((r) => r.ms).sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const max = sorted[sorted.length - 1]!;
    console.log(
      `\nresolved in p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms (goal ≤ ${goalMs} ms: ${max <= goalMs ? "met" : p50 <= goalMs ? "met at p50, not at max" : "missed"}); ` +
        `every round exactly one import: ${exact ? "yes" : "NO"}`,
    );
    if (!exact) return 1;
    if (values.strict && max > goalMs) return 1;
    return 0;
  } finally {
    await w.close();
  }
}

runMain(main, { stack: true });
