import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxApplications, sandboxSessions } from "@/lib/server/sandbox/schema";
import { authenticateApiKey } from "@/lib/server/sandbox/applications";
import { seedSandboxDemo, type SandboxDemoFile } from "@/lib/server/sandbox/demo-seed";
import { SESSION_STATUSES } from "@/lib/server/didit-wire";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";

let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), "sandbox-demo-"));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`sandbox demo seed (${testDriver()})`, () => {
  const now = new Date("2026-11-26T09:00:00Z");

  it("creates Northwind Bank and Northwind Pay with 240 KYC + 60 KYB sessions each, every status", async () => {
    const file = path.join(dir, "sandbox-demo.json");
    const started = performance.now();
    const result = await seedSandboxDemo(t.db, { now, profile: "recipe", filePath: file });
    const ms = performance.now() - started;
    console.log(`[demo seed] ${result.sessions} sessions in ${Math.round(ms)} ms on ${testDriver()}`);
    expect(result).toEqual({ created: true, sessions: 600, file });

    const apps = await t.db.select().from(sandboxApplications).orderBy(asc(sandboxApplications.createdAt));
    expect(apps.map((a) => a.name).sort()).toEqual(["Northwind Bank", "Northwind Pay"]);
    for (const app of apps) {
      const rows = await t.db
        .select({
          number: sandboxSessions.number,
          kind: sandboxSessions.kind,
          status: sandboxSessions.status,
          createdAt: sandboxSessions.createdAt,
          vendorData: sandboxSessions.vendorData,
        })
        .from(sandboxSessions)
        .where(eq(sandboxSessions.applicationId, app.id))
        .orderBy(asc(sandboxSessions.number));
      expect(rows.filter((r) => r.kind === "user")).toHaveLength(240);
      expect(rows.filter((r) => r.kind === "business")).toHaveLength(60);
      expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      for (const kind of ["user", "business"] as const) {
        const statuses = new Set(rows.filter((r) => r.kind === kind).map((r) => r.status));
        expect([...statuses].sort()).toEqual([...SESSION_STATUSES].sort());
      }
      const oldest = Math.min(...rows.map((r) => r.createdAt.getTime()));
      expect(now.getTime() - oldest).toBeGreaterThan(85 * 86_400_000);
      expect(now.getTime() - oldest).toBeLessThanOrEqual(90 * 86_400_000);
      expect(rows.every((r) => r.vendorData !== null)).toBe(true);
    }

    // The file: 0600, ids, workflows and keys that really authenticate.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = JSON.parse(readFileSync(file, "utf8")) as SandboxDemoFile;
    expect(content.applications.map((a) => a.name)).toEqual(["Northwind Bank", "Northwind Pay"]);
    for (const entry of content.applications) {
      const owner = await authenticateApiKey(t.db, entry.api_key);
      expect(owner?.app.id).toBe(entry.application_id);
      expect(owner?.app.privileges).toEqual(
        expect.arrayContaining(["read:sessions", "write:sessions", "delete:sessions"]),
      );
      expect(entry.workflows.user).toMatch(/^[0-9a-f-]{36}$/);
      expect(entry.profile).toBe("recipe");
    }
  });

  it("does nothing when applications exist and the file is there", async () => {
    const file = path.join(dir, "sandbox-demo.json");
    const before = readFileSync(file, "utf8");
    const result = await seedSandboxDemo(t.db, { now, filePath: file });
    expect(result).toEqual({ created: false, sessions: 0, file: null });
    expect(readFileSync(file, "utf8")).toBe(before);
    const all = await t.db.select({ id: sandboxSessions.id }).from(sandboxSessions);
    expect(all).toHaveLength(600);
  });

  it("re-issues keys into a new file when the file was lost", async () => {
    const file = path.join(dir, "lost", "sandbox-demo.json");
    const result = await seedSandboxDemo(t.db, { now, filePath: file });
    expect(result).toMatchObject({ created: false, sessions: 0, file });
    const content = JSON.parse(readFileSync(file, "utf8")) as SandboxDemoFile;
    expect(content.applications).toHaveLength(2);
    for (const entry of content.applications) {
      expect((await authenticateApiKey(t.db, entry.api_key))?.app.id).toBe(entry.application_id);
    }
    expect(await t.db.select({ id: sandboxApplications.id }).from(sandboxApplications)).toHaveLength(2);
  });
});
