import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  canonicalDiditJson,
  compareCodePoints,
  formatNumberLiteral,
  hmacSha256Hex,
  verifyDiditSignature,
} from "./didit-signature";

type Vectors = { secret: string; vectors: { raw: string; canonical: string; v2: string }[] };
const fixture = JSON.parse(readFileSync("test/fixtures/didit-signature/vectors.json", "utf8")) as Vectors;

describe("canonicalDiditJson against Python's json.dumps (fixed vectors)", () => {
  for (const [i, v] of fixture.vectors.entries()) {
    it(`vector ${i}: ${v.raw.slice(0, 50)}…`, () => {
      expect(canonicalDiditJson(v.raw)).toBe(v.canonical);
      expect(hmacSha256Hex(fixture.secret, canonicalDiditJson(v.raw))).toBe(v.v2);
    });
  }
});

describe("number formatting as Python writes it after shorten_floats", () => {
  it.each([
    ["100.0", "100"],
    ["95.4", "95.4"],
    ["0.1", "0.1"],
    ["1e-7", "1e-07"],
    ["1.5e-5", "1.5e-05"],
    ["0.0001", "0.0001"],
    ["1e21", "1000000000000000000000"],
    ["1e16", "10000000000000000"],
    ["-0", "0"],
    ["-0.0", "0"],
    ["12345678901234567890", "12345678901234567890"],
    ["-2.5E+3", "-2500"],
    ["1e400", "Infinity"],
  ])("%s → %s", (literal, expected) => {
    expect(formatNumberLiteral(literal)).toBe(expected);
  });
});

describe("canonical form", () => {
  it("refuses what is not JSON", () => {
    for (const bad of ["", "{", '{"a":01}', "[1,]", '{"a":1,}', "NaN", '"\u0001"', "{'a':1}", "[1] x"]) {
      expect(() => canonicalDiditJson(bad), bad).toThrow(SyntaxError);
    }
  });

  it("orders keys by code point, not UTF-16 unit", () => {
    expect(["\u{1F600}", "\uffff"].sort(compareCodePoints)).toEqual(["\uffff", "\u{1F600}"]);
    expect(["b", "a", "ab", ""].sort(compareCodePoints)).toEqual(["", "a", "ab", "b"]);
  });
});

describe("verifyDiditSignature", () => {
  const secret = "destination-secret";
  const raw = '{"status":"Approved","score":100.0,"event_id":"e1"}';
  const bytes = new TextEncoder().encode(raw);
  const v2 = hmacSha256Hex(secret, canonicalDiditJson(raw));
  const v1 = hmacSha256Hex(secret, bytes);

  it("accepts X-Signature-V2 over the canonical form, in any hex case", () => {
    expect(verifyDiditSignature(bytes, raw, { v2, v1: null }, [secret])).toBe(true);
    expect(verifyDiditSignature(bytes, raw, { v2: v2.toUpperCase(), v1: null }, [secret])).toBe(true);
  });

  it("falls back to X-Signature over the raw bytes", () => {
    expect(verifyDiditSignature(bytes, raw, { v2: "0".repeat(64), v1 }, [secret])).toBe(true);
    expect(verifyDiditSignature(bytes, null, { v2: null, v1 }, [secret])).toBe(true);
  });

  it("accepts any of several secrets and refuses a wrong one", () => {
    expect(verifyDiditSignature(bytes, raw, { v2, v1 }, ["old", secret])).toBe(true);
    expect(verifyDiditSignature(bytes, raw, { v2, v1 }, ["wrong"])).toBe(false);
    expect(verifyDiditSignature(bytes, raw, { v2, v1 }, [])).toBe(false);
  });

  it("refuses a tampered byte and a truncated signature", () => {
    const tampered = raw.replace("Approved", "Approvee");
    expect(verifyDiditSignature(new TextEncoder().encode(tampered), tampered, { v2, v1 }, [secret])).toBe(
      false,
    );
    expect(verifyDiditSignature(bytes, raw, { v2: v2.slice(0, 63), v1: v1.slice(1) }, [secret])).toBe(false);
  });
});
