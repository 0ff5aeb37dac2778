import "server-only";
import { and, asc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import { connectedApplications, jobs } from "@/lib/server/db/schema";
import { type ServiceContext } from "@/lib/server/kernel";
import { listDeadJobs } from "@/lib/server/jobs/admin";
import { DIDIT_WEBHOOK_QUEUE } from "@/lib/server/services/applications";
import { isoOf, n, DEAD_JOBS_SHOWN, type AdminDashboard } from "./dashboard-types";

/** The admin's dashboard: applications' health and dead-lettered jobs. */

// Long on purpose: one Promise.all of independent aggregates (one per figure), then the figures
// built beside their query; split up, a figure would sit far from the SQL it counts.
export async function adminDashboard(ctx: ServiceContext): Promise<AdminDashboard> {
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
