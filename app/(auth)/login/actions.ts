"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { redirect } from "next/navigation";
import { loginMessage } from "@/components/auth/login-messages";
import { safeCallbackUrl } from "@/lib/navigation";
import { LOGIN_EMAIL_MAX, loginFormSchema, type LoginFormState } from "@/lib/schemas/users";
import { signIn } from "@/lib/server/auth/next-auth";
import { landingAfterSignIn } from "@/lib/server/auth/page";
import { getLogger } from "@/lib/server/logger";

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/**
 * The sign-in form's Server Action (with or without JavaScript): empty fields get field errors and
 * are not attempts; otherwise Auth.js signs in (setting the cookie) or its refusal becomes a message.
 */
export async function loginAction(_previous: LoginFormState, form: FormData): Promise<LoginFormState> {
  const email = text(form, "email");
  const password = text(form, "password");
  const echo = { email: email.replaceAll("\u0000", "").slice(0, LOGIN_EMAIL_MAX) };
  const parsed = loginFormSchema.safeParse({ email, password });
  if (!parsed.success) {
    const fields: NonNullable<LoginFormState["fields"]> = {};
    for (const issue of parsed.error.issues) fields[issue.path[0] as "email" | "password"] ??= issue.message;
    return { ...echo, fields };
  }
  try {
    await signIn("credentials", { email, password, redirect: false });
  } catch (error) {
    if (error instanceof CredentialsSignin) return { ...echo, error: loginMessage(error.code) };
    if (error instanceof AuthError) {
      getLogger().child({ component: "auth" }).error({ type: error.type }, "sign-in failed");
      return { ...echo, error: loginMessage(error.type) };
    }
    throw error;
  }
  redirect(await landingAfterSignIn(safeCallbackUrl(text(form, "callbackUrl"))));
}
