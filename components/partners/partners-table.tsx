"use client";

import Link from "next/link";
import { useMemo } from "react";
import { DataTable, type ColumnDef } from "@/components/ui/data-table";
import { CHANNEL_LABELS, DIRECTION_LABELS, type PartnerDto } from "@/lib/schemas/partners";
import { formatDate } from "@/lib/format";
import { AgreementBadge, PartnerStatusBadge } from "./agreement-badge";

export function PartnersTable({ partners }: { partners: PartnerDto[] }) {
  const columns = useMemo<ColumnDef<PartnerDto, unknown>[]>(
    () => [
      {
        accessorKey: "name",
        header: "Name",
        cell: ({ row }) => (
          <Link
            href={`/partners/${row.original.id}`}
            className="font-medium text-brand-700 underline-offset-4 hover:underline"
          >
            {row.original.name}
          </Link>
        ),
      },
      {
        id: "application",
        accessorFn: (p) => p.application.name,
        header: "For application",
        cell: ({ row }) => (
          <span>
            {row.original.application.name}
            {row.original.application.deleted && <span className="text-xs text-slate-600"> (removed)</span>}
          </span>
        ),
      },
      {
        accessorKey: "direction",
        header: "Direction",
        cell: ({ row }) => DIRECTION_LABELS[row.original.direction],
      },
      {
        accessorKey: "deliveryChannel",
        header: "Channel",
        cell: ({ row }) => CHANNEL_LABELS[row.original.deliveryChannel],
      },
      {
        id: "agreement",
        accessorFn: (p) => p.agreementExpiresOn ?? "9999-12-31",
        header: "Agreement",
        cell: ({ row }) => {
          const p = row.original;
          return (
            <div className="flex flex-col gap-1">
              <span className="text-slate-800">{p.agreementReference ?? "—"}</span>
              <span className="flex flex-wrap items-center gap-1.5 text-xs text-slate-600">
                {p.agreementExpiresOn
                  ? `until ${formatDate(p.agreementExpiresOn)}`
                  : p.agreementState === "none"
                    ? ""
                    : "no end date"}
                <AgreementBadge partner={p} />
              </span>
            </div>
          );
        },
      },
      {
        accessorKey: "status",
        header: "Status",
        cell: ({ row }) => (
          <span className="flex flex-col items-start gap-1">
            <PartnerStatusBadge status={row.original.status} />
            {row.original.suspendedReason && (
              <span className="text-xs text-slate-600">{row.original.suspendedReason}</span>
            )}
          </span>
        ),
      },
    ],
    [],
  );
  return (
    <DataTable
      label="Partners"
      columns={columns}
      data={partners}
      getRowId={(p) => p.id}
      initialSorting={[{ id: "name", desc: false }]}
    />
  );
}
