"use client";

import { GitFork, SearchX } from "lucide-react";
import { useMemo } from "react";
import { Button } from "@/components/ui/button";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { ERASED_NAME, REDACTED_NAME, type SessionListItemDto } from "@/lib/schemas/sessions";
import { formatNumber, KIND_LABELS } from "./format";
import { SessionStatusBadge } from "./status-badge";

function columns(onOpen: (s: SessionListItemDto) => void, showApplication: boolean) {
  return [
    {
      accessorKey: "number",
      header: "Number",
      meta: { className: "w-24 tabular-nums" },
      cell: ({ row }) => formatNumber(row.original.number),
    },
    {
      accessorKey: "displayName",
      header: "Name or company",
      cell: ({ row }) => {
        const s = row.original;
        const name =
          s.displayName ??
          (s.redacted
            ? s.erasure
              ? ERASED_NAME
              : REDACTED_NAME
            : s.kind === "business"
              ? "Unnamed company"
              : "Unnamed person");
        return (
          <div className="min-w-0">
            <button
              type="button"
              className="inline-flex items-center gap-1 rounded-sm text-left font-medium text-brand-700 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-brand-500"
              aria-label={`Open session ${formatNumber(s.number)}: ${name}`}
              onClick={() => onOpen(s)}
            >
              {name}
              {s.sharedFromSession && <GitFork className="size-3.5 text-slate-500" aria-label="imported" />}
            </button>
            {s.erasure && (
              <p className="text-xs text-slate-600">
                Erased <DateTime value={s.erasure.at} />: {s.erasure.reason}
              </p>
            )}
            {showApplication && <p className="text-xs text-slate-600">{s.applicationName}</p>}
          </div>
        );
      },
    },
    {
      accessorKey: "kind",
      header: "Kind",
      meta: { className: "w-16" },
      cell: ({ row }) => KIND_LABELS[row.original.kind],
    },
    {
      accessorKey: "status",
      header: "Status",
      cell: ({ row }) => <SessionStatusBadge status={row.original.status} />,
    },
    {
      accessorKey: "vendorData",
      header: "vendor_data",
      cell: ({ row }) =>
        row.original.vendorData ? (
          <code className="break-all text-xs text-slate-700">{row.original.vendorData}</code>
        ) : (
          "—"
        ),
    },
    {
      accessorKey: "country",
      header: "Country",
      meta: { className: "w-20" },
      cell: ({ row }) => row.original.country ?? "—",
    },
    {
      accessorKey: "createdAt",
      header: "Created",
      cell: ({ row }) => <DateTime value={row.original.createdAt} className="whitespace-nowrap" />,
    },
  ] satisfies ColumnDef<SessionListItemDto, unknown>[];
}

export function SessionsTable({
  sessions,
  filtered,
  showApplication,
  onOpen,
  onClear,
}: {
  sessions: SessionListItemDto[];
  filtered: boolean;
  showApplication: boolean;
  onOpen: (s: SessionListItemDto) => void;
  onClear: () => void;
}) {
  // The cells are components (flexRender): new cell functions on every render would remount each
  // row's button, so the one that opened the drawer would be gone when focus returns to it on Esc.
  const cols = useMemo(() => columns(onOpen, showApplication), [onOpen, showApplication]);
  return (
    <DataTable
      label="Sessions"
      columns={cols}
      data={sessions}
      getRowId={(s) => s.id}
      sortable={false}
      empty={
        filtered ? (
          <EmptyState
            icon={SearchX}
            title="No sessions match these filters"
            action={
              <Button variant="secondary" onClick={onClear}>
                Clear filters
              </Button>
            }
          >
            Try another spelling, a session number, or fewer filters.
          </EmptyState>
        ) : (
          <EmptyState icon={SearchX} title="No finished sessions yet">
            Finished sessions (Approved, Declined, In Review) appear here as soon as they are mirrored from
            Didit. Untick “Finished only” to see the others.
          </EmptyState>
        )
      }
    />
  );
}
