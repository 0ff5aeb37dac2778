"use client";

import { ChartColumn, Download } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useCallback } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button-variants";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/client/api-fetch";
import { analyticsExportHref, useAnalytics } from "@/lib/client/queries/analytics";
import { formatDate } from "@/lib/format";
import type { AnalyticsResponse } from "@/lib/schemas/analytics";
import { AnalyticsFiltersBar, useAnalyticsFilters, type AnalyticsUrlPatch } from "./analytics-filters";
import { KpiCards } from "./kpi-cards";

function Loading({ label, className }: { label: string; className: string }) {
  return (
    <div role="status" aria-label={label}>
      <Skeleton className={className} />
      <span className="sr-only">{label}…</span>
    </div>
  );
}

// recharts and TanStack Table load while the figures are fetched.
const SeriesChart = dynamic(() => import("./analytics-charts").then((m) => m.SeriesChart), {
  ssr: false,
  loading: () => <Loading label="Loading the chart" className="h-72 w-full" />,
});
const OverrideChart = dynamic(() => import("./analytics-charts").then((m) => m.OverrideChart), {
  ssr: false,
  loading: () => <Loading label="Loading the chart" className="h-56 w-full" />,
});
const PartnersTable = dynamic(() => import("./partners-table").then((m) => m.PartnersTable), {
  ssr: false,
  loading: () => <Loading label="Loading the partners" className="h-40 w-full" />,
});

const isEmpty = (r: AnalyticsResponse) =>
  r.totals.shared +
    r.totals.received +
    r.totals.receivedUnverified +
    r.totals.receivedInvalid +
    r.totals.recallsSent +
    r.totals.recallsReceived ===
  0;

export function AnalyticsView() {
  const [state, filters, setValues] = useAnalyticsFilters();
  const report = useAnalytics(filters);
  const onChange = useCallback(
    (patch: AnalyticsUrlPatch) => void setValues(patch as Parameters<typeof setValues>[0]),
    [setValues],
  );
  const fieldErrors = report.error instanceof ApiError ? report.error.fieldErrors : {};
  const data = report.data;

  return (
    <div className="space-y-6">
      <AnalyticsFiltersBar state={state} onChange={onChange} fieldErrors={fieldErrors} />
      {report.isError && <Alert title="The analytics could not be loaded">{report.error.message}</Alert>}
      {report.isPending ? (
        <Loading label="Loading analytics" className="h-72 w-full" />
      ) : !data ? null : (
        <>
          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm text-slate-700" aria-live="polite">
              From <strong>{formatDate(data.period.from)}</strong> to{" "}
              <strong>{formatDate(data.period.to)}</strong> (UTC, {data.period.days}{" "}
              {data.period.days === 1 ? "day" : "days"}), {data.partners.length}{" "}
              {data.partners.length === 1 ? "partner" : "partners"} with activity.
            </p>
            <a
              href={analyticsExportHref(filters)}
              download
              className={buttonVariants({ variant: "secondary" })}
            >
              <Download aria-hidden /> Download CSV
            </a>
          </div>
          {isEmpty(data) ? (
            <EmptyState
              icon={ChartColumn}
              title="No shares or imports in this period"
              action={
                <Link href="/sessions" className={buttonVariants({ variant: "secondary" })}>
                  Open Sessions
                </Link>
              }
            >
              Choose a longer period or clear the filters. Figures appear once a verification is shared with a
              partner (Sessions → Share with a partner) or a partner&apos;s token arrives in the Inbox.
            </EmptyState>
          ) : (
            <>
              <KpiCards totals={data.totals} />
              <SeriesChart series={data.series} bucket={data.period.bucket} />
              <PartnersTable partners={data.partners} />
              <OverrideChart partners={data.partners} />
            </>
          )}
        </>
      )}
    </div>
  );
}
