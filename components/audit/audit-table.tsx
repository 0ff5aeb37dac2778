"use client";

import { ChevronDown, ChevronRight, SearchX } from "lucide-react";
import { Button } from "@/components/ui/button";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import type { AuditEventDto } from "@/lib/schemas/audit";
import { EventDetail } from "./event-detail";
import { Sentence } from "./sentence";

const columns: ColumnDef<AuditEventDto, unknown>[] = [
  {
    accessorKey: "seq",
    header: "#",
    meta: { className: "w-12 tabular-nums text-slate-600" },
  },
  {
    accessorKey: "occurredAt",
    header: "Time",
    cell: ({ row }) => <DateTime value={row.original.occurredAt} className="whitespace-nowrap" />,
  },
  {
    accessorKey: "actorLabel",
    header: "Actor",
    cell: ({ row }) => {
      const e = row.original;
      const person = e.actorId ? e.people[e.actorId] : undefined;
      return person ? <span title={person.email}>{person.name}</span> : e.actorLabel;
    },
  },
  {
    accessorKey: "action",
    header: "Action",
    // The event in words; the raw action below it is what the Action filter takes.
    cell: ({ row }) => (
      <div className="min-w-0 space-y-0.5">
        <p className="text-slate-900">
          <Sentence parts={row.original.sentence} />
        </p>
        <code className="rounded bg-slate-100 px-1 text-xs text-slate-800">{row.original.action}</code>
      </div>
    ),
  },
  {
    id: "entity",
    header: "Entity",
    cell: ({ row }) => {
      const e = row.original;
      return e.entityType ? (
        <span title={e.entityId ?? undefined}>
          {e.entityType} <span className="font-mono text-xs">{e.entityId?.slice(0, 8) ?? ""}</span>
        </span>
      ) : (
        "—"
      );
    },
  },
  { accessorKey: "ip", header: "IP", cell: ({ row }) => row.original.ip ?? "—" },
  {
    id: "details",
    header: "Details",
    meta: { srOnlyHeader: true, className: "text-right" },
    cell: ({ row }) => {
      const open = row.getIsExpanded();
      return (
        <Button
          size="sm"
          variant="ghost"
          aria-expanded={open}
          aria-label={`${open ? "Hide" : "Show"} details of event ${row.original.seq}`}
          onClick={row.getToggleExpandedHandler()}
        >
          {open ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
          {open ? "Hide" : "Details"}
        </Button>
      );
    },
  },
];

export function AuditTable({ events }: { events: AuditEventDto[] }) {
  return (
    <DataTable
      label="Audit events"
      columns={columns}
      data={events}
      getRowId={(e) => e.id}
      sortable={false}
      renderDetail={(row) => <EventDetail event={row.original} />}
      empty={
        <EmptyState icon={SearchX} title="No events match these filters">
          Widen the time range or clear a filter.
        </EmptyState>
      }
    />
  );
}
