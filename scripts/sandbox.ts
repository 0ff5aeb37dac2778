/**
 * The Didit sandbox from the command line: `npm run sandbox -- <command> [options]`.
 * Opens the database like the server does (DATABASE_URL, else the embedded PGlite directory).
 */
import { parseArgs } from "node:util";
import { EnvError, getEnv } from "@/lib/env";
import { openPglite, openPostgres } from "@/lib/server/db/open";
import { migrateSandbox } from "@/lib/server/sandbox/migrate";
import { PgliteLockedError } from "@/lib/server/db/pglite-lock";
import type { DatabaseHandle, Db } from "@/lib/server/db/types";
import { createApplication, findApplication, listApplications } from "@/lib/server/sandbox/applications";
import { bulkCreateSessions } from "@/lib/server/sandbox/bulk";
import { sandboxNow } from "@/lib/server/sandbox/clock";
import { DrfError, isUuid } from "@/lib/server/sandbox/errors";
import { createGeneratedSession } from "@/lib/server/sandbox/sessions";
import { parseStatus, renderStatus } from "@/lib/server/sandbox/statuses";
import { SESSION_STATUSES, type SessionKind } from "@/lib/server/didit-wire";
import type { SandboxProfile } from "@/lib/server/sandbox/types";
import { listDeliveries } from "@/lib/server/sandbox/webhook-deliveries";

const HELP = `Didit sandbox CLI

Usage: npm run sandbox -- <command> [options]

Commands:
  create-app --name <name> [--profile recipe|spec]
      Create an application with one KYC and one KYB workflow and a key holding every privilege.
      Prints application_id, api_key (shown once) and the workflow ids as JSON.
  list-apps [--json]
      List the applications (no keys).
  create-session --app <application_id> --kind user|business --status <status>
                 [--vendor-data <text>] [--seed <text>] [--count <n>]
      Create generated sessions. <status> is one of: ${SESSION_STATUSES.join(", ")}
      (any casing, "_" for spaces). With --count, every session gets the same vendor data.
  bulk --app <application_id> --count <n> [--batch-size <n>]
      Create many generated sessions fast (mixed kinds and statuses; numbers stay consecutive).
  deliveries --app <application_id> [--limit <n>] [--json]
      Show the webhook delivery log, newest first.

Database: DATABASE_URL when set, else the embedded PGlite directory (${"<HANDOFF_DATA_DIR>/pglite"}),
which only one process can open at a time: stop \`npm run dev\`/\`npm start\` first, or use the
admin API over HTTP instead (docs/sandbox.md).

Exit status: 0 success, 1 failure, 2 usage error.`;

class UsageError extends Error {}

type Options = Record<string, string | boolean | undefined>;

function parse(argv: string[]): { command: string | undefined; options: Options } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: "string" },
      profile: { type: "string" },
      app: { type: "string" },
      kind: { type: "string" },
      status: { type: "string" },
      "vendor-data": { type: "string" },
      seed: { type: "string" },
      count: { type: "string" },
      "batch-size": { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  return { command: values.help ? "help" : positionals[0], options: values };
}

function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${name} is required`);
  return value.trim();
}

function positiveInt(options: Options, name: string, fallback?: number): number {
  const raw = options[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (
    typeof raw !== "string" ||
    !/^\d+$/.test(raw) ||
    Number(raw) < 1 ||
    !Number.isSafeInteger(Number(raw))
  ) {
    throw new UsageError(`--${name} must be a positive integer`);
  }
  return Number(raw);
}

async function requireApp(db: Db, options: Options) {
  const id = required(options, "app");
  if (!isUuid(id)) throw new UsageError("--app must be an application uuid (see list-apps)");
  const app = await findApplication(db, id.toLowerCase());
  if (!app) throw new Error(`No application ${id} (see list-apps)`);
  return app;
}

async function openDatabase(): Promise<DatabaseHandle> {
  const env = getEnv();
  if (env.DATABASE_URL) return openPostgres(env.DATABASE_URL, { max: 2 });
  // The embedded database migrates itself on open; the sandbox's own set is applied here.
  const handle = await openPglite(env.pgliteDir);
  await migrateSandbox(handle.db);
  return handle;
}

const commands: Record<string, (db: Db, options: Options) => Promise<void>> = {
  async "create-app"(db, options) {
    const name = required(options, "name");
    const profile = options.profile === undefined ? undefined : String(options.profile);
    if (profile !== undefined && profile !== "recipe" && profile !== "spec") {
      throw new UsageError("--profile must be recipe or spec");
    }
    const created = await createApplication(db, { name, profile: profile as SandboxProfile | undefined });
    const app = await findApplication(db, created.application_id);
    console.log(JSON.stringify({ ...created, name, profile: app?.profile }, null, 2));
    console.error("Keep the api_key now: it is stored only as a hash and cannot be shown again.");
  },

  async "list-apps"(db, options) {
    const apps = await listApplications(db);
    if (options.json) {
      console.log(JSON.stringify(apps, null, 2));
      return;
    }
    if (apps.length === 0) {
      console.log("No applications. Create one with: npm run sandbox -- create-app --name <name>");
      return;
    }
    for (const a of apps) {
      const wf = a.workflows.map((w) => `${w.kind}=${w.workflow_id}`).join(" ");
      const keys = a.api_keys.filter((k) => !k.revoked).map((k) => `…${k.last_four}`);
      console.log(`${a.application_id}  ${a.profile.padEnd(6)}  ${a.name}`);
      console.log(`    workflows: ${wf}`);
      console.log(`    keys: ${keys.join(", ") || "none"}  created ${a.created_at}`);
    }
  },

  async "create-session"(db, options) {
    const app = await requireApp(db, options);
    const kind = required(options, "kind");
    if (kind !== "user" && kind !== "business") throw new UsageError("--kind must be user or business");
    const status = parseStatus(required(options, "status"));
    if (!status) throw new UsageError(`--status must be one of: ${SESSION_STATUSES.join(", ")}`);
    const count = positiveInt(options, "count", 1);
    const seed = typeof options.seed === "string" ? options.seed : undefined;
    if (seed !== undefined && count > 1)
      throw new UsageError("--seed gives one person; use it without --count");
    const vendorData = typeof options["vendor-data"] === "string" ? options["vendor-data"] : null;
    const created: { session_id: string; session_number: number; status: string }[] = [];
    for (let i = 0; i < count; i++) {
      const s = await createGeneratedSession(db, {
        applicationId: app.id,
        kind: kind as SessionKind,
        status,
        vendorData,
        seed,
        now: await sandboxNow(db),
      });
      created.push({
        session_id: s.id,
        session_number: s.number,
        status: renderStatus(s.kind, s.status, app.profile),
      });
    }
    console.log(JSON.stringify(count === 1 ? created[0] : created, null, 2));
  },

  async bulk(db, options) {
    const app = await requireApp(db, options);
    const count = positiveInt(options, "count");
    const batchSize = positiveInt(options, "batch-size", 2000);
    const started = performance.now();
    let last = 0;
    const result = await bulkCreateSessions(db, {
      applicationId: app.id,
      count,
      batchSize,
      now: await sandboxNow(db),
      onProgress: (done, total) => {
        const t = performance.now();
        if (t - last > 2000 || done === total) {
          last = t;
          process.stderr.write(`  ${done} / ${total}\n`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Created ${result.created} sessions (numbers ${result.firstNumber}..${result.lastNumber}) in ` +
        `${seconds.toFixed(1)} s (${Math.round(result.created / Math.max(seconds, 0.001))} rows/s).`,
    );
  },

  async deliveries(db, options) {
    const app = await requireApp(db, options);
    const limit = positiveInt(options, "limit", 50);
    const url = new URL("http://sandbox.cli/sandbox/admin/webhook-deliveries");
    url.searchParams.set("application_id", app.id);
    url.searchParams.set("limit", String(limit));
    const page = await listDeliveries(db, url);
    if (options.json) {
      console.log(JSON.stringify(page, null, 2));
      return;
    }
    if (page.count === 0) {
      console.log("No deliveries. Register a destination with POST /sandbox/v3/webhook/destinations/.");
      return;
    }
    console.log(`${page.count} deliveries, newest first:`);
    for (const d of page.results) {
      const code = d.status_code === null ? "---" : String(d.status_code);
      const error = d.last_error && d.state !== "delivered" ? `  (${d.last_error})` : "";
      console.log(
        `${d.created_at}  ${d.state.padEnd(9)} ${code}  attempts=${d.attempts}  ${d.event}  ${d.url}${error}`,
      );
    }
  },
};

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\nRun with --help for usage.`);
    return 2;
  }
  const { command, options } = parsed;
  if (!command || command === "help") {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const run = commands[command];
  if (!run) {
    console.error(`Unknown command: ${command}\n\nRun with --help for usage.`);
    return 2;
  }
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase();
  } catch (error) {
    if (error instanceof PgliteLockedError) {
      console.error(
        `${error.message}\nThe embedded database can be opened by one process only: stop the dev server ` +
          "(npm run dev) and run this command again, or use the sandbox admin API over HTTP (docs/sandbox.md).",
      );
      return 1;
    }
    if (error instanceof EnvError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  try {
    await run(handle.db, options);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\nRun with --help for usage.`);
      return 2;
    }
    if (error instanceof DrfError) {
      console.error(`Refused: ${JSON.stringify(error.body)}`);
      return 1;
    }
    // A failed query's message carries its parameters (possibly megabytes): show the cause only.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    console.error(message);
    if (
      /relation "sandbox\.\w+" does not exist/.test(message) ||
      /schema "sandbox" does not exist/.test(message)
    ) {
      console.error(
        "The database has no sandbox tables yet: run `npm run db:migrate` first (with SANDBOX_ENABLED on).",
      );
    }
    return 1;
  } finally {
    await handle.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
