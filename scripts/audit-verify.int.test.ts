import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "@/lib/server/db/open";
import type { DatabaseHandle } from "@/lib/server/db/types";
import { recordAudit } from "@/lib/server/services/audit/audit";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";

let pg: TestDatabase | null = null;
afterAll(async () => {
  await pg?.close();
});

/** A database the command can open from outside this process: a PGlite directory or a server URL. */
async function openForCommand(): Promise<{ handle: DatabaseHandle; env: Record<string, string> }> {
  if (testDriver() === "postgres") {
    pg = await createTestDatabase({ install: false });
    return { handle: pg, env: { DATABASE_URL: pg.url! } };
  }
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "handoff-verify-")), "pglite");
  return { handle: await openPglite(dir), env: { PGLITE_DIR: dir } };
}

function runVerify(env: Record<string, string>) {
  return spawnSync("npx", ["tsx", "--conditions=react-server", "scripts/audit-verify.ts"], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe(`npm run audit:verify (${testDriver()})`, () => {
  it("exits 0 on an intact chain and non-zero naming the first altered row", async () => {
    const { handle, env } = await openForCommand();
    for (let i = 0; i < 4; i++) {
      await handle.db.transaction((tx) =>
        recordAudit(
          tx,
          { actor: { id: null, label: "cli-test" }, now: new Date() },
          { action: "test.cli", data: { i } },
        ),
      );
    }
    if (testDriver() === "pglite") await handle.close();
    const ok = runVerify(env);
    expect(ok.stdout).toContain("Audit chain intact: 4 events verified.");
    expect(ok.status).toBe(0);

    const tamper = testDriver() === "pglite" ? await openPglite(env.PGLITE_DIR!) : handle;
    await tamper.db.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
    await tamper.db.execute(sql`update audit_events set action = 'test.forged' where seq = 3`);
    await tamper.db.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
    if (testDriver() === "pglite") await tamper.close();
    const bad = runVerify(env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/Row seq 3 \(id [0-9a-f-]{36}\) was altered/);
    // Two cold `tsx` starts and a PGlite open each: over a minute on a loaded 2-core machine.
  }, 240_000);
});
