"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

/** Stands in for the form at its size: three fields (the second with its hint) and the button. */
function ChangePasswordSkeleton() {
  return (
    <div role="status" aria-label="Loading the form" className="space-y-4">
      <Skeleton className="h-[3.875rem]" />
      <Skeleton className="h-[5.25rem]" />
      <Skeleton className="h-[3.875rem]" />
      <Skeleton className="h-9 w-40" />
    </div>
  );
}

// React Hook Form, zod and TanStack Query are the weight of this page; they load right after it
// (budget: bench/first-load-js.ts).
export const ChangePasswordLoader = dynamic(
  () =>
    Promise.all([import("@/components/query-provider"), import("./change-password-form")]).then(
      ([{ QueryProvider }, { ChangePasswordForm }]) =>
        function LoadedChangePasswordForm({ email }: { email: string }) {
          return (
            <QueryProvider>
              <ChangePasswordForm email={email} />
            </QueryProvider>
          );
        },
    ),
  { ssr: false, loading: ChangePasswordSkeleton },
);
