"use client";

import { LogOut } from "lucide-react";
import { useMemo, useRef, useState } from "react";
import { toast } from "@/components/ui/sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { DateTime } from "@/components/ui/date-time";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { useRevokeSessions, useUpdateUser } from "@/lib/client/queries/users";
import { ROLE_LABELS, ROLES, type Role } from "@/lib/rbac";
import type { UserDto } from "@/lib/schemas/users";
import { ConfirmDialog, type PendingChange } from "./confirm-dialog";

export function UsersTable({ users, currentUserId }: { users: UserDto[]; currentUserId: string }) {
  const update = useUpdateUser();
  const revoke = useRevokeSessions();
  const [pending, setPending] = useState<PendingChange | null>(null);
  // Where focus goes back to when the confirmation closes: the control that asked for it.
  const returnFocus = useRef<HTMLElement | null>(null);

  function ask(change: PendingChange, from: HTMLElement | null) {
    returnFocus.current = from;
    setPending(change);
  }

  function confirm() {
    if (!pending) return;
    const { user, kind } = pending;
    const done = () => setPending(null);
    if (kind === "sign-out") {
      revoke.mutate(
        { id: user.id },
        {
          onSuccess: ({ revoked }) => {
            done();
            toast.success(
              `${user.email} is signed out everywhere (${revoked} ${revoked === 1 ? "session" : "sessions"} ended).`,
            );
          },
          onError: (error) => {
            done();
            toast.error(`Could not sign ${user.email} out: ${error.message}`);
          },
        },
      );
      return;
    }
    const change =
      kind === "role"
        ? { role: pending.role }
        : { status: kind === "disable" ? ("disabled" as const) : ("active" as const) };
    update.mutate(
      { id: user.id, ...change },
      {
        onSuccess: () => {
          done();
          toast.success(
            kind === "role"
              ? `${user.email} is now ${ROLE_LABELS[pending.role]}.`
              : kind === "disable"
                ? `${user.email} is disabled.`
                : `${user.email} is re-enabled.`,
          );
        },
        onError: (error) => {
          done();
          toast.error(`${user.email} was not changed: ${error.message}`);
        },
      },
    );
  }

  const columns = useMemo<ColumnDef<UserDto, unknown>[]>(
    () => [
      {
        accessorKey: "name",
        header: "Name",
        cell: ({ row }) => (
          <span className="font-medium text-slate-800">
            {row.original.name}{" "}
            {row.original.id === currentUserId && (
              <span className="text-xs font-normal text-slate-600">(you)</span>
            )}
          </span>
        ),
      },
      { accessorKey: "email", header: "Email" },
      {
        accessorKey: "role",
        header: "Role",
        sortingFn: (a, b) => ROLES.indexOf(a.original.role) - ROLES.indexOf(b.original.role),
        cell: ({ row }) => {
          const u = row.original;
          return (
            <Select
              value={u.role}
              // Only a picked value asks for confirmation; arrow keys on the closed trigger just open the list.
              onValueChange={(value) => {
                const role = value as Role;
                if (role === u.role) return;
                ask({ kind: "role", user: u, role }, document.getElementById(`role-${u.id}`));
              }}
            >
              <SelectTrigger id={`role-${u.id}`} size="sm" className="w-44" aria-label={`Role of ${u.email}`}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {ROLES.map((r) => (
                  <SelectItem key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          );
        },
      },
      {
        accessorKey: "status",
        header: "Status",
        cell: ({ row }) => (
          <Badge tone={row.original.status === "active" ? "success" : "neutral"}>{row.original.status}</Badge>
        ),
      },
      {
        accessorKey: "lastLoginAt",
        header: "Last sign-in",
        sortUndefined: "last",
        cell: ({ row }) =>
          row.original.lastLoginAt ? (
            <DateTime value={row.original.lastLoginAt} className="whitespace-nowrap" />
          ) : (
            <span className="text-slate-600">never</span>
          ),
      },
      {
        id: "actions",
        header: "Actions",
        enableSorting: false,
        meta: { srOnlyHeader: true, className: "text-right" },
        cell: ({ row }) => {
          const u = row.original;
          const self = u.id === currentUserId;
          const active = u.status === "active";
          return (
            <div className="flex justify-end gap-2">
              <Button
                size="sm"
                variant="secondary"
                aria-label={`Sign out everywhere: ${u.email}`}
                title="End every session of this user"
                onClick={(event) => ask({ kind: "sign-out", user: u }, event.currentTarget)}
              >
                <LogOut aria-hidden /> Sign out
              </Button>
              {/* One element for both states, so focus can come back to it after the change. */}
              <Button
                size="sm"
                variant="secondary"
                className="w-20"
                disabled={self && active}
                title={self && active ? "You cannot disable your own account" : undefined}
                onClick={(event) =>
                  ask({ kind: active ? "disable" : "enable", user: u }, event.currentTarget)
                }
              >
                {active ? "Disable" : "Re-enable"}
              </Button>
            </div>
          );
        },
      },
    ],
    [currentUserId],
  );

  return (
    <>
      <DataTable
        label="Users"
        columns={columns}
        data={users}
        getRowId={(u) => u.id}
        initialSorting={[{ id: "name", desc: false }]}
      />
      <ConfirmDialog
        pending={pending}
        busy={update.isPending || revoke.isPending}
        self={pending?.user.id === currentUserId}
        onConfirm={confirm}
        onCancel={() => setPending(null)}
        onClosed={() => {
          const target = returnFocus.current;
          if (target?.isConnected && !(target as HTMLButtonElement).disabled) target.focus();
          else document.getElementById("main")?.focus();
        }}
      />
    </>
  );
}
