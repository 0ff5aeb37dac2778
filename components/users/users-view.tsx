"use client";

import { Users } from "lucide-react";
import dynamic from "next/dynamic";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { useUsers } from "@/lib/client/queries/users";
import { CreateUserForm } from "./create-user-form";

function TableSkeleton() {
  return (
    <div role="status" aria-label="Loading users" className="space-y-2">
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
    </div>
  );
}

// The table (TanStack Table, Radix select and alert dialog) loads while the users are fetched.
const UsersTable = dynamic(() => import("./users-table").then((m) => m.UsersTable), {
  ssr: false,
  loading: TableSkeleton,
});

export function UsersView({ currentUserId }: { currentUserId: string }) {
  const users = useUsers();
  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in to Handoff and with which role. Changes take effect on the user's next request."
      />
      <div className="space-y-6">
        <CreateUserForm />
        {users.isPending ? (
          <TableSkeleton />
        ) : users.isError ? (
          <Alert>{users.error.message}</Alert>
        ) : users.data.items.length === 0 ? (
          <EmptyState icon={Users} title="No users yet">
            Add the first user above.
          </EmptyState>
        ) : (
          <UsersTable users={users.data.items} currentUserId={currentUserId} />
        )}
      </div>
    </>
  );
}
