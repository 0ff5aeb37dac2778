"use client";

import { clsx } from "clsx";
import { Search } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { SelectField } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/**
 * A list page's search box, searching as you type: what is typed goes to the URL once typing pauses
 * for `delayMs`, or at once on Enter (`submit`). The URL is the truth: back/forward and "Clear" bring
 * the box along.
 */
export function useSearchAsYouType(
  urlQ: string,
  onChange: (patch: { q: string | null }) => void,
  delayMs: number,
) {
  const [q, setQ] = useState(urlQ);
  const [seenUrlQ, setSeenUrlQ] = useState(urlQ);
  if (seenUrlQ !== urlQ) {
    setSeenUrlQ(urlQ);
    setQ(urlQ);
  }

  useEffect(() => {
    if (q.trim() === urlQ) return;
    const t = setTimeout(() => onChange({ q: q.trim() || null }), delayMs);
    return () => clearTimeout(t);
  }, [q, urlQ, onChange, delayMs]);

  return { q, setQ, submit: () => onChange({ q: q.trim() || null }) } as const;
}

/** The bar of filters above a list: a search landmark; Enter in it submits the search at once. */
export function FilterBar({
  label,
  className,
  onSubmit,
  children,
}: {
  label: string;
  className?: string;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <form
      role="search"
      aria-label={label}
      className={clsx(
        "flex flex-wrap gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm",
        className,
      )}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** The "Search" field of a FilterBar, with a magnifier and an optional hint below it. */
export function SearchField({
  id,
  value,
  onChange,
  placeholder,
  hint,
  className,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  hint?: ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <Label htmlFor={id} className="mb-1">
        Search
      </Label>
      <div className="relative">
        <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-500" aria-hidden />
        <Input
          id={id}
          type="search"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          placeholder={placeholder}
          maxLength={200}
          className="pl-8"
          aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        />
      </div>
      {hint !== undefined && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * A select filter: "any" first, then the options; a value from the URL that is not among them (a
 * partner not loaded, a status of another view) stays selectable under `unknownLabel`.
 */
export function FilterSelect({
  label,
  className,
  value,
  onChange,
  anyLabel,
  options,
  unknownLabel,
}: {
  label: string;
  className?: string;
  value: string | undefined;
  onChange: (value: string | null) => void;
  anyLabel: string;
  options: readonly { value: string; label: ReactNode }[];
  /** Without it, an unknown value is not offered. */
  unknownLabel?: (value: string) => string;
}) {
  return (
    <SelectField
      className={className}
      label={label}
      value={value ?? ""}
      onChange={(event) => onChange(event.target.value || null)}
    >
      <option value="">{anyLabel}</option>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
      {unknownLabel && value && !options.some((o) => o.value === value) && (
        <option value={value}>{unknownLabel(value)}</option>
      )}
    </SelectField>
  );
}
