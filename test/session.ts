import { encode } from "next-auth/jwt";
import { getEnv } from "@/lib/env";
import type { Role } from "@/lib/rbac";
import { hashPassword } from "@/lib/server/crypto/passwords";
import { users } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import { SESSION_COOKIE } from "@/lib/server/auth/session";

export type TestUser = { id: string; email: string; role: Role; password: string };

let counter = 0;
/** Inserts an active user with a known password (hashing kept cheap by reusing one hash per password). */
const hashes = new Map<string, Promise<string>>();
export async function insertUser(
  db: Db,
  role: Role,
  overrides: Partial<{ email: string; password: string; status: "active" | "disabled" }> = {},
): Promise<TestUser> {
  const password = overrides.password ?? "correct horse battery staple";
  if (!hashes.has(password)) hashes.set(password, hashPassword(password));
  const email = overrides.email ?? `${role}-${Date.now().toString(36)}-${counter++}@test.local`;
  const [row] = await db
    .insert(users)
    .values({
      email,
      name: `Test ${role}`,
      role,
      passwordHash: await hashes.get(password)!,
      status: overrides.status ?? "active",
    })
    .returning();
  return { id: row!.id, email, role, password };
}

/** A session cookie exactly as next-auth would set it after a login. */
export async function sessionCookie(user: { id: string; email: string; role: Role }): Promise<string> {
  const token = await encode({
    token: { uid: user.id, role: user.role, email: user.email, sub: user.id },
    secret: getEnv().AUTH_SECRET,
    salt: SESSION_COOKIE,
  });
  return `${SESSION_COOKIE}=${token}`;
}

export async function request(
  url: string,
  init: {
    method?: string;
    user?: { id: string; email: string; role: Role } | null;
    body?: unknown;
    rawBody?: string;
  } = {},
): Promise<Request> {
  const headers = new Headers({ "user-agent": "vitest", "x-forwarded-for": "203.0.113.9" });
  if (init.user) headers.set("cookie", await sessionCookie(init.user));
  let body: string | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers.set("content-type", "application/json");
  return new Request(new URL(url, "http://handoff.test"), { method: init.method ?? "GET", headers, body });
}
