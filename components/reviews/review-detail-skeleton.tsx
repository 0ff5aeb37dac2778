import { Skeleton } from "@/components/ui/skeleton";

export function ReviewDetailSkeleton() {
  return (
    <div role="status" aria-label="Loading the review" className="space-y-6">
      <Skeleton className="h-28 w-full" />
      <div className="grid gap-6 lg:grid-cols-2">
        <Skeleton className="h-96 w-full" />
        <Skeleton className="h-96 w-full" />
      </div>
      <span className="sr-only">Loading the review…</span>
    </div>
  );
}
