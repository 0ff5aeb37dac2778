import { z } from "zod";

/**
 * The partner API's wire shapes (snake_case, as a partner's backend sends and reads them). The
 * OpenAPI document at /api/partner/v1/openapi.json is generated from these schemas, so the routes
 * and the document cannot drift apart.
 */

export const PARTNER_ID_HEADER = "handoff-partner-id";
export const SHARE_DELIVERY_TYPE = "handoff.share.v1";
export const RECALL_DELIVERY_TYPE = "handoff.recall.v1";

const uuid = (what: string) => z.uuid({ message: `${what} must be a uuid` });
const dateTime = z.iso.datetime({ offset: true });

export const shareManifestSchema = z
  .object({
    session_number: z.number().int().nullable().describe("The source session's number at Didit."),
    status: z
      .string()
      .describe('The source session\'s status when shared ("Approved", "Declined", "In Review").'),
    created_at: dateTime.nullable().describe("When the source session was created."),
    features: z.array(z.string()).describe("The verification features the source session carries."),
    agreement_reference: z
      .string()
      .nullable()
      .describe("The data-sharing agreement the share is made under, as the sender records it."),
  })
  .describe("What the token carries, so the receiver can decide before importing (not signed by Didit).");

const shareFacts = {
  share_id: uuid("share_id").describe("The sender's id of this share: quote it in receipts."),
  session_kind: z.enum(["user", "business"]).describe("user = KYC, business = KYB."),
  from_application_id: uuid("from_application_id").describe("The sender's Didit application."),
  for_application_id: uuid("for_application_id").describe(
    "Your Didit application: the only one that can import the token.",
  ),
  expires_at: dateTime.describe("The token's `exp`: import it before then."),
  manifest: shareManifestSchema,
};

export const partnerShareSchema = z.object(shareFacts).describe("A share waiting for you to pick it up.");
export type PartnerShare = z.infer<typeof partnerShareSchema>;

export const partnerShareListSchema = z
  .object({ items: z.array(partnerShareSchema) })
  .describe("Your pick-up shares still pending and unexpired, oldest first.");
export type PartnerShareList = z.infer<typeof partnerShareListSchema>;

export const pickupResponseSchema = z
  .object({
    ...shareFacts,
    share_token: z
      .string()
      .describe(
        "The Didit share token (a JWT). Returned once: import it with POST /v3/session/import-shared/.",
      ),
  })
  .describe("The token, handed over once.");
export type PickupResponse = z.infer<typeof pickupResponseSchema>;

/** The push body, POSTed to the partner's inbox URL, signed per Standard Webhooks. */
export const shareDeliverySchema = z
  .object({
    type: z.literal(SHARE_DELIVERY_TYPE),
    ...shareFacts,
    share_token: z.string().describe("The Didit share token (a JWT)."),
  })
  .describe("A share pushed to your inbox URL.");
export type ShareDelivery = z.infer<typeof shareDeliverySchema>;

/** A recall, POSTed to the same inbox URL as shares, signed the same way. */
export const recallDeliverySchema = z
  .object({
    type: z.literal(RECALL_DELIVERY_TYPE),
    recall_id: uuid("recall_id").describe(
      "The sender's id of this notice: the same on every redelivery (one notice per share).",
    ),
    share_id: uuid("share_id").nullable().describe("The sender's share the recall is about."),
    session_id: uuid("session_id").describe("The source session at the sender (the token's `session_id`)."),
    from_application_id: uuid("from_application_id").describe("The sender's Didit application."),
    for_application_id: uuid("for_application_id").describe("Your Didit application the share was for."),
    trigger: z
      .enum(["declined", "deleted", "kyc_expired", "in_review", "erased", "withdrawn"], {
        message: "trigger must be one of declined, deleted, kyc_expired, in_review, erased, withdrawn",
      })
      .describe(
        "What changed: declined, deleted (at Didit), kyc_expired, in_review (moved back to review), erased (at the sender), withdrawn (an officer of the sender withdrew this share; `reason` says why).",
      ),
    status: z
      .string()
      .max(100)
      .nullable()
      .describe(
        "The source session's status at the sender now (Title Case), or null when deleted or erased.",
      ),
    reason: z.string().min(1).max(500).describe("A sentence for your officers (no personal data)."),
    recalled_at: dateTime.describe("When the sender saw the change."),
  })
  .describe("The sender's source session changed after it was shared: review your clone of it again.");
export type RecallDelivery = z.infer<typeof recallDeliverySchema>;

/** What the inbox URL accepts: a share or a recall, told apart by `type`. */
export const inboxDeliverySchema = z.discriminatedUnion("type", [shareDeliverySchema, recallDeliverySchema], {
  error: `type must be "${SHARE_DELIVERY_TYPE}" or "${RECALL_DELIVERY_TYPE}"`,
});
export type InboxDelivery = z.infer<typeof inboxDeliverySchema>;

export const recallReceivedResponseSchema = z
  .object({
    received: z.literal(true),
    recall_id: z.uuid().describe("Our id of the recall (the same on a redelivery)."),
    imports: z.number().int().describe("How many of our imports of that source it marked recalled."),
  })
  .describe("The recall was stored (202), or was already (200).");
export type RecallReceivedResponse = z.infer<typeof recallReceivedResponseSchema>;

const receiptReason = z
  .string()
  .trim()
  .min(1, "reason must not be empty")
  .max(500, "reason: use at most 500 characters");

export const receiptRequestSchema = z
  .object({
    share_id: uuid("share_id").describe("The share this receipt is about (the id we sent)."),
    status: z
      .enum(["imported", "rejected"], { message: 'status must be "imported" or "rejected"' })
      .describe("imported: you created a clone; rejected: you will not import it."),
    clone_session_id: uuid("clone_session_id")
      .optional()
      .describe("The session id Didit gave your clone (status imported)."),
    reason: receiptReason.optional().describe("Why (status rejected), shown to the sender's officers."),
  })
  .describe("A receipt about a share you received.");
export type ReceiptRequest = z.infer<typeof receiptRequestSchema>;

export const receiptResponseSchema = z
  .object({ received: z.literal(true), receipt_id: z.uuid() })
  .describe("The receipt was stored.");
export type ReceiptResponse = z.infer<typeof receiptResponseSchema>;

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().describe("Stable, snake_case: what to branch on."),
      message: z.string().describe("For people: what happened and what to do next."),
      details: z.unknown().optional(),
      requestId: z.string().describe("Quote it when reporting a problem."),
    }),
  })
  .describe("Every refusal has this shape.");
