import "server-only";

import type { DecisionReview, SessionKind, SessionListRow, SessionStatus } from "@/lib/server/didit-wire";

/**
 * The sandbox's own vocabulary: how it stores sessions. Didit's wire format (statuses, kinds,
 * privileges, request and response shapes) is in lib/server/didit-wire.ts, shared with the client.
 */

export type SandboxProfile = "recipe" | "spec";

/**
 * A session as the sandbox stores it. `payload` holds the feature arrays and detail objects under
 * the recipe's key names (KYC_FEATURE_KEYS_RECIPE, KYB_FEATURE_KEYS of didit-wire.ts). Statuses are
 * always stored in Title Case; media as paths under /sandbox/media/. render.ts renders per profile.
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

type KycSubject = Extract<SessionListRow, { session_kind: "user" }>;
type KybSubject = Extract<SessionListRow, { session_kind: "business" }>;

/** What a list row shows without reading the payload: the subject fields of both kinds. */
export type SessionSummary = Pick<KycSubject, "full_name" | "document_type" | "country" | "features"> &
  Pick<KybSubject, "company_name" | "registration_number">;

/** A review entry of the decision, stored with its status in Title Case. */
export type SessionReview = Omit<DecisionReview, "new_status"> & { new_status: SessionStatus };
