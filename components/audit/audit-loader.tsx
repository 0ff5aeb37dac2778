"use client";

import { Filter } from "lucide-react";
import dynamic from "next/dynamic";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

/** Stands in for the chain status, the filter form (two rows of three fields) and the table. */
function AuditPanelSkeleton() {
  return (
    <div className="space-y-6">
      <div role="status" aria-label="Chain verification" className="flex items-center gap-3">
        <Skeleton className="h-10 w-full" />
        <span className="sr-only">Verifying the audit chain…</span>
      </div>
      <Card
        title={
          <>
            <Filter aria-hidden /> Filter
          </>
        }
      >
        <div className="grid gap-4 md:grid-cols-3">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-[3.875rem]" />
          ))}
          <Skeleton className="h-9 w-40 md:col-span-3" />
        </div>
      </Card>
      <div role="status" aria-label="Loading events" className="space-y-2">
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
      </div>
    </div>
  );
}

// React Hook Form, TanStack Query and Table and nuqs are the weight of this page; none is needed to
// show it, so they load right after it (budget: bench/first-load-js.ts).
export const AuditLoader = dynamic(() => import("./audit-panel").then((m) => m.AuditPanel), {
  ssr: false,
  loading: AuditPanelSkeleton,
});
