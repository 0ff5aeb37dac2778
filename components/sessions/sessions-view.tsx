"use client";

import { PlugZap } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button-variants";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { useSessions, useSyncStatus } from "@/lib/client/queries/sessions";
import type { SessionListItemDto } from "@/lib/schemas/sessions";
import { SessionDrawer } from "./session-drawer";
import { isFiltered, SessionsFilters, useSessionFilters, type FilterPatch } from "./sessions-filters";
import { SyncBanner } from "./sync-banner";

function TableSkeleton() {
  return (
    <div role="status" aria-label="Loading sessions" className="space-y-2">
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <span className="sr-only">Loading sessions…</span>
    </div>
  );
}

// The table (TanStack Table) loads while the first page of sessions is fetched.
const SessionsTable = dynamic(() => import("./sessions-table").then((m) => m.SessionsTable), {
  ssr: false,
  loading: TableSkeleton,
});

export function SessionsView({ canShare }: { canShare: boolean }) {
  const { filters, openSession, setValues } = useSessionFilters();
  const applications = useSyncStatus();
  const apps = useMemo(() => applications.data?.items ?? [], [applications.data]);
  const sessions = useSessions(filters);
  const items = useMemo(() => sessions.data?.pages.flatMap((p) => p.items) ?? [], [sessions.data]);
  // The row a drawer was opened from shows at once; a drawer opened from the URL waits for its data.
  const [openedRow, setOpenedRow] = useState<SessionListItemDto | null>(null);

  const onChange = useCallback((patch: FilterPatch) => void setValues(patch), [setValues]);
  const clear = useCallback(
    () => void setValues({ applicationId: null, kind: null, status: null, finished: null, q: null }),
    [setValues],
  );
  const open = useCallback(
    (s: SessionListItemDto) => {
      setOpenedRow(s);
      void setValues({ session: s.sessionId });
    },
    [setValues],
  );

  const noApplication = applications.isSuccess && apps.length === 0;
  const syncing = apps.some((a) => a.sync.state === "queued" || a.sync.state === "running");

  return (
    <div className="space-y-6">
      {noApplication ? (
        <EmptyState
          icon={PlugZap}
          title="No Didit application is connected yet"
          action={
            <Link href="/applications" className={buttonVariants({ variant: "secondary" })}>
              Go to Applications
            </Link>
          }
        >
          Sessions appear here once an admin connects one of your Didit applications with its API key on the
          Applications page.
        </EmptyState>
      ) : (
        <>
          <SyncBanner applications={apps} />
          <SessionsFilters filters={filters} applications={apps} onChange={onChange} />
          {sessions.isError && (
            <Alert title="The sessions could not be loaded">{sessions.error.message}</Alert>
          )}
          {sessions.isPending ? (
            <TableSkeleton />
          ) : sessions.isError ? null : (
            <>
              {syncing && (
                <p role="status" className="text-xs text-slate-600">
                  Sessions are still being imported: the list grows as you load more or change a filter.
                </p>
              )}
              <div aria-busy={sessions.isFetching && !sessions.isFetchingNextPage}>
                <SessionsTable
                  sessions={items}
                  filtered={isFiltered(filters)}
                  showApplication={apps.length > 1}
                  onOpen={open}
                  onClear={clear}
                />
              </div>
            </>
          )}
          {sessions.hasNextPage && (
            <Button
              variant="secondary"
              onClick={() => void sessions.fetchNextPage()}
              pending={sessions.isFetchingNextPage}
            >
              {sessions.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          )}
        </>
      )}
      <SessionDrawer
        session={
          openSession
            ? { sessionId: openSession, row: openedRow?.sessionId === openSession ? openedRow : null }
            : null
        }
        canShare={canShare}
        onOpenChange={(next) => {
          if (!next) {
            setOpenedRow(null);
            void setValues({ session: null });
          }
        }}
      />
    </div>
  );
}
