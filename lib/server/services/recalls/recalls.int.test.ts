import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, count, eq, inArray } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as inboxRoute } from "@/app/api/partner/v1/inbox/[partnerId]/route";
import { recallDeliverySchema, type RecallDelivery } from "@/lib/schemas/partner-api";
import {
  auditEvents,
  connectedApplications,
  erasureRequests,
  imports,
  inboundRecalls,
  inboxItems,
  recallNotices,
  recalls,
  sessionMirror,
  shares,
} from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { AppError } from "@/lib/server/kernel";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { getDiditClient } from "@/lib/server/didit";
import type { DiditClient } from "@/lib/server/didit/types";
import { testDriver } from "@/test/database";
import { insertUser, request } from "@/test/session";
import { GET as listRoute, POST as listPost } from "@/app/api/recalls/route";
import { GET as detailRoute } from "@/app/api/recalls/[id]/route";
import { POST as doneRoute, GET as doneGet } from "@/app/api/recalls/notices/[id]/done/route";
import { POST as retryRoute } from "@/app/api/recalls/notices/[id]/retry/route";
import type { TestApp } from "@/test/sandbox-fixtures";
import { processDiditWebhook, type DiditWebhookJob } from "@/lib/server/services/applications/didit-webhooks";
import { createImport } from "@/lib/server/services/receiving/import";
import { decideImport, getImportInReview, listImports } from "@/lib/server/services/reviews";
import {
  classifyRecallAnswer,
  RECALL_QUEUE,
  RECALL_REASONS,
  raiseRecall,
  recallMessageId,
  recallOfShare,
  recallTriggerOf,
} from ".";
import { reviewWorld, type ReviewWorld } from "@/lib/server/services/reviews/reviews.test-kit";
import { createShare } from "@/lib/server/services/sharing";
import { addPartner, connectApp } from "@/lib/server/services/sharing/shares.test-kit";
import { recallPushJob } from "@/lib/server/services/recalls";

/**
 * Recall notices end to end on the sandbox: Northwind Bank shares one source session to a push
 * partner (a local inbox), a manual partner (an officer's task) and its sister brand Northwind Pay
 * on the same console (internal, imported there); Didit's webhook then says the source was
 * declined (or deleted) and the recall goes out.
 */

let rw: ReviewWorld;
let payApp: TestApp;
let payRow: string;
let pushPartner: { id: string; secret: string };
let taskPartner: { id: string; secret: string };
let internalPartner: { id: string; secret: string };
let bankAtPay: { id: string; secret: string };
let inbox: Awaited<ReturnType<typeof startInbox>>;

type Answer = { status: number; body?: unknown };

/** A partner's inbox: answers each POST with the next scripted answer (the last one repeats). */
async function startInbox() {
  const received: { headers: IncomingMessage["headers"]; body: string }[] = [];
  let script: Answer[] = [{ status: 202 }];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const next = script.length > 1 ? script.shift()! : script[0]!;
      res
        .writeHead(next.status, { "content-type": "application/json" })
        .end(JSON.stringify(next.body ?? { received: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/partner/v1/inbox/${randomUUID()}`,
    received,
    script: (next: Answer[]) => (script = [...next]),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const db = () => rw.w.t.db;
const officerCtx = () => rw.ctxOf(rw.officerA);

async function updateStatusAtSandbox(sessionId: string, newStatus: string) {
  const res = await rw.w.api.call("PATCH", `/sandbox/v3/session/${sessionId}/update-status/`, {
    key: rw.w.bank.key,
    body: { new_status: newStatus },
  });
  expect(res.status, res.text).toBe(200);
}

function webhookJob(sessionId: string, applicationId = rw.w.bankRow): DiditWebhookJob {
  return {
    applicationId,
    eventId: randomUUID(),
    webhookType: "status.updated",
    sessionId,
    sessionKind: "user",
    receivedAt: new Date().toISOString(),
  };
}

const recallsOf = (sessionId: string) => db().select().from(recalls).where(eq(recalls.sessionId, sessionId));
const noticesOf = (recallId: string) =>
  db().select().from(recallNotices).where(eq(recallNotices.recallId, recallId));
const auditOf = async (action: string) =>
  db().select().from(auditEvents).where(eq(auditEvents.action, action));

/** A share as the partner got it (delivered, token destroyed): a recall owes it a notice. */
async function deliveredShare(...args: Parameters<typeof createShare>) {
  const share = await createShare(...args);
  await db()
    .update(shares)
    .set({ state: "delivered", deliveredAt: new Date(), tokenCiphertext: null })
    .where(and(eq(shares.id, share.id), eq(shares.state, "pending")));
  return share;
}

/** A Bank session shared to the push, manual and internal partners; the internal share imported at Pay. */
async function sharedEverywhere() {
  const sessionId = await rw.w.newSession("Approved");
  const ctx = officerCtx();
  const push = await deliveredShare(ctx, { sessionId, partnerId: pushPartner.id, ttlSeconds: 3600 });
  const task = await deliveredShare(ctx, { sessionId, partnerId: taskPartner.id, ttlSeconds: 3600 });
  const internal = await deliveredShare(ctx, { sessionId, partnerId: internalPartner.id, ttlSeconds: 3600 });
  expect(internal.state).toBe("delivered");
  const [item] = await db().select().from(inboxItems).where(eq(inboxItems.localShareId, internal.id));
  const imported = await createImport(ctx, item!.id, {});
  expect(imported.state, imported.failureReason ?? "").toBe("imported");
  return { sessionId, push, task, internal, importId: imported.id };
}

beforeAll(async () => {
  rw = await reviewWorld();
  registerJobs([recallPushJob]);
  inbox = await startInbox();
  const w = rw.w;
  pushPartner = await addPartner(w.t.db, {
    applicationId: w.bankRow,
    diditApplicationId: (await w.newSandboxApp("Contoso")).id,
    channel: "push",
    pushUrl: inbox.url,
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
  bankAtPay = await addPartner(w.t.db, {
    name: "Northwind Bank",
    applicationId: payRow,
    diditApplicationId: w.bank.id,
    channel: "push",
    direction: "inbound",
  });
});

afterAll(async () => {
  await inbox?.close();
  await rw?.close();
});

describe(`recall triggers (${testDriver()})`, () => {
  it("names the change a recall is for; an unchanged status or a first decision raises none", () => {
    expect(recallTriggerOf("Approved", "Declined")).toBe("declined");
    expect(recallTriggerOf(null, "Declined")).toBe("declined");
    expect(recallTriggerOf("Approved", "Kyc Expired")).toBe("kyc_expired");
    expect(recallTriggerOf("Approved", "In Review")).toBe("in_review");
    expect(recallTriggerOf("Declined", "In Review")).toBe("in_review");
    expect(recallTriggerOf("Not Started", "In Review")).toBeNull();
    expect(recallTriggerOf("Declined", "Declined")).toBeNull();
    expect(recallTriggerOf("In Review", "Approved")).toBeNull();
  });

  it("classifies push answers: 2xx and 409 replayed sent, 408/429/5xx/network retried, other 4xx failed", () => {
    expect(classifyRecallAnswer({ status: 202, code: null })).toBe("sent");
    expect(classifyRecallAnswer({ status: 409, code: "replayed" })).toBe("sent");
    expect(classifyRecallAnswer({ status: 409, code: "conflict" })).toBe("failed");
    expect(classifyRecallAnswer({ status: 422, code: "recall_not_for_us" })).toBe("failed");
    for (const status of [408, 429, 500, 503])
      expect(classifyRecallAnswer({ status, code: null })).toBe("retry");
    expect(classifyRecallAnswer({ status: null, code: null })).toBe("retry");
  });

  it("raiseRecall answers null and writes nothing for a session never shared", async () => {
    const before = Number((await db().select({ n: count() }).from(auditEvents))[0]!.n);
    const out = await db().transaction((tx) =>
      raiseRecall(
        tx,
        { actor: { id: null, label: "test" }, now: new Date() },
        {
          applicationId: rw.w.bankRow,
          sessionId: randomUUID(),
          trigger: "declined",
          fromStatus: "Approved",
          toStatus: "Declined",
          source: "webhook",
        },
      ),
    );
    expect(out).toBeNull();
    expect(Number((await db().select({ n: count() }).from(auditEvents))[0]!.n)).toBe(before);
  });
});

describe(`sending a recall (${testDriver()})`, () => {
  it("a decline seen by webhook flags every share and tells each partner on its channel; Pay's import returns to review", async () => {
    const s = await sharedEverywhere();
    await updateStatusAtSandbox(s.sessionId, "Declined");
    const job = webhookJob(s.sessionId);
    await processDiditWebhook(db(), job);

    const [recall] = await recallsOf(s.sessionId);
    expect(recall).toMatchObject({
      applicationId: rw.w.bankRow,
      trigger: "declined",
      fromStatus: "Approved",
      toStatus: "Declined",
      source: "webhook",
      reason: RECALL_REASONS.declined,
      shareCount: 3,
      noticeCount: 3,
    });
    const flagged = await db()
      .select()
      .from(shares)
      .where(inArray(shares.id, [s.push.id, s.task.id, s.internal.id]));
    expect(flagged.every((r) => r.recallId === recall!.id && r.recalledAt !== null)).toBe(true);

    const notices = await noticesOf(recall!.id);
    const byShare = new Map(notices.map((n) => [n.shareId, n]));
    expect(byShare.get(s.push.id)).toMatchObject({
      channel: "push",
      state: "pending",
      partnerId: pushPartner.id,
    });
    expect(byShare.get(s.task.id)).toMatchObject({
      channel: "task",
      state: "open",
      partnerId: taskPartner.id,
    });
    expect(byShare.get(s.internal.id)).toMatchObject({ channel: "internal", state: "sent" });
    const [queued] = await db().select().from(jobs).where(eq(jobs.queue, RECALL_QUEUE));
    expect(queued?.payload).toEqual({ noticeId: byShare.get(s.push.id)!.id });

    // The receiving side, in the same transaction: Pay's import of it is recalled.
    const [imp] = await db().select().from(imports).where(eq(imports.id, s.importId));
    expect(imp).toMatchObject({
      recallTrigger: "declined",
      recallReason: RECALL_REASONS.declined,
      recallClearedAt: null,
    });
    expect(imp!.recalledAt).not.toBeNull();
    const [inbound] = await db()
      .select()
      .from(inboundRecalls)
      .where(eq(inboundRecalls.id, imp!.inboundRecallId!));
    expect(inbound).toMatchObject({
      partnerId: bankAtPay.id,
      remoteRecallId: byShare.get(s.internal.id)!.id,
      senderShareId: s.internal.id,
      sourceSessionId: s.sessionId,
      internal: true,
      importCount: 1,
      sourceStatus: "Declined",
    });
    const raised = (await auditOf("recall.raised")).filter((e) => e.entityId === recall!.id);
    expect(raised).toHaveLength(1);
    expect(JSON.stringify(raised[0]!.data)).not.toContain("Ada");
    expect((await auditOf("import.recalled")).some((e) => e.entityId === s.importId)).toBe(true);
    expect((await auditOf("recall.task_opened")).some((e) => e.entityId === s.task.id)).toBe(true);

    // The share's page shows the recall and how this partner is told.
    expect(await recallOfShare(db(), s.task.id)).toMatchObject({
      recallId: recall!.id,
      trigger: "declined",
      reason: RECALL_REASONS.declined,
      notice: { channel: "task", state: "open" },
    });
    expect(await recallOfShare(db(), randomUUID())).toBeNull();

    // A webhook runs at least once: the same event again raises no second recall.
    await processDiditWebhook(db(), job);
    await processDiditWebhook(db(), webhookJob(s.sessionId));
    expect(await recallsOf(s.sessionId)).toHaveLength(1);
    expect(await noticesOf(recall!.id)).toHaveLength(3);

    // The push goes out: the documented body, signed, with a webhook-id per notice.
    inbox.script([{ status: 202 }]);
    const start = inbox.received.length;
    const run = await runDueJobs(db(), { queues: [RECALL_QUEUE] });
    expect(run.done).toBe(1);
    const got = inbox.received.slice(start);
    expect(got).toHaveLength(1);
    const headers = got[0]!.headers;
    const pushNotice = byShare.get(s.push.id)!;
    expect(headers["webhook-id"]).toBe(recallMessageId(pushNotice.id));
    expect(headers["webhook-id"]).toBe(`msg_recall_${pushNotice.id.replace(/-/g, "")}`);
    const verified = new Webhook(pushPartner.secret).verify(got[0]!.body, {
      "webhook-id": String(headers["webhook-id"]),
      "webhook-timestamp": String(headers["webhook-timestamp"]),
      "webhook-signature": String(headers["webhook-signature"]),
    });
    const body = recallDeliverySchema.strict().parse(verified);
    const pushShare = flagged.find((r) => r.id === s.push.id)!;
    expect(body).toEqual({
      type: "handoff.recall.v1",
      recall_id: pushNotice.id,
      share_id: s.push.id,
      session_id: s.sessionId,
      from_application_id: rw.w.bank.id,
      for_application_id: pushShare.forApplicationId,
      trigger: "declined",
      status: "Declined",
      reason: RECALL_REASONS.declined,
      recalled_at: recall!.raisedAt.toISOString(),
    });
    const [sent] = await db().select().from(recallNotices).where(eq(recallNotices.id, pushNotice.id));
    expect(sent).toMatchObject({ state: "sent", attempts: 1, httpStatus: 202, lastError: null });
    expect(
      (await auditOf("recall.sent")).some(
        (e) => (e.data as { noticeId?: string }).noticeId === pushNotice.id,
      ),
    ).toBe(true);
  });

  it("the mirror already Declined (a sync pass came first): the webhook still recalls, once, from the shared status", async () => {
    const sessionId = await rw.w.newSession("Approved");
    await deliveredShare(officerCtx(), { sessionId, partnerId: taskPartner.id, ttlSeconds: 3600 });
    await updateStatusAtSandbox(sessionId, "Declined");
    await db()
      .update(sessionMirror)
      .set({ status: "Declined" })
      .where(eq(sessionMirror.diditSessionId, sessionId));
    await processDiditWebhook(db(), webhookJob(sessionId));
    await processDiditWebhook(db(), webhookJob(sessionId));
    const rows = await recallsOf(sessionId);
    expect(rows.map((r) => [r.trigger, r.fromStatus, r.toStatus])).toEqual([
      ["declined", "Approved", "Declined"],
    ]);
  });

  it("a deletion at Didit (404 on the decision) recalls once, with no status", async () => {
    const sessionId = await rw.w.newSession("Approved");
    const share = await deliveredShare(officerCtx(), {
      sessionId,
      partnerId: taskPartner.id,
      ttlSeconds: 3600,
    });
    const gone = {
      getDecision: () => Promise.reject(new AppError("not_found", "No such session.")),
    } as unknown as DiditClient;
    await processDiditWebhook(db(), webhookJob(sessionId), { didit: gone });
    await processDiditWebhook(db(), webhookJob(sessionId), { didit: gone });
    const rows = await recallsOf(sessionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      trigger: "deleted",
      fromStatus: "Approved",
      toStatus: null,
      reason: RECALL_REASONS.deleted,
    });
    const [n] = await noticesOf(rows[0]!.id);
    expect(n).toMatchObject({ shareId: share.id, channel: "task", state: "open" });

    // Deleted by our own erasure, still running: the erasure raises its recall, the webhook none.
    const erased = await rw.w.newSession("Approved");
    await deliveredShare(officerCtx(), { sessionId: erased, partnerId: taskPartner.id, ttlSeconds: 3600 });
    await db().insert(erasureRequests).values({
      applicationId: rw.w.bankRow,
      sessionId: erased,
      reason: "Data subject request under GDPR art. 17",
      deleteAtDidit: true,
      state: "running",
      requestedBy: rw.officerA.id,
      requestedAt: new Date(),
    });
    await processDiditWebhook(db(), webhookJob(erased), { didit: gone });
    expect(await recallsOf(erased)).toHaveLength(0);
  });

  it("Kyc Expired recalls (In Review after it does not); a revoked share is flagged without a notice", async () => {
    const sessionId = await rw.w.newSession("Approved");
    const live = await deliveredShare(officerCtx(), {
      sessionId,
      partnerId: taskPartner.id,
      ttlSeconds: 3600,
    });
    const dead = await deliveredShare(officerCtx(), {
      sessionId,
      partnerId: taskPartner.id,
      ttlSeconds: 3600,
    });
    await db().update(shares).set({ state: "revoked", revokedAt: new Date() }).where(eq(shares.id, dead.id));
    let status = "Kyc Expired";
    const real = getDiditClient();
    const client = {
      getDecision: async (caller: Parameters<DiditClient["getDecision"]>[0], id: string) => ({
        ...(await real.getDecision(caller, id)),
        status,
      }),
    } as unknown as DiditClient;
    await processDiditWebhook(db(), webhookJob(sessionId), { didit: client });
    status = "In Review";
    await processDiditWebhook(db(), webhookJob(sessionId), { didit: client });
    const rows = (await recallsOf(sessionId)).sort((a, b) => a.raisedAt.getTime() - b.raisedAt.getTime());
    // Kyc Expired → In Review is not a move back from a decision: no second recall.
    expect(rows.map((r) => [r.trigger, r.fromStatus, r.toStatus])).toEqual([
      ["kyc_expired", "Approved", "Kyc Expired"],
    ]);
    expect(rows[0]).toMatchObject({ shareCount: 2, noticeCount: 1 });
    const notices = await noticesOf(rows[0]!.id);
    expect(notices.map((n) => n.shareId)).toEqual([live.id]);
    const [flaggedDead] = await db().select().from(shares).where(eq(shares.id, dead.id));
    expect(flaggedDead!.recallId).toBe(rows[0]!.id);
  });

  it("a token still pending delivery is revoked by the recall (its copy destroyed, audited), with no notice", async () => {
    const sessionId = await rw.w.newSession("Approved");
    const got = await deliveredShare(officerCtx(), {
      sessionId,
      partnerId: pushPartner.id,
      ttlSeconds: 3600,
    });
    const waiting = await createShare(officerCtx(), {
      sessionId,
      partnerId: pushPartner.id,
      ttlSeconds: 3600,
    });
    const [before] = await db().select().from(shares).where(eq(shares.id, waiting.id));
    expect(before).toMatchObject({ state: "pending" });
    expect(before!.tokenCiphertext).not.toBeNull();
    const real = getDiditClient();
    const client = {
      getDecision: async (caller: Parameters<DiditClient["getDecision"]>[0], id: string) => ({
        ...(await real.getDecision(caller, id)),
        status: "Declined",
      }),
    } as unknown as DiditClient;
    await processDiditWebhook(db(), webhookJob(sessionId), { didit: client });
    const [recall] = await recallsOf(sessionId);
    expect(recall).toMatchObject({ trigger: "declined", shareCount: 2, noticeCount: 1 });
    expect((await noticesOf(recall!.id)).map((n) => n.shareId)).toEqual([got.id]);
    const [after] = await db().select().from(shares).where(eq(shares.id, waiting.id));
    expect(after).toMatchObject({ state: "revoked", tokenCiphertext: null, recallId: recall!.id });
    expect(after!.revokeReason).toMatch(/^recalled: /);
    const audit = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, waiting.id), eq(auditEvents.action, "share.revoked")));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toMatchObject({ reason: "recalled", recallId: recall!.id });
    // The delivered share's push goes out now, so the next test's queue holds only its own.
    expect((await runDueJobs(db(), { now: new Date(), queues: [RECALL_QUEUE] })).done).toBe(1);
  });

  it("a token imported after its recall arrived is recalled at once (back in the queue with the reason)", async () => {
    const sessionId = await rw.w.newSession("Approved");
    const ctx = officerCtx();
    const share = await createShare(ctx, { sessionId, partnerId: internalPartner.id, ttlSeconds: 3600 });
    const [item] = await db().select().from(inboxItems).where(eq(inboxItems.localShareId, share.id));
    expect(item).toMatchObject({ state: "pending" });
    const raised = await db().transaction((tx) =>
      raiseRecall(
        tx,
        { actor: { id: null, label: "test" }, now: new Date() },
        {
          applicationId: rw.w.bankRow,
          sessionId,
          trigger: "declined",
          fromStatus: "Approved",
          toStatus: "Declined",
          source: "webhook",
        },
      ),
    );
    expect(raised).toMatchObject({ notices: 1 });
    const [inbound] = await db()
      .select()
      .from(inboundRecalls)
      .where(eq(inboundRecalls.senderShareId, share.id));
    expect(inbound).toMatchObject({ importCount: 0, internal: true });

    const imported = await createImport(ctx, item!.id, {});
    expect(imported.state, imported.failureReason ?? "").toBe("imported");
    const [row] = await db().select().from(imports).where(eq(imports.id, imported.id));
    expect(row).toMatchObject({
      inboundRecallId: inbound!.id,
      recallTrigger: "declined",
      recallClearedAt: null,
    });
    expect(row!.recalledAt).not.toBeNull();
    const [after] = await db().select().from(inboundRecalls).where(eq(inboundRecalls.id, inbound!.id));
    expect(after!.importCount).toBe(1);
    const audit = await auditOf("import.recalled");
    expect(
      audit.some((a) => a.entityId === imported.id && (a.data as { late?: boolean }).late === true),
    ).toBe(true);
  });

  it("push retries 5xx with the same webhook-id, fails a 4xx for good, and counts 409 replayed as sent", async () => {
    const raise = async (answers: Answer[]) => {
      const sessionId = await rw.w.newSession("Approved");
      await deliveredShare(officerCtx(), { sessionId, partnerId: pushPartner.id, ttlSeconds: 3600 });
      await db().update(shares).set({ state: "delivered" }).where(eq(shares.sessionId, sessionId));
      const out = await db().transaction((tx) =>
        raiseRecall(
          tx,
          { actor: { id: null, label: "test" }, now: new Date() },
          {
            applicationId: rw.w.bankRow,
            sessionId,
            trigger: "declined",
            fromStatus: "Approved",
            toStatus: "Declined",
            source: "webhook",
          },
        ),
      );
      inbox.script(answers);
      const [n] = await noticesOf(out!.recallId);
      return n!;
    };
    // Deliveries queued by earlier tests are done: only this one's job runs.
    const retried = await raise([{ status: 503 }, { status: 409, body: { error: { code: "replayed" } } }]);
    const t0 = new Date();
    const start = inbox.received.length;
    const first = await runDueJobs(db(), { now: t0, queues: [RECALL_QUEUE] });
    expect(first.retrying).toBe(1);
    let [row] = await db().select().from(recallNotices).where(eq(recallNotices.id, retried.id));
    expect(row).toMatchObject({ state: "pending", attempts: 1, httpStatus: 503 });
    expect(row!.lastError).toContain("HTTP 503");
    const second = await runDueJobs(db(), { now: new Date(t0.getTime() + 60_000), queues: [RECALL_QUEUE] });
    expect(second.done).toBe(1);
    [row] = await db().select().from(recallNotices).where(eq(recallNotices.id, retried.id));
    expect(row).toMatchObject({ state: "sent", attempts: 2, httpStatus: 409 });
    const got = inbox.received.slice(start);
    expect(got.map((g) => g.headers["webhook-id"])).toEqual([
      recallMessageId(retried.id),
      recallMessageId(retried.id),
    ]);

    const refused = await raise([{ status: 422, body: { error: { code: "recall_not_for_us" } } }]);
    const third = await runDueJobs(db(), { now: new Date(t0.getTime() + 120_000), queues: [RECALL_QUEUE] });
    expect(third.done).toBe(1);
    [row] = await db().select().from(recallNotices).where(eq(recallNotices.id, refused.id));
    expect(row).toMatchObject({ state: "failed", attempts: 1, httpStatus: 422 });
    expect(row!.lastError).toBe("HTTP 422 recall_not_for_us from the partner's inbox");
    expect(
      (await auditOf("recall.failed")).some((e) => (e.data as { noticeId?: string }).noticeId === refused.id),
    ).toBe(true);
    // Nothing left to run for it.
    expect(
      (await runDueJobs(db(), { now: new Date(t0.getTime() + 3_600_000), queues: [RECALL_QUEUE] })).claimed,
    ).toBe(0);
  });
});

describe(`receiving a recall (${testDriver()})`, () => {
  function recallFrom(sourceSessionId: string, overrides: Partial<RecallDelivery> = {}): RecallDelivery {
    return {
      type: "handoff.recall.v1",
      recall_id: randomUUID(),
      share_id: null,
      session_id: sourceSessionId,
      from_application_id: rw.sender.app.id,
      for_application_id: rw.w.bank.id,
      trigger: "declined",
      status: "Declined",
      reason: "The source verification was declined after it was shared.",
      recalled_at: new Date().toISOString(),
      ...overrides,
    };
  }
  const push = (body: unknown) =>
    inboxRoute(rw.kit.push(rw.sender, body), { params: Promise.resolve({ partnerId: rw.sender.id }) });

  it("marks the partner's imports of that source recalled: 202 once, 200 with the same row after", async () => {
    const imported = await rw.imported();
    const body = recallFrom(imported.sourceSessionId);
    const res = await push(body);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { received: boolean; recall_id: string; imports: number };
    expect(answer).toMatchObject({ received: true, imports: 1 });
    const [row] = await db().select().from(imports).where(eq(imports.id, imported.id));
    expect(row).toMatchObject({
      recallTrigger: "declined",
      recallReason: body.reason,
      inboundRecallId: answer.recall_id,
      recallClearedAt: null,
    });
    const again = await push(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(answer);
    expect(
      await db().select().from(inboundRecalls).where(eq(inboundRecalls.remoteRecallId, body.recall_id)),
    ).toHaveLength(1);
  });

  it("refuses a recall naming another sender or an application not ours: 422, nothing but the audit", async () => {
    const imported = await rw.imported();
    const other = await push(recallFrom(imported.sourceSessionId, { from_application_id: randomUUID() }));
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
      "recall_from_other_partner",
    );
    const notOurs = await push(recallFrom(imported.sourceSessionId, { for_application_id: randomUUID() }));
    expect(notOurs.status).toBe(422);
    expect(((await notOurs.json()) as { error: { code: string } }).error.code).toBe("recall_not_for_us");
    const bad = await push({ ...recallFrom(imported.sourceSessionId), trigger: "weather" });
    expect(bad.status).toBe(422);
    const [row] = await db().select().from(imports).where(eq(imports.id, imported.id));
    expect(row!.recalledAt).toBeNull();
    const refused = (await auditOf("recall.refused")).map((e) => (e.data as { code: string }).code);
    expect(refused).toEqual(expect.arrayContaining(["recall_from_other_partner", "recall_not_for_us"]));
  });

  it("puts the recalled import first in the review queue with the reason; a new decision clears it", async () => {
    const plain = await rw.imported();
    const recalled = await rw.imported({ trustReview: true });
    expect(recalled.statusAtImport).toBe("Approved");
    const body = recallFrom(recalled.sourceSessionId, { trigger: "kyc_expired", status: "Kyc Expired" });
    expect((await push(body)).status).toBe(202);

    const queue = await listImports(officerCtx(), { status: "In Review", sort: "queue", limit: 100 });
    // Recalled rows first (oldest first among them), then the rest of the queue.
    const flags = queue.items.map((i) => i.recall !== null);
    expect(flags.indexOf(false)).toBeGreaterThan(0);
    expect(flags.slice(flags.indexOf(false))).not.toContain(true);
    const mine = queue.items.find((i) => i.id === recalled.id);
    expect(mine?.recall).toMatchObject({ trigger: "kyc_expired", reason: body.reason });
    expect(mine?.status).toBe("Approved");
    expect(queue.items.find((i) => i.id === plain.id)?.recall).toBeNull();
    const only = await listImports(officerCtx(), { recalled: "true", limit: 100 });
    expect(only.items.map((i) => i.id)).toContain(recalled.id);
    expect(only.items.map((i) => i.id)).not.toContain(plain.id);
    // Paging with a cursor keeps the recalled group first and loses no row.
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listImports(officerCtx(), { status: "In Review", sort: "queue", limit: 1, cursor });
      all.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(queue.items.map((i) => i.id));

    // Approved again while the clone is Approved: Didit's "same status" confirms it, and clears the recall.
    const decided = await decideImport(officerCtx(), recalled.id, { status: "Approved", comment: undefined });
    expect(decided.decision.state).toBe("confirmed");
    expect(decided.import.recall).toBeNull();
    const [row] = await db().select().from(imports).where(eq(imports.id, recalled.id));
    expect(row!.recallClearedAt).not.toBeNull();
    expect(row!.recallClearedBy).toBe(rw.officerA.id);
    const after = await listImports(officerCtx(), { status: "In Review", limit: 100 });
    expect(after.items.map((i) => i.id)).not.toContain(recalled.id);
    expect((await auditOf("import.recall_cleared")).some((e) => e.entityId === recalled.id)).toBe(true);
    const detail = await getImportInReview(officerCtx(), recalled.id);
    expect(detail.timeline.map((t) => t.kind)).toEqual(
      expect.arrayContaining(["recalled", "recall_cleared"]),
    );

    // An In Review clone recalled: declined at Didit, the recall cleared once Didit took it.
    const body2 = recallFrom(plain.sourceSessionId);
    expect((await push(body2)).status).toBe(202);
    const declined = await decideImport(rw.ctxOf(rw.officerB), plain.id, {
      status: "Declined",
      comment: "The partner declined its source.",
    });
    expect(declined.decision.state).toMatch(/sent|confirmed/);
    expect(declined.import.recall).toBeNull();
  });
});

describe(`recall routes (${testDriver()})`, () => {
  const withId = (id: string) => ({ params: Promise.resolve({ id }) });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  async function taskAndPush() {
    const sessionId = await rw.w.newSession("Approved");
    const task = await deliveredShare(officerCtx(), {
      sessionId,
      partnerId: taskPartner.id,
      ttlSeconds: 3600,
    });
    const push = await deliveredShare(officerCtx(), {
      sessionId,
      partnerId: pushPartner.id,
      ttlSeconds: 3600,
    });
    const out = await db().transaction((tx) =>
      raiseRecall(
        tx,
        { actor: { id: null, label: "test" }, now: new Date() },
        {
          applicationId: rw.w.bankRow,
          sessionId,
          trigger: "in_review",
          fromStatus: "Approved",
          toStatus: "In Review",
          source: "webhook",
        },
      ),
    );
    const notices = await noticesOf(out!.recallId);
    return {
      recallId: out!.recallId,
      task: notices.find((n) => n.shareId === task.id)!,
      push: notices.find((n) => n.shareId === push.id)!,
    };
  }

  it("an officer marks an open task told (audited with the note); again is 409; others 403", async () => {
    const { task, push, recallId } = await taskAndPush();
    const auditor = await insertUser(db(), "auditor");
    const url = `/api/recalls/notices/${task.id}/done`;
    const denied = await doneRoute(
      await request(url, { method: "POST", user: auditor, body: { note: "Phoned them." } }),
      withId(task.id),
    );
    expect(denied.status).toBe(403);
    const empty = await doneRoute(
      await request(url, { method: "POST", user: rw.officerA, body: { note: "   " } }),
      withId(task.id),
    );
    expect(empty.status).toBe(422);
    const long = await doneRoute(
      await request(url, { method: "POST", user: rw.officerA, body: { note: "x".repeat(2001) } }),
      withId(task.id),
    );
    expect(long.status).toBe(422);
    const malformed = await doneRoute(
      await request(url, { method: "POST", user: rw.officerA, rawBody: "{not json" }),
      withId(task.id),
    );
    expect(malformed.status).toBe(400);
    const [still] = await db().select().from(recallNotices).where(eq(recallNotices.id, task.id));
    expect(still!.state).toBe("open");

    const ok = await doneRoute(
      await request(url, {
        method: "POST",
        user: rw.officerA,
        body: { note: "Phoned their compliance desk." },
      }),
      withId(task.id),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      id: task.id,
      state: "done",
      doneNote: "Phoned their compliance desk.",
      doneBy: { id: rw.officerA.id },
      canMarkDone: false,
    });
    const again = await doneRoute(
      await request(url, { method: "POST", user: rw.officerA, body: { note: "Again." } }),
      withId(task.id),
    );
    expect(again.status).toBe(409);
    const onPush = await doneRoute(
      await request(`/api/recalls/notices/${push.id}/done`, {
        method: "POST",
        user: rw.officerA,
        body: { note: "No." },
      }),
      withId(push.id),
    );
    expect(onPush.status).toBe(409);
    const done = (await auditOf("recall.task_done")).filter((e) => e.entityId === task.shareId);
    expect(done).toHaveLength(1);
    expect(done[0]!.data).toMatchObject({ noticeId: task.id, note: "Phoned their compliance desk." });

    const detail = await detailRoute(
      await request(`/api/recalls/${recallId}`, { user: auditor }),
      withId(recallId),
    );
    expect(detail.status).toBe(200);
    const body = (await detail.json()) as { side: string; notices: { id: string; canMarkDone: boolean }[] };
    expect(body.side).toBe("sent");
    expect(body.notices.map((n) => n.id).sort()).toEqual([task.id, push.id].sort());
  });

  it("retry re-queues a failed push only (officer), audited; a pending one is 409", async () => {
    const { push } = await taskAndPush();
    const url = `/api/recalls/notices/${push.id}/retry`;
    const pending = await retryRoute(
      await request(url, { method: "POST", user: rw.officerA, body: {} }),
      withId(push.id),
    );
    expect(pending.status).toBe(409);
    await db()
      .update(recallNotices)
      .set({ state: "failed", lastError: "HTTP 410 from the partner's inbox" })
      .where(eq(recallNotices.id, push.id));
    const admin = await insertUser(db(), "admin");
    const denied = await retryRoute(
      await request(url, { method: "POST", user: admin, body: {} }),
      withId(push.id),
    );
    expect(denied.status).toBe(403);
    const ok = await retryRoute(
      await request(url, { method: "POST", user: rw.officerA, body: {} }),
      withId(push.id),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ state: "pending", attempts: 0 });
    const queued = await db().select().from(jobs).where(eq(jobs.queue, RECALL_QUEUE));
    expect(queued.some((j) => j.payload.noticeId === push.id && j.state === "pending")).toBe(true);
    expect((await auditOf("recall.retried")).some((e) => e.entityId === push.shareId)).toBe(true);
  });

  it("lists both sides with a cursor; refuses bad input with 4xx and a wrong method with 405", async () => {
    const sent = await listRoute(await request("/api/recalls?side=sent&limit=1", { user: rw.officerA }));
    expect(sent.status).toBe(200);
    const first = (await sent.json()) as { side: string; items: { id: string }[]; nextCursor: string | null };
    expect(first.side).toBe("sent");
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const next = await listRoute(
      await request(`/api/recalls?side=sent&limit=1&cursor=${first.nextCursor}`, { user: rw.officerA }),
    );
    const second = (await next.json()) as { items: { id: string }[] };
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
    const open = await listRoute(await request("/api/recalls?side=sent&state=open", { user: rw.officerA }));
    const openItems = ((await open.json()) as { items: { state: string }[] }).items;
    expect(openItems.length).toBeGreaterThan(0);
    expect(openItems.every((i) => i.state === "open")).toBe(true);

    const received = await listRoute(await request("/api/recalls?side=received", { user: rw.officerA }));
    const got = (await received.json()) as {
      side: string;
      items: { partnerName: string | null; imports: { id: string }[]; state: string }[];
    };
    expect(got.side).toBe("received");
    expect(got.items.length).toBeGreaterThan(0);
    expect(got.items.some((i) => i.imports.length > 0)).toBe(true);

    for (const q of [
      "side=both",
      "side=sent&state=cleared",
      "side=received&state=pending",
      "limit=0",
      "cursor=abc",
      "x=1",
    ]) {
      const res = await listRoute(await request(`/api/recalls?${q}`, { user: rw.officerA }));
      expect(res.status, q).toBe(422);
    }
    const unknown = randomUUID();
    const missing = await detailRoute(
      await request(`/api/recalls/${unknown}`, { user: rw.officerA }),
      withId(unknown),
    );
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toBe("not_found");
    const badId = await detailRoute(
      await request(`/api/recalls/nope`, { user: rw.officerA }),
      withId("nope"),
    );
    expect(badId.status).toBe(404);
    const noNotice = await doneRoute(
      await request(`/api/recalls/notices/${unknown}/done`, {
        method: "POST",
        user: rw.officerA,
        body: { note: "x" },
      }),
      withId(unknown),
    );
    expect(noNotice.status).toBe(404);
    const extra = await doneRoute(
      await request(`/api/recalls/notices/${unknown}/done`, {
        method: "POST",
        user: rw.officerA,
        body: { note: "x", more: 1 },
      }),
      withId(unknown),
    );
    expect(extra.status).toBe(422);
    expect(
      (await listPost(await request("/api/recalls", { method: "POST", user: rw.officerA, body: {} }))).status,
    ).toBe(405);
    expect(
      (await doneGet(await request(`/api/recalls/notices/${unknown}/done`, { user: rw.officerA }))).status,
    ).toBe(405);
    const anonymous = await listRoute(await request("/api/recalls"));
    expect(anonymous.status).toBe(401);
  });
});
