import "server-only";
import { getToken } from "next-auth/jwt";
import { getEnv } from "@/lib/env";
import type { Db } from "@/lib/server/db/types";
import { loadActiveUser } from "@/lib/server/services/auth";
import type { Actor } from "@/lib/server/services/context";

export const SESSION_COOKIE = "authjs.session-token";
export const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user id inside a valid session cookie, or null. */
export async function sessionUserId(headers: Headers): Promise<string | null> {
  const cookie = headers.get("cookie") ?? "";
  if (!cookie.includes(SESSION_COOKIE)) return null;
  const token = await getToken({
    req: { headers },
    secret: getEnv().AUTH_SECRET,
    secureCookie: cookie.includes(SECURE_SESSION_COOKIE),
  });
  const uid = token?.uid;
  return typeof uid === "string" && UUID_RE.test(uid) ? uid : null;
}

/**
 * Who is calling. The role and status are read from the database on every request, so a disabled
 * user or a changed role takes effect at once, not at token expiry.
 */
export async function resolveActor(headers: Headers, db: Db): Promise<Actor | null> {
  const uid = await sessionUserId(headers);
  return uid ? loadActiveUser({ db }, uid) : null;
}
