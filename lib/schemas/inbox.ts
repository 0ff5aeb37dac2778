import { z } from "zod";
import { listCursorParam, optionalFilter } from "./common";
import type { ImportDto } from "./imports";
import type { PartnerSummary, SessionKind } from "./partners";
import type { SessionSubjectDto } from "./sessions";
import type { ShareManifestDto } from "./shares";

/**
 * The partner inbox (we are Service Y): request schemas and DTOs for the console's inbox routes,
 * the services and the /inbox page. A DTO never carries the token: it is sealed at rest and only
 * the import (Didit's import-shared, with our key) ever opens it.
 */

export const INBOX_STATES = [
  "pending",
  "importing",
  "imported",
  "rejected",
  "expired",
  "failed",
  "withdrawn",
  "invalid",
] as const;
export type InboxStateDto = (typeof INBOX_STATES)[number];
export const INBOX_SOURCES = ["internal", "push", "pickup", "paste"] as const;
export type InboxSourceDto = (typeof INBOX_SOURCES)[number];

export const INBOX_STATE_LABELS: Record<InboxStateDto, string> = {
  pending: "Waiting",
  importing: "Importing",
  imported: "Imported",
  rejected: "Rejected",
  expired: "Expired",
  failed: "Failed",
  withdrawn: "Withdrawn",
  invalid: "Invalid (refused by Didit)",
};

/**
 * What is known of a received token's origin. Only Didit can verify a token (it signs it with a key
 * only it holds): `verified` once Didit accepted it on import, or when this console itself received
 * it from Didit in answer to our own share call (an internal hand-over); `invalid` once Didit
 * refused it as malformed or not signed by Didit; `unverified` otherwise, whoever delivered it.
 */
export const TOKEN_VERIFICATIONS = ["unverified", "verified", "invalid"] as const;
export type TokenVerificationDto = (typeof TOKEN_VERIFICATIONS)[number];
/** How a verified token was verified: Didit accepted it on import, or it is our own share's token. */
export type TokenVerifiedByDto = "import" | "own_share";

export const INBOX_SOURCE_LABELS: Record<InboxSourceDto, string> = {
  internal: "Internal",
  push: "Pushed",
  pickup: "Picked up",
  paste: "Pasted",
};

/** A Didit share token is a compact JWT: three base64url parts (the header, the claims, the MAC). */
const MAX_TOKEN_LENGTH = 8_192;

export const pasteTokenRequestSchema = z
  .object({
    token: z
      .string({ message: "Paste the share token the partner gave you" })
      .trim()
      .min(1, "Paste the share token the partner gave you")
      .max(MAX_TOKEN_LENGTH, `A share token is far shorter than ${MAX_TOKEN_LENGTH} characters`),
  })
  .strict();
export type PasteTokenRequest = z.infer<typeof pasteTokenRequestSchema>;

const reasonText = z
  .string({ message: "Give a reason" })
  .trim()
  .min(1, "Give a reason")
  .max(500, "Use at most 500 characters")
  .refine(
    (v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v),
    "The reason cannot contain control characters",
  );

export const rejectInboxItemRequestSchema = z.object({ reason: reasonText }).strict();
export type RejectInboxItemRequest = z.infer<typeof rejectInboxItemRequestSchema>;

export const INBOX_LIST_LIMIT_DEFAULT = 50;
export const INBOX_LIST_LIMIT_MAX = 200;

export const inboxListQuerySchema = z.object({
  state: optionalFilter(
    z.enum(INBOX_STATES, { message: `The state filter is one of ${INBOX_STATES.join(", ")}` }),
  ),
  partnerId: optionalFilter(z.uuid({ message: "Choose a partner from the list" })),
  applicationId: optionalFilter(z.uuid({ message: "Choose one of the connected applications" })),
  source: optionalFilter(
    z.enum(INBOX_SOURCES, { message: `The source filter is one of ${INBOX_SOURCES.join(", ")}` }),
  ),
  /**
   * Matches the partner's name, the source session uuid, the sender's share id, the item id, or the
   * imported person's or company's name, folded as the session picker folds it.
   */
  q: optionalFilter(z.string().trim().max(200, "Use at most 200 characters")),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: listCursorParam(),
  limit: z.coerce.number().int().min(1).max(INBOX_LIST_LIMIT_MAX).default(INBOX_LIST_LIMIT_DEFAULT),
});
type ParsedInboxListQuery = z.infer<typeof inboxListQuerySchema>;
export type InboxListQuery = Partial<Omit<ParsedInboxListQuery, "limit">> & { limit: number };

/** The six claims every Didit share token carries (readable by anyone, verifiable only by Didit). */
export type ShareTokenClaims = {
  session_id: string;
  from_application_id: string;
  for_application_id: string;
  session_kind: SessionKind;
  iat: number;
  exp: number;
};

export type InboxItemDto = {
  /**
   * Whom the token is about: the imported clone's name, or a sister brand's source's (a partner's
   * token carries no name before the import); left out for a role that may not read names.
   */
  subject?: SessionSubjectDto;
  id: string;
  /** Our connected application the token is for (its row id) and its name. */
  applicationId: string;
  applicationName: string;
  /**
   * The partner in our directory the token's claims name (a pushed or picked-up token: the partner
   * whose signature came with it). Until `verification` is `verified` this is a claim, not a fact.
   * Null: an internal hand-over from an unlisted sister brand.
   */
  partnerId: string | null;
  partnerName: string | null;
  source: InboxSourceDto;
  /** The sender's share id (quote it in receipts). */
  senderShareId: string | null;
  sessionKind: SessionKind;
  /** The source session at Didit (the partner's). */
  sourceSessionId: string;
  /** The sender's Didit application uuid. */
  fromApplicationId: string;
  /** What the sender says the token carries (null for a pasted token). */
  manifest: ShareManifestDto | null;
  expiresAt: string;
  /** Whole seconds until the token expires (0 once it has). */
  secondsLeft: number;
  state: InboxStateDto;
  stateReason: string | null;
  /** Whether Didit has confirmed the token (see `TokenVerificationDto`). */
  verification: TokenVerificationDto;
  verifiedBy: TokenVerifiedByDto | null;
  receivedAt: string;
  receivedBy: { id: string; name: string; email: string } | null;
  /** The sender (a sister brand on this console) withdrew the token before it was imported. */
  withdrawal: { at: string; by: { id: string; name: string; email: string } | null; reason: string } | null;
  /** What the signed-in user may do now (the server decides; the UI shows or hides buttons). */
  canReject: boolean;
  /**
   * Import (or import again) now: the item is pending and unexpired, or its import failed and is
   * retryable; the user has `imports.create`; the partner's import policy allows it.
   */
  canImport: boolean;
  /** The item's import (its latest attempt), null until one was started. */
  import: ImportDto | null;
};

export const OUTBOUND_RECEIPT_STATES = ["pending", "sent", "failed"] as const;
export type OutboundReceiptStateDto = (typeof OUTBOUND_RECEIPT_STATES)[number];

/** A receipt we send back to the remote partner's console about this item (imported or rejected). */
export type OutboundReceiptDto = {
  id: string;
  status: "imported" | "rejected";
  cloneSessionId: string | null;
  reason: string | null;
  state: OutboundReceiptStateDto;
  attempts: number;
  /** The last failure (an HTTP status and code, or a network error), never a secret. */
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
};

export type InboxItemDetailDto = InboxItemDto & {
  claims: Record<string, unknown>;
  /** The partner as our directory holds it now, its agreement state included. */
  partner: PartnerSummary | null;
  /** May a token from this partner be imported now, by our policy (suspension, direction, agreement, kind)? */
  importPolicy: { ok: true } | { ok: false; code: string; message: string };
  /** Receipts sent (or being sent) back to the partner's console, oldest first. */
  receipts: OutboundReceiptDto[];
};

export type InboxListResponse = { items: InboxItemDto[]; nextCursor: string | null };

/** The answer to a partner's push (`POST /api/partner/v1/inbox/{partnerId}`). */
export type InboxDeliveryResponse = { received: true; inbox_item_id: string; state: InboxStateDto };
