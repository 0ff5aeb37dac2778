"use client";

import { X } from "lucide-react";
import { parseAsBoolean, parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { FilterBar, FilterSelect, SearchField, useSearchAsYouType } from "@/components/filters/filter-bar";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import type { SessionFilters } from "@/lib/client/queries/sessions";
import { FINISHED_SESSION_STATUSES, SESSION_STATUSES } from "@/lib/schemas/sessions";

const KINDS = ["user", "business"] as const;

/**
 * The picker's filters live in the URL (`?kind=business&q=acme`), so a filtered view can be shared;
 * `session` names the session whose drawer is open.
 */
export const sessionFilterParsers = {
  applicationId: parseAsString,
  kind: parseAsStringLiteral(KINDS),
  status: parseAsString,
  finished: parseAsBoolean.withDefault(true),
  q: parseAsString,
  session: parseAsString,
};

export type FilterPatch = Partial<{
  applicationId: string | null;
  kind: (typeof KINDS)[number] | null;
  status: string | null;
  finished: boolean | null;
  q: string | null;
}>;

export function useSessionFilters() {
  const [values, setValues] = useQueryStates(sessionFilterParsers, { history: "push" });
  const filters: SessionFilters = { finished: values.finished };
  if (values.applicationId) filters.applicationId = values.applicationId;
  if (values.kind) filters.kind = values.kind;
  if (values.status) filters.status = values.status;
  if (values.q) filters.q = values.q;
  return { filters, openSession: values.session, setValues } as const;
}

/** Filters beyond the defaults (finished-only on, everything else empty). */
export const isFiltered = (f: SessionFilters) =>
  Boolean(f.applicationId || f.kind || f.status || f.q || f.finished === false);

const SEARCH_DEBOUNCE_MS = 250;

const KIND_OPTIONS = [
  { value: "user", label: "KYC (people)" },
  { value: "business", label: "KYB (companies)" },
] as const;

export function SessionsFilters({
  filters,
  applications,
  onChange,
}: {
  filters: SessionFilters;
  applications: { id: string; name: string }[];
  onChange: (patch: FilterPatch) => void;
}) {
  const { q, setQ, submit, clear } = useSearchAsYouType(filters.q ?? "", onChange, SEARCH_DEBOUNCE_MS);

  const finished = filters.finished !== false;
  const statuses = finished ? FINISHED_SESSION_STATUSES : SESSION_STATUSES;

  return (
    <FilterBar label="Session filters" className="items-start" onSubmit={submit}>
      <SearchField
        id="sessions-q"
        className="min-w-64 flex-1"
        value={q}
        onChange={setQ}
        placeholder="Name, company, vendor_data, number or session id"
        hint={
          q.trim() !== "" && q.trim().length < 3 && !/^\d+$/.test(q.trim())
            ? "Under 3 letters: the start of a name or of vendor_data. From 3: anywhere in a name."
            : "Names match anywhere; vendor_data and numbers from the start."
        }
      />
      {/* With one application there is nothing to choose, unless the URL names one: then it shows. */}
      {(applications.length > 1 || filters.applicationId) && (
        <FilterSelect
          className="w-48"
          label="Application"
          value={filters.applicationId}
          onChange={(applicationId) => onChange({ applicationId })}
          anyLabel="All applications"
          options={applications.map((a) => ({ value: a.id, label: a.name }))}
          unknownLabel={(id) => `Application ${id.slice(0, 8)}`}
        />
      )}
      <FilterSelect
        className="w-44"
        label="Kind"
        value={filters.kind}
        onChange={(kind) => onChange({ kind: kind as (typeof KINDS)[number] | null })}
        anyLabel="KYC and KYB"
        options={KIND_OPTIONS}
      />
      <FilterSelect
        className="w-40"
        label="Status"
        value={filters.status}
        onChange={(status) => onChange({ status })}
        anyLabel={finished ? "Any finished" : "Any status"}
        options={statuses.map((s) => ({ value: s, label: s }))}
        unknownLabel={(s) => s}
      />
      {/* Below the fields' labels, level with the fields. */}
      <div className="mt-6 flex h-9 items-center gap-2">
        <input
          id="sessions-finished"
          type="checkbox"
          checked={finished}
          onChange={(event) =>
            // Off: every status; a status only an unfinished session can have is cleared when on.
            onChange({
              finished: event.target.checked ? null : false,
              ...(event.target.checked &&
              filters.status &&
              !(FINISHED_SESSION_STATUSES as readonly string[]).includes(filters.status)
                ? { status: null }
                : {}),
            })
          }
          className="size-4 rounded border-slate-300 text-brand-600 focus-visible:outline-2 focus-visible:outline-brand-500"
        />
        <Label htmlFor="sessions-finished">Finished only</Label>
      </div>
      {isFiltered(filters) && (
        <Button
          variant="ghost"
          className="mt-6"
          onClick={() => {
            clear();
            onChange({ applicationId: null, kind: null, status: null, finished: null, q: null });
          }}
        >
          <X aria-hidden /> Clear filters
        </Button>
      )}
    </FilterBar>
  );
}
