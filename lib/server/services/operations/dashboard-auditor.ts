import "server-only";
import { count, desc, eq, gt, sql } from "drizzle-orm";
import {
  auditCheckpoints,
  auditEvents,
  evidenceExports,
  inboundRecalls,
  partners,
  recalls,
  users,
} from "@/lib/server/db/schema";
import { type ServiceContext } from "@/lib/server/kernel";
import {
  isoOf,
  n,
  RECENT_EXPORTS,
  RECENT_RECALLS,
  RECALL_WINDOW_DAYS,
  type AuditorDashboard,
  type AuditChainState,
  type RecallSummary,
} from "./dashboard-types";

/** The auditor's dashboard: the audit chain, evidence exports and recalls. */

// Long on purpose: one Promise.all of independent aggregates (one per figure), then the figures
// built beside their query; split up, a figure would sit far from the SQL it counts.
export async function auditorDashboard(ctx: ServiceContext): Promise<AuditorDashboard> {
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
