"use client";

import { UserPlus } from "lucide-react";
import dynamic from "next/dynamic";
import { useRef, useState } from "react";
import { useForm, type Resolver } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Form } from "@/components/ui/form";
import { SelectFormField, TextFormField } from "@/components/ui/form-fields";
import { ApiError } from "@/lib/client/api-fetch";
import { showServerFieldErrors } from "@/lib/client/field-errors";
import { useCreateUser } from "@/lib/client/queries/users";
import { ROLE_LABELS, ROLES } from "@/lib/rbac";
import type { CreateUserRequest } from "@/lib/schemas/users";

const InitialPasswordDialog = dynamic(
  () => import("./initial-password-dialog").then((m) => m.InitialPasswordDialog),
  { ssr: false },
);

/**
 * zodResolver over the shared createUserRequestSchema, fetched on the first validation: zod is the
 * largest part of this page and nothing needs it before the first submit.
 */
const loadResolver = () =>
  Promise.all([import("@hookform/resolvers/zod"), import("@/lib/schemas/users")]).then(
    ([{ zodResolver }, { createUserRequestSchema }]) =>
      zodResolver(createUserRequestSchema) as unknown as Resolver<CreateUserRequest>,
  );
let resolverPromise: ReturnType<typeof loadResolver> | undefined;
const createUserResolver: Resolver<CreateUserRequest> = async (values, context, options) => {
  resolverPromise ??= loadResolver();
  return (await resolverPromise)(values, context, options);
};

const FIELDS = ["name", "email", "role"] as const;

export function CreateUserForm() {
  const create = useCreateUser();
  const submitRef = useRef<HTMLButtonElement>(null);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const form = useForm<CreateUserRequest>({
    resolver: createUserResolver,
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
        showServerFieldErrors(form.setError, error, FIELDS);
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
          onFocus={() => void (resolverPromise ??= loadResolver())}
        >
          <TextFormField control={form.control} name="name" label="Name" autoComplete="off" />
          <TextFormField control={form.control} name="email" label="Email" type="email" autoComplete="off" />
          <SelectFormField
            control={form.control}
            name="role"
            label="Role"
            options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
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
