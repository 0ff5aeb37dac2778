"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

function ApplicationsSkeleton() {
  return (
    <div role="status" aria-label="Loading applications" className="space-y-3">
      <div className="flex justify-end">
        <Skeleton className="h-9 w-44" />
      </div>
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
    </div>
  );
}

// TanStack Query and Table, React Hook Form and the dialogs load after the page (first-load budget).
const ApplicationsPanel = dynamic(() => import("./applications-panel").then((m) => m.ApplicationsPanel), {
  ssr: false,
  loading: ApplicationsSkeleton,
});

export function ApplicationsView() {
  return <ApplicationsPanel />;
}
