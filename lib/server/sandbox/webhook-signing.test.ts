import { createHmac } from "node:crypto";

import { describe, expect, it } from "vitest";

import {
  canonicalWebhookJson,
  compareCodePoints,
  formatNumber,
  signatureSimple,
  signatureV1,
  signatureV2,
  webhookBody,
} from "@/lib/server/sandbox/webhook-signing";

const utf8 = (v: unknown) => canonicalWebhookJson(v, { asciiOnly: false });
const ascii = (v: unknown) => canonicalWebhookJson(v, { asciiOnly: true });
const hmac = (secret: string, message: string | Buffer) =>
  createHmac("sha256", secret).update(message).digest("hex");

describe("canonicalWebhookJson", () => {
  it("matches a hand-computed vector in both modes", () => {
    expect(utf8({ b: 1, a: "é" })).toBe('{"a":"é","b":1}');
    expect(ascii({ b: 1, a: "é" })).toBe('{"a":"\\u00e9","b":1}');
  });

  it("sorts keys at every level, integer-like keys as strings", () => {
    const value = { z: { "9": 1, "10": 2, "2": 3, b: [{ y: 1, x: 2 }] }, a: null, "1": true };
    expect(utf8(value)).toBe('{"1":true,"a":null,"z":{"10":2,"2":3,"9":1,"b":[{"x":2,"y":1}]}}');
  });

  it("sorts by code point, not UTF-16 code unit", () => {
    // U+FF5E (BMP, above the surrogate range) must sort before U+1F600 (astral).
    const value = { "😀": 1, "～": 2, a: 3, é: 4 };
    expect(utf8(value)).toBe('{"a":3,"é":4,"～":2,"😀":1}');
    expect(compareCodePoints("😀", "～")).toBeGreaterThan(0);
    expect(compareCodePoints("ab", "abc")).toBeLessThan(0);
    expect(compareCodePoints("abc", "abc")).toBe(0);
  });

  it("writes whole floats as integers and keeps fractional ones", () => {
    expect(utf8({ score: 100.0, face: 95.4, neg: -3.0, tiny: 0.5, zero: -0 })).toBe(
      '{"face":95.4,"neg":-3,"score":100,"tiny":0.5,"zero":0}',
    );
  });

  it("formats numbers as Python's repr would", () => {
    expect(formatNumber(1e21)).toBe("1000000000000000000000");
    expect(formatNumber(123456789012)).toBe("123456789012");
    expect(formatNumber(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(formatNumber(0.0001)).toBe("0.0001");
    expect(formatNumber(0.00001)).toBe("1e-05");
    expect(formatNumber(1.5e-7)).toBe("1.5e-07");
    expect(formatNumber(-2.5e-12)).toBe("-2.5e-12");
    expect(formatNumber(1234567.125)).toBe("1234567.125");
    expect(formatNumber(4503599627370495.5)).toBe("4503599627370495.5");
    expect(() => formatNumber(Number.NaN)).toThrow(TypeError);
    expect(() => formatNumber(Infinity)).toThrow(TypeError);
  });

  it("escapes strings exactly as Python's json module", () => {
    const s = 'q"b\\n\nr\rt\tb\bf\fnul\u0000us\u001fdel\u007f/<>&';
    expect(utf8(s)).toBe('"q\\"b\\\\n\\nr\\rt\\tb\\bf\\fnul\\u0000us\\u001fdel\u007f/<>&"');
    expect(ascii(s)).toBe('"q\\"b\\\\n\\nr\\rt\\tb\\bf\\fnul\\u0000us\\u001fdel\\u007f/<>&"');
  });

  it("keeps non-ASCII literal or escapes it, astral chars as surrogate pairs", () => {
    const name = "Zoë Łukasiewicz-Öztürk 佐藤 ليلى 😀";
    expect(utf8({ name })).toBe(`{"name":"${name}"}`);
    expect(ascii({ name })).toBe(
      '{"name":"Zo\\u00eb \\u0141ukasiewicz-\\u00d6zt\\u00fcrk \\u4f50\\u85e4 \\u0644\\u064a\\u0644\\u0649 \\ud83d\\ude00"}',
    );
    // A lone surrogate cannot be UTF-8: escaped so the body stays valid.
    expect(utf8("a\ud800b")).toBe('"a\\ud800b"');
  });

  it("serialises arrays, booleans, null, and drops undefined members like JSON.stringify", () => {
    expect(utf8([1, "x", true, false, null, undefined, [], {}])).toBe('[1,"x",true,false,null,null,[],{}]');
    expect(utf8({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(utf8({ at: new Date("2026-01-02T03:04:05.000Z") })).toBe('{"at":"2026-01-02T03:04:05.000Z"}');
  });

  it("round-trips through JSON.parse for a realistic payload", () => {
    const payload = {
      session_id: "abc",
      status: "Approved",
      decision: { id_verifications: [{ full_name: "José Ibáñez", score: 97.25 }], "10": 1, "2": 2 },
      timestamp: 1_800_000_000,
    };
    expect(JSON.parse(utf8(payload))).toEqual(payload);
    expect(JSON.parse(ascii(payload))).toEqual(payload);
  });
});

describe("signatures", () => {
  const secret = "whsec_test_secret";
  const payload = {
    webhook_type: "status.updated",
    session_id: "s-1",
    status: "Approved",
    name: "Ayşe",
    x: 1.0,
  };
  const v2Text =
    '{"name":"Ayşe","session_id":"s-1","status":"Approved","webhook_type":"status.updated","x":1}';
  const v1Text =
    '{"name":"Ay\\u015fe","session_id":"s-1","status":"Approved","webhook_type":"status.updated","x":1}';

  it("signs V2 over the UTF-8 serialisation", () => {
    expect(signatureV2(payload, secret)).toBe(hmac(secret, Buffer.from(v2Text, "utf8")));
    expect(signatureV2(payload, secret)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("signs V1 over the ASCII-escaped serialisation, equal to V2 for ASCII payloads", () => {
    expect(signatureV1(payload, secret)).toBe(hmac(secret, v1Text));
    expect(signatureV1(payload, secret)).not.toBe(signatureV2(payload, secret));
    const plain = { a: 1, b: "x" };
    expect(signatureV1(plain, secret)).toBe(signatureV2(plain, secret));
  });

  it("signs the simple string", () => {
    const fields = {
      timestamp: 1_800_000_000,
      session_id: "s-1",
      status: "Approved",
      webhook_type: "status.updated",
    };
    expect(signatureSimple(fields, secret)).toBe(hmac(secret, "1800000000:s-1:Approved:status.updated"));
  });

  it("sends exactly the bytes the V2 signature covers", () => {
    const body = webhookBody(payload);
    expect(body.equals(Buffer.from(v2Text, "utf8"))).toBe(true);
    expect(hmac(secret, body)).toBe(signatureV2(payload, secret));
    // A receiver re-serialising the parsed body gets the same signature.
    expect(signatureV2(JSON.parse(body.toString("utf8")), secret)).toBe(signatureV2(payload, secret));
  });
});
