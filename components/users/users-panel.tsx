"use client";

import { Users } from "lucide-react";
import { QueryProvider } from "@/components/query-provider";
import dynamic from "next/dynamic";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
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

/** The users page below its header: loaded after the page (components/users/users-view.tsx). */
export function UsersPanel({ currentUserId }: { currentUserId: string }) {
  return (
    <QueryProvider>
      <UsersList currentUserId={currentUserId} />
    </QueryProvider>
  );
}

function UsersList({ currentUserId }: { currentUserId: string }) {
  const users = useUsers();
  return (
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
  );
}
