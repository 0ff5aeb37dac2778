"use client";

import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { QueryProvider } from "@/components/query-provider";
import { AuditView } from "./audit-view";

/** The audit page below its header, with its data and URL-state providers (loaded after the page). */
export function AuditPanel() {
  return (
    <QueryProvider>
      <NuqsAdapter>
        <Suspense>
          <AuditView />
        </Suspense>
      </NuqsAdapter>
    </QueryProvider>
  );
}
