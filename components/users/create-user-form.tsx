"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { UserPlus } from "lucide-react";
import { useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ApiError } from "@/lib/client/api-fetch";
import { useCreateUser } from "@/lib/client/queries/users";
import { ROLE_LABELS, ROLES } from "@/lib/rbac";
import { createUserRequestSchema, type CreateUserRequest } from "@/lib/schemas/users";
import { InitialPasswordDialog } from "./initial-password-dialog";

const FIELDS = ["name", "email", "role"] as const;

export function CreateUserForm() {
  const create = useCreateUser();
  const submitRef = useRef<HTMLButtonElement>(null);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const form = useForm<CreateUserRequest>({
    resolver: zodResolver(createUserRequestSchema),
    defaultValues: { name: "", email: "", role: "officer" },
  });

  function onSubmit(values: CreateUserRequest) {
    create.mutate(values, {
      onSuccess: (result) => {
        setCreated({ email: result.user.email, password: result.initialPassword });
        form.reset();
      },
      onError: (error) => {
        // The server's field messages (a taken email, say) land on their fields; focus the first.
        const fields = error instanceof ApiError ? error.fieldErrors : {};
        let focused = false;
        for (const name of FIELDS) {
          const message = fields[name]?.[0];
          if (!message) continue;
          form.setError(name, { message }, { shouldFocus: !focused });
          focused = true;
        }
      },
    });
  }

  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors : {};
  const generalError = create.isError && !FIELDS.some((f) => fieldErrors[f]?.length);

  return (
    <Card
      title={
        <>
          <UserPlus aria-hidden /> Add a user
        </>
      }
    >
      <Form {...form}>
        <form
          onSubmit={form.handleSubmit(onSubmit)}
          className="grid gap-4 md:grid-cols-[1fr_1fr_14rem_auto]"
          aria-label="Add a user"
          noValidate
        >
          <FormField
            control={form.control}
            name="name"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Name</FormLabel>
                <FormControl>
                  <Input autoComplete="off" {...field} />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="email"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Email</FormLabel>
                <FormControl>
                  <Input type="email" autoComplete="off" {...field} />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="role"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Role</FormLabel>
                <Select value={field.value} onValueChange={field.onChange} name={field.name}>
                  <FormControl>
                    <SelectTrigger ref={field.ref} onBlur={field.onBlur}>
                      <SelectValue />
                    </SelectTrigger>
                  </FormControl>
                  <SelectContent>
                    {ROLES.map((r) => (
                      <SelectItem key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
                <FormMessage />
              </FormItem>
            )}
          />
          <div className="flex items-start md:pt-6">
            <Button ref={submitRef} type="submit" pending={create.isPending}>
              {create.isPending ? "Creating…" : "Create user"}
            </Button>
          </div>
        </form>
      </Form>
      {generalError && <Alert className="mt-3">{create.error?.message}</Alert>}
      <InitialPasswordDialog created={created} onClose={() => setCreated(null)} returnFocusTo={submitRef} />
    </Card>
  );
}
