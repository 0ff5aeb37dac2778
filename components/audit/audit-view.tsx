"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Alert, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { ApiError } from "@/lib/client/api-fetch";
import {
  useAuditChain,
  useAuditEvents,
  type AuditEvent,
  type AuditFilters,
} from "@/lib/client/queries/audit";

const FILTER_KEYS = ["actor", "action", "entityType", "entityId", "from", "to"] as const;

/** datetime-local (browser time) ⇄ ISO in the URL. */
function toLocalInput(iso: string | undefined) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function ChainStatus() {
  const chain = useAuditChain();
  if (chain.isPending) return <Alert tone="info">Verifying the audit chain…</Alert>;
  if (chain.isError) return <Alert>Could not verify the chain: {chain.error.message}</Alert>;
  if (chain.data.ok) {
    return (
      <div
        role="status"
        aria-label="Chain verification"
        className="flex items-center gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800"
      >
        <Badge tone="success">Chain verified</Badge>
        <span>{chain.data.checked} events, every hash intact.</span>
        <Button
          size="sm"
          variant="ghost"
          className="ml-auto"
          onClick={() => chain.refetch()}
          disabled={chain.isFetching}
        >
          {chain.isFetching ? "Verifying…" : "Verify again"}
        </Button>
      </div>
    );
  }
  return (
    <div
      role="alert"
      aria-label="Chain verification"
      className="flex flex-wrap items-center gap-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
    >
      <Badge tone="danger">Chain broken</Badge>
      <span>{chain.data.message}</span>
    </div>
  );
}

export function AuditView() {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const filters: AuditFilters = {};
  for (const key of FILTER_KEYS) {
    const v = search.get(key);
    if (v) filters[key] = v;
  }
  const events = useAuditEvents(filters);
  const [open, setOpen] = useState<string | null>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      const raw = String(form.get(key) ?? "").trim();
      if (!raw) continue;
      params.set(key, key === "from" || key === "to" ? new Date(raw).toISOString() : raw);
    }
    router.replace(params.size ? `${pathname}?${params}` : pathname);
  }

  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const fieldErrors = events.error instanceof ApiError ? events.error.fieldErrors : {};

  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every sign-in, administration step and hand-off, append-only and hash-chained. Newest first."
      />
      <div className="space-y-6">
        <ChainStatus />
        <Card title="Filter">
          <form
            key={search.toString()}
            onSubmit={onSubmit}
            className="grid gap-4 md:grid-cols-3"
            aria-label="Audit filters"
          >
            <TextField
              label="Actor"
              name="actor"
              defaultValue={filters.actor}
              placeholder="email or user id"
            />
            <TextField
              label="Action"
              name="action"
              defaultValue={filters.action}
              placeholder="e.g. auth.login or users."
              hint="Matches the start of the action."
            />
            <TextField
              label="Entity type"
              name="entityType"
              defaultValue={filters.entityType}
              placeholder="e.g. user"
            />
            <TextField label="Entity id" name="entityId" defaultValue={filters.entityId} />
            <TextField
              label="From"
              name="from"
              type="datetime-local"
              defaultValue={toLocalInput(filters.from)}
              error={fieldErrors.from?.[0]}
            />
            <TextField
              label="To"
              name="to"
              type="datetime-local"
              defaultValue={toLocalInput(filters.to)}
              error={fieldErrors.to?.[0]}
            />
            <div className="flex gap-2 md:col-span-3">
              <Button type="submit">Apply filters</Button>
              <Button variant="secondary" onClick={() => router.replace(pathname)}>
                Clear
              </Button>
            </div>
          </form>
        </Card>
        {events.isError && <Alert>{events.error.message}</Alert>}
        {events.isPending ? (
          <p className="text-sm text-slate-600" role="status">
            Loading events…
          </p>
        ) : items.length === 0 && !events.isError ? (
          <EmptyState title="No events match these filters">
            Widen the time range or clear a filter.
          </EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Audit events">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    #
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Time (UTC)
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Actor
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Action
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Entity
                  </th>
                  <th scope="col" className="px-3 py-2">
                    IP
                  </th>
                  <th scope="col" className="px-3 py-2">
                    <span className="sr-only">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {items.map((e) => (
                  <EventRow
                    key={e.id}
                    open={open === e.id}
                    onToggle={() => setOpen(open === e.id ? null : e.id)}
                    event={e}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {events.hasNextPage && (
          <Button
            variant="secondary"
            onClick={() => events.fetchNextPage()}
            disabled={events.isFetchingNextPage}
          >
            {events.isFetchingNextPage ? "Loading…" : "Load older events"}
          </Button>
        )}
      </div>
    </>
  );
}

function EventRow({ event: e, open, onToggle }: { event: AuditEvent; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr>
        <td className="px-3 py-2 text-slate-400">{e.seq}</td>
        <td className="whitespace-nowrap px-3 py-2 text-slate-700">
          {e.occurredAt.replace("T", " ").slice(0, 19)}
        </td>
        <td className="px-3 py-2">{e.actorLabel}</td>
        <td className="px-3 py-2">
          <code className="rounded bg-slate-100 px-1 text-xs">{e.action}</code>
        </td>
        <td className="px-3 py-2 text-slate-600">
          {e.entityType ? `${e.entityType} ${e.entityId?.slice(0, 8) ?? ""}` : "—"}
        </td>
        <td className="px-3 py-2 text-slate-600">{e.ip ?? "—"}</td>
        <td className="px-3 py-2 text-right">
          <Button size="sm" variant="ghost" aria-expanded={open} onClick={onToggle}>
            {open ? "Hide" : "Details"}
          </Button>
        </td>
      </tr>
      {open && (
        <tr className="bg-slate-50">
          <td colSpan={7} className="px-3 py-3">
            <dl className="grid gap-x-6 gap-y-1 text-xs md:grid-cols-2">
              <dt className="font-medium text-slate-500">Event id</dt>
              <dd className="font-mono">{e.id}</dd>
              <dt className="font-medium text-slate-500">Request id</dt>
              <dd className="font-mono">{e.requestId ?? "—"}</dd>
              <dt className="font-medium text-slate-500">Entity id</dt>
              <dd className="font-mono">{e.entityId ?? "—"}</dd>
              <dt className="font-medium text-slate-500">User agent</dt>
              <dd className="break-all">{e.userAgent ?? "—"}</dd>
              <dt className="font-medium text-slate-500">Hash</dt>
              <dd className="break-all font-mono">{e.hash}</dd>
            </dl>
            <pre className="mt-2 overflow-x-auto rounded bg-white p-2 text-xs ring-1 ring-slate-200">
              {JSON.stringify(e.data, null, 2)}
            </pre>
          </td>
        </tr>
      )}
    </>
  );
}
