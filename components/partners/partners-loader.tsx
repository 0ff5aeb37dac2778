"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

/** Stands in for the filter bar and the table while they load. */
function PartnersPanelSkeleton() {
  return (
    <div className="space-y-6">
      <Skeleton className="h-[5.875rem] w-full" />
      <div role="status" aria-label="Loading partners" className="space-y-2">
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
      </div>
    </div>
  );
}

// TanStack Query and Table and nuqs are the weight of this page: they load right after it.
export const PartnersLoader = dynamic(() => import("./partners-panel").then((m) => m.PartnersPanel), {
  ssr: false,
  loading: PartnersPanelSkeleton,
});
