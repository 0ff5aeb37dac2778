"use client";

import { ClipboardCheck, OctagonAlert, SearchX, UserPlus, X } from "lucide-react";
import Link from "next/link";
import { KIND_LABELS, statusTone } from "@/components/sessions/format";
import { SubjectName } from "@/components/sessions/subject-name";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { toast } from "@/components/ui/sonner";
import { useAssignImport } from "@/lib/client/queries/imports";
import { RECALL_TRIGGER_LABELS } from "@/lib/schemas/recalls";
import type { ImportListItemDto } from "@/lib/schemas/reviews";
import { shortId } from "./format";
import { ReassignDialog } from "./reassign-dialog";
import { Age, SlaCell } from "./review-bits";

function sessionName(i: ImportListItemDto) {
  return i.cloneSessionNumber !== null ? `#${i.cloneSessionNumber}` : shortId(i.cloneSessionId);
}

function AssignCell({ item, canAssign }: { item: ImportListItemDto; canAssign: boolean }) {
  const assign = useAssignImport(item.id);
  if (item.assignee) {
    if (!canAssign) return <span className="whitespace-nowrap">{item.assignee.name}</span>;
    return (
      <span className="inline-flex flex-wrap items-center gap-1">
        <span className="whitespace-nowrap">{item.assignee.name}</span>
        <ReassignDialog
          importId={item.id}
          sessionName={sessionName(item)}
          assignee={item.assignee}
          srSuffix={` (session ${sessionName(item)})`}
        />
      </span>
    );
  }
  if (!canAssign) return <span className="text-slate-600">Unassigned</span>;
  return (
    <Button
      size="sm"
      variant="secondary"
      pending={assign.isPending}
      onClick={() =>
        assign.mutate(
          { assigneeId: "me" },
          {
            onSuccess: () => toast.success(`Session ${sessionName(item)} is assigned to you.`),
            onError: (error) => toast.error(`Not assigned: ${error.message}`),
          },
        )
      }
    >
      <UserPlus aria-hidden /> Assign to me<span className="sr-only"> (session {sessionName(item)})</span>
    </Button>
  );
}

function columns(canAssign: boolean): ColumnDef<ImportListItemDto, unknown>[] {
  return [
    {
      id: "session",
      header: "Session",
      cell: ({ row }) => {
        const i = row.original;
        return (
          <div className="min-w-0">
            <Link
              href={`/reviews/${i.id}`}
              // A label, not a leading sr-only span: that 1 px box is the link's first fragment, and a
              // pointer aimed at it lands on the cell instead of the link.
              aria-label={`Review session ${sessionName(i)} ${shortId(i.cloneSessionId)}`}
              className="whitespace-nowrap font-medium text-brand-700 hover:underline"
            >
              {sessionName(i)}{" "}
              <code className="text-xs" title={i.cloneSessionId ?? undefined}>
                {shortId(i.cloneSessionId)}
              </code>
            </Link>
            <SubjectName subject={i.subject} className="block max-w-56 truncate" />
            <p className="max-w-56 truncate text-xs text-slate-600" title={i.vendorData}>
              {i.vendorData}
            </p>
          </div>
        );
      },
    },
    { accessorKey: "partnerName", header: "Partner" },
    { id: "kind", header: "Kind", cell: ({ row }) => KIND_LABELS[row.original.sessionKind] },
    {
      id: "imported",
      header: "Imported",
      cell: ({ row }) => <Age value={row.original.finishedAt ?? row.original.startedAt} />,
    },
    { id: "sla", header: "SLA", cell: ({ row }) => <SlaCell item={row.original} /> },
    {
      id: "assignee",
      header: "Assignee",
      cell: ({ row }) => <AssignCell item={row.original} canAssign={canAssign} />,
    },
    {
      id: "status",
      header: "Status",
      cell: ({ row }) => {
        const i = row.original;
        return (
          <span className="flex flex-wrap gap-1">
            {i.recall && (
              <Badge tone="danger" title={i.recall.reason}>
                <OctagonAlert aria-hidden /> Recalled: {RECALL_TRIGGER_LABELS[i.recall.trigger]}
              </Badge>
            )}
            {i.status && <Badge tone={statusTone(i.status)}>{i.status}</Badge>}
            {i.pendingProposal && (
              <Badge tone="info">Awaiting second approval: {i.pendingProposal.status}</Badge>
            )}
            {i.awaitingConfirmation && <Badge tone="info">Sent to Didit</Badge>}
          </span>
        );
      },
    },
  ];
}

export function ReviewsTable({
  items,
  filtered,
  canAssign,
  onClearFilters,
}: {
  items: ImportListItemDto[];
  filtered: boolean;
  canAssign: boolean;
  onClearFilters: () => void;
}) {
  return (
    <DataTable
      label="Review queue"
      columns={columns(canAssign)}
      data={items}
      getRowId={(i) => i.id}
      sortable={false}
      empty={
        filtered ? (
          <EmptyState
            icon={SearchX}
            title="No reviews match these filters"
            action={
              <Button variant="secondary" onClick={onClearFilters}>
                <X aria-hidden /> Clear filters
              </Button>
            }
          >
            Clear a filter or search for something else.
          </EmptyState>
        ) : (
          <EmptyState icon={ClipboardCheck} title="Nothing to review">
            Imported verifications that land In Review appear here, and any a partner recalls (its source
            declined, deleted or expired), first, with the reason.
          </EmptyState>
        )
      }
    />
  );
}
