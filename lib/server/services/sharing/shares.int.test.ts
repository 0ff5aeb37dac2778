import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as shareById from "@/app/api/shares/[id]/route";
import * as reveal from "@/app/api/shares/[id]/reveal/route";
import * as revoke from "@/app/api/shares/[id]/revoke/route";
import * as sharesRoute from "@/app/api/shares/route";
import type { ShareDetailDto, ShareDto, ShareListResponse } from "@/lib/schemas/shares";
import { open, tokenHash } from "@/lib/server/crypto/envelope";
import { auditEvents, inboxItems, partners, shareDeliveries, shares } from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import type { DiditClient } from "@/lib/server/didit";
import { enqueue, runDueJobs, registerJobs } from "@/lib/server/jobs";
import type { ServiceContext } from "@/lib/server/kernel";
import { testDriver } from "@/test/database";
import { signToken, type TestApp } from "@/test/sandbox-fixtures";
import { insertUser, request, type TestUser } from "@/test/session";
import { AUTO_IMPORT_QUEUE } from "@/lib/server/services/receiving";
import { createShare, EXPIRY_QUEUE, listShares, revokeShare } from ".";
import {
  addPartner,
  captureLogs,
  connectApp,
  countRows,
  databaseText,
  mirroredSession,
  sharingWorld,
  type World,
} from "./shares.test-kit";
import { shareDeliveryJob, shareExpiryJob } from "@/lib/server/services/sharing";

type Handler = (req: Request, ctx?: { params?: Promise<object> }) => Promise<Response>;
type Result<T = unknown> = { status: number; headers: Headers; body: T; text: string };

let w: World;
let x: TestApp;
let xRow: string;
let yInternal: TestApp;
let yInternalRow: string;
let officer: TestUser;
let auditor: TestUser;
let partnerships: TestUser;
let admin: TestUser;
let logs: ReturnType<typeof captureLogs>;
const responses: string[] = [];
const tokens: string[] = [];
const partnerIds = { pickup: "", manual: "", internal: "", reverse: "" };

async function call<T = Record<string, unknown>>(
  handler: Handler,
  req: Request | Promise<Request>,
  params: object = {},
): Promise<Result<T>> {
  const res = await handler(await req, { params: Promise.resolve(params) });
  const text = await res.text();
  responses.push(text);
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T, text };
}

const post = (path: string, user: TestUser | null, body: unknown) =>
  request(path, { method: "POST", user, body });

async function share(user: TestUser, body: Record<string, unknown>) {
  return call<ShareDto & { error?: { code: string; message: string } }>(
    sharesRoute.POST,
    post("/api/shares", user, body),
  );
}

function ctxAt(user: TestUser, now: Date): ServiceContext {
  return {
    db: w.t.db,
    actor: { id: user.id, email: user.email, name: "Test", role: user.role },
    now: () => now,
    requestId: "test",
    ip: null,
    userAgent: null,
  };
}

async function snapshot() {
  return {
    shares: await countRows(w.t.db, "shares"),
    audit: await countRows(w.t.db, "audit_events"),
    inbox: await countRows(w.t.db, "inbox_items"),
    jobs: await countRows(w.t.db, "jobs"),
    deliveries: await countRows(w.t.db, "share_deliveries"),
  };
}

beforeAll(async () => {
  w = await sharingWorld();
  logs = captureLogs();
  registerJobs([shareDeliveryJob, shareExpiryJob]);
  x = await w.api.newApp("recipe", "Northwind Bank");
  yInternal = await w.api.newApp("recipe", "Northwind Pay");
  xRow = await connectApp(w.t.db, x, "Northwind Bank");
  yInternalRow = await connectApp(w.t.db, yInternal, "Northwind Pay");
  officer = await insertUser(w.t.db, "officer");
  auditor = await insertUser(w.t.db, "auditor");
  partnerships = await insertUser(w.t.db, "partnerships");
  admin = await insertUser(w.t.db, "admin");

  for (const channel of ["pickup", "manual"] as const) {
    const target = await w.api.newApp("recipe", `Partner ${channel}`);
    partnerIds[channel] = (
      await addPartner(w.t.db, {
        applicationId: xRow,
        diditApplicationId: target.id,
        channel,
        name: `Acme ${channel}`,
      })
    ).id;
  }
  partnerIds.internal = (
    await addPartner(w.t.db, {
      applicationId: xRow,
      diditApplicationId: yInternal.id,
      channel: "internal",
      name: "Northwind Pay",
    })
  ).id;
  // The same partnership seen from Northwind Pay: the inbox item names it.
  partnerIds.reverse = (
    await addPartner(w.t.db, {
      applicationId: yInternalRow,
      diditApplicationId: x.id,
      channel: "internal",
      name: "Northwind Bank",
    })
  ).id;
});

afterAll(async () => {
  logs?.restore();
  await w?.close();
});

describe(`shares (${testDriver()})`, () => {
  describe("policy refusals: 409 with the code, no Didit call, nothing written", () => {
    const cases: {
      name: string;
      setup: Record<string, unknown>;
      code: string;
      status?: string;
      ttl?: number;
    }[] = [
      {
        name: "suspended",
        setup: { status: "suspended", suspendedReason: "audit" },
        code: "partner_suspended",
      },
      {
        name: "agreement expired",
        setup: { agreementExpiresOn: "2020-12-31", agreementSignedOn: "2019-01-01" },
        code: "partner_agreement_expired",
      },
      {
        name: "agreement missing: blank reference",
        setup: { agreementReference: null },
        code: "partner_agreement_missing",
      },
      {
        name: "agreement missing: no signing date",
        setup: { agreementSignedOn: null },
        code: "partner_agreement_missing",
      },
      { name: "inbound only", setup: { direction: "inbound" }, code: "partner_not_outbound" },
      { name: "kind not allowed", setup: { allowedKinds: ["business"] }, code: "kind_not_allowed" },
      {
        name: "status not allowed",
        setup: { allowedStatuses: ["Approved"] },
        code: "status_not_allowed",
        status: "Declined",
      },
      {
        name: "ttl above max",
        setup: { maxTtlSeconds: 600, defaultTtlSeconds: 300 },
        code: "ttl_above_partner_max",
        ttl: 3600,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const partner = await addPartner(w.t.db, {
          applicationId: xRow,
          diditApplicationId: randomUUID(),
          channel: "pickup",
          ...c.setup,
        });
        const sessionId = await mirroredSession(w, x, xRow, "user", (c.status ?? "Approved") as "Approved");
        const before = await snapshot();
        w.diditCalls.count = 0;
        const res = await share(officer, {
          sessionId,
          partnerId: partner.id,
          ...(c.ttl ? { ttlSeconds: c.ttl } : {}),
        });
        expect(res.status, res.text).toBe(409);
        expect(res.body.error?.code).toBe(c.code);
        expect(res.body.error?.message.length).toBeGreaterThan(20);
        expect(w.diditCalls.count).toBe(0);
        expect(await snapshot()).toEqual(before);
      });
    }

    it("a session the mirror says is unfinished: session_not_finished without calling Didit", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "In Progress");
      const before = await snapshot();
      w.diditCalls.count = 0;
      const res = await share(officer, { sessionId, partnerId: partnerIds.pickup });
      expect(res.status).toBe(409);
      expect(res.body.error?.code).toBe("session_not_finished");
      expect(w.diditCalls.count).toBe(0);
      expect(await snapshot()).toEqual(before);
    });

    it("a session not in the mirror: 404 telling to sync; an unknown partner: 404", async () => {
      const before = await snapshot();
      const missing = await share(officer, { sessionId: randomUUID(), partnerId: partnerIds.pickup });
      expect(missing.status).toBe(404);
      expect(missing.body.error?.message).toMatch(/sync/i);
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const noPartner = await share(officer, { sessionId, partnerId: randomUUID() });
      expect(noPartner.status).toBe(404);
      expect(await snapshot()).toEqual(before);
    });

    it("a partner of another of our applications: partner_not_for_application", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const before = await snapshot();
      w.diditCalls.count = 0;
      const res = await share(officer, { sessionId, partnerId: partnerIds.reverse });
      expect(res.status).toBe(409);
      expect(res.body.error?.code).toBe("partner_not_for_application");
      expect(w.diditCalls.count).toBe(0);
      expect(await snapshot()).toEqual(before);
    });

    it("Didit's own refusal passes through with its code, nothing written", async () => {
      // The mirror is stale: the session is In Progress at Didit.
      const sessionId = await mirroredSession(w, x, xRow, "user", "In Progress", "Approved");
      const before = await snapshot();
      const res = await share(officer, { sessionId, partnerId: partnerIds.pickup });
      expect(res.status).toBe(409);
      expect(res.body.error?.code).toBe("session_not_finished");
      expect(await snapshot()).toEqual(before);
    });
  });

  describe("roles and bad input", () => {
    it("only an officer shares, revokes and reveals; every role reads", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const before = await snapshot();
      for (const user of [auditor, partnerships, admin]) {
        const res = await share(user, { sessionId, partnerId: partnerIds.pickup });
        expect(res.status).toBe(403);
        const id = randomUUID();
        expect(
          (await call(revoke.POST, post(`/api/shares/${id}/revoke`, user, { reason: "x" }), { id })).status,
        ).toBe(403);
        expect((await call(reveal.POST, post(`/api/shares/${id}/reveal`, user, {}), { id })).status).toBe(
          403,
        );
        expect((await call(sharesRoute.GET, request("/api/shares", { user }))).status).toBe(200);
      }
      expect(
        (await share(null as unknown as TestUser, { sessionId, partnerId: partnerIds.pickup })).status,
      ).toBe(401);
      expect((await call(sharesRoute.GET, request("/api/shares"))).status).toBe(401);
      expect(await snapshot()).toEqual(before);
    });

    it("bad input answers 4xx JSON and writes nothing", async () => {
      const b64 = (v: string) => `cursor=${Buffer.from(v).toString("base64url")}`;
      const badCursors = [
        b64(`2026-12-01T10:00:00.000Z|${"-".repeat(36)}`),
        b64(`0000-01-01T00:00:00.000Z|${randomUUID()}`),
        b64(`2026-13-45T99:59:59.999Z|${randomUUID()}`),
      ];
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const before = await snapshot();
      const bodies: unknown[] = [
        {},
        { sessionId: "not-a-uuid", partnerId: partnerIds.pickup },
        { sessionId, partnerId: partnerIds.pickup, ttlSeconds: 59 },
        { sessionId, partnerId: partnerIds.pickup, ttlSeconds: 86_401 },
        { sessionId, partnerId: partnerIds.pickup, ttlSeconds: 90.5 },
        { sessionId, partnerId: partnerIds.pickup, ttlSeconds: "3600" },
        { sessionId, partnerId: partnerIds.pickup, extra: true },
        [sessionId],
      ];
      for (const body of bodies) {
        const res = await share(officer, body as Record<string, unknown>);
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect(res.body.error?.code).toBe("validation_failed");
      }
      const malformed = await call(
        sharesRoute.POST,
        request("/api/shares", { method: "POST", user: officer, rawBody: "{not json" }),
      );
      expect(malformed.status).toBe(400);
      const id = randomUUID();
      expect((await call(revoke.POST, post(`/api/shares/${id}/revoke`, officer, {}), { id })).status).toBe(
        422,
      );
      expect(
        (await call(revoke.POST, post(`/api/shares/${id}/revoke`, officer, { reason: " " }), { id })).status,
      ).toBe(422);
      expect(
        (await call(revoke.POST, post(`/api/shares/${id}/revoke`, officer, { reason: "ok" }), { id })).status,
      ).toBe(404);
      expect(
        (await call(reveal.POST, post(`/api/shares/${id}/reveal`, officer, { x: 1 }), { id })).status,
      ).toBe(422);
      expect((await call(reveal.POST, post(`/api/shares/${id}/reveal`, officer, {}), { id })).status).toBe(
        404,
      );
      expect(
        (await call(shareById.GET, request("/api/shares/nope", { user: auditor }), { id: "nope" })).status,
      ).toBe(404);
      for (const q of [
        "state=bogus",
        "channel=fax",
        "partnerId=1",
        "limit=0",
        "limit=201",
        "cursor=***",
        "cursor=YWJj",
        ...badCursors,
      ]) {
        const res = await call(sharesRoute.GET, request(`/api/shares?${q}`, { user: auditor }));
        expect(res.status, q).toBe(422);
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  describe("internal: the token goes into our own inbox in the same transaction", () => {
    it("shares, delivers at once, and the stored token imports at Didit", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const res = await share(officer, { sessionId, partnerId: partnerIds.internal, ttlSeconds: 900 });
      expect(res.status, res.text).toBe(201);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.body).toMatchObject({
        state: "delivered",
        channel: "internal",
        ttlSeconds: 900,
        attempts: 1,
      });
      expect(res.body).not.toHaveProperty("token");
      const [row] = await w.t.db.select().from(shares).where(eq(shares.id, res.body.id));
      expect(row!.tokenCiphertext).toBeNull();
      const [item] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.localShareId, res.body.id));
      expect(item).toMatchObject({
        applicationId: yInternalRow,
        partnerId: partnerIds.reverse,
        source: "internal",
        senderShareId: res.body.id,
        tokenHash: row!.tokenHash,
        sessionKind: "user",
        sourceSessionId: sessionId,
        fromApplicationId: x.id,
        state: "pending",
      });
      expect(item!.expiresAt.getTime()).toBe(row!.expiresAt.getTime());
      const token = open(item!.tokenCiphertext!, item!.id);
      tokens.push(token);
      expect(tokenHash(token)).toBe(row!.tokenHash);
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({ session_id: sessionId, for_application_id: yInternal.id });
      expect(claims.exp! - claims.iat!).toBe(900);
      const deliveries = await w.t.db
        .select()
        .from(shareDeliveries)
        .where(eq(shareDeliveries.shareId, res.body.id));
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ outcome: "delivered", channel: "internal", attempt: 1 });
      const actions = (
        await w.t.db
          .select()
          .from(auditEvents)
          .where(eq(auditEvents.entityId, res.body.id))
          .orderBy(asc(auditEvents.seq))
      ).map((e) => e.action);
      expect(actions).toEqual(["share.created", "share.delivered"]);
      // A real Didit token: Northwind Pay imports it.
      const imported = await w.api.importShared(yInternal.key, {
        share_token: token,
        workflow_id: yInternal.workflows.user,
        vendor_data: "pay-42",
        trust_review: true,
      });
      expect(imported.status, imported.text).toBe(201);
    });

    it("a receiving brand whose import policy is auto gets the import queued with the item", async () => {
      await w.t.db.update(partners).set({ importMode: "auto" }).where(eq(partners.id, partnerIds.reverse));
      try {
        const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
        const res = await share(officer, { sessionId, partnerId: partnerIds.internal });
        expect(res.status, res.text).toBe(201);
        const [item] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.localShareId, res.body.id));
        const queued = await w.t.db
          .select()
          .from(jobs)
          .where(and(eq(jobs.queue, AUTO_IMPORT_QUEUE), eq(jobs.singletonKey, item!.id)));
        expect(queued).toHaveLength(1);
        expect(queued[0]!.payload).toEqual({ inboxItemId: item!.id });
      } finally {
        await w.t.db
          .update(partners)
          .set({ importMode: "manual" })
          .where(eq(partners.id, partnerIds.reverse));
      }
      // A manual policy queues nothing.
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const res = await share(officer, { sessionId, partnerId: partnerIds.internal });
      const [item] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.localShareId, res.body.id));
      const queued = await w.t.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.queue, AUTO_IMPORT_QUEUE), eq(jobs.singletonKey, item!.id)));
      expect(queued).toHaveLength(0);
    });

    it("the manifest and agreement snapshot come from the mirror and the partner", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "business", "In Review");
      const res = await share(officer, { sessionId, partnerId: partnerIds.internal });
      expect(res.status, res.text).toBe(201);
      const detail = await call<ShareDetailDto>(
        shareById.GET,
        request(`/api/shares/${res.body.id}`, { user: auditor }),
        {
          id: res.body.id,
        },
      );
      expect(detail.status).toBe(200);
      expect(detail.body.manifest).toMatchObject({
        status: "In Review",
        features: ["registry_checks"],
        agreement_reference: "DSA-2026-001",
      });
      expect(detail.body.agreement).toMatchObject({ reference: "DSA-2026-001", partnerStatus: "active" });
      expect(detail.body.ttlSeconds).toBe(3600);
      expect(detail.body.sessionKind).toBe("business");
      expect(detail.body.deliveries).toHaveLength(1);
      expect(detail.body.canRevoke).toBe(false);
    });
  });

  describe("manual: an officer reveals the token once", () => {
    it("reveal once with no-store; a second reveal is 409", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const created = await share(officer, { sessionId, partnerId: partnerIds.manual, ttlSeconds: 600 });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({
        state: "pending",
        channel: "manual",
        canReveal: true,
        canRevoke: true,
      });
      const id = created.body.id;
      const asAuditor = await call<ShareDto>(shareById.GET, request(`/api/shares/${id}`, { user: auditor }), {
        id,
      });
      expect(asAuditor.body.canReveal).toBe(false);

      const first = await call<{ token: string; expiresAt: string }>(
        reveal.POST,
        post(`/api/shares/${id}/reveal`, officer, {}),
        { id },
      );
      expect(first.status, first.text).toBe(200);
      expect(first.headers.get("cache-control")).toBe("no-store");
      tokens.push(first.body.token);
      expect(decodeJwt(first.body.token)).toMatchObject({ session_id: sessionId });
      expect(first.body.expiresAt).toBe(created.body.expiresAt);
      responses.pop(); // the one response allowed to carry a token

      const second = await call<{ error: { code: string } }>(
        reveal.POST,
        post(`/api/shares/${id}/reveal`, officer, {}),
        { id },
      );
      expect(second.status).toBe(409);
      const [row] = await w.t.db.select().from(shares).where(eq(shares.id, id));
      expect(row).toMatchObject({ state: "delivered", tokenCiphertext: null, revealedBy: officer.id });
      const events = await w.t.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.entityId, id))
        .orderBy(asc(auditEvents.seq));
      expect(events.map((e) => e.action)).toEqual(["share.created", "share.revealed"]);
      // Delivered: revoke is refused, saying Didit cannot revoke.
      const late = await call<{ error: { message: string } }>(
        revoke.POST,
        post(`/api/shares/${id}/revoke`, officer, { reason: "too late" }),
        { id },
      );
      expect(late.status).toBe(409);
      expect(late.body.error.message).toMatch(/cannot revoke/i);
    });

    it("reveal is refused on other channels and once expired", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const pickup = await share(officer, { sessionId, partnerId: partnerIds.pickup });
      const refused = await call(reveal.POST, post(`/api/shares/${pickup.body.id}/reveal`, officer, {}), {
        id: pickup.body.id,
      });
      expect(refused.status).toBe(409);
      const manual = await share(officer, { sessionId, partnerId: partnerIds.manual, ttlSeconds: 60 });
      const later = new Date(Date.parse(manual.body.expiresAt) + 1000);
      const { revealShare } = await import(".");
      await expect(revealShare(ctxAt(officer, later), manual.body.id)).rejects.toMatchObject({
        code: "conflict",
      });
      const [row] = await w.t.db.select().from(shares).where(eq(shares.id, manual.body.id));
      expect(row!.tokenCiphertext).not.toBeNull(); // the expiry job destroys it, below
    });
  });

  describe("revoke", () => {
    it("destroys the token of a pending share; a second revoke is 409", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const created = await share(officer, { sessionId, partnerId: partnerIds.pickup });
      const id = created.body.id;
      const res = await call<ShareDto>(
        revoke.POST,
        post(`/api/shares/${id}/revoke`, officer, { reason: "wrong partner" }),
        {
          id,
        },
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ state: "revoked", revokeReason: "wrong partner", canRevoke: false });
      const [row] = await w.t.db.select().from(shares).where(eq(shares.id, id));
      expect(row).toMatchObject({ state: "revoked", tokenCiphertext: null, revokedBy: officer.id });
      const [event] = await w.t.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.entityId, id), eq(auditEvents.action, "share.revoked")));
      expect(event!.data).toMatchObject({ reason: "wrong partner", previousState: "pending" });
      const again = await call(revoke.POST, post(`/api/shares/${id}/revoke`, officer, { reason: "again" }), {
        id,
      });
      expect(again.status).toBe(409);
    });

    it("refused while a delivery attempt runs, and once expired", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const created = await share(officer, { sessionId, partnerId: partnerIds.pickup, ttlSeconds: 60 });
      const id = created.body.id;
      // As a worker holds it: claimed, lease running.
      const job = await enqueue(w.t.db, { queue: "shares.delivery", payload: { shareId: id } });
      await w.t.db
        .update(jobs)
        .set({ state: "running", lockedBy: "test", leaseUntil: new Date(Date.now() + 60_000), attempts: 1 })
        .where(eq(jobs.id, job!.id));
      await expect(revokeShare(ctxAt(officer, new Date()), id, { reason: "x" })).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringMatching(/running/),
      });
      await w.t.db.delete(jobs).where(eq(jobs.id, job!.id));
      const later = new Date(Date.parse(created.body.expiresAt) + 1000);
      await expect(revokeShare(ctxAt(officer, later), id, { reason: "x" })).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringMatching(/expired/),
      });
    });
  });

  describe("expiry", () => {
    it("the expiry job at exp destroys the token", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const created = await share(officer, { sessionId, partnerId: partnerIds.manual, ttlSeconds: 60 });
      const id = created.body.id;
      const exp = new Date(created.body.expiresAt);
      await runDueJobs(w.t.db, { now: new Date(exp.getTime() - 5000), queues: [EXPIRY_QUEUE] });
      expect((await w.t.db.select().from(shares).where(eq(shares.id, id)))[0]!.state).toBe("pending");
      await runDueJobs(w.t.db, { now: new Date(exp.getTime() + 1000), queues: [EXPIRY_QUEUE] });
      const [row] = await w.t.db.select().from(shares).where(eq(shares.id, id));
      expect(row).toMatchObject({ state: "expired", tokenCiphertext: null });
      const actions = (
        await w.t.db
          .select()
          .from(auditEvents)
          .where(eq(auditEvents.entityId, id))
          .orderBy(asc(auditEvents.seq))
      ).map((e) => e.action);
      expect(actions).toEqual(["share.created", "share.expired"]);
    });

    it("a read past exp expires what is due (the job may not have run yet)", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const created = await share(officer, { sessionId, partnerId: partnerIds.pickup, ttlSeconds: 60 });
      const id = created.body.id;
      const exp = new Date(created.body.expiresAt);
      const listed = await listShares(ctxAt(auditor, new Date(exp.getTime() + 1)), { limit: 200, sessionId });
      expect(listed.items.find((s) => s.id === id)).toMatchObject({ state: "expired", canRevoke: false });
      const [row] = await w.t.db.select().from(shares).where(eq(shares.id, id));
      expect(row).toMatchObject({ state: "expired", tokenCiphertext: null });
    });
  });

  describe("a failure after Didit minted the token", () => {
    it("a token for another session is refused and nothing is stored", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const other = await signToken({
        session_id: randomUUID(),
        from_application_id: x.id,
        for_application_id: randomUUID(),
        session_kind: "user",
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 600,
      });
      const fake = { share: async () => ({ shareToken: other, forApplicationId: "", sessionKind: "user" }) };
      const before = await snapshot();
      await expect(
        createShare(
          ctxAt(officer, new Date()),
          { sessionId, partnerId: partnerIds.pickup },
          {
            didit: fake as unknown as DiditClient,
          },
        ),
      ).rejects.toMatchObject({ code: "upstream_error" });
      expect(await snapshot()).toEqual(before);
    });

    it("the transaction fails (a duplicate token): nothing half-written, logged by hash only", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      const first = await share(officer, { sessionId, partnerId: partnerIds.manual });
      const firstToken = await call<{ token: string }>(
        reveal.POST,
        post(`/api/shares/${first.body.id}/reveal`, officer, {}),
        { id: first.body.id },
      );
      responses.pop();
      tokens.push(firstToken.body.token);
      const replay = {
        share: async () => ({ shareToken: firstToken.body.token, forApplicationId: "", sessionKind: "user" }),
      };
      const [target] = await w.t.db.select().from(shares).where(eq(shares.id, first.body.id));
      const before = await snapshot();
      await expect(
        createShare(
          ctxAt(officer, new Date()),
          { sessionId, partnerId: target!.partnerId },
          { didit: replay as unknown as DiditClient },
        ),
      ).rejects.toBeTruthy();
      expect(await snapshot()).toEqual(before);
      expect(logs.text()).toContain(tokenHash(firstToken.body.token));
    });
  });

  describe("list", () => {
    it("filters and a keyset cursor that visits every share once", async () => {
      const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
      for (let i = 0; i < 3; i++)
        expect((await share(officer, { sessionId, partnerId: partnerIds.pickup })).status).toBe(201);
      const all = await call<ShareListResponse>(
        sharesRoute.GET,
        request(`/api/shares?limit=200`, { user: auditor }),
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Result<ShareListResponse> = await call<ShareListResponse>(
          sharesRoute.GET,
          request(`/api/shares?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { user: auditor }),
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((s) => s.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.body.items.map((s) => s.id));
      expect(new Set(seen).size).toBe(seen.length);

      const bySession = await call<ShareListResponse>(
        sharesRoute.GET,
        request(`/api/shares?sessionId=${sessionId}`, { user: auditor }),
      );
      expect(bySession.body.items).toHaveLength(3);
      expect(
        bySession.body.items.every(
          (s) => s.partnerName === "Acme pickup" && s.applicationName === "Northwind Bank",
        ),
      ).toBe(true);
      const byChannel = await call<ShareListResponse>(
        sharesRoute.GET,
        request(`/api/shares?channel=internal`, { user: auditor }),
      );
      expect(byChannel.body.items.length).toBeGreaterThan(0);
      expect(byChannel.body.items.every((s) => s.channel === "internal")).toBe(true);
      const byState = await call<ShareListResponse>(
        sharesRoute.GET,
        request(`/api/shares?state=revoked`, { user: auditor }),
      );
      expect(byState.body.items.every((s) => s.state === "revoked")).toBe(true);
      const byName = await call<ShareListResponse>(
        sharesRoute.GET,
        request(`/api/shares?q=acme%20MAN`, { user: auditor }),
      );
      expect(byName.body.items.length).toBeGreaterThan(0);
      expect(byName.body.items.every((s) => s.partnerName === "Acme manual")).toBe(true);
      const bySessionQ = await call<ShareListResponse>(
        sharesRoute.GET,
        request(`/api/shares?q=${sessionId}`, { user: auditor }),
      );
      expect(bySessionQ.body.items).toHaveLength(3);
      const byPartner = await call<ShareListResponse>(
        sharesRoute.GET,
        request(`/api/shares?partnerId=${partnerIds.internal}&applicationId=${xRow}`, { user: auditor }),
      );
      expect(byPartner.body.items.every((s) => s.partnerId === partnerIds.internal)).toBe(true);
    });
  });

  it("no token in any response, log line, audit row or table", async () => {
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    const everything = (await databaseText(w.t.db)) + logs.text() + responses.join("\n");
    for (const token of tokens) {
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(token.split(".")[2]!);
    }
    const audit = JSON.stringify(await w.t.db.select().from(auditEvents));
    for (const token of tokens) expect(audit).not.toContain(token.split(".")[1]!);
  });
});
