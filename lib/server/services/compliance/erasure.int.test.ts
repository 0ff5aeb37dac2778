import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as erasureById from "@/app/api/erasure/[id]/route";
import * as erasureRoute from "@/app/api/erasure/route";
import type { ErasureListResponse, ErasureRequestDto } from "@/lib/schemas/erasure";
import {
  auditEvents,
  erasureRequests,
  inboxItems,
  recallNotices,
  recalls,
  sessionMirror,
  shares,
} from "@/lib/server/db/schema";
import type { DiditClient } from "@/lib/server/didit/types";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { sharingWorld, type SharingWorld } from "@/test/sharing-world";
import { insertUser, request, type TestUser } from "@/test/session";
import { verifyAuditChain } from "@/lib/server/services/audit/audit";
import { exportEvidencePack } from "./evidence";
import { getLineage } from "@/lib/server/services/lineage";
import { requestErasure } from "./erasure";
import { removedFieldsHash } from "./erasure-copies";
import { listSessions } from "@/lib/server/services/sessions/sessions";
import { createShare } from "@/lib/server/services/sharing";
import { countRows } from "@/lib/server/services/sharing/shares.test-kit";

type Handler = (req: Request, ctx?: { params?: Promise<object> }) => Promise<Response>;
type Err = { error?: { code: string; message: string; details?: unknown } };

/** The name every mirrored session of the world carries (shares.test-kit's mirroredSession). */
const NAME = "Ada Lovelace";
const REASON = "Data subject request under GDPR art. 17, ticket DSR-2026-0042";

let w: SharingWorld;
let admin: TestUser;
let auditor: TestUser;
let payRow: string;

async function call<T = Record<string, unknown>>(
  handler: Handler,
  req: Promise<Request>,
  params: object = {},
) {
  const res = await handler(await req, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T & Err, text };
}

const erase = (user: TestUser, body: Record<string, unknown>) =>
  call<ErasureRequestDto>(erasureRoute.POST, request("/api/erasure", { method: "POST", user, body }));

const body = (sessionId: string, extra: Record<string, unknown> = {}) => ({
  sessionId,
  reason: REASON,
  deleteAtDidit: true,
  confirm: sessionId,
  ...extra,
});

function ctxOf(user: TestUser, role = user.role): ServiceContext {
  return {
    db: w.t.db,
    actor: { id: user.id, email: user.email, name: "Test", role },
    now: () => new Date(),
    requestId: "test",
    ip: null,
    userAgent: null,
  };
}

async function counts() {
  return {
    audit: await countRows(w.t.db, "audit_events"),
    erasures: await countRows(w.t.db, "erasure_requests"),
  };
}

/** A token from Northwind Bank waiting in Northwind Pay's inbox (as an internal delivery leaves it). */
async function inboxItemOf(sessionId: string, state: "pending" | "imported" = "pending") {
  const [row] = await w.t.db
    .insert(inboxItems)
    .values({
      applicationId: payRow,
      source: "internal",
      tokenHash: randomUUID(),
      tokenCiphertext: state === "pending" ? "sealed-token-envelope" : null,
      claims: { session_id: sessionId, from_application_id: w.bank.id },
      manifest: {
        session_number: 12,
        status: "Approved",
        created_at: null,
        features: ["id_verifications"],
        agreement_reference: "DSA-2026-001",
      },
      sessionKind: "user",
      sourceSessionId: sessionId,
      fromApplicationId: w.bank.id,
      expiresAt: new Date(Date.now() + 3_600_000),
      state,
    })
    .returning();
  return row!;
}

async function diditStatus(sessionId: string): Promise<number> {
  return (await w.api.decision(w.bank.key, sessionId)).status;
}

beforeAll(async () => {
  w = await sharingWorld();
  admin = await insertUser(w.t.db, "admin");
  auditor = await insertUser(w.t.db, "auditor");
  payRow = await w.newConnectedApp("Northwind Pay");
});

afterAll(async () => {
  await w?.close();
});

describe("POST /api/erasure: refusals", () => {
  it("is for admins only (403), nothing written", async () => {
    const sessionId = await w.newSession();
    const before = await counts();
    expect((await erase(w.officer, body(sessionId))).status).toBe(403);
    expect((await erase(auditor, body(sessionId))).status).toBe(403);
    expect((await call(erasureRoute.GET, request("/api/erasure", { user: w.officer }))).status).toBe(403);
    expect(await counts()).toEqual(before);
    expect(await diditStatus(sessionId)).toBe(200);
  });

  it.each([
    ["a short reason", { reason: "because" }],
    ["no reason", { reason: undefined }],
    ["a reason over 2000 characters", { reason: "x".repeat(2001) }],
    ["no Didit choice", { deleteAtDidit: undefined }],
    ["a Didit choice as a string", { deleteAtDidit: "yes" }],
    ["a session id that is not a uuid", { sessionId: "12", confirm: "12" }],
    ["an unknown field", { force: true }],
  ])("refuses %s (422), nothing written", async (_label, extra) => {
    const sessionId = await w.newSession();
    const before = await counts();
    const res = await erase(admin, body(sessionId, extra));
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe("validation_failed");
    expect(await counts()).toEqual(before);
  });

  it("refuses a confirmation that does not match (400), nothing written, the session still at Didit", async () => {
    const sessionId = await w.newSession();
    const before = await counts();
    const res = await erase(admin, body(sessionId, { confirm: randomUUID() }));
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toMatch(/confirmation does not match/);
    expect(await counts()).toEqual(before);
    expect(await diditStatus(sessionId)).toBe(200);
    const [row] = await w.t.db
      .select()
      .from(sessionMirror)
      .where(eq(sessionMirror.diditSessionId, sessionId));
    expect(row!.displayName).toBe(NAME);
  });

  it("answers 404 for a session none of our applications knows", async () => {
    const id = randomUUID();
    const before = await counts();
    const res = await erase(admin, body(id));
    expect(res.status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it("refuses the Didit delete of a partner's session (only its received copy is ours): 409", async () => {
    const partnerSession = randomUUID();
    await inboxItemOf(partnerSession, "imported");
    const res = await erase(admin, body(partnerSession));
    expect(res.status).toBe(409);
    expect(res.body.error?.message).toMatch(/partner's Didit application/);
    // Our copies only: allowed.
    const ok = await erase(admin, body(partnerSession, { deleteAtDidit: false }));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ applicationId: payRow, diditOutcome: "skipped", state: "done" });
    expect(ok.body.counts.inboxItems).toBe(1);
  });

  it("asks which application when two of ours hold the session (409 with candidates), then erases", async () => {
    const sessionId = await w.newSession();
    const other = await w.newConnectedApp("Northwind Cards");
    await w.t.db.insert(sessionMirror).values({
      applicationId: other,
      diditSessionId: sessionId,
      kind: "user",
      status: "Approved",
      displayName: NAME,
      diditCreatedAt: new Date(),
      searchText: NAME.toLowerCase(),
    });
    const res = await erase(admin, body(sessionId, { deleteAtDidit: false }));
    expect(res.status).toBe(409);
    const candidates = (res.body.error?.details as { candidates: { applicationId: string }[] }).candidates;
    expect(candidates.map((c) => c.applicationId).sort()).toEqual([w.bankRow, other].sort());
    const unknownApp = await erase(admin, body(sessionId, { deleteAtDidit: false, applicationId: payRow }));
    expect(unknownApp.status).toBe(404);
    const ok = await erase(admin, body(sessionId, { deleteAtDidit: false, applicationId: w.bankRow }));
    expect(ok.status).toBe(201);
    // Every mirror copy of the session is scrubbed, whichever application was named.
    const rows = await w.t.db.select().from(sessionMirror).where(eq(sessionMirror.diditSessionId, sessionId));
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.displayName === null && r.redactedAt !== null)).toBe(true);
  });
});

describe("POST /api/erasure: the erasure", () => {
  let sessionId: string;
  let shareId: string;
  let item: typeof inboxItems.$inferSelect;
  let mirrorBefore: typeof sessionMirror.$inferSelect;
  let result: ErasureRequestDto;
  let auditBefore: number;

  beforeAll(async () => {
    sessionId = await w.newSession("Approved");
    shareId = (await createShare(ctxOf(w.officer), { sessionId, partnerId: w.pickup.id, ttlSeconds: 3600 }))
      .id;
    item = await inboxItemOf(sessionId);
    mirrorBefore = (
      await w.t.db.select().from(sessionMirror).where(eq(sessionMirror.diditSessionId, sessionId))
    )[0]!;
    auditBefore = (await counts()).audit;
    // The review page's cache holds a decision of it (as a clone) and of another session.
    const cache = new Map<
      string,
      { at: number; applicationId: string; sessionId: string; decision: unknown }
    >();
    cache.set("import-of-it", { at: Date.now(), applicationId: w.bankRow, sessionId, decision: {} });
    cache.set("import-other", {
      at: Date.now(),
      applicationId: w.bankRow,
      sessionId: randomUUID(),
      decision: {},
    });
    (globalThis as unknown as { __handoffReviewDecisions?: Map<string, unknown> }).__handoffReviewDecisions =
      cache;
    // Upper case and spaces: the same uuid.
    const res = await erase(admin, body(sessionId, { confirm: ` ${sessionId.toUpperCase()} ` }));
    expect(res.status, res.text).toBe(201);
    result = res.body;
  });

  it("deletes the session at Didit (404 there afterwards) and answers the request done", async () => {
    expect(result).toMatchObject({
      sessionId,
      applicationId: w.bankRow,
      applicationName: "Northwind Bank",
      state: "done",
      deleteAtDidit: true,
      diditOutcome: "deleted",
      diditError: null,
      reason: REASON,
      requestedBy: { id: admin.id },
    });
    expect(result.finishedAt).not.toBeNull();
    expect(await diditStatus(sessionId)).toBe(404);
  });

  it("redacts the mirror row (ids, number and status kept) and takes it out of the picker", async () => {
    const [row] = await w.t.db
      .select()
      .from(sessionMirror)
      .where(eq(sessionMirror.diditSessionId, sessionId));
    expect(row).toMatchObject({
      id: mirrorBefore.id,
      sessionNumber: mirrorBefore.sessionNumber,
      status: "Approved",
      displayName: null,
      vendorData: null,
      country: null,
      documentType: null,
      registrationNumber: null,
      searchText: "",
    });
    expect(row!.redactedAt).not.toBeNull();
    expect(row!.deletedAt).not.toBeNull();
  });

  it("strips the inbox item of its manifest and sealed token, and closes it", async () => {
    const [after] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.id, item.id));
    expect(after).toMatchObject({ manifest: null, tokenCiphertext: null, state: "failed" });
    expect(after!.redactedAt).not.toBeNull();
    expect(after!.claims).toEqual(item.claims);
  });

  it("revokes the pending share with reason 'erased' and destroys its token", async () => {
    const [share] = await w.t.db.select().from(shares).where(eq(shares.id, shareId));
    expect(share).toMatchObject({
      state: "revoked",
      tokenCiphertext: null,
      revokeReason: "erased",
      revokedBy: admin.id,
    });
  });

  it("drops the review page's cached decision of it, and only that one", async () => {
    const cache = (globalThis as unknown as { __handoffReviewDecisions: Map<string, unknown> })
      .__handoffReviewDecisions;
    expect([...cache.keys()]).toEqual(["import-other"]);
  });

  it("raises a recall to the partner it was shared with", async () => {
    expect(result.recallId).not.toBeNull();
    const [recall] = await w.t.db.select().from(recalls).where(eq(recalls.id, result.recallId!));
    expect(recall).toMatchObject({
      applicationId: w.bankRow,
      sessionId,
      trigger: "erased",
      source: "erasure",
      toStatus: null,
      raisedBy: admin.id,
    });
    const notices = await w.t.db.select().from(recallNotices).where(eq(recallNotices.recallId, recall!.id));
    expect(notices.map((n) => n.shareId)).toEqual([shareId]);
    expect(JSON.stringify(recall)).not.toContain(NAME);
  });

  it("records counts and a hash over exactly the removed personal fields", async () => {
    expect(result.counts).toMatchObject({
      sessionMirror: 1,
      inboxItems: 1,
      inboxItemsClosed: 1,
      sharesRevoked: 1,
      shareTokensDestroyed: 1,
    });
    const expected = removedFieldsHash(sessionId, {
      sessionMirror: [
        {
          id: mirrorBefore.id,
          displayName: NAME,
          registrationNumber: mirrorBefore.registrationNumber,
          vendorData: mirrorBefore.vendorData,
          searchText: mirrorBefore.searchText,
          country: mirrorBefore.country,
          documentType: mirrorBefore.documentType,
        },
      ],
      inboxItems: [{ id: item.id, manifest: item.manifest }],
    });
    expect(result.removedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.removedSha256).toBe(expected);
    expect(removedFieldsHash(sessionId, { sessionMirror: [], inboxItems: [] })).not.toBe(expected);
  });

  it("audits requested and completed with ids, counts and the hash, never the name; the chain verifies", async () => {
    const events = await w.t.db.select().from(auditEvents).where(eq(auditEvents.entityId, result.id));
    expect(events.map((e) => e.action).sort()).toEqual(["erasure.completed", "erasure.requested"]);
    const requested = events.find((e) => e.action === "erasure.requested")!;
    expect(requested.data).toMatchObject({
      sessionId,
      applicationId: w.bankRow,
      reason: REASON,
      deleteAtDidit: true,
    });
    const completed = events.find((e) => e.action === "erasure.completed")!;
    expect(completed.data).toMatchObject({
      sessionId,
      diditOutcome: "deleted",
      removedSha256: result.removedSha256,
      recallId: result.recallId,
      revokedShareIds: [shareId],
    });
    const written = await w.t.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.seq} > 0`);
    expect(written.length).toBeGreaterThan(auditBefore);
    expect(JSON.stringify(written.slice(auditBefore))).not.toContain(NAME);
    const chain = await verifyAuditChain(w.t.db, { mode: "full" });
    expect(chain.ok).toBe(true);
  });

  it("keeps lineage and the evidence pack working on the erased session, without its name", async () => {
    const graph = await getLineage(ctxOf(auditor), sessionId);
    const node = graph.nodes.find((n) => n.id === sessionId);
    expect(node).toBeTruthy();
    expect(JSON.stringify(graph)).not.toContain(NAME);
    const pack = await exportEvidencePack(ctxOf(auditor), sessionId);
    expect(pack.files).toBeGreaterThan(0);
    const files = unzipSync(pack.bytes);
    const text = Object.values(files)
      .map((f) => Buffer.from(f).toString("utf8"))
      .join("\n");
    expect(text).toContain(sessionId);
    expect(text).not.toContain(NAME);
  });

  it("refuses to erase it again (409), and reads it back by id and in the list", async () => {
    const again = await erase(admin, body(sessionId));
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toMatch(/already erased/);
    const one = await call<ErasureRequestDto>(
      erasureById.GET,
      request(`/api/erasure/${result.id}`, { user: admin }),
      {
        id: result.id,
      },
    );
    expect(one.status).toBe(200);
    expect(one.body).toEqual(result);
    const missing = await call(erasureById.GET, request(`/api/erasure/${randomUUID()}`, { user: admin }), {
      id: randomUUID(),
    });
    expect(missing.status).toBe(404);
  });
});

describe("erasure without the Didit delete, and when Didit fails", () => {
  it("keeps the session at Didit, redacts our copies, raises no recall without shares", async () => {
    const sessionId = await w.newSession("Declined");
    const res = await erase(admin, body(sessionId, { deleteAtDidit: false }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: "done", diditOutcome: "skipped", recallId: null });
    expect(await diditStatus(sessionId)).toBe(200);
    const [row] = await w.t.db
      .select()
      .from(sessionMirror)
      .where(eq(sessionMirror.diditSessionId, sessionId));
    expect(row).toMatchObject({ displayName: null, deletedAt: null });
    expect(row!.redactedAt).not.toBeNull();
  });

  it("lists the erased session as Erased with its date and reason, and retention's as retention's", async () => {
    const erasedId = await w.newSession("Declined");
    expect((await erase(admin, body(erasedId, { deleteAtDidit: false }))).status).toBe(201);
    const retainedId = await w.newSession("Approved");
    await w.t.db
      .update(sessionMirror)
      .set({ displayName: null, searchText: "", redactedAt: new Date() })
      .where(eq(sessionMirror.diditSessionId, retainedId));

    const listed = async (sessionId: string) =>
      (await listSessions(ctxOf(auditor), { q: sessionId, limit: 5 })).items[0]!;
    const erased = await listed(erasedId);
    expect(erased).toMatchObject({ redacted: true, displayName: null, erasure: { reason: REASON } });
    expect(Number.isNaN(Date.parse(erased.erasure!.at))).toBe(false);
    expect(await listed(retainedId)).toMatchObject({ redacted: true, erasure: null });
  });

  it("treats Didit's 404 as already gone", async () => {
    const sessionId = await w.newSession();
    await w.api.call("DELETE", `/sandbox/v3/session/${sessionId}/delete/`, { key: w.bank.key });
    const res = await erase(admin, body(sessionId));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: "done", diditOutcome: "not_found" });
  });

  it("tries a failing Didit once more, then ends failed with a clear message; our copies are erased anyway", async () => {
    const sessionId = await w.newSession();
    let calls = 0;
    const failing = {
      deleteSession: async () => {
        calls++;
        throw new AppError("upstream_unavailable", "Didit could not be reached.");
      },
    } as unknown as DiditClient;
    const dto = await requestErasure(
      ctxOf(admin),
      { sessionId, reason: REASON, deleteAtDidit: true, confirm: sessionId },
      { didit: failing },
    );
    expect(calls).toBe(2);
    expect(dto).toMatchObject({ state: "failed", diditOutcome: "failed" });
    expect(dto.diditError).toMatch(
      /Didit did not delete the session: Didit could not be reached\..*request the erasure again/,
    );
    expect(dto.counts.sessionMirror).toBe(1);
    const [row] = await w.t.db
      .select()
      .from(sessionMirror)
      .where(eq(sessionMirror.diditSessionId, sessionId));
    expect(row!.displayName).toBeNull();
    expect(row!.deletedAt).toBeNull();
    const [event] = await w.t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.entityId, dto.id))
      .orderBy(sql`seq desc`);
    expect(event!.action).toBe("erasure.failed");
    expect(await diditStatus(sessionId)).toBe(200);

    // A new request retries the Didit delete (a transient failure, then success).
    let second = 0;
    const flaky = {
      deleteSession: async () => {
        second++;
        if (second === 1) throw new AppError("upstream_timeout", "Didit took too long to answer.");
      },
    } as unknown as DiditClient;
    const retried = await requestErasure(
      ctxOf(admin),
      { sessionId, reason: REASON, deleteAtDidit: true, confirm: sessionId },
      { didit: flaky },
    );
    expect(second).toBe(2);
    expect(retried).toMatchObject({ state: "done", diditOutcome: "deleted" });
    expect(retried.counts.sessionMirror).toBe(0); // already redacted by the first request
  });
});

describe("a request left running (a crash half-way)", () => {
  it("is resumed by the next request, not repeated", async () => {
    const sessionId = await w.newSession();
    const [stale] = await w.t.db
      .insert(erasureRequests)
      .values({
        applicationId: w.bankRow,
        sessionId,
        reason: REASON,
        deleteAtDidit: false,
        state: "running",
        requestedBy: admin.id,
        requestedAt: new Date(Date.now() - 60_000),
      })
      .returning();
    const res = await erase(admin, body(sessionId, { deleteAtDidit: false }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: stale!.id, state: "done", diditOutcome: "skipped" });
    expect(res.body.counts.sessionMirror).toBe(1);
    const rows = await w.t.db.select().from(erasureRequests).where(eq(erasureRequests.sessionId, sessionId));
    expect(rows).toHaveLength(1);
  });
});

describe("two admins erasing the same session at once", () => {
  it("make one erasure, one Didit delete that counts, one recall", async () => {
    const sessionId = await w.newSession();
    await createShare(ctxOf(w.officer), { sessionId, partnerId: w.manual.id, ttlSeconds: 3600 });
    const second = await insertUser(w.t.db, "admin");
    const [a, b] = await Promise.all([erase(admin, body(sessionId)), erase(second, body(sessionId))]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(a.body.state).toBe("done");
    expect(["deleted", "not_found"]).toContain(a.body.diditOutcome);
    const rows = await w.t.db.select().from(erasureRequests).where(eq(erasureRequests.sessionId, sessionId));
    expect(rows).toHaveLength(1);
    const raised = await w.t.db.select().from(recalls).where(eq(recalls.sessionId, sessionId));
    expect(raised).toHaveLength(1);
    const completed = await w.t.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.entityId} = ${rows[0]!.id} and ${auditEvents.action} = 'erasure.completed'`);
    expect(completed).toHaveLength(1);
    expect(await diditStatus(sessionId)).toBe(404);
  });
});

describe("GET /api/erasure", () => {
  it("lists newest first with a keyset cursor", async () => {
    const all = await call<ErasureListResponse>(
      erasureRoute.GET,
      request("/api/erasure?limit=100", { user: admin }),
    );
    expect(all.status).toBe(200);
    const ids = all.body.items.map((i) => i.id);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    const times = all.body.items.map((i) => Date.parse(i.requestedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call<ErasureListResponse>>> = await call<ErasureListResponse>(
        erasureRoute.GET,
        request(`/api/erasure?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { user: admin }),
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const bad = await call(
      erasureRoute.GET,
      request("/api/erasure?cursor=bm90LWEtY3Vyc29y", { user: admin }),
    );
    expect(bad.status).toBe(422);
    const total = await w.t.db.select({ n: sql<number>`count(*)::int` }).from(erasureRequests);
    expect(Number(total[0]!.n)).toBe(ids.length);
  });
});
