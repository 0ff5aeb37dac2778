import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as openapi from "@/app/api/partner/v1/openapi.json/route";
import * as receipts from "@/app/api/partner/v1/receipts/route";
import * as pickup from "@/app/api/partner/v1/shares/[id]/pickup/route";
import * as list from "@/app/api/partner/v1/shares/route";
import { partnerShareListSchema, pickupResponseSchema } from "@/lib/schemas/partner-api";
import type { ShareDto } from "@/lib/schemas/shares";
import { auditEvents, shareDeliveries, shareReceipts, shares } from "@/lib/server/db/schema";
import { collectRefs, resolvePointer } from "@/lib/server/openapi/builder";
import type { ServiceContext } from "@/lib/server/kernel";
import { testDriver } from "@/test/database";
import type { TestApp } from "@/test/sandbox-fixtures";
import { insertUser, type TestUser } from "@/test/session";
import { createShare, getShare, revokeShare } from "@/lib/server/services/sharing";
import {
  addPartner,
  captureLogs,
  connectApp,
  countRows,
  databaseText,
  mirroredSession,
  partnerRequest,
  sharingWorld,
  type World,
} from "@/lib/server/services/sharing/shares.test-kit";

type Handler = (req: Request, ctx?: { params?: Promise<object> }) => Promise<Response>;

let w: World;
let x: TestApp;
let xRow: string;
let officer: TestUser;
let acme: { id: string; secret: string };
let globex: { id: string; secret: string };
let logs: ReturnType<typeof captureLogs>;
const tokens: string[] = [];

async function call<T = Record<string, unknown>>(handler: Handler, req: Request, params: object = {}) {
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T, text };
}

function ctx(): ServiceContext {
  return {
    db: w.t.db,
    actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" },
    now: () => new Date(),
    requestId: "test",
    ip: null,
    userAgent: null,
  };
}

async function pickupShare(partnerId: string, ttlSeconds = 3600): Promise<ShareDto> {
  const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
  return createShare(ctx(), { sessionId, partnerId, ttlSeconds });
}

const listAs = (p: { id: string; secret: string }) =>
  call<{ items: { share_id: string }[] }>(
    list.GET,
    partnerRequest("/api/partner/v1/shares", { partnerId: p.id, secret: p.secret }),
  );

const pickUp = (p: { id: string; secret: string }, id: string, extra: Record<string, unknown> = {}) =>
  call<{ share_token: string; error?: { code: string } }>(
    pickup.POST,
    partnerRequest(`/api/partner/v1/shares/${id}/pickup`, {
      method: "POST",
      partnerId: p.id,
      secret: p.secret,
      ...extra,
    }),
    { id },
  );

const receipt = (p: { id: string; secret: string }, body: unknown, extra: Record<string, unknown> = {}) =>
  call<{ received?: boolean; receipt_id?: string; error?: { code: string } }>(
    receipts.POST,
    partnerRequest("/api/partner/v1/receipts", { partnerId: p.id, secret: p.secret, body, ...extra }),
  );

beforeAll(async () => {
  w = await sharingWorld();
  logs = captureLogs();
  x = await w.api.newApp("recipe", "Northwind Bank");
  xRow = await connectApp(w.t.db, x, "Northwind Bank");
  officer = await insertUser(w.t.db, "officer");
  const acmeApp = await w.api.newApp("recipe", "Acme");
  const globexApp = await w.api.newApp("recipe", "Globex");
  acme = await addPartner(w.t.db, { applicationId: xRow, diditApplicationId: acmeApp.id, channel: "pickup" });
  globex = await addPartner(w.t.db, {
    applicationId: xRow,
    diditApplicationId: globexApp.id,
    channel: "pickup",
  });
});

afterAll(async () => {
  logs?.restore();
  await w?.close();
});

describe(`partner API (${testDriver()})`, () => {
  it("lists a partner's own pending pick-up shares, without tokens", async () => {
    const mine = await pickupShare(acme.id);
    const theirs = await pickupShare(globex.id);
    const res = await listAs(acme);
    expect(res.status, res.text).toBe(200);
    const parsed = partnerShareListSchema.parse(res.body);
    const ids = parsed.items.map((i) => i.share_id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    expect(res.text).not.toMatch(/share_token|eyJ/);
    expect(parsed.items.find((i) => i.share_id === mine.id)).toMatchObject({
      session_kind: "user",
      from_application_id: x.id,
      expires_at: mine.expiresAt,
      manifest: { status: "Approved" },
    });
  });

  it("pick-up hands the token over once, under concurrency exactly one 200", async () => {
    const created = await pickupShare(acme.id);
    const results = await Promise.all(Array.from({ length: 8 }, () => pickUp(acme, created.id)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    const body = pickupResponseSchema.parse(ok[0]!.body);
    tokens.push(body.share_token);
    expect(body.share_id).toBe(created.id);
    expect(ok[0]!.headers.get("cache-control")).toBe("no-store");
    const [row] = await w.t.db.select().from(shares).where(eq(shares.id, created.id));
    expect(row).toMatchObject({ state: "picked_up", tokenCiphertext: null, attempts: 1 });
    const deliveries = await w.t.db
      .select()
      .from(shareDeliveries)
      .where(eq(shareDeliveries.shareId, created.id));
    expect(deliveries.map((d) => d.outcome)).toEqual(["picked_up"]);
    const events = await w.t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.entityId, created.id))
      .orderBy(asc(auditEvents.seq));
    expect(events.map((e) => e.action)).toEqual(["share.created", "share.picked_up"]);
    expect(events[1]!.actorLabel).toBe(`partner:${acme.id}`);
    // Gone from the list.
    expect((await listAs(acme)).body.items.map((i) => i.share_id)).not.toContain(created.id);
  });

  it("another partner's share, an unknown one, a revoked or expired one cannot be picked up", async () => {
    const created = await pickupShare(acme.id, 60);
    expect((await pickUp(globex, created.id)).status).toBe(404);
    expect((await pickUp(acme, randomUUID())).status).toBe(404);
    expect((await pickUp(acme, "not-a-uuid")).status).toBe(404);
    // The partner signs with the wall clock, so the share's exp is moved into the past instead.
    await w.t.db
      .update(shares)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(shares.id, created.id));
    const expired = await pickUp(acme, created.id);
    expect(expired.status).toBe(409);
    const [row] = await w.t.db.select().from(shares).where(eq(shares.id, created.id));
    expect(row!.state).toBe("pending");
    expect(row!.tokenCiphertext).not.toBeNull();

    const revoked = await pickupShare(acme.id);
    await revokeShare(ctx(), revoked.id, { reason: "sent to the wrong partner" });
    const refused = await pickUp(acme, revoked.id);
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/revoked/);
  });

  it("signatures: a wrong secret, a tampered body, a stale timestamp → 401; a replayed id → 409", async () => {
    const created = await pickupShare(acme.id);
    const before = await countRows(w.t.db, "share_receipts");
    const body = { share_id: created.id, status: "rejected", reason: "duplicate customer" };
    expect((await receipt({ id: acme.id, secret: globex.secret }, body)).status).toBe(401);
    expect((await receipt(acme, body, { tamper: true })).status).toBe(401);
    expect((await receipt(acme, body, { at: new Date(Date.now() - 10 * 60_000) })).status).toBe(401);
    expect((await receipt({ id: randomUUID(), secret: acme.secret }, body)).status).toBe(401);
    const bare = await call(
      receipts.POST,
      new Request("http://handoff.test/api/partner/v1/receipts", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
    expect(bare.status).toBe(401);
    expect(bare.body).toMatchObject({ error: { code: "invalid_signature" } });
    expect(await countRows(w.t.db, "share_receipts")).toBe(before);

    const messageId = `msg_${randomUUID()}`;
    const first = await receipt(acme, body, { messageId });
    expect(first.status, first.text).toBe(202);
    const again = await receipt(acme, body, { messageId });
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe("replayed");
    expect(await countRows(w.t.db, "share_receipts")).toBe(before + 1);
    // A replayed pick-up too.
    const pickId = `msg_${randomUUID()}`;
    const taken = await pickUp(acme, created.id, { messageId: pickId });
    expect(taken.status).toBe(200);
    tokens.push(taken.body.share_token);
    expect((await pickUp(acme, created.id, { messageId: pickId })).status).toBe(409);
  });

  it("receipts: stored and shown on the share; another partner's share → 404; bad input → 422", async () => {
    const created = await pickupShare(acme.id);
    const clone = randomUUID();
    const ok = await receipt(acme, { share_id: created.id, status: "imported", clone_session_id: clone });
    expect(ok.status, ok.text).toBe(202);
    expect(ok.body).toMatchObject({ received: true });
    const detail = await getShare({ ...ctx(), actor: { ...ctx().actor!, role: "auditor" } }, created.id);
    expect(detail).toMatchObject({ receiptStatus: "imported", receiptCloneSessionId: clone });
    expect(detail.receipts).toHaveLength(1);
    expect(detail.receipts[0]).toMatchObject({
      status: "imported",
      cloneSessionId: clone,
      id: ok.body.receipt_id,
    });
    const [event] = await w.t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "share.receipt"), eq(auditEvents.entityId, created.id)));
    expect(event!.data).toMatchObject({ status: "imported", cloneSessionId: clone, partnerId: acme.id });

    const before = await countRows(w.t.db, "share_receipts");
    const audit = await countRows(w.t.db, "audit_events");
    expect((await receipt(globex, { share_id: created.id, status: "rejected" })).status).toBe(404);
    expect((await receipt(acme, { share_id: randomUUID(), status: "rejected" })).status).toBe(404);
    for (const bad of [
      {},
      { share_id: created.id },
      { share_id: created.id, status: "maybe" },
      { share_id: "nope", status: "imported" },
      { share_id: created.id, status: "imported", clone_session_id: "x" },
      { share_id: created.id, status: "rejected", reason: "r".repeat(501) },
      [],
    ]) {
      const res = await receipt(acme, bad);
      expect(res.status, JSON.stringify(bad)).toBe(422);
    }
    expect((await receipt(acme, undefined, { rawBody: "{oops" })).status).toBe(400);
    expect(await countRows(w.t.db, "share_receipts")).toBe(before);
    expect(await countRows(w.t.db, "audit_events")).toBe(audit);
    const [row] = await w.t.db.select().from(shareReceipts).where(eq(shareReceipts.shareId, created.id));
    expect(row!.partnerId).toBe(acme.id);
  });

  it("serves an OpenAPI 3.1 document covering every endpoint, whose every $ref resolves", async () => {
    const res = await call<Record<string, unknown>>(
      openapi.GET,
      new Request("http://handoff.test/api/partner/v1/openapi.json"),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const doc = JSON.parse(res.text) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      webhooks: Record<string, unknown>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/partner/v1/inbox/{partnerId}",
      "/api/partner/v1/receipts",
      "/api/partner/v1/shares",
      "/api/partner/v1/shares/{id}/pickup",
    ]);
    expect(doc.paths["/api/partner/v1/shares"]!.get).toBeTruthy();
    expect(doc.paths["/api/partner/v1/shares/{id}/pickup"]!.post).toBeTruthy();
    expect(doc.paths["/api/partner/v1/receipts"]!.post).toBeTruthy();
    expect(doc.paths["/api/partner/v1/inbox/{partnerId}"]!.post).toBeTruthy();
    expect(doc.webhooks["handoff.share.v1"]).toBeTruthy();
    expect(doc.components.securitySchemes.standardWebhooks).toBeTruthy();
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(resolvePointer(doc, ref), ref).toBeDefined();
    expect(refs).toContain("#/components/parameters/PartnerId");
    for (const name of ["ShareDelivery", "PickupResponse", "ReceiptRequest", "PartnerShareList", "Error"]) {
      expect(doc.components.schemas[name], name).toBeTruthy();
    }
    const delivery = doc.components.schemas.ShareDelivery as {
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(delivery.required.sort()).toEqual(
      [
        "type",
        "share_id",
        "share_token",
        "session_kind",
        "from_application_id",
        "for_application_id",
        "expires_at",
        "manifest",
      ].sort(),
    );
    expect(res.text).not.toContain("$schema");
  });

  it("no token in the database or the logs", async () => {
    expect(tokens.length).toBe(2);
    const everything = (await databaseText(w.t.db)) + logs.text();
    for (const token of tokens) expect(everything).not.toContain(token.split(".")[2]!);
  });
});
