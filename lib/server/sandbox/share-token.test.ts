import { createHash, createHmac } from "node:crypto";

import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { describe, expect, it } from "vitest";

import { mintShareToken, readShareToken, tokenHash } from "@/lib/server/sandbox/share-token";
import type { ShareTokenClaims } from "@/lib/server/didit-wire";

const SECRET = "s".repeat(40);
const claims: ShareTokenClaims = {
  session_id: "11111111-1111-4111-8111-111111111111",
  from_application_id: "22222222-2222-4222-8222-222222222222",
  for_application_id: "33333333-3333-4333-8333-333333333333",
  session_kind: "business",
  iat: 1_800_000_000,
  exp: 1_800_003_600,
};

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Signs an arbitrary payload by hand, so tests can build tokens jose's builder would refuse. */
function handSigned(payload: unknown, secret = SECRET): string {
  const input = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

describe("share tokens", () => {
  it("mints an HS256 JWT with exactly the six claims and only alg/typ in the header", async () => {
    const token = await mintShareToken({ ...claims, extra: "x" } as ShareTokenClaims, SECRET);
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT" });
    const payload = decodeJwt(token);
    expect(Object.keys(payload).sort()).toEqual(
      ["exp", "for_application_id", "from_application_id", "iat", "session_id", "session_kind"].sort(),
    );
    expect(payload).toEqual(claims);
    // The signature is a plain HMAC-SHA256 over header.payload with the secret.
    const [h, p, s] = token.split(".");
    expect(createHmac("sha256", SECRET).update(`${h}.${p}`).digest("base64url")).toBe(s);
  });

  it("reads back a valid token using the given clock, not the wall clock", async () => {
    const token = await mintShareToken(claims, SECRET);
    // Far in the future of the wall clock: only nowSeconds matters.
    expect(await readShareToken(token, SECRET, claims.iat + 10)).toEqual({ ok: true, claims });
    expect(await readShareToken(token, SECRET, claims.exp - 1)).toEqual({ ok: true, claims });
  });

  it("reports expiry at and after exp according to nowSeconds", async () => {
    const token = await mintShareToken({ ...claims, iat: 1000, exp: 4600 }, SECRET);
    expect(await readShareToken(token, SECRET, 4600)).toEqual({ ok: false, reason: "expired" });
    expect(await readShareToken(token, SECRET, 9999)).toEqual({ ok: false, reason: "expired" });
    expect((await readShareToken(token, SECRET, 4599)).ok).toBe(true);
  });

  it("reports a bad signature for another secret or a tampered payload", async () => {
    const token = await mintShareToken(claims, SECRET);
    expect(await readShareToken(token, "t".repeat(40), claims.iat)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    const [h, , s] = token.split(".");
    const forged = `${h}.${b64url({ ...claims, for_application_id: "44444444-4444-4444-8444-444444444444" })}.${s}`;
    expect(await readShareToken(forged, SECRET, claims.iat)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reports malformed tokens", async () => {
    for (const bad of ["", "abc", "a.b", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "x.y.z.w"]) {
      expect(await readShareToken(bad, SECRET, claims.iat)).toEqual({ ok: false, reason: "malformed" });
    }
    const none = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`;
    expect(await readShareToken(none, SECRET, claims.iat)).toEqual({ ok: false, reason: "malformed" });
  });

  it("requires string ids and numeric iat/exp", async () => {
    const { session_id: _omit, ...noSession } = claims;
    expect(await readShareToken(handSigned(noSession), SECRET, claims.iat)).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(
      await readShareToken(handSigned({ ...claims, for_application_id: 7 }), SECRET, claims.iat),
    ).toEqual({ ok: false, reason: "malformed" });
    const { iat: _iat, ...noIat } = claims;
    expect(await readShareToken(handSigned(noIat), SECRET, claims.iat)).toEqual({
      ok: false,
      reason: "malformed",
    });
    const { exp: _exp, ...noExp } = claims;
    expect(await readShareToken(handSigned(noExp), SECRET, claims.iat)).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it("treats a token without session_kind as a legacy KYC token and rejects unknown kinds", async () => {
    const { session_kind: _k, ...legacy } = claims;
    const read = await readShareToken(handSigned(legacy), SECRET, claims.iat);
    expect(read).toEqual({ ok: true, claims: { ...claims, session_kind: "user" } });
    expect(
      await readShareToken(handSigned({ ...claims, session_kind: "company" }), SECRET, claims.iat),
    ).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts tokens signed by another HS256 implementation (jose) with the same secret", async () => {
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(SECRET));
    expect((await readShareToken(token, SECRET, claims.iat)).ok).toBe(true);
  });

  it("hashes tokens with sha256 hex", () => {
    expect(tokenHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(tokenHash("a.b.c")).toBe(createHash("sha256").update("a.b.c").digest("hex"));
  });
});
