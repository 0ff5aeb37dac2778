"use client";

import { TriangleAlert } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import type { AnalyticsPartnerDto, LatencyDto } from "@/lib/schemas/analytics";
import { formatRate, formatSeconds, isHighOverride } from "./format";

const NUM = { className: "tabular-nums text-right" };
/** Sorting puts "no figure" (null) last either way round. */
const orMinus = (v: number | null) => (v === null ? -1 : v);

function Latency({ value }: { value: LatencyDto }) {
  return (
    <span className="whitespace-nowrap">
      {formatSeconds(value.p50Seconds)}
      <span className="text-xs text-slate-600"> / {formatSeconds(value.p90Seconds)}</span>
    </span>
  );
}

function CountRate({ n, rate }: { n: number; rate: number | null }) {
  return (
    <span className="whitespace-nowrap">
      {n}
      <span className="text-xs text-slate-600"> ({formatRate(rate)})</span>
    </span>
  );
}

const columns: ColumnDef<AnalyticsPartnerDto, unknown>[] = [
  {
    accessorKey: "partnerName",
    header: "Partner",
    cell: ({ row }) => (
      <div className="min-w-32">
        <Link
          href={`/partners/${row.original.partnerId}`}
          className="font-medium text-brand-700 hover:underline"
        >
          {row.original.partnerName}
        </Link>
        <p className="text-xs text-slate-600">{row.original.applicationName}</p>
      </div>
    ),
  },
  { accessorKey: "shared", header: "Shared", meta: NUM },
  {
    id: "sharedImported",
    accessorFn: (p) => orMinus(p.sharedImportRate),
    header: "Imported by partner",
    meta: NUM,
    cell: ({ row }) => <CountRate n={row.original.sharedImported} rate={row.original.sharedImportRate} />,
  },
  { accessorKey: "sharedExpiredUndelivered", header: "Expired undelivered", meta: NUM },
  {
    id: "sharedLatency",
    accessorFn: (p) => orMinus(p.sharedLatency.p50Seconds),
    header: "Share → import, ours (p50 / p90)",
    meta: NUM,
    cell: ({ row }) => <Latency value={row.original.sharedLatency} />,
  },
  { accessorKey: "received", header: "Received", meta: NUM },
  {
    id: "imported",
    accessorFn: (p) => orMinus(p.importRate),
    header: "Imported here",
    meta: NUM,
    cell: ({ row }) => <CountRate n={row.original.imported} rate={row.original.importRate} />,
  },
  { accessorKey: "receivedExpired", header: "Expired un-imported", meta: NUM },
  {
    id: "receivedLatency",
    accessorFn: (p) => orMinus(p.receivedLatency.p50Seconds),
    header: "Share → import, received (p50 / p90)",
    meta: NUM,
    cell: ({ row }) => <Latency value={row.original.receivedLatency} />,
  },
  {
    id: "unverified",
    accessorFn: (p) => p.receivedUnverified + p.receivedInvalid,
    header: "Unverified / refused by Didit",
    meta: NUM,
    cell: ({ row }) => `${row.original.receivedUnverified} / ${row.original.receivedInvalid}`,
  },
  {
    id: "trustReview",
    accessorFn: (p) => orMinus(p.trustReview.rate),
    header: "Trust review",
    meta: NUM,
    cell: ({ row }) => {
      const t = row.original.trustReview;
      return (
        <span className="whitespace-nowrap">
          {t.count}/{t.of}
          <span className="text-xs text-slate-600"> ({formatRate(t.rate)})</span>
        </span>
      );
    },
  },
  {
    id: "override",
    accessorFn: (p) => orMinus(p.override.rate),
    header: "Override rate",
    meta: NUM,
    cell: ({ row }) => {
      const o = row.original.override;
      const text = `${o.declined}/${o.approvedImports} (${formatRate(o.rate)})`;
      return isHighOverride(o) ? (
        <Badge tone="danger" title="High: our reviewers often decline what this partner approved">
          <TriangleAlert aria-hidden /> {text}
          <span className="sr-only"> high</span>
        </Badge>
      ) : (
        <span className="whitespace-nowrap">{text}</span>
      );
    },
  },
  {
    id: "recalls",
    accessorFn: (p) => p.recallsSent + p.recallsReceived,
    header: "Recalls (sent / received)",
    meta: NUM,
    cell: ({ row }) => `${row.original.recallsSent} / ${row.original.recallsReceived}`,
  },
];

/** One row per partner with activity in the period; every column sorts. */
export function PartnersTable({ partners }: { partners: AnalyticsPartnerDto[] }) {
  return (
    <Card
      title="Per partner"
      description="Latencies as median / 90th percentile. Rates are of the count before them. A received token counts as the partner's once Didit verified it (or it is our own share); the others are only in Unverified / refused by Didit."
    >
      <div className="overflow-x-auto">
        <DataTable
          label="Partner analytics"
          columns={columns}
          data={partners}
          getRowId={(p) => p.partnerId}
          initialSorting={[{ id: "partnerName", desc: false }]}
        />
      </div>
    </Card>
  );
}
