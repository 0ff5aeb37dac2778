"use client";

import { clsx } from "clsx";
import { Search } from "lucide-react";
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { SelectField } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/**
 * A filter bar's typed fields (the draft), derived from the URL, which is the one truth: back/forward,
 * a hand-edited address and Clear bring the fields along. A valid draft goes to the URL once typing
 * pauses for `delayMs`, or at once on `apply()`; a draft that fails `validate` is never applied, its
 * messages sit under its fields, and `apply()` refuses (returns false) so the bar can say so.
 */
export function useUrlDraft<D extends Record<string, string>, P>({
  url,
  toPatch,
  onChange,
  validate,
  delayMs,
}: {
  /** The URL's filters as the fields show them. */
  url: D;
  /** The fields as the URL patch that applies them (stable key order: it is compared as JSON). */
  toPatch: (draft: D) => P;
  /** Stable (a useCallback): a new one restarts the pause. */
  onChange: (patch: P) => void;
  validate?: (draft: D) => Partial<Record<keyof D, string>>;
  delayMs: number;
}) {
  const urlKey = JSON.stringify(url);
  const urlPatchKey = JSON.stringify(toPatch(url));
  const [draft, setDraft] = useState(url);
  const [seenUrl, setSeenUrl] = useState(urlKey);
  // The patch this bar last sent: when the URL arrives at it, what was typed since is kept.
  const [sent, setSent] = useState<string | null>(null);
  if (seenUrl !== urlKey) {
    setSeenUrl(urlKey);
    setSent(null);
    if (urlPatchKey !== sent) setDraft(url);
  }
  const errors: Partial<Record<keyof D, string>> = validate?.(draft) ?? {};
  const invalid = Object.values(errors).some(Boolean);
  const patchKey = JSON.stringify(toPatch(draft));
  const dirty = patchKey !== urlPatchKey;
  const send = useCallback(
    (key: string) => {
      setSent(key);
      onChange(JSON.parse(key) as P);
    },
    [onChange],
  );

  useEffect(() => {
    if (!dirty || invalid) return;
    const t = setTimeout(() => send(patchKey), delayMs);
    return () => clearTimeout(t);
  }, [dirty, invalid, patchKey, send, delayMs]);

  return {
    draft,
    errors,
    invalid,
    set: (key: keyof D, value: string) => setDraft((d) => ({ ...d, [key]: value })),
    /** Applies the draft now; false (nothing applied) while a field is invalid. */
    apply: (): boolean => {
      if (invalid) return false;
      if (dirty) send(patchKey);
      return true;
    },
    /** Empties the fields at once, even when the URL is already clear (the caller clears the URL). */
    reset: (empty: D) => setDraft(empty),
  } as const;
}

/**
 * A list page's search box, searching as you type: what is typed goes to the URL once typing pauses
 * for `delayMs`, or at once on Enter (`submit`). The URL is the truth: back/forward and "Clear" bring
 * the box along; call `clear` with the bar's Clear so a pending search is dropped too.
 */
export function useSearchAsYouType(
  urlQ: string,
  onChange: (patch: { q: string | null }) => void,
  delayMs: number,
) {
  const draft = useUrlDraft({
    url: { q: urlQ },
    toPatch: (d) => ({ q: d.q.trim() || null }),
    onChange,
    delayMs,
  });
  return {
    q: draft.draft.q,
    setQ: (q: string) => draft.set("q", q),
    submit: () => void draft.apply(),
    clear: () => draft.reset({ q: "" }),
  } as const;
}

/** The line that says a bar's fields are not what the list shows (and why), read out when it appears. */
export function NotApplied({ children, className }: { children?: ReactNode; className?: string }) {
  return (
    <p role="status" className={clsx("text-sm font-medium text-red-700 empty:hidden", className)}>
      {children}
    </p>
  );
}

/** The message of a bar whose fields fail their checks. */
export const NOT_APPLIED = "These filters are not applied: correct the marked field, or Clear.";

/** Moves focus to a bar's first invalid field (after a refused Apply). */
export function focusFirstInvalid(form: HTMLFormElement | null) {
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

/**
 * The bar of filters above a list: a search landmark; Enter in it submits the search at once. An
 * `onSubmit` that returns false refused (a field is invalid): focus goes to that field.
 */
export function FilterBar({
  label,
  className,
  onSubmit,
  children,
}: {
  label: string;
  className?: string;
  onSubmit: () => boolean | void;
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
        if (onSubmit() === false) focusFirstInvalid(event.currentTarget);
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
