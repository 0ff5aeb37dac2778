"use client";

import { BellRing, Inbox, RotateCw, Send } from "lucide-react";
import Link from "next/link";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useEffect, useMemo } from "react";
import { FilterSelect } from "@/components/filters/filter-bar";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useReceivedRecalls, useSentRecalls } from "@/lib/client/queries/recalls";
import {
  INBOUND_RECALL_STATES,
  RECALL_CHANNEL_LABELS,
  RECALL_NOTICE_STATES,
  RECALL_STATE_LABELS,
  RECALL_TRIGGER_LABELS,
  type InboundRecallDto,
  type RecallNoticeDto,
  type RecallNoticeStateDto,
} from "@/lib/schemas/recalls";
import { MarkToldDialog, RetryButton } from "./notice-actions";

const SIDES = ["sent", "received"] as const;
const parsers = {
  tab: parseAsStringLiteral(SIDES).withDefault("sent"),
  state: parseAsString,
};

const STATE_TONES: Record<RecallNoticeStateDto, "neutral" | "success" | "warning" | "danger" | "info"> = {
  pending: "info",
  sent: "success",
  failed: "danger",
  open: "warning",
  done: "success",
};

const short = (id: string | null) => (id ? id.slice(0, 8) : "—");

function sentColumns(canManage: boolean): ColumnDef<RecallNoticeDto, unknown>[] {
  return [
    {
      id: "recall",
      header: "Recall",
      cell: ({ row }) => {
        const n = row.original;
        return (
          <div className="min-w-0">
            <Badge tone="danger">{RECALL_TRIGGER_LABELS[n.recall.trigger]}</Badge>
            <p className="mt-1 text-xs text-slate-600">
              <DateTime value={n.recall.raisedAt} />
            </p>
          </div>
        );
      },
    },
    {
      id: "session",
      header: "Session",
      cell: ({ row }) => {
        const n = row.original;
        return (
          <div className="min-w-0">
            <Link
              href={`/shares/${n.shareId}`}
              aria-label={`Share of session ${short(n.recall.sessionId)}`}
              className="whitespace-nowrap font-medium text-brand-700 hover:underline"
            >
              <code className="text-xs" title={n.recall.sessionId}>
                {short(n.recall.sessionId)}
              </code>
            </Link>
            <p className="text-xs text-slate-600">
              {n.recall.applicationName} · {n.recall.fromStatus ?? "—"} → {n.recall.toStatus ?? "gone"}
            </p>
          </div>
        );
      },
    },
    { id: "partner", header: "Partner", cell: ({ row }) => row.original.partnerName ?? "—" },
    {
      id: "channel",
      header: "Channel",
      cell: ({ row }) => RECALL_CHANNEL_LABELS[row.original.channel],
    },
    {
      id: "state",
      header: "State",
      cell: ({ row }) => {
        const n = row.original;
        return (
          <div className="min-w-0">
            <Badge tone={STATE_TONES[n.state]}>{RECALL_STATE_LABELS[n.state]}</Badge>
            {n.state === "done" && n.doneNote && (
              <p className="mt-1 max-w-64 text-xs text-slate-600" title={n.doneNote}>
                {n.doneBy?.name ?? "An officer"}: {n.doneNote}
              </p>
            )}
          </div>
        );
      },
    },
    { id: "attempts", header: "Attempts", cell: ({ row }) => row.original.attempts },
    {
      id: "error",
      header: "Last error",
      cell: ({ row }) =>
        row.original.lastError ? (
          <span className="text-xs text-red-700">{row.original.lastError}</span>
        ) : (
          <span className="text-slate-600">—</span>
        ),
    },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row }) => {
        const n = row.original;
        if (!canManage) return null;
        if (n.canRetry) return <RetryButton notice={n} />;
        if (n.canMarkDone) return <MarkToldDialog notice={n} />;
        return null;
      },
    },
  ];
}

const receivedColumns: ColumnDef<InboundRecallDto, unknown>[] = [
  { id: "partner", header: "Partner", cell: ({ row }) => row.original.partnerName ?? "—" },
  {
    id: "source",
    header: "Source",
    cell: ({ row }) => {
      const r = row.original;
      return (
        <div className="min-w-0">
          <code className="text-xs" title={r.sourceSessionId}>
            {short(r.sourceSessionId)}
          </code>
          <p className="text-xs text-slate-600">
            {r.internal ? "Inside this console" : "Pushed by the partner"} · <DateTime value={r.receivedAt} />
          </p>
        </div>
      );
    },
  },
  {
    id: "trigger",
    header: "Trigger",
    cell: ({ row }) => <Badge tone="danger">{RECALL_TRIGGER_LABELS[row.original.trigger]}</Badge>,
  },
  {
    id: "reason",
    header: "Reason",
    cell: ({ row }) => <p className="max-w-80 text-sm">{row.original.reason}</p>,
  },
  {
    id: "imports",
    header: "Imports affected",
    cell: ({ row }) => {
      const r = row.original;
      if (r.imports.length === 0) return <span className="text-slate-600">None held</span>;
      return (
        <ul className="space-y-1">
          {r.imports.map((i) => (
            <li key={i.id} className="flex flex-wrap items-center gap-1">
              <Link
                href={`/reviews/${i.id}`}
                aria-label={`Review clone ${short(i.cloneSessionId)}`}
                className="font-medium text-brand-700 hover:underline"
              >
                <code className="text-xs">{short(i.cloneSessionId)}</code>
              </Link>
              {i.recallClearedAt ? (
                <Badge tone="success">Decided again</Badge>
              ) : (
                <Badge tone="warning">In the queue</Badge>
              )}
            </li>
          ))}
        </ul>
      );
    },
  },
];

function LoadError({ message, retry }: { message: string; retry: () => void }) {
  return (
    <Alert title="The recalls could not be loaded">
      <p>{message}</p>
      <Button className="mt-2" variant="secondary" size="sm" onClick={retry}>
        <RotateCw aria-hidden /> Try again
      </Button>
    </Alert>
  );
}

function SentTab({ state, canManage }: { state: string | null; canManage: boolean }) {
  const q = useSentRecalls(state);
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const columns = useMemo(() => sentColumns(canManage), [canManage]);
  if (q.isError) return <LoadError message={q.error.message} retry={() => void q.refetch()} />;
  return (
    <div className="space-y-4">
      <DataTable
        label="Recalls we sent"
        columns={columns}
        data={items}
        getRowId={(n) => n.id}
        sortable={false}
        empty={
          <EmptyState icon={Send} title={state ? "No recalls in this state" : "No recalls sent"}>
            When a verification we shared is declined, deleted at Didit, expires or goes back to review, every
            partner it was shared with is told here: pushed to partners with an inbox URL, handed over at once
            to our sister brands, and a task for an officer otherwise.
          </EmptyState>
        }
      />
      {q.hasNextPage && (
        <Button variant="secondary" onClick={() => void q.fetchNextPage()} pending={q.isFetchingNextPage}>
          {q.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}

function ReceivedTab({ state }: { state: string | null }) {
  const q = useReceivedRecalls(state);
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  if (q.isError) return <LoadError message={q.error.message} retry={() => void q.refetch()} />;
  return (
    <div className="space-y-4">
      <DataTable
        label="Recalls we received"
        columns={receivedColumns}
        data={items}
        getRowId={(r) => r.id}
        sortable={false}
        empty={
          <EmptyState icon={Inbox} title={state ? "No recalls in this state" : "No recalls received"}>
            When a partner tells us a verification it shared has changed, our imports of it go back to the
            review queue with the partner&apos;s reason, and the recall is listed here.
          </EmptyState>
        }
      />
      {q.hasNextPage && (
        <Button variant="secondary" onClick={() => void q.fetchNextPage()} pending={q.isFetchingNextPage}>
          {q.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}

export function RecallsView({ canManage }: { canManage: boolean }) {
  const [{ tab, state }, set] = useQueryStates(parsers, { history: "push" });
  const states: readonly string[] = tab === "sent" ? RECALL_NOTICE_STATES : INBOUND_RECALL_STATES;
  const current = state && states.includes(state) ? state : null;
  // A state this side does not have (a hand-edited link) is not applied: it leaves the address too.
  useEffect(() => {
    if (state && !current) void set({ state: null }, { history: "replace" });
  }, [state, current, set]);
  return (
    <Tabs
      value={tab}
      onValueChange={(next) => void set({ tab: next as (typeof SIDES)[number], state: null })}
    >
      <div className="flex flex-wrap items-end justify-between gap-3">
        <TabsList aria-label="Recalls">
          <TabsTrigger value="sent">
            <BellRing aria-hidden className="size-4" /> Sent
          </TabsTrigger>
          <TabsTrigger value="received">
            <Inbox aria-hidden className="size-4" /> Received
          </TabsTrigger>
        </TabsList>
        <FilterSelect
          className="w-44"
          label="State"
          value={current ?? undefined}
          onChange={(next) => void set({ state: next })}
          anyLabel="Any state"
          options={
            tab === "sent"
              ? RECALL_NOTICE_STATES.map((s) => ({ value: s, label: RECALL_STATE_LABELS[s] }))
              : [
                  { value: "open", label: "Awaiting a new decision" },
                  { value: "cleared", label: "Decided again" },
                ]
          }
        />
      </div>
      <TabsContent value="sent">
        <SentTab state={tab === "sent" ? current : null} canManage={canManage} />
      </TabsContent>
      <TabsContent value="received">
        <ReceivedTab state={tab === "received" ? current : null} />
      </TabsContent>
    </Tabs>
  );
}
