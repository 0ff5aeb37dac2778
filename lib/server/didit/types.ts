import "server-only";
import type { SessionKind, SessionListKind, SessionStatus } from "@/lib/server/didit-wire";

/**
 * The Didit client's contract, normalised: what the rest of the product sees. Statuses are always
 * Title Case (`IN_REVIEW` → `In Review`), KYC feature arrays carry the recipe's key names
 * (`poa_verifications` → `proof_of_address`, `ip_analyses` → `location_checks`), 200 and 201 are
 * alike, and every refusal is a DiditError with one of our codes (lib/server/didit/errors.ts).
 */

/** Who calls: one of our connected applications. The key is decrypted inside the client only. */
export type DiditCaller = {
  /** connected_applications.id: the envelope's associated data and the limiter's bucket. */
  id: string;
  apiKeyCiphertext: string;
};

export type DiditSessionRow = {
  sessionId: string;
  sessionKind: SessionKind;
  sessionNumber: number | null;
  status: SessionStatus;
  vendorData: string | null;
  workflowId: string | null;
  createdAt: Date;
  /** KYC: `full_name`. */
  fullName: string | null;
  /** KYB: `company_name`. */
  companyName: string | null;
  registrationNumber: string | null;
  documentType: string | null;
  country: string | null;
  features: string[];
};

export type ListSessionsQuery = {
  kind?: SessionListKind;
  /** Exact Title Case statuses; the client sends what the upstream expects. */
  status?: SessionStatus[];
  vendorData?: string;
  search?: string;
  workflowId?: string;
  /** `YYYY-MM-DD`. */
  dateFrom?: string;
  dateTo?: string;
  limit?: number;
  offset?: number;
};

export type ListSessionsPage = {
  count: number;
  results: DiditSessionRow[];
  /** The offset of the next page, or null on the last page. */
  nextOffset: number | null;
};

export type DiditReview = {
  user: string | null;
  newStatus: string;
  comment: string | null;
  createdAt: string | null;
};

/** A whole session (`GET /v3/session/{id}/decision/`). */
export type DiditDecision = Omit<DiditSessionRow, "features"> & {
  features: string[];
  sharedFromSession: string | null;
  expiresAt: string | null;
  reviews: DiditReview[];
  /** Feature arrays under the recipe's key names (KYC) or the KYB names; elements as Didit sent them. */
  featureData: Record<string, Record<string, unknown>[]>;
};

export type ShareInput = { forApplicationId: string; ttlSeconds?: number };
export type ShareResult = { shareToken: string; forApplicationId: string; sessionKind: SessionKind };

export type ImportInput = {
  shareToken: string;
  workflowId: string;
  vendorData: string;
  trustReview: boolean;
  /**
   * Our own Didit application's uuid (connected_applications). The recipe answers both "not for
   * you" and "already imported" with a bare 403: the token's `for_application_id` against this
   * tells them apart when Didit's body does not.
   */
  expectedApplicationId?: string;
};
export type ImportResult = {
  sessionId: string;
  sessionNumber: number | null;
  sessionKind: SessionKind;
  status: SessionStatus;
  sharedFromSession: string | null;
  vendorData: string | null;
  workflowId: string | null;
  featureData: Record<string, Record<string, unknown>[]>;
};

export type UpdateStatusInput = { newStatus: "Approved" | "Declined" | "Resubmitted"; comment?: string };

export type WebhookDestination = {
  id: string;
  label: string | null;
  url: string;
  enabled: boolean;
  subscribedEvents: string[];
  /** Only on create and single GET. */
  secretSharedKey?: string;
};
export type CreateWebhookDestinationInput = {
  label: string;
  url: string;
  subscribedEvents: string[];
  enabled?: boolean;
};

export interface DiditClient {
  /** Where calls go now, no trailing slash (the review's media route trusts plain http only from there). */
  baseUrl?(): string;
  listSessions(caller: DiditCaller, query?: ListSessionsQuery): Promise<ListSessionsPage>;
  getDecision(caller: DiditCaller, sessionId: string): Promise<DiditDecision>;
  share(caller: DiditCaller, sessionId: string, input: ShareInput): Promise<ShareResult>;
  /** Never retried: a lost answer is reconciled by the caller (list by vendor_data). */
  importShared(caller: DiditCaller, input: ImportInput): Promise<ImportResult>;
  updateStatus(
    caller: DiditCaller,
    sessionId: string,
    input: UpdateStatusInput,
  ): Promise<{ sessionId: string }>;
  deleteSession(caller: DiditCaller, sessionId: string): Promise<void>;
  listWebhookDestinations(caller: DiditCaller): Promise<WebhookDestination[]>;
  getWebhookDestination(caller: DiditCaller, id: string): Promise<WebhookDestination>;
  createWebhookDestination(
    caller: DiditCaller,
    input: CreateWebhookDestinationInput,
  ): Promise<WebhookDestination>;
  updateWebhookDestination(
    caller: DiditCaller,
    id: string,
    input: Partial<CreateWebhookDestinationInput>,
  ): Promise<WebhookDestination>;
  deleteWebhookDestination(caller: DiditCaller, id: string): Promise<void>;
}
