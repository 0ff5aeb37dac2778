import "server-only";

import { createHash } from "node:crypto";

import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT } from "jose";

import type { SessionKind, ShareTokenClaims } from "@/lib/server/didit-wire";

export type ReadShareTokenResult =
  { ok: true; claims: ShareTokenClaims } | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

const encoder = new TextEncoder();

/** HS256 JWT with exactly the six claims of didit-api.md §3 and a header of `alg` and `typ` only. */
export async function mintShareToken(claims: ShareTokenClaims, secret: string): Promise<string> {
  const payload = {
    session_id: claims.session_id,
    from_application_id: claims.from_application_id,
    for_application_id: claims.for_application_id,
    session_kind: claims.session_kind,
    iat: claims.iat,
    exp: claims.exp,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(encoder.encode(secret));
}

/**
 * Verifies signature and expiry against the sandbox clock (`nowSeconds`), never the wall clock.
 * Tokens without `session_kind` are legacy KYC tokens.
 */
export async function readShareToken(
  token: string,
  secret: string,
  nowSeconds: number,
): Promise<ReadShareTokenResult> {
  if (typeof token !== "string" || token.split(".").length !== 3) return { ok: false, reason: "malformed" };
  try {
    // Structure first: a token whose header or payload is not JSON is malformed, whatever its signature.
    decodeProtectedHeader(token);
    decodeJwt(token);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ["HS256"],
      currentDate: new Date(nowSeconds * 1000),
      clockTolerance: 0,
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: "bad_signature" };
    if (error instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    return { ok: false, reason: "malformed" };
  }
  const { session_id, from_application_id, for_application_id, iat, exp } = payload;
  const kind = payload.session_kind ?? "user";
  if (
    typeof session_id !== "string" ||
    typeof from_application_id !== "string" ||
    typeof for_application_id !== "string" ||
    typeof iat !== "number" ||
    typeof exp !== "number" ||
    !Number.isFinite(iat) ||
    !Number.isFinite(exp) ||
    (kind !== "user" && kind !== "business")
  ) {
    return { ok: false, reason: "malformed" };
  }
  // jose already compared exp with currentDate; keep the rule explicit for readers of this file.
  if (exp <= nowSeconds) return { ok: false, reason: "expired" };
  const claims: ShareTokenClaims = {
    session_id,
    from_application_id,
    for_application_id,
    session_kind: kind as SessionKind,
    iat,
    exp,
  };
  return { ok: true, claims };
}

/** Tokens are bearer credentials: the sandbox stores only this hash. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
