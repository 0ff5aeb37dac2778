"use client";

import { X } from "lucide-react";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { FilterBar, FilterSelect, SearchField, useSearchAsYouType } from "@/components/filters/filter-bar";
import { Button } from "@/components/ui/button";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import { toOptions } from "@/lib/client/queries/options";
import { usePartnerOptions } from "@/lib/client/queries/partners";
import type { ShareFilters } from "@/lib/client/queries/shares";
import { SHARE_CHANNELS, SHARE_STATES } from "@/lib/schemas/shares";
import { CHANNEL_LABELS, STATE_LABELS } from "./format";

/** The /shares filters live in the URL (`?state=pending&partnerId=…`), so a filtered view can be shared. */
export const shareFilterParsers = {
  state: parseAsStringLiteral(SHARE_STATES),
  channel: parseAsStringLiteral(SHARE_CHANNELS),
  partnerId: parseAsString,
  applicationId: parseAsString,
  sessionId: parseAsString,
  q: parseAsString,
};

export function useShareFilters() {
  const [values, setValues] = useQueryStates(shareFilterParsers, { history: "push" });
  const filters: ShareFilters = {};
  for (const [key, value] of Object.entries(values) as [keyof ShareFilters, string | null][]) {
    if (value) (filters as Record<string, string>)[key] = value;
  }
  return [filters, setValues] as const;
}

const SEARCH_DEBOUNCE_MS = 300;

export function SharesFilters({
  filters,
  onChange,
}: {
  filters: ShareFilters;
  onChange: (next: Partial<Record<keyof ShareFilters, string | null>>) => void;
}) {
  // A list that cannot be read leaves its filter out.
  const partners = usePartnerOptions();
  const applications = useApplicationOptions();
  const { q, setQ, submit, clear } = useSearchAsYouType(filters.q ?? "", onChange, SEARCH_DEBOUNCE_MS);

  const active = Object.values(filters).some(Boolean);

  return (
    <FilterBar label="Share filters" className="items-end" onSubmit={submit}>
      <SearchField
        id="shares-q"
        className="min-w-48 flex-1"
        value={q}
        onChange={setQ}
        placeholder="Partner, session number or id"
      />
      <FilterSelect
        className="w-36"
        label="State"
        value={filters.state}
        onChange={(state) => onChange({ state })}
        anyLabel="All states"
        options={SHARE_STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))}
      />
      <FilterSelect
        className="w-36"
        label="Channel"
        value={filters.channel}
        onChange={(channel) => onChange({ channel })}
        anyLabel="All channels"
        options={SHARE_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
      />
      <FilterSelect
        className="w-36"
        label="Partner"
        value={filters.partnerId}
        onChange={(partnerId) => onChange({ partnerId })}
        anyLabel="All partners"
        options={partners.data ?? []}
        unknownLabel={(id) => `Partner ${id.slice(0, 8)}`}
      />
      <FilterSelect
        className="w-36"
        label="Shared from"
        value={filters.applicationId}
        onChange={(applicationId) => onChange({ applicationId })}
        anyLabel="All applications"
        options={toOptions(applications.data?.items)}
        unknownLabel={(id) => `Application ${id.slice(0, 8)}`}
      />
      <div>
        <Button
          variant="secondary"
          disabled={!active}
          onClick={() => {
            clear();
            onChange({
              state: null,
              channel: null,
              partnerId: null,
              applicationId: null,
              sessionId: null,
              q: null,
            });
          }}
        >
          <X aria-hidden /> Clear
        </Button>
      </div>
      {filters.sessionId && (
        <p className="flex basis-full items-center gap-2 text-sm text-slate-700">
          Shares of session <code className="rounded bg-slate-100 px-1 text-xs">{filters.sessionId}</code>
          <Button size="sm" variant="ghost" onClick={() => onChange({ sessionId: null })}>
            <X aria-hidden /> Show every session
          </Button>
        </p>
      )}
    </FilterBar>
  );
}
