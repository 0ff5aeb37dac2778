"use client";

import { Filter } from "lucide-react";
import { parseAsString, useQueryStates } from "nuqs";
import { useEffect } from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { Input } from "@/components/ui/input";
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
// No zod here: these are the form's own checks (the API validates the query with its schema), and
// zod would be the largest part of this page.
type FilterForm = {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  from: string;
  to: string;
};

const validDate = (v: string) => v === "" || !Number.isNaN(new Date(v).getTime()) || "Enter a date and time";
const fromNotAfterTo = (from: string, form: FilterForm) =>
  !from || !form.to || new Date(from) <= new Date(form.to) || "From must not be after To";
const MAX: Record<string, number> = { actor: 200, action: 100, entityType: 100, entityId: 200 };

function toLocalInput(iso: string | undefined) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
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

export function AuditFiltersForm({
  filters,
  onApply,
  serverErrors,
}: {
  filters: AuditFilters;
  onApply: (filters: AuditFilters) => void;
  serverErrors: Record<string, string[]>;
}) {
  const form = useForm<FilterForm>({ defaultValues: toForm(filters) });
  const urlKey = JSON.stringify(filters);
  const { reset, setError } = form;

  // The URL is the truth: back/forward and "Clear" bring the fields along.
  useEffect(() => {
    reset(toForm(JSON.parse(urlKey) as AuditFilters));
  }, [urlKey, reset]);

  // Errors the server found in the URL's filters (a date out of range, say) show on their fields.
  const fromError = serverErrors.from?.[0];
  const toError = serverErrors.to?.[0];
  useEffect(() => {
    if (fromError) setError("from", { message: fromError });
    if (toError) setError("to", { message: toError });
  }, [fromError, toError, setError]);

  function onSubmit(values: FilterForm) {
    const next: AuditFilters = {};
    for (const { name } of TEXT_FIELDS) if (values[name].trim()) next[name] = values[name].trim();
    if (values.from) next.from = new Date(values.from).toISOString();
    if (values.to) next.to = new Date(values.to).toISOString();
    onApply(next);
  }

  return (
    <Card
      title={
        <>
          <Filter aria-hidden /> Filter
        </>
      }
    >
      <Form {...form}>
        <form
          onSubmit={form.handleSubmit(onSubmit)}
          className="grid gap-4 md:grid-cols-3"
          aria-label="Audit filters"
          noValidate
        >
          {TEXT_FIELDS.map((f) => (
            <FormField
              key={f.name}
              control={form.control}
              name={f.name}
              rules={{ maxLength: { value: MAX[f.name]!, message: `At most ${MAX[f.name]} characters` } }}
              render={({ field }) => (
                <FormItem>
                  <FormLabel>{f.label}</FormLabel>
                  <FormControl>
                    <Input placeholder={"placeholder" in f ? f.placeholder : undefined} {...field} />
                  </FormControl>
                  {"hint" in f && <FormDescription>{f.hint}</FormDescription>}
                  <FormMessage />
                </FormItem>
              )}
            />
          ))}
          {(["from", "to"] as const).map((name) => (
            <FormField
              key={name}
              control={form.control}
              name={name}
              rules={{
                validate: name === "from" ? { validDate, fromNotAfterTo } : { validDate },
                deps: name === "to" ? ["from"] : undefined,
              }}
              render={({ field }) => (
                <FormItem>
                  <FormLabel>{name === "from" ? "From" : "To"}</FormLabel>
                  <FormControl>
                    <Input type="datetime-local" {...field} />
                  </FormControl>
                  <FormDescription>Your local time.</FormDescription>
                  <FormMessage />
                </FormItem>
              )}
            />
          ))}
          <div className="flex gap-2 md:col-span-3">
            <Button type="submit">Apply filters</Button>
            <Button variant="secondary" onClick={() => onApply({})}>
              Clear
            </Button>
          </div>
        </form>
      </Form>
    </Card>
  );
}
