"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

export function RecallsSkeleton() {
  return (
    <div role="status" aria-label="Loading the recalls" className="space-y-2">
      <Skeleton className="h-9 w-64" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <span className="sr-only">Loading the recalls…</span>
    </div>
  );
}

// TanStack Query and Table are this page's weight: they load right after it.
export const RecallsLoader = dynamic(() => import("./recalls-panel").then((m) => m.RecallsPanel), {
  ssr: false,
  loading: RecallsSkeleton,
});
