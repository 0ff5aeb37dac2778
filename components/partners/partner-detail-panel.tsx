"use client";

import { QueryProvider } from "@/components/query-provider";
import { PartnerDetailView } from "./partner-detail-view";

/** The partner page below its header (loaded after the page). */
export function PartnerDetailPanel({ id, canManage }: { id: string; canManage: boolean }) {
  return (
    <QueryProvider>
      <PartnerDetailView id={id} canManage={canManage} />
    </QueryProvider>
  );
}
