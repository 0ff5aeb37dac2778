import { randomUUID } from "node:crypto";
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as dashboardRoute from "@/app/api/dashboard/route";
import * as retryRoute from "@/app/api/jobs/[id]/retry/route";
import type { Role } from "@/lib/rbac";
import {
  auditCheckpoints,
  auditEvents,
  connectedApplications,
  evidenceExports,
  importDecisions,
  imports,
  inboundRecalls,
  recallNotices,
  recalls,
  inboxItems,
  jobs,
  partners,
  shareDeliveries,
  shares,
} from "@/lib/server/db/schema";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";
import { recordAudit } from "@/lib/server/services/audit/audit";
import type { ServiceContext } from "@/lib/server/kernel";
import { getRoleDashboard, retryJob } from "./dashboard";
import type { AdminDashboard, AuditorDashboard, DashboardFigure, RoleDashboard } from "./dashboard-types";
import { DIDIT_WEBHOOK_QUEUE } from "@/lib/server/services/applications/didit-webhooks";
import { listImports } from "@/lib/server/services/reviews";
import { contextOf, insertImportedClone } from "@/lib/server/services/reviews/reviews.test-kit";
import { addPartner } from "@/lib/server/services/sharing/shares.test-kit";

let t: TestDatabase;
const as = {} as Record<Role, TestUser>;
let app: string;
let otherApp: string;
const NOW = new Date("2026-06-15T12:00:00.000Z");
const clock = () => NOW;
const ctx = (role: Role): ServiceContext => contextOf(t.db, as[role], clock);
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

function figure(d: RoleDashboard, id: string): DashboardFigure {
  const f = d.figures.find((x) => x.id === id);
  if (!f) throw new Error(`no figure ${id} on the ${d.role} dashboard`);
  return f;
}
const values = (d: RoleDashboard) => Object.fromEntries(d.figures.map((f) => [f.id, f.value]));

async function apiDashboard(user: TestUser): Promise<{ status: number; body: unknown }> {
  const res = await dashboardRoute.GET(await request("/api/dashboard", { user }));
  return { status: res.status, body: await res.json() };
}

let shareSeq = 0;
async function insertShare(input: {
  partnerId: string;
  state: (typeof shares.$inferInsert)["state"];
  expiresAt: Date;
}): Promise<string> {
  const [row] = await t.db
    .insert(shares)
    .values({
      applicationId: app,
      partnerId: input.partnerId,
      sessionId: randomUUID(),
      sessionKind: "user",
      sessionNumber: ++shareSeq,
      sourceStatus: "Approved",
      forApplicationId: randomUUID(),
      ttlSeconds: 3600,
      tokenHash: `test-${randomUUID()}`,
      claims: {},
      issuedAt: minutes(-60),
      expiresAt: input.expiresAt,
      channel: "push",
      state: input.state,
      manifest: {
        session_number: shareSeq,
        status: "Approved",
        created_at: null,
        features: [],
        agreement_reference: null,
      },
      agreement: { reference: null, signedOn: null, expiresOn: null, partnerStatus: "active" },
    })
    .returning({ id: shares.id });
  return row!.id;
}

async function insertInboxItem(partnerId: string, state: "pending" | "imported", expiresAt: Date) {
  await t.db.insert(inboxItems).values({
    applicationId: app,
    partnerId,
    source: "push",
    tokenHash: `test-${randomUUID()}`,
    claims: {},
    sessionKind: "user",
    sourceSessionId: randomUUID(),
    fromApplicationId: randomUUID(),
    expiresAt,
    state,
    receivedAt: minutes(-30),
  });
}

async function insertJob(input: {
  queue: string;
  state: "pending" | "running" | "dead" | "done";
  attempts: number;
  payload?: Record<string, unknown>;
}): Promise<string> {
  const [row] = await t.db
    .insert(jobs)
    .values({
      queue: input.queue,
      payload: input.payload ?? { n: randomUUID() },
      state: input.state,
      runAt: minutes(10),
      attempts: input.attempts,
      maxAttempts: 3,
      backoff: { kind: "exponential", baseMs: 1000, maxMs: 60_000 },
      lastError: input.attempts > 0 ? "connection refused" : null,
      createdAt: minutes(-10),
      updatedAt: minutes(-5),
      finishedAt: input.state === "dead" ? minutes(-5) : null,
    })
    .returning({ id: jobs.id });
  return row!.id;
}

beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
  for (const role of ["admin", "partnerships", "officer", "auditor"] as const)
    as[role] = await insertUser(t.db, role);
  const apps = await t.db
    .insert(connectedApplications)
    .values([
      {
        name: "Northwind Bank",
        diditApplicationId: randomUUID(),
        environment: "sandbox",
        syncState: "failed",
        syncError: "Didit refused the API key",
      },
      {
        name: "Northwind Pay",
        diditApplicationId: randomUUID(),
        environment: "live",
        syncState: "idle",
        lastWebhookAt: minutes(-3),
      },
    ])
    .returning({ id: connectedApplications.id, name: connectedApplications.name });
  app = apps.find((a) => a.name === "Northwind Bank")!.id;
  otherApp = apps.find((a) => a.name === "Northwind Pay")!.id;
});
afterAll(() => t.close());

describe(`the officer's dashboard (${testDriver()})`, () => {
  let partner: { id: string; diditApplicationId: string };
  beforeAll(async () => {
    const diditApplicationId = randomUUID();
    partner = {
      id: (
        await addPartner(t.db, {
          applicationId: app,
          diditApplicationId,
          channel: "push",
          reviewSlaHours: 24,
        })
      ).id,
      diditApplicationId,
    };
    const clone = (status = "In Review") =>
      insertImportedClone(t.db, {
        applicationId: app,
        cloneSessionId: randomUUID(),
        importedBy: as.officer.id,
        status,
        partner,
      });
    // Four In Review: one past the 24 h SLA, one assigned to the officer, one with a proposal.
    const overdue = await clone();
    await t.db
      .update(imports)
      .set({ finishedAt: new Date(NOW.getTime() - 25 * 3_600_000) })
      .where(eq(imports.id, overdue));
    const mine = await clone();
    await t.db
      .update(imports)
      .set({ assignedTo: as.officer.id, assignedAt: NOW })
      .where(eq(imports.id, mine));
    const proposed = await clone();
    await t.db.insert(importDecisions).values({
      importId: proposed,
      status: "Approved",
      state: "proposed",
      decidedBy: as.officer.id,
      decidedAt: NOW,
    });
    await clone();
    // A recalled import is back in the queue whatever the clone's status, until it is decided again.
    const recalledClone = await clone("Approved");
    await t.db
      .update(imports)
      .set({ recalledAt: NOW, recallTrigger: "declined", recallReason: "The partner declined its source." })
      .where(eq(imports.id, recalledClone));
    const cleared = await clone("Approved");
    await t.db
      .update(imports)
      .set({ recalledAt: minutes(-90), recallTrigger: "declined", recallReason: "x", recallClearedAt: NOW })
      .where(eq(imports.id, cleared));
    // Decided clones are not in the queue, even when assigned or long past the SLA.
    const approved = await clone("Approved");
    await t.db
      .update(imports)
      .set({ assignedTo: as.officer.id, finishedAt: new Date(NOW.getTime() - 99 * 3_600_000) })
      .where(eq(imports.id, approved));
    // Inbox: two waiting (one expiring within the hour), one expired unmarked, one imported.
    await insertInboxItem(partner.id, "pending", minutes(30));
    await insertInboxItem(partner.id, "pending", minutes(600));
    await insertInboxItem(partner.id, "pending", minutes(-1));
    await insertInboxItem(partner.id, "imported", minutes(20));
    // Our shares: one pending expiring within the hour, one pending later, one delivered soon, one pending expired.
    await insertShare({ partnerId: partner.id, state: "pending", expiresAt: minutes(45) });
    await insertShare({ partnerId: partner.id, state: "pending", expiresAt: minutes(180) });
    await insertShare({ partnerId: partner.id, state: "delivered", expiresAt: minutes(10) });
    await insertShare({ partnerId: partner.id, state: "pending", expiresAt: minutes(-5) });
    // Recall notices: one open task, one done, one push sent.
    const recalledShare = await insertShare({
      partnerId: partner.id,
      state: "delivered",
      expiresAt: minutes(5),
    });
    const [recall] = await t.db
      .insert(recalls)
      .values({
        applicationId: app,
        sessionId: randomUUID(),
        trigger: "declined",
        fromStatus: "Approved",
        toStatus: "Declined",
        reason: "The source verification was declined after it was shared.",
        source: "webhook",
        shareCount: 3,
        noticeCount: 3,
        raisedAt: NOW,
      })
      .returning({ id: recalls.id });
    const notice = (state: "open" | "done" | "sent", channel: "task" | "push", shareId: string) =>
      t.db.insert(recallNotices).values({
        recallId: recall!.id,
        shareId,
        partnerId: partner.id,
        channel,
        state,
        createdAt: NOW,
        updatedAt: NOW,
      });
    await notice("open", "task", recalledShare);
    await notice(
      "done",
      "task",
      await insertShare({ partnerId: partner.id, state: "delivered", expiresAt: minutes(5) }),
    );
    await notice(
      "sent",
      "push",
      await insertShare({ partnerId: partner.id, state: "delivered", expiresAt: minutes(5) }),
    );
  });

  it("counts the queue, overdue, proposals, mine, the inbox and the tokens about to expire", async () => {
    const d = await getRoleDashboard(ctx("officer"));
    expect(d.role).toBe("officer");
    expect(values(d)).toEqual({
      review_queue: 5,
      recalled_imports: 1,
      overdue_reviews: 1,
      awaiting_second_approval: 1,
      assigned_to_me: 1,
      inbox_waiting: 2,
      inbox_expiring: 1,
      shares_expiring_undelivered: 1,
      recall_tasks_open: 1,
    });
    expect(figure(d, "recalled_imports").href).toBe("/reviews?recalled=true");
    expect(figure(d, "recall_tasks_open").href).toBe("/recalls?side=sent&state=open");
    expect(figure(d, "overdue_reviews").href).toBe("/reviews?overdue=true");
    expect(figure(d, "assigned_to_me").href).toBe("/reviews?assignee=me");
    expect(figure(d, "inbox_waiting").href).toBe("/inbox?state=pending");
  });

  it("the review figures equal what the queue lists with the same filters", async () => {
    const d = await getRoleDashboard(ctx("officer"));
    const list = (q: Parameters<typeof listImports>[1]) =>
      listImports(ctx("officer"), { status: "In Review", limit: 100, ...q }).then((r) => r.items);
    expect((await list({})).length).toBe(figure(d, "review_queue").value);
    expect((await list({ overdue: "true" })).length).toBe(figure(d, "overdue_reviews").value);
    expect((await list({ assignee: "me" })).length).toBe(figure(d, "assigned_to_me").value);
    expect((await list({})).filter((i) => i.pendingProposal).length).toBe(
      figure(d, "awaiting_second_approval").value,
    );
    expect((await list({})).filter((i) => i.overdue).length).toBe(figure(d, "overdue_reviews").value);
    // The queue holds the recalled imports too (first); their count is the recalled figure.
    const recalledRows = await t.db
      .select({ id: imports.id })
      .from(imports)
      .where(and(isNotNull(imports.recalledAt), isNull(imports.recallClearedAt)));
    expect(recalledRows.length).toBe(figure(d, "recalled_imports").value);
    const queued = new Set((await list({})).map((i) => i.id));
    for (const r of recalledRows) expect(queued.has(r.id)).toBe(true);
  });

  it("assigned to me is the caller's: another officer has none", async () => {
    const other = await insertUser(t.db, "officer");
    const d = await getRoleDashboard(contextOf(t.db, other, clock));
    expect(figure(d, "assigned_to_me").value).toBe(0);
    expect(figure(d, "review_queue").value).toBe(5);
  });
});

describe(`the partnership manager's dashboard (${testDriver()})`, () => {
  it("counts agreements ending within 30 days, suspended partners, failing deliveries and missing secrets", async () => {
    const before = values(await getRoleDashboard(ctx("partnerships")));
    const p = (extra: Partial<typeof partners.$inferInsert>) =>
      addPartner(t.db, {
        applicationId: otherApp,
        diditApplicationId: randomUUID(),
        channel: "push",
        ...extra,
      });
    await p({ agreementExpiresOn: "2026-06-25" }); // in 10 days
    await p({ agreementExpiresOn: "2026-06-15" }); // today: still valid, expiring
    await p({ agreementExpiresOn: "2026-07-25" }); // in 40 days
    await p({ agreementExpiresOn: "2026-06-01" }); // already expired
    await p({ agreementExpiresOn: "2026-06-20", agreementReference: " " }); // no agreement in force: not "ending"
    const suspended = await p({ status: "suspended", suspendedAt: NOW, suspendedReason: "audit" });
    // A partner with no secret at all, and one whose only secret was rotated out and expired.
    await t.db.insert(partners).values({
      name: "No secret",
      diditApplicationId: randomUUID(),
      applicationId: otherApp,
      direction: "both",
      allowedKinds: ["user"],
      allowedStatuses: ["Approved"],
      deliveryChannel: "manual",
    });
    const failed = await insertShare({ partnerId: suspended.id, state: "failed", expiresAt: minutes(30) });
    const retrying = await insertShare({
      partnerId: suspended.id,
      state: "pending",
      expiresAt: minutes(300),
    });
    const recovered = await insertShare({
      partnerId: suspended.id,
      state: "pending",
      expiresAt: minutes(300),
    });
    const attempt = (shareId: string, n: number, outcome: string) =>
      t.db.insert(shareDeliveries).values({
        shareId,
        attempt: n,
        channel: "push",
        outcome,
        startedAt: minutes(-n),
        finishedAt: minutes(-n),
      });
    await attempt(failed, 1, "failed");
    await attempt(retrying, 1, "retrying");
    await attempt(recovered, 1, "retrying");
    await attempt(recovered, 2, "delivered");
    // Recall pushes: one failed, one retrying (pending after an attempt), one sent, one task open.
    const [recall] = await t.db
      .insert(recalls)
      .values({
        applicationId: otherApp,
        sessionId: randomUUID(),
        trigger: "deleted",
        reason: "The source session was deleted.",
        source: "webhook",
        raisedAt: NOW,
      })
      .returning({ id: recalls.id });
    for (const [state, attempts, channel] of [
      ["failed", 8, "push"],
      ["pending", 2, "push"],
      ["pending", 0, "push"],
      ["sent", 1, "push"],
      ["open", 0, "task"],
    ] as const) {
      await t.db.insert(recallNotices).values({
        recallId: recall!.id,
        shareId: await insertShare({ partnerId: suspended.id, state: "delivered", expiresAt: minutes(5) }),
        partnerId: suspended.id,
        channel,
        state,
        attempts,
        createdAt: NOW,
        updatedAt: NOW,
      });
    }

    const d = await getRoleDashboard(ctx("partnerships"));
    expect(d.role).toBe("partnerships");
    const after = values(d);
    expect(after.agreements_expiring! - before.agreements_expiring!).toBe(2);
    expect(after.suspended_partners! - before.suspended_partners!).toBe(1);
    expect(after.failed_deliveries! - before.failed_deliveries!).toBe(1);
    expect(after.retrying_deliveries! - before.retrying_deliveries!).toBe(1);
    expect(after.partners_without_secret! - before.partners_without_secret!).toBe(1);
    expect(after.recall_pushes_failing! - before.recall_pushes_failing!).toBe(2);
    expect(figure(d, "recall_pushes_failing").href).toBe("/recalls?side=sent&state=failed");
    expect(figure(d, "agreements_expiring").href).toBe("/partners?expiring=true");
    expect(figure(d, "suspended_partners").href).toBe("/partners?status=suspended");
    expect(figure(d, "failed_deliveries").href).toBe("/shares?state=failed");
    // Absolute figures, counted from the records.
    const all = await t.db.select().from(partners);
    expect(after.suspended_partners).toBe(all.filter((x) => x.status === "suspended").length);
    const failedShares = await t.db.select().from(shares).where(eq(shares.state, "failed"));
    expect(after.failed_deliveries).toBe(failedShares.length);
  });
});

describe(`the auditor's dashboard (${testDriver()})`, () => {
  it("no checkpoint: not verified yet, every event unverified; then the newest checkpoint", async () => {
    for (let i = 0; i < 3; i++) {
      await t.db.transaction((tx) =>
        recordAudit(
          tx,
          { actor: { id: as.admin.id, label: as.admin.email }, now: minutes(i) },
          { action: "test.event" },
        ),
      );
    }
    const total = (await t.db.select().from(auditEvents)).length;
    let d = (await getRoleDashboard(ctx("auditor"))) as AuditorDashboard;
    expect(d.role).toBe("auditor");
    expect(d.chain.state).toBe("unverified");
    expect(d.chain.verifiedAt).toBeNull();
    expect(figure(d, "audit_events").value).toBe(total);
    expect(figure(d, "unverified_events").value).toBe(total);
    expect(d.lastEventAt).toBe(minutes(2).toISOString());

    const [first] = await t.db.select().from(auditEvents).orderBy(auditEvents.seq).limit(1);
    await t.db.insert(auditCheckpoints).values({
      verifiedThroughSeq: first!.seq,
      lastHash: first!.hash,
      full: true,
      ok: true,
      checked: 1,
      durationMs: 3,
      verifiedBy: as.auditor.id,
      verifiedAt: minutes(5),
    });
    d = (await getRoleDashboard(ctx("auditor"))) as AuditorDashboard;
    expect(d.chain).toMatchObject({
      state: "verified",
      verifiedThroughSeq: first!.seq,
      full: true,
      verifiedAt: minutes(5).toISOString(),
    });
    expect(figure(d, "unverified_events").value).toBe(total - 1);

    await t.db.insert(auditCheckpoints).values({
      verifiedThroughSeq: first!.seq,
      lastHash: first!.hash,
      full: false,
      ok: false,
      checked: 2,
      firstBadSeq: first!.seq + 1,
      failureReason: "hash mismatch",
      durationMs: 3,
      verifiedBy: as.auditor.id,
      verifiedAt: minutes(6),
    });
    d = (await getRoleDashboard(ctx("auditor"))) as AuditorDashboard;
    expect(d.chain).toMatchObject({
      state: "failed",
      firstBadSeq: first!.seq + 1,
      failureReason: "hash mismatch",
    });
  });

  it("evidence exports: the count and the last five, newest first", async () => {
    for (let i = 0; i < 7; i++) {
      await t.db.insert(evidenceExports).values({
        id: randomUUID(),
        sessionId: randomUUID(),
        requestedBy: as.auditor.id,
        archiveSha256: "a".repeat(64),
        manifestSha256: "b".repeat(64),
        keyFingerprint: "c".repeat(64),
        files: 10 + i,
        sizeBytes: 1000 + i,
        createdAt: minutes(i),
      });
    }
    const d = (await getRoleDashboard(ctx("auditor"))) as AuditorDashboard;
    expect(figure(d, "evidence_exports").value).toBe(7);
    expect(d.recentExports.map((e) => e.files)).toEqual([16, 15, 14, 13, 12]);
    expect(d.recentExports[0]).toMatchObject({
      requestedBy: as.auditor.email,
      createdAt: minutes(6).toISOString(),
    });
  });
});

describe(`the auditor's recent recalls (${testDriver()})`, () => {
  it("counts recalls raised and received in 30 days, and lists the latest five of both, newest first", async () => {
    const before = (await getRoleDashboard(ctx("auditor"))) as AuditorDashboard;
    const { id: partnerId } = await addPartner(t.db, {
      applicationId: app,
      diditApplicationId: randomUUID(),
      channel: "push",
      name: "Recalling partner",
    });
    const raised = async (at: Date, trigger: "declined" | "deleted") =>
      t.db.insert(recalls).values({
        applicationId: app,
        sessionId: randomUUID(),
        trigger,
        reason: `raised ${at.toISOString()}`,
        source: "webhook",
        noticeCount: 2,
        raisedAt: at,
      });
    const received = async (at: Date) =>
      t.db.insert(inboundRecalls).values({
        partnerId,
        remoteRecallId: randomUUID(),
        sourceSessionId: randomUUID(),
        trigger: "kyc_expired",
        reason: `received ${at.toISOString()}`,
        importCount: 1,
        recalledAt: at,
        receivedAt: at,
      });
    await raised(minutes(-60 * 24 * 31), "deleted"); // outside the 30-day window
    await raised(minutes(97), "declined");
    await raised(minutes(99), "declined");
    await received(minutes(98));
    await received(minutes(96));
    await received(minutes(95));
    await raised(minutes(94), "deleted");
    const d = (await getRoleDashboard(ctx("auditor"))) as AuditorDashboard;
    expect(figure(d, "recalls_recent").value - figure(before, "recalls_recent").value).toBe(6);
    expect(figure(d, "recalls_recent").href).toBe("/recalls");
    expect(d.recentRecalls.map((r) => [r.side, r.at])).toEqual([
      ["sent", minutes(99).toISOString()],
      ["received", minutes(98).toISOString()],
      ["sent", minutes(97).toISOString()],
      ["received", minutes(96).toISOString()],
      ["received", minutes(95).toISOString()],
    ]);
    expect(d.recentRecalls[1]).toMatchObject({
      partnerName: "Recalling partner",
      count: 1,
      trigger: "kyc_expired",
    });
    expect(d.recentRecalls[0]).toMatchObject({ partnerName: null, count: 2, trigger: "declined" });
  });
});

describe(`the administrator's dashboard (${testDriver()})`, () => {
  let dead: string;
  beforeAll(async () => {
    await t.db.delete(jobs);
    await insertJob({ queue: "share.deliver", state: "pending", attempts: 0 });
    await insertJob({ queue: "share.deliver", state: "pending", attempts: 0 });
    await insertJob({ queue: "share.deliver", state: "pending", attempts: 2 });
    await insertJob({ queue: "share.deliver", state: "done", attempts: 1 });
    dead = await insertJob({ queue: "share.deliver", state: "dead", attempts: 3 });
    await insertJob({
      queue: DIDIT_WEBHOOK_QUEUE,
      state: "dead",
      attempts: 3,
      payload: { applicationId: app, eventId: "e1" },
    });
    await insertJob({
      queue: DIDIT_WEBHOOK_QUEUE,
      state: "pending",
      attempts: 1,
      payload: { applicationId: app, eventId: "e2" },
    });
    await insertJob({
      queue: DIDIT_WEBHOOK_QUEUE,
      state: "done",
      attempts: 1,
      payload: { applicationId: otherApp, eventId: "e3" },
    });
    await insertJob({
      queue: DIDIT_WEBHOOK_QUEUE,
      state: "running",
      attempts: 1,
      payload: { applicationId: otherApp, eventId: "e4" },
    });
  });

  it("sync and webhook health per application, the queues, the dead letters", async () => {
    const d = (await getRoleDashboard(ctx("admin"))) as AdminDashboard;
    expect(d.role).toBe("admin");
    expect(values(d)).toEqual({
      sync_failed: 1,
      webhook_failures: 2,
      jobs_waiting: 2,
      jobs_failing: 2,
      jobs_dead: 2,
    });
    const bank = d.applications.find((a) => a.id === app)!;
    const pay = d.applications.find((a) => a.id === otherApp)!;
    expect(bank).toMatchObject({
      syncState: "failed",
      syncError: "Didit refused the API key",
      webhookFailures: 2,
      lastWebhookAt: null,
    });
    expect(pay).toMatchObject({
      syncState: "idle",
      webhookFailures: 0,
      lastWebhookAt: minutes(-3).toISOString(),
    });
    expect(d.queues).toEqual([
      { queue: DIDIT_WEBHOOK_QUEUE, waiting: 0, running: 1, failing: 1, dead: 1 },
      { queue: "share.deliver", waiting: 2, running: 0, failing: 1, dead: 1 },
    ]);
    expect(d.deadJobs.map((j) => j.id)).toContain(dead);
    expect(JSON.stringify(d)).not.toContain("payload");
  });

  it("retry: the dead job is pending again with fresh attempts, audited; a second retry is 404", async () => {
    const res = await retryRoute.POST(
      await request(`/api/jobs/${dead}/retry`, { method: "POST", user: as.admin, body: {} }),
      {
        params: Promise.resolve({ id: dead }),
      },
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ id: dead, state: "pending" });
    const [row] = await t.db.select().from(jobs).where(eq(jobs.id, dead));
    expect(row).toMatchObject({ state: "pending", attempts: 0, finishedAt: null });
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "job.retried"), eq(auditEvents.entityId, dead)));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(as.admin.id);
    expect(audit[0]!.data).toMatchObject({ queue: "share.deliver", attempts: 3 });

    const again = await retryRoute.POST(
      await request(`/api/jobs/${dead}/retry`, { method: "POST", user: as.admin, body: {} }),
      {
        params: Promise.resolve({ id: dead }),
      },
    );
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("not_found");
    await expect(retryJob(ctx("admin"), randomUUID())).rejects.toMatchObject({ code: "not_found" });
  });

  it("bad input and other roles: 4xx, nothing changed", async () => {
    const other = await insertJob({ queue: "share.deliver", state: "dead", attempts: 3 });
    const bad = await retryRoute.POST(
      await request(`/api/jobs/nope/retry`, { method: "POST", user: as.admin, body: {} }),
      {
        params: Promise.resolve({ id: "nope" }),
      },
    );
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    for (const role of ["officer", "partnerships", "auditor"] as const) {
      await expect(retryJob(ctx(role), other)).rejects.toMatchObject({ code: "forbidden" });
    }
    const [row] = await t.db.select().from(jobs).where(eq(jobs.id, other));
    expect(row!.state).toBe("dead");
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.entityId, other));
    expect(audit).toHaveLength(0);
  });
});

describe(`role isolation and the API (${testDriver()})`, () => {
  it("each role gets its own dashboard only, and the API answers the same figures", async () => {
    const keys: Record<Role, string[]> = {
      officer: ["figures", "role"],
      partnerships: ["figures", "role"],
      auditor: ["chain", "figures", "lastEventAt", "recentExports", "recentRecalls", "role"],
      admin: ["applications", "deadJobs", "figures", "queues", "role"],
    };
    const ids = new Set<string>();
    for (const role of ["officer", "partnerships", "auditor", "admin"] as const) {
      const d = await getRoleDashboard(contextOf(t.db, as[role]));
      expect(d.role).toBe(role);
      expect(Object.keys(d).sort()).toEqual(keys[role]);
      for (const f of d.figures) {
        expect(ids.has(f.id), `${f.id} appears on two dashboards`).toBe(false);
        ids.add(f.id);
      }
      const api = await apiDashboard(as[role]);
      expect(api.status).toBe(200);
      expect((api.body as RoleDashboard).role).toBe(role);
      expect(values(api.body as RoleDashboard)).toEqual(values(d));
    }
  });

  it("anonymous: 401 with the envelope", async () => {
    const res = await dashboardRoute.GET(await request("/api/dashboard"));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
  });
});
