import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { connectedApplications, partners, shares } from "./sharing";
import { users } from "./users";

/**
 * Recall notices. Sending side (we are Service X): a source session we shared changed later
 * (Declined, deleted at Didit, `Kyc Expired`, moved back to In Review, or erased here), or an
 * officer withdrew one delivered share of it (trigger `withdrawn`, that share only): one
 * `recalls` row, one `recall_notices` row per share of it that reached (or may still reach) the
 * partner — pushed signed as `handoff.recall.v1` to a partner with a push channel, applied in the
 * same transaction for an internal partner (a sister brand), or a task for an officer otherwise.
 * Receiving side (Service Y): `inbound_recalls` holds each recall a partner told us of; the imports
 * of that source are marked recalled and return to the review queue.
 */

export const RECALL_TRIGGERS = [
  "declined",
  "deleted",
  "kyc_expired",
  "in_review",
  "erased",
  "withdrawn",
] as const;
export type RecallTrigger = (typeof RECALL_TRIGGERS)[number];

export const RECALL_SOURCES = ["webhook", "sync", "erasure", "withdrawal"] as const;
export type RecallSource = (typeof RECALL_SOURCES)[number];

/** One change of one of our source sessions that recalls what we shared of it. */
export const recalls = pgTable(
  "recalls",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Our connected application the source session lives in. */
    applicationId: uuid("application_id")
      .notNull()
      .references(() => connectedApplications.id, { onDelete: "restrict" }),
    /** The source session at Didit (ours). */
    sessionId: uuid("session_id").notNull(),
    trigger: text("trigger", { enum: RECALL_TRIGGERS }).notNull(),
    /** The source's status before the change (Title Case; null when unknown). */
    fromStatus: text("from_status"),
    /** Its status after (Title Case; null when deleted or erased). */
    toStatus: text("to_status"),
    /** What partners are told (no personal data). */
    reason: text("reason").notNull(),
    source: text("source", { enum: RECALL_SOURCES }).notNull(),
    /** The admin who erased the session, or the officer who withdrew the share; null for a webhook or sync. */
    raisedBy: uuid("raised_by").references(() => users.id, { onDelete: "restrict" }),
    /** How many shares it flagged, and how many notices it made. */
    shareCount: integer("share_count").notNull().default(0),
    noticeCount: integer("notice_count").notNull().default(0),
    raisedAt: timestamp("raised_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("recalls_session_idx").on(t.sessionId, t.raisedAt),
    index("recalls_raised_idx").on(t.raisedAt.desc(), t.id.desc()),
    index("recalls_application_idx").on(t.applicationId, t.raisedAt.desc()),
    check(
      "recalls_trigger_check",
      sql`${t.trigger} in ('declined', 'deleted', 'kyc_expired', 'in_review', 'erased', 'withdrawn')`,
    ),
    check("recalls_source_check", sql`${t.source} in ('webhook', 'sync', 'erasure', 'withdrawal')`),
  ],
);

export const RECALL_NOTICE_CHANNELS = ["push", "internal", "task"] as const;
export type RecallNoticeChannel = (typeof RECALL_NOTICE_CHANNELS)[number];
/**
 * push: pending → sent | failed (retried with backoff like deliveries);
 * internal: applied in the raising transaction → sent;
 * task: open → done (an officer told the partner, with a note) .
 */
export const RECALL_NOTICE_STATES = ["pending", "sent", "failed", "open", "done"] as const;
export type RecallNoticeState = (typeof RECALL_NOTICE_STATES)[number];

/** What one partner is told about one share of a recalled session. */
export const recallNotices = pgTable(
  "recall_notices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    recallId: uuid("recall_id")
      .notNull()
      .references(() => recalls.id, { onDelete: "restrict" }),
    shareId: uuid("share_id")
      .notNull()
      .references(() => shares.id, { onDelete: "restrict" }),
    partnerId: uuid("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    channel: text("channel", { enum: RECALL_NOTICE_CHANNELS }).notNull(),
    state: text("state", { enum: RECALL_NOTICE_STATES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** The last failure (HTTP status or network error), never a secret. */
    lastError: text("last_error"),
    httpStatus: integer("http_status"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /** A task: the officer who closed it, when, and how the partner was told. */
    doneBy: uuid("done_by").references(() => users.id, { onDelete: "restrict" }),
    doneAt: timestamp("done_at", { withTimezone: true }),
    doneNote: text("done_note"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("recall_notices_recall_share_key").on(t.recallId, t.shareId),
    index("recall_notices_share_idx").on(t.shareId),
    index("recall_notices_partner_idx").on(t.partnerId, t.createdAt.desc()),
    index("recall_notices_state_idx").on(t.state, t.createdAt),
    check("recall_notices_channel_check", sql`${t.channel} in ('push', 'internal', 'task')`),
    check("recall_notices_state_check", sql`${t.state} in ('pending', 'sent', 'failed', 'open', 'done')`),
  ],
);

/** A recall a partner told us of (pushed `handoff.recall.v1`, or internal from a sister brand). */
export const inboundRecalls = pgTable(
  "inbound_recalls",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The sender, as our partner row (for an internal recall: the sister brand's partner row). */
    partnerId: uuid("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    /** The sender's notice id (`recall_id` of the message; our own notice id when internal). */
    remoteRecallId: uuid("remote_recall_id").notNull(),
    /** The sender's share id it is about, and the source session at the sender. */
    senderShareId: uuid("sender_share_id"),
    sourceSessionId: uuid("source_session_id").notNull(),
    trigger: text("trigger", { enum: RECALL_TRIGGERS }).notNull(),
    /** The source's status at the sender now (null when deleted or erased). */
    sourceStatus: text("source_status"),
    reason: text("reason").notNull(),
    /** The `webhook-id` of the push (null when internal). */
    messageId: text("message_id"),
    internal: boolean("internal").notNull().default(false),
    /** How many of our imports it marked recalled. */
    importCount: integer("import_count").notNull().default(0),
    recalledAt: timestamp("recalled_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("inbound_recalls_partner_recall_key").on(t.partnerId, t.remoteRecallId),
    index("inbound_recalls_source_idx").on(t.sourceSessionId),
    index("inbound_recalls_received_idx").on(t.receivedAt.desc(), t.id.desc()),
    check(
      "inbound_recalls_trigger_check",
      sql`${t.trigger} in ('declined', 'deleted', 'kyc_expired', 'in_review', 'erased', 'withdrawn')`,
    ),
  ],
);

export const ERASURE_STATES = ["running", "done", "failed"] as const;
export type ErasureState = (typeof ERASURE_STATES)[number];

/** Counts of what an erasure removed or scrubbed, by table. */
export type ErasureCounts = Record<string, number>;

/**
 * An admin's erasure request for one session of one of our applications: our copies deleted or
 * scrubbed, Didit asked to delete the session when chosen, partners sent a recall. Only ids and
 * hashes are kept (here and in the audit trail).
 */
export const erasureRequests = pgTable(
  "erasure_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => connectedApplications.id, { onDelete: "restrict" }),
    sessionId: uuid("session_id").notNull(),
    reason: text("reason").notNull(),
    deleteAtDidit: boolean("delete_at_didit").notNull(),
    state: text("state", { enum: ERASURE_STATES }).notNull(),
    /** Didit's answer to the delete: deleted | not_found (already gone) | skipped | failed. */
    diditOutcome: text("didit_outcome"),
    diditError: text("didit_error"),
    counts: jsonb("counts").$type<ErasureCounts>().notNull().default({}),
    /** SHA-256 (hex) over the removed personal fields, so the audit trail can prove what went. */
    removedSha256: text("removed_sha256"),
    recallId: uuid("recall_id").references(() => recalls.id, { onDelete: "restrict" }),
    requestedBy: uuid("requested_by")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("erasure_requests_session_idx").on(t.sessionId),
    index("erasure_requests_requested_idx").on(t.requestedAt.desc(), t.id.desc()),
    check("erasure_requests_state_check", sql`${t.state} in ('running', 'done', 'failed')`),
  ],
);
