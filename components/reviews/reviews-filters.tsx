"use client";

import { X } from "lucide-react";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { FilterBar, FilterSelect, SearchField, useSearchAsYouType } from "@/components/filters/filter-bar";
import { Button } from "@/components/ui/button";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import { toOptions } from "@/lib/client/queries/options";
import { usePartnerOptions } from "@/lib/client/queries/partners";
import type { ReviewFilters } from "@/lib/client/queries/imports";

/** The /reviews filters live in the URL (`?assignee=me&overdue=true`), so a filtered queue can be shared. */
const filterParsers = {
  partnerId: parseAsString,
  applicationId: parseAsString,
  kind: parseAsStringLiteral(["user", "business"] as const),
  assignee: parseAsString,
  overdue: parseAsStringLiteral(["true"] as const),
  recalled: parseAsStringLiteral(["true"] as const),
  q: parseAsString,
};

export function useReviewFilters() {
  const [values, setValues] = useQueryStates(filterParsers, { history: "push" });
  const filters: ReviewFilters = {};
  for (const [key, value] of Object.entries(values) as [keyof ReviewFilters, string | null][]) {
    if (value) (filters as Record<string, string>)[key] = value;
  }
  return [filters, setValues] as const;
}

export const NO_FILTERS = {
  partnerId: null,
  applicationId: null,
  kind: null,
  assignee: null,
  overdue: null,
  recalled: null,
  q: null,
} as const;

export function ReviewsFilters({
  filters,
  onChange,
}: {
  filters: ReviewFilters;
  onChange: (next: Partial<Record<keyof ReviewFilters, string | null>>) => void;
}) {
  // A list that cannot be read leaves its filter out.
  const partners = usePartnerOptions();
  const applications = useApplicationOptions();
  const { q, setQ, submit, clear } = useSearchAsYouType(filters.q ?? "", onChange, 300);
  const active = Object.values(filters).some(Boolean);
  return (
    <FilterBar label="Review filters" className="items-end" onSubmit={submit}>
      <SearchField
        id="reviews-q"
        className="min-w-48 flex-1"
        value={q}
        onChange={setQ}
        placeholder="Clone or source session id, vendor_data"
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
        className="w-48"
        label="Application"
        value={filters.applicationId}
        onChange={(applicationId) => onChange({ applicationId })}
        anyLabel="All applications"
        options={toOptions(applications.data?.items)}
        unknownLabel={(id) => `Application ${id.slice(0, 8)}`}
      />
      <FilterSelect
        className="w-32"
        label="Kind"
        value={filters.kind}
        onChange={(kind) => onChange({ kind })}
        anyLabel="Any kind"
        options={[
          { value: "user", label: "KYC" },
          { value: "business", label: "KYB" },
        ]}
      />
      <FilterSelect
        className="w-36"
        label="Assignee"
        value={filters.assignee}
        onChange={(assignee) => onChange({ assignee })}
        anyLabel="Anyone"
        options={[
          { value: "me", label: "Me" },
          { value: "unassigned", label: "Unassigned" },
        ]}
        unknownLabel={(id) => `Officer ${id.slice(0, 8)}`}
      />
      <FilterSelect
        className="w-40"
        label="Due"
        value={filters.overdue}
        onChange={(overdue) => onChange({ overdue })}
        anyLabel="Any due time"
        options={[{ value: "true", label: "Overdue only" }]}
      />
      <FilterSelect
        className="w-40"
        label="Recall"
        value={filters.recalled}
        onChange={(recalled) => onChange({ recalled })}
        anyLabel="Any"
        options={[{ value: "true", label: "Recalled only" }]}
      />
      <div>
        <Button
          variant="secondary"
          disabled={!active}
          onClick={() => {
            clear();
            onChange(NO_FILTERS);
          }}
        >
          <X aria-hidden /> Clear
        </Button>
      </div>
    </FilterBar>
  );
}
