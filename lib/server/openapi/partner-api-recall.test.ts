import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { inboxDeliverySchema, recallDeliverySchema } from "@/lib/schemas/partner-api";
import { partnerOpenApiDocument } from "./partner-api";

const DOC = readFileSync(path.resolve(import.meta.dirname, "../../../docs/partner-api.md"), "utf8");

type Doc = {
  paths: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
  webhooks: Record<string, unknown>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
};

/** The documented recall body, exactly as docs/partner-api.md shows it. */
function documentedRecall(): unknown {
  const start = DOC.indexOf('{\n  "type": "handoff.recall.v1"');
  expect(start).toBeGreaterThan(0);
  const end = DOC.indexOf("\n}\n", start);
  return JSON.parse(DOC.slice(start, end + 2));
}

describe("the handoff.recall.v1 contract", () => {
  it("the documented example is a valid recall body, with every field the schema has", () => {
    const example = documentedRecall() as Record<string, unknown>;
    const parsed = recallDeliverySchema.strict().parse({
      ...example,
      from_application_id: crypto.randomUUID(),
      for_application_id: crypto.randomUUID(),
    });
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(recallDeliverySchema.shape).sort());
    expect(inboxDeliverySchema.safeParse({ ...example, type: "handoff.other.v1" }).success).toBe(false);
  });

  it("the OpenAPI document describes the recall body, the inbox's union and the webhook", () => {
    const doc = partnerOpenApiDocument() as unknown as Doc;
    const recall = doc.components.schemas.RecallDelivery!;
    expect(Object.keys(recall.properties!).sort()).toEqual(Object.keys(recallDeliverySchema.shape).sort());
    expect(recall.required).toEqual(expect.arrayContaining(["type", "recall_id", "session_id", "trigger"]));
    const inbox =
      doc.paths["/api/partner/v1/inbox/{partnerId}"]!.post.requestBody.content["application/json"]!;
    expect(JSON.stringify(inbox.schema)).toContain("RecallDelivery");
    expect(JSON.stringify(inbox.schema)).toContain("ShareDelivery");
    expect(doc.webhooks["handoff.recall.v1"]).toBeDefined();
    expect(doc.components.schemas.RecallReceived).toBeDefined();
  });

  it("lists every trigger the sender raises, withdrawn included, in the OpenAPI document and the docs", () => {
    const doc = partnerOpenApiDocument() as unknown as Doc;
    const trigger = doc.components.schemas.RecallDelivery!.properties!.trigger as { enum?: string[] };
    expect(trigger.enum).toEqual(["declined", "deleted", "kyc_expired", "in_review", "erased", "withdrawn"]);
    expect(DOC).toMatch(/\| `trigger` +\|[^\n]*`withdrawn`/);
    const example = documentedRecall() as Record<string, unknown>;
    const ids = { from_application_id: crypto.randomUUID(), for_application_id: crypto.randomUUID() };
    expect(recallDeliverySchema.safeParse({ ...example, ...ids, trigger: "withdrawn" }).success).toBe(true);
    expect(recallDeliverySchema.safeParse({ ...example, ...ids, trigger: "weather" }).success).toBe(false);
  });
});
