import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { sandboxSessions } from "@/lib/server/sandbox/schema";
import { openPglite } from "@/lib/server/db/open";
import type { DatabaseHandle } from "@/lib/server/db/types";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";

let pg: TestDatabase | null = null;
afterAll(async () => {
  await pg?.close();
});

/** A database the CLI can open from its own process: a PGlite directory or a server URL. */
async function databaseForCli(): Promise<{
  env: Record<string, string>;
  open: () => Promise<DatabaseHandle>;
}> {
  if (testDriver() === "postgres") {
    pg = await createTestDatabase({ install: false });
    return { env: { DATABASE_URL: pg.url! }, open: async () => pg! };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "handoff-sandbox-cli-"));
  const dir = path.join(dataDir, "pglite");
  return { env: { PGLITE_DIR: dir }, open: () => openPglite(dir) };
}

function cli(env: Record<string, string>, ...args: string[]) {
  return spawnSync("npx", ["tsx", "--conditions=react-server", "scripts/sandbox.ts", ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe(`npm run sandbox (${testDriver()})`, () => {
  it("answers --help, refuses unknown commands and bad options with exit 2", () => {
    const help = cli({}, "--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("create-app --name <name>");
    const unknown = cli({}, "frobnicate");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown command: frobnicate");
  });

  it("creates an application, sessions and a bulk batch, and shows the delivery log", async () => {
    const { env, open } = await databaseForCli();
    const created = cli(env, "create-app", "--name", "CLI Bank", "--profile", "spec");
    expect(created.stderr).toContain("Keep the api_key now");
    expect(created.status).toBe(0);
    const app = JSON.parse(created.stdout) as { application_id: string; api_key: string; profile: string };
    expect(app.api_key).toMatch(/^sbx_/);
    expect(app.profile).toBe("spec");

    const one = cli(
      env,
      "create-session",
      "--app",
      app.application_id,
      "--kind",
      "business",
      "--status",
      "IN_REVIEW",
    );
    expect(one.status).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ session_number: 1, status: "In Review" });

    const bad = cli(env, "create-session", "--app", app.application_id, "--kind", "user", "--status", "Done");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--status must be one of");

    const bulk = cli(env, "bulk", "--app", app.application_id, "--count", "30");
    expect(bulk.status).toBe(0);
    expect(bulk.stdout).toContain("Created 30 sessions (numbers 2..31)");

    const unknownApp = cli(env, "deliveries", "--app", "00000000-0000-4000-8000-000000000000");
    expect(unknownApp.status).toBe(1);
    expect(unknownApp.stderr).toContain("No application");
    const log = cli(env, "deliveries", "--app", app.application_id);
    expect(log.status).toBe(0);
    expect(log.stdout).toContain("No deliveries");

    const handle = await open();
    try {
      const rows = await handle.db
        .select({ number: sandboxSessions.number })
        .from(sandboxSessions)
        .where(eq(sandboxSessions.applicationId, app.application_id));
      expect(rows.map((r) => r.number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 31 }, (_, i) => i + 1),
      );
    } finally {
      if (testDriver() === "pglite") await handle.close();
    }
  }, 180_000); // five CLI processes, each opening and migrating the database: slow on a busy 2-core box
});
