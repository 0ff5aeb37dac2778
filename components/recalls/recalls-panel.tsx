"use client";

import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { QueryProvider } from "@/components/query-provider";
import { RecallsView } from "./recalls-view";

/** The /recalls page below its header, with its data and URL-state providers. */
export function RecallsPanel({ canManage }: { canManage: boolean }) {
  return (
    <QueryProvider>
      <NuqsAdapter>
        <Suspense>
          <RecallsView canManage={canManage} />
        </Suspense>
      </NuqsAdapter>
    </QueryProvider>
  );
}
