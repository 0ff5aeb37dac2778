"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm, useWatch } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { formatTtl } from "./format";
import {
  CUSTOM,
  initialValues,
  lifetimeOptions,
  lifetimeSchema,
  lifetimeSeconds,
  type LifetimeForm,
} from "./lifetime";

export function LifetimeStep({
  partnerName,
  defaultSeconds,
  maxSeconds,
  value,
  onBack,
  onNext,
}: {
  partnerName: string;
  defaultSeconds: number;
  maxSeconds: number;
  value: number | null;
  onBack: () => void;
  onNext: (seconds: number) => void;
}) {
  const form = useForm<LifetimeForm>({
    resolver: zodResolver(lifetimeSchema(maxSeconds, partnerName)),
    defaultValues: initialValues(value, defaultSeconds, maxSeconds),
  });
  const choice = useWatch({ control: form.control, name: "choice" });
  const options = lifetimeOptions(defaultSeconds, maxSeconds);

  return (
    <Form {...form}>
      <form
        aria-label="Lifetime"
        noValidate
        className="grid gap-4"
        onSubmit={form.handleSubmit((v) => onNext(lifetimeSeconds(v)))}
      >
        <FormField
          control={form.control}
          name="choice"
          render={({ field }) => (
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm font-medium text-slate-700">
                How long may the token be used?
              </legend>
              <div className="grid gap-2 sm:grid-cols-2">
                {[...options.map(String), CUSTOM].map((option) => (
                  <label
                    key={option}
                    className="flex cursor-pointer items-center gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500"
                  >
                    <input
                      type="radio"
                      name={field.name}
                      value={option}
                      checked={field.value === option}
                      onChange={() => {
                        field.onChange(option);
                        form.clearErrors("amount");
                      }}
                      className="accent-brand-600"
                    />
                    {option === CUSTOM ? (
                      "Custom"
                    ) : (
                      <span>
                        {formatTtl(Number(option))}
                        {Number(option) === defaultSeconds && (
                          <span className="text-slate-600"> (partner default)</span>
                        )}
                      </span>
                    )}
                  </label>
                ))}
              </div>
              <p className="text-xs text-slate-600">
                From 1 minute to 24 hours; {partnerName} accepts at most {formatTtl(maxSeconds)}.
              </p>
            </fieldset>
          )}
        />
        {choice === CUSTOM && (
          <div className="grid grid-cols-[1fr_9rem] items-start gap-3">
            <FormField
              control={form.control}
              name="amount"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Custom lifetime</FormLabel>
                  <FormControl>
                    <Input inputMode="numeric" autoComplete="off" autoFocus {...field} />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
            <FormField
              control={form.control}
              name="unit"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Unit</FormLabel>
                  <FormControl>
                    <select
                      {...field}
                      className="block h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-brand-500"
                    >
                      <option value="minutes">minutes</option>
                      <option value="hours">hours</option>
                    </select>
                  </FormControl>
                </FormItem>
              )}
            />
          </div>
        )}
        <div className="flex justify-between gap-2">
          <Button variant="secondary" onClick={onBack}>
            Back
          </Button>
          <Button type="submit">Next: summary</Button>
        </div>
      </form>
    </Form>
  );
}
