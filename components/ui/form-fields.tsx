"use client";

import type { ComponentProps, ReactNode } from "react";
import type { ControllerProps, FieldPath, FieldValues } from "react-hook-form";
import { clsx } from "clsx";
import { controlClass } from "./control-class";
import { FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "./form";
import { Input } from "./input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "./select";

type FieldProps<T extends FieldValues, N extends FieldPath<T>> = Pick<
  ControllerProps<T, N>,
  "control" | "name"
> & {
  label: ReactNode;
  /** Help under the field, tied to it by aria-describedby. */
  description?: ReactNode;
};

/** A react-hook-form text input with its label, optional description and error message. */
export function TextFormField<T extends FieldValues, N extends FieldPath<T>>({
  control,
  name,
  label,
  description,
  ...input
}: FieldProps<T, N> &
  Omit<ComponentProps<"input">, "name" | "value" | "onChange" | "onBlur" | "ref" | "children">) {
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <Input
              {...input}
              name={field.name}
              ref={field.ref}
              onBlur={field.onBlur}
              disabled={field.disabled ?? input.disabled}
              value={(field.value as string | undefined) ?? ""}
              onChange={field.onChange}
            />
          </FormControl>
          {description && <FormDescription>{description}</FormDescription>}
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

/** A react-hook-form choice among a few fixed options (the kit's Radix select). */
export function SelectFormField<T extends FieldValues, N extends FieldPath<T>>({
  control,
  name,
  label,
  description,
  options,
}: FieldProps<T, N> & { options: readonly { value: string; label: ReactNode }[] }) {
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <Select value={field.value} onValueChange={field.onChange} name={field.name}>
            <FormControl>
              <SelectTrigger ref={field.ref} onBlur={field.onBlur}>
                <SelectValue />
              </SelectTrigger>
            </FormControl>
            <SelectContent>
              {options.map((o) => (
                <SelectItem key={o.value} value={o.value}>
                  {o.label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          {description && <FormDescription>{description}</FormDescription>}
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

/**
 * A react-hook-form choice as a native `<select>`: for long or data-driven lists (the browser's own
 * picker, type-to-find) and for choices the end-to-end tests drive with `selectOption`.
 */
export function NativeSelectFormField<T extends FieldValues, N extends FieldPath<T>>({
  control,
  name,
  label,
  description,
  options,
  placeholder,
}: FieldProps<T, N> & {
  options: readonly { value: string; label: string }[];
  /** A first, empty choice ("Choose an application…"). */
  placeholder?: string;
}) {
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <select
              className={clsx(controlClass, "pr-8")}
              name={field.name}
              ref={field.ref}
              onBlur={field.onBlur}
              value={(field.value as string | undefined) ?? ""}
              onChange={field.onChange}
            >
              {placeholder !== undefined && <option value="">{placeholder}</option>}
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </FormControl>
          {description && <FormDescription>{description}</FormDescription>}
          <FormMessage />
        </FormItem>
      )}
    />
  );
}
