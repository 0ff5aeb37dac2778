import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as itemRoute from "@/app/api/inbox/[id]/route";
import * as importRoute from "@/app/api/inbox/[id]/import/route";
import * as rejectRoute from "@/app/api/inbox/[id]/reject/route";
import * as inboxRoute from "@/app/api/inbox/route";
import type { AnalyticsPartnerDto } from "@/lib/schemas/analytics";
import type { InboxItemDetailDto, InboxListResponse } from "@/lib/schemas/inbox";
import { auditEvents, imports, inboxItems } from "@/lib/server/db/schema";
import { testDriver } from "@/test/database";
import { signToken } from "@/test/sandbox-fixtures";
import { insertUser, request, type TestUser } from "@/test/session";
import { getAnalytics } from "@/lib/server/services/operations/analytics";
import { importWorld, type ImportWorld } from "./import.test-kit";
import { getLineage } from "@/lib/server/services/lineage";
import { contextOf } from "@/lib/server/services/reviews/reviews.test-kit";

/**
 * Issue 15, item 4: a forged token (well-formed, signed with a secret Didit never held, its claims
 * naming a real partner and even a real session of theirs) is unverified until Didit answers; it is
 * drawn in no lineage and counted in no partner figure; Didit refuses it on import, and the item is
 * then `invalid` for good. A genuine token from the same partner is verified once imported.
 */

type ErrorBody = { error: { code: string; message: string } };
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

let x: ImportWorld;
let officer: TestUser;
let auditor: TestUser;

async function call<T>(handler: Handler, req: Request, params: Record<string, string> = {}) {
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T & ErrorBody, text };
}
const paste = async (token: string) =>
  call<InboxItemDetailDto>(
    inboxRoute.POST,
    await request("/api/inbox", { method: "POST", user: officer, body: { token } }),
  );
const item = async (id: string) =>
  call<InboxItemDetailDto>(itemRoute.GET, await request(`/api/inbox/${id}`, { user: officer }), { id });
const importItem = async (id: string) =>
  call<InboxItemDetailDto>(
    importRoute.POST,
    await request(`/api/inbox/${id}/import`, { method: "POST", user: officer, body: {} }),
    { id },
  );

/** The sender's figures today (only this world's records: a fresh database). */
async function senderFigures(): Promise<AnalyticsPartnerDto | undefined> {
  const r = await getAnalytics(contextOf(x.w.t.db, auditor), {});
  return r.partners.find((p) => p.partnerId === x.sender.id);
}

/** A token with Didit's shape and claims naming the sender, signed with a secret Didit never held. */
async function forgeFor(sessionId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signToken(
    {
      session_id: sessionId,
      from_application_id: x.sender.app.id,
      for_application_id: x.w.bank.id,
      session_kind: "user",
      iat: now,
      exp: now + 3600,
    },
    randomBytes(32).toString("hex"),
  );
}

beforeAll(async () => {
  x = await importWorld();
  officer = await insertUser(x.w.t.db, "officer");
  auditor = await insertUser(x.w.t.db, "auditor");
}, 180_000);
afterAll(async () => {
  await x?.close();
});

describe(`forged tokens are never counted as the partner's (${testDriver()})`, () => {
  it("a forged token is unverified, out of lineage and analytics; Didit refuses it → invalid for good; a genuine one is verified and counted", async () => {
    // A genuine token of the sender, pushed (signed by the partner): unverified until imported.
    const genuine = await x.item();
    const genuineItem = await item(genuine.id);
    expect(genuineItem.body).toMatchObject({
      state: "pending",
      verification: "unverified",
      verifiedBy: null,
    });
    // A forgery naming the same partner and the same (real) source session, pasted.
    const forged = await forgeFor(genuine.sourceSessionId);
    const pasted = await paste(forged);
    expect(pasted.status, pasted.text).toBe(201);
    const forgedId = pasted.body.id;
    expect(pasted.body).toMatchObject({
      state: "pending",
      verification: "unverified",
      verifiedBy: null,
      partnerId: x.sender.id,
      canImport: true,
    });
    const list = await call<InboxListResponse>(
      inboxRoute.GET,
      await request("/api/inbox", { user: officer }),
    );
    expect(list.body.items.find((i) => i.id === forgedId)).toMatchObject({ verification: "unverified" });

    // Lineage: neither token is drawn (nothing verified yet), so the claimed session is unknown.
    await expect(getLineage(contextOf(x.w.t.db, auditor), genuine.sourceSessionId)).rejects.toMatchObject({
      code: "not_found",
    });
    // Analytics: both tokens are unverified, neither is "received" from the partner.
    expect(await senderFigures()).toMatchObject({
      received: 0,
      imported: 0,
      importRate: null,
      receivedUnverified: 2,
      receivedInvalid: 0,
    });

    // Import the forgery: Didit (the sandbox) refuses it as invalid; the item is invalid, audited.
    const refused = await importItem(forgedId);
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.error.code).toBe("token_invalid");
    const after = await item(forgedId);
    expect(after.body).toMatchObject({
      state: "invalid",
      verification: "invalid",
      canImport: false,
      canReject: false,
    });
    expect(after.body.stateReason).toMatch(/not counted as the partner's/);
    const [row] = await x.w.t.db.select().from(inboxItems).where(eq(inboxItems.id, forgedId));
    expect(row!.tokenCiphertext).toBeNull();
    const audits = await x.w.t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "inbox.invalid"), eq(auditEvents.entityId, forgedId)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.data).toMatchObject({ code: "token_invalid", claimedPartnerId: x.sender.id });
    // Not importable again (no second Didit call), nor rejectable.
    x.proxy.reset();
    const again = await importItem(forgedId);
    expect(again.status, again.text).toBe(422);
    expect(again.body.error.code).toBe("token_invalid");
    expect(x.importCalls().received).toBe(0);
    const reject = await call<InboxItemDetailDto>(
      rejectRoute.POST,
      await request(`/api/inbox/${forgedId}/reject`, {
        method: "POST",
        user: officer,
        body: { reason: "forged" },
      }),
      { id: forgedId },
    );
    expect(reject.status, reject.text).toBe(409);
    const invalidList = await call<InboxListResponse>(
      inboxRoute.GET,
      await request("/api/inbox?state=invalid", { user: officer }),
    );
    expect(invalidList.body.items.map((i) => i.id)).toEqual([forgedId]);
    expect(await senderFigures()).toMatchObject({
      received: 0,
      receivedUnverified: 1,
      receivedInvalid: 1,
    });

    // The genuine token: imported, so verified by Didit, drawn and counted.
    const ok = await importItem(genuine.id);
    expect(ok.status, ok.text).toBe(201);
    expect((await item(genuine.id)).body).toMatchObject({
      state: "imported",
      verification: "verified",
      verifiedBy: "import",
    });
    const [imp] = await x.w.t.db.select().from(imports).where(eq(imports.inboxItemId, genuine.id));
    const g = await getLineage(contextOf(x.w.t.db, auditor), genuine.sourceSessionId);
    // One partner node (the source) and one clone, one import edge: the genuine one, nothing of the forgery.
    expect(g.edges.map((e) => [e.kind, e.from, e.to])).toEqual([
      ["import", genuine.sourceSessionId, imp!.cloneSessionId],
    ]);
    expect(g.nodes.map((n) => n.id).sort()).toEqual([genuine.sourceSessionId, imp!.cloneSessionId].sort());
    expect(g.nodes.find((n) => n.id === genuine.sourceSessionId)).toMatchObject({
      holder: { type: "partner", id: x.sender.id },
      // Its number and status come from the sender's manifest: claims.
      claimed: true,
    });
    expect(JSON.stringify(g)).not.toContain(forgedId);
    const figures = await senderFigures();
    expect(figures).toMatchObject({
      received: 1,
      imported: 1,
      importRate: 1,
      receivedUnverified: 0,
      receivedInvalid: 1,
    });
    expect(figures!.receivedLatency.p50Seconds).not.toBeNull();
  });

  it("a forged token pushed by the partner itself (signature verified) is still unverified, and invalid once Didit refuses it", async () => {
    const forged = await forgeFor((await x.w.api.newSession(x.sender.app, "user", "Approved")).session_id);
    const { receiveToken, partnerMeta } = await import("./inbox");
    const ctx = contextOf(x.w.t.db, officer);
    const body = x.kit.delivery(forged);
    const { item: row } = await receiveToken(ctx, partnerMeta(ctx, x.sender.id), {
      source: "push",
      token: forged,
      partnerId: x.sender.id,
      senderShareId: body.share_id,
      manifest: body.manifest,
      stated: body,
    });
    expect((await item(row.id)).body).toMatchObject({ source: "push", verification: "unverified" });
    const refused = await importItem(row.id);
    expect(refused.body.error?.code).toBe("token_invalid");
    expect((await item(row.id)).body).toMatchObject({ state: "invalid", verification: "invalid" });
  });
});
