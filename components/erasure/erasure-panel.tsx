"use client";

import { Plus, UserX } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";
import { QueryProvider } from "@/components/query-provider";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { useErasureRequests } from "@/lib/client/queries/erasure";
import type { ErasureRequestDto } from "@/lib/schemas/erasure";
import { ErasureDialog } from "./erasure-dialog";
import { countsSummary, DiditOutcomeBadge, ErasureStateBadge } from "./erasure-format";

/** The erasure page below its header: what erasure keeps, the requests, and the dialog. */
export function ErasurePanel({ initialSession }: { initialSession: string | null }) {
  return (
    <QueryProvider>
      <ErasureList initialSession={initialSession} />
    </QueryProvider>
  );
}

function ErasureList({ initialSession }: { initialSession: string | null }) {
  const list = useErasureRequests();
  const [open, setOpen] = useState(initialSession !== null);
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const start = (
    <Button onClick={() => setOpen(true)}>
      <Plus aria-hidden /> New erasure request
    </Button>
  );
  return (
    <div className="space-y-4">
      <Alert tone="info" title="What erasure removes, and what it keeps">
        <p>
          Removed: the session&apos;s name or company, registration number, vendor_data, country and document
          type in the session mirror; the manifests and sealed tokens of inbox items received for it; the
          sealed tokens of its shares still being delivered (those shares are revoked). With &ldquo;delete at
          Didit&rdquo;, Didit deletes the session itself, its documents and images included.
        </p>
        <p className="mt-1">
          Kept: ids, session numbers, statuses and times, so the lineage of other sessions, the evidence packs
          and the tamper-evident audit trail still hold together. The audit trail records who erased which
          session id and why, the counts, and a SHA-256 of the removed fields: proof of what went, without
          keeping it. Do not write the person&apos;s name in the reason.
        </p>
      </Alert>
      <div className="flex justify-end">{start}</div>
      {list.isPending ? (
        <div role="status" aria-label="Loading erasure requests" className="space-y-2">
          <Skeleton className="h-9 w-full" />
          <Skeleton className="h-9 w-full" />
        </div>
      ) : list.isError ? (
        <Alert title="The erasure requests could not be loaded">{list.error.message}</Alert>
      ) : items.length === 0 ? (
        <EmptyState icon={UserX} title="No session has been erased yet">
          When a data subject asks to be forgotten, start a new erasure request with the session&apos;s id.
        </EmptyState>
      ) : (
        <>
          <ErasureTable items={items} />
          {list.hasNextPage && (
            <div className="flex justify-center">
              <Button
                variant="secondary"
                pending={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                Load more
              </Button>
            </div>
          )}
        </>
      )}
      <ErasureDialog open={open} onOpenChange={setOpen} initialSession={initialSession} />
    </div>
  );
}

function ErasureTable({ items }: { items: ErasureRequestDto[] }) {
  const columns = useMemo<ColumnDef<ErasureRequestDto, unknown>[]>(
    () => [
      {
        accessorKey: "requestedAt",
        header: "Requested",
        cell: ({ row }) => (
          <div>
            <DateTime value={row.original.requestedAt} />
            <p className="text-xs text-slate-600">by {row.original.requestedBy.name}</p>
          </div>
        ),
      },
      {
        accessorKey: "sessionId",
        header: "Session",
        cell: ({ row }) => (
          <div>
            <Link
              href={`/lineage/${row.original.sessionId}`}
              className="font-mono text-xs text-brand-700 underline-offset-4 hover:underline"
            >
              {row.original.sessionId}
            </Link>
            <p className="text-xs text-slate-600">{row.original.applicationName}</p>
          </div>
        ),
      },
      {
        accessorKey: "state",
        header: "State",
        cell: ({ row }) => <ErasureStateBadge state={row.original.state} />,
      },
      {
        id: "didit",
        header: "At Didit",
        cell: ({ row }) => (
          <div className="space-y-0.5">
            <DiditOutcomeBadge outcome={row.original.diditOutcome} />
            {row.original.diditError && (
              <p className="max-w-64 text-xs text-red-700">{row.original.diditError}</p>
            )}
          </div>
        ),
      },
      {
        id: "counts",
        header: "Removed",
        cell: ({ row }) => (
          <div className="space-y-0.5 text-xs text-slate-700">
            <p>{countsSummary(row.original.counts)}</p>
            {row.original.recallId && <Badge tone="warning">Recall sent</Badge>}
          </div>
        ),
      },
      {
        accessorKey: "reason",
        header: "Reason",
        cell: ({ row }) => <p className="max-w-72 text-sm text-slate-700">{row.original.reason}</p>,
      },
    ],
    [],
  );
  return (
    <DataTable
      columns={columns}
      data={items}
      label="Erasure requests"
      getRowId={(r) => r.id}
      sortable={false}
    />
  );
}
