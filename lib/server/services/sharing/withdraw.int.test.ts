import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as inboxRoute } from "@/app/api/partner/v1/inbox/[partnerId]/route";
import { GET as shareRoute } from "@/app/api/shares/[id]/route";
import { POST as withdrawRoute } from "@/app/api/shares/[id]/withdraw/route";
import { recallDeliverySchema, type RecallDelivery } from "@/lib/schemas/partner-api";
import type { ShareDetailDto } from "@/lib/schemas/shares";
import {
  auditEvents,
  connectedApplications,
  imports,
  inboxItems,
  recallNotices,
  recalls,
  shares,
} from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { AppError } from "@/lib/server/kernel";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { testDriver } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";
import type { TestApp } from "@/test/sandbox-fixtures";
import { createImport } from "@/lib/server/services/receiving/import";
import { getInboxItem, rejectInboxItem } from "@/lib/server/services/receiving";
import { RECALL_QUEUE, raiseRecall, recallPushJob } from "@/lib/server/services/recalls";
import { getImportInReview } from "@/lib/server/services/reviews";
import { reviewWorld, type ReviewWorld } from "@/lib/server/services/reviews/reviews.test-kit";
import { withdrawShare } from "./withdraw";
import { createShare, getShare, revealShare } from ".";
import { addPartner, connectApp } from "./shares.test-kit";

/**
 * Withdrawing a delivered share (issue 15, item 2) and the recall on the share DTO (item 5), on the
 * sandbox: Northwind Bank shares to its sister brand Northwind Pay on this console (internal), to a
 * push partner (a local inbox server) and to a manual partner (an officer's task).
 */

let rw: ReviewWorld;
let payApp: TestApp;
let payRow: string;
let pushPartner: { id: string; secret: string };
let taskPartner: { id: string; secret: string };
let internalPartner: { id: string; secret: string };
let auditor: TestUser;
let partnerInbox: { url: string; bodies: string[]; close: () => Promise<void> };

const db = () => rw.w.t.db;
const officerCtx = () => rw.ctxOf(rw.officerA);
const REASON = "Shared with the wrong brand: the customer asked us to stop.";

async function startPartnerInbox() {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(202, { "content-type": "application/json" }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/partner/v1/inbox/${randomUUID()}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A share as the partner got it (delivered, token destroyed). */
async function deliveredShare(partnerId: string, sessionId?: string) {
  const share = await createShare(officerCtx(), {
    sessionId: sessionId ?? (await rw.w.newSession("Approved")),
    partnerId,
    ttlSeconds: 3600,
  });
  await db()
    .update(shares)
    .set({ state: "delivered", deliveredAt: new Date(), tokenCiphertext: null })
    .where(and(eq(shares.id, share.id), eq(shares.state, "pending")));
  return share;
}

async function itemOf(shareId: string) {
  const [item] = await db().select().from(inboxItems).where(eq(inboxItems.localShareId, shareId));
  return item!;
}

const eventsOf = async (action: string, entityId: string) =>
  db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.entityId, entityId)));

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  rw = await reviewWorld();
  registerJobs([recallPushJob]);
  partnerInbox = await startPartnerInbox();
  const w = rw.w;
  auditor = await insertUser(w.t.db, "auditor");
  pushPartner = await addPartner(w.t.db, {
    applicationId: w.bankRow,
    diditApplicationId: (await w.newSandboxApp("Contoso")).id,
    channel: "push",
    pushUrl: partnerInbox.url,
  });
  taskPartner = await addPartner(w.t.db, {
    applicationId: w.bankRow,
    diditApplicationId: (await w.newSandboxApp("Fabrikam")).id,
    channel: "manual",
  });
  payApp = await w.newSandboxApp("Northwind Pay");
  payRow = await connectApp(w.t.db, payApp, "Northwind Pay");
  await w.t.db
    .update(connectedApplications)
    .set({ defaultWorkflowUser: payApp.workflows.user, defaultWorkflowBusiness: payApp.workflows.business })
    .where(eq(connectedApplications.id, payRow));
  internalPartner = await addPartner(w.t.db, {
    name: "Northwind Pay",
    applicationId: w.bankRow,
    diditApplicationId: payApp.id,
    channel: "internal",
    direction: "outbound",
  });
  await addPartner(w.t.db, {
    name: "Northwind Bank",
    applicationId: payRow,
    diditApplicationId: w.bank.id,
    channel: "push",
    direction: "inbound",
  });
});

afterAll(async () => {
  await partnerInbox?.close();
  await rw?.close();
});

describe(`withdrawing a delivered share (${testDriver()})`, () => {
  it("internal, not imported yet: the sister brand's inbox item is withdrawn, the import refused 409, no recall", async () => {
    const share = await createShare(officerCtx(), {
      sessionId: await rw.w.newSession("Approved"),
      partnerId: internalPartner.id,
      ttlSeconds: 3600,
    });
    expect(share).toMatchObject({
      state: "delivered",
      canWithdraw: true,
      canRevoke: false,
      withdrawal: null,
    });
    const before = await itemOf(share.id);
    expect(before.state).toBe("pending");

    const dto = await withdrawShare(officerCtx(), share.id, { reason: REASON });
    expect(dto.withdrawal).toMatchObject({ reason: REASON, outcome: "inbox", by: { id: rw.officerA.id } });
    expect(dto.canWithdraw).toBe(false);
    expect(dto.recall).toBeNull();

    const item = await itemOf(share.id);
    expect(item).toMatchObject({
      state: "withdrawn",
      stateReason: REASON,
      withdrawnBy: rw.officerA.id,
      tokenCiphertext: null,
    });
    expect(item.withdrawnAt).not.toBeNull();
    // The receiving side sees it withdrawn, why, by whom and when; it offers no import.
    const seen = await getInboxItem(officerCtx(), item.id);
    expect(seen).toMatchObject({
      state: "withdrawn",
      canImport: false,
      canReject: false,
      withdrawal: { reason: REASON, by: { id: rw.officerA.id, email: rw.officerA.email } },
    });

    const refused = await refusal(createImport(officerCtx(), item.id, {}));
    expect(refused.code).toBe("share_withdrawn");
    expect(refused.status).toBe(409);
    expect(await db().select().from(imports).where(eq(imports.inboxItemId, item.id))).toHaveLength(0);
    expect(await db().select().from(recalls).where(eq(recalls.sessionId, share.sessionId))).toHaveLength(0);

    const events = await eventsOf("share.withdrawn", share.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ reason: REASON, outcome: "inbox", inboxItemIds: [item.id] });
  });

  it("internal, rejected by the receiving officer: it stays rejected, no recall", async () => {
    const share = await createShare(officerCtx(), {
      sessionId: await rw.w.newSession("Approved"),
      partnerId: internalPartner.id,
      ttlSeconds: 3600,
    });
    const item = await itemOf(share.id);
    await rejectInboxItem(officerCtx(), item.id, { reason: "Not a customer of ours" });
    const dto = await withdrawShare(officerCtx(), share.id, { reason: REASON });
    expect(dto.withdrawal?.outcome).toBe("inbox");
    expect(await itemOf(share.id)).toMatchObject({
      state: "rejected",
      stateReason: "Not a customer of ours",
    });
    expect(await db().select().from(recalls).where(eq(recalls.sessionId, share.sessionId))).toHaveLength(0);
  });

  it("internal, imported: a withdrawn recall of that share only; the clone goes back to review", async () => {
    const sessionId = await rw.w.newSession("Approved");
    const internal = await createShare(officerCtx(), {
      sessionId,
      partnerId: internalPartner.id,
      ttlSeconds: 3600,
    });
    const other = await deliveredShare(taskPartner.id, sessionId);
    const imported = await createImport(officerCtx(), (await itemOf(internal.id)).id, {});
    expect(imported.state, imported.failureReason ?? "").toBe("imported");

    const dto = await withdrawShare(officerCtx(), internal.id, { reason: REASON });
    expect(dto.withdrawal).toMatchObject({ outcome: "recall", reason: REASON });
    expect(dto.recall).toMatchObject({
      trigger: "withdrawn",
      reason: REASON,
      notice: { channel: "internal", state: "sent" },
    });

    const [recall] = await db().select().from(recalls).where(eq(recalls.sessionId, sessionId));
    expect(recall).toMatchObject({
      trigger: "withdrawn",
      source: "withdrawal",
      reason: REASON,
      raisedBy: rw.officerA.id,
      shareCount: 1,
      noticeCount: 1,
    });
    // The other share of the same session is not recalled by this share's withdrawal.
    const [untouched] = await db().select().from(shares).where(eq(shares.id, other.id));
    expect(untouched!.recallId).toBeNull();

    const [row] = await db().select().from(imports).where(eq(imports.id, imported.id));
    expect(row).toMatchObject({ recallTrigger: "withdrawn", recallReason: REASON, recallClearedAt: null });
    expect(row!.recalledAt).not.toBeNull();
    const review = await getImportInReview(officerCtx(), imported.id);
    expect(JSON.stringify(review)).toContain("withdrawn");
    expect(await eventsOf("share.withdrawn", internal.id)).toHaveLength(1);
  });

  it("a push partner: the recall notice (trigger withdrawn, the officer's reason) is queued and sent", async () => {
    const share = await deliveredShare(pushPartner.id);
    const dto = await withdrawShare(officerCtx(), share.id, { reason: REASON });
    expect(dto.withdrawal?.outcome).toBe("recall");
    expect(dto.recall).toMatchObject({ trigger: "withdrawn", notice: { channel: "push", state: "pending" } });
    const [notice] = await db().select().from(recallNotices).where(eq(recallNotices.shareId, share.id));
    expect(notice).toMatchObject({ channel: "push", state: "pending" });
    const queued = await db().select().from(jobs).where(eq(jobs.queue, RECALL_QUEUE));
    expect(queued.some((j) => (j.payload as { noticeId?: string }).noticeId === notice!.id)).toBe(true);

    const sentBefore = partnerInbox.bodies.length;
    await runDueJobs(db(), { queues: [RECALL_QUEUE] });
    const body = partnerInbox.bodies.slice(sentBefore).map((b) => JSON.parse(b) as RecallDelivery);
    const mine = body.find((b) => b.share_id === share.id);
    expect(recallDeliverySchema.parse(mine)).toMatchObject({
      trigger: "withdrawn",
      reason: REASON,
      session_id: share.sessionId,
      status: "Approved",
    });
    const after = await getShare(officerCtx(), share.id);
    expect(after.recall?.notice?.state).toBe("sent");
  });

  it("a manual partner: an officer's task to tell the partner", async () => {
    const share = await createShare(officerCtx(), {
      sessionId: await rw.w.newSession("Approved"),
      partnerId: taskPartner.id,
      ttlSeconds: 3600,
    });
    await revealShare(officerCtx(), share.id);
    const dto = await withdrawShare(officerCtx(), share.id, { reason: REASON });
    expect(dto.recall).toMatchObject({ trigger: "withdrawn", notice: { channel: "task", state: "open" } });
  });

  it("once: a second withdrawal answers 409 already_withdrawn, no second recall or event", async () => {
    const share = await deliveredShare(taskPartner.id);
    await withdrawShare(officerCtx(), share.id, { reason: REASON });
    const second = await refusal(withdrawShare(rw.ctxOf(rw.officerB), share.id, { reason: "Again" }));
    expect(second.code).toBe("already_withdrawn");
    expect(second.status).toBe(409);
    expect(await db().select().from(recalls).where(eq(recalls.sessionId, share.sessionId))).toHaveLength(1);
    expect(await eventsOf("share.withdrawn", share.id)).toHaveLength(1);
    // Two at once: one wins, the other is refused.
    const racing = await deliveredShare(taskPartner.id);
    const results = await Promise.allSettled([
      withdrawShare(officerCtx(), racing.id, { reason: REASON }),
      withdrawShare(rw.ctxOf(rw.officerB), racing.id, { reason: REASON }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await eventsOf("share.withdrawn", racing.id)).toHaveLength(1);
  });

  it("refuses a share not handed over yet: revoke it instead", async () => {
    const pending = await createShare(officerCtx(), {
      sessionId: await rw.w.newSession("Approved"),
      partnerId: taskPartner.id,
      ttlSeconds: 3600,
    });
    expect(pending.canWithdraw).toBe(false);
    const early = await refusal(withdrawShare(officerCtx(), pending.id, { reason: REASON }));
    expect(early).toMatchObject({ code: "conflict" });
    expect(early.message).toMatch(/revoke/i);
  });

  it("the route: shares.create only, a reason required, the JSON envelope", async () => {
    const share = await deliveredShare(taskPartner.id);
    const call = (user: TestUser | null, body: unknown) =>
      request(`http://handoff.test/api/shares/${share.id}/withdraw`, { method: "POST", user, body }).then(
        (req) => withdrawRoute(req, { params: Promise.resolve({ id: share.id }) }),
      );
    const denied = await call(auditor, { reason: REASON });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    const anonymous = await call(null, { reason: REASON });
    expect(anonymous.status).toBe(401);
    const blank = await call(rw.officerA, { reason: "  " });
    expect(blank.status).toBe(422);
    expect(await eventsOf("share.withdrawn", share.id)).toHaveLength(0);
    const ok = await call(rw.officerA, { reason: REASON });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as ShareDetailDto).withdrawal?.outcome).toBe("recall");
    const again = await call(rw.officerA, { reason: REASON });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("already_withdrawn");
  });
});

describe(`the share DTO carries its recall (${testDriver()})`, () => {
  it("GET /api/shares/{id} of a recalled share: trigger, reason, time and the notice's state", async () => {
    const share = await deliveredShare(taskPartner.id);
    const fresh = await getShare(officerCtx(), share.id);
    expect(fresh.recall).toBeNull();
    await db().transaction((tx) =>
      raiseRecall(
        tx,
        { actor: { id: null, label: "system" }, now: new Date() },
        {
          applicationId: share.applicationId,
          sessionId: share.sessionId,
          trigger: "declined",
          fromStatus: "Approved",
          toStatus: "Declined",
          source: "webhook",
        },
      ),
    );
    const res = await shareRoute(
      await request(`http://handoff.test/api/shares/${share.id}`, { user: auditor }),
      { params: Promise.resolve({ id: share.id }) },
    );
    expect(res.status).toBe(200);
    const dto = (await res.json()) as ShareDetailDto;
    expect(dto.recall).toMatchObject({
      trigger: "declined",
      reason: expect.stringContaining("declined"),
      notice: { channel: "task", state: "open" },
    });
    expect(Date.parse(dto.recall!.raisedAt)).not.toBeNaN();
  });
});

describe(`a partner's withdrawn recall on the receiving side (${testDriver()})`, () => {
  it("a token of that share still waiting in our inbox is withdrawn and can no longer be imported", async () => {
    const item = await rw.item();
    const [row] = await db().select().from(inboxItems).where(eq(inboxItems.id, item.id));
    const body: RecallDelivery = {
      type: "handoff.recall.v1",
      recall_id: randomUUID(),
      share_id: row!.senderShareId,
      session_id: item.sourceSessionId,
      from_application_id: rw.sender.app.id,
      for_application_id: rw.w.bank.id,
      trigger: "withdrawn",
      status: "Approved",
      reason: "Withdrawn by the sender's officer: sent by mistake.",
      recalled_at: new Date().toISOString(),
    };
    const res = await inboxRoute(rw.kit.push(rw.sender, body), {
      params: Promise.resolve({ partnerId: rw.sender.id }),
    });
    expect(res.status).toBe(202);
    const seen = await getInboxItem(officerCtx(), item.id);
    expect(seen).toMatchObject({
      state: "withdrawn",
      stateReason: body.reason,
      canImport: false,
      withdrawal: { reason: body.reason, by: null },
    });
    const refused = await refusal(createImport(officerCtx(), item.id, {}));
    expect(refused.code).toBe("share_withdrawn");
  });
});
