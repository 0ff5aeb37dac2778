import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { loginMessage } from "@/components/auth/login-messages";
import { getEnv } from "@/lib/env";
import { safeCallbackUrl } from "@/lib/navigation";
import { currentActor } from "@/lib/server/auth/page";
import { loginAction } from "./actions";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(typeof params.callbackUrl === "string" ? params.callbackUrl : null);
  if (await currentActor()) redirect(callbackUrl);
  const oidc = getEnv().oidc ? getEnv().AUTH_OIDC_NAME : null;
  // Auth.js's own redirects (single sign-on, a form posted straight to its endpoint) name the refusal.
  const error =
    typeof params.error !== "string"
      ? null
      : loginMessage(
          params.error === "CredentialsSignin" && typeof params.code === "string"
            ? params.code
            : params.error,
        );
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-16">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <p className="text-2xl font-semibold tracking-tight text-slate-900">Handoff</p>
          <p className="mt-1 text-sm text-slate-600">Reusable KYC/KYB hand-offs between partners</p>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <h1 className="mb-4 text-lg font-semibold text-slate-900">Sign in</h1>
          <LoginForm action={loginAction} callbackUrl={callbackUrl} oidcName={oidc} initialError={error} />
        </div>
      </div>
    </main>
  );
}
