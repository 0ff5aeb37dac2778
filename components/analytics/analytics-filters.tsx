"use client";

import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useState } from "react";
import { FilterBar, FilterSelect } from "@/components/filters/filter-bar";
import { Button } from "@/components/ui/button";
import { SelectField, TextField } from "@/components/ui/field";
import { apiFetch } from "@/lib/client/api-fetch";
import type { AnalyticsFilters } from "@/lib/client/queries/analytics";
import { BUCKET_LABELS, BUCKETS, PERIOD_RANGES, presetPeriod, type PeriodRange } from "./format";

/**
 * The /analytics filters live in the URL (`?range=30&bucket=day&partnerId=…`, or `range=custom`
 * with `from` and `to`), so a view can be shared. Without a range: the last 90 days.
 */
export const analyticsFilterParsers = {
  range: parseAsStringLiteral(PERIOD_RANGES),
  from: parseAsString,
  to: parseAsString,
  bucket: parseAsStringLiteral(BUCKETS),
  applicationId: parseAsString,
  partnerId: parseAsString,
};

export type AnalyticsUrlState = {
  range: PeriodRange;
  from: string | null;
  to: string | null;
  bucket: (typeof BUCKETS)[number] | null;
  applicationId: string | null;
  partnerId: string | null;
};
export type AnalyticsUrlPatch = Partial<{ [K in keyof AnalyticsUrlState]: AnalyticsUrlState[K] | null }>;

/** The URL's state, and the API filters it means (a preset becomes its `from`/`to` days, UTC). */
export function useAnalyticsFilters() {
  const [values, setValues] = useQueryStates(analyticsFilterParsers, { history: "push" });
  const state: AnalyticsUrlState = { ...values, range: values.range ?? "90" };
  const period =
    state.range === "custom"
      ? { from: state.from ?? undefined, to: state.to ?? undefined }
      : presetPeriod(Number(state.range));
  const filters: AnalyticsFilters = {
    ...period,
    bucket: state.bucket ?? undefined,
    applicationId: state.applicationId ?? undefined,
    partnerId: state.partnerId ?? undefined,
  };
  return [state, filters, setValues] as const;
}

type Named = { id: string; name: string };

function useOptions(path: "/api/partners" | "/api/applications") {
  return useQuery({
    queryKey: ["analytics", "filter-options", path] as const,
    queryFn: () => apiFetch<{ items: Named[] }>(path),
    staleTime: 60_000,
    retry: false,
  });
}

const toOptions = (items: Named[] | undefined) => (items ?? []).map((i) => ({ value: i.id, label: i.name }));

const RANGE_LABELS: Record<PeriodRange, string> = {
  "30": "Last 30 days",
  "90": "Last 90 days",
  "365": "Last 365 days",
  custom: "Custom dates",
};

export function AnalyticsFiltersBar({
  state,
  onChange,
  fieldErrors,
}: {
  state: AnalyticsUrlState;
  onChange: (patch: AnalyticsUrlPatch) => void;
  /** The API's field messages for the URL's filters (a reversed period, say). */
  fieldErrors: Record<string, string[]>;
}) {
  const partners = useOptions("/api/partners");
  const applications = useOptions("/api/applications");
  const [from, setFrom] = useState(state.from ?? "");
  const [to, setTo] = useState(state.to ?? "");
  const [seen, setSeen] = useState({ from: state.from, to: state.to });
  // The URL is the truth: back/forward bring the date fields along.
  if (seen.from !== state.from || seen.to !== state.to) {
    setSeen({ from: state.from, to: state.to });
    setFrom(state.from ?? "");
    setTo(state.to ?? "");
  }
  const reversed = from !== "" && to !== "" && from > to;
  const custom = state.range === "custom";
  const active = state.range !== "90" || Boolean(state.bucket || state.applicationId || state.partnerId);

  return (
    <FilterBar
      label="Analytics filters"
      className="items-end"
      onSubmit={() => {
        if (custom && !reversed) onChange({ from: from || null, to: to || null });
      }}
    >
      <SelectField
        className="w-40"
        label="Period"
        value={state.range}
        onChange={(event) => {
          const next = event.target.value as PeriodRange;
          if (next !== "custom")
            return onChange({ range: next === "90" ? null : next, from: null, to: null });
          // Custom dates start from the period on screen.
          const current = presetPeriod(Number(state.range === "custom" ? "90" : state.range));
          onChange({ range: "custom", from: current.from, to: current.to });
        }}
      >
        {PERIOD_RANGES.map((r) => (
          <option key={r} value={r}>
            {RANGE_LABELS[r]}
          </option>
        ))}
      </SelectField>
      {custom && (
        <>
          <TextField
            className="w-40"
            label="From"
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            error={reversed ? "From must not be after To" : fieldErrors.from?.[0]}
            hint="UTC day, included"
          />
          <TextField
            className="w-40"
            label="To"
            type="date"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            error={fieldErrors.to?.[0]}
            hint="UTC day, included"
          />
          <div className={fieldErrors.from || fieldErrors.to || reversed ? "self-center" : undefined}>
            <Button type="submit" variant="secondary" disabled={reversed}>
              Apply dates
            </Button>
          </div>
        </>
      )}
      <SelectField
        className="w-32"
        label="Chart by"
        value={state.bucket ?? "week"}
        onChange={(event) => {
          const bucket = event.target.value as (typeof BUCKETS)[number];
          onChange({ bucket: bucket === "week" ? null : bucket });
        }}
      >
        {BUCKETS.map((b) => (
          <option key={b} value={b}>
            {BUCKET_LABELS[b]}
          </option>
        ))}
      </SelectField>
      <FilterSelect
        className="w-44"
        label="Application"
        value={state.applicationId ?? undefined}
        onChange={(applicationId) => onChange({ applicationId })}
        anyLabel="All applications"
        options={toOptions(applications.data?.items)}
        unknownLabel={(id) => `Application ${id.slice(0, 8)}`}
      />
      <FilterSelect
        className="w-44"
        label="Partner"
        value={state.partnerId ?? undefined}
        onChange={(partnerId) => onChange({ partnerId })}
        anyLabel="All partners"
        options={toOptions(partners.data?.items)}
        unknownLabel={(id) => `Partner ${id.slice(0, 8)}`}
      />
      <div>
        <Button
          variant="secondary"
          disabled={!active}
          onClick={() =>
            onChange({
              range: null,
              from: null,
              to: null,
              bucket: null,
              applicationId: null,
              partnerId: null,
            })
          }
        >
          <X aria-hidden /> Clear
        </Button>
      </div>
    </FilterBar>
  );
}
