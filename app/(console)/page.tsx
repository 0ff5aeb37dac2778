import { ArrowRight, History, LayoutGrid, ScrollText, Server, Users } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { RoleDashboardView } from "@/components/dashboard/role-dashboard";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { PageHeader } from "@/components/ui/page-header";
import { navigationFor } from "@/lib/navigation";
import { ROLE_LABELS, ROLES } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";
import { getDb, getDriver } from "@/lib/server/db/client";
import { createContext } from "@/lib/server/kernel";
import { getDashboard, getRoleDashboard, getHealth } from "@/lib/server/services/operations";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const { actor } = await requirePageActor("dashboard.view");
  const db = await getDb();
  const ctx = createContext(db, { actor, requestId: "page" });
  const [data, roleDashboard, health] = await Promise.all([
    getDashboard(ctx),
    getRoleDashboard(ctx),
    getDriver().then((driver) => getHealth(db, driver)),
  ]);
  const pages = navigationFor(actor.role).filter((p) => p.href !== "/");
  const usersByRole = data.usersByRole;
  return (
    <>
      <PageHeader
        title={`Welcome, ${actor.name}`}
        description={`You are signed in as ${ROLE_LABELS[actor.role].toLowerCase()}.`}
      />
      <RoleDashboardView data={roleDashboard} />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card
          title={
            <>
              <Server aria-hidden /> System
            </>
          }
        >
          <dl className="space-y-2 text-sm">
            <div className="flex justify-between">
              <dt className="text-slate-600">Status</dt>
              <dd>
                <Badge tone={health.status === "ok" ? "success" : "warning"}>{health.status}</Badge>
              </dd>
            </div>
            <div className="flex justify-between">
              <dt className="text-slate-600">Database</dt>
              <dd>{health.database === "pglite" ? "Embedded (PGlite)" : "PostgreSQL"}</dd>
            </div>
            <div className="flex justify-between">
              <dt className="text-slate-600">Migrations</dt>
              <dd>
                {health.migrations.applied}/{health.migrations.expected} applied
              </dd>
            </div>
            <div className="flex justify-between">
              <dt className="text-slate-600">Version</dt>
              <dd>{health.version}</dd>
            </div>
          </dl>
        </Card>
        <Card
          title={
            <>
              <History aria-hidden /> Your recent sign-ins
            </>
          }
        >
          {data.myRecentLogins.length === 0 ? (
            <p className="text-sm text-slate-600">This is your first sign-in.</p>
          ) : (
            <ul className="space-y-1 text-sm text-slate-700">
              {data.myRecentLogins.map((l) => (
                <li key={l.occurredAt}>
                  <DateTime value={l.occurredAt} withRelative />
                  {l.ip && <span className="text-slate-600"> from {l.ip}</span>}
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card
          title={
            <>
              <LayoutGrid aria-hidden /> Where to go
            </>
          }
        >
          {pages.length === 0 ? (
            <p className="text-sm text-slate-600">
              Your workspace pages (sessions, shares, inbox, reviews, partners) appear here as they are
              enabled for your role.
            </p>
          ) : (
            <ul className="space-y-1 text-sm">
              {pages.map((p) => (
                <li key={p.href}>
                  <Link
                    className="inline-flex items-center gap-1 font-medium text-brand-600 hover:underline"
                    href={p.href}
                  >
                    {p.label} <ArrowRight className="size-3.5" aria-hidden />
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
        {usersByRole && (
          <Card
            title={
              <>
                <Users aria-hidden /> Active users by role
              </>
            }
          >
            <ul className="space-y-1 text-sm">
              {ROLES.map((role) => (
                <li key={role} className="flex justify-between">
                  <span className="text-slate-600">{ROLE_LABELS[role]}</span>
                  <span className="font-medium tabular-nums">
                    {usersByRole.find((r) => r.role === role)?.active ?? 0}
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        )}
        {data.recentEvents && (
          <Card
            title={
              <>
                <ScrollText aria-hidden /> Latest audit events
              </>
            }
            className="lg:col-span-2"
            actions={
              <Link href="/audit" className="text-sm font-medium text-brand-600 hover:underline">
                Open the audit trail
              </Link>
            }
          >
            {data.recentEvents.length === 0 ? (
              <p className="text-sm text-slate-600">Nothing has been recorded yet.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {data.recentEvents.map((e) => (
                  <li key={e.id} className="flex flex-wrap justify-between gap-2 py-1.5">
                    <span>
                      <code className="rounded bg-slate-100 px-1 text-xs text-slate-800">{e.action}</code>{" "}
                      <span className="text-slate-600">by {e.actorLabel}</span>
                    </span>
                    <DateTime value={e.occurredAt} className="text-slate-600" />
                  </li>
                ))}
              </ul>
            )}
          </Card>
        )}
      </div>
    </>
  );
}
