import { z } from "zod";
import type { Sentence } from "@/lib/audit-sentences";
import { listCursorParam, optionalFilter } from "./common";
import type { ImportDto } from "./imports";
import type { SessionKind } from "./partners";
import type { SessionSubjectDto } from "./sessions";

/**
 * The review queue and the review page (we are Service Y): imported clones, their current status at
 * Didit (kept current by webhooks), who reviews them, the decisions (four eyes: a proposal and a
 * second officer's confirmation), and the clone side by side with its lineage. Safe to show: no
 * token, key or Didit media URL is in any of these (media go through `/api/imports/{id}/media`).
 */

export const DECISION_STATUSES = ["Approved", "Declined"] as const;
export type DecisionStatusDto = (typeof DECISION_STATUSES)[number];
export const DECISION_STATES = ["proposed", "rejected", "withdrawn", "sent", "confirmed", "failed"] as const;
export type DecisionStateDto = (typeof DECISION_STATES)[number];

export const DECISION_COMMENT_MAX = 1000;

const comment = z
  .string({ message: "The comment must be text" })
  .trim()
  .max(DECISION_COMMENT_MAX, `Use at most ${DECISION_COMMENT_MAX} characters`)
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v));

/**
 * `POST /api/imports/{id}/decision`. Declining needs a comment. Under four eyes the first officer's
 * decision is a proposal (202); a second, different officer posting the same status confirms it
 * (then it goes to Didit); a different status rejects the proposal and becomes a new proposal.
 * `proposalId` names the proposal a second officer confirms: their own comment is then optional
 * (the proposer's reason stands), and a proposal replaced meanwhile is refused (409).
 */
export const decisionRequestSchema = z
  .object({
    status: z.enum(DECISION_STATUSES, { message: "Choose Approved or Declined" }),
    comment,
    proposalId: z.uuid({ message: "proposalId must be the id of the proposal you confirm" }).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.status === "Declined" && !v.comment && !v.proposalId) {
      ctx.addIssue({
        code: "custom",
        path: ["comment"],
        message: "Say why you decline: a comment is required",
      });
    }
  });
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

/** `POST /api/imports/{id}/decision/reject`: a second officer turns a proposal down (or its proposer withdraws it). */
export const rejectProposalRequestSchema = z
  .object({
    comment: z
      .string({ message: "The comment must be text" })
      .trim()
      .min(1, "Say why: a comment is required")
      .max(DECISION_COMMENT_MAX, `Use at most ${DECISION_COMMENT_MAX} characters`),
  })
  .strict();
export type RejectProposalRequest = z.infer<typeof rejectProposalRequestSchema>;

/** `POST /api/imports/{id}/assign`: `{assigneeId: <user id>}`, `{assigneeId: "me"}`, or `{assigneeId: null}` to unassign. */
export const assignRequestSchema = z
  .object({
    assigneeId: z.union(
      [
        z.literal("me"),
        z.uuid({ message: "Assign the review to a colleague, to yourself, or to nobody" }),
        z.null(),
      ],
      {
        message: "Assign the review to a colleague, to yourself, or to nobody",
      },
    ),
  })
  .strict();
export type AssignRequest = z.infer<typeof assignRequestSchema>;

export const IMPORT_LIST_SORTS = ["queue", "newest"] as const;

/**
 * `GET /api/imports`. The queue is `?status=In%20Review`: awaiting a second approval first, then
 * oldest import first. `assignee`: `me`, `unassigned` or a user id. Values are exact Title Case.
 */
export const importListQuerySchema = z
  .object({
    status: optionalFilter(
      z
        .string()
        .max(40, "Use at most 40 characters")
        .regex(/^[A-Za-z ]+$/, "The status filter is a Didit status such as In Review"),
    ),
    state: optionalFilter(
      z.enum(["importing", "imported", "failed"], {
        message: "The import state filter is importing, imported or failed",
      }),
    ),
    partnerId: optionalFilter(z.uuid({ message: "Choose a partner from the list" })),
    applicationId: optionalFilter(z.uuid({ message: "Choose one of the connected applications" })),
    kind: optionalFilter(
      z.enum(["user", "business"], { message: "The kind filter is KYC (user) or KYB (business)" }),
    ),
    assignee: optionalFilter(
      z.union([z.enum(["me", "unassigned"]), z.uuid()], {
        message: "The assignee filter is yourself, unassigned, or a colleague",
      }),
    ),
    overdue: optionalFilter(z.enum(["true", "false"], { message: "The overdue filter is true or false" })),
    /** Recalled by the partner and not decided again since (`true`), or not (`false`). */
    recalled: optionalFilter(z.enum(["true", "false"], { message: "The recalled filter is true or false" })),
    /** Clone or source session id, a vendor_data prefix, or the person's or company's name (folded). */
    q: optionalFilter(z.string().trim().max(200, "Use at most 200 characters")),
    sort: optionalFilter(z.enum(IMPORT_LIST_SORTS, { message: "Sort by queue order or newest first" })),
    cursor: listCursorParam(),
    limit: optionalFilter(
      z.coerce
        .number({ message: "The page size must be a number" })
        .int("The page size must be a whole number")
        .min(1, "The page size is at least 1")
        .max(100, "The page size is at most 100"),
    ),
  })
  .strict();
export type ImportListQuery = z.infer<typeof importListQuerySchema>;

export type UserRefDto = { id: string; name: string; email: string };

export type DecisionDto = {
  id: string;
  status: DecisionStatusDto;
  comment: string | null;
  state: DecisionStateDto;
  decidedBy: UserRefDto;
  decidedAt: string;
  secondBy: UserRefDto | null;
  secondAt: string | null;
  secondComment: string | null;
  sentAt: string | null;
  confirmedAt: string | null;
  failureCode: string | null;
  failureReason: string | null;
};

/** One row of `GET /api/imports`: the import, its current status, review SLA and reviewer. */
export type ImportListItemDto = ImportDto & {
  /** Whom the clone is about (the mirror's name); left out for a role that may not read names. */
  subject?: SessionSubjectDto;
  /** The clone's status at Didit now (Title Case), null until imported. */
  status: string | null;
  statusUpdatedAt: string | null;
  assignee: UserRefDto | null;
  assignedAt: string | null;
  /** The partner's review SLA, and when this review is due (finishedAt + SLA). */
  reviewSlaHours: number;
  dueAt: string | null;
  /** In Review past its due time. */
  overdue: boolean;
  requireFourEyes: boolean;
  /** The open four-eyes proposal, if any. */
  pendingProposal: DecisionDto | null;
  /** The latest decision sent to Didit and not yet confirmed by its webhook. */
  awaitingConfirmation: DecisionDto | null;
  /**
   * The partner recalled the source (declined, deleted, expired, back in review): the import is
   * back in the queue, first, with the reason, until an officer decides on it again.
   */
  recall: ImportRecallDto | null;
};

export type ImportRecallDto = {
  trigger: "declined" | "deleted" | "kyc_expired" | "in_review" | "erased" | "withdrawn";
  reason: string;
  recalledAt: string;
  inboundRecallId: string | null;
};

export type ImportListResponse = { items: ImportListItemDto[]; nextCursor: string | null };

export type TimelineEventKind =
  | "shared"
  | "delivered"
  | "imported"
  | "assigned"
  | "proposed"
  | "proposal_rejected"
  | "proposal_withdrawn"
  | "decided"
  | "confirmed"
  | "decision_failed"
  | "status_changed"
  | "recalled"
  | "recall_cleared";

export type TimelineEntryDto = {
  kind: TimelineEventKind;
  at: string;
  /** The officer who did it (by name), null for the partner, a policy or Didit. */
  actor: string | null;
  /** The sentence as plain text ("Olu Officer proposed Approved: “…”"). */
  summary: string;
  /** The same sentence with its people as parts (name, email for a tooltip). */
  sentence: Sentence;
};

export type LineageDto = {
  sourceSessionId: string;
  /** Didit's `shared_from_session` on the clone. */
  sharedFromSession: string | null;
  partner: {
    id: string;
    name: string;
    diditApplicationId: string;
    status: "active" | "suspended";
    agreementReference: string | null;
    agreementSignedOn: string | null;
    agreementExpiresOn: string | null;
    /** Was the agreement in force when the token was minted (null when the partner records no dates). */
    agreementValidAtShare: boolean | null;
  };
  /** The token's iat, exp and their difference. */
  sharedAt: string;
  expiresAt: string;
  ttlSeconds: number;
  /** How the token reached us: push, pickup, paste or internal (a sister brand of ours). */
  channel: string;
  deliveredAt: string;
  importedAt: string | null;
  importedBy: UserRefDto | null;
  importedByPolicy: "auto" | null;
  trustReview: boolean;
  /** What the partner's manifest said about the source (null when none came with the token). */
  manifest: Record<string, unknown> | null;
};

/** A value for the page: Didit's fields as received, media URLs rewritten to our media route. */
export type CloneViewDto = {
  sessionId: string;
  sessionNumber: number | null;
  sessionKind: SessionKind;
  status: string;
  vendorData: string | null;
  workflowId: string | null;
  createdAt: string;
  sharedFromSession: string | null;
  reviews: { user: string | null; newStatus: string; comment: string | null; createdAt: string | null }[];
  /** Feature arrays (recipe key names), each element as Didit sent it, media URLs → `/api/imports/{id}/media/...`. */
  featureData: Record<string, Record<string, unknown>[]>;
};

export type DifferenceDto = {
  /** Dotted path (e.g. `status`, `aml_screenings.0.total_hits`). */
  path: string;
  label: string;
  kind:
    | "status_changed"
    | "new_aml_hits"
    | "document_expired"
    | "reviews_added"
    | "changed"
    | "added"
    | "removed";
  clone: unknown;
  source: unknown;
};

export type ReviewSideDto =
  { available: true; decision: CloneViewDto } | { available: false; code: string; message: string };

export type ImportDetailDto = ImportListItemDto & {
  lineage: LineageDto;
  decisions: DecisionDto[];
  timeline: TimelineEntryDto[];
  /** What the viewer may do now. */
  can: { decide: boolean; confirm: boolean; rejectProposal: boolean; assign: boolean };
  /** The clone as Didit holds it now, through our key. */
  clone: ReviewSideDto;
  /**
   * The source, when it belongs to one of our own connected applications (a sister brand): its
   * current decision through that application's key, and the differences field by field.
   */
  source:
    | { relation: "partner" }
    | {
        relation: "sister";
        applicationId: string;
        applicationName: string;
        side: ReviewSideDto;
        differences: DifferenceDto[];
      };
};

/** `POST /api/imports/{id}/decision` → 200 (sent to Didit) or 202 (a four-eyes proposal). */
export type DecisionResponse = { decision: DecisionDto; import: ImportListItemDto };
