import "server-only";

/**
 * Shared vocabulary of the Didit sandbox (lib/server/sandbox). The sandbox shares no code with
 * Handoff's Didit client; this file is internal to the sandbox.
 */

export type SandboxProfile = "recipe" | "spec";
export type SessionKind = "user" | "business";

/** Statuses as stored: always the Title Case strings of didit-api.md §2, for both kinds. */
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
export const FINISHED_STATUSES: readonly SessionStatus[] = ["Approved", "Declined", "In Review"];

export const PRIVILEGES = ["read:sessions", "write:sessions", "delete:sessions"] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/**
 * A session as the sandbox stores it. `payload` holds the feature arrays and detail objects under
 * the recipe's key names (id_verifications, liveness_checks, face_matches, aml_screenings,
 * database_validations, proof_of_address, location_checks, phone_verifications,
 * email_verifications for KYC; registry_checks, key_people_checks, document_verifications,
 * aml_screenings, questionnaires for KYB). Media are stored as paths under /sandbox/media/ and made
 * absolute when rendered. Rendering per profile happens in render.ts.
 */
export type StoredSession = {
  id: string;
  applicationId: string;
  number: number;
  kind: SessionKind;
  status: SessionStatus;
  workflowId: string;
  vendorData: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  sharedFromSession: string | null;
  summary: SessionSummary;
  payload: Record<string, unknown>;
  reviews: SessionReview[];
};

/** What the list endpoint shows without reading the payload. */
export type SessionSummary = {
  full_name: string | null;
  document_type: string | null;
  country: string | null;
  company_name: string | null;
  registration_number: string | null;
  features: string[];
};

export type SessionReview = {
  user: string;
  new_status: SessionStatus;
  comment: string | null;
  created_at: string;
};

/** Claims of a share token, exactly these and no others (didit-api.md §3). */
export type ShareTokenClaims = {
  session_id: string;
  from_application_id: string;
  for_application_id: string;
  session_kind: SessionKind;
  iat: number;
  exp: number;
};
