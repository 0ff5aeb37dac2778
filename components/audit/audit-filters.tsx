"use client";

import { Filter } from "lucide-react";
import { parseAsString, useQueryStates } from "nuqs";
import { useRef } from "react";
import { dateRangeErrors, INCOMPLETE_DATE } from "@/components/filters/date-range";
import { focusFirstInvalid, NOT_APPLIED, NotApplied, useUrlDraft } from "@/components/filters/filter-bar";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import type { AuditFilters } from "@/lib/client/queries/audit";

/** The audit filters live in the URL (`?action=auth.login&from=…`), so a filtered view can be shared. */
export const auditFilterParsers = {
  actor: parseAsString,
  action: parseAsString,
  entityType: parseAsString,
  entityId: parseAsString,
  from: parseAsString,
  to: parseAsString,
};

export function useAuditFilters() {
  const [values, setValues] = useQueryStates(auditFilterParsers, { history: "push" });
  const filters: AuditFilters = {};
  for (const [key, value] of Object.entries(values) as [keyof AuditFilters, string | null][]) {
    if (value) filters[key] = value;
  }
  return [filters, setValues] as const;
}

// The browser's datetime-local fields hold local wall time; the URL and the API hold ISO instants.
type FilterForm = Record<keyof AuditFilters, string>;
const KEYS = ["actor", "action", "entityType", "entityId", "from", "to"] as const;
const TEXT_KEYS = ["actor", "action", "entityType", "entityId"] as const;
const MAX: Record<(typeof TEXT_KEYS)[number], number> = {
  actor: 200,
  action: 100,
  entityType: 100,
  entityId: 200,
};
const LOCAL_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const RANGE = { kind: "datetime", minYear: 1, maxYear: 9999 } as const;

/** An instant from the URL as the field shows it; what is not an instant stays as it is (and is flagged). */
function toLocalInput(iso: string | undefined) {
  if (!iso) return "";
  const d = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso) || Number.isNaN(d.getTime())) return iso;
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString();
  return /^\d{4}-/.test(local) ? local.slice(0, 16) : iso;
}

function toForm(filters: AuditFilters): FilterForm {
  return {
    actor: filters.actor ?? "",
    action: filters.action ?? "",
    entityType: filters.entityType ?? "",
    entityId: filters.entityId ?? "",
    from: toLocalInput(filters.from),
    to: toLocalInput(filters.to),
  };
}

const EMPTY: FilterForm = { actor: "", action: "", entityType: "", entityId: "", from: "", to: "" };

function validate(form: FilterForm): Partial<FilterForm> {
  const errors: Partial<FilterForm> = dateRangeErrors(form.from, form.to, RANGE);
  for (const k of TEXT_KEYS) if (form[k].trim().length > MAX[k]) errors[k] = `At most ${MAX[k]} characters`;
  return errors;
}

const TEXT_FIELDS = [
  { name: "actor", label: "Actor", placeholder: "email or user id" },
  {
    name: "action",
    label: "Action",
    placeholder: "e.g. auth.login or users.",
    hint: "Matches the start of the action.",
  },
  { name: "entityType", label: "Entity type", placeholder: "e.g. user" },
  { name: "entityId", label: "Entity id" },
] as const;

/** Typing pauses this long before the list follows. */
const APPLY_DELAY_MS = 500;

export function AuditFiltersForm({
  filters,
  onApply,
  serverErrors,
}: {
  filters: AuditFilters;
  /** Stable (a useCallback): the patch of every filter, null for those cleared. */
  onApply: (patch: Record<keyof AuditFilters, string | null>) => void;
  serverErrors: Record<string, string[]>;
}) {
  const url = toForm(filters);
  // A date the field shows as the URL holds it keeps the URL's spelling (seconds, an offset).
  const toPatch = (form: FilterForm) =>
    Object.fromEntries(
      KEYS.map((k) => {
        const value = form[k].trim();
        if (!value) return [k, null];
        if ((k === "from" || k === "to") && value === url[k]) return [k, filters[k] ?? null];
        if ((k === "from" || k === "to") && LOCAL_INPUT.test(value))
          return [k, new Date(value).toISOString()];
        return [k, value];
      }),
    ) as Record<keyof AuditFilters, string | null>;
  const { draft, errors, invalid, set, apply, reset } = useUrlDraft({
    url,
    toPatch,
    onChange: onApply,
    validate,
    delayMs: APPLY_DELAY_MS,
  });
  const formRef = useRef<HTMLFormElement>(null);
  const filtered = KEYS.some((k) => filters[k]) || KEYS.some((k) => draft[k]);
  // The server's word on the URL's own filters (what the page's checks let through), until changed.
  const errorOf = (k: keyof AuditFilters) =>
    errors[k] ?? (draft[k] === url[k] ? serverErrors[k]?.[0] : undefined);

  return (
    <Card
      title={
        <>
          <Filter aria-hidden /> Filter
        </>
      }
    >
      <form
        ref={formRef}
        onSubmit={(event) => {
          event.preventDefault();
          if (!apply()) focusFirstInvalid(formRef.current);
        }}
        className="grid gap-4 md:grid-cols-3"
        aria-label="Audit filters"
        noValidate
      >
        {TEXT_FIELDS.map((f) => (
          <TextField
            key={f.name}
            label={f.label}
            value={draft[f.name]}
            onChange={(event) => set(f.name, event.target.value)}
            placeholder={"placeholder" in f ? f.placeholder : undefined}
            hint={"hint" in f ? f.hint : undefined}
            error={errorOf(f.name)}
            maxLength={MAX[f.name]}
          />
        ))}
        {(["from", "to"] as const).map((name) => (
          <TextField
            key={name}
            label={name === "from" ? "From" : "To"}
            type="datetime-local"
            min="0001-01-01T00:00"
            max="9999-12-31T23:59"
            // A value the field cannot show (the URL's, malformed) is named by its error instead.
            value={LOCAL_INPUT.test(draft[name]) ? draft[name] : ""}
            onChange={(event) =>
              set(name, event.target.validity.badInput ? INCOMPLETE_DATE : event.target.value)
            }
            onBlur={(event) => {
              if (event.target.validity.badInput) set(name, INCOMPLETE_DATE);
            }}
            hint="Your local time."
            error={errorOf(name)}
          />
        ))}
        <div className="flex flex-wrap items-center gap-2 md:col-span-3">
          <Button type="submit">Apply filters</Button>
          <Button
            variant="secondary"
            disabled={!filtered && !invalid}
            onClick={() => {
              reset(EMPTY);
              onApply(Object.fromEntries(KEYS.map((k) => [k, null])) as Record<keyof AuditFilters, null>);
            }}
          >
            Clear
          </Button>
          <NotApplied>{invalid ? NOT_APPLIED : null}</NotApplied>
        </div>
      </form>
    </Card>
  );
}
