"use client";

import { ChevronDown, ChevronRight, SearchX } from "lucide-react";
import { useMemo } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/client/api-fetch";
import { useAuditEvents, type AuditEvent, type AuditFilters } from "@/lib/client/queries/audit";
import { AuditFiltersForm, useAuditFilters } from "./audit-filters";
import { ChainStatus } from "./chain-status";
import { EventDetail } from "./event-detail";

const KEYS = ["actor", "action", "entityType", "entityId", "from", "to"] as const;

const columns: ColumnDef<AuditEvent, unknown>[] = [
  {
    accessorKey: "seq",
    header: "#",
    meta: { className: "w-12 tabular-nums text-slate-600" },
  },
  {
    accessorKey: "occurredAt",
    header: "Time",
    cell: ({ row }) => <DateTime value={row.original.occurredAt} className="whitespace-nowrap" />,
  },
  { accessorKey: "actorLabel", header: "Actor" },
  {
    accessorKey: "action",
    header: "Action",
    cell: ({ row }) => (
      <code className="rounded bg-slate-100 px-1 text-xs text-slate-800">{row.original.action}</code>
    ),
  },
  {
    id: "entity",
    header: "Entity",
    cell: ({ row }) => {
      const e = row.original;
      return e.entityType ? (
        <span title={e.entityId ?? undefined}>
          {e.entityType} <span className="font-mono text-xs">{e.entityId?.slice(0, 8) ?? ""}</span>
        </span>
      ) : (
        "—"
      );
    },
  },
  { accessorKey: "ip", header: "IP", cell: ({ row }) => row.original.ip ?? "—" },
  {
    id: "details",
    header: "Details",
    meta: { srOnlyHeader: true, className: "text-right" },
    cell: ({ row }) => {
      const open = row.getIsExpanded();
      return (
        <Button
          size="sm"
          variant="ghost"
          aria-expanded={open}
          aria-label={`${open ? "Hide" : "Show"} details of event ${row.original.seq}`}
          onClick={row.getToggleExpandedHandler()}
        >
          {open ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
          {open ? "Hide" : "Details"}
        </Button>
      );
    },
  },
];

export function AuditView() {
  const [filters, setFilters] = useAuditFilters();
  const events = useAuditEvents(filters);
  const items = useMemo(() => events.data?.pages.flatMap((p) => p.items) ?? [], [events.data]);
  const serverErrors = events.error instanceof ApiError ? events.error.fieldErrors : {};

  function apply(next: AuditFilters) {
    void setFilters(Object.fromEntries(KEYS.map((k) => [k, next[k] ?? null])));
  }

  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every sign-in, administration step and hand-off, append-only and hash-chained. Newest first."
      />
      <div className="space-y-6">
        <ChainStatus />
        <AuditFiltersForm filters={filters} onApply={apply} serverErrors={serverErrors} />
        {events.isError && <Alert>{events.error.message}</Alert>}
        {events.isPending ? (
          <div role="status" aria-label="Loading events" className="space-y-2">
            <Skeleton className="h-9 w-full" />
            <Skeleton className="h-9 w-full" />
            <Skeleton className="h-9 w-full" />
          </div>
        ) : events.isError ? null : (
          <DataTable
            label="Audit events"
            columns={columns}
            data={items}
            getRowId={(e) => e.id}
            sortable={false}
            renderDetail={(row) => <EventDetail event={row.original} />}
            empty={
              <EmptyState icon={SearchX} title="No events match these filters">
                Widen the time range or clear a filter.
              </EmptyState>
            }
          />
        )}
        {events.hasNextPage && (
          <Button
            variant="secondary"
            onClick={() => void events.fetchNextPage()}
            pending={events.isFetchingNextPage}
          >
            {events.isFetchingNextPage ? "Loading…" : "Load older events"}
          </Button>
        )}
      </div>
    </>
  );
}
