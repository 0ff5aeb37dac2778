import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalDiditJson,
  hmacSha256Hex,
  verifyDiditSignature,
} from "@/lib/server/http/modes/didit-signature";
// The sandbox signs as Didit does; the product's verifier must agree with it on any payload.
import {
  canonicalWebhookJson,
  signatureV1,
  signatureV2,
  webhookBody,
} from "@/lib/server/sandbox/webhook-signing";

const secret = "sandbox-destination-secret";
const payloads = fc.dictionary(fc.string({ unit: "binary" }), fc.jsonValue({ maxDepth: 4 }));

describe("the product's Didit verifier against the sandbox's signer", () => {
  it("re-serialises any delivered body to the bytes the sandbox signed", () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        const body = webhookBody(payload);
        expect(canonicalDiditJson(body.toString("utf8"))).toBe(body.toString("utf8"));
        expect(hmacSha256Hex(secret, canonicalDiditJson(body.toString("utf8")))).toBe(
          signatureV2(payload, secret),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("verifies V2 whether the body came UTF-8 or ASCII-escaped, and V1 over ASCII bodies", () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        const v2 = signatureV2(payload, secret);
        const v1 = signatureV1(payload, secret);
        const utf8 = webhookBody(payload);
        expect(verifyDiditSignature(utf8, utf8.toString("utf8"), { v2, v1: null }, [secret])).toBe(true);
        const ascii = canonicalWebhookJson(payload, { asciiOnly: true });
        const asciiBytes = new TextEncoder().encode(ascii);
        expect(verifyDiditSignature(asciiBytes, ascii, { v2, v1: null }, [secret])).toBe(true);
        expect(verifyDiditSignature(asciiBytes, ascii, { v2: null, v1 }, [secret])).toBe(true);
        expect(verifyDiditSignature(utf8, utf8.toString("utf8"), { v2, v1 }, ["other"])).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
