"use client";

import { Inbox, SearchX, X } from "lucide-react";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useCallback, useMemo } from "react";
import { FilterBar, FilterSelect, SearchField, useSearchAsYouType } from "@/components/filters/filter-bar";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { usePartnerOptions } from "@/lib/client/queries/partners";
import { INBOX_SOURCE_LABELS, INBOX_SOURCES, INBOX_STATE_LABELS, INBOX_STATES } from "@/lib/schemas/inbox";
import { InboxItemCard } from "./inbox-item-card";
import { PasteTokenForm } from "./paste-token-form";
import { useInbox, type InboxFilters } from "./queries";

/** The filters live in the URL (`?state=pending&partnerId=…`), so a filtered view can be shared. */
const filterParsers = {
  state: parseAsStringLiteral(INBOX_STATES),
  source: parseAsStringLiteral(INBOX_SOURCES),
  partnerId: parseAsString,
  q: parseAsString,
};

function useInboxFilters() {
  const [values, setValues] = useQueryStates(filterParsers, { history: "push" });
  const filters: InboxFilters = {};
  for (const [key, value] of Object.entries(values) as [keyof InboxFilters, string | null][]) {
    if (value) (filters as Record<string, string>)[key] = value;
  }
  return [filters, setValues] as const;
}

function ListSkeleton() {
  return (
    <div role="status" aria-label="Loading the inbox" className="space-y-3">
      <Skeleton className="h-32 w-full" />
      <Skeleton className="h-32 w-full" />
      <span className="sr-only">Loading the inbox…</span>
    </div>
  );
}

export function InboxView({ canReceive }: { canReceive: boolean }) {
  const [filters, setFilters] = useInboxFilters();
  const inbox = useInbox(filters);
  const partners = usePartnerOptions();
  const onChange = useCallback(
    (next: Partial<Record<keyof InboxFilters, string | null>>) =>
      void setFilters(next as Parameters<typeof setFilters>[0]),
    [setFilters],
  );
  const { q, setQ, submit, clear } = useSearchAsYouType(filters.q ?? "", onChange, 300);
  const items = useMemo(() => inbox.data?.pages.flatMap((p) => p.items) ?? [], [inbox.data]);
  const filtered = Object.values(filters).some(Boolean);

  return (
    <div className="space-y-6">
      {canReceive && <PasteTokenForm />}
      <FilterBar label="Inbox filters" className="items-end" onSubmit={submit}>
        <SearchField
          id="inbox-q"
          className="min-w-48 flex-1"
          value={q}
          onChange={setQ}
          placeholder="Partner, session id or share id"
        />
        <FilterSelect
          className="w-36"
          label="State"
          value={filters.state}
          onChange={(state) => onChange({ state })}
          anyLabel="All states"
          options={INBOX_STATES.map((s) => ({ value: s, label: INBOX_STATE_LABELS[s] }))}
        />
        <FilterSelect
          className="w-36"
          label="Arrived by"
          value={filters.source}
          onChange={(source) => onChange({ source })}
          anyLabel="Any way"
          options={INBOX_SOURCES.map((s) => ({ value: s, label: INBOX_SOURCE_LABELS[s] }))}
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
        <div>
          <Button
            variant="secondary"
            disabled={!filtered}
            onClick={() => {
              clear();
              onChange({ state: null, source: null, partnerId: null, q: null });
            }}
          >
            <X aria-hidden /> Clear
          </Button>
        </div>
      </FilterBar>
      {inbox.isError && <Alert title="The inbox could not be loaded">{inbox.error.message}</Alert>}
      {inbox.isPending ? (
        <ListSkeleton />
      ) : inbox.isError ? null : items.length === 0 ? (
        filtered ? (
          <EmptyState icon={SearchX} title="No tokens match these filters">
            Clear a filter or search for something else.
          </EmptyState>
        ) : (
          <EmptyState icon={Inbox} title="The inbox is empty">
            Tokens arrive here when a partner pushes a share to its inbox URL (shown on the partner&apos;s
            page){canReceive ? ", or when you paste one above" : ""}.
          </EmptyState>
        )
      ) : (
        <section aria-label="Received tokens" className="space-y-3">
          {items.map((item) => (
            <InboxItemCard key={item.id} item={item} />
          ))}
        </section>
      )}
      {inbox.hasNextPage && (
        <Button
          variant="secondary"
          onClick={() => void inbox.fetchNextPage()}
          pending={inbox.isFetchingNextPage}
        >
          {inbox.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}
