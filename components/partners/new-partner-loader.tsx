"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

function FormSkeleton() {
  return (
    <div role="status" aria-label="Loading the form" className="space-y-6">
      <Skeleton className="h-44 w-full" />
      <Skeleton className="h-28 w-full" />
      <Skeleton className="h-64 w-full" />
    </div>
  );
}

// React Hook Form, zod and TanStack Query load right after the page.
export const NewPartnerLoader = dynamic(() => import("./new-partner-panel").then((m) => m.NewPartnerPanel), {
  ssr: false,
  loading: FormSkeleton,
});
