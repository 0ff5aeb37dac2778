"use client";

import dynamic from "next/dynamic";
import { useCallback, useMemo } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useShares, type ShareFilters } from "@/lib/client/queries/shares";
import { SharesFilters, useShareFilters } from "./shares-filters";

function TableSkeleton() {
  return (
    <div role="status" aria-label="Loading shares" className="space-y-2">
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <span className="sr-only">Loading shares…</span>
    </div>
  );
}

// The table (TanStack Table) loads while the first page of shares is fetched.
const SharesTable = dynamic(() => import("./shares-table").then((m) => m.SharesTable), {
  ssr: false,
  loading: TableSkeleton,
});

export function SharesView() {
  const [filters, setFilters] = useShareFilters();
  const shares = useShares(filters);
  const items = useMemo(() => shares.data?.pages.flatMap((p) => p.items) ?? [], [shares.data]);
  const onChange = useCallback(
    (next: Partial<Record<keyof ShareFilters, string | null>>) =>
      void setFilters(next as Parameters<typeof setFilters>[0]),
    [setFilters],
  );
  const live = items.some((s) => s.state === "pending");

  return (
    <div className="space-y-6">
      <SharesFilters filters={filters} onChange={onChange} />
      {shares.isError && <Alert title="The shares could not be loaded">{shares.error.message}</Alert>}
      {shares.isPending ? (
        <TableSkeleton />
      ) : shares.isError ? null : (
        <>
          {live && (
            <p role="status" className="text-xs text-slate-600">
              Live: pending shares are checked again every few seconds.
            </p>
          )}
          <SharesTable shares={items} filtered={Object.values(filters).some(Boolean)} />
        </>
      )}
      {shares.hasNextPage && (
        <Button
          variant="secondary"
          onClick={() => void shares.fetchNextPage()}
          pending={shares.isFetchingNextPage}
        >
          {shares.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}
