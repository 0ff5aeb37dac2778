import "server-only";
import { z } from "zod";
import {
  errorEnvelopeSchema,
  PARTNER_ID_HEADER,
  partnerShareListSchema,
  RECALL_DELIVERY_TYPE,
  recallDeliverySchema,
  recallReceivedResponseSchema,
  pickupResponseSchema,
  receiptRequestSchema,
  receiptResponseSchema,
  SHARE_DELIVERY_TYPE,
  shareDeliverySchema,
} from "@/lib/schemas/partner-api";
import { PARTNER_TOLERANCE_SECONDS } from "@/lib/server/http/modes/partner";
import { OpenApiComponents, type JsonSchema } from "./builder";

/**
 * The partner API as OpenAPI 3.1, generated from the zod schemas the routes validate with, so a
 * partner without Handoff can implement both sides: calling us (pick-up, receipts) and receiving
 * our pushes (the inbox endpoint). docs/partner-api.md explains the same in prose.
 */

const SIGNING = `Every request in either direction is signed per Standard Webhooks (https://www.standardwebhooks.com): HMAC-SHA256, keyed with the base64-decoded part of the shared secret after \`whsec_\`, over \`{webhook-id}.{webhook-timestamp}.{raw body}\`, sent base64-encoded as \`webhook-signature: v1,<signature>\` (several space-separated signatures are allowed during a secret rotation). The timestamp is Unix seconds and must be within ${PARTNER_TOLERANCE_SECONDS} seconds of the receiver's clock; a \`webhook-id\` is accepted once per partner (a repeat answers 409 \`replayed\`), so use a fresh id per request. A GET is signed over an empty body.`;

const header = (name: string, description: string, schema: JsonSchema) => ({
  name,
  in: "header",
  required: true,
  description,
  schema,
});

function errorResponses(c: OpenApiComponents, codes: Record<string, string>) {
  const out: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(codes)) {
    out[status] = {
      description,
      content: { "application/json": { schema: c.ref("Error", errorEnvelopeSchema, "output") } },
    };
  }
  return out;
}

const SIGNED_ERRORS = {
  "401":
    "`invalid_signature`: unknown or suspended partner, no secret, wrong secret, stale timestamp, missing header or altered body (all look the same).",
  "409":
    "`replayed`: this webhook-id was already accepted; or a conflict with the share's state (see the message).",
  "413": "`payload_too_large`: over 1 MiB.",
};

let cached: Record<string, unknown> | null = null;

export function partnerOpenApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const c = new OpenApiComponents();
  const signed = [{ standardWebhooks: [] }];
  const partnerHeaders = [
    { $ref: "#/components/parameters/PartnerId" },
    { $ref: "#/components/parameters/WebhookId" },
    { $ref: "#/components/parameters/WebhookTimestamp" },
    { $ref: "#/components/parameters/WebhookSignature" },
  ];
  const signedHeaders = partnerHeaders.slice(1);
  const inboxAnswer = z
    .object({
      received: z.literal(true),
      inbox_item_id: z.string().optional(),
      state: z.string().optional().describe("The inbox item's state at the receiver, e.g. `pending`."),
    })
    .describe("The share was accepted (a redelivery of a token already held answers the same).");

  const inboxBody = {
    oneOf: [
      c.ref("ShareDelivery", shareDeliverySchema, "output"),
      c.ref("RecallDelivery", recallDeliverySchema, "output"),
    ],
    discriminator: { propertyName: "type" },
  };
  const inboxAnswers = (share: string, recall: string) => ({
    description: `${share} For a recall: ${recall}`,
    content: {
      "application/json": {
        schema: {
          oneOf: [
            c.ref("InboxAccepted", inboxAnswer, "output"),
            c.ref("RecallReceived", recallReceivedResponseSchema, "output"),
          ],
        },
      },
    },
  });
  const RECALL_TEXT = `A \`${RECALL_DELIVERY_TYPE}\` body says that a source session we shared with you changed later (declined, deleted at Didit, KYC expired, moved back to review, or erased at our end): review your clone of it again. It is POSTed to the same inbox URL, signed the same way, with one \`webhook-id\` per recall notice (\`msg_recall_<recall_id without dashes>\`) that stays the same on every retry, so a redelivery after a lost answer is answered 409 \`replayed\` (which we count as received). 2xx (or 409 \`replayed\`) = received; 4xx other than 408 and 429 = refused for good; anything else, a timeout (10 s) or no connection = retried with exponential backoff (10 s doubling up to 30 min, 8 attempts).`;

  const doc = {
    openapi: "3.1.0",
    info: {
      title: "Handoff partner API",
      version: "1.0.0",
      summary: "Hand Didit B2B Reusable KYC/KYB share tokens between partners.",
      description: `A Handoff console (the sender, Didit's "Service X") hands share tokens to partners (Service Y) by pushing them to the partner's inbox URL, or by letting the partner's backend pick them up; the partner answers with receipts. A partner without Handoff implements the inbox endpoint (to receive pushes) or polls the pick-up endpoints, and sends receipts.\n\n${SIGNING}\n\nErrors always have the envelope \`{"error": {"code", "message", "details"?, "requestId"}}\`. See docs/partner-api.md for worked examples.`,
    },
    servers: [{ url: "/", description: "This Handoff console" }],
    tags: [
      { name: "pick-up", description: "The partner takes tokens from us." },
      { name: "receipts", description: "The partner tells us what it did with a token." },
      { name: "inbox", description: "What a receiver implements: we push tokens to it." },
    ],
    paths: {
      "/api/partner/v1/shares": {
        get: {
          operationId: "listPickupShares",
          tags: ["pick-up"],
          summary: "Shares waiting for you to pick up",
          description:
            "Your shares on the pick-up channel that are still pending and unexpired, oldest first (at most 500 per call), without tokens. Poll it (every 30–60 s is plenty; tokens live from 1 minute to 24 hours).",
          security: signed,
          parameters: partnerHeaders,
          responses: {
            "200": {
              description: "The waiting shares.",
              content: {
                "application/json": { schema: c.ref("PartnerShareList", partnerShareListSchema, "output") },
              },
            },
            ...errorResponses(c, SIGNED_ERRORS),
          },
        },
      },
      "/api/partner/v1/shares/{id}/pickup": {
        post: {
          operationId: "pickUpShare",
          tags: ["pick-up"],
          summary: "Take a share's token (once)",
          description:
            "Answers the token once; we destroy our copy in the same transaction. Concurrent pick-ups of one share: exactly one succeeds, the others get 409. The body may be empty (it is signed as sent).",
          security: signed,
          parameters: [
            ...partnerHeaders,
            {
              name: "id",
              in: "path",
              required: true,
              description: "The share_id.",
              schema: { type: "string", format: "uuid" },
            },
          ],
          responses: {
            "200": {
              description: "The token. Import it with Didit before `expires_at`; store it nowhere else.",
              headers: { "cache-control": { schema: { type: "string", const: "no-store" } } },
              content: {
                "application/json": { schema: c.ref("PickupResponse", pickupResponseSchema, "output") },
              },
            },
            ...errorResponses(c, {
              ...SIGNED_ERRORS,
              "404": "`not_found`: no such pick-up share for you.",
              "409": "`conflict`: already picked up, revoked by the sender, or expired; or `replayed`.",
            }),
          },
        },
      },
      "/api/partner/v1/receipts": {
        post: {
          operationId: "sendReceipt",
          tags: ["receipts"],
          summary: "Report what you did with a share",
          description:
            "`imported` with the clone's session id, or `rejected` with a reason. Several receipts for one share are kept; the latest shows on the share.",
          security: signed,
          parameters: partnerHeaders,
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: c.ref("ReceiptRequest", receiptRequestSchema, "input") },
            },
          },
          responses: {
            "202": {
              description: "Stored.",
              content: {
                "application/json": { schema: c.ref("ReceiptResponse", receiptResponseSchema, "output") },
              },
            },
            ...errorResponses(c, {
              ...SIGNED_ERRORS,
              "400": "`malformed_json`: the body is not JSON.",
              "404": "`not_found`: no such share for you.",
              "422": "`validation_failed`: see `details.fields`.",
            }),
          },
        },
      },
      "/api/partner/v1/inbox/{partnerId}": {
        post: {
          operationId: "receiveShare",
          tags: ["inbox"],
          summary: "Receive a pushed share or recall (implemented by the receiver)",
          description: `${RECALL_TEXT}\n\nThe inbox endpoint a receiver exposes (a Handoff console serves it at this path, \`partnerId\` being the receiver's id for the sender). We POST one \`${SHARE_DELIVERY_TYPE}\` body per attempt, signed as described above with a fresh \`webhook-id\` per attempt: a receiver recognises a redelivery by the token's SHA-256 (or \`share_id\`) and answers 2xx again. 2xx = delivered (we destroy our copy of the token); 4xx other than 408 and 429 = refused for good (we stop); anything else, a timeout (10 s) or no connection = retried with exponential backoff (5 s doubling up to 5 min, jittered) until the token expires.`,
          security: signed,
          parameters: [
            ...signedHeaders,
            {
              name: "partnerId",
              in: "path",
              required: true,
              description: "The sender as the receiver knows it.",
              schema: { type: "string", format: "uuid" },
            },
          ],
          requestBody: {
            required: true,
            content: { "application/json": { schema: inboxBody } },
          },
          responses: {
            "200": inboxAnswers(
              "A redelivery of a token already held: the same item.",
              "a recall already held (same sender and `recall_id`): the same answer.",
            ),
            "202": inboxAnswers(
              "Accepted: one inbox item holds the token.",
              "stored; `imports` is how many imports of that source it returned to review.",
            ),
            ...errorResponses(c, {
              "400": "Refused for good: the sender stops.",
              "401": "Signature not verified: refused for good.",
              "409":
                "`replayed` (this webhook-id was already accepted), or refused by the receiver's policy for this partner (`partner_suspended`, `partner_not_inbound`, `partner_agreement_expired`, `partner_agreement_missing`, `kind_not_allowed`): refused for good.",
              "422":
                "The token's claims do not fit (`token_invalid`, `token_expired`, `token_not_for_us`, `token_from_other_partner`, `token_claims_mismatch`), or a recall names another sender (`recall_from_other_partner`) or an application not the receiver's (`recall_not_for_us`), or the body is not valid (`validation_failed`): refused for good.",
              "408": "Retried.",
              "429": "Retried.",
              "503": "Retried until the token expires.",
            }),
          },
        },
      },
    },
    webhooks: {
      [SHARE_DELIVERY_TYPE]: {
        post: {
          operationId: "shareDelivered",
          summary: "A share pushed to your inbox URL",
          description:
            "The same request as POST /api/partner/v1/inbox/{partnerId}, sent to the inbox URL you gave the sender.",
          security: signed,
          parameters: signedHeaders,
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: c.ref("ShareDelivery", shareDeliverySchema, "output") },
            },
          },
          responses: { "200": { description: "Any 2xx: delivered." } },
        },
      },
      [RECALL_DELIVERY_TYPE]: {
        post: {
          operationId: "recallDelivered",
          summary: "A recall pushed to your inbox URL",
          description: RECALL_TEXT,
          security: signed,
          parameters: signedHeaders,
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: c.ref("RecallDelivery", recallDeliverySchema, "output") },
            },
          },
          responses: { "200": { description: "Any 2xx, or 409 `replayed`: received." } },
        },
      },
    },
    components: {
      schemas: c.schemas,
      parameters: {
        PartnerId: header(PARTNER_ID_HEADER, "Your partner id, as the sender gave it to you (a uuid).", {
          type: "string",
          format: "uuid",
        }),
        WebhookId: header(
          "webhook-id",
          "A unique id per request (1–200 printable ASCII characters), accepted once.",
          {
            type: "string",
            minLength: 1,
            maxLength: 200,
          },
        ),
        WebhookTimestamp: header(
          "webhook-timestamp",
          `Unix seconds when signed; within ${PARTNER_TOLERANCE_SECONDS} s of the receiver's clock.`,
          { type: "string", pattern: "^[0-9]{1,12}$" },
        ),
        WebhookSignature: header(
          "webhook-signature",
          "`v1,<base64 HMAC-SHA256>`, space-separated if several.",
          {
            type: "string",
            pattern: "^v1,",
          },
        ),
      },
      securitySchemes: {
        standardWebhooks: {
          type: "apiKey",
          in: "header",
          name: "webhook-signature",
          description: SIGNING,
        },
      },
    },
  };
  cached = doc;
  return doc;
}
