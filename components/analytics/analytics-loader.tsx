"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

/** Stands in for the filter bar, the figures and the chart while they load. */
export function AnalyticsSkeleton() {
  return (
    <div className="space-y-6">
      <Skeleton className="h-[4.5rem] w-full" />
      <div role="status" aria-label="Loading analytics" className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="h-24" />
          ))}
        </div>
        <Skeleton className="h-72 w-full" />
        <span className="sr-only">Loading analytics…</span>
      </div>
    </div>
  );
}

// TanStack Query and Table, nuqs and recharts are the weight of this page; none is needed to show
// it, so they load right after it (budget: bench/first-load-js.ts).
export const AnalyticsLoader = dynamic(() => import("./analytics-panel").then((m) => m.AnalyticsPanel), {
  ssr: false,
  loading: AnalyticsSkeleton,
});
