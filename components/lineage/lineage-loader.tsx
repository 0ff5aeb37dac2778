"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

function LineageSkeleton() {
  return (
    <div role="status" aria-label="Loading the lineage graph">
      <Skeleton className="h-[32rem] w-full" />
    </div>
  );
}

// TanStack Query, React Flow and elkjs load right after the page, not with it (bench/first-load-js.ts).
export const LineageLoader = dynamic(() => import("./lineage-panel").then((m) => m.LineagePanel), {
  ssr: false,
  loading: LineageSkeleton,
});
