"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

function InboxPanelSkeleton() {
  return (
    <div className="space-y-6">
      <Skeleton className="h-[4.5rem] w-full" />
      <div role="status" aria-label="Loading the inbox" className="space-y-3">
        <Skeleton className="h-32 w-full" />
        <Skeleton className="h-32 w-full" />
        <span className="sr-only">Loading the inbox…</span>
      </div>
    </div>
  );
}

// TanStack Query, react-hook-form and nuqs are this page's weight: they load right after it.
const InboxPanel = dynamic(() => import("./inbox-panel").then((m) => m.InboxPanel), {
  ssr: false,
  loading: InboxPanelSkeleton,
});

export function InboxLoader({ canReceive }: { canReceive: boolean }) {
  return <InboxPanel canReceive={canReceive} />;
}
