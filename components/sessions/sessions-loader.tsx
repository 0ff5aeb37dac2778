"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

/** Stands in for the filter bar and the table while they load. */
function SessionsPanelSkeleton() {
  return (
    <div className="space-y-6">
      <Skeleton className="h-[4.5rem] w-full" />
      <div role="status" aria-label="Loading sessions" className="space-y-2">
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
        <span className="sr-only">Loading sessions…</span>
      </div>
    </div>
  );
}

// TanStack Query and Table and nuqs are the weight of this page; none is needed to show it, so
// they load right after it (budget: bench/first-load-js.ts).
export const SessionsLoader = dynamic(() => import("./sessions-panel").then((m) => m.SessionsPanel), {
  ssr: false,
  loading: SessionsPanelSkeleton,
});
