"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

function ShareDetailSkeleton() {
  return (
    <div role="status" aria-label="Loading the share" className="grid gap-6 lg:grid-cols-2">
      <Skeleton className="h-64 w-full" />
      <Skeleton className="h-64 w-full" />
      <Skeleton className="h-40 w-full lg:col-span-2" />
      <span className="sr-only">Loading the share…</span>
    </div>
  );
}

// TanStack Query, the dialogs and their form load right after the page (budget: bench/first-load-js.ts).
export const ShareDetailLoader = dynamic(
  () => import("./share-detail-panel").then((m) => m.ShareDetailPanel),
  {
    ssr: false,
    loading: ShareDetailSkeleton,
  },
);
