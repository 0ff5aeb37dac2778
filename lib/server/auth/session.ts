import "server-only";
import { hkdfSync } from "node:crypto";
import { jwtDecrypt } from "jose";
import { getToken, type JWT } from "next-auth/jwt";
import { getEnv } from "@/lib/env";
import type { Db } from "@/lib/server/db/types";
import { loadActiveUser } from "@/lib/server/services/auth";
import type { Actor } from "@/lib/server/services/context";

export const SESSION_COOKIE = "authjs.session-token";
export const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** The user id inside a valid session cookie, or null. */
export async function sessionUserId(headers: Headers): Promise<string | null> {
  const cookie = headers.get("cookie") ?? "";
  if (!cookie.includes(SESSION_COOKIE)) return null;
  const token = await getToken({
    req: { headers },
    secret: getEnv().AUTH_SECRET,
    secureCookie: cookie.includes(SECURE_SESSION_COOKIE),
    decode: decodeSessionToken,
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
