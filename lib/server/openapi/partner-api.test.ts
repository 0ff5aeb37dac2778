import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { receiptRequestSchema, shareDeliverySchema } from "@/lib/schemas/partner-api";
import { verifyPartnerSignature } from "@/lib/server/http/modes/partner";
import { collectRefs, resolvePointer } from "./builder";
import { partnerOpenApiDocument } from "./partner-api";

const DOC = readFileSync(path.resolve(import.meta.dirname, "../../../docs/partner-api.md"), "utf8");

describe("docs/partner-api.md worked example", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const id = "msg_2b7f0c1e9a4d4c6f8e21_1";
  const timestamp = 1796112000;
  const body = JSON.stringify({
    share_id: "4f6c2a0e-8d1b-4b7a-9c3e-2f5d6a7b8c9d",
    status: "imported",
    clone_session_id: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
  });
  const expected = "v1,+BLj3hlUSB3Y4EEKsq/Wl3/STufhzYrKaGa+O2EH5lk=";

  it("the documented signature is what the package, plain HMAC and our verifier agree on", () => {
    expect(DOC).toContain(expected);
    expect(DOC).toContain(body);
    expect(new Webhook(secret).sign(id, new Date(timestamp * 1000), body)).toBe(expected);
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    expect("v1," + createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")).toBe(
      expected,
    );
    const headers = new Headers({
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": expected,
    });
    expect(
      verifyPartnerSignature(body, headers, [secret], new Date(timestamp * 1000 + 60_000)).messageId,
    ).toBe(id);
    expect(receiptRequestSchema.safeParse(JSON.parse(body)).success).toBe(true);
  });
});

describe("the partner OpenAPI document", () => {
  const doc = partnerOpenApiDocument() as {
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };

  it("every $ref resolves and the push body is the documented one", () => {
    for (const ref of collectRefs(doc)) expect(resolvePointer(doc, ref), ref).toBeDefined();
    expect(resolvePointer(doc, "#/components/schemas/Nope")).toBeUndefined();
    const props = Object.keys(doc.components.schemas.ShareDelivery!.properties ?? {}).sort();
    expect(props).toEqual(Object.keys(shareDeliverySchema.shape).sort());
    for (const p of props) expect(DOC).toContain(`"${p}"`);
  });

  it("request bodies allow unknown fields (they are ignored), responses are closed", () => {
    expect(doc.components.schemas.ReceiptRequest).not.toHaveProperty("additionalProperties", false);
    expect(doc.components.schemas.PickupResponse).toHaveProperty("additionalProperties", false);
  });
});
