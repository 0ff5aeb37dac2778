import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as graphRoute from "@/app/api/lineage/[sessionId]/route";
import * as searchRoute from "@/app/api/lineage/route";
import type { LineageGraphDto, LineageSearchResponse } from "@/lib/schemas/lineage";
import {
  connectedApplications,
  imports,
  inboundRecalls,
  inboxItems,
  recallNotices,
  recalls,
  sessionMirror,
  shares,
  users,
} from "@/lib/server/db/schema";
import { createImport } from "@/lib/server/services/receiving/import";
import { importWorld, type ImportWorld } from "@/lib/server/services/receiving/import.test-kit";
import { getLineage } from "./graph";
import { searchLineage } from "./resolve";
import { EXACT_GROUP_COUNT_UP_TO, MAX_CHILDREN, MAX_HOPS } from "./walk";
import { contextOf } from "@/lib/server/services/reviews/reviews.test-kit";
import { createShare } from "@/lib/server/services/sharing";
import { addPartner, connectApp } from "@/lib/server/services/sharing/shares.test-kit";
import { testDriver } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";

type ErrorBody = {
  error: { code: string; message: string; details?: { candidates?: { sessionId: string }[] } };
};
type Answer<T> = { status: number; body: T & ErrorBody; text: string };

let x: ImportWorld;
let officer: TestUser;
let auditor: TestUser;
let partnerships: TestUser;
let admin: TestUser;
let payRow: string;
/** Bank → Pay, shared internally and imported by Pay. */
let chain: { source: string; shareId: string; clone: string; importId: string };

async function answer<T>(res: Response): Promise<Answer<T>> {
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Answer<T>["body"], text };
}

async function graph(ref: string, user: TestUser = auditor, query = "") {
  const req = await request(`/api/lineage/${encodeURIComponent(ref)}${query}`, { user });
  return answer<LineageGraphDto>(await graphRoute.GET(req, { params: Promise.resolve({ sessionId: ref }) }));
}

async function search(q: string, user: TestUser = officer) {
  const req = await request(`/api/lineage?q=${encodeURIComponent(q)}`, { user });
  return answer<LineageSearchResponse>(await searchRoute.GET(req));
}

/** Mirror rows of `app`, each shared from the one before it: answers their session uuids. */
async function insertChain(app: string, length: number, first: string | null = null): Promise<string[]> {
  const ids = Array.from({ length }, () => randomUUID());
  const t0 = Date.now() - length * 60_000;
  await x.w.t.db.insert(sessionMirror).values(
    ids.map((id, i) => ({
      applicationId: app,
      diditSessionId: id,
      sessionNumber: 900_000 + Math.floor(Math.random() * 90_000_000),
      kind: "user" as const,
      status: "Approved",
      diditCreatedAt: new Date(t0 + i * 60_000),
      sharedFromSession: i === 0 ? first : ids[i - 1]!,
    })),
  );
  return ids;
}

beforeAll(async () => {
  x = await importWorld();
  officer = x.w.officer;
  auditor = await insertUser(x.w.t.db, "auditor");
  partnerships = await insertUser(x.w.t.db, "partnerships");
  admin = await insertUser(x.w.t.db, "admin");

  // Northwind Bank shares to its sister brand Northwind Pay internally; Pay imports it.
  const pay = await x.w.newSandboxApp("Northwind Pay");
  payRow = await connectApp(x.w.t.db, pay, "Northwind Pay");
  await x.w.t.db
    .update(connectedApplications)
    .set({ defaultWorkflowUser: pay.workflows.user })
    .where(eq(connectedApplications.id, payRow));
  const toPay = await addPartner(x.w.t.db, {
    applicationId: x.w.bankRow,
    diditApplicationId: pay.id,
    channel: "internal",
  });
  await addPartner(x.w.t.db, { applicationId: payRow, diditApplicationId: x.w.bank.id, channel: "internal" });
  const source = await x.w.newSession();
  const ctx = contextOf(x.w.t.db, officer);
  const share = await createShare(ctx, { sessionId: source, partnerId: toPay.id, ttlSeconds: 600 });
  const [item] = await x.w.t.db.select().from(inboxItems).where(eq(inboxItems.localShareId, share.id));
  const imp = await createImport(ctx, item!.id, {});
  if (imp.state !== "imported" || !imp.cloneSessionId)
    throw new Error(`the import failed: ${imp.failureReason}`);
  chain = { source, shareId: share.id, clone: imp.cloneSessionId, importId: imp.id };
}, 180_000);

afterAll(async () => {
  await x?.close();
});

describe(`Lineage (${testDriver()})`, () => {
  it("Bank → Pay: the source, the clone, the share and the import with their audit events, from either end", async () => {
    const res = await graph(chain.source);
    expect(res.status, res.text).toBe(200);
    const g = res.body;
    expect(g.root).toBe(chain.source);
    expect(g.truncated).toBe(false);
    const source = g.nodes.find((n) => n.id === chain.source)!;
    const clone = g.nodes.find((n) => n.id === chain.clone)!;
    expect(source).toMatchObject({
      depth: 0,
      status: "Approved",
      holder: { type: "application", name: "Northwind Bank" },
    });
    expect(clone).toMatchObject({
      depth: 1,
      holder: { type: "application", id: payRow, name: "Northwind Pay" },
      href: `/reviews/${chain.importId}`,
    });
    expect(clone.status).toBeTruthy();
    expect(g.nodes).toHaveLength(2);

    const share = g.edges.find((e) => e.kind === "share")!;
    expect(share).toMatchObject({
      id: `share:${chain.shareId}`,
      from: chain.source,
      to: chain.clone,
      record: {
        type: "share",
        shareId: chain.shareId,
        channel: "internal",
        receiptCloneSessionId: chain.clone,
      },
    });
    expect(share.auditEvents.map((a) => a.action)).toEqual(
      expect.arrayContaining(["share.created", "share.receipt"]),
    );
    for (const a of share.auditEvents) expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    const imp = g.edges.find((e) => e.kind === "import")!;
    expect(imp).toMatchObject({
      from: chain.source,
      to: chain.clone,
      record: { type: "import", importId: chain.importId },
    });
    expect(imp.auditEvents.map((a) => a.action)).toContain("import.created");
    const seqs = imp.auditEvents.map((a) => a.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // The timeline is oldest first and names the steps' audit events.
    const times = g.timeline.map((t) => t.at);
    expect(times).toEqual([...times].sort());
    expect(g.timeline.some((t) => t.edgeId === share.id)).toBe(true);
    // …as sentences with the officer by name (email for the tooltip), the raw action kept beside.
    const [officerRow] = await x.w.t.db
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(eq(users.id, officer.id));
    const shared = g.timeline.find((t) => t.action === "share.created")!;
    expect(shared.summary).toBe(`${officerRow!.name} shared the session`);
    expect(shared.sentence![0]).toEqual({ person: { id: officer.id, ...officerRow } });
    const imported = g.timeline.find((t) => t.action === "import.created")!;
    expect(imported.summary).toBe(`${officerRow!.name} imported the token`);
    expect(g.timeline.map((t) => t.summary).join("\n")).not.toMatch(/share\.created| by [^ ]+@/);

    // From the clone: the same graph, upstream.
    const up = await graph(chain.clone, officer);
    expect(up.status, up.text).toBe(200);
    expect(up.body.nodes.find((n) => n.id === chain.source)).toMatchObject({ depth: -1 });
    expect(up.body.edges.map((e) => e.id).sort()).toEqual(g.edges.map((e) => e.id).sort());
    // Nothing secret in it.
    expect(res.text).not.toMatch(/token_ciphertext|tokenCiphertext|whsec_|"token"/);
  });

  // Issue 15: a token in our inbox is unverified until Didit accepts it on import (its claims could
  // be forged), so it draws no partner session and no edge; before, it drew a "received" leaf.
  it("a partner's token waiting in our inbox is not drawn: its claimed session is not in our records", async () => {
    const item = await x.item();
    await expect(getLineage(contextOf(x.w.t.db, officer), item.sourceSessionId)).rejects.toMatchObject({
      code: "not_found",
    });
    const search = await searchLineage(contextOf(x.w.t.db, officer), item.sourceSessionId);
    expect(search.matches).toEqual([]);
  });

  it("a multi-hop chain: every node answers, with depths from it, both ways", async () => {
    const ids = await insertChain(x.w.bankRow, 12);
    const res = await graph(ids[5]!);
    expect(res.status, res.text).toBe(200);
    const depth = new Map(res.body.nodes.map((n) => [n.id, n.depth]));
    ids.forEach((id, i) => expect(depth.get(id), `hop ${i}`).toBe(i - 5));
    expect(res.body.edges).toHaveLength(11);
    expect(res.body.edges.every((e) => e.kind === "observed")).toBe(true);
    for (const id of ids) {
      const each = await getLineage(contextOf(x.w.t.db, admin), id);
      expect(each.nodes.map((n) => n.id).sort()).toEqual([...ids].sort());
    }
  });

  it(`past ${MAX_HOPS} hops the walk stops, and says so`, async () => {
    const ids = await insertChain(x.w.bankRow, MAX_HOPS + 5);
    const g = await getLineage(contextOf(x.w.t.db, auditor), ids[0]!);
    expect(g.truncated).toBe(true);
    expect(Math.max(...g.nodes.map((n) => n.depth))).toBe(MAX_HOPS);
    expect(g.nodes).toHaveLength(MAX_HOPS + 1);
  });

  it(`a fan-out past ${MAX_CHILDREN}: the rest collapsed into one group node`, async () => {
    const [parent] = await insertChain(x.w.bankRow, 1);
    const children = Array.from({ length: MAX_CHILDREN + 12 }, () => randomUUID());
    await x.w.t.db.insert(sessionMirror).values(
      children.map((id, i) => ({
        applicationId: payRow,
        diditSessionId: id,
        kind: "user" as const,
        status: "In Review",
        diditCreatedAt: new Date(Date.now() - 100_000 + i * 1000),
        sharedFromSession: parent!,
      })),
    );
    const g = await getLineage(contextOf(x.w.t.db, officer), parent!);
    expect(g.truncated).toBe(true);
    const single = g.nodes.filter((n) => n.depth === 1 && !n.group);
    expect(single.map((n) => n.id)).toEqual(expect.arrayContaining(children.slice(0, MAX_CHILDREN)));
    expect(single).toHaveLength(MAX_CHILDREN);
    const group = g.nodes.find((n) => n.group)!;
    expect(group.group!.count).toBe(12);
    expect(group.group!.sample.length).toBeGreaterThan(0);
    for (const id of group.group!.sample) expect(children.slice(MAX_CHILDREN)).toContain(id);
    expect(g.edges.find((e) => e.to === group.id)).toMatchObject({ kind: "group", from: parent });
  });

  it(`a fan-out past ${EXACT_GROUP_COUNT_UP_TO} children: the group's size is a lower bound, and says so`, async () => {
    const [parent] = await insertChain(x.w.bankRow, 1);
    const n = EXACT_GROUP_COUNT_UP_TO + 30;
    const t0 = Date.now() - n * 1000;
    await x.w.t.db.insert(sessionMirror).values(
      Array.from({ length: n }, (_, i) => ({
        applicationId: payRow,
        diditSessionId: randomUUID(),
        kind: "user" as const,
        status: "In Review",
        diditCreatedAt: new Date(t0 + i * 1000),
        sharedFromSession: parent!,
      })),
    );
    const g = await getLineage(contextOf(x.w.t.db, officer), parent!);
    const group = g.nodes.find((node) => node.group)!;
    expect(group.group).toMatchObject({ count: n - MAX_CHILDREN, estimated: true });
    expect(group.holder.name).toBe(`At least ${n - MAX_CHILDREN} more`);
    // Below the threshold the count is exact (the test above): no estimated flag.
    const exact = await getLineage(contextOf(x.w.t.db, officer), chain.source);
    expect(exact.nodes.some((node) => node.group?.estimated)).toBe(false);
  });

  it("a session number answers; a number held in two applications is 409 listing them, ?applicationId= picks", async () => {
    const n = 700_000 + Math.floor(Math.random() * 1_000_000);
    const [a, b] = [randomUUID(), randomUUID()];
    await x.w.t.db.insert(sessionMirror).values([
      {
        applicationId: x.w.bankRow,
        diditSessionId: a,
        sessionNumber: n,
        kind: "user",
        status: "Approved",
        diditCreatedAt: new Date(),
      },
      {
        applicationId: payRow,
        diditSessionId: b,
        sessionNumber: n,
        kind: "user",
        status: "Declined",
        diditCreatedAt: new Date(),
      },
    ]);
    const both = await graph(String(n));
    expect(both.status, both.text).toBe(409);
    expect(both.body.error.code).toBe("conflict");
    expect(both.body.error.details!.candidates!.map((c) => c.sessionId).sort()).toEqual([a, b].sort());
    const picked = await graph(String(n), auditor, `?applicationId=${payRow}`);
    expect(picked.status, picked.text).toBe(200);
    expect(picked.body.root).toBe(b);

    const [source] = await x.w.t.db
      .select({ n: sessionMirror.sessionNumber })
      .from(sessionMirror)
      .where(eq(sessionMirror.diditSessionId, chain.source));
    // The sandbox numbers each application's sessions from 1, as Didit does: pick Northwind Bank.
    const byNumber = await graph(String(source!.n), auditor, `?applicationId=${x.w.bankRow}`);
    expect(byNumber.status, byNumber.text).toBe(200);
    expect(byNumber.body.root).toBe(chain.source);
  });

  it("unknown → 404, not a uuid or number → 422, a bad applicationId → 422", async () => {
    const unknown = await graph(randomUUID());
    expect(unknown.status, unknown.text).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    expect((await graph("999999999")).status).toBe(404);
    const bad = await graph("not-a-session");
    expect(bad.status, bad.text).toBe(422);
    expect(bad.body.error.code).toBe("validation_failed");
    expect((await graph("12", auditor, "?applicationId=nope")).status).toBe(422);
  });

  it("roles: officer, auditor, admin read it; partnerships is 403; no session is 401", async () => {
    for (const user of [officer, auditor, admin]) expect((await graph(chain.source, user)).status).toBe(200);
    const denied = await graph(chain.source, partnerships);
    expect(denied.status, denied.text).toBe(403);
    expect(denied.body.error.code).toBe("forbidden");
    expect((await search(chain.source, partnerships)).status).toBe(403);
    const anon = await graphRoute.GET(await request(`/api/lineage/${chain.source}`), {
      params: Promise.resolve({ sessionId: chain.source }),
    });
    expect(anon.status).toBe(401);
  });

  it("the search box: a uuid, a number, a vendor_data", async () => {
    const id = randomUUID();
    await x.w.t.db.insert(sessionMirror).values({
      applicationId: x.w.bankRow,
      diditSessionId: id,
      sessionNumber: 4242,
      kind: "user",
      status: "Approved",
      vendorData: "Customer-Lineage-77",
      diditCreatedAt: new Date(),
    });
    const byVendor = await search("customer-lineage-77");
    expect(byVendor.status, byVendor.text).toBe(200);
    expect(byVendor.body.matches).toEqual([
      expect.objectContaining({ sessionId: id, sessionNumber: 4242, holderName: "Northwind Bank" }),
    ]);
    expect((await search(id.toUpperCase())).body.matches.map((m) => m.sessionId)).toEqual([id]);
    expect((await search("4242")).body.matches.map((m) => m.sessionId)).toContain(id);
    expect((await search("nothing-like-this")).body.matches).toEqual([]);
    expect((await search("")).status).toBe(422);
  });

  it("recalls: a recalled share and a recalled import show on their edges, in the list and the timeline", async () => {
    const db = x.w.t.db;
    const [share] = await db.select().from(shares).where(eq(shares.id, chain.shareId));
    const at = new Date();
    const [recall] = await db
      .insert(recalls)
      .values({
        applicationId: x.w.bankRow,
        sessionId: chain.source,
        trigger: "declined",
        fromStatus: "Approved",
        toStatus: "Declined",
        reason: "The source verification was declined after it was shared.",
        source: "webhook",
        shareCount: 1,
        noticeCount: 1,
        raisedAt: at,
      })
      .returning({ id: recalls.id });
    await db.insert(recallNotices).values({
      recallId: recall!.id,
      shareId: chain.shareId,
      partnerId: share!.partnerId,
      channel: "internal",
      state: "sent",
      createdAt: at,
      updatedAt: at,
    });
    await db.update(shares).set({ recalledAt: at, recallId: recall!.id }).where(eq(shares.id, chain.shareId));
    const [inbound] = await db
      .insert(inboundRecalls)
      .values({
        partnerId: (await db.select().from(imports).where(eq(imports.id, chain.importId)))[0]!.partnerId,
        remoteRecallId: randomUUID(),
        senderShareId: chain.shareId,
        sourceSessionId: chain.source,
        trigger: "declined",
        sourceStatus: "Declined",
        reason: "The source verification was declined after it was shared.",
        internal: true,
        importCount: 1,
        recalledAt: at,
        receivedAt: at,
      })
      .returning({ id: inboundRecalls.id });
    await db
      .update(imports)
      .set({
        recalledAt: at,
        recallTrigger: "declined",
        recallReason: "The source verification was declined after it was shared.",
        inboundRecallId: inbound!.id,
      })
      .where(eq(imports.id, chain.importId));

    const res = await graph(chain.clone);
    expect(res.status, res.text).toBe(200);
    const shareEdge = res.body.edges.find((e) => e.id === `share:${chain.shareId}`)!;
    expect(shareEdge.record).toMatchObject({
      recall: {
        side: "sent",
        id: recall!.id,
        trigger: "declined",
        notices: [{ channel: "internal", state: "sent" }],
      },
    });
    const importEdge = res.body.edges.find((e) => e.id === `import:${chain.importId}`)!;
    expect(importEdge.record).toMatchObject({
      recall: { side: "received", id: inbound!.id, cleared: false },
    });
    expect(res.body.recalls.map((r) => [r.side, r.edgeId]).sort()).toEqual(
      [
        ["received", `import:${chain.importId}`],
        ["sent", `share:${chain.shareId}`],
      ].sort(),
    );
    expect(res.body.timeline.filter((t) => t.summary.startsWith("Recalled")).length).toBe(2);

    // Decided again: still on the graph, cleared.
    await db.update(imports).set({ recallClearedAt: new Date() }).where(eq(imports.id, chain.importId));
    const again = await graph(chain.source);
    expect(again.body.edges.find((e) => e.id === `import:${chain.importId}`)!.record).toMatchObject({
      recall: { cleared: true },
    });
  });
});
