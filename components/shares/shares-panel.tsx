"use client";

import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { QueryProvider } from "@/components/query-provider";
import { SharesView } from "./shares-view";

/** The /shares page below its header, with its data and URL-state providers (loaded after the page). */
export function SharesPanel() {
  return (
    <QueryProvider>
      <NuqsAdapter>
        <Suspense>
          <SharesView />
        </Suspense>
      </NuqsAdapter>
    </QueryProvider>
  );
}
