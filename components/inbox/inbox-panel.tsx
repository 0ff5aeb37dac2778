"use client";

import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { QueryProvider } from "@/components/query-provider";
import { InboxView } from "./inbox-view";

/** The /inbox page below its header, with its data and URL-state providers (loaded after the page). */
export function InboxPanel({ canReceive }: { canReceive: boolean }) {
  return (
    <QueryProvider>
      <NuqsAdapter>
        <Suspense>
          <InboxView canReceive={canReceive} />
        </Suspense>
      </NuqsAdapter>
    </QueryProvider>
  );
}
