"use client";

import { Download } from "lucide-react";
import dynamic from "next/dynamic";
import { useCallback, useMemo } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/client/api-fetch";
import { buttonVariants } from "@/components/ui/button-variants";
import { auditExportUrl, useAuditEvents, type AuditFilters } from "@/lib/client/queries/audit";
import { AuditFiltersForm, useAuditFilters } from "./audit-filters";
import { ChainStatus } from "./chain-status";

function TableSkeleton() {
  return (
    <div role="status" aria-label="Loading events" className="space-y-2">
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
    </div>
  );
}

// The table (TanStack Table) loads while the first page of events is fetched.
const AuditTable = dynamic(() => import("./audit-table").then((m) => m.AuditTable), {
  ssr: false,
  loading: TableSkeleton,
});

export function AuditView() {
  const [filters, setFilters] = useAuditFilters();
  const events = useAuditEvents(filters);
  const items = useMemo(() => events.data?.pages.flatMap((p) => p.items) ?? [], [events.data]);
  const serverErrors = events.error instanceof ApiError ? events.error.fieldErrors : {};

  const apply = useCallback(
    (patch: Record<keyof AuditFilters, string | null>) => void setFilters(patch),
    [setFilters],
  );

  return (
    <>
      <div className="space-y-6">
        <ChainStatus />
        <AuditFiltersForm filters={filters} onApply={apply} serverErrors={serverErrors} />
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <span>Export the events these filters match, oldest first:</span>
          <a
            className={buttonVariants({ variant: "secondary", size: "sm" })}
            href={auditExportUrl(filters, "csv")}
            download
          >
            <Download aria-hidden />
            Export CSV
          </a>
          <a
            className={buttonVariants({ variant: "secondary", size: "sm" })}
            href={auditExportUrl(filters, "jsonl")}
            download
          >
            <Download aria-hidden />
            Export JSON Lines
          </a>
        </div>
        {events.isError && <Alert>{events.error.message}</Alert>}
        {events.isPending ? <TableSkeleton /> : events.isError ? null : <AuditTable events={items} />}
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
