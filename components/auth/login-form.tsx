"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";

const MESSAGES: Record<string, string> = {
  locked: "Too many failed attempts. This account is locked for 15 minutes.",
  invalid: "The email or password is not right.",
  AccessDenied: "Your sign-in was refused: your account is disabled or has no Handoff role.",
  Configuration: "Sign-in is misconfigured on the server. Contact your administrator.",
};

export function LoginForm({
  callbackUrl,
  oidcName,
  initialError,
}: {
  callbackUrl: string;
  oidcName: string | null;
  initialError: string | null;
}) {
  const [error, setError] = useState<string | null>(
    initialError ? (MESSAGES[initialError] ?? MESSAGES.invalid!) : null,
  );
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
      if (result?.error) {
        setError(MESSAGES[result.code ?? "invalid"] ?? MESSAGES.invalid!);
        setPending(false);
        return;
      }
      window.location.assign(callbackUrl);
    } catch {
      setError("Could not reach the server. Try again.");
      setPending(false);
    }
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <TextField label="Email" name="email" type="email" autoComplete="username" required autoFocus />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        {error && <Alert>{error}</Alert>}
        <Button type="submit" className="w-full" disabled={pending}>
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
            onClick={() => signIn("oidc", { redirectTo: callbackUrl })}
          >
            Continue with {oidcName}
          </Button>
        </>
      )}
    </div>
  );
}
