"use client";

import { Ban, Handshake } from "lucide-react";
import Link from "next/link";
import { useId } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import type { EligiblePartner } from "@/lib/schemas/partners";
import { formatDate } from "@/lib/format";
import { CHANNEL_LABELS, formatTtl } from "./format";

export function PartnerStep({
  query,
  selected,
  onSelect,
  onNext,
  onCancel,
}: {
  query: {
    isPending: boolean;
    isError: boolean;
    error: Error | null;
    data?: { items: EligiblePartner[] };
    refetch: () => unknown;
    isFetching: boolean;
  };
  selected: string | null;
  onSelect: (id: string) => void;
  onNext: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  if (query.isPending) {
    return (
      <div role="status" aria-label="Loading partners" className="grid gap-2">
        <Skeleton className="h-14 w-full" />
        <Skeleton className="h-14 w-full" />
        <span className="sr-only">Loading the partners of this application…</span>
      </div>
    );
  }
  if (query.isError || !query.data) {
    return (
      <div className="grid gap-3">
        <Alert title="The partners could not be loaded">{query.error?.message}</Alert>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button pending={query.isFetching} onClick={() => void query.refetch()}>
            Try again
          </Button>
        </div>
      </div>
    );
  }
  const items = [...query.data.items].sort((a, b) => Number(b.eligible) - Number(a.eligible));

  if (items.length === 0) {
    return (
      <div className="grid gap-3">
        <EmptyState icon={Handshake} title="No partner for this application yet">
          Ask a partnership manager to add the partner and its data-sharing agreement on{" "}
          <Link href="/partners" className="font-medium text-brand-700 underline">
            /partners
          </Link>
          ; it appears here once it is recorded.
        </EmptyState>
        <div className="flex justify-end">
          <Button variant="secondary" onClick={onCancel}>
            Close
          </Button>
        </div>
      </div>
    );
  }
  const anyEligible = items.some((i) => i.eligible);
  return (
    <form
      aria-label="Partner"
      className="grid gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        if (selected) onNext();
      }}
    >
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium text-slate-700">Who receives the token?</legend>
        {items.map(({ partner: p, eligible, message }) => {
          const descId = `${id}-${p.id}`;
          return (
            <div
              key={p.id}
              className={
                eligible
                  ? "grid gap-0.5 rounded-md border border-slate-200 px-3 py-2 has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500"
                  : "grid gap-0.5 rounded-md border border-dashed border-slate-300 bg-slate-50 px-3 py-2"
              }
            >
              <label
                className={
                  eligible
                    ? "flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 text-sm font-medium text-slate-900 [overflow-wrap:anywhere]"
                    : "flex cursor-not-allowed flex-wrap items-center gap-x-3 gap-y-1 text-sm font-medium text-slate-700 [overflow-wrap:anywhere]"
                }
              >
                <input
                  type="radio"
                  name="partner"
                  value={p.id}
                  checked={selected === p.id}
                  disabled={!eligible}
                  aria-describedby={descId}
                  onChange={() => onSelect(p.id)}
                  className="accent-brand-600"
                />
                {p.name}
                <Badge tone="neutral">{CHANNEL_LABELS[p.deliveryChannel]}</Badge>
                {!eligible && (
                  <Badge tone="danger">
                    <Ban aria-hidden /> Not eligible
                  </Badge>
                )}
              </label>
              <p
                id={descId}
                className={
                  eligible
                    ? "pl-7 text-xs text-slate-600 [overflow-wrap:anywhere]"
                    : "pl-7 text-xs text-red-700 [overflow-wrap:anywhere]"
                }
              >
                {eligible
                  ? `Agreement ${p.agreementReference ?? "—"}${p.agreementExpiresOn ? `, valid until ${formatDate(p.agreementExpiresOn)}` : ""} · lifetime up to ${formatTtl(p.maxTtlSeconds)}`
                  : (message ?? "This partner cannot receive this session.")}
              </p>
            </div>
          );
        })}
      </fieldset>
      {!anyEligible && (
        <Alert tone="info" title="No partner can receive this session">
          Each partner above says why. A partnership manager can change the partner&apos;s policy on
          /partners.
        </Alert>
      )}
      <div className="flex justify-between gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={!selected}>
          Next: lifetime
        </Button>
      </div>
    </form>
  );
}
