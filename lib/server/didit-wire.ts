import "server-only";

/**
 * Didit's v3 wire format (../shared/didit-api.md): request and response shapes and status enums,
 * as both profiles of the sandbox serve them and as the Didit client (lib/server/didit/) reads
 * them. Types and `as const` arrays only: no logic, no imports. The sandbox's storage types live
 * in lib/server/sandbox/types.ts; this module is the one thing the sandbox and the client share.
 */

// ---------------------------------------------------------------------------------------------
// Kinds, statuses, privileges (§1, §2)

/** `session_kind`: KYC sessions are `user`, KYB sessions `business`. Lowercase. */
export const SESSION_KINDS = ["user", "business"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** `session_kind` as a list filter of `GET /v3/sessions/` (default `user`). */
export const SESSION_LIST_KINDS = ["user", "business", "all"] as const;
export type SessionListKind = (typeof SESSION_LIST_KINDS)[number];

/** KYC statuses (and KYB in the published spec): Title Case with spaces, case-sensitive. */
export const SESSION_STATUSES = [
  "Not Started",
  "In Progress",
  "Awaiting User",
  "In Review",
  "Approved",
  "Declined",
  "Resubmitted",
  "Expired",
  "Kyc Expired",
  "Abandoned",
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** KYB statuses as the recipe writes them: UPPER_SNAKE_CASE, index for index the Title Case list. */
export const KYB_RECIPE_STATUSES = [
  "NOT_STARTED",
  "IN_PROGRESS",
  "AWAITING_USER",
  "IN_REVIEW",
  "APPROVED",
  "DECLINED",
  "RESUBMITTED",
  "EXPIRED",
  "KYC_EXPIRED",
  "ABANDONED",
] as const;
export type KybRecipeStatus = (typeof KYB_RECIPE_STATUSES)[number];

/** Any status string Didit may put on the wire (either casing). */
export type WireStatus = SessionStatus | KybRecipeStatus;

/** Finished statuses: the only ones a session can be shared in. */
export const FINISHED_STATUSES = ["Approved", "Declined", "In Review"] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/** Privileges an application key may hold. */
export const PRIVILEGES = ["read:sessions", "write:sessions", "delete:sessions"] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** The auth header of every `/v3/` call. */
export const API_KEY_HEADER = "x-api-key";

/** Headers of a 429 (and of every rate-limited answer): Retry-After in seconds. */
export const RATE_LIMIT_HEADERS = [
  "Retry-After",
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
] as const;

// ---------------------------------------------------------------------------------------------
// DRF error bodies (§1)

/** `{"detail": "..."}`, sometimes with an array (`{"detail": ["..."]}`). */
export type DrfDetailError = { detail: string | string[] };
/** Field errors: `{"field": ["message", ...]}`; `non_field_errors` for the body as a whole. */
export type DrfFieldErrors = Record<string, string[]>;
export type DrfErrorBody = DrfDetailError | DrfFieldErrors;

// ---------------------------------------------------------------------------------------------
// Feature arrays (§4, §7)

/** KYC feature arrays of a decision or import under the recipe's key names. */
export const KYC_FEATURE_KEYS_RECIPE = [
  "id_verifications",
  "liveness_checks",
  "face_matches",
  "aml_screenings",
  "database_validations",
  "proof_of_address",
  "location_checks",
  "phone_verifications",
  "email_verifications",
] as const;
/** The same arrays under the published spec's key names (index for index). */
export const KYC_FEATURE_KEYS_SPEC = [
  "id_verifications",
  "liveness_checks",
  "face_matches",
  "aml_screenings",
  "database_validations",
  "poa_verifications",
  "ip_analyses",
  "phone_verifications",
  "email_verifications",
] as const;
/** KYB feature arrays (the same names in both profiles); key people may nest a KYC summary. */
export const KYB_FEATURE_KEYS = [
  "registry_checks",
  "key_people_checks",
  "document_verifications",
  "aml_screenings",
  "questionnaires",
] as const;
export type KycFeatureKeyRecipe = (typeof KYC_FEATURE_KEYS_RECIPE)[number];
export type KycFeatureKeySpec = (typeof KYC_FEATURE_KEYS_SPEC)[number];
export type KybFeatureKey = (typeof KYB_FEATURE_KEYS)[number];
export type FeatureKey = KycFeatureKeyRecipe | KycFeatureKeySpec | KybFeatureKey;

/** The elements of a feature array are Didit's own objects; the wire contract fixes only the keys. */
export type FeatureArrays = Partial<Record<FeatureKey, Record<string, unknown>[]>>;

// ---------------------------------------------------------------------------------------------
// Share — POST /v3/session/{sessionId}/share/ (§3)

/** Bounds and default of `ttl_in_seconds`. */
export const SHARE_TTL_SECONDS = { min: 60, max: 86_400, default: 3600 } as const;

export type ShareRequest = { for_application_id: string; ttl_in_seconds?: number };
/** 201 in the recipe, 200 in the published spec. */
export type ShareResponse = { share_token: string; for_application_id: string; session_kind: SessionKind };

/** The claims of a share token (HS256 JWT): exactly these six, no others. `exp` = `iat` + TTL. */
export const SHARE_TOKEN_CLAIMS = [
  "session_id",
  "from_application_id",
  "for_application_id",
  "session_kind",
  "iat",
  "exp",
] as const;
export type ShareTokenClaims = {
  session_id: string;
  from_application_id: string;
  for_application_id: string;
  /** Absent on legacy tokens, which are `user`. */
  session_kind: SessionKind;
  iat: number;
  exp: number;
};

// ---------------------------------------------------------------------------------------------
// Import — POST /v3/session/import-shared/ (§4)

export type ImportRequest = {
  share_token: string;
  workflow_id?: string;
  vendor_data?: string | null;
  /** The spec marks it required, the docs default it to false: always send it. */
  trust_review: boolean;
};

type ImportCommon = {
  session_id: string;
  session_number: number;
  status: WireStatus;
  shared_from_session: string;
  vendor_data: string | null;
  workflow_id: string;
};
export type KycImportResponse = ImportCommon & { session_kind: "user" } & Partial<
    Record<KycFeatureKeyRecipe | KycFeatureKeySpec, Record<string, unknown>[]>
  >;
export type KybImportResponse = ImportCommon & { session_kind: "business" } & Partial<
    Record<KybFeatureKey, Record<string, unknown>[]>
  >;
/** 201. */
export type ImportResponse = KycImportResponse | KybImportResponse;

// ---------------------------------------------------------------------------------------------
// Session list — GET /v3/sessions/ (§1, §5)

export type SessionListQuery = {
  session_kind?: SessionListKind;
  /** Comma-separated exact status strings. */
  status?: string;
  vendor_data?: string;
  search?: string;
  workflow_id?: string;
  /** `YYYY-MM-DD`. */
  date_from?: string;
  date_to?: string;
  limit?: number;
  offset?: number;
};

/** DRF LimitOffsetPagination: absolute `next`/`previous` URLs, newest first. */
export type ListEnvelope<T> = { count: number; next: string | null; previous: string | null; results: T[] };

type ListRowCommon = {
  session_id: string;
  session_number: number;
  status: WireStatus;
  vendor_data: string | null;
  workflow_id: string;
  created_at: string;
  country: string | null;
  /** Feature names such as `ID_VERIFICATION`, `LIVENESS`, `KYB_REGISTRY`. */
  features: string[];
};
export type KycSessionListRow = ListRowCommon & {
  session_kind: "user";
  full_name: string | null;
  document_type: string | null;
};
export type KybSessionListRow = ListRowCommon & {
  session_kind: "business";
  company_name: string | null;
  registration_number: string | null;
};
/** Rows carry no `shared_from_session`. */
export type SessionListRow = KycSessionListRow | KybSessionListRow;
export type SessionList = ListEnvelope<SessionListRow>;

// ---------------------------------------------------------------------------------------------
// Decision — GET /v3/session/{id}/decision/ (§5)

export type DecisionReview = {
  user: string;
  new_status: WireStatus;
  comment: string | null;
  created_at: string;
};

/** A list row's fields plus every feature array, the reviews, and lineage on imported sessions. */
export type Decision = SessionListRow &
  FeatureArrays & {
    expires_at: string | null;
    reviews: DecisionReview[];
    shared_from_session?: string;
  };

// ---------------------------------------------------------------------------------------------
// Update status — PATCH /v3/session/{id}/update-status/ (§5)

export const UPDATE_STATUS_TARGETS = ["Approved", "Declined", "Resubmitted"] as const;
export type UpdateStatusTarget = (typeof UPDATE_STATUS_TARGETS)[number];
/** The statuses a session may be in for `update-status` to be allowed. */
export const UPDATE_STATUS_ALLOWED_FROM = [
  "Approved",
  "Declined",
  "In Review",
  "Kyc Expired",
  "Abandoned",
  "Resubmitted",
] as const;

export type UpdateStatusRequest = { new_status: UpdateStatusTarget; comment?: string | null };
/** 200. */
export type UpdateStatusResponse = { session_id: string };

// ---------------------------------------------------------------------------------------------
// Delete — DELETE /v3/session/{id}/delete/ (§5)

/** 204 with no body; the session then answers 404 and its minted tokens fail on import. */
export type DeleteSessionResponse = null;

// ---------------------------------------------------------------------------------------------
// Webhook destinations — /v3/webhook/destinations/ (§5)

/** Events a destination can subscribe to (no wildcards). */
export const SUBSCRIBABLE_EVENTS = [
  "status.updated",
  "data.updated",
  "user.status.updated",
  "user.data.updated",
  "business.status.updated",
  "business.data.updated",
  "transaction.created",
] as const;
export type SubscribableEvent = (typeof SUBSCRIBABLE_EVENTS)[number];

export const WEBHOOK_VERSIONS = ["v1", "v2", "v3"] as const;
export type WebhookVersion = (typeof WEBHOOK_VERSIONS)[number];

/** `POST` body; `PATCH` sends any subset (`subscribed_events` replaced whole). */
export type WebhookDestinationCreate = {
  label?: string;
  url: string;
  enabled?: boolean;
  webhook_version?: WebhookVersion;
  /** Non-empty. */
  subscribed_events: SubscribableEvent[];
};
export type WebhookDestinationUpdate = Partial<WebhookDestinationCreate>;

/** A destination as create (201) and single GET answer it: with its signing secret. */
export type WebhookDestination = {
  uuid: string;
  label: string;
  url: string;
  enabled: boolean;
  webhook_version: WebhookVersion;
  subscribed_events: SubscribableEvent[];
  secret_shared_key: string;
  created_at: string;
  updated_at: string;
};
/** A row of the list, and the PATCH answer: everything but the secret. */
export type WebhookDestinationListRow = Omit<WebhookDestination, "secret_shared_key">;
/** `GET /v3/webhook/destinations/`: a bare array, oldest first, not paginated. */
export type WebhookDestinationList = WebhookDestinationListRow[];

// ---------------------------------------------------------------------------------------------
// Webhook deliveries (§6)

export const WEBHOOK_TYPES = ["status.updated", "data.updated"] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** Sent with keys sorted and compact separators; `timestamp` and `created_at` are Unix seconds. */
export type WebhookPayload = {
  application_id: string;
  created_at: number;
  decision: Decision | null;
  environment: string;
  /** The idempotency key. */
  event_id: string;
  metadata: Record<string, unknown> | null;
  session_id: string;
  /** KYB events only. */
  session_kind?: "business";
  status: WireStatus;
  timestamp: number;
  vendor_data: string | null;
  webhook_type: WebhookType;
  workflow_id: string;
  workflow_version: number;
};

/** The signature headers of a delivery, as Didit spells them. */
export const WEBHOOK_HEADERS = [
  "X-Signature-V2",
  "X-Signature",
  "X-Signature-Simple",
  "X-Timestamp",
] as const;
export type WebhookHeaderName = (typeof WEBHOOK_HEADERS)[number];
export type WebhookHeaders = Record<WebhookHeaderName, string>;
