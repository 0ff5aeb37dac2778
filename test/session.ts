import { encode } from "next-auth/jwt";
import { getEnv } from "@/lib/env";
import type { Role } from "@/lib/rbac";
import { hashPassword } from "@/lib/server/crypto/passwords";
import { getDb } from "@/lib/server/db/client";
import { users, userSessions } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import { SESSION_COOKIE } from "@/lib/server/auth/session";

export type TestUser = { id: string; email: string; role: Role; password: string };

let counter = 0;
/** Inserts an active user with a known password (hashing kept cheap by reusing one hash per password). */
const hashes = new Map<string, Promise<string>>();
export async function insertUser(
  db: Db,
  role: Role,
  overrides: Partial<{
    email: string;
    password: string;
    status: "active" | "disabled";
    mustChangePassword: boolean;
  }> = {},
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
      mustChangePassword: overrides.mustChangePassword ?? false,
    })
    .returning();
  return { id: row!.id, email, role, password };
}

/** Opens a server-side session for a user, as a sign-in does; answers its id. */
export async function insertSession(
  user: { id: string },
  options: { db?: Db; expiresAt?: Date } = {},
): Promise<string> {
  const db = options.db ?? (await getDb());
  const [row] = await db
    .insert(userSessions)
    .values({
      userId: user.id,
      expiresAt: options.expiresAt ?? new Date(Date.now() + getEnv().AUTH_SESSION_MAX_AGE * 1000),
      ip: "203.0.113.9",
      userAgent: "vitest",
    })
    .returning({ id: userSessions.id });
  return row!.id;
}

/**
 * A session cookie exactly as next-auth would set it after a login: a live session row is opened
 * in the process database (the installed test database) unless `sessionId` names one already.
 */
export async function sessionCookie(
  user: { id: string; email: string; role: Role },
  options: { db?: Db; sessionId?: string } = {},
): Promise<string> {
  const sid = options.sessionId ?? (await insertSession(user, { db: options.db }));
  const token = await encode({
    token: { uid: user.id, sid, role: user.role, email: user.email, sub: user.id },
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
    /** A cookie captured earlier (e.g. before a sign-out); takes the place of `user`'s fresh one. */
    cookie?: string;
    body?: unknown;
    rawBody?: string;
  } = {},
): Promise<Request> {
  const headers = new Headers({ "user-agent": "vitest", "x-forwarded-for": "203.0.113.9" });
  if (init.cookie) headers.set("cookie", init.cookie);
  else if (init.user) headers.set("cookie", await sessionCookie(init.user));
  let body: string | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers.set("content-type", "application/json");
  return new Request(new URL(url, "http://handoff.test"), { method: init.method ?? "GET", headers, body });
}
