"use client";

import { X } from "lucide-react";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import type { ChangeEvent, FocusEvent } from "react";
import { dateRangeErrors, INCOMPLETE_DATE } from "@/components/filters/date-range";
import {
  FilterBar,
  FilterSelect,
  NOT_APPLIED,
  NotApplied,
  useUrlDraft,
} from "@/components/filters/filter-bar";
import { Button } from "@/components/ui/button";
import { SelectField, TextField } from "@/components/ui/field";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import { toOptions } from "@/lib/client/queries/options";
import { usePartnerOptions } from "@/lib/client/queries/partners";
import type { AnalyticsFilters } from "@/lib/client/queries/analytics";
import { ANALYTICS_MAX_YEAR, ANALYTICS_MIN_YEAR } from "@/lib/schemas/analytics";
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
  // Dates in the URL without a range are a custom period (a hand-edited or older link), never ignored.
  const state: AnalyticsUrlState = {
    ...values,
    range: values.range ?? (values.from || values.to ? "custom" : "90"),
  };
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

const PERIOD_CHECKS = { kind: "date", minYear: ANALYTICS_MIN_YEAR, maxYear: ANALYTICS_MAX_YEAR } as const;
const DATES_DELAY_MS = 500;
const isCalendarInput = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

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
  // A list that cannot be read leaves its filter out.
  const partners = usePartnerOptions();
  const applications = useApplicationOptions();
  const custom = state.range === "custom";
  // The URL is the truth: back/forward and Clear bring the date fields along; a valid period applies
  // once typing pauses, an invalid one never does and says why under its field.
  const dates = useUrlDraft({
    url: { from: state.from ?? "", to: state.to ?? "" },
    toPatch: (d) => ({ from: d.from || null, to: d.to || null }),
    onChange,
    validate: (d) => (custom ? dateRangeErrors(d.from, d.to, PERIOD_CHECKS) : {}),
    delayMs: DATES_DELAY_MS,
  });
  const active =
    state.range !== "90" || Boolean(state.bucket || state.applicationId || state.partnerId) || dates.invalid;
  // The server's word on the URL's own dates (a period over three years), until they are changed.
  const errorOf = (k: "from" | "to") =>
    dates.errors[k] ?? (dates.draft[k] === (state[k] ?? "") ? fieldErrors[k]?.[0] : undefined);
  const dateInput = (k: "from" | "to") => ({
    value: isCalendarInput(dates.draft[k]) ? dates.draft[k] : "",
    onChange: (e: ChangeEvent<HTMLInputElement>) =>
      dates.set(k, e.target.validity.badInput ? INCOMPLETE_DATE : e.target.value),
    onBlur: (e: FocusEvent<HTMLInputElement>) => {
      if (e.target.validity.badInput) dates.set(k, INCOMPLETE_DATE);
    },
  });

  return (
    <FilterBar label="Analytics filters" className="items-end" onSubmit={() => !custom || dates.apply()}>
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
            min={`${ANALYTICS_MIN_YEAR}-01-01`}
            max={`${ANALYTICS_MAX_YEAR}-12-31`}
            {...dateInput("from")}
            error={errorOf("from")}
            hint="UTC day, included"
          />
          <TextField
            className="w-40"
            label="To"
            type="date"
            min={`${ANALYTICS_MIN_YEAR}-01-01`}
            max={`${ANALYTICS_MAX_YEAR}-12-31`}
            {...dateInput("to")}
            error={errorOf("to")}
            hint="UTC day, included"
          />
          <div className={errorOf("from") || errorOf("to") ? "self-center" : undefined}>
            <Button type="submit" variant="secondary">
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
        options={partners.data ?? []}
        unknownLabel={(id) => `Partner ${id.slice(0, 8)}`}
      />
      <div>
        <Button
          variant="secondary"
          disabled={!active}
          onClick={() => {
            dates.reset({ from: "", to: "" });
            onChange({
              range: null,
              from: null,
              to: null,
              bucket: null,
              applicationId: null,
              partnerId: null,
            });
          }}
        >
          <X aria-hidden /> Clear
        </Button>
      </div>
      {custom && <NotApplied className="basis-full">{dates.invalid ? NOT_APPLIED : null}</NotApplied>}
    </FilterBar>
  );
}
