import "server-only";
import { and, asc, count, desc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { can } from "@/lib/rbac";
import { AGREEMENT_EXPIRY_WARNING_DAYS } from "@/lib/schemas/partners";
import {
  auditCheckpoints,
  auditEvents,
  connectedApplications,
  evidenceExports,
  importDecisions,
  imports,
  inboundRecalls,
  inboxItems,
  jobs,
  partnerSecrets,
  partners,
  recallNotices,
  recalls,
  shareDeliveries,
  shares,
  users,
} from "@/lib/server/db/schema";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { listDeadJobs, retryDeadJob } from "@/lib/server/jobs/admin";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { DIDIT_WEBHOOK_QUEUE } from "@/lib/server/services/applications";

export type DashboardData = {
  usersByRole: { role: string; active: number }[] | null;
  recentEvents: { id: string; occurredAt: string; actorLabel: string; action: string }[] | null;
  myRecentLogins: { occurredAt: string; ip: string | null }[];
};

export async function getDashboard(ctx: ServiceContext): Promise<DashboardData> {
  const actor = ctx.actor!;
  const [usersByRole, recentEvents, myRecentLogins] = await Promise.all([
    can(actor.role, "users.manage")
      ? ctx.db
          .select({ role: users.role, active: count() })
          .from(users)
          .where(eq(users.status, "active"))
          .groupBy(users.role)
      : null,
    can(actor.role, "audit.read")
      ? ctx.db
          .select({
            id: auditEvents.id,
            occurredAt: auditEvents.occurredAt,
            actorLabel: auditEvents.actorLabel,
            action: auditEvents.action,
          })
          .from(auditEvents)
          .orderBy(desc(auditEvents.seq))
          .limit(8)
      : null,
    ctx.db
      .select({ occurredAt: auditEvents.occurredAt, ip: auditEvents.ip })
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, actor.id), eq(auditEvents.action, "auth.login")))
      .orderBy(desc(auditEvents.seq))
      .limit(3),
  ]);
  return {
    usersByRole: usersByRole?.map((r) => ({ role: r.role, active: Number(r.active) })) ?? null,
    recentEvents: recentEvents?.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })) ?? null,
    myRecentLogins: myRecentLogins.map((e) => ({ occurredAt: e.occurredAt.toISOString(), ip: e.ip })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Dashboards per role (`GET /api/dashboard` and the home page): each figure one SQL aggregate over the
// records, with the page (and its URL filters) it comes from.
// ---------------------------------------------------------------------------------------------------

/** One figure of a dashboard: its number, a short label, and the page listing what it counts. */
export type DashboardFigure = {
  id: string;
  label: string;
  value: number;
  href: string;
  /** What the figure counts, and what to do about it. */
  hint: string;
  /** Said instead of the hint when the figure is zero. */
  empty: string;
};

export type OfficerDashboard = { role: "officer"; figures: DashboardFigure[] };
export type PartnershipsDashboard = { role: "partnerships"; figures: DashboardFigure[] };

export type AuditChainState = {
  /** `unverified` when no verification has been recorded yet. */
  state: "verified" | "failed" | "unverified";
  verifiedThroughSeq: number | null;
  verifiedAt: string | null;
  full: boolean | null;
  firstBadSeq: number | null;
  failureReason: string | null;
  /** Events recorded after the verified prefix. */
  unverifiedEvents: number;
};

export type EvidenceExportSummary = {
  id: string;
  sessionId: string;
  requestedBy: string;
  files: number;
  sizeBytes: number;
  keyFingerprint: string;
  createdAt: string;
};

/** A recall we raised (sent: our source changed) or a partner's we received, for the auditor. */
export type RecallSummary = {
  id: string;
  side: "sent" | "received";
  /** The source session (ours when sent, the partner's when received). */
  sessionId: string;
  trigger: string;
  reason: string;
  /** The partner that told us (received); null when sent (one recall may go to several partners). */
  partnerName: string | null;
  /** Sent: notices made; received: our imports it marked recalled. */
  count: number;
  at: string;
};

export type AuditorDashboard = {
  role: "auditor";
  figures: DashboardFigure[];
  chain: AuditChainState;
  lastEventAt: string | null;
  recentExports: EvidenceExportSummary[];
  recentRecalls: RecallSummary[];
};

export type ApplicationHealth = {
  id: string;
  name: string;
  environment: string;
  syncState: string;
  syncFinishedAt: string | null;
  syncError: string | null;
  lastWebhookAt: string | null;
  webhookError: string | null;
  /** `didit.webhook` jobs of this application retrying or dead-lettered. */
  webhookFailures: number;
};

export type DashboardJob = {
  id: string;
  queue: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  finishedAt: string | null;
};

export type AdminDashboard = {
  role: "admin";
  figures: DashboardFigure[];
  applications: ApplicationHealth[];
  queues: { queue: string; waiting: number; running: number; failing: number; dead: number }[];
  deadJobs: DashboardJob[];
};

export type RoleDashboard = OfficerDashboard | PartnershipsDashboard | AuditorDashboard | AdminDashboard;

/** Tokens expiring within this window are "about to expire". */
export const EXPIRING_SOON_MS = 60 * 60_000;
export const RECENT_EXPORTS = 5;
export const RECENT_RECALLS = 5;
/** The auditor's recall figure counts this many days back. */
export const RECALL_WINDOW_DAYS = 30;
export const DEAD_JOBS_SHOWN = 20;

const IN_REVIEW = "In Review";

function n(value: unknown): number {
  return Number(value ?? 0);
}

function isoOf(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function at(now: Date): SQL {
  return sql`${now.toISOString()}::timestamptz`;
}

async function officerDashboard(ctx: ServiceContext): Promise<OfficerDashboard> {
  const now = ctx.now();
  const soon = new Date(now.getTime() + EXPIRING_SOON_MS);
  const me = ctx.actor!.id;
  const recalled = sql`(${imports.recalledAt} is not null and ${imports.recallClearedAt} is null)`;
  const [[reviews], [inbox], [outgoing], [tasks]] = await Promise.all([
    ctx.db
      .select({
        queue: sql<number>`count(*)`,
        overdue: sql<number>`count(*) filter (where ${imports.finishedAt} + make_interval(hours => ${partners.reviewSlaHours}) < ${at(now)})`,
        proposals: sql<number>`count(*) filter (where exists (select 1 from ${importDecisions} where ${importDecisions.importId} = ${imports.id} and ${importDecisions.state} = 'proposed'))`,
        mine: sql<number>`count(*) filter (where ${imports.assignedTo} = ${me}::uuid)`,
        recalled: sql<number>`count(*) filter (where ${recalled})`,
      })
      .from(imports)
      .innerJoin(partners, eq(partners.id, imports.partnerId))
      // The queue: clones In Review, and recalled imports waiting for a new decision.
      .where(and(eq(imports.state, "imported"), or(eq(imports.status, IN_REVIEW), recalled))),
    ctx.db
      .select({
        waiting: sql<number>`count(*)`,
        expiring: sql<number>`count(*) filter (where ${inboxItems.expiresAt} <= ${at(soon)})`,
      })
      .from(inboxItems)
      .where(and(eq(inboxItems.state, "pending"), gt(inboxItems.expiresAt, now))),
    ctx.db
      .select({ expiring: sql<number>`count(*)` })
      .from(shares)
      .where(and(eq(shares.state, "pending"), gt(shares.expiresAt, now), lte(shares.expiresAt, soon))),
    ctx.db.select({ open: count() }).from(recallNotices).where(eq(recallNotices.state, "open")),
  ]);
  return {
    role: "officer",
    figures: [
      {
        id: "review_queue",
        label: "In the review queue",
        value: n(reviews?.queue),
        href: "/reviews",
        hint: "Imported verifications In Review, and recalled ones, waiting for a decision.",
        empty: "Nothing to review: imports land here when a clone comes back In Review or is recalled.",
      },
      {
        id: "recalled_imports",
        label: "Recalled by the partner",
        value: n(reviews?.recalled),
        href: "/reviews?recalled=true",
        hint: "The partner's source changed after we imported (declined, deleted, expired): review these again.",
        empty: "No partner has recalled a verification we imported.",
      },
      {
        id: "overdue_reviews",
        label: "Overdue reviews",
        value: n(reviews?.overdue),
        href: "/reviews?overdue=true",
        hint: "Past the partner's review SLA: decide these first.",
        empty: "No review is past its partner's SLA.",
      },
      {
        id: "awaiting_second_approval",
        label: "Awaiting a second approval",
        value: n(reviews?.proposals),
        href: "/reviews",
        hint: "A first officer proposed a decision; another officer confirms it (listed first in the queue).",
        empty: "No proposal waits for a second officer.",
      },
      {
        id: "assigned_to_me",
        label: "Assigned to me",
        value: n(reviews?.mine),
        href: "/reviews?assignee=me",
        hint: "Reviews in the queue assigned to you.",
        empty: "Nothing is assigned to you: take one from the queue.",
      },
      {
        id: "inbox_waiting",
        label: "Waiting in the inbox",
        value: n(inbox?.waiting),
        href: "/inbox?state=pending",
        hint: "Tokens partners sent that are still valid and not yet imported.",
        empty: "The inbox is empty: partners' tokens arrive here, or paste one on the inbox page.",
      },
      {
        id: "inbox_expiring",
        label: "Received tokens expiring within an hour",
        value: n(inbox?.expiring),
        href: "/inbox?state=pending",
        hint: "Import them before they expire, or ask the partner for a new share.",
        empty: "No received token expires within the hour.",
      },
      {
        id: "shares_expiring_undelivered",
        label: "Our tokens expiring undelivered within an hour",
        value: n(outgoing?.expiring),
        href: "/shares?state=pending",
        hint: "Shares still pending delivery: check the partner's channel, or reveal the token to hand it over.",
        empty: "Every share due within the hour is delivered.",
      },
      {
        id: "recall_tasks_open",
        label: "Partners to tell of a recall",
        value: n(tasks?.open),
        href: "/recalls?side=sent&state=open",
        hint: "A source we shared changed; these partners have no push channel: tell them, then mark it done.",
        empty: "No recall is waiting to be told to a partner.",
      },
    ],
  };
}

async function partnershipsDashboard(ctx: ServiceContext): Promise<PartnershipsDashboard> {
  const now = ctx.now();
  const today = now.toISOString().slice(0, 10);
  const warnUntil = new Date(Date.parse(`${today}T00:00:00Z`) + AGREEMENT_EXPIRY_WARNING_DAYS * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const activeSecret = sql`exists (select 1 from ${partnerSecrets} where ${partnerSecrets.partnerId} = ${partners.id} and (${partnerSecrets.expiresAt} is null or ${partnerSecrets.expiresAt} > ${at(now)}))`;
  const lastDelivery = sql`(select ${shareDeliveries.outcome} from ${shareDeliveries} where ${shareDeliveries.shareId} = ${shares.id} order by ${shareDeliveries.attempt} desc, ${shareDeliveries.finishedAt} desc limit 1)`;
  const [[p], [d], [r]] = await Promise.all([
    ctx.db
      .select({
        // As the list it links to: only an agreement in force (a reference and a signing date) can be ending.
        expiring: sql<number>`count(*) filter (where ${partners.agreementExpiresOn} >= ${today}::date and ${partners.agreementExpiresOn} <= ${warnUntil}::date
          and btrim(coalesce(${partners.agreementReference}, '')) <> '' and ${partners.agreementSignedOn} is not null)`,
        suspended: sql<number>`count(*) filter (where ${partners.status} = 'suspended')`,
        noSecret: sql<number>`count(*) filter (where not ${activeSecret})`,
      })
      .from(partners),
    ctx.db
      .select({
        failed: sql<number>`count(*) filter (where ${shares.state} = 'failed')`,
        retrying: sql<number>`count(*) filter (where ${shares.state} = 'pending' and ${lastDelivery} = 'retrying')`,
      })
      .from(shares)
      .where(inArray(shares.state, ["failed", "pending"])),
    ctx.db
      .select({ failing: count() })
      .from(recallNotices)
      .where(
        and(
          eq(recallNotices.channel, "push"),
          or(
            eq(recallNotices.state, "failed"),
            and(eq(recallNotices.state, "pending"), gt(recallNotices.attempts, 0)),
          ),
        ),
      ),
  ]);
  return {
    role: "partnerships",
    figures: [
      {
        id: "agreements_expiring",
        label: `Agreements expiring within ${AGREEMENT_EXPIRY_WARNING_DAYS} days`,
        value: n(p?.expiring),
        href: "/partners?expiring=true",
        hint: "Renew the data-sharing agreement and record its new end date, or sharing stops when it ends.",
        empty: "No agreement ends within 30 days.",
      },
      {
        id: "suspended_partners",
        label: "Suspended partners",
        value: n(p?.suspended),
        href: "/partners?status=suspended",
        hint: "Nothing is shared with or imported from them until they are reinstated.",
        empty: "No partner is suspended.",
      },
      {
        id: "failed_deliveries",
        label: "Failed deliveries",
        value: n(d?.failed),
        href: "/shares?state=failed",
        hint: "Shares whose delivery gave up: check the partner's push URL, then share again.",
        empty: "No delivery has failed.",
      },
      {
        id: "retrying_deliveries",
        label: "Deliveries retrying",
        value: n(d?.retrying),
        href: "/shares?state=pending",
        hint: "The partner's endpoint refused or did not answer; Handoff tries again.",
        empty: "No delivery is being retried.",
      },
      {
        id: "partners_without_secret",
        label: "Partners without a valid signing secret",
        value: n(p?.noSecret),
        href: "/partners",
        hint: "Rotate the partner's secret on its page so signed pushes and receipts verify.",
        empty: "Every partner has a valid signing secret.",
      },
      {
        id: "recall_pushes_failing",
        label: "Recall notices failing",
        value: n(r?.failing),
        href: "/recalls?side=sent&state=failed",
        hint: "Recall pushes the partner's endpoint refused or did not answer: check its inbox URL, then retry.",
        empty: "Every recall push reached its partner.",
      },
    ],
  };
}

async function auditorDashboard(ctx: ServiceContext): Promise<AuditorDashboard> {
  const since = new Date(ctx.now().getTime() - RECALL_WINDOW_DAYS * 86_400_000);
  const [[events], [checkpoint], [exportsCount], recent, [sentCount], [receivedCount], sent, received] =
    await Promise.all([
      ctx.db
        .select({
          total: sql<number>`count(*)`,
          lastAt: sql<Date | string | null>`max(${auditEvents.occurredAt})`,
        })
        .from(auditEvents),
      ctx.db
        .select()
        .from(auditCheckpoints)
        .orderBy(desc(auditCheckpoints.verifiedAt), desc(auditCheckpoints.verifiedThroughSeq))
        .limit(1),
      ctx.db.select({ total: sql<number>`count(*)` }).from(evidenceExports),
      ctx.db
        .select({ e: evidenceExports, email: users.email })
        .from(evidenceExports)
        .innerJoin(users, eq(users.id, evidenceExports.requestedBy))
        .orderBy(desc(evidenceExports.createdAt), desc(evidenceExports.id))
        .limit(RECENT_EXPORTS),
      ctx.db.select({ total: count() }).from(recalls).where(gt(recalls.raisedAt, since)),
      ctx.db.select({ total: count() }).from(inboundRecalls).where(gt(inboundRecalls.receivedAt, since)),
      ctx.db.select().from(recalls).orderBy(desc(recalls.raisedAt), desc(recalls.id)).limit(RECENT_RECALLS),
      ctx.db
        .select({ r: inboundRecalls, partnerName: partners.name })
        .from(inboundRecalls)
        .innerJoin(partners, eq(partners.id, inboundRecalls.partnerId))
        .orderBy(desc(inboundRecalls.receivedAt), desc(inboundRecalls.id))
        .limit(RECENT_RECALLS),
    ]);
  const recentRecalls: RecallSummary[] = [
    ...sent.map((r) => ({
      id: r.id,
      side: "sent" as const,
      sessionId: r.sessionId,
      trigger: r.trigger,
      reason: r.reason,
      partnerName: null,
      count: r.noticeCount,
      at: r.raisedAt.toISOString(),
    })),
    ...received.map(({ r, partnerName }) => ({
      id: r.id,
      side: "received" as const,
      sessionId: r.sourceSessionId,
      trigger: r.trigger,
      reason: r.reason,
      partnerName,
      count: r.importCount,
      at: r.receivedAt.toISOString(),
    })),
  ]
    .sort((a, b) => (a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at)))
    .slice(0, RECENT_RECALLS);
  const total = n(events?.total);
  const through = checkpoint?.ok ? checkpoint.verifiedThroughSeq : null;
  const [after] =
    through === null
      ? [{ count: total }]
      : await ctx.db
          .select({ count: sql<number>`count(*)` })
          .from(auditEvents)
          .where(gt(auditEvents.seq, through));
  const chain: AuditChainState = {
    state: !checkpoint ? "unverified" : checkpoint.ok ? "verified" : "failed",
    verifiedThroughSeq: checkpoint?.verifiedThroughSeq ?? null,
    verifiedAt: isoOf(checkpoint?.verifiedAt),
    full: checkpoint?.full ?? null,
    firstBadSeq: checkpoint?.firstBadSeq ?? null,
    failureReason: checkpoint?.failureReason ?? null,
    unverifiedEvents: n(after?.count),
  };
  return {
    role: "auditor",
    figures: [
      {
        id: "audit_events",
        label: "Audit events recorded",
        value: total,
        href: "/audit",
        hint: "Every sign-in, administration step and hand-off, hash-chained.",
        empty: "Nothing has been recorded yet.",
      },
      {
        id: "unverified_events",
        label: "Events not yet verified",
        value: chain.unverifiedEvents,
        href: "/audit",
        hint: "Verify the chain on the audit page: only the events after the verified prefix are walked.",
        empty: "The whole chain is verified.",
      },
      {
        id: "evidence_exports",
        label: "Evidence packs exported",
        value: n(exportsCount?.total),
        href: "/audit?action=evidence.exported",
        hint: "Signed archives a regulator can verify offline, downloaded from a session's lineage page.",
        empty: "No evidence pack yet: download one from a session's lineage page.",
      },
      {
        id: "recalls_recent",
        label: `Recalls in the last ${RECALL_WINDOW_DAYS} days`,
        value: n(sentCount?.total) + n(receivedCount?.total),
        href: "/recalls",
        hint: "Sources that changed after they were shared: recalls we raised, and those partners sent us.",
        empty: `No recall raised or received in ${RECALL_WINDOW_DAYS} days.`,
      },
    ],
    chain,
    lastEventAt: isoOf(events?.lastAt),
    recentExports: recent.map((r) => ({
      id: r.e.id,
      sessionId: r.e.sessionId,
      requestedBy: r.email,
      files: r.e.files,
      sizeBytes: r.e.sizeBytes,
      keyFingerprint: r.e.keyFingerprint,
      createdAt: r.e.createdAt.toISOString(),
    })),
    recentRecalls,
  };
}

async function adminDashboard(ctx: ServiceContext): Promise<AdminDashboard> {
  const appId = sql`(${jobs.payload} ->> 'applicationId')`;
  const [apps, webhookFailures, perQueue, dead] = await Promise.all([
    ctx.db
      .select()
      .from(connectedApplications)
      .where(isNull(connectedApplications.deletedAt))
      .orderBy(asc(connectedApplications.name), asc(connectedApplications.id)),
    ctx.db
      .select({ applicationId: sql<string>`${appId}`, failures: sql<number>`count(*)` })
      .from(jobs)
      .where(
        and(
          eq(jobs.queue, DIDIT_WEBHOOK_QUEUE),
          or(eq(jobs.state, "dead"), and(eq(jobs.state, "pending"), gt(jobs.attempts, 0))),
        ),
      )
      .groupBy(appId),
    ctx.db
      .select({
        queue: jobs.queue,
        waiting: sql<number>`count(*) filter (where ${jobs.state} = 'pending' and ${jobs.attempts} = 0)`,
        running: sql<number>`count(*) filter (where ${jobs.state} = 'running')`,
        failing: sql<number>`count(*) filter (where ${jobs.state} = 'pending' and ${jobs.attempts} > 0)`,
        dead: sql<number>`count(*) filter (where ${jobs.state} = 'dead')`,
      })
      .from(jobs)
      .where(inArray(jobs.state, ["pending", "running", "dead"]))
      .groupBy(jobs.queue)
      .orderBy(asc(jobs.queue)),
    listDeadJobs(ctx.db, { limit: DEAD_JOBS_SHOWN }),
  ]);
  const failuresOf = new Map(webhookFailures.map((w) => [w.applicationId, n(w.failures)]));
  const queues = perQueue.map((q) => ({
    queue: q.queue,
    waiting: n(q.waiting),
    running: n(q.running),
    failing: n(q.failing),
    dead: n(q.dead),
  }));
  const sum = (key: "waiting" | "failing" | "dead") => queues.reduce((s, q) => s + q[key], 0);
  return {
    role: "admin",
    figures: [
      {
        id: "sync_failed",
        label: "Applications whose sync failed",
        value: apps.filter((a) => a.syncState === "failed").length,
        href: "/applications",
        hint: "Check the application's API key, then sync again from its page.",
        empty: "Every application's sync is healthy.",
      },
      {
        id: "webhook_failures",
        label: "Didit webhook events failing",
        value: [...failuresOf.values()].reduce((s, v) => s + v, 0),
        href: "/applications",
        hint: "Webhook events retrying or dead-lettered: the session picker and review statuses lag.",
        empty: "Every Didit webhook event was processed.",
      },
      {
        id: "jobs_waiting",
        label: "Jobs waiting",
        value: sum("waiting"),
        href: "/#job-queue",
        hint: "Background work due or scheduled, not yet attempted.",
        empty: "No background work is waiting.",
      },
      {
        id: "jobs_failing",
        label: "Jobs failing (retrying)",
        value: sum("failing"),
        href: "/#job-queue",
        hint: "Attempted and failed at least once; retried with backoff.",
        empty: "No job is failing.",
      },
      {
        id: "jobs_dead",
        label: "Jobs dead-lettered",
        value: sum("dead"),
        href: "/#dead-jobs",
        hint: "Out of attempts: fix the cause, then retry them below.",
        empty: "No dead-lettered job.",
      },
    ],
    applications: apps.map((a) => ({
      id: a.id,
      name: a.name,
      environment: a.environment,
      syncState: a.syncState,
      syncFinishedAt: isoOf(a.syncFinishedAt),
      syncError: a.syncError,
      lastWebhookAt: isoOf(a.lastWebhookAt),
      webhookError: a.webhookError,
      webhookFailures: failuresOf.get(a.id) ?? 0,
    })),
    queues,
    deadJobs: dead.map((j) => ({
      id: j.id,
      queue: j.queue,
      attempts: j.attempts,
      maxAttempts: j.maxAttempts,
      lastError: j.lastError,
      finishedAt: isoOf(j.finishedAt),
    })),
  };
}

/** `GET /api/dashboard`: the caller's role's dashboard, and only that one. */
export async function getRoleDashboard(ctx: ServiceContext): Promise<RoleDashboard> {
  assertCan(ctx, "dashboard.view");
  switch (ctx.actor!.role) {
    case "officer":
      return officerDashboard(ctx);
    case "partnerships":
      return partnershipsDashboard(ctx);
    case "auditor":
      return auditorDashboard(ctx);
    case "admin":
      return adminDashboard(ctx);
  }
}

/** `POST /api/jobs/{id}/retry` (admin): a dead-lettered job gets a fresh set of attempts, audited. */
export async function retryJob(ctx: ServiceContext, id: string): Promise<{ id: string; state: "pending" }> {
  assertCan(ctx, "applications.manage");
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const [job] = await tx
      .select({ queue: jobs.queue, attempts: jobs.attempts, state: jobs.state })
      .from(jobs)
      .where(eq(jobs.id, id))
      .for("update");
    if (!job || job.state !== "dead") throw new AppError("not_found", "No such dead-lettered job.");
    const outcome = await retryDeadJob(tx, { id, now });
    if (outcome === "conflict") {
      throw new AppError("conflict", "The same job is already queued: wait for it to run.");
    }
    if (outcome === "not_found") throw new AppError("not_found", "No such dead-lettered job.");
    await recordAudit(tx, auditMeta(ctx), {
      action: "job.retried",
      entityType: "job",
      entityId: id,
      data: { queue: job.queue, attempts: job.attempts },
    });
    return { id, state: "pending" as const };
  });
}
