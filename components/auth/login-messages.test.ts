import { describe, expect, it } from "vitest";
import { loginFormSchema } from "@/lib/schemas/users";
import { loginFieldErrors } from "./login-messages";

/** What the schema says about the same input, in the shape loginFieldErrors answers. */
function schemaErrors(email: unknown, password: unknown) {
  const parsed = loginFormSchema.safeParse({ email, password });
  if (parsed.success) return null;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
  return fields;
}

describe("loginFieldErrors", () => {
  const cases: [unknown, unknown][] = [
    ["", ""],
    ["   ", "x"],
    ["a@b.c", ""],
    ["a@b.c", " "],
    [" a@b.c ", "secret"],
    ["\t\n", "p"],
  ];
  it.each(cases)("matches loginFormSchema for email %j, password %j", (email, password) => {
    expect(loginFieldErrors(email, password)).toEqual(schemaErrors(email, password));
  });

  it("takes a missing field (FormData.get gives null) for an empty one", () => {
    expect(loginFieldErrors(null, "p")).toEqual({ email: "Enter your email" });
    expect(loginFieldErrors("a@b.c", null)).toEqual({ password: "Enter your password" });
  });

  it("names both empty fields", () => {
    expect(loginFieldErrors("", "")).toEqual({ email: "Enter your email", password: "Enter your password" });
  });
});
