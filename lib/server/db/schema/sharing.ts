import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Sharing (we are Service X) and receiving (Service Y): our connected Didit applications, the
 * partner directory, the session mirror, shares with their delivery attempts and receipts, and the
 * inbox of tokens received. Secrets (API keys, webhook secrets, share tokens) are stored only as
 * AES-256-GCM envelopes (lib/server/crypto/envelope.ts) bound to their row id; tokens are looked up
 * by their SHA-256 hash.
 */

export const APPLICATION_ENVIRONMENTS = ["sandbox", "live"] as const;
export type ApplicationEnvironment = (typeof APPLICATION_ENVIRONMENTS)[number];

export const SYNC_STATES = ["idle", "queued", "running", "failed"] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** One of *our* Didit applications (a group may have several brands). */
export const connectedApplications = pgTable(
  "connected_applications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** Didit's application uuid. */
    diditApplicationId: uuid("didit_application_id").notNull(),
    environment: text("environment", { enum: APPLICATION_ENVIRONMENTS }).notNull(),
    /** Envelope of the API key (associated data: this row's id); null once the row is deleted. */
    apiKeyCiphertext: text("api_key_ciphertext"),
    apiKeyLast4: text("api_key_last4"),
    apiKeyCheckedAt: timestamp("api_key_checked_at", { withTimezone: true }),
    /** Why the last use of the key failed (key_rejected…), null while it works. */
    apiKeyError: text("api_key_error"),
    /** The Didit webhook destination registered for this console's receiver. */
    webhookDestinationId: text("webhook_destination_id"),
    webhookUrl: text("webhook_url"),
    webhookSecretCiphertext: text("webhook_secret_ciphertext"),
    webhookRegisteredAt: timestamp("webhook_registered_at", { withTimezone: true }),
    webhookError: text("webhook_error"),
    lastWebhookAt: timestamp("last_webhook_at", { withTimezone: true }),
    /** Default import workflow per session kind (Didit workflow uuids). */
    defaultWorkflowUser: uuid("default_workflow_user"),
    defaultWorkflowBusiness: uuid("default_workflow_business"),
    /**
     * The application's workflows by name, as the admin (or the demo seed) recorded them: Didit's
     * API does not list workflows, so the pickers offer these and still take a raw id.
     */
    workflows: jsonb("workflows")
      .$type<{ id: string; name: string; kind: "user" | "business" }[]>()
      .notNull()
      .default([]),
    /** Session mirror sync: backfill with progress, then incremental. */
    syncState: text("sync_state", { enum: SYNC_STATES }).notNull().default("idle"),
    syncBackfilledAt: timestamp("sync_backfilled_at", { withTimezone: true }),
    syncTotal: integer("sync_total"),
    syncDone: integer("sync_done").notNull().default(0),
    syncStartedAt: timestamp("sync_started_at", { withTimezone: true }),
    syncFinishedAt: timestamp("sync_finished_at", { withTimezone: true }),
    syncError: text("sync_error"),
    /** Newest `created_at` mirrored by a finished pass: the incremental pass stops below it. */
    syncHighWater: timestamp("sync_high_water", { withTimezone: true }),
    /**
     * Retention of the personal data Handoff holds for this application (the mirror's names, inbox
     * items, manifests), in days (30 to 3650, as Didit allows); null keeps it. Enforced by the
     * `retention.enforce` job, whose last run and error are kept here.
     */
    retentionDays: integer("retention_days"),
    retentionRunAt: timestamp("retention_run_at", { withTimezone: true }),
    retentionError: text("retention_error"),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** Removed from the console: the key and secret are destroyed, history stays. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("connected_applications_didit_id_key")
      .on(t.diditApplicationId)
      .where(sql`${t.deletedAt} is null`),
    check("connected_applications_environment_check", sql`${t.environment} in ('sandbox', 'live')`),
    check(
      "connected_applications_retention_check",
      sql`${t.retentionDays} is null or ${t.retentionDays} between 30 and 3650`,
    ),
    check(
      "connected_applications_sync_state_check",
      sql`${t.syncState} in ('idle', 'queued', 'running', 'failed')`,
    ),
  ],
);

export const PARTNER_DIRECTIONS = ["outbound", "inbound", "both"] as const;
export type PartnerDirection = (typeof PARTNER_DIRECTIONS)[number];
export const DELIVERY_CHANNELS = ["internal", "push", "pickup", "manual"] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const IMPORT_MODES = ["auto", "manual"] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
export const PARTNER_STATUSES = ["active", "suspended"] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

export type PartnerContact = {
  name: string;
  email?: string | null;
  phone?: string | null;
  role?: string | null;
};

/** Another business's Didit application, and the agreement and policies we keep with it. */
export const partners = pgTable(
  "partners",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** The partner's Didit application uuid. */
    diditApplicationId: uuid("didit_application_id").notNull(),
    /** Which of our connected applications this partnership is for. */
    applicationId: uuid("application_id")
      .notNull()
      .references(() => connectedApplications.id),
    direction: text("direction", { enum: PARTNER_DIRECTIONS }).notNull(),
    agreementReference: text("agreement_reference"),
    agreementSignedOn: date("agreement_signed_on", { mode: "string" }),
    agreementExpiresOn: date("agreement_expires_on", { mode: "string" }),
    /** Session kinds that may be shared or imported (`user`, `business`). */
    allowedKinds: jsonb("allowed_kinds").$type<("user" | "business")[]>().notNull(),
    /** Finished statuses we may share to them (Title Case). */
    allowedStatuses: jsonb("allowed_statuses").$type<("Approved" | "Declined" | "In Review")[]>().notNull(),
    defaultTtlSeconds: integer("default_ttl_seconds").notNull().default(3600),
    maxTtlSeconds: integer("max_ttl_seconds").notNull().default(86400),
    deliveryChannel: text("delivery_channel", { enum: DELIVERY_CHANNELS }).notNull(),
    /** Push channel: the partner's inbox URL. */
    pushUrl: text("push_url"),
    /** The partner's own partner-API base (pick-up polling, receipts back to them). */
    partnerApiBaseUrl: text("partner_api_base_url"),
    /**
     * Our partner id at that partner (the `handoff-partner-id` value they gave us): sent with our
     * requests to their partner API (pick-up polling, receipts back to them).
     */
    remotePartnerId: uuid("remote_partner_id"),
    /** They offer pick-up for us: a job polls their `GET /api/partner/v1/shares` and takes each token once. */
    inboundPickup: boolean("inbound_pickup").notNull().default(false),
    /** The last pick-up poll: when, and what went wrong (null when it worked). */
    pickupPolledAt: timestamp("pickup_polled_at", { withTimezone: true }),
    pickupError: text("pickup_error"),
    /** Inbound import policy. */
    importMode: text("import_mode", { enum: IMPORT_MODES }).notNull().default("manual"),
    trustReview: boolean("trust_review").notNull().default(false),
    importWorkflowUser: uuid("import_workflow_user"),
    importWorkflowBusiness: uuid("import_workflow_business"),
    vendorDataTemplate: text("vendor_data_template"),
    reviewSlaHours: integer("review_sla_hours").notNull().default(48),
    /** A decision on an imported clone needs a second, different officer. */
    requireFourEyes: boolean("require_four_eyes").notNull().default(false),
    status: text("status", { enum: PARTNER_STATUSES }).notNull().default("active"),
    suspendedReason: text("suspended_reason"),
    suspendedAt: timestamp("suspended_at", { withTimezone: true }),
    contacts: jsonb("contacts").$type<PartnerContact[]>().notNull().default([]),
    notes: text("notes"),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("partners_application_didit_key").on(t.applicationId, t.diditApplicationId),
    index("partners_didit_application_idx").on(t.diditApplicationId),
    check("partners_direction_check", sql`${t.direction} in ('outbound', 'inbound', 'both')`),
    check("partners_channel_check", sql`${t.deliveryChannel} in ('internal', 'push', 'pickup', 'manual')`),
    check("partners_import_mode_check", sql`${t.importMode} in ('auto', 'manual')`),
    check("partners_status_check", sql`${t.status} in ('active', 'suspended')`),
    check(
      "partners_ttl_check",
      sql`${t.defaultTtlSeconds} between 60 and 86400 and ${t.maxTtlSeconds} between 60 and 86400 and ${t.defaultTtlSeconds} <= ${t.maxTtlSeconds}`,
    ),
    check("partners_sla_check", sql`${t.reviewSlaHours} between 1 and 8760`),
  ],
);

/**
 * The Standard Webhooks secrets (`whsec_…`) we share with a partner, both ways: we sign pushes with
 * the newest; the partner's signed requests verify against any not yet expired (a rotation leaves
 * the previous one valid for an overlap window).
 */
export const partnerSecrets = pgTable(
  "partner_secrets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: uuid("partner_id")
      .notNull()
      .references(() => partners.id),
    secretCiphertext: text("secret_ciphertext").notNull(),
    last4: text("last4").notNull(),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Null while current; set to the end of the overlap window when rotated out. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
  },
  (t) => [index("partner_secrets_partner_idx").on(t.partnerId, t.createdAt)],
);

/** The picker's local index of each connected application's sessions (no decision data). */
export const sessionMirror = pgTable(
  "session_mirror",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => connectedApplications.id),
    diditSessionId: uuid("didit_session_id").notNull(),
    sessionNumber: integer("session_number"),
    kind: text("kind", { enum: ["user", "business"] }).notNull(),
    /** Normalised Title Case. */
    status: text("status").notNull(),
    vendorData: text("vendor_data"),
    /** `full_name` (KYC) or `company_name` (KYB). */
    displayName: text("display_name"),
    country: text("country"),
    documentType: text("document_type"),
    registrationNumber: text("registration_number"),
    workflowId: uuid("workflow_id"),
    features: jsonb("features").$type<string[]>(),
    diditCreatedAt: timestamp("didit_created_at", { withTimezone: true }).notNull(),
    sharedFromSession: uuid("shared_from_session"),
    /** Lower-cased name or company and registration number: `q` matches substrings of it. */
    searchText: text("search_text").notNull().default(""),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
    /** The session was deleted at Didit. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    /** Its personal fields (name, registration number, vendor_data, search text) were removed by retention or erasure. */
    redactedAt: timestamp("redacted_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("session_mirror_app_session_key").on(t.applicationId, t.diditSessionId),
    index("session_mirror_session_idx").on(t.diditSessionId),
    index("session_mirror_picker_idx").on(t.applicationId, t.kind, t.diditCreatedAt.desc(), t.id.desc()),
    index("session_mirror_created_idx").on(t.diditCreatedAt.desc(), t.id.desc()),
    // The picker over one application, both kinds; `q` by trigram (pg_trgm, migration 0007).
    index("session_mirror_app_created_idx").on(t.applicationId, t.diditCreatedAt.desc(), t.id.desc()),
    index("session_mirror_search_trgm_idx").using("gin", sql`${t.searchText} gin_trgm_ops`),
    // `q` as a session number prefix (ranges: 12 → 120–129, 1200–1299…).
    index("session_mirror_number_idx").on(t.sessionNumber),
    // `q` shorter than a trigram: the start of the name or company.
    index("session_mirror_search_prefix_idx").using("btree", sql`${t.searchText} text_pattern_ops`),
    // `q` as a vendor_data prefix, any case (ids share prefixes, which trigrams cannot narrow).
    index("session_mirror_vendor_prefix_idx").using("btree", sql`lower(${t.vendorData}) text_pattern_ops`),
    index("session_mirror_shared_from_idx").on(t.sharedFromSession, t.diditCreatedAt, t.id),
    index("session_mirror_vendor_data_idx").on(t.vendorData),
    check("session_mirror_kind_check", sql`${t.kind} in ('user', 'business')`),
  ],
);

export const SHARE_STATES = ["pending", "delivered", "picked_up", "failed", "expired", "revoked"] as const;
export type ShareState = (typeof SHARE_STATES)[number];
export const SHARE_WITHDRAW_OUTCOMES = ["inbox", "recall"] as const;
export type ShareWithdrawOutcome = (typeof SHARE_WITHDRAW_OUTCOMES)[number];

export type ShareManifest = {
  session_number: number | null;
  status: string;
  created_at: string | null;
  features: string[];
  agreement_reference: string | null;
};

export type AgreementSnapshot = {
  reference: string | null;
  signedOn: string | null;
  expiresOn: string | null;
  partnerStatus: PartnerStatus;
};

/** One minted share token and its delivery. The token itself is kept only until delivered. */
export const shares = pgTable(
  "shares",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => connectedApplications.id),
    partnerId: uuid("partner_id")
      .notNull()
      .references(() => partners.id),
    /** The source session at Didit (ours). */
    sessionId: uuid("session_id").notNull(),
    sessionKind: text("session_kind", { enum: ["user", "business"] }).notNull(),
    sessionNumber: integer("session_number"),
    /** The source's status when shared. */
    sourceStatus: text("source_status").notNull(),
    forApplicationId: uuid("for_application_id").notNull(),
    ttlSeconds: integer("ttl_seconds").notNull(),
    /** SHA-256 (hex) of the token. */
    tokenHash: text("token_hash").notNull(),
    /** The token's decoded claims (they are not secret). */
    claims: jsonb("claims").$type<Record<string, unknown>>().notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Envelope of the token: destroyed once delivered, picked up, revealed, revoked or expired. */
    tokenCiphertext: text("token_ciphertext"),
    channel: text("channel", { enum: DELIVERY_CHANNELS }).notNull(),
    state: text("state", { enum: SHARE_STATES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: uuid("revoked_by").references(() => users.id),
    revokeReason: text("revoke_reason"),
    revealedAt: timestamp("revealed_at", { withTimezone: true }),
    revealedBy: uuid("revealed_by").references(() => users.id),
    manifest: jsonb("manifest").$type<ShareManifest>().notNull(),
    agreement: jsonb("agreement").$type<AgreementSnapshot>().notNull(),
    /** The partner's latest receipt. */
    receiptStatus: text("receipt_status", { enum: ["imported", "rejected"] }),
    receiptCloneSessionId: uuid("receipt_clone_session_id"),
    receiptReason: text("receipt_reason"),
    receiptAt: timestamp("receipt_at", { withTimezone: true }),
    /** The source changed after sharing (recall): when, and the latest recall (recalls.id). */
    recalledAt: timestamp("recalled_at", { withTimezone: true }),
    recallId: uuid("recall_id"),
    /**
     * An officer withdrew the delivered share: when, who, why, and how (`inbox`: the sister
     * brand's inbox item was withdrawn before import; `recall`: a `withdrawn` recall was raised).
     */
    withdrawnAt: timestamp("withdrawn_at", { withTimezone: true }),
    withdrawnBy: uuid("withdrawn_by").references(() => users.id),
    withdrawReason: text("withdraw_reason"),
    withdrawOutcome: text("withdraw_outcome", { enum: SHARE_WITHDRAW_OUTCOMES }),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("shares_token_hash_key").on(t.tokenHash),
    index("shares_created_idx").on(t.createdAt.desc(), t.id.desc()),
    // A session's shares in the order they were made (lineage: its first children, a group's sample).
    index("shares_session_idx").on(t.sessionId, t.createdAt, t.id),
    index("shares_partner_idx").on(t.partnerId, t.createdAt.desc()),
    index("shares_state_idx").on(t.state, t.expiresAt),
    // Lineage upstream from a partner's clone, and the step records of a fan-out.
    index("shares_receipt_clone_idx").on(t.receiptCloneSessionId),
    check(
      "shares_state_check",
      sql`${t.state} in ('pending', 'delivered', 'picked_up', 'failed', 'expired', 'revoked')`,
    ),
    check("shares_channel_check", sql`${t.channel} in ('internal', 'push', 'pickup', 'manual')`),
    check("shares_ttl_check", sql`${t.ttlSeconds} between 60 and 86400`),
    check(
      "shares_withdraw_outcome_check",
      sql`${t.withdrawOutcome} is null or ${t.withdrawOutcome} in ('inbox', 'recall')`,
    ),
  ],
);

/** Every delivery attempt of a share (push calls, internal hand-over, pick-up, reveal). */
export const shareDeliveries = pgTable(
  "share_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shareId: uuid("share_id")
      .notNull()
      .references(() => shares.id),
    attempt: integer("attempt").notNull(),
    channel: text("channel", { enum: DELIVERY_CHANNELS }).notNull(),
    /** delivered | failed | retrying | picked_up | revealed */
    outcome: text("outcome").notNull(),
    httpStatus: integer("http_status"),
    error: text("error"),
    durationMs: integer("duration_ms"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("share_deliveries_share_idx").on(t.shareId, t.attempt)],
);

/** Receipts a partner sent about a share (`POST /api/partner/v1/receipts`). */
export const shareReceipts = pgTable(
  "share_receipts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shareId: uuid("share_id")
      .notNull()
      .references(() => shares.id),
    partnerId: uuid("partner_id")
      .notNull()
      .references(() => partners.id),
    status: text("status", { enum: ["imported", "rejected"] }).notNull(),
    cloneSessionId: uuid("clone_session_id"),
    reason: text("reason"),
    messageId: text("message_id"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("share_receipts_share_idx").on(t.shareId, t.receivedAt)],
);

/** `invalid`: Didit refused the token as malformed or not signed by it (a forgery): never the partner's. */
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
export type InboxState = (typeof INBOX_STATES)[number];
export const INBOX_SOURCES = ["internal", "push", "pickup", "paste"] as const;
export type InboxSource = (typeof INBOX_SOURCES)[number];

/** A share token received from a partner (pushed, picked up, pasted, or handed over internally). */
export const inboxItems = pgTable(
  "inbox_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Our application the token is for (`for_application_id`). */
    applicationId: uuid("application_id")
      .notNull()
      .references(() => connectedApplications.id),
    partnerId: uuid("partner_id").references(() => partners.id),
    source: text("source", { enum: INBOX_SOURCES }).notNull(),
    /** The sender's share id (ours for internal deliveries, the partner's for push/pick-up). */
    senderShareId: uuid("sender_share_id"),
    /** Set when the sender is this console (internal): our own share row. */
    localShareId: uuid("local_share_id").references(() => shares.id),
    tokenHash: text("token_hash").notNull(),
    tokenCiphertext: text("token_ciphertext"),
    claims: jsonb("claims").$type<Record<string, unknown>>().notNull(),
    manifest: jsonb("manifest").$type<ShareManifest | null>(),
    sessionKind: text("session_kind", { enum: ["user", "business"] }).notNull(),
    sourceSessionId: uuid("source_session_id").notNull(),
    fromApplicationId: uuid("from_application_id").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    state: text("state", { enum: INBOX_STATES }).notNull().default("pending"),
    stateReason: text("state_reason"),
    receivedBy: uuid("received_by").references(() => users.id),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** The sender (a sister brand on this console) withdrew the share before it was imported. */
    withdrawnAt: timestamp("withdrawn_at", { withTimezone: true }),
    withdrawnBy: uuid("withdrawn_by").references(() => users.id),
    /** Its manifest and sealed token were removed by retention or erasure. */
    redactedAt: timestamp("redacted_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("inbox_items_token_hash_key").on(t.tokenHash),
    // Lineage: a session's tokens not imported (the state narrows past the imported ones).
    index("inbox_items_source_session_idx").on(t.sourceSessionId, t.state),
    index("inbox_items_received_idx").on(t.receivedAt.desc(), t.id.desc()),
    index("inbox_items_state_idx").on(t.state, t.expiresAt),
    check(
      "inbox_items_state_check",
      sql`${t.state} in ('pending', 'importing', 'imported', 'rejected', 'expired', 'failed', 'withdrawn', 'invalid')`,
    ),
    check("inbox_items_source_check", sql`${t.source} in ('internal', 'push', 'pickup', 'paste')`),
  ],
);
