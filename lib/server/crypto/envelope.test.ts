import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EnvelopeError, isCurrent, last4, open, seal, tokenHash } from "./envelope";

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("base64");
const ROW = "6f7e1c2a-0000-4000-8000-000000000001";

/** Flips one bit of the base64url part `index` (1 = key id … 4 = tag) of an envelope. */
function alter(envelope: string, index: number): string {
  const parts = envelope.split(".");
  const bytes = Buffer.from(parts[index]!, "base64url");
  bytes[0] = bytes[0]! ^ 0x01;
  parts[index] = bytes.toString("base64url");
  return parts.join(".");
}

describe("AES-256-GCM envelopes bound to a row id", () => {
  it("round-trips, with a fresh IV every time", () => {
    const secret = "sbx_key-ünïcødé-🔑";
    const a = seal(secret, ROW, { current: keyA });
    const b = seal(secret, ROW, { current: keyA });
    expect(a).not.toBe(b);
    expect(a.startsWith("v1.")).toBe(true);
    expect(a).not.toContain(secret);
    expect(open(a, ROW, { current: keyA })).toBe(secret);
    expect(open(b, ROW, { current: keyA })).toBe(secret);
  });

  it("the process key (HANDOFF_ENCRYPTION_KEY) works the same way", () => {
    expect(open(seal("k", ROW), ROW)).toBe("k");
  });

  it("does not open for another row id", () => {
    const envelope = seal("secret", ROW, { current: keyA });
    expect(() => open(envelope, "6f7e1c2a-0000-4000-8000-000000000002", { current: keyA })).toThrow(
      new EnvelopeError("does not decrypt (altered, or bound to another row)"),
    );
  });

  it.each([
    [2, "iv"],
    [3, "ciphertext"],
    [4, "tag"],
  ])("does not open with one altered bit in the %s (part %i)", (index) => {
    const envelope = seal("secret value", ROW, { current: keyA });
    expect(() => open(alter(envelope, index), ROW, { current: keyA })).toThrow(EnvelopeError);
  });

  it("refuses what is not an envelope", () => {
    for (const bad of ["", "secret", "v2.a.b.c.d", "v1.a.b.c"]) {
      expect(() => open(bad, ROW, { current: keyA })).toThrow(new EnvelopeError("not an envelope"));
    }
  });

  it("the previous key still decrypts; new envelopes use the current one", () => {
    const old = seal("rotated", ROW, { current: keyA });
    const keys = { current: keyB, previous: keyA };
    expect(open(old, ROW, keys)).toBe("rotated");
    expect(isCurrent(old, keys)).toBe(false);
    const fresh = seal("rotated", ROW, keys);
    expect(isCurrent(fresh, keys)).toBe(true);
    expect(open(fresh, ROW, { current: keyB })).toBe("rotated");
  });

  it("names the fix when the key is unknown", () => {
    const old = seal("lost", ROW, { current: keyA });
    expect(() => open(old, ROW, { current: keyB })).toThrow(
      new EnvelopeError("encrypted under an unknown key (set HANDOFF_ENCRYPTION_KEY_PREVIOUS?)"),
    );
    // A forged key id is as unknown as a lost key.
    expect(() => open(alter(old, 1), ROW, { current: keyA })).toThrow(/unknown key/);
  });

  it("tokenHash is SHA-256 hex; last4 shows only the end", () => {
    expect(tokenHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(last4("sbx_0123456789")).toBe("6789");
  });
});
