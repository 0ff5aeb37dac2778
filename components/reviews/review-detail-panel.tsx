"use client";

import { QueryProvider } from "@/components/query-provider";
import type { ImportDetailDto } from "@/lib/schemas/reviews";
import { ReviewDetailView } from "./review-detail-view";

/** The review page below its header, with its data provider (loaded after the page). */
export function ReviewDetailPanel(props: { initial: ImportDetailDto; actorId: string }) {
  return (
    <QueryProvider>
      <ReviewDetailView {...props} />
    </QueryProvider>
  );
}
