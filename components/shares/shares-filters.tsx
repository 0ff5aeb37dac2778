"use client";

import { useQuery } from "@tanstack/react-query";
import { Search, X } from "lucide-react";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { SelectField } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { apiFetch } from "@/lib/client/api-fetch";
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

type Named = { id: string; name: string };

/** Partners and applications to filter by; a list that cannot be read leaves its filter out. */
function useOptions(path: "/api/partners" | "/api/applications") {
  return useQuery({
    queryKey: ["shares", "filter-options", path] as const,
    queryFn: () => apiFetch<{ items: Named[] }>(path),
    staleTime: 60_000,
    retry: false,
  });
}

const SEARCH_DEBOUNCE_MS = 300;

export function SharesFilters({
  filters,
  onChange,
}: {
  filters: ShareFilters;
  onChange: (next: Partial<Record<keyof ShareFilters, string | null>>) => void;
}) {
  const partners = useOptions("/api/partners");
  const applications = useOptions("/api/applications");
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

  const active = Object.values(filters).some(Boolean);

  return (
    <form
      role="search"
      aria-label="Share filters"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ q: q.trim() || null });
      }}
    >
      <div className="min-w-48 flex-1">
        <Label htmlFor="shares-q" className="mb-1">
          Search
        </Label>
        <div className="relative">
          <Search
            className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-500"
            aria-hidden
          />
          <Input
            id="shares-q"
            type="search"
            value={q}
            onChange={(event) => setQ(event.target.value)}
            placeholder="Partner, session number or id"
            maxLength={200}
            className="pl-8"
          />
        </div>
      </div>
      <SelectField
        className="w-36"
        label="State"
        value={filters.state ?? ""}
        onChange={(event) => onChange({ state: event.target.value || null })}
      >
        <option value="">All states</option>
        {SHARE_STATES.map((s) => (
          <option key={s} value={s}>
            {STATE_LABELS[s]}
          </option>
        ))}
      </SelectField>
      <SelectField
        className="w-36"
        label="Channel"
        value={filters.channel ?? ""}
        onChange={(event) => onChange({ channel: event.target.value || null })}
      >
        <option value="">All channels</option>
        {SHARE_CHANNELS.map((c) => (
          <option key={c} value={c}>
            {CHANNEL_LABELS[c]}
          </option>
        ))}
      </SelectField>
      <SelectField
        className="w-36"
        label="Partner"
        value={filters.partnerId ?? ""}
        onChange={(event) => onChange({ partnerId: event.target.value || null })}
      >
        <option value="">All partners</option>
        {partners.data?.items.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
        {filters.partnerId && !partners.data?.items.some((p) => p.id === filters.partnerId) && (
          <option value={filters.partnerId}>Partner {filters.partnerId.slice(0, 8)}</option>
        )}
      </SelectField>
      <SelectField
        className="w-36"
        label="Shared from"
        value={filters.applicationId ?? ""}
        onChange={(event) => onChange({ applicationId: event.target.value || null })}
      >
        <option value="">All applications</option>
        {applications.data?.items.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
        {filters.applicationId && !applications.data?.items.some((a) => a.id === filters.applicationId) && (
          <option value={filters.applicationId}>Application {filters.applicationId.slice(0, 8)}</option>
        )}
      </SelectField>
      <div>
        <Button
          variant="secondary"
          disabled={!active}
          onClick={() =>
            onChange({
              state: null,
              channel: null,
              partnerId: null,
              applicationId: null,
              sessionId: null,
              q: null,
            })
          }
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
    </form>
  );
}
