"use client";

import { Handshake } from "lucide-react";
import Link from "next/link";
import dynamic from "next/dynamic";
import { parseAsBoolean, parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button-variants";
import { EmptyState } from "@/components/ui/empty-state";
import { SelectField, TextField } from "@/components/ui/field";
import { Skeleton } from "@/components/ui/skeleton";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import { usePartners, type PartnerFilters } from "@/lib/client/queries/partners";
import { PARTNER_STATUSES } from "@/lib/schemas/partners";

function TableSkeleton() {
  return (
    <div role="status" aria-label="Loading partners" className="space-y-2">
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
      <Skeleton className="h-9 w-full" />
    </div>
  );
}

const PartnersTable = dynamic(() => import("./partners-table").then((m) => m.PartnersTable), {
  ssr: false,
  loading: TableSkeleton,
});

/** The filters live in the URL (`?status=suspended&expiring=true`), so a filtered view can be shared. */
const parsers = {
  status: parseAsStringLiteral(PARTNER_STATUSES),
  applicationId: parseAsString,
  q: parseAsString,
  expiring: parseAsBoolean,
};

export function PartnersView({ canManage }: { canManage: boolean }) {
  const [values, setValues] = useQueryStates(parsers, { history: "replace" });
  const filters: PartnerFilters = {
    ...(values.status ? { status: values.status } : {}),
    ...(values.applicationId ? { applicationId: values.applicationId } : {}),
    ...(values.q ? { q: values.q } : {}),
    ...(values.expiring ? { expiring: true } : {}),
  };
  const partners = usePartners(filters);
  const apps = useApplicationOptions();
  const [q, setQ] = useState(values.q ?? "");

  // Search as you type, a moment after the last key.
  useEffect(() => {
    const handle = setTimeout(() => {
      if ((values.q ?? "") !== q.trim()) void setValues({ q: q.trim() || null });
    }, 300);
    return () => clearTimeout(handle);
  }, [q, values.q, setValues]);

  const filtered = Object.keys(filters).length > 0;
  const items = partners.data?.items ?? [];

  return (
    <div className="space-y-6">
      <form
        role="search"
        aria-label="Filter partners"
        className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm md:grid-cols-[1fr_12rem_14rem_auto]"
        onSubmit={(e) => e.preventDefault()}
      >
        <TextField
          label="Search"
          placeholder="name, agreement reference or Didit application id"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          maxLength={200}
        />
        <SelectField
          label="Status"
          value={values.status ?? ""}
          onChange={(e) =>
            void setValues({ status: (e.target.value || null) as (typeof PARTNER_STATUSES)[number] | null })
          }
        >
          <option value="">Any status</option>
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
        </SelectField>
        <SelectField
          label="For application"
          value={values.applicationId ?? ""}
          onChange={(e) => void setValues({ applicationId: e.target.value || null })}
        >
          <option value="">Any application</option>
          {apps.data?.items.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <label className="flex items-center gap-2 text-sm text-slate-700 md:pt-6">
          <input
            type="checkbox"
            className="size-4 accent-brand-600"
            checked={values.expiring ?? false}
            onChange={(e) => void setValues({ expiring: e.target.checked || null })}
          />
          Agreement expiring within 30 days
        </label>
      </form>

      {partners.isError && <Alert>{partners.error.message}</Alert>}
      {partners.isPending ? (
        <TableSkeleton />
      ) : partners.isError ? null : items.length === 0 ? (
        filtered ? (
          <EmptyState icon={Handshake} title="No partner matches these filters">
            Clear a filter to see more partners.
          </EmptyState>
        ) : (
          <EmptyState
            icon={Handshake}
            title="No partners yet"
            action={
              canManage ? (
                <Link href="/partners/new" className={buttonVariants()}>
                  New partner
                </Link>
              ) : undefined
            }
          >
            {canManage
              ? "Add the first partner: its Didit application id, the agreement you signed with it, and how tokens reach it."
              : "A partnership manager adds partners; once they do, they are listed here."}
          </EmptyState>
        )
      ) : (
        <PartnersTable partners={items} />
      )}
    </div>
  );
}
