import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receiptRequestSchema } from "@/lib/schemas/partner-api";
import { auditEvents, outboundReceipts, partners } from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { testDriver } from "@/test/database";
import { insertUser, type TestUser } from "@/test/session";
import type { ServiceContext } from "@/lib/server/kernel";
import { createImport } from "./import";
import { getInboxItem } from "./inbox-items";
import { rejectInboxItem } from "./reject";
import type { Sender } from "./inbox.test-kit";
import { importWorld, type ImportWorld } from "./import.test-kit";
import {
  queueOutboundReceipt,
  RECEIPT_MAX_ATTEMPTS,
  RECEIPT_QUEUE,
  receiptMessageId,
} from "./outbound-receipts";
import { rotatePartnerSecret } from "@/lib/server/services/partners/secrets";
import { startRemoteConsole, type RemoteConsole } from "./remote-console.test-kit";
import { captureLogs, databaseText } from "@/lib/server/services/sharing/shares.test-kit";
import { outboundReceiptJob } from "@/lib/server/services/receiving";

let x: ImportWorld;
let officer: TestUser;
let logs: ReturnType<typeof captureLogs>;
const consoles: RemoteConsole[] = [];

function ctx(role: "officer" | "partnerships" = "officer", now = new Date()): ServiceContext {
  return {
    db: x.w.t.db,
    actor: { id: officer.id, email: officer.email, name: "Officer", role },
    now: () => now,
    requestId: "receipts-test",
    ip: null,
    userAgent: null,
  };
}

/** A partner sharing with us from its own console, which we can reach (base URL, our id, its secret). */
async function remoteSender(): Promise<{ sender: Sender; remote: RemoteConsole }> {
  const remote = await startRemoteConsole();
  consoles.push(remote);
  const sender = await x.kit.newSender({
    partnerApiBaseUrl: remote.origin,
    remotePartnerId: remote.partnerId,
  });
  await rotatePartnerSecret(ctx("partnerships"), sender.id, { overlapHours: 0, secret: remote.secret });
  return { sender, remote };
}

const receiptsOf = (itemId: string) =>
  x.w.t.db.select().from(outboundReceipts).where(eq(outboundReceipts.inboxItemId, itemId));
const receiptJobs = async (receiptId: string) =>
  (await x.w.t.db.select().from(jobs).where(eq(jobs.queue, RECEIPT_QUEUE))).filter(
    (j) => (j.payload as { receiptId?: string }).receiptId === receiptId,
  );
const send = (now = new Date()) => runDueJobs(x.w.t.db, { now, queues: [RECEIPT_QUEUE] });

beforeAll(async () => {
  logs = captureLogs();
  x = await importWorld();
  officer = await insertUser(x.w.t.db, "officer");
  registerJobs([outboundReceiptJob]);
}, 60_000);

afterAll(async () => {
  logs?.restore();
  for (const c of consoles) await c.close();
  await x?.close();
});

describe(`receipts back to a remote partner's console (${testDriver()})`, () => {
  it("an import sends `imported` with the clone's id, signed, exactly the documented body: 202 → sent", async () => {
    const { sender, remote } = await remoteSender();
    const item = await x.item({ sender });
    const imported = await createImport(ctx(), item.id, {});
    expect(imported.state).toBe("imported");
    const [queued] = await receiptsOf(item.id);
    expect(queued).toMatchObject({ status: "imported", state: "pending", attempts: 0, partnerId: sender.id });

    const run = await send();
    expect(run.done).toBeGreaterThanOrEqual(1);
    const got = remote.requests.filter((r) => r.route === "receipt");
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
    expect(got[0]!.headers["handoff-partner-id"]).toBe(remote.partnerId);
    expect(got[0]!.headers["webhook-id"]).toBe(receiptMessageId(queued!.id));
    expect(got[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(got[0]!.raw)).toEqual({
      share_id: imported.senderShareId,
      status: "imported",
      clone_session_id: imported.cloneSessionId,
    });
    // What a Handoff sender's receipts route validates it with.
    expect(receiptRequestSchema.safeParse(JSON.parse(got[0]!.raw)).success).toBe(true);

    const [sent] = await receiptsOf(item.id);
    expect(sent).toMatchObject({ state: "sent", attempts: 1, lastError: null });
    expect(sent!.sentAt).not.toBeNull();
    const detail = await getInboxItem(ctx(), item.id);
    expect(detail.receipts).toEqual([
      {
        id: sent!.id,
        status: "imported",
        cloneSessionId: imported.cloneSessionId,
        reason: null,
        state: "sent",
        attempts: 1,
        lastError: null,
        sentAt: sent!.sentAt!.toISOString(),
        createdAt: sent!.createdAt.toISOString(),
      },
    ]);
    const audit = await x.w.t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, item.id), eq(auditEvents.action, "receipt.sent")));
    expect(audit[0]!.data).toMatchObject({ receiptId: sent!.id, status: "imported", attempts: 1 });
  });

  it("a rejection sends `rejected` with the reason; a lost 202 is retried with the same webhook-id → 409 replayed → sent", async () => {
    const { sender, remote } = await remoteSender();
    const item = await x.item({ sender });
    await rejectInboxItem(ctx(), item.id, { reason: "Duplicate customer" });
    remote.loseReceiptAnswers([500]);
    const now = new Date();
    await send(now);
    const [retrying] = await receiptsOf(item.id);
    expect(retrying).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "HTTP 500 internal_error",
    });
    const [job] = await receiptJobs(retrying!.id);
    expect(job).toMatchObject({
      state: "pending",
      lastError: "receipt not delivered: HTTP 500 internal_error",
    });
    await send(new Date(job!.runAt.getTime() + 1));
    const bodies = remote.requests.filter((r) => r.route === "receipt");
    expect(bodies).toHaveLength(2);
    expect(bodies.map((b) => b.headers["webhook-id"])).toEqual(Array(2).fill(receiptMessageId(retrying!.id)));
    expect(JSON.parse(bodies[0]!.raw)).toEqual({
      share_id: retrying!.shareId,
      status: "rejected",
      reason: "Duplicate customer",
    });
    expect(remote.receipts).toHaveLength(1); // stored once, the retry refused as a replay
    expect((await receiptsOf(item.id))[0]).toMatchObject({ state: "sent", attempts: 2, lastError: null });
  });

  it("another 4xx fails for good (HTTP 404 not_found); 5xx until the last attempt fails too", async () => {
    const { sender, remote } = await remoteSender();
    const refused = await x.item({ sender });
    remote.fault("receipt", 404);
    await rejectInboxItem(ctx(), refused.id, { reason: "Not ours" });
    await send();
    const [failed] = await receiptsOf(refused.id);
    expect(failed).toMatchObject({ state: "failed", attempts: 1, lastError: "HTTP 404 not_found" });
    expect((await receiptJobs(failed!.id))[0]).toMatchObject({ state: "done" });

    const flaky = await x.item({ sender });
    await rejectInboxItem(ctx(), flaky.id, { reason: "Not ours either" });
    remote.fault("receipt", ...Array<number>(RECEIPT_MAX_ATTEMPTS).fill(503));
    let at = new Date();
    for (let i = 0; i < RECEIPT_MAX_ATTEMPTS; i++) {
      await send(at);
      at = new Date(at.getTime() + 2 * 3_600_000);
    }
    const [gaveUp] = await receiptsOf(flaky.id);
    expect(gaveUp).toMatchObject({
      state: "failed",
      attempts: RECEIPT_MAX_ATTEMPTS,
      lastError: "HTTP 503 internal_error (gave up)",
    });
    const failures = await x.w.t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, flaky.id), eq(auditEvents.action, "receipt.failed")));
    expect(failures).toHaveLength(1);
  });

  it("an unreachable console is retried with the network error recorded", async () => {
    const { sender } = await remoteSender();
    const closed = await startRemoteConsole();
    await closed.close();
    await x.w.t.db
      .update(partners)
      .set({ partnerApiBaseUrl: closed.origin })
      .where(eq(partners.id, sender.id));
    const item = await x.item({ sender });
    await rejectInboxItem(ctx(), item.id, { reason: "Unreachable" });
    await send();
    expect((await receiptsOf(item.id))[0]).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "could not reach the partner's console (ECONNREFUSED)",
    });
  });

  it("queues one receipt per item and status, and none without a way to reach the partner", async () => {
    const { sender } = await remoteSender();
    const item = await x.item({ sender });
    const input = {
      partnerId: sender.id,
      inboxItemId: item.id,
      shareId: (await getInboxItem(ctx(), item.id)).senderShareId,
      status: "rejected" as const,
      reason: "Twice",
      now: new Date(),
    };
    const first = await x.w.t.db.transaction((tx) => queueOutboundReceipt(tx, input));
    const second = await x.w.t.db.transaction((tx) => queueOutboundReceipt(tx, input));
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(await receiptsOf(item.id)).toHaveLength(1);
    expect(await receiptJobs(first!)).toHaveLength(1);
    // No sender share id (a pasted token): nothing to quote, nothing sent.
    expect(
      await x.w.t.db.transaction((tx) =>
        queueOutboundReceipt(tx, { ...input, status: "imported", shareId: null }),
      ),
    ).toBeNull();

    // A partner without our id there, or without an API base URL: no receipt.
    const plain = await x.kit.newSender();
    const noRemote = await x.item({ sender: plain });
    await rejectInboxItem(ctx(), noRemote.id, { reason: "No console" });
    expect(await receiptsOf(noRemote.id)).toEqual([]);
    await x.w.t.db
      .update(partners)
      .set({ remotePartnerId: crypto.randomUUID(), partnerApiBaseUrl: null })
      .where(eq(partners.id, plain.id));
    const noBase = await x.item({ sender: plain });
    await rejectInboxItem(ctx(), noBase.id, { reason: "No base" });
    expect(await receiptsOf(noBase.id)).toEqual([]);
  });

  it("puts no secret or token in receipts, jobs, audit rows or logs", async () => {
    const text = await databaseText(x.w.t.db);
    for (const c of consoles) {
      expect(text).not.toContain(c.secret.slice(6));
      expect(logs.text()).not.toContain(c.secret.slice(6));
    }
  });
});
