import { z } from "zod";
import type { ShareRecallDto } from "./recalls";
import { listCursorParam, optionalFilter } from "./common";
import type { SessionSubjectDto } from "./sessions";

/**
 * Shares (we are Service X): request schemas and DTOs shared by the console's routes, the services
 * and the share wizard and /shares page. A DTO never carries the token: the one exception is the
 * manual channel's one-time reveal (`RevealShareResponse`).
 */

export const SHARE_STATES = ["pending", "delivered", "picked_up", "failed", "expired", "revoked"] as const;
export type ShareStateDto = (typeof SHARE_STATES)[number];
export const SHARE_CHANNELS = ["internal", "push", "pickup", "manual"] as const;
export type ShareChannelDto = (typeof SHARE_CHANNELS)[number];
export const SESSION_KINDS = ["user", "business"] as const;
export type SessionKindDto = (typeof SESSION_KINDS)[number];

/** Didit's bounds on `ttl_in_seconds`: 1 minute to 24 hours. */
export const SHARE_TTL_MIN_SECONDS = 60;
export const SHARE_TTL_MAX_SECONDS = 86_400;

/** Lifetimes the wizard offers (seconds); any whole number of seconds within the bounds is allowed. */
export const SHARE_TTL_PRESETS = [
  { label: "15 minutes", seconds: 900 },
  { label: "1 hour", seconds: 3_600 },
  { label: "4 hours", seconds: 14_400 },
  { label: "24 hours", seconds: 86_400 },
] as const;

export const ttlSecondsSchema = z
  .number({ message: "The lifetime must be a whole number of seconds" })
  .int("The lifetime must be a whole number of seconds")
  .min(SHARE_TTL_MIN_SECONDS, "The lifetime must be at least 1 minute (60 seconds)")
  .max(SHARE_TTL_MAX_SECONDS, "The lifetime must be at most 24 hours (86400 seconds)");

export const createShareRequestSchema = z
  .object({
    /** The Didit session uuid (as in the session mirror), not a mirror row id. */
    sessionId: z.uuid({ message: "Choose a finished session to share (its session ID as Didit shows it)" }),
    partnerId: z.uuid({ message: "Choose a partner to share with" }),
    /** Omitted: the partner's default lifetime. */
    ttlSeconds: ttlSecondsSchema.optional(),
  })
  .strict();
export type CreateShareRequest = z.infer<typeof createShareRequestSchema>;

const reasonText = z
  .string({ message: "Give a reason" })
  .trim()
  .min(1, "Give a reason")
  .max(500, "Use at most 500 characters")
  .refine(
    (v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v),
    "The reason cannot contain control characters",
  );

export const revokeShareRequestSchema = z.object({ reason: reasonText }).strict();
export type RevokeShareRequest = z.infer<typeof revokeShareRequestSchema>;

/** Withdraw a delivered share (irreversible): the reason goes to the partner with the recall. */
export const withdrawShareRequestSchema = z.object({ reason: reasonText }).strict();
export type WithdrawShareRequest = z.infer<typeof withdrawShareRequestSchema>;

/** The reveal takes no input (`{}`: the JSON body every console mutation sends). */
export const revealShareRequestSchema = z.object({}).strict();
export type RevealShareRequest = z.infer<typeof revealShareRequestSchema>;

export const SHARE_LIST_LIMIT_DEFAULT = 50;
export const SHARE_LIST_LIMIT_MAX = 200;

export const shareListQuerySchema = z.object({
  state: optionalFilter(
    z.enum(SHARE_STATES, { message: `The state filter is one of ${SHARE_STATES.join(", ")}` }),
  ),
  partnerId: optionalFilter(z.uuid({ message: "Choose a partner from the list" })),
  applicationId: optionalFilter(z.uuid({ message: "Choose one of the connected applications" })),
  /** The Didit session uuid of the source. */
  sessionId: optionalFilter(z.uuid({ message: "Enter a whole session ID as the Didit console shows it" })),
  channel: optionalFilter(
    z.enum(SHARE_CHANNELS, { message: `The channel filter is one of ${SHARE_CHANNELS.join(", ")}` }),
  ),
  /**
   * Matches the partner's name, the session number (prefix), the session uuid, the share id, or the
   * person's or company's name folded as the session picker folds it (a role with `sessions.read`).
   */
  q: optionalFilter(z.string().trim().max(200, "Use at most 200 characters")),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: listCursorParam(),
  limit: z.coerce.number().int().min(1).max(SHARE_LIST_LIMIT_MAX).default(SHARE_LIST_LIMIT_DEFAULT),
});
type ParsedShareListQuery = z.infer<typeof shareListQuerySchema>;
export type ShareListQuery = Partial<Omit<ParsedShareListQuery, "limit">> & { limit: number };

export type ShareManifestDto = {
  session_number: number | null;
  status: string;
  created_at: string | null;
  features: string[];
  agreement_reference: string | null;
};

export type ShareDto = {
  /** Whom the shared session is about (the mirror's name); left out for a role that may not read names. */
  subject?: SessionSubjectDto;
  id: string;
  /** Our connected application that shared (its row id) and its name. */
  applicationId: string;
  applicationName: string;
  partnerId: string;
  partnerName: string;
  /** The source session at Didit. */
  sessionId: string;
  sessionKind: SessionKindDto;
  sessionNumber: number | null;
  /** The source's status when shared. */
  sourceStatus: string;
  /** The partner's Didit application uuid (the token's `for_application_id`). */
  forApplicationId: string;
  ttlSeconds: number;
  channel: ShareChannelDto;
  state: ShareStateDto;
  attempts: number;
  lastError: string | null;
  issuedAt: string;
  expiresAt: string;
  deliveredAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  revealedAt: string | null;
  /**
   * An officer withdrew the delivered share. `inbox`: the sister brand's inbox item was withdrawn
   * before it was imported (it can no longer be); `recall`: a `withdrawn` recall was raised.
   */
  withdrawal: {
    at: string;
    by: { id: string; name: string; email: string } | null;
    reason: string;
    outcome: "inbox" | "recall";
  } | null;
  /** Latest receipt from the partner. */
  receiptStatus: "imported" | "rejected" | null;
  receiptCloneSessionId: string | null;
  receiptReason: string | null;
  receiptAt: string | null;
  createdAt: string;
  createdBy: { id: string; name: string; email: string } | null;
  /** What the signed-in user may do now (the server decides; the UI shows or hides buttons). */
  canRevoke: boolean;
  canReveal: boolean;
  /** Delivered (or picked up, or revealed) and not withdrawn yet, and the user has `shares.create`. */
  canWithdraw: boolean;
};

export type ShareDeliveryDto = {
  id: string;
  attempt: number;
  channel: ShareChannelDto;
  /** delivered | failed | retrying | picked_up | revealed */
  outcome: string;
  httpStatus: number | null;
  error: string | null;
  durationMs: number | null;
  startedAt: string;
  finishedAt: string;
};

export type ShareReceiptDto = {
  id: string;
  status: "imported" | "rejected";
  cloneSessionId: string | null;
  reason: string | null;
  receivedAt: string;
};

export type ShareDetailDto = ShareDto & {
  /** The token's decoded claims (not secret) and its SHA-256, for evidence. */
  claims: Record<string, unknown>;
  tokenHash: string;
  manifest: ShareManifestDto;
  agreement: {
    reference: string | null;
    signedOn: string | null;
    expiresOn: string | null;
    partnerStatus: "active" | "suspended";
  };
  deliveries: ShareDeliveryDto[];
  receipts: ShareReceiptDto[];
  /** The share's latest recall (its trigger, reason, time and the partner's notice), or null. */
  recall: ShareRecallDto | null;
};

export type ShareListResponse = { items: ShareDto[]; nextCursor: string | null };

/** The manual channel's one-time reveal (served with `cache-control: no-store`). */
export type RevealShareResponse = { token: string; expiresAt: string };

/** Didit share tokens cannot be revoked upstream: the UI and docs say so next to Revoke. */
export const REVOKE_NOTE =
  "Revoking destroys the token Handoff holds so it is never delivered. Didit cannot revoke a token it minted: one the partner already has stays valid until it expires.";

/** What Withdraw does, per channel (the dialog and the docs say so). */
export const WITHDRAW_NOTE =
  "Didit cannot revoke a token it minted. Withdrawing tells the partner not to use it: a sister brand's token still waiting in its inbox is withdrawn and can no longer be imported; otherwise the partner is sent a recall (trigger withdrawn, with your reason) and a clone already imported goes back to review.";
