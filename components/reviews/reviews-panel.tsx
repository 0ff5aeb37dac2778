"use client";

import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { QueryProvider } from "@/components/query-provider";
import { ReviewsView } from "./reviews-view";

/** The /reviews page below its header, with its data and URL-state providers (loaded after the page). */
export function ReviewsPanel({ canAssign }: { canAssign: boolean }) {
  return (
    <QueryProvider>
      <NuqsAdapter>
        <Suspense>
          <ReviewsView canAssign={canAssign} />
        </Suspense>
      </NuqsAdapter>
    </QueryProvider>
  );
}
