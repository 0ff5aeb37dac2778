"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

export function QueueSkeleton() {
  return (
    <div role="status" aria-label="Loading the review queue" className="space-y-2">
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <span className="sr-only">Loading the review queue…</span>
    </div>
  );
}

function ReviewsPanelSkeleton() {
  return (
    <div className="space-y-6">
      <Skeleton className="h-[4.5rem] w-full" />
      <QueueSkeleton />
    </div>
  );
}

// TanStack Query and Table and nuqs are this page's weight: they load right after it (bench/first-load-js.ts).
export const ReviewsLoader = dynamic(() => import("./reviews-panel").then((m) => m.ReviewsPanel), {
  ssr: false,
  loading: ReviewsPanelSkeleton,
});
