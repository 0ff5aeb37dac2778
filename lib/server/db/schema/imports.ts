import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { connectedApplications, inboxItems, partners } from "./sharing";
import { users } from "./users";

/**
 * Imports (we are Service Y): the clone Didit created in one of our applications from a received
 * share token. One row per inbox item, written in state `importing` before Didit is called (the
 * row lock on the item and this row's unique item id make concurrent imports one Didit call), then
 * `imported` with the clone, or `failed` with Didit's refusal. The vendor_data is always set, so a
 * lost answer is reconciled by listing sessions with it and matching `shared_from_session`.
 */

export const IMPORT_STATES = ["importing", "imported", "failed"] as const;
export type ImportState = (typeof IMPORT_STATES)[number];
/** The partner policy that imported on arrival (no officer clicked). */
export const IMPORT_POLICIES = ["auto"] as const;
export type ImportPolicy = (typeof IMPORT_POLICIES)[number];

export const imports = pgTable(
  "imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    inboxItemId: uuid("inbox_item_id")
      .notNull()
      .references(() => inboxItems.id, { onDelete: "restrict" }),
    /** Our connected application the clone lives in. */
    applicationId: uuid("application_id")
      .notNull()
      .references(() => connectedApplications.id, { onDelete: "restrict" }),
    partnerId: uuid("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    /** The sender's share id from the delivery (quoted in receipts). */
    senderShareId: uuid("sender_share_id"),
    /** The token's `session_id`: the partner's source session. */
    sourceSessionId: uuid("source_session_id").notNull(),
    sessionKind: text("session_kind", { enum: ["user", "business"] }).notNull(),
    /** The new session at Didit, in our application. */
    cloneSessionId: uuid("clone_session_id"),
    cloneSessionNumber: integer("clone_session_number"),
    /** As Didit answered it (the source session id). */
    sharedFromSession: uuid("shared_from_session"),
    trustReview: boolean("trust_review").notNull(),
    workflowId: uuid("workflow_id").notNull(),
    /** Always sent to Didit: the key a lost answer is reconciled by. */
    vendorData: text("vendor_data").notNull(),
    /** The clone's status as Didit answered the import (Title Case). */
    statusAtImport: text("status_at_import"),
    state: text("state", { enum: IMPORT_STATES }).notNull().default("importing"),
    /** Our error code of the failure (token_expired, workflow_not_found, upstream_timeout…). */
    failureCode: text("failure_code"),
    failureReason: text("failure_reason"),
    /** The token is still unredeemed after this failure (kept sealed on the item): it may be imported again. */
    retryable: boolean("retryable").notNull().default(false),
    attempts: integer("attempts").notNull().default(1),
    /** The officer who imported, or the partner policy that did. */
    importedBy: uuid("imported_by").references(() => users.id, { onDelete: "restrict" }),
    importedByPolicy: text("imported_by_policy", { enum: IMPORT_POLICIES }),
    /** Set when the clone was found by vendor_data after a lost answer, not from Didit's answer. */
    reconciledAt: timestamp("reconciled_at", { withTimezone: true }),
    /**
     * The clone's status at Didit now (Title Case): set from the import's answer, then kept current
     * by Didit's webhooks (and the decision check). The review queue is the imports In Review.
     */
    status: text("status"),
    statusUpdatedAt: timestamp("status_updated_at", { withTimezone: true }),
    /** The officer reviewing it ("assign to me", reassign); null: unassigned. */
    assignedTo: uuid("assigned_to").references(() => users.id, { onDelete: "restrict" }),
    assignedAt: timestamp("assigned_at", { withTimezone: true }),
    /**
     * Recall (the partner told us its source changed): the import is back in the review queue with
     * the reason until an officer decides on it again (recallClearedAt). `inboundRecallId` is the
     * latest inbound_recalls row.
     */
    recalledAt: timestamp("recalled_at", { withTimezone: true }),
    recallTrigger: text("recall_trigger"),
    recallReason: text("recall_reason"),
    inboundRecallId: uuid("inbound_recall_id"),
    recallClearedAt: timestamp("recall_cleared_at", { withTimezone: true }),
    recallClearedBy: uuid("recall_cleared_by").references(() => users.id, { onDelete: "restrict" }),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("imports_inbox_item_key").on(t.inboxItemId),
    uniqueIndex("imports_clone_session_key").on(t.cloneSessionId),
    index("imports_application_idx").on(t.applicationId, t.createdAt.desc()),
    index("imports_partner_idx").on(t.partnerId, t.createdAt.desc()),
    index("imports_state_idx").on(t.state, t.startedAt),
    index("imports_source_session_idx").on(t.sourceSessionId, t.createdAt, t.id),
    index("imports_imported_by_idx").on(t.importedBy),
    // The review queue: imports by current status, oldest import first.
    index("imports_status_idx").on(t.status, t.finishedAt, t.id),
    index("imports_assigned_to_idx").on(t.assignedTo),
    // Recalled imports awaiting a new decision.
    index("imports_recalled_idx")
      .on(t.recalledAt)
      .where(sql`${t.recalledAt} is not null and ${t.recallClearedAt} is null`),
    check("imports_state_check", sql`${t.state} in ('importing', 'imported', 'failed')`),
    check("imports_kind_check", sql`${t.sessionKind} in ('user', 'business')`),
    check("imports_policy_check", sql`${t.importedByPolicy} is null or ${t.importedByPolicy} in ('auto')`),
    check("imports_actor_check", sql`${t.importedBy} is not null or ${t.importedByPolicy} is not null`),
    check(
      "imports_clone_check",
      sql`${t.state} <> 'imported' or (${t.cloneSessionId} is not null and ${t.statusAtImport} is not null)`,
    ),
  ],
);

export const DECISION_STATUSES = ["Approved", "Declined"] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];
/**
 * proposed: four eyes, waiting for a second officer (nothing sent to Didit yet);
 * rejected: the second officer turned the proposal down; withdrawn: its proposer took it back;
 * sent: Didit accepted update-status, the webhook has not confirmed it yet;
 * confirmed: the clone's status at Didit is the decision's; failed: Didit refused it.
 */
export const DECISION_STATES = ["proposed", "rejected", "withdrawn", "sent", "confirmed", "failed"] as const;
export type DecisionState = (typeof DECISION_STATES)[number];

/**
 * Decisions on an imported clone (Approve/Decline with a comment), sent to Didit with our key.
 * Under four eyes the first officer's decision is a proposal that a second, different officer
 * confirms (then it is sent) or rejects. At most one open proposal per import.
 */
export const importDecisions = pgTable(
  "import_decisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    importId: uuid("import_id")
      .notNull()
      .references(() => imports.id, { onDelete: "restrict" }),
    status: text("status", { enum: DECISION_STATUSES }).notNull(),
    comment: text("comment"),
    state: text("state", { enum: DECISION_STATES }).notNull(),
    /** Who decided (or proposed, under four eyes). */
    decidedBy: uuid("decided_by")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    decidedAt: timestamp("decided_at", { withTimezone: true }).notNull(),
    /** Four eyes: the second officer who confirmed or rejected the proposal, and their comment. */
    secondBy: uuid("second_by").references(() => users.id, { onDelete: "restrict" }),
    secondAt: timestamp("second_at", { withTimezone: true }),
    secondComment: text("second_comment"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    failureCode: text("failure_code"),
    failureReason: text("failure_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("import_decisions_import_idx").on(t.importId, t.createdAt),
    uniqueIndex("import_decisions_open_proposal_key")
      .on(t.importId)
      .where(sql`${t.state} = 'proposed'`),
    check("import_decisions_status_check", sql`${t.status} in ('Approved', 'Declined')`),
    check(
      "import_decisions_state_check",
      sql`${t.state} in ('proposed', 'rejected', 'withdrawn', 'sent', 'confirmed', 'failed')`,
    ),
  ],
);

export const OUTBOUND_RECEIPT_STATES = ["pending", "sent", "failed"] as const;
export type OutboundReceiptState = (typeof OUTBOUND_RECEIPT_STATES)[number];

/**
 * Receipts we send back to a remote partner's `POST /api/partner/v1/receipts` (they shared with
 * us from their own console): `imported` with the clone id, or `rejected` with the reason. Sent by
 * a job with retries; one per inbox item and status.
 */
export const outboundReceipts = pgTable(
  "outbound_receipts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: uuid("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "restrict" }),
    inboxItemId: uuid("inbox_item_id")
      .notNull()
      .references(() => inboxItems.id, { onDelete: "restrict" }),
    /** The sender's share id the receipt is about. */
    shareId: uuid("share_id").notNull(),
    status: text("status", { enum: ["imported", "rejected"] }).notNull(),
    cloneSessionId: uuid("clone_session_id"),
    reason: text("reason"),
    state: text("state", { enum: OUTBOUND_RECEIPT_STATES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** The last failure (HTTP status or network error), never a secret. */
    lastError: text("last_error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("outbound_receipts_item_status_key").on(t.inboxItemId, t.status),
    index("outbound_receipts_partner_idx").on(t.partnerId, t.createdAt.desc()),
    check("outbound_receipts_status_check", sql`${t.status} in ('imported', 'rejected')`),
    check("outbound_receipts_state_check", sql`${t.state} in ('pending', 'sent', 'failed')`),
  ],
);
