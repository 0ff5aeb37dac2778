import "server-only";
import { and, count, desc, eq } from "drizzle-orm";
import { can } from "@/lib/rbac";
import { auditEvents, jobs, users } from "@/lib/server/db/schema";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { retryDeadJob } from "@/lib/server/jobs/admin";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { officerDashboard, partnershipsDashboard } from "./dashboard-officer";
import { auditorDashboard } from "./dashboard-auditor";
import { adminDashboard } from "./dashboard-admin";
import type { RoleDashboard } from "./dashboard-types";

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
