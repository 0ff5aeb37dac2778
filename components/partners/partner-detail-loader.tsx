"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

function PartnerSkeleton() {
  return (
    <div role="status" aria-label="Loading the partner" className="space-y-6">
      <Skeleton className="h-10 w-72" />
      <Skeleton className="h-56 w-full" />
      <Skeleton className="h-40 w-full" />
    </div>
  );
}

// TanStack Query, the form (React Hook Form, zod) and the dialogs load right after the page.
export const PartnerDetailLoader = dynamic(
  () => import("./partner-detail-panel").then((m) => m.PartnerDetailPanel),
  { ssr: false, loading: PartnerSkeleton },
);
