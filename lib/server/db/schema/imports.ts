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
    index("imports_source_session_idx").on(t.sourceSessionId),
    index("imports_imported_by_idx").on(t.importedBy),
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
