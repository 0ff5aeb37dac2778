import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { auditEvents } from "@/lib/server/db/schema";
import { insertUser } from "@/test/session";
import { GENESIS_HASH, recordAudit, verifyAuditChain, type AuditRequestMeta } from "./audit";
import { listAuditEvents } from "./read";

let t: TestDatabase;
const meta = (label = "tester"): AuditRequestMeta => ({
  actor: { id: null, label },
  now: new Date(),
  requestId: "req-test-0001",
  ip: "127.0.0.1",
  userAgent: "vitest",
});

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

describe(`audit chain (${testDriver()})`, () => {
  it("appends events that link to each other and verify", async () => {
    for (let i = 0; i < 5; i++) {
      await t.db.transaction((tx) =>
        recordAudit(tx, meta(), {
          action: "test.append",
          entityType: "thing",
          entityId: String(i),
          data: { i, name: "Zoë" },
        }),
      );
    }
    const rows = await t.db.select().from(auditEvents).orderBy(auditEvents.seq);
    expect(rows).toHaveLength(5);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    const result = await verifyAuditChain(t.db);
    expect(result).toMatchObject({ ok: true, checked: 5 });
  });

  it("rolls the event back with the caller's transaction", async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await recordAudit(tx, meta(), { action: "test.rolled_back" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const page = await listAuditEvents(t.db, { action: "test.rolled_back", limit: 10 });
    expect(page.items).toHaveLength(0);
  });

  it("refuses UPDATE, DELETE and TRUNCATE in the database itself", async () => {
    await expect(t.db.execute(sql`update audit_events set action = 'x'`)).rejects.toThrow();
    await expect(t.db.execute(sql`delete from audit_events`)).rejects.toThrow();
    await expect(t.db.execute(sql`truncate audit_events`)).rejects.toThrow();
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("forms one unbroken chain from 50 concurrent appends", async () => {
    const before = (await t.db.select().from(auditEvents)).length;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.db.transaction((tx) =>
          recordAudit(tx, meta(`writer-${i}`), { action: "test.concurrent", data: { i } }),
        ),
      ),
    );
    const rows = await t.db.select().from(auditEvents).orderBy(auditEvents.seq);
    expect(rows).toHaveLength(before + 50);
    const prevs = new Set(rows.map((r) => r.prevHash));
    expect(prevs.size).toBe(rows.length);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, checked: before + 50 });
  });

  it("filters by actor, action, entity and time, newest first, with a cursor", async () => {
    const first = await listAuditEvents(t.db, { action: "test.", limit: 20 });
    expect(first.items).toHaveLength(20);
    expect(first.items[0]!.seq).toBeGreaterThan(first.items[1]!.seq);
    const second = await listAuditEvents(t.db, {
      action: "test.",
      limit: 20,
      cursor: Number(first.nextCursor),
    });
    expect(second.items[0]!.seq).toBeLessThan(first.items[19]!.seq);
    const byActor = await listAuditEvents(t.db, { actor: "writer-7", limit: 10 });
    expect(byActor.items.map((e) => e.actorLabel)).toEqual(["writer-7"]);
    const byEntity = await listAuditEvents(t.db, { entityType: "thing", entityId: "3", limit: 10 });
    expect(byEntity.items).toHaveLength(1);
    const future = await listAuditEvents(t.db, { from: new Date(Date.now() + 3600_000), limit: 10 });
    expect(future.items).toHaveLength(0);
  });

  it("names the people of each event (its actor, approvers, assignees in data) in one query a page, and says it in words", async () => {
    const ada = await insertUser(t.db, "admin");
    const olu = await insertUser(t.db, "officer");
    const gone = "00000000-0000-4000-8000-00000000dead";
    for (let i = 0; i < 6; i++) {
      await t.db.transaction((tx) =>
        recordAudit(
          tx,
          { ...meta(ada.email), actor: { id: ada.id, label: ada.email } },
          {
            action: i % 2 ? "import.assigned" : "test.people",
            entityType: "import",
            entityId: String(i),
            data: {
              approvers: [olu.id, gone],
              to: olu.id,
              decisionId: "5a0c1a8e-2f61-4c7e-9d43-8a9b7f0e1c22",
            },
          },
        ),
      );
    }
    let selects = 0;
    const db = new Proxy(t.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "select" || typeof value !== "function") return value;
        return (...args: unknown[]) => {
          selects++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const page = await listAuditEvents(db, { actor: ada.email, limit: 50 });
    expect(page.items).toHaveLength(6);
    // The page, then the users it names: not one query per row.
    expect(selects).toBe(2);
    const [nameOfAda, nameOfOlu] = await Promise.all(
      [ada.id, olu.id].map(async (id) => {
        const rows = await t.db.execute<{ name: string }>(sql`select name from users where id = ${id}`);
        return (Array.isArray(rows) ? rows : (rows as { rows: { name: string }[] }).rows)[0]!.name;
      }),
    );
    for (const e of page.items) {
      expect(e.people).toEqual({
        [ada.id]: { name: nameOfAda, email: ada.email },
        [olu.id]: { name: nameOfOlu, email: olu.email },
      });
      // The raw data stays as recorded (the hash covers it); the unknown id is simply not named.
      expect(e.data.approvers).toEqual([olu.id, gone]);
    }
    const assigned = page.items.find((e) => e.action === "import.assigned")!;
    expect(assigned.sentence).toEqual([
      { person: { id: ada.id, name: nameOfAda, email: ada.email } },
      " assigned the review to ",
      { person: { id: olu.id, name: nameOfOlu, email: olu.email } },
    ]);
    expect(page.items.find((e) => e.action === "test.people")!.sentence).toEqual([
      { person: { id: ada.id, name: nameOfAda, email: ada.email } },
      " · test: people",
    ]);
  });

  it("detects a tampered row at that row, and a removed row at the next one", async () => {
    const rows = await t.db.select().from(auditEvents).orderBy(auditEvents.seq);
    const victim = rows[10]!;
    await t.db.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
    await t.db.execute(sql`update audit_events set data = '{"i": 999}'::jsonb where id = ${victim.id}`);
    await t.db.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
    const altered = await verifyAuditChain(t.db);
    expect(altered).toMatchObject({
      ok: false,
      checked: 10,
      firstBad: { seq: victim.seq, reason: "altered" },
    });

    const removed = rows[5]!;
    await t.db.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
    await t.db.execute(sql`delete from audit_events where id = ${removed.id}`);
    await t.db.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
    const missing = await verifyAuditChain(t.db);
    expect(missing).toMatchObject({ ok: false, firstBad: { seq: rows[6]!.seq, reason: "broken_link" } });
  });
});
