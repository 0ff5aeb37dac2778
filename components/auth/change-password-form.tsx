"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useRef } from "react";
import { useForm } from "react-hook-form";
import { toast } from "@/components/ui/sonner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
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
import { ApiError, apiFetch } from "@/lib/client/api-fetch";
import {
  changePasswordFormSchema,
  PASSWORD_MIN,
  type ChangePasswordForm as FormValues,
  type ChangePasswordRequest,
  type ChangePasswordResponse,
} from "@/lib/schemas/account";

const FIELDS = [
  { name: "currentPassword", label: "Current password", autoComplete: "current-password" },
  { name: "newPassword", label: "New password", autoComplete: "new-password" },
  { name: "confirmPassword", label: "Repeat the new password", autoComplete: "new-password" },
] as const;

export function ChangePasswordForm({ email }: { email: string }) {
  const router = useRouter();
  const alertRef = useRef<HTMLDivElement>(null);
  const form = useForm<FormValues>({
    resolver: zodResolver(changePasswordFormSchema),
    defaultValues: { currentPassword: "", newPassword: "", confirmPassword: "" },
  });
  const change = useMutation({
    mutationFn: (input: ChangePasswordRequest) =>
      apiFetch<ChangePasswordResponse>("/api/account/password", { method: "POST", json: input }),
    onSuccess: (result) => {
      toast.success(
        result.otherSessionsEnded > 0
          ? `Password changed. ${result.otherSessionsEnded} other session(s) were signed out.`
          : "Password changed.",
      );
      router.replace("/");
      router.refresh();
    },
    onError: (error) => {
      // A wrong current password (or any field the server names) lands on its field, focused.
      const fields = error instanceof ApiError ? error.fieldErrors : {};
      const named = FIELDS.filter((f) => fields[f.name]?.[0]);
      named.forEach((f, i) =>
        form.setError(f.name, { message: fields[f.name]![0] }, { shouldFocus: i === 0 }),
      );
      if (named.length === 0) requestAnimationFrame(() => alertRef.current?.focus());
    },
  });

  function onSubmit(values: FormValues) {
    if (change.isPending) return;
    change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  }

  const serverFields = change.error instanceof ApiError ? change.error.fieldErrors : {};
  const generalError = change.isError && !FIELDS.some((f) => serverFields[f.name]?.length);

  return (
    <Form {...form}>
      <form
        onSubmit={form.handleSubmit(onSubmit)}
        className="space-y-4"
        aria-label="Change password"
        noValidate
      >
        {/* Lets a password manager file the new password under the right account. */}
        <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
        {FIELDS.map((f) => (
          <FormField
            key={f.name}
            control={form.control}
            name={f.name}
            render={({ field }) => (
              <FormItem>
                <FormLabel>{f.label}</FormLabel>
                <FormControl>
                  <Input type="password" autoComplete={f.autoComplete} {...field} />
                </FormControl>
                {f.name === "newPassword" && (
                  <FormDescription>At least {PASSWORD_MIN} characters.</FormDescription>
                )}
                <FormMessage />
              </FormItem>
            )}
          />
        ))}
        {generalError && (
          <Alert ref={alertRef} tabIndex={-1}>
            {change.error?.message}
          </Alert>
        )}
        <Button type="submit" aria-disabled={change.isPending}>
          {change.isPending ? "Changing password…" : "Change password"}
        </Button>
      </form>
    </Form>
  );
}
