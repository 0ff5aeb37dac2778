"use client";

import { UserPlus } from "lucide-react";
import dynamic from "next/dynamic";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

/**
 * The create form and the table arrive with the panel, while the page is already shown: this
 * stands in for them at their size (the form's card with its title, a row of fields, the table).
 */
function UsersPanelSkeleton() {
  return (
    <div className="space-y-6">
      <Card
        title={
          <>
            <UserPlus aria-hidden /> Add a user
          </>
        }
      >
        <div className="grid gap-4 md:grid-cols-[1fr_1fr_14rem_auto]">
          <Skeleton className="h-[3.875rem]" />
          <Skeleton className="h-[3.875rem]" />
          <Skeleton className="h-[3.875rem]" />
          <Skeleton className="h-9 w-28 md:mt-6" />
        </div>
      </Card>
      <div role="status" aria-label="Loading users" className="space-y-2">
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
        <Skeleton className="h-9 w-full" />
      </div>
    </div>
  );
}

// React Hook Form, TanStack Query and Table and the Radix pieces are the weight of this page; none
// is needed to show it, so they load right after it (budget: bench/first-load-js.ts).
const UsersPanel = dynamic(() => import("./users-panel").then((m) => m.UsersPanel), {
  ssr: false,
  loading: UsersPanelSkeleton,
});

export function UsersView({ currentUserId }: { currentUserId: string }) {
  return <UsersPanel currentUserId={currentUserId} />;
}
