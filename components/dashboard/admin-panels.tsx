import { Inbox, ListChecks, RefreshCw, Skull } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AdminDashboard } from "@/lib/server/services/operations";
import { RetryJobButton } from "./retry-job-button";

const SYNC_TONES = { idle: "success", queued: "info", running: "info", failed: "danger" } as const;

/** Sync and webhook health per application, the job queues, and the dead letters with Retry. */
export function AdminPanels({ data }: { data: AdminDashboard }) {
  return (
    <div className="grid gap-6">
      <Card
        title={
          <>
            <RefreshCw aria-hidden /> Applications: sync and Didit webhooks
          </>
        }
        actions={
          <Link href="/applications" className="text-sm font-medium text-brand-700 hover:underline">
            Manage applications
          </Link>
        }
      >
        {data.applications.length === 0 ? (
          <EmptyState title="No application connected" icon={RefreshCw}>
            Connect a Didit application with its API key on the applications page to start syncing sessions.
          </EmptyState>
        ) : (
          <Table aria-label="Sync and webhook health per application">
            <TableHeader>
              <TableRow>
                <TableHead>Application</TableHead>
                <TableHead>Sync</TableHead>
                <TableHead>Last synced</TableHead>
                <TableHead>Last webhook event</TableHead>
                <TableHead>Webhook failures</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.applications.map((a) => (
                <TableRow key={a.id}>
                  <TableCell className="font-medium">
                    {a.name} <span className="text-xs text-slate-600">({a.environment})</span>
                  </TableCell>
                  <TableCell>
                    <Badge tone={SYNC_TONES[a.syncState as keyof typeof SYNC_TONES] ?? "neutral"}>
                      {a.syncState}
                    </Badge>
                    {a.syncError && <p className="mt-1 text-xs text-red-700">{a.syncError}</p>}
                  </TableCell>
                  <TableCell>
                    {a.syncFinishedAt ? <DateTime value={a.syncFinishedAt} withRelative /> : "Never"}
                  </TableCell>
                  <TableCell>
                    {a.lastWebhookAt ? <DateTime value={a.lastWebhookAt} withRelative /> : "None received"}
                    {a.webhookError && <p className="mt-1 text-xs text-red-700">{a.webhookError}</p>}
                  </TableCell>
                  <TableCell className="tabular-nums">
                    {a.webhookFailures > 0 ? <Badge tone="danger">{a.webhookFailures}</Badge> : "0"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card
          id="job-queue"
          title={
            <>
              <ListChecks aria-hidden /> Job queue
            </>
          }
        >
          {data.queues.length === 0 ? (
            <EmptyState title="The queue is empty" icon={Inbox}>
              Deliveries, webhook events and syncs are queued here as they happen; nothing is waiting now.
            </EmptyState>
          ) : (
            <Table aria-label="Jobs per queue and state">
              <TableHeader>
                <TableRow>
                  <TableHead>Queue</TableHead>
                  <TableHead className="text-right">Waiting</TableHead>
                  <TableHead className="text-right">Running</TableHead>
                  <TableHead className="text-right">Failing</TableHead>
                  <TableHead className="text-right">Dead</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {data.queues.map((q) => (
                  <TableRow key={q.queue}>
                    <TableCell>
                      <code className="text-xs">{q.queue}</code>
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{q.waiting}</TableCell>
                    <TableCell className="text-right tabular-nums">{q.running}</TableCell>
                    <TableCell className="text-right tabular-nums">{q.failing}</TableCell>
                    <TableCell className="text-right tabular-nums">{q.dead}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </Card>
        <Card
          id="dead-jobs"
          title={
            <>
              <Skull aria-hidden /> Dead-lettered jobs
            </>
          }
        >
          {data.deadJobs.length === 0 ? (
            <EmptyState title="No dead-lettered job" icon={Skull}>
              A job that runs out of attempts lands here; fix its cause, then retry it.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" aria-label="Dead-lettered jobs">
              {data.deadJobs.map((j) => (
                <li key={j.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span className="min-w-0">
                    <code className="text-xs">{j.queue}</code>{" "}
                    <span className="text-slate-600">
                      {j.attempts}/{j.maxAttempts} attempts
                      {j.finishedAt && (
                        <>
                          , gave up <DateTime value={j.finishedAt} />
                        </>
                      )}
                    </span>
                    {j.lastError && <p className="mt-0.5 break-all text-xs text-red-700">{j.lastError}</p>}
                  </span>
                  <RetryJobButton jobId={j.id} queue={j.queue} />
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </div>
  );
}
