import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as itemRoute from "@/app/api/inbox/[id]/route";
import * as rejectRoute from "@/app/api/inbox/[id]/reject/route";
import * as inboxRoute from "@/app/api/inbox/route";
import * as pushRoute from "@/app/api/partner/v1/inbox/[partnerId]/route";
import type { InboxItemDetailDto, InboxListResponse } from "@/lib/schemas/inbox";
import { open, seal, tokenHash } from "@/lib/server/crypto/envelope";
import {
  auditEvents,
  imports,
  inboxItems,
  partners,
  partnerSecrets,
  shareReceipts,
  shares,
} from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { testDriver } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";
import { sharingWorld, type SharingWorld } from "@/test/sharing-world";
import { inboxKit, type InboxKit, type Sender } from "./inbox.test-kit";
import type { ServiceContext } from "@/lib/server/kernel";
import { AUTO_IMPORT_QUEUE } from "./auto-import";
import { createShare, DELIVERY_QUEUE, shareDeliveryJob, shareExpiryJob } from "@/lib/server/services/sharing";
import {
  addPartner,
  captureLogs,
  connectApp,
  databaseText,
  mirroredSession,
} from "@/lib/server/services/sharing/shares.test-kit";

type Handler = (req: Request, ctx?: { params?: Promise<object> }) => Promise<Response>;
type ErrorBody = { error: { code: string; message: string; details?: unknown } };

let w: SharingWorld;
let kit: InboxKit;
let sender: Sender;
let officer: TestUser;
let auditor: TestUser;
let admin: TestUser;
let logs: ReturnType<typeof captureLogs>;
/** Every token a test handed to the console: none may come back in an answer, audit row or log. */
const tokens: string[] = [];
const answers: string[] = [];

async function call<T = Record<string, unknown>>(handler: Handler, req: Request, params: object = {}) {
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  answers.push(text);
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
}

const push = (req: Request, partnerId: string) => call(pushRoute.POST, req, { partnerId });
const track = (token: string) => (tokens.push(token), token);

async function rowsWithHash(token: string) {
  return w.t.db
    .select()
    .from(inboxItems)
    .where(eq(inboxItems.tokenHash, tokenHash(token)));
}

async function refusalsFor(token: string) {
  const rows = await w.t.db.select().from(auditEvents).where(eq(auditEvents.action, "inbox.refused"));
  return rows.filter((r) => (r.data as { tokenHash?: string }).tokenHash === tokenHash(token));
}

async function paste(user: TestUser, token: unknown) {
  return call<InboxItemDetailDto & ErrorBody>(
    inboxRoute.POST,
    await request("/api/inbox", { method: "POST", user, body: { token } }),
  );
}

function officerCtx(): ServiceContext {
  return {
    db: w.t.db,
    actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" },
    now: () => new Date(),
    requestId: "inbox-test",
    ip: null,
    userAgent: null,
  };
}

async function pendingItem(): Promise<string> {
  const token = track(await kit.forge(sender.app.id));
  const res = await push(kit.push(sender, kit.delivery(token)), sender.id);
  expect(res.status, res.text).toBe(202);
  return (res.body as { inbox_item_id: string }).inbox_item_id;
}

beforeAll(async () => {
  logs = captureLogs();
  w = await sharingWorld();
  kit = inboxKit(w);
  sender = await kit.newSender();
  officer = await insertUser(w.t.db, "officer");
  auditor = await insertUser(w.t.db, "auditor");
  admin = await insertUser(w.t.db, "admin");
}, 60_000);

afterAll(async () => {
  logs?.restore();
  await w?.close();
});

describe(`POST /api/partner/v1/inbox/{partnerId} (${testDriver()})`, () => {
  it("stores a real sandbox token pushed with a right signature once: 202, sealed, hashed, audited", async () => {
    const token = track(await kit.mint(sender));
    const body = kit.delivery(token);
    const res = await push(kit.push(sender, body), sender.id);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toEqual({ received: true, inbox_item_id: expect.any(String), state: "pending" });
    expect(res.text).not.toContain(token);

    const [row] = await rowsWithHash(token);
    expect(row).toMatchObject({
      id: res.body.inbox_item_id,
      applicationId: w.bankRow,
      partnerId: sender.id,
      source: "push",
      senderShareId: body.share_id,
      sessionKind: "user",
      fromApplicationId: sender.app.id,
      state: "pending",
      manifest: body.manifest,
    });
    expect(row!.tokenCiphertext).not.toContain(token);
    expect(open(row!.tokenCiphertext!, row!.id)).toBe(token);
    expect(row!.expiresAt.toISOString()).toBe(body.expires_at);

    const [event] = await w.t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "inbox.received"), eq(auditEvents.entityId, row!.id)));
    expect(event).toMatchObject({ actorLabel: `partner:${sender.id}` });
    expect(event!.data).toMatchObject({ source: "push", partnerId: sender.id, tokenHash: tokenHash(token) });
    expect(JSON.stringify(event)).not.toContain(token);
  });

  it("answers a redelivery (a new webhook-id, the same token) 200 with the same item; a replayed id 409", async () => {
    const token = track(await kit.forge(sender.app.id));
    const body = kit.delivery(token);
    const first = await push(kit.push(sender, body, { messageId: "msg_first_1" }), sender.id);
    expect(first.status, first.text).toBe(202);
    const again = await push(kit.push(sender, body, { messageId: "msg_first_2" }), sender.id);
    expect(again.status, again.text).toBe(200);
    expect(again.body).toEqual(first.body);
    const replay = await push(kit.push(sender, body, { messageId: "msg_first_2" }), sender.id);
    expect(replay.status).toBe(409);
    expect((replay.body as unknown as ErrorBody).error.code).toBe("replayed");
    expect(await rowsWithHash(token)).toHaveLength(1);
  });

  it("concurrent deliveries of one token store one item", async () => {
    const token = track(await kit.forge(sender.app.id));
    const body = kit.delivery(token);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => push(kit.push(sender, body), sender.id)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
    expect(new Set(results.map((r) => (r.body as { inbox_item_id: string }).inbox_item_id)).size).toBe(1);
    expect(await rowsWithHash(token)).toHaveLength(1);
  });

  it("refuses a wrong secret, a stale timestamp, an altered byte and an unknown partner with 401, storing nothing", async () => {
    const token = track(await kit.forge(sender.app.id));
    const body = kit.delivery(token);
    const other = await kit.newSender();
    const cases = [
      kit.push({ id: sender.id, secret: other.secret }, body),
      kit.push(sender, body, { at: new Date(Date.now() - 10 * 60_000) }),
      kit.push(sender, body, { tamper: true }),
      kit.push(sender, body, { path: `/api/partner/v1/inbox/${randomUUID()}` }),
    ];
    const params = [sender.id, sender.id, sender.id, randomUUID()];
    for (const [i, req] of cases.entries()) {
      const res = await push(req, params[i]!);
      expect(res.status, `case ${i}: ${res.text}`).toBe(401);
      expect((res.body as unknown as ErrorBody).error.code).toBe("invalid_signature");
    }
    // Signed by the right partner but sent to another partner's inbox URL: its secret does not verify.
    const misrouted = await push(
      kit.push(sender, body, { path: `/api/partner/v1/inbox/${other.id}` }),
      other.id,
    );
    expect(misrouted.status).toBe(401);
    expect(await rowsWithHash(token)).toHaveLength(0);
    expect(await refusalsFor(token)).toHaveLength(0);
  });

  it("refuses each claim mismatch with 422 and its code, storing nothing but the refusal's audit event", async () => {
    const sister = await w.newSandboxApp("Northwind Pay");
    await connectApp(w.t.db, sister, "Northwind Pay");
    const now = Math.floor(Date.now() / 1000);
    const cases: { name: string; token: string; code: string; body?: object }[] = [
      {
        name: "for an application not ours",
        token: await kit.forge(sender.app.id, { for_application_id: randomUUID() }),
        code: "token_not_for_us",
      },
      {
        name: "for our other application, not the partnership's",
        token: await kit.forge(sender.app.id, { for_application_id: sister.id }),
        code: "token_not_for_us",
      },
      {
        name: "from another partner's application",
        token: await kit.forge(randomUUID()),
        code: "token_from_other_partner",
      },
      {
        name: "expired",
        token: await kit.forge(sender.app.id, { iat: now - 7200, exp: now - 60 }),
        code: "token_expired",
      },
      { name: "not a JWT", token: "not-a-token", code: "token_invalid" },
      {
        name: "a claim missing",
        token: await kit.forge(sender.app.id, { session_id: undefined }),
        code: "token_invalid",
      },
      {
        name: "a claim of the wrong shape",
        token: await kit.forge(sender.app.id, { session_kind: "robot" }),
        code: "token_invalid",
      },
    ];
    const mismatch = await kit.forge(sender.app.id);
    cases.push(
      {
        name: "the body's session_kind differs",
        token: mismatch,
        code: "token_claims_mismatch",
        body: { session_kind: "business" },
      },
      {
        name: "the body's expires_at differs",
        token: await kit.forge(sender.app.id),
        code: "token_claims_mismatch",
        body: { expires_at: new Date(Date.now() + 86_400_000).toISOString() },
      },
      {
        name: "the body's for_application_id differs",
        token: await kit.forge(sender.app.id),
        code: "token_claims_mismatch",
        body: { for_application_id: randomUUID() },
      },
    );
    for (const c of cases) {
      track(c.token);
      const body =
        c.code === "token_invalid"
          ? {
              ...kit.delivery(await kit.forge(sender.app.id)),
              share_token: c.token,
            }
          : kit.delivery(c.token, c.body);
      const res = await push(kit.push(sender, body), sender.id);
      expect(res.status, `${c.name}: ${res.text}`).toBe(422);
      const error = (res.body as unknown as ErrorBody).error;
      expect(error.code, c.name).toBe(c.code);
      expect(error.message.length, c.name).toBeGreaterThan(30);
      expect(await rowsWithHash(c.token), c.name).toHaveLength(0);
      const refusals = await refusalsFor(c.token);
      expect(refusals, c.name).toHaveLength(1);
      expect(refusals[0]!.data).toMatchObject({ partnerId: sender.id, code: c.code, source: "push" });
      expect(JSON.stringify(refusals[0])).not.toContain(c.token);
    }
  });

  it("refuses by our import policy: kind not allowed, not inbound, agreement expired or missing (409)", async () => {
    const businessOnly = await kit.newSender({ allowedKinds: ["business"] });
    const outbound = await kit.newSender({ direction: "outbound" });
    const lapsed = await kit.newSender({ agreementExpiresOn: "2020-12-31", agreementSignedOn: "2020-01-01" });
    const unsigned = await kit.newSender({ agreementReference: null });
    const cases = [
      { s: businessOnly, code: "kind_not_allowed" },
      { s: outbound, code: "partner_not_inbound" },
      { s: lapsed, code: "partner_agreement_expired" },
      { s: unsigned, code: "partner_agreement_missing" },
    ];
    for (const { s, code } of cases) {
      const token = track(await kit.forge(s.app.id));
      const res = await push(kit.push(s, kit.delivery(token)), s.id);
      expect(res.status, res.text).toBe(409);
      expect((res.body as unknown as ErrorBody).error.code).toBe(code);
      expect(await rowsWithHash(token)).toHaveLength(0);
      expect(await refusalsFor(token)).toHaveLength(1);
    }
    // A suspended partner's requests do not verify at all.
    const suspended = await kit.newSender();
    await w.t.db.update(partners).set({ status: "suspended" }).where(eq(partners.id, suspended.id));
    const token = track(await kit.forge(suspended.app.id));
    const res = await push(kit.push(suspended, kit.delivery(token)), suspended.id);
    expect(res.status).toBe(401);
    expect(await rowsWithHash(token)).toHaveLength(0);
  });

  it("queues the automatic import with the item when the partner's policy is auto (and only then)", async () => {
    const auto = await kit.newSender({ importMode: "auto" });
    const token = track(await kit.forge(auto.app.id));
    const res = await push(kit.push(auto, kit.delivery(token)), auto.id);
    expect(res.status, res.text).toBe(202);
    const id = (res.body as { inbox_item_id: string }).inbox_item_id;
    const queued = await w.t.db.select().from(jobs).where(eq(jobs.queue, AUTO_IMPORT_QUEUE));
    expect(queued.filter((j) => (j.payload as { inboxItemId?: string }).inboxItemId === id)).toHaveLength(1);
    // A manual partner's item waits for an officer.
    const manualId = await pendingItem();
    const after = await w.t.db.select().from(jobs).where(eq(jobs.queue, AUTO_IMPORT_QUEUE));
    expect(after.some((j) => (j.payload as { inboxItemId?: string }).inboxItemId === manualId)).toBe(false);
  });

  it("answers a malformed push 422 or 400 and stores nothing", async () => {
    const token = track(await kit.forge(sender.app.id));
    const bad = [
      { ...kit.delivery(token), type: "handoff.share.v2" },
      { ...kit.delivery(token), share_id: "nope" },
      { ...kit.delivery(token), manifest: null },
    ];
    for (const body of bad) {
      const res = await push(kit.push(sender, body), sender.id);
      expect(res.status, res.text).toBe(422);
      expect((res.body as unknown as ErrorBody).error.code).toBe("validation_failed");
    }
    const notJson = await push(kit.push(sender, undefined, { rawBody: "{not json" }), sender.id);
    expect(notJson.status).toBe(400);
    const badId = await call(pushRoute.POST, kit.push(sender, kit.delivery(token)), { partnerId: "x" });
    expect(badId.status).toBe(404);
    expect(await rowsWithHash(token)).toHaveLength(0);
  });
});

describe(`POST /api/inbox: a pasted token (${testDriver()})`, () => {
  it("stores a real token for us once (201, then 200 with the same item), found from its claims", async () => {
    const token = track(await kit.mint(sender));
    const res = await paste(officer, token);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      source: "paste",
      partnerId: sender.id,
      applicationId: w.bankRow,
      applicationName: "Northwind Bank",
      state: "pending",
      manifest: null,
      canReject: true,
      canImport: true,
      import: null,
      receipts: [],
      receivedBy: { id: officer.id },
    });
    expect(res.text).not.toContain(token);
    const again = await paste(officer, ` ${token} `);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    expect(await rowsWithHash(token)).toHaveLength(1);
  });

  it("refuses a token for someone else, an expired one, one from an unknown sender and garbage (422)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      {
        token: await kit.forge(sender.app.id, { for_application_id: randomUUID() }),
        code: "token_not_for_us",
      },
      { token: await kit.forge(sender.app.id, { exp: now - 1, iat: now - 900 }), code: "token_expired" },
      { token: await kit.forge(randomUUID()), code: "token_from_unknown_partner" },
      { token: "eyJhbGciOiJIUzI1NiJ9.garbage.garbage", code: "token_invalid" },
      { token: "hello world", code: "token_invalid" },
    ];
    for (const c of cases) {
      track(c.token);
      const res = await paste(officer, c.token);
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe(c.code);
      expect(await rowsWithHash(c.token)).toHaveLength(0);
      const refusals = await refusalsFor(c.token);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatchObject({ actorId: officer.id });
    }
  });

  it("is for officers only, and validates its input", async () => {
    const token = track(await kit.forge(sender.app.id));
    for (const user of [auditor, admin]) {
      const res = await paste(user, token);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    for (const bad of ["", "   ", 42, null, "x".repeat(9000)]) {
      const res = await paste(officer, bad);
      expect(res.status, String(bad)).toBe(422);
      expect(res.body.error.code).toBe("validation_failed");
    }
    const extra = await call(
      inboxRoute.POST,
      await request("/api/inbox", { method: "POST", user: officer, body: { token, partnerId: sender.id } }),
    );
    expect(extra.status).toBe(422);
    expect(await rowsWithHash(token)).toHaveLength(0);
  });
});

describe(`GET /api/inbox and /api/inbox/{id} (${testDriver()})`, () => {
  it("lists newest first with filters and a keyset cursor", async () => {
    const a = await pendingItem();
    const b = await pendingItem();
    const list = async (qs: string) =>
      call<InboxListResponse>(inboxRoute.GET, await request(`/api/inbox?${qs}`, { user: auditor }));
    const first = await list("limit=1");
    expect(first.status).toBe(200);
    expect(first.body.items.map((i) => i.id)).toEqual([b]);
    // An auditor reads, but neither imports nor rejects.
    expect(first.body.items[0]).toMatchObject({ canReject: false, canImport: false, import: null });
    const asOfficer = await call<InboxListResponse>(
      inboxRoute.GET,
      await request(`/api/inbox?limit=1`, { user: officer }),
    );
    expect(asOfficer.body.items[0]).toMatchObject({ id: b, canReject: true, canImport: true, import: null });
    const second = await list(`limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((i) => i.id)).toEqual([a]);

    const mine = await list(`partnerId=${sender.id}&source=push&state=pending&applicationId=${w.bankRow}`);
    expect(mine.body.items.map((i) => i.id)).toEqual(expect.arrayContaining([a, b]));
    expect(mine.body.items.every((i) => i.partnerId === sender.id && i.source === "push")).toBe(true);
    expect((await list("source=paste")).body.items.every((i) => i.source === "paste")).toBe(true);
    expect((await list(`q=${a}`)).body.items.map((i) => i.id)).toEqual([a]);
    const [row] = await w.t.db.select().from(partners).where(eq(partners.id, sender.id));
    expect((await list(`q=${encodeURIComponent(row!.name)}`)).body.items.length).toBeGreaterThanOrEqual(2);
    expect((await list(`partnerId=${randomUUID()}`)).body.items).toEqual([]);

    for (const qs of [
      "state=nope",
      "limit=0",
      "cursor=%21%21",
      `cursor=${Buffer.from("x|y").toString("base64url")}`,
    ]) {
      const res = await list(qs);
      expect(res.status, qs).toBe(422);
    }
  });

  it("reads a pending item past its expiry as expired, and marks it so (its token destroyed)", async () => {
    const id = await pendingItem();
    await w.t.db
      .update(inboxItems)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(inboxItems.id, id));
    const res = await call<InboxListResponse>(
      inboxRoute.GET,
      await request("/api/inbox?state=expired", { user: officer }),
    );
    const item = res.body.items.find((i) => i.id === id);
    expect(item).toMatchObject({ state: "expired", secondsLeft: 0, canReject: false, canImport: false });
    const [row] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.id, id));
    expect(row).toMatchObject({ state: "expired", tokenCiphertext: null });
  });

  it("details an item: claims, manifest, partner and its agreement now, time left, never the token", async () => {
    const token = track(await kit.mint(sender, { ttl: 1800 }));
    const pushed = await push(kit.push(sender, kit.delivery(token)), sender.id);
    const id = (pushed.body as { inbox_item_id: string }).inbox_item_id;
    const res = await call<InboxItemDetailDto>(
      itemRoute.GET,
      await request(`/api/inbox/${id}`, { user: officer }),
      { id },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.claims).toMatchObject({
      for_application_id: w.bank.id,
      from_application_id: sender.app.id,
    });
    expect(res.body.partner).toMatchObject({ id: sender.id, agreementState: "valid", direction: "inbound" });
    expect(res.body.importPolicy).toEqual({ ok: true });
    expect(res.body).toMatchObject({ canImport: true, canReject: true, import: null, receipts: [] });
    expect(res.body.secondsLeft).toBeGreaterThan(1700);
    expect(res.body.secondsLeft).toBeLessThanOrEqual(1800);
    expect(res.body.manifest).toMatchObject({ session_number: 1042 });
    expect(res.text).not.toContain(token);

    // The policy is the partner's now: a suspension shows on the item.
    await w.t.db
      .update(partners)
      .set({ allowedKinds: ["business"] })
      .where(eq(partners.id, sender.id));
    const later = await call<InboxItemDetailDto>(
      itemRoute.GET,
      await request(`/api/inbox/${id}`, { user: auditor }),
      { id },
    );
    expect(later.body.importPolicy).toMatchObject({ ok: false, code: "kind_not_allowed" });
    const officerView = await call<InboxItemDetailDto>(
      itemRoute.GET,
      await request(`/api/inbox/${id}`, { user: officer }),
      { id },
    );
    // The policy forbids importing it now; it can still be rejected.
    expect(officerView.body).toMatchObject({ canImport: false, canReject: true });
    await w.t.db
      .update(partners)
      .set({ allowedKinds: ["user", "business"] })
      .where(eq(partners.id, sender.id));

    const missing = await call(
      itemRoute.GET,
      await request(`/api/inbox/${randomUUID()}`, { user: officer }),
      {
        id: randomUUID(),
      },
    );
    expect(missing.status).toBe(404);
    const anonymous = await call(itemRoute.GET, await request(`/api/inbox/${id}`), { id });
    expect(anonymous.status).toBe(401);
  });
});

describe(`POST /api/inbox/{id}/reject (${testDriver()})`, () => {
  const reject = async (user: TestUser, id: string, body: unknown) =>
    call<InboxItemDetailDto & ErrorBody>(
      rejectRoute.POST,
      await request(`/api/inbox/${id}/reject`, { method: "POST", user, body }),
      { id },
    );

  it("rejects a pending item once: the token destroyed, the state rejected, audited", async () => {
    const id = await pendingItem();
    const res = await reject(officer, id, { reason: "Customer already onboarded" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id, state: "rejected", stateReason: "Customer already onboarded" });
    const [row] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.id, id));
    expect(row).toMatchObject({ state: "rejected", tokenCiphertext: null });
    const events = await w.t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "inbox.rejected"), eq(auditEvents.entityId, id)));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: officer.id, data: { reason: "Customer already onboarded" } });

    const again = await reject(officer, id, { reason: "Twice" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
  });

  it("rejects an item whose import failed while its token stayed unredeemed; the import stays failed", async () => {
    const failedItem = async (retryable: boolean) => {
      const id = await pendingItem();
      const [item] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.id, id));
      const [row] = await w.t.db
        .insert(imports)
        .values({
          inboxItemId: id,
          applicationId: item!.applicationId,
          partnerId: sender.id,
          senderShareId: item!.senderShareId,
          sourceSessionId: item!.sourceSessionId,
          sessionKind: item!.sessionKind,
          trustReview: false,
          workflowId: randomUUID(),
          vendorData: `handoff-${id}`,
          state: "failed",
          failureCode: retryable ? "upstream_timeout" : "token_expired",
          failureReason: "scripted",
          retryable,
          importedBy: officer.id,
          startedAt: new Date(),
          finishedAt: new Date(),
        })
        .returning();
      await w.t.db
        .update(inboxItems)
        .set({ state: "failed", ...(retryable ? {} : { tokenCiphertext: null }) })
        .where(eq(inboxItems.id, id));
      return { id, importId: row!.id };
    };
    const retry = await failedItem(true);
    const view = await call<InboxItemDetailDto>(
      itemRoute.GET,
      await request(`/api/inbox/${retry.id}`, { user: officer }),
      { id: retry.id },
    );
    expect(view.body).toMatchObject({
      state: "failed",
      canImport: true,
      canReject: true,
      import: { id: retry.importId, state: "failed", retryable: true, failureCode: "upstream_timeout" },
    });
    const listed = await call<InboxListResponse>(
      inboxRoute.GET,
      await request(`/api/inbox?q=${retry.id}`, { user: officer }),
    );
    expect(listed.body.items[0]).toMatchObject({ canImport: true, import: { id: retry.importId } });

    const res = await reject(officer, retry.id, { reason: "Not worth another try" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      state: "rejected",
      canImport: false,
      canReject: false,
      import: { id: retry.importId, state: "failed", retryable: false },
    });
    const [row] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.id, retry.id));
    expect(row).toMatchObject({ state: "rejected", tokenCiphertext: null });
    const [event] = await w.t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "inbox.rejected"), eq(auditEvents.entityId, retry.id)));
    expect(event!.data).toMatchObject({ previousState: "failed", importId: retry.importId });

    // A failure that destroyed the token leaves nothing to reject.
    const dead = await failedItem(false);
    const refused = await reject(officer, dead.id, { reason: "Too late" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/import failed/);
    const [kept] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.id, dead.id));
    expect(kept!.state).toBe("failed");
  });

  it("rejecting a sister brand's internal delivery writes the rejection on our own share", async () => {
    const payApp = await w.newSandboxApp("Northwind Pay");
    const payRow = await connectApp(w.t.db, payApp, "Northwind Pay");
    const toPay = await addPartner(w.t.db, {
      applicationId: w.bankRow,
      diditApplicationId: payApp.id,
      channel: "internal",
      direction: "outbound",
    });
    await addPartner(w.t.db, {
      applicationId: payRow,
      diditApplicationId: w.bank.id,
      channel: "internal",
      direction: "inbound",
    });
    const share = await createShare(officerCtx(), {
      sessionId: await w.newSession(),
      partnerId: toPay.id,
      ttlSeconds: 900,
    });
    const [item] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.localShareId, share.id));
    expect(item).toMatchObject({ source: "internal", applicationId: payRow, state: "pending" });

    const res = await reject(officer, item!.id, { reason: "Not a customer of Northwind Pay" });
    expect(res.status, res.text).toBe(200);
    const [sent] = await w.t.db.select().from(shares).where(eq(shares.id, share.id));
    expect(sent).toMatchObject({
      receiptStatus: "rejected",
      receiptReason: "Not a customer of Northwind Pay",
    });
    const receipts = await w.t.db.select().from(shareReceipts).where(eq(shareReceipts.shareId, share.id));
    expect(receipts).toMatchObject([{ status: "rejected", partnerId: toPay.id }]);
  });

  it("refuses an expired item, other roles, an unknown id and bad input, changing nothing", async () => {
    const id = await pendingItem();
    for (const user of [auditor, admin]) {
      const res = await reject(user, id, { reason: "Not mine to reject" });
      expect(res.status).toBe(403);
    }
    for (const bad of [
      {},
      { reason: "" },
      { reason: "   " },
      { reason: "x".repeat(501) },
      { reason: "a\u0007b" },
    ]) {
      const res = await reject(officer, id, bad);
      expect(res.status, JSON.stringify(bad)).toBe(422);
    }
    expect((await reject(officer, randomUUID(), { reason: "Nothing" })).status).toBe(404);
    const [row] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.id, id));
    expect(row).toMatchObject({ state: "pending" });
    expect(row!.tokenCiphertext).not.toBeNull();

    await w.t.db
      .update(inboxItems)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(inboxItems.id, id));
    const expired = await reject(officer, id, { reason: "Too late" });
    expect(expired.status).toBe(409);
    expect(expired.body.error.message).toMatch(/expired/);
  });
});

describe(`a Handoff sender's push, end to end (${testDriver()})`, () => {
  let server: Server;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("the share delivery job's signed push lands in our inbox: 202, the share delivered, the manifest kept", async () => {
    // Service X (another of the sandbox's applications, connected here only to share) pushes to us,
    // Northwind Bank, over HTTP; our inbox route answers as the receiver.
    const xApp = await w.newSandboxApp("Contoso Lending");
    const xRow = await connectApp(w.t.db, xApp, "Contoso Lending");
    const receiving = await kit.newSender({ direction: "inbound" });
    await w.t.db.update(partners).set({ diditApplicationId: xApp.id }).where(eq(partners.id, receiving.id));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const request = new Request(`http://handoff.test${req.url}`, {
          method: req.method,
          headers,
          body: Buffer.concat(chunks),
        });
        void pushRoute
          .POST(request, { params: Promise.resolve({ partnerId: receiving.id }) })
          .then(async (answer) => {
            const text = await answer.text();
            answers.push(text);
            res.writeHead(answer.status, { "content-type": "application/json" }).end(text);
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    // X's partner row for us, with the secret both sides hold.
    const toUs = await addPartner(w.t.db, {
      applicationId: xRow,
      diditApplicationId: w.bank.id,
      channel: "push",
      direction: "outbound",
      pushUrl: `http://127.0.0.1:${port}/api/partner/v1/inbox/${receiving.id}`,
    });
    const secretId = randomUUID();
    await w.t.db
      .update(partnerSecrets)
      .set({ expiresAt: new Date(0) })
      .where(eq(partnerSecrets.partnerId, receiving.id));
    await w.t.db.insert(partnerSecrets).values({
      id: secretId,
      partnerId: receiving.id,
      secretCiphertext: seal(toUs.secret, secretId),
      last4: toUs.secret.slice(-4),
    });

    const sessionId = await mirroredSession(
      { t: w.t, server: w.server, api: w.api, diditCalls: { count: 0 }, close: async () => undefined },
      xApp,
      xRow,
      "user",
      "Approved",
    );
    const share = await createShare(officerCtx(), { sessionId, partnerId: toUs.id, ttlSeconds: 900 });
    registerJobs([shareDeliveryJob, shareExpiryJob]);
    await runDueJobs(w.t.db, { queues: [DELIVERY_QUEUE] });

    const [sent] = await w.t.db.select().from(shares).where(eq(shares.id, share.id));
    expect(sent, JSON.stringify(sent)).toMatchObject({ state: "delivered", tokenCiphertext: null });
    const [item] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.senderShareId, share.id));
    expect(item).toMatchObject({
      applicationId: w.bankRow,
      partnerId: receiving.id,
      source: "push",
      sourceSessionId: sessionId,
      fromApplicationId: xApp.id,
      state: "pending",
      tokenHash: sent!.tokenHash,
    });
    expect(item!.manifest).toEqual(sent!.manifest);
  });
});

describe(`secrecy (${testDriver()})`, () => {
  it("no token in any answer, audit row, log line, or anywhere in the database in the clear", async () => {
    expect(tokens.length).toBeGreaterThan(20);
    const everything = answers.join("\n");
    const audit = JSON.stringify(await w.t.db.select().from(auditEvents));
    const database = await databaseText(w.t.db);
    const logged = logs.text();
    for (const token of tokens.filter((t) => t.length > 20)) {
      expect(everything).not.toContain(token);
      expect(audit).not.toContain(token);
      expect(logged).not.toContain(token);
      expect(database).not.toContain(token);
    }
  });
});
