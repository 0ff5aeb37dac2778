"use client";

import { QueryProvider } from "@/components/query-provider";
import { LineageView } from "./lineage-view";

/** The lineage page below its header and search box, with its data provider (loaded after the page). */
export function LineagePanel(props: { refValue: string; applicationId?: string }) {
  return (
    <QueryProvider>
      <LineageView {...props} />
    </QueryProvider>
  );
}
