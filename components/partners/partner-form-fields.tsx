"use client";

import { useState } from "react";
import { useFormContext, type FieldPath } from "react-hook-form";
import { WorkflowPicker } from "@/components/applications/workflow-picker";
import { formatTtl } from "@/components/shares/format";
import { Button } from "@/components/ui/button";
import {
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { TextFormField } from "@/components/ui/form-fields";
import { Input } from "@/components/ui/input";
import type { ApplicationWorkflow, WorkflowKind } from "@/lib/schemas/applications";
import {
  amountOfSeconds,
  PARTNER_TTL_PRESETS,
  secondsOfAmount,
  type LifetimeAmount,
  type LifetimeUnit,
} from "./lifetime-units";
import type { PartnerFormValues } from "./partner-form-values";

/** The partner form's own fields, each bound to the surrounding form (useFormContext). */

/**
 * A lifetime in the share wizard's units: a whole number of minutes or hours, or one of the
 * wizard's presets. The form's value stays seconds (the API's unit); an untouched odd value of
 * seconds from the API is kept as it is.
 */
function LifetimeControl({
  label,
  value,
  onChange,
  onBlur,
  inputRef,
}: {
  label: string;
  value: number;
  onChange: (seconds: number) => void;
  onBlur: () => void;
  inputRef: (el: HTMLInputElement | null) => void;
}) {
  const [shown, setShown] = useState<LifetimeAmount>(() => amountOfSeconds(value));
  const set = (next: LifetimeAmount) => {
    setShown(next);
    onChange(secondsOfAmount(next));
  };
  return (
    <div className="space-y-2">
      <div className="grid grid-cols-[1fr_8rem] gap-2">
        <FormControl>
          <Input
            inputMode="numeric"
            autoComplete="off"
            ref={inputRef}
            value={shown.amount}
            onBlur={onBlur}
            onChange={(e) => set({ ...shown, amount: e.target.value })}
          />
        </FormControl>
        <select
          aria-label={`${label}: unit`}
          className="h-9 w-full rounded-md border border-slate-300 bg-white px-3 pr-8 text-sm text-slate-900 shadow-sm focus-visible:outline-2 focus-visible:outline-brand-500"
          value={shown.unit}
          onChange={(e) => set({ ...shown, unit: e.target.value as LifetimeUnit })}
        >
          <option value="minutes">minutes</option>
          <option value="hours">hours</option>
        </select>
      </div>
      <div role="group" aria-label={`${label}: presets`} className="flex flex-wrap gap-1.5">
        {PARTNER_TTL_PRESETS.map((p) => (
          <Button
            key={p.seconds}
            type="button"
            size="sm"
            variant={value === p.seconds ? "primary" : "secondary"}
            aria-pressed={value === p.seconds}
            onClick={() => set(amountOfSeconds(p.seconds))}
          >
            {p.label}
          </Button>
        ))}
      </div>
    </div>
  );
}

const checkboxClass = "size-4 accent-brand-600";

export function PartnerTextField({
  name,
  label,
  hint,
  placeholder,
  type = "text",
  mono = false,
}: {
  name: FieldPath<PartnerFormValues>;
  label: string;
  hint?: string;
  placeholder?: string;
  type?: string;
  mono?: boolean;
}) {
  const { control } = useFormContext<PartnerFormValues>();
  return (
    <TextFormField
      control={control}
      name={name}
      label={label}
      description={hint}
      type={type}
      autoComplete="off"
      placeholder={placeholder}
      className={mono ? "font-mono" : undefined}
    />
  );
}

export function NumberField({ name, label, hint }: { name: "reviewSlaHours"; label: string; hint: string }) {
  const { control } = useFormContext<PartnerFormValues>();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <Input
              type="number"
              inputMode="numeric"
              name={field.name}
              ref={field.ref}
              onBlur={field.onBlur}
              value={Number.isNaN(field.value) ? "" : String(field.value)}
              onChange={(e) => field.onChange(e.target.value === "" ? Number.NaN : Number(e.target.value))}
            />
          </FormControl>
          <FormDescription>{hint}</FormDescription>
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

export function LifetimeField({
  name,
  label,
  hint,
}: {
  name: "defaultTtlSeconds" | "maxTtlSeconds";
  label: string;
  hint: string;
}) {
  const { control } = useFormContext<PartnerFormValues>();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <LifetimeControl
            label={label}
            value={field.value}
            onChange={field.onChange}
            onBlur={field.onBlur}
            inputRef={field.ref}
          />
          <FormDescription>
            {hint}
            {Number.isFinite(field.value) && field.value % 60 !== 0 && (
              <> Stored as {formatTtl(field.value)}: enter minutes or hours to change it.</>
            )}
          </FormDescription>
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

export function WorkflowField({
  name,
  kind,
  label,
  workflows,
  emptyLabel,
}: {
  name: "importWorkflowUser" | "importWorkflowBusiness";
  kind: WorkflowKind;
  label: string;
  workflows: ApplicationWorkflow[];
  emptyLabel: string;
}) {
  const { control } = useFormContext<PartnerFormValues>();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <WorkflowPicker
              label={label}
              kind={kind}
              workflows={workflows}
              value={field.value}
              onChange={field.onChange}
              onBlur={field.onBlur}
              ref={field.ref}
              emptyLabel={emptyLabel}
            />
          </FormControl>
          <FormDescription>
            Workflows are named on the Applications page; another workflow can be entered by its ID.
          </FormDescription>
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

export function CheckGroupField<V extends string>({
  name,
  legend,
  choices,
  hint,
}: {
  name: "allowedKinds" | "allowedStatuses";
  legend: string;
  choices: { value: V; label: string }[];
  hint: string;
}) {
  const { control } = useFormContext<PartnerFormValues>();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field, fieldState }) => {
        const value = field.value as string[];
        return (
          <fieldset className="space-y-1.5" aria-describedby={`${name}-hint`}>
            <legend className="text-sm font-medium text-slate-700">{legend}</legend>
            <div className="flex flex-wrap gap-x-4 gap-y-1">
              {choices.map((c) => (
                <label key={c.value} className="flex items-center gap-2 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    className={checkboxClass}
                    checked={value.includes(c.value)}
                    onChange={(e) =>
                      field.onChange(
                        e.target.checked ? [...value, c.value] : value.filter((v) => v !== c.value),
                      )
                    }
                    onBlur={field.onBlur}
                  />
                  {c.label}
                </label>
              ))}
            </div>
            <p id={`${name}-hint`} className="text-xs text-slate-600">
              {hint}
            </p>
            {fieldState.error && (
              <p role="alert" className="text-xs font-medium text-red-700">
                {fieldState.error.message}
              </p>
            )}
          </fieldset>
        );
      }}
    />
  );
}

export function CheckboxField({
  name,
  label,
  hint,
}: {
  name: "trustReview" | "requireFourEyes" | "inboundPickup";
  label: string;
  hint: string;
}) {
  const { control } = useFormContext<PartnerFormValues>();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <div className="space-y-1">
          <label className="flex items-center gap-2 text-sm font-medium text-slate-800">
            <input
              type="checkbox"
              className={checkboxClass}
              name={field.name}
              ref={field.ref}
              checked={field.value}
              onChange={(e) => field.onChange(e.target.checked)}
              onBlur={field.onBlur}
            />
            {label}
          </label>
          <p className="pl-6 text-xs text-slate-600">{hint}</p>
        </div>
      )}
    />
  );
}
