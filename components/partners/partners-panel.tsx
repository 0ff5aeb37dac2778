"use client";

import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { QueryProvider } from "@/components/query-provider";
import { PartnersView } from "./partners-view";

/** The partners page below its header, with its data and URL-state providers (loaded after the page). */
export function PartnersPanel({ canManage }: { canManage: boolean }) {
  return (
    <QueryProvider>
      <NuqsAdapter>
        <Suspense>
          <PartnersView canManage={canManage} />
        </Suspense>
      </NuqsAdapter>
    </QueryProvider>
  );
}
