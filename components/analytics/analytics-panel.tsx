"use client";

import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { QueryProvider } from "@/components/query-provider";
import { AnalyticsView } from "./analytics-view";

/** The /analytics page below its header, with its data and URL-state providers. */
export function AnalyticsPanel() {
  return (
    <QueryProvider>
      <NuqsAdapter>
        <Suspense>
          <AnalyticsView />
        </Suspense>
      </NuqsAdapter>
    </QueryProvider>
  );
}
