import { z } from "zod";
import { listCursorParam, optionalFilter } from "./common";

/**
 * Recall notices: request schemas and DTOs of the console's recall routes and the /recalls page.
 * Sent: what we told each partner when a source session we shared changed later (one notice per
 * share). Received: what partners told us of theirs (the imports of it went back to review).
 */

export const RECALL_TRIGGERS = [
  "declined",
  "deleted",
  "kyc_expired",
  "in_review",
  "erased",
  "withdrawn",
] as const;
export type RecallTriggerDto = (typeof RECALL_TRIGGERS)[number];
export const RECALL_NOTICE_CHANNELS = ["push", "internal", "task"] as const;
export type RecallNoticeChannelDto = (typeof RECALL_NOTICE_CHANNELS)[number];
export const RECALL_NOTICE_STATES = ["pending", "sent", "failed", "open", "done"] as const;
export type RecallNoticeStateDto = (typeof RECALL_NOTICE_STATES)[number];
/** Received recalls: `open` while one of the imports it marked still waits for a new decision. */
export const INBOUND_RECALL_STATES = ["open", "cleared"] as const;
export type InboundRecallStateDto = (typeof INBOUND_RECALL_STATES)[number];

export const RECALL_TRIGGER_LABELS: Record<RecallTriggerDto, string> = {
  declined: "Declined",
  deleted: "Deleted at Didit",
  kyc_expired: "KYC expired",
  in_review: "Back in review",
  erased: "Erased",
  withdrawn: "Withdrawn",
};

export const RECALL_CHANNEL_LABELS: Record<RecallNoticeChannelDto, string> = {
  push: "Pushed",
  internal: "Internal",
  task: "Officer task",
};

export const RECALL_STATE_LABELS: Record<RecallNoticeStateDto, string> = {
  pending: "Sending",
  sent: "Sent",
  failed: "Failed",
  open: "To tell",
  done: "Told",
};

const uuid = z.uuid({ message: "This is not an ID from this console" });

export const recallListQuerySchema = z
  .object({
    side: z
      .enum(["sent", "received"], { message: "Show the recalls we sent or those we received" })
      .default("sent"),
    state: optionalFilter(
      z.enum([...RECALL_NOTICE_STATES, ...INBOUND_RECALL_STATES] as [string, ...string[]], {
        message: "Not a recall state",
      }),
    ),
    cursor: listCursorParam(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (!q.state) return;
    const allowed: readonly string[] = q.side === "sent" ? RECALL_NOTICE_STATES : INBOUND_RECALL_STATES;
    if (!allowed.includes(q.state)) {
      ctx.addIssue({
        code: "custom",
        path: ["state"],
        message: `For side ${q.side}, state is one of ${allowed.join(", ")}`,
      });
    }
  });
export type RecallListQuery = z.infer<typeof recallListQuerySchema>;

const noteText = z
  .string({ message: "Say how the partner was told" })
  .trim()
  .min(1, "Say how the partner was told")
  .max(2000, "Use at most 2000 characters")
  .refine(
    (v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v),
    "The note cannot contain control characters",
  );

export const recallDoneRequestSchema = z.object({ note: noteText }).strict();
export type RecallDoneRequest = z.infer<typeof recallDoneRequestSchema>;

export const recallIdParamsSchema = z.object({ id: uuid });

/** The recall (one change of one of our source sessions) a notice belongs to. */
export type RecallDto = {
  id: string;
  applicationId: string;
  applicationName: string | null;
  sessionId: string;
  trigger: RecallTriggerDto;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string;
  source: "webhook" | "sync" | "erasure" | "withdrawal";
  shareCount: number;
  noticeCount: number;
  raisedAt: string;
};

/** What one partner is told about one share of a recalled session. */
export type RecallNoticeDto = {
  id: string;
  recallId: string;
  shareId: string;
  partnerId: string;
  partnerName: string | null;
  channel: RecallNoticeChannelDto;
  state: RecallNoticeStateDto;
  attempts: number;
  lastError: string | null;
  httpStatus: number | null;
  sentAt: string | null;
  doneAt: string | null;
  doneBy: { id: string; name: string; email: string } | null;
  doneNote: string | null;
  createdAt: string;
  updatedAt: string;
  recall: RecallDto;
  /** For the signed-in user: a failed push may be queued again, an open task closed. */
  canRetry: boolean;
  canMarkDone: boolean;
};

/** An import a received recall marked. */
export type RecalledImportDto = {
  id: string;
  cloneSessionId: string | null;
  status: string | null;
  recalledAt: string | null;
  recallClearedAt: string | null;
};

/** A recall a partner told us of. */
export type InboundRecallDto = {
  id: string;
  partnerId: string;
  partnerName: string | null;
  remoteRecallId: string;
  senderShareId: string | null;
  sourceSessionId: string;
  trigger: RecallTriggerDto;
  sourceStatus: string | null;
  reason: string;
  internal: boolean;
  importCount: number;
  recalledAt: string;
  receivedAt: string;
  state: InboundRecallStateDto;
  imports: RecalledImportDto[];
};

export type RecallListResponse =
  | { side: "sent"; items: RecallNoticeDto[]; nextCursor: string | null }
  | { side: "received"; items: InboundRecallDto[]; nextCursor: string | null };

export type RecallDetailDto =
  | { side: "sent"; recall: RecallDto; notices: RecallNoticeDto[] }
  | { side: "received"; inbound: InboundRecallDto };

/** The recall shown on a recalled share's page. */
export type ShareRecallDto = {
  recallId: string;
  trigger: RecallTriggerDto;
  reason: string;
  raisedAt: string;
  notice: { id: string; channel: RecallNoticeChannelDto; state: RecallNoticeStateDto } | null;
};
