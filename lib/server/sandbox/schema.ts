import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { SessionReview, SessionSummary } from "./types";

/** The Didit sandbox keeps its state in its own schema, apart from Handoff's tables. */
export const sandbox = pgSchema("sandbox");

export const sandboxApplications = sandbox.table(
  "applications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    profile: text("profile", { enum: ["recipe", "spec"] }).notNull(),
    environment: text("environment", { enum: ["sandbox", "live"] })
      .notNull()
      .default("sandbox"),
    /** The next session_number to hand out; incremented under a row lock, so no gaps or repeats. */
    nextSessionNumber: bigint("next_session_number", { mode: "number" }).notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [check("applications_profile_check", sql`${t.profile} in ('recipe', 'spec')`)],
);

export const sandboxApiKeys = sandbox.table(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => sandboxApplications.id, { onDelete: "cascade" }),
    /** SHA-256 hex of the key; the key itself is shown once at creation and never stored. */
    keyHash: text("key_hash").notNull(),
    lastFour: text("last_four").notNull(),
    privileges: text("privileges").array().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_key").on(t.keyHash),
    index("api_keys_application_id_idx").on(t.applicationId),
  ],
);

export const sandboxWorkflows = sandbox.table(
  "workflows",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => sandboxApplications.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["user", "business"] }).notNull(),
    name: text("name").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("workflows_application_id_idx").on(t.applicationId)],
);

export const sandboxSessions = sandbox.table(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => sandboxApplications.id, { onDelete: "cascade" }),
    number: bigint("number", { mode: "number" }).notNull(),
    kind: text("kind", { enum: ["user", "business"] }).notNull(),
    /** Stored in Title Case for both kinds; rendered per profile. */
    status: text("status").notNull(),
    workflowId: uuid("workflow_id").notNull(),
    vendorData: text("vendor_data"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
    sharedFromSession: uuid("shared_from_session"),
    /** Names for search and list rows, so lists never read payloads. */
    searchName: text("search_name"),
    summary: jsonb("summary").$type<SessionSummary>().notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    reviews: jsonb("reviews").$type<SessionReview[]>().notNull().default([]),
  },
  (t) => [
    uniqueIndex("sessions_application_number_key").on(t.applicationId, t.number),
    index("sessions_application_kind_created_idx").on(t.applicationId, t.kind, t.createdAt),
    index("sessions_application_status_idx").on(t.applicationId, t.status),
    // Hash, not btree: vendor_data may be longer than a btree entry can be (1000 characters of UTF-8).
    index("sessions_vendor_data_hash_idx").using("hash", t.vendorData),
    index("sessions_workflow_id_idx").on(t.workflowId),
    index("sessions_shared_from_idx").on(t.sharedFromSession),
    check("sessions_kind_check", sql`${t.kind} in ('user', 'business')`),
  ],
);

/** User (KYC) and Business (KYB) entities, keyed by vendor_data within an application. */
export const sandboxEntities = sandbox.table(
  "entities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => sandboxApplications.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["user", "business"] }).notNull(),
    vendorData: text("vendor_data").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // On the value's md5: a btree entry cannot hold 1000 characters of UTF-8.
  (t) => [
    uniqueIndex("entities_application_kind_vendor_md5_key").on(
      t.applicationId,
      t.kind,
      sql`md5(${t.vendorData})`,
    ),
  ],
);

/**
 * One row per successful import. `dedupeKey` is the token hash (recipe) or the source session id
 * (spec); the unique index is what makes a token redeemable once per application under concurrency.
 */
export const sandboxImports = sandbox.table(
  "imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => sandboxApplications.id, { onDelete: "cascade" }),
    dedupeKey: text("dedupe_key").notNull(),
    tokenHash: text("token_hash").notNull(),
    sourceSessionId: uuid("source_session_id").notNull(),
    sessionId: uuid("session_id").notNull(),
    trustReview: boolean("trust_review").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("imports_application_dedupe_key").on(t.applicationId, t.dedupeKey),
    index("imports_source_session_idx").on(t.sourceSessionId),
  ],
);

/** Minted share tokens, by hash only (for the admin log; Didit keeps no list a client can read). */
export const sandboxShares = sandbox.table(
  "shares",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => sandboxApplications.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id").notNull(),
    forApplicationId: uuid("for_application_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("shares_application_id_idx").on(t.applicationId),
    index("shares_session_id_idx").on(t.sessionId),
  ],
);

/**
 * The `iat` of each session's last share token (Unix seconds). A mint takes greatest(last + 1, now)
 * in one upsert, so two tokens of a session never share an `iat`. A narrow row of its own: repeated
 * mints rewrite a few bytes, not the session with its payload.
 */
export const sandboxShareClocks = sandbox.table("share_clocks", {
  sessionId: uuid("session_id")
    .primaryKey()
    .references(() => sandboxSessions.id, { onDelete: "cascade" }),
  lastIat: bigint("last_iat", { mode: "number" }).notNull(),
});

export const sandboxWebhookDestinations = sandbox.table(
  "webhook_destinations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => sandboxApplications.id, { onDelete: "cascade" }),
    label: text("label").notNull().default(""),
    url: text("url").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    webhookVersion: text("webhook_version").notNull().default("v3"),
    subscribedEvents: text("subscribed_events").array().notNull(),
    secretSharedKey: text("secret_shared_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // On the URL's md5: a btree entry cannot hold 2000 characters of UTF-8.
  (t) => [
    uniqueIndex("webhook_destinations_application_url_md5_key").on(t.applicationId, sql`md5(${t.url})`),
  ],
);

/** The outbox and delivery log of webhook events: first attempt plus retries. */
export const sandboxWebhookDeliveries = sandbox.table(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => sandboxApplications.id, { onDelete: "cascade" }),
    destinationId: uuid("destination_id").notNull(),
    eventId: uuid("event_id").notNull(),
    event: text("event").notNull(),
    sessionId: uuid("session_id"),
    url: text("url").notNull(),
    /** The exact bytes sent (UTF-8) and the headers sent with them. */
    body: text("body").notNull(),
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    state: text("state", { enum: ["pending", "delivered", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    attemptLog: jsonb("attempt_log")
      .$type<{ at: string; statusCode: number | null; error: string | null; durationMs: number }[]>()
      .notNull()
      .default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    index("webhook_deliveries_application_idx").on(t.applicationId, t.createdAt),
    index("webhook_deliveries_due_idx").on(t.state, t.nextAttemptAt),
    index("webhook_deliveries_destination_idx").on(t.destinationId),
  ],
);

/** A single row: the sandbox clock's offset from the wall clock, for testing expiry. */
export const sandboxClock = sandbox.table("clock", {
  id: integer("id").primaryKey().default(1),
  offsetSeconds: integer("offset_seconds").notNull().default(0),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
