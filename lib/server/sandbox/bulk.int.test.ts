import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxEntities, sandboxSessions } from "@/lib/server/sandbox/schema";
import { createApplication } from "@/lib/server/sandbox/applications";
import { bulkCreateSessions } from "@/lib/server/sandbox/bulk";
import { SESSION_STATUSES } from "@/lib/server/didit-wire";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

const rowsOfApp = (applicationId: string) =>
  t.db
    .select({
      number: sandboxSessions.number,
      kind: sandboxSessions.kind,
      status: sandboxSessions.status,
      vendorData: sandboxSessions.vendorData,
      createdAt: sandboxSessions.createdAt,
      summary: sandboxSessions.summary,
    })
    .from(sandboxSessions)
    .where(eq(sandboxSessions.applicationId, applicationId))
    .orderBy(asc(sandboxSessions.number));

describe(`bulk session creation (${testDriver()})`, () => {
  it("creates N rows with consecutive numbers over several batches, exact kind split, every status", async () => {
    const app = await createApplication(t.db, { name: "Bulk", profile: "recipe" });
    const now = new Date("2026-11-20T12:00:00Z");
    const progress: number[] = [];
    const result = await bulkCreateSessions(t.db, {
      applicationId: app.application_id,
      count: 2500,
      batchSize: 1000,
      kindMix: { user: 3, business: 2 },
      vendorDataPrefix: "b-",
      now,
      spreadDays: 30,
      onProgress: (done) => progress.push(done),
    });
    expect(result).toEqual({ created: 2500, firstNumber: 1, lastNumber: 2500 });
    expect(progress).toEqual([1000, 2000, 2500]);
    const rows = await rowsOfApp(app.application_id);
    expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(rows.filter((r) => r.kind === "business")).toHaveLength(1000);
    for (const kind of ["user", "business"] as const) {
      const statuses = new Set(rows.filter((r) => r.kind === kind).map((r) => r.status));
      expect([...statuses].sort()).toEqual([...SESSION_STATUSES].sort());
    }
    // created_at follows the numbers, inside the spread window, ending at `now`.
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.createdAt.getTime());
    }
    expect(rows.at(-1)!.createdAt.getTime()).toBe(now.getTime());
    expect(rows[0]!.createdAt.getTime()).toBeGreaterThan(now.getTime() - 30 * 86_400_000);
    // vendor_data and one entity per vendor_data.
    expect(rows[0]!.vendorData).toBe(`b-${rows[0]!.kind}-1`);
    const [entities] = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(sandboxEntities)
      .where(eq(sandboxEntities.applicationId, app.application_id));
    expect(Number(entities!.n)).toBe(2500);
    // The application's counter moved past the block: the next number is 2501.
    const next = await bulkCreateSessions(t.db, { applicationId: app.application_id, count: 1, now });
    expect(next).toEqual({ created: 1, firstNumber: 2501, lastNumber: 2501 });
  });

  it("is deterministic by seed prefix: the same numbers give the same people", async () => {
    const a = await createApplication(t.db, { name: "Seed A", profile: "recipe" });
    const b = await createApplication(t.db, { name: "Seed B", profile: "spec" });
    const opts = { count: 40, seedPrefix: "same-seed", now: new Date("2026-01-01T00:00:00Z") };
    await bulkCreateSessions(t.db, { ...opts, applicationId: a.application_id });
    await bulkCreateSessions(t.db, { ...opts, applicationId: b.application_id });
    const rowsA = await rowsOfApp(a.application_id);
    const rowsB = await rowsOfApp(b.application_id);
    expect(rowsA.map((r) => [r.kind, r.status, r.summary])).toEqual(
      rowsB.map((r) => [r.kind, r.status, r.summary]),
    );
    expect(new Set(rowsA.map((r) => r.summary.full_name ?? r.summary.company_name)).size).toBeGreaterThan(20);
  });

  it("keeps numbers unique and gapless when two bulk runs race on one application", async () => {
    const app = await createApplication(t.db, { name: "Race", profile: "recipe" });
    const run = () =>
      bulkCreateSessions(t.db, { applicationId: app.application_id, count: 600, batchSize: 200 });
    await Promise.all([run(), run()]);
    const numbers = (await rowsOfApp(app.application_id)).map((r) => r.number);
    expect(numbers).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
  });

  it("refuses an unknown application and writes nothing", async () => {
    await expect(
      bulkCreateSessions(t.db, { applicationId: "00000000-0000-4000-8000-000000000000", count: 5 }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
