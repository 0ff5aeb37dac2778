import "server-only";
import { and, count, desc, eq } from "drizzle-orm";
import { can } from "@/lib/rbac";
import { auditEvents, users } from "@/lib/server/db/schema";
import type { ServiceContext } from "./context";

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
