import { clsx } from "clsx";
import type { AnalyticsFiguresDto } from "@/lib/schemas/analytics";
import { formatRate, formatSeconds, isHighOverride } from "./format";

type Kpi = { id: string; label: string; value: string; detail: string; alert?: boolean };

function kpis(t: AnalyticsFiguresDto): Kpi[] {
  return [
    {
      id: "shared",
      label: "Tokens shared",
      value: String(t.shared),
      detail: `${t.sharedImported} imported by the partner (${formatRate(t.sharedImportRate)})`,
    },
    {
      id: "received",
      label: "Tokens received (verified)",
      value: String(t.received),
      detail: `${t.imported} imported here; verified by Didit or our own shares`,
    },
    {
      id: "unverified",
      label: "Unverified / refused by Didit",
      value: `${t.receivedUnverified} / ${t.receivedInvalid}`,
      detail: "tokens naming a partner that Didit has not confirmed / refused as invalid: in no other figure",
    },
    {
      id: "import-rate",
      label: "Import rate",
      value: formatRate(t.importRate),
      detail: `${t.imported} of ${t.received} received`,
    },
    {
      id: "received-latency",
      label: "Share → import (received)",
      value: formatSeconds(t.receivedLatency.p50Seconds),
      detail: `median; 90th percentile ${formatSeconds(t.receivedLatency.p90Seconds)}`,
    },
    {
      id: "shared-latency",
      label: "Share → import (our shares)",
      value: formatSeconds(t.sharedLatency.p50Seconds),
      detail: `median; 90th percentile ${formatSeconds(t.sharedLatency.p90Seconds)}`,
    },
    {
      id: "expired",
      label: "Expired undelivered",
      value: String(t.sharedExpiredUndelivered),
      detail: `of our shares; ${t.receivedExpired} received expired un-imported`,
    },
    {
      id: "trust-review",
      label: "Trust review kept",
      value: formatRate(t.trustReview.rate),
      detail: `${t.trustReview.count} of ${t.trustReview.of} imports`,
    },
    {
      id: "override",
      label: "Override rate",
      value: formatRate(t.override.rate),
      detail: `${t.override.declined} declined of ${t.override.approvedImports} the partner approved`,
      alert: isHighOverride(t.override),
    },
    {
      id: "recalls",
      label: "Recalls",
      value: String(t.recallsSent + t.recallsReceived),
      detail: `${t.recallsSent} sent, ${t.recallsReceived} received`,
    },
  ];
}

/** The period's totals, one card a figure (`data-kpi` names each for tests). */
export function KpiCards({ totals }: { totals: AnalyticsFiguresDto }) {
  return (
    <ul aria-label="Totals" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-5">
      {kpis(totals).map((k) => (
        <li
          key={k.id}
          data-kpi={k.id}
          className={clsx(
            "flex flex-col rounded-lg border bg-white p-4 shadow-sm",
            k.alert ? "border-red-300" : "border-slate-200",
          )}
        >
          <span className="text-sm font-medium text-slate-700">{k.label}</span>
          <span
            data-kpi-value
            className={clsx(
              "mt-1 text-2xl font-semibold tabular-nums",
              k.alert ? "text-red-700" : "text-slate-900",
            )}
          >
            {k.value}
          </span>
          <span className="mt-1 text-xs text-slate-600">{k.detail}</span>
        </li>
      ))}
    </ul>
  );
}
