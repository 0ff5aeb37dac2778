"use client";

import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { QueryProvider } from "@/components/query-provider";
import { SessionsView } from "./sessions-view";

/** The /sessions page below its header, with its data and URL-state providers (loaded after the page). */
export function SessionsPanel({ canShare }: { canShare: boolean }) {
  return (
    <QueryProvider>
      <NuqsAdapter>
        <Suspense>
          <SessionsView canShare={canShare} />
        </Suspense>
      </NuqsAdapter>
    </QueryProvider>
  );
}
