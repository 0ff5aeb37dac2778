"use client";

import dynamic from "next/dynamic";
import { useMemo } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/client/api-fetch";
import { useAuditEvents, type AuditFilters } from "@/lib/client/queries/audit";
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

const KEYS = ["actor", "action", "entityType", "entityId", "from", "to"] as const;

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
      <div className="space-y-6">
        <ChainStatus />
        <AuditFiltersForm filters={filters} onApply={apply} serverErrors={serverErrors} />
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
