"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

function ErasureSkeleton() {
  return (
    <div role="status" aria-label="Loading erasure requests" className="space-y-3">
      <Skeleton className="h-20 w-full" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
    </div>
  );
}

// TanStack Query and Table and the dialog load after the page (first-load budget).
const ErasurePanel = dynamic(() => import("./erasure-panel").then((m) => m.ErasurePanel), {
  ssr: false,
  loading: ErasureSkeleton,
});

export function ErasureView({ initialSession }: { initialSession: string | null }) {
  return <ErasurePanel initialSession={initialSession} />;
}
