import "server-only";
import { hkdfSync } from "node:crypto";
import { jwtDecrypt } from "jose";
import { getToken, type JWT } from "next-auth/jwt";
import { getEnv } from "@/lib/env";
import type { Db } from "@/lib/server/db/types";
import type { Actor } from "@/lib/server/kernel";
import { loadSessionActor, type SessionRef } from "@/lib/server/services/access";
import { UUID_RE } from "@/lib/ids";

export const SESSION_COOKIE = "authjs.session-token";
export const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;

/**
 * Auth.js derives the cookie's encryption key (HKDF) on every decode; this derives it once per
 * secret and cookie name, then decrypts exactly as Auth.js does (dir + A256CBC-HS512 or A256GCM).
 */
const derivedKeys = new Map<string, Uint8Array>();
function encryptionKey(secret: string, salt: string, enc: string): Uint8Array {
  const id = `${enc}\u0000${salt}\u0000${secret}`;
  let key = derivedKeys.get(id);
  if (!key) {
    const length = enc === "A256GCM" ? 32 : 64;
    key = new Uint8Array(
      hkdfSync("sha256", secret, salt, `Auth.js Generated Encryption Key (${salt})`, length),
    );
    derivedKeys.set(id, key);
  }
  return key;
}

async function decodeSessionToken(params: {
  token?: string;
  secret: string | string[];
  salt: string;
}): Promise<JWT | null> {
  if (!params.token) return null;
  const secret = Array.isArray(params.secret) ? params.secret[0]! : params.secret;
  const { payload } = await jwtDecrypt(
    params.token,
    async ({ enc }) => encryptionKey(secret, params.salt, enc!),
    {
      clockTolerance: 15,
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256CBC-HS512", "A256GCM"],
    },
  );
  return payload as JWT;
}

/**
 * The session a valid cookie names (its user_sessions row and user), or null. Says nothing about
 * whether that session is still live: `resolveActor` asks the database.
 */
export async function sessionRef(headers: Headers): Promise<SessionRef | null> {
  const cookie = headers.get("cookie") ?? "";
  if (!cookie.includes(SESSION_COOKIE)) return null;
  const token = await getToken({
    req: { headers },
    secret: getEnv().AUTH_SECRET,
    secureCookie: cookie.includes(SECURE_SESSION_COOKIE),
    decode: decodeSessionToken,
  });
  return tokenSessionRef(token);
}

/** The session named by decoded token claims, when both ids are well formed. */
export function tokenSessionRef(token: JWT | null | undefined): SessionRef | null {
  const uid = token?.uid;
  const sid = token?.sid;
  if (typeof uid !== "string" || !UUID_RE.test(uid)) return null;
  if (typeof sid !== "string" || !UUID_RE.test(sid)) return null;
  return { uid, sid };
}

/**
 * Who is calling. The session row, the role and the status are read from the database in one
 * query on every request, so a sign-out, a revocation, a disabled user or a changed role takes
 * effect at once, not at token expiry.
 */
export async function resolveActor(headers: Headers, db: Db, now: Date = new Date()): Promise<Actor | null> {
  const ref = await sessionRef(headers);
  return ref ? loadSessionActor(db, ref, now) : null;
}
