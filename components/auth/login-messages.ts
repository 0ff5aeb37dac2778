/** What the sign-in page says for each refusal code (Auth.js error types and our own codes). */
const MESSAGES: Record<string, string> = {
  invalid: "The email or password is not right.",
  locked: "Too many failed attempts. This account is locked for 15 minutes.",
  disabled: "This account is disabled; ask an administrator.",
  empty: "Enter your email and your password.",
  AccessDenied: "Your sign-in was refused: your account is disabled or has no Handoff role.",
  Configuration: "Sign-in is misconfigured on the server. Contact your administrator.",
};

export function loginMessage(code: string | null | undefined): string {
  return (code && MESSAGES[code]) || MESSAGES.invalid!;
}

export type LoginFieldErrors = { email?: string; password?: string };

/**
 * The empty-field checks of loginFormSchema (lib/schemas/users.ts) without zod, for the sign-in
 * form in the browser: zod would be most of that page's JavaScript for two emptiness tests. The
 * Server Action still parses with the schema; a test keeps the two in step.
 */
export function loginFieldErrors(email: unknown, password: unknown): LoginFieldErrors | null {
  const fields: LoginFieldErrors = {};
  if (typeof email !== "string" || email.trim() === "") fields.email = "Enter your email";
  if (typeof password !== "string" || password === "") fields.password = "Enter your password";
  return fields.email || fields.password ? fields : null;
}
