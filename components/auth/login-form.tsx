"use client";

import { useActionState, useEffect, useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { loginFieldErrors } from "./login-messages";
import type { LoginFormState } from "@/lib/schemas/users";

export type LoginAction = (state: LoginFormState, form: FormData) => Promise<LoginFormState>;

function fieldErrors(form: HTMLFormElement): LoginFormState["fields"] | null {
  const data = new FormData(form);
  return loginFieldErrors(data.get("email"), data.get("password"));
}

/**
 * Posts to a Server Action, so it signs in with or without JavaScript and never puts the password
 * in a URL. With JavaScript, empty fields are caught here without a round trip.
 */
export function LoginForm({
  action,
  callbackUrl,
  oidcName,
  initialError,
}: {
  action: LoginAction;
  callbackUrl: string;
  oidcName: string | null;
  initialError: string | null;
}) {
  const [state, formAction, pending] = useActionState(action, initialError ? { error: initialError } : {});
  // Field errors found here, before anything is sent; cleared by the next complete submission.
  const [local, setLocal] = useState<LoginFormState["fields"] | null>(null);
  const fields = local ?? state.fields;
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const mounted = useRef(false);
  const focusField = (name: "email" | "password") =>
    (formRef.current?.elements.namedItem(name) as HTMLInputElement | null)?.focus();

  // After a refused attempt, focus goes to what needs attention, not to the page body.
  useEffect(() => {
    if (!mounted.current) {
      mounted.current = true;
      if (!state.error && !state.fields) return;
    }
    if (state.error) alertRef.current?.focus();
    else if (state.fields?.email) focusField("email");
    else if (state.fields?.password) focusField("password");
  }, [state]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    const errors = fieldErrors(event.currentTarget);
    if (!errors) {
      setLocal(null);
      return;
    }
    event.preventDefault();
    setLocal(errors);
    focusField(errors.email ? "email" : "password");
  }

  return (
    <div className="space-y-4">
      <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-4" noValidate>
        <input type="hidden" name="callbackUrl" value={callbackUrl} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus={!fields?.password || Boolean(fields.email)}
          defaultValue={state.email}
          error={fields?.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus={Boolean(fields?.password && !fields.email)}
          error={fields?.password}
        />
        {state.error && !fields && (
          <Alert
            ref={alertRef}
            tabIndex={-1}
            className="focus-visible:outline-2 focus-visible:outline-red-600"
          >
            {state.error}
          </Alert>
        )}
        <Button type="submit" className="w-full" disabled={pending} aria-disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {oidcName && (
        <>
          <div className="relative text-center text-xs text-slate-500">
            <span className="bg-white px-2">or</span>
          </div>
          <Button
            variant="secondary"
            className="w-full"
            // next-auth/react only on this click, not on the sign-in page's first load.
            onClick={() =>
              void import("next-auth/react").then(({ signIn }) => signIn("oidc", { redirectTo: callbackUrl }))
            }
          >
            Continue with {oidcName}
          </Button>
        </>
      )}
    </div>
  );
}
