import { desc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditCheckpoints, auditEvents } from "@/lib/server/db/schema";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";
import { GET as exportGet } from "./export/route";
import { GET as verifyGet, POST as verifyPost } from "./verify/route";

let t: TestDatabase;
let auditor: TestUser;
let officer: TestUser;

const headSeq = async () =>
  (await t.db.select({ seq: auditEvents.seq }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1))[0]
    ?.seq ?? 0;

beforeAll(async () => {
  t = await createTestDatabase();
  auditor = await insertUser(t.db, "auditor");
  officer = await insertUser(t.db, "officer");
});
afterAll(async () => {
  await t.close();
});

describe(`GET /api/audit/export (${testDriver()})`, () => {
  it("answers an attachment, CSV or JSON Lines, with the filters applied", async () => {
    await verifyPost(
      await request("/api/audit/verify", { method: "POST", user: auditor, body: { mode: "full" } }),
    );
    const csv = await exportGet(
      await request("/api/audit/export?format=csv&action=audit.", { user: auditor }),
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-.*\.csv"$/);
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "seq,id,occurred_at,actor_id,actor_label,action,entity_type,entity_id,request_id,ip,user_agent,data,prev_hash,hash",
    );
    expect(lines.slice(1).every((l) => l.includes(",audit.verified,"))).toBe(true);
    expect(lines).toHaveLength(2);

    const jsonl = await exportGet(
      await request("/api/audit/export?format=jsonl&action=audit.", { user: auditor }),
    );
    expect(jsonl.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const events = (await jsonl.text())
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string });
    // The CSV export is now in the slice; this export's own event is not.
    expect(events.map((e) => e.action)).toEqual(["audit.verified", "audit.exported"]);
  });

  it("refuses bad input with 422 on the field, and writes nothing", async () => {
    const before = await headSeq();
    for (const [query, field] of [
      ["format=xlsx", "format"],
      ["", "format"],
      ["format=csv&from=2026-12-02&to=2026-12-01", "from"],
      ["format=csv&from=yesterday", "from"],
    ] as const) {
      const res = await exportGet(await request(`/api/audit/export?${query}`, { user: auditor }));
      expect(res.status, query).toBe(422);
      const body = (await res.json()) as {
        error: { code: string; details: { fields: Record<string, string[]> } };
      };
      expect(body.error.code).toBe("validation_failed");
      expect(Object.keys(body.error.details.fields)).toContain(field);
    }
    expect(await headSeq()).toBe(before);
  });

  it("is refused to an officer (no audit.read) with 403, and to no session with 401", async () => {
    const before = await headSeq();
    const res = await exportGet(await request("/api/audit/export?format=csv", { user: officer }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect((await exportGet(await request("/api/audit/export?format=csv"))).status).toBe(401);
    expect(await headSeq()).toBe(before);
  });
});

describe(`/api/audit/verify (${testDriver()})`, () => {
  it("GET reports the state without writing; POST verifies, checkpoints and audits", async () => {
    const checkpoints = (await t.db.select().from(auditCheckpoints)).length;
    const before = await headSeq();
    const state = await verifyGet(await request("/api/audit/verify", { user: auditor }));
    expect(state.status).toBe(200);
    const body = (await state.json()) as {
      ok: boolean;
      headSeq: number;
      checkpoint: { verifiedBy: { email: string } };
    };
    expect(body).toMatchObject({ ok: true, headSeq: before });
    expect(body.checkpoint.verifiedBy.email).toBe(auditor.email);
    expect((await t.db.select().from(auditCheckpoints)).length).toBe(checkpoints);
    expect(await headSeq()).toBe(before);

    const post = await verifyPost(
      await request("/api/audit/verify", { method: "POST", user: auditor, body: { mode: "incremental" } }),
    );
    expect(post.status).toBe(200);
    expect(await post.json()).toMatchObject({ ok: true, mode: "incremental" });
    expect((await t.db.select().from(auditCheckpoints)).length).toBe(checkpoints + 1);
    expect(await headSeq()).toBe(before + 1);
  });

  it("POST refuses a bad mode with 422 and an officer with 403, writing nothing", async () => {
    const checkpoints = (await t.db.select().from(auditCheckpoints)).length;
    const bad = await verifyPost(
      await request("/api/audit/verify", { method: "POST", user: auditor, body: { mode: "quick" } }),
    );
    expect(bad.status).toBe(422);
    const extra = await verifyPost(
      await request("/api/audit/verify", { method: "POST", user: auditor, body: { mode: "full", from: 1 } }),
    );
    expect(extra.status).toBe(422);
    const denied = await verifyPost(
      await request("/api/audit/verify", { method: "POST", user: officer, body: { mode: "full" } }),
    );
    expect(denied.status).toBe(403);
    expect((await t.db.select().from(auditCheckpoints)).length).toBe(checkpoints);
  });
});
