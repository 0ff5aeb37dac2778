"use client";

import { QueryProvider } from "@/components/query-provider";
import type { ShareDetailDto } from "@/lib/schemas/shares";
import { ShareDetailView } from "./share-detail-view";

/** The share page below its header, with its data provider (loaded after the page). */
export function ShareDetailPanel(props: { initial: ShareDetailDto; canReadAudit: boolean }) {
  return (
    <QueryProvider>
      <ShareDetailView {...props} />
    </QueryProvider>
  );
}
