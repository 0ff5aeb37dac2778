"use client";

import { Search, X } from "lucide-react";
import { parseAsBoolean, parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { SelectField } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
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

export function SessionsFilters({
  filters,
  applications,
  onChange,
}: {
  filters: SessionFilters;
  applications: { id: string; name: string }[];
  onChange: (patch: FilterPatch) => void;
}) {
  const urlQ = filters.q ?? "";
  const [q, setQ] = useState(urlQ);
  // The URL is the truth: back/forward and "Clear" bring the search box along.
  const [seenUrlQ, setSeenUrlQ] = useState(urlQ);
  if (seenUrlQ !== urlQ) {
    setSeenUrlQ(urlQ);
    setQ(urlQ);
  }

  // Search as you type, once typing pauses.
  useEffect(() => {
    if (q.trim() === urlQ) return;
    const t = setTimeout(() => onChange({ q: q.trim() || null }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [q, urlQ, onChange]);

  const finished = filters.finished !== false;
  const statuses = finished ? FINISHED_SESSION_STATUSES : SESSION_STATUSES;

  return (
    <form
      role="search"
      aria-label="Session filters"
      className="flex flex-wrap items-start gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ q: q.trim() || null });
      }}
    >
      <div className="min-w-64 flex-1">
        <Label htmlFor="sessions-q" className="mb-1">
          Search
        </Label>
        <div className="relative">
          <Search
            className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-500"
            aria-hidden
          />
          <Input
            id="sessions-q"
            type="search"
            value={q}
            onChange={(event) => setQ(event.target.value)}
            placeholder="Name, company, vendor_data, number or session id"
            maxLength={200}
            className="pl-8"
            aria-describedby="sessions-q-hint"
          />
        </div>
        <p id="sessions-q-hint" className="mt-1 text-xs text-slate-600">
          {q.trim() !== "" && q.trim().length < 3 && !/^\d+$/.test(q.trim())
            ? "Names are searched from 3 letters; shorter text matches the start of vendor_data."
            : "Names match anywhere; vendor_data and numbers from the start."}
        </p>
      </div>
      {applications.length > 1 && (
        <SelectField
          className="w-48"
          label="Application"
          value={filters.applicationId ?? ""}
          onChange={(event) => onChange({ applicationId: event.target.value || null })}
        >
          <option value="">All applications</option>
          {applications.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
      )}
      <SelectField
        className="w-44"
        label="Kind"
        value={filters.kind ?? ""}
        onChange={(event) => onChange({ kind: (event.target.value as "user" | "business") || null })}
      >
        <option value="">KYC and KYB</option>
        <option value="user">KYC (people)</option>
        <option value="business">KYB (companies)</option>
      </SelectField>
      <SelectField
        className="w-40"
        label="Status"
        value={filters.status ?? ""}
        onChange={(event) => onChange({ status: event.target.value || null })}
      >
        <option value="">{finished ? "Any finished" : "Any status"}</option>
        {statuses.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
        {filters.status && !(statuses as readonly string[]).includes(filters.status) && (
          <option value={filters.status}>{filters.status}</option>
        )}
      </SelectField>
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
            setQ("");
            onChange({ applicationId: null, kind: null, status: null, finished: null, q: null });
          }}
        >
          <X aria-hidden /> Clear filters
        </Button>
      )}
    </form>
  );
}
