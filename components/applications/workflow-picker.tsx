"use client";

import { useId, useState, type Ref } from "react";
import { Input } from "@/components/ui/input";
import type { ApplicationWorkflow, WorkflowKind } from "@/lib/schemas/applications";

const OTHER = "__other__";

const selectClass =
  "h-9 w-full rounded-md border border-slate-300 bg-white px-3 pr-8 text-sm text-slate-900 shadow-sm focus-visible:outline-2 focus-visible:outline-brand-500 aria-invalid:border-red-500";

/**
 * Picks one of the application's workflows by name (from its configuration on /applications),
 * or takes another workflow's ID typed in. The value is the workflow id, "" for none.
 */
export function WorkflowPicker({
  label,
  kind,
  workflows,
  value,
  onChange,
  onBlur,
  emptyLabel,
  ref,
  id,
  "aria-invalid": invalid,
  "aria-describedby": describedBy,
}: {
  /** The picker's accessible name (the visible label points at `id`). */
  label: string;
  kind: WorkflowKind;
  workflows: ApplicationWorkflow[];
  value: string;
  onChange: (id: string) => void;
  onBlur?: () => void;
  /** What "" means here: "The application's default", "None"… */
  emptyLabel: string;
  /** id, ref and the aria attributes go to the select (the kit's FormControl sets them). */
  ref?: Ref<HTMLSelectElement>;
  id?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}) {
  const fallbackId = useId();
  const named = workflows.filter((w) => w.kind === kind);
  const isNamed = (v: string) => named.some((w) => w.id === v.trim().toLowerCase());
  // Raw entry stays open once chosen, even while the typed id is still empty.
  const [other, setOther] = useState(() => value !== "" && !isNamed(value));
  const choice = other ? OTHER : isNamed(value) ? value.trim().toLowerCase() : "";
  const inputId = `${id ?? fallbackId}-raw`;

  return (
    <div className="space-y-2">
      <select
        id={id}
        ref={ref}
        className={selectClass}
        value={choice}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        onBlur={onBlur}
        onChange={(e) => {
          const next = e.target.value;
          if (next === OTHER) {
            setOther(true);
            onChange(isNamed(value) ? "" : value);
          } else {
            setOther(false);
            onChange(next);
          }
        }}
      >
        <option value="">{emptyLabel}</option>
        {named.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
        <option value={OTHER}>Another workflow (enter its ID)…</option>
      </select>
      {other && (
        <div className="space-y-1">
          <label htmlFor={inputId} className="sr-only">
            {label}: workflow ID
          </label>
          <Input
            id={inputId}
            className="font-mono"
            autoComplete="off"
            spellCheck={false}
            placeholder="Workflow ID from the Didit console"
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
            value={value}
            onBlur={onBlur}
            onChange={(e) => onChange(e.target.value)}
          />
        </div>
      )}
    </div>
  );
}
