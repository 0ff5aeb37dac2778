"use client";

import dynamic from "next/dynamic";
import { ReviewDetailSkeleton } from "./review-detail-skeleton";

// TanStack Query, the decision form and its dialogs load right after the page (bench/first-load-js.ts).
export const ReviewDetailLoader = dynamic(
  () => import("./review-detail-panel").then((m) => m.ReviewDetailPanel),
  { ssr: false, loading: ReviewDetailSkeleton },
);
