/**
 * Bulk session creation benchmark for the Didit sandbox, against a real PostgreSQL server.
 *
 *   npx tsx --conditions=react-server bench/sandbox-bulk.ts --count 1000000 \
 *     --database-url postgres://postgres@127.0.0.1:5432/postgres [--batch-size 2000] [--keep]
 *
 * Creates its own database on that server (handoff_bench_<time>), migrates it, creates one
 * application, bulk-creates the sessions, prints rows/s and the total time, then drops the database
 * (unless --keep).
 */
import { parseArgs } from "node:util";
import { migratePostgresUrl, openPostgres } from "@/lib/server/db/open";
import { migrateSandbox } from "@/lib/server/sandbox/migrate";
import { createApplication } from "@/lib/server/sandbox/applications";
import { bulkCreateSessions } from "@/lib/server/sandbox/bulk";
import { createScratchDatabase, runMain } from "./lib";

const USAGE = `Usage: bench/sandbox-bulk.ts --count N --database-url postgres://user@host:port/db [--batch-size N] [--keep]`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: "string" },
      "database-url": { type: "string" },
      "batch-size": { type: "string" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const count = Number(values.count);
  const adminUrl = values["database-url"];
  const batchSize = values["batch-size"] ? Number(values["batch-size"]) : undefined;
  if (!Number.isInteger(count) || count < 1 || !adminUrl) {
    console.error(USAGE);
    return 2;
  }
  const scratch = await createScratchDatabase(adminUrl, "handoff_bench");
  const { name, url, admin } = scratch;
  let handle: ReturnType<typeof openPostgres> | null = null;
  try {
    await migratePostgresUrl(url);
    handle = openPostgres(url, { max: 2 });
    await migrateSandbox(handle.db);
    const app = await createApplication(handle.db, { name: "Bench", profile: "recipe" });
    console.log(
      `database ${name}; creating ${count.toLocaleString("en")} sessions (batch ${batchSize ?? 2000})`,
    );
    const started = performance.now();
    let lastReport = started;
    const result = await bulkCreateSessions(handle.db, {
      applicationId: app.application_id,
      count,
      batchSize,
      vendorDataPrefix: "bench-",
      onProgress: (done, total) => {
        const t = performance.now();
        if (t - lastReport > 10_000 || done === total) {
          lastReport = t;
          const rate = Math.round(done / ((t - started) / 1000));
          console.log(`  ${done.toLocaleString("en")} / ${total.toLocaleString("en")}  (${rate} rows/s)`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const [size] = await admin.unsafe(`select pg_size_pretty(pg_database_size('${name}')) as size`);
    console.log(
      `created ${result.created.toLocaleString("en")} sessions (numbers ${result.firstNumber}..${result.lastNumber}) ` +
        `in ${seconds.toFixed(1)} s = ${Math.round(result.created / seconds)} rows/s; database size ${size?.size}`,
    );
    return 0;
  } finally {
    await handle?.close();
    await scratch.drop(values.keep);
  }
}

runMain(main);
