"use client";

import { RotateCw } from "lucide-react";
import dynamic from "next/dynamic";
import { useCallback, useMemo } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useRecalledCount, useReviewQueue, type ReviewFilters } from "@/lib/client/queries/imports";
import { ReviewsFilters, useReviewFilters } from "./reviews-filters";
import { QueueSkeleton } from "./reviews-loader";

// The table (TanStack Table) loads while the first page of the queue is fetched.
const ReviewsTable = dynamic(() => import("./reviews-table").then((m) => m.ReviewsTable), {
  ssr: false,
  loading: QueueSkeleton,
});

export function ReviewsView({ canAssign }: { canAssign: boolean }) {
  const [filters, setFilters] = useReviewFilters();
  const queue = useReviewQueue(filters);
  const items = useMemo(() => queue.data?.pages.flatMap((p) => p.items) ?? [], [queue.data]);
  const onChange = useCallback(
    (next: Partial<Record<keyof ReviewFilters, string | null>>) =>
      void setFilters(next as Parameters<typeof setFilters>[0]),
    [setFilters],
  );
  const filtered = Object.values(filters).some(Boolean);
  const recalled = useRecalledCount();
  const recalledCount = recalled.data ?? 0;

  return (
    <div className="space-y-6">
      {recalledCount > 0 && (
        <Alert
          tone="warning"
          title={`${recalledCount >= 100 ? "100 or more" : recalledCount} recalled ${recalledCount === 1 ? "import needs" : "imports need"} a new decision`}
        >
          <p>
            A partner told us the verification behind {recalledCount === 1 ? "it" : "them"} changed after it
            was shared (declined, deleted, expired or back in review). Recalled imports come first in the
            queue, with the partner&apos;s reason.{" "}
            {filters.recalled !== "true" && (
              <button
                type="button"
                className="font-medium underline"
                onClick={() => onChange({ recalled: "true" })}
              >
                Show only recalled
              </button>
            )}
          </p>
        </Alert>
      )}
      <ReviewsFilters filters={filters} onChange={onChange} />
      {queue.isError ? (
        <Alert title="The review queue could not be loaded">
          <p>{queue.error.message}</p>
          <Button className="mt-2" variant="secondary" size="sm" onClick={() => void queue.refetch()}>
            <RotateCw aria-hidden /> Try again
          </Button>
        </Alert>
      ) : queue.isPending ? (
        <QueueSkeleton />
      ) : (
        <ReviewsTable
          items={items}
          filtered={filtered}
          canAssign={canAssign}
          onClearFilters={() =>
            onChange({
              partnerId: null,
              applicationId: null,
              kind: null,
              assignee: null,
              overdue: null,
              recalled: null,
              q: null,
            })
          }
        />
      )}
      {queue.hasNextPage && (
        <Button
          variant="secondary"
          onClick={() => void queue.fetchNextPage()}
          pending={queue.isFetchingNextPage}
        >
          {queue.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}
