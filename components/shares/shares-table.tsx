"use client";

import { SearchX, Share2 } from "lucide-react";
import Link from "next/link";
import { SubjectName } from "@/components/sessions/subject-name";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { buttonVariants } from "@/components/ui/button-variants";
import type { ShareDto } from "@/lib/schemas/shares";
import { ExpiresCell } from "./expires-cell";
import { CHANNEL_LABELS, KIND_LABELS } from "./format";
import { ShareStateBadge } from "./share-state-badge";

function sessionText(s: ShareDto) {
  return `${s.sessionNumber !== null ? `#${s.sessionNumber}` : s.sessionId.slice(0, 8)} · ${KIND_LABELS[s.sessionKind]}`;
}

const columns: ColumnDef<ShareDto, unknown>[] = [
  {
    accessorKey: "createdAt",
    header: "Created",
    cell: ({ row }) => <DateTime value={row.original.createdAt} className="whitespace-nowrap" />,
  },
  {
    id: "session",
    header: "Session",
    cell: ({ row }) => (
      <div className="min-w-0">
        <Link
          href={`/shares/${row.original.id}`}
          className="whitespace-nowrap font-medium text-brand-700 hover:underline"
          aria-label={`Share of session ${sessionText(row.original)} to ${row.original.partnerName}`}
        >
          {sessionText(row.original)}
        </Link>
        <SubjectName subject={row.original.subject} className="block max-w-56 truncate text-sm" />
      </div>
    ),
  },
  { accessorKey: "partnerName", header: "Partner" },
  { id: "channel", header: "Channel", cell: ({ row }) => CHANNEL_LABELS[row.original.channel] },
  {
    id: "state",
    header: "State",
    cell: ({ row }) => (
      <ShareStateBadge state={row.original.state} withdrawn={row.original.withdrawal !== null} />
    ),
  },
  {
    id: "expires",
    header: "Expires",
    cell: ({ row }) => <ExpiresCell state={row.original.state} expiresAt={row.original.expiresAt} />,
  },
  { accessorKey: "attempts", header: "Attempts", meta: { className: "tabular-nums text-right" } },
  {
    id: "receipt",
    header: "Receipt",
    cell: ({ row }) => {
      const s = row.original;
      if (s.receiptStatus === "imported")
        return (
          <span className="whitespace-nowrap">
            Imported
            {s.receiptCloneSessionId && (
              <>
                {" "}
                <code className="text-xs text-slate-600" title={s.receiptCloneSessionId}>
                  {s.receiptCloneSessionId.slice(0, 8)}
                </code>
              </>
            )}
          </span>
        );
      if (s.receiptStatus === "rejected")
        return (
          <span className="text-red-700" title={s.receiptReason ?? undefined}>
            Rejected
          </span>
        );
      return <span className="text-slate-600">—</span>;
    },
  },
];

export function SharesTable({ shares, filtered }: { shares: ShareDto[]; filtered: boolean }) {
  return (
    <DataTable
      label="Shares"
      columns={columns}
      data={shares}
      getRowId={(s) => s.id}
      sortable={false}
      empty={
        filtered ? (
          <EmptyState icon={SearchX} title="No shares match these filters">
            Clear a filter or search for something else.
          </EmptyState>
        ) : (
          <EmptyState
            icon={Share2}
            title="No shares yet"
            action={
              <Link href="/sessions" className={buttonVariants({ variant: "secondary" })}>
                Go to sessions
              </Link>
            }
          >
            Pick a finished session on /sessions and choose Share.
          </EmptyState>
        )
      }
    />
  );
}
