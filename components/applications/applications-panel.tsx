"use client";

import { AppWindow, MoreHorizontal, Plus, RefreshCw } from "lucide-react";
import dynamic from "next/dynamic";
import { useMemo, useState } from "react";
import { QueryProvider } from "@/components/query-provider";
import { Alert } from "@/components/ui/alert";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { DateTime } from "@/components/ui/date-time";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/sonner";
import {
  useApplications,
  useDeleteApplication,
  useRegisterWebhook,
  useSyncApplication,
} from "@/lib/client/queries/applications";
import type { ApplicationDto } from "@/lib/schemas/applications";
import type { FormMode } from "./application-form-dialog";

const ApplicationFormDialog = dynamic(
  () => import("./application-form-dialog").then((m) => m.ApplicationFormDialog),
  { ssr: false },
);
const RetentionDialog = dynamic(() => import("./retention-dialog").then((m) => m.RetentionDialog), {
  ssr: false,
});

/** The applications page below its header (loaded after the page: components/applications/applications-view.tsx). */
export function ApplicationsPanel() {
  return (
    <QueryProvider>
      <ApplicationsList />
    </QueryProvider>
  );
}

function ApplicationsList() {
  const apps = useApplications();
  const [form, setForm] = useState<FormMode | null>(null);
  const [deleting, setDeleting] = useState<ApplicationDto | null>(null);
  const [retention, setRetention] = useState<ApplicationDto | null>(null);
  const connect = (
    <Button onClick={() => setForm({ kind: "create" })}>
      <Plus aria-hidden /> Connect an application
    </Button>
  );
  return (
    <div className="space-y-4">
      {apps.isPending ? (
        <div role="status" aria-label="Loading applications" className="space-y-2">
          <Skeleton className="h-9 w-full" />
          <Skeleton className="h-9 w-full" />
        </div>
      ) : apps.isError ? (
        <Alert>{apps.error.message}</Alert>
      ) : apps.data.items.length === 0 ? (
        <EmptyState icon={AppWindow} title="No Didit application is connected yet" action={connect}>
          Connect one of your Didit applications with its API key (from the Didit business console) to pick
          its sessions and share them with partners.
        </EmptyState>
      ) : (
        <>
          <div className="flex justify-end">{connect}</div>
          <ApplicationsTable
            apps={apps.data.items}
            onEdit={setForm}
            onDelete={setDeleting}
            onRetention={setRetention}
          />
        </>
      )}
      <ApplicationFormDialog mode={form} onClose={() => setForm(null)} />
      <DeleteDialog app={deleting} onClose={() => setDeleting(null)} />
      <RetentionDialog
        app={retention ? (apps.data?.items.find((a) => a.id === retention.id) ?? retention) : null}
        onClose={() => setRetention(null)}
      />
    </div>
  );
}

function WebhookCell({ app }: { app: ApplicationDto }) {
  const { webhook } = app;
  return (
    <div className="space-y-0.5">
      {webhook.state === "registered" ? (
        <Badge tone="success">Registered</Badge>
      ) : webhook.state === "failed" ? (
        <Badge tone="danger">Not registered</Badge>
      ) : (
        <Badge tone="warning">Pending</Badge>
      )}
      {webhook.error && webhook.state !== "registered" && (
        <p className="max-w-56 text-xs text-red-700">{webhook.error}</p>
      )}
      <p className="text-xs text-slate-600">
        {webhook.lastEventAt ? (
          <>
            Last event <DateTime value={webhook.lastEventAt} />
          </>
        ) : (
          "No event yet"
        )}
      </p>
    </div>
  );
}

function SyncCell({ app }: { app: ApplicationDto }) {
  const { sync } = app;
  if (sync.state === "running" || sync.state === "queued") {
    const pct = sync.total ? Math.min(100, Math.round((sync.done / sync.total) * 100)) : null;
    return (
      <div className="w-40 space-y-1">
        <Badge tone="info">{sync.state === "queued" ? "Queued" : "Syncing"}</Badge>
        {sync.state === "running" && (
          <>
            <div
              role="progressbar"
              aria-label={`Sync of ${app.name}`}
              aria-valuemin={0}
              aria-valuemax={sync.total ?? undefined}
              aria-valuenow={sync.done}
              className="h-1.5 overflow-hidden rounded-full bg-slate-200"
            >
              <div className="h-full bg-brand-600" style={{ width: `${pct ?? 5}%` }} />
            </div>
            <p className="text-xs text-slate-600">
              {sync.done.toLocaleString("en")}
              {sync.total !== null ? ` / ${sync.total.toLocaleString("en")}` : ""} sessions
            </p>
          </>
        )}
      </div>
    );
  }
  return (
    <div className="space-y-0.5">
      {sync.state === "failed" ? <Badge tone="danger">Sync failed</Badge> : <Badge>Up to date</Badge>}
      {sync.error && sync.state === "failed" && <p className="max-w-56 text-xs text-red-700">{sync.error}</p>}
      <p className="text-xs text-slate-600">
        {sync.finishedAt ? (
          <>
            Synced <DateTime value={sync.finishedAt} />
          </>
        ) : (
          "Never synced"
        )}
      </p>
    </div>
  );
}

function ApplicationsTable({
  apps,
  onEdit,
  onDelete,
  onRetention,
}: {
  apps: ApplicationDto[];
  onEdit: (mode: FormMode) => void;
  onDelete: (app: ApplicationDto) => void;
  onRetention: (app: ApplicationDto) => void;
}) {
  const sync = useSyncApplication();
  const webhook = useRegisterWebhook();

  const columns = useMemo<ColumnDef<ApplicationDto, unknown>[]>(() => {
    function syncNow(app: ApplicationDto, full: boolean) {
      sync.mutate(
        { id: app.id, full },
        {
          onSuccess: () => toast.success(`${full ? "A full resync" : "A sync"} of ${app.name} is queued.`),
          onError: (error) => toast.error(`Could not start the sync of ${app.name}: ${error.message}`),
        },
      );
    }
    function registerWebhook(app: ApplicationDto) {
      webhook.mutate(
        { id: app.id },
        {
          onSuccess: () => toast.success(`The webhook of ${app.name} is registered.`),
          onError: (error) => toast.error(`The webhook of ${app.name} is not registered: ${error.message}`),
        },
      );
    }
    return [
      {
        accessorKey: "name",
        header: "Application",
        cell: ({ row }) => (
          <div>
            <p className="font-medium text-slate-800">{row.original.name}</p>
            <p className="font-mono text-xs text-slate-600">{row.original.diditApplicationId}</p>
          </div>
        ),
      },
      {
        accessorKey: "environment",
        header: "Environment",
        cell: ({ row }) => (
          <Badge tone={row.original.environment === "live" ? "success" : "neutral"}>
            {row.original.environment === "live" ? "Live" : "Sandbox"}
          </Badge>
        ),
      },
      {
        id: "key",
        header: "API key",
        enableSorting: false,
        cell: ({ row }) => {
          const a = row.original;
          return (
            <div className="space-y-0.5">
              <span
                className="font-mono text-slate-800"
                aria-label={`Key ending in ${a.apiKeyLast4 ?? "unknown"}`}
              >
                ••••{a.apiKeyLast4}
              </span>
              {a.apiKeyError ? (
                <p className="max-w-56 text-xs text-red-700">{a.apiKeyError}</p>
              ) : a.apiKeyCheckedAt ? (
                <p className="text-xs text-slate-600">
                  Tested <DateTime value={a.apiKeyCheckedAt} />
                </p>
              ) : (
                <p className="text-xs text-slate-600">Being tested…</p>
              )}
            </div>
          );
        },
      },
      {
        id: "webhook",
        header: "Webhook",
        enableSorting: false,
        cell: ({ row }) => <WebhookCell app={row.original} />,
      },
      {
        id: "sync",
        header: "Session sync",
        enableSorting: false,
        cell: ({ row }) => <SyncCell app={row.original} />,
      },
      {
        id: "retention",
        header: "Retention",
        enableSorting: false,
        cell: ({ row }) => {
          const a = row.original;
          return (
            <div className="space-y-0.5">
              <Button
                size="sm"
                variant="ghost"
                onClick={() => onRetention(a)}
                aria-label={`Retention of ${a.name}: ${a.retentionDays === null ? "keep" : `${a.retentionDays} days`}`}
              >
                {a.retentionDays === null ? "Keep" : `${a.retentionDays.toLocaleString("en")} days`}
              </Button>
              {a.retentionError && <p className="max-w-56 text-xs text-red-700">{a.retentionError}</p>}
            </div>
          );
        },
      },
      {
        id: "actions",
        header: "Actions",
        enableSorting: false,
        meta: { srOnlyHeader: true, className: "text-right" },
        cell: ({ row }) => {
          const a = row.original;
          const running = a.sync.state === "running" || a.sync.state === "queued";
          return (
            <div className="flex justify-end gap-2">
              <Button
                size="sm"
                variant="secondary"
                pending={running || (sync.isPending && sync.variables?.id === a.id)}
                onClick={() => syncNow(a, false)}
                aria-label={`Sync now: ${a.name}`}
              >
                <RefreshCw aria-hidden /> Sync now
              </Button>
              <DropdownMenu>
                <DropdownMenuTrigger asChild>
                  <Button size="sm" variant="ghost" aria-label={`More actions: ${a.name}`}>
                    <MoreHorizontal aria-hidden />
                  </Button>
                </DropdownMenuTrigger>
                <DropdownMenuContent align="end">
                  <DropdownMenuItem onSelect={() => onEdit({ kind: "edit", app: a })}>Edit</DropdownMenuItem>
                  <DropdownMenuItem onSelect={() => onEdit({ kind: "rotate", app: a })}>
                    Rotate key
                  </DropdownMenuItem>
                  <DropdownMenuItem onSelect={() => onRetention(a)}>Retention…</DropdownMenuItem>
                  {a.webhook.state !== "registered" && (
                    <DropdownMenuItem onSelect={() => registerWebhook(a)}>Register webhook</DropdownMenuItem>
                  )}
                  <DropdownMenuItem disabled={running} onSelect={() => syncNow(a, true)}>
                    Full resync
                  </DropdownMenuItem>
                  <DropdownMenuSeparator />
                  <DropdownMenuItem className="text-red-700" onSelect={() => onDelete(a)}>
                    Delete…
                  </DropdownMenuItem>
                </DropdownMenuContent>
              </DropdownMenu>
            </div>
          );
        },
      },
    ];
  }, [sync, webhook, onEdit, onDelete, onRetention]);

  return <DataTable columns={columns} data={apps} label="Connected applications" getRowId={(a) => a.id} />;
}

function DeleteDialog({ app, onClose }: { app: ApplicationDto | null; onClose: () => void }) {
  const remove = useDeleteApplication();
  function confirm() {
    if (!app) return;
    remove.mutate(
      { id: app.id },
      {
        onSuccess: () => {
          onClose();
          toast.success(`${app.name} is removed from Handoff; its key is destroyed.`);
        },
        onError: (error) => {
          onClose();
          toast.error(`${app.name} was not removed: ${error.message}`);
        },
      },
    );
  }
  return (
    <AlertDialog open={app !== null} onOpenChange={(open) => !open && !remove.isPending && onClose()}>
      <AlertDialogContent>
        {app && (
          <>
            <AlertDialogHeader>
              <AlertDialogTitle>Remove {app.name}?</AlertDialogTitle>
              <AlertDialogDescription>
                Its API key and webhook secret are destroyed and its Didit webhook is deleted. Its sessions
                can no longer be shared and tokens can no longer be imported into it. Shares, imports and the
                audit trail stay. This cannot be undone: to use it again, connect it with a key.
              </AlertDialogDescription>
            </AlertDialogHeader>
            <AlertDialogFooter>
              <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
              <Button variant="danger" pending={remove.isPending} onClick={confirm}>
                {remove.isPending ? "Removing…" : "Remove application"}
              </Button>
            </AlertDialogFooter>
          </>
        )}
      </AlertDialogContent>
    </AlertDialog>
  );
}
