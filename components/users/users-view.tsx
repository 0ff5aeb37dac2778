"use client";

import { useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Alert, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { ApiError } from "@/lib/client/api-fetch";
import { useCreateUser, useUpdateUser, useUsers } from "@/lib/client/queries/users";
import { ROLE_LABELS, ROLES, type Role } from "@/lib/rbac";
import type { UserDto } from "@/lib/schemas/users";

function CreateUserForm() {
  const create = useCreateUser();
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors : {};

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    create.mutate(
      {
        email: String(form.get("email") ?? ""),
        name: String(form.get("name") ?? ""),
        role: String(form.get("role") ?? "") as Role,
      },
      {
        onSuccess: (result) => {
          setCreated({ email: result.user.email, password: result.initialPassword });
          formEl.reset();
        },
      },
    );
  }

  return (
    <Card title="Add a user">
      <form onSubmit={onSubmit} className="grid gap-4 md:grid-cols-4" aria-label="Add a user" noValidate>
        <TextField label="Name" name="name" required error={fieldErrors.name?.[0]} />
        <TextField label="Email" name="email" type="email" required error={fieldErrors.email?.[0]} />
        <SelectField label="Role" name="role" defaultValue="officer" error={fieldErrors.role?.[0]}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </SelectField>
        <div className="flex items-end">
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create user"}
          </Button>
        </div>
      </form>
      {create.isError && Object.keys(fieldErrors).length === 0 && (
        <div className="mt-3">
          <Alert>{create.error.message}</Alert>
        </div>
      )}
      <Dialog open={created !== null} title="User created" onClose={() => setCreated(null)}>
        {created && (
          <div className="space-y-3 text-sm">
            <p>
              Give <strong>{created.email}</strong> this initial password over a secure channel. It is shown
              only once.
            </p>
            <p className="rounded bg-slate-100 px-3 py-2 font-mono text-base" aria-label="Initial password">
              {created.password}
            </p>
            <div className="flex justify-end gap-2">
              <Button
                variant="secondary"
                onClick={() => void navigator.clipboard?.writeText(created.password)}
              >
                Copy
              </Button>
              <Button onClick={() => setCreated(null)}>Done</Button>
            </div>
          </div>
        )}
      </Dialog>
    </Card>
  );
}

type Pending = {
  user: UserDto;
  change: { role?: Role; status?: "active" | "disabled" };
  summary: string;
} | null;

export function UsersView({ currentUserId }: { currentUserId: string }) {
  const users = useUsers();
  const update = useUpdateUser();
  const [pending, setPending] = useState<Pending>(null);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  function confirm() {
    if (!pending) return;
    const { user, change } = pending;
    update.mutate(
      { id: user.id, ...change },
      {
        onSuccess: () => {
          setNotice({ tone: "success", text: `${user.email}: ${pending.summary.toLowerCase()}.` });
          setPending(null);
        },
        onError: (error) => {
          setNotice({ tone: "error", text: error.message });
          setPending(null);
        },
      },
    );
  }

  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in to Handoff and with which role. Changes take effect on the user's next request."
      />
      <div className="space-y-6">
        <CreateUserForm />
        {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
        {users.isPending ? (
          <p role="status" className="text-sm text-slate-600">
            Loading users…
          </p>
        ) : users.isError ? (
          <Alert>{users.error.message}</Alert>
        ) : users.data.items.length === 0 ? (
          <EmptyState title="No users yet">Add the first user above.</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Users">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Name
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Email
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Role
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Last sign-in
                  </th>
                  <th scope="col" className="px-3 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {users.data.items.map((u) => (
                  <tr key={u.id}>
                    <td className="px-3 py-2 font-medium text-slate-800">
                      {u.name}{" "}
                      {u.id === currentUserId && <span className="text-xs text-slate-500">(you)</span>}
                    </td>
                    <td className="px-3 py-2 text-slate-700">{u.email}</td>
                    <td className="px-3 py-2">
                      <select
                        aria-label={`Role of ${u.email}`}
                        value={u.role}
                        disabled={update.isPending}
                        onChange={(e) => {
                          const role = e.target.value as Role;
                          setPending({
                            user: u,
                            change: { role },
                            summary: `Role changed to ${ROLE_LABELS[role]}`,
                          });
                        }}
                        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td className="px-3 py-2">
                      <Badge tone={u.status === "active" ? "success" : "neutral"}>{u.status}</Badge>
                    </td>
                    <td className="px-3 py-2 text-slate-600">
                      {u.lastLoginAt ? u.lastLoginAt.replace("T", " ").slice(0, 16) + " UTC" : "never"}
                    </td>
                    <td className="px-3 py-2 text-right">
                      {u.status === "active" ? (
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={u.id === currentUserId}
                          title={u.id === currentUserId ? "You cannot disable your own account" : undefined}
                          onClick={() =>
                            setPending({ user: u, change: { status: "disabled" }, summary: "Disabled" })
                          }
                        >
                          Disable
                        </Button>
                      ) : (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() =>
                            setPending({ user: u, change: { status: "active" }, summary: "Re-enabled" })
                          }
                        >
                          Re-enable
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <Dialog open={pending !== null} title="Confirm the change" onClose={() => setPending(null)}>
        {pending && (
          <div className="space-y-4 text-sm">
            <p>
              {pending.change.status === "disabled"
                ? `Disable ${pending.user.email}? They are signed out on their next request and cannot sign in until re-enabled.`
                : pending.change.status === "active"
                  ? `Re-enable ${pending.user.email}? They can sign in again with their password.`
                  : `Change the role of ${pending.user.email} from ${ROLE_LABELS[pending.user.role]} to ${ROLE_LABELS[pending.change.role!]}? It takes effect on their next request.`}
            </p>
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setPending(null)}>
                Cancel
              </Button>
              <Button
                variant={pending.change.status === "disabled" ? "danger" : "primary"}
                onClick={confirm}
                disabled={update.isPending}
              >
                {update.isPending ? "Saving…" : "Confirm"}
              </Button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}
