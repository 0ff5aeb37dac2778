import "server-only";

import { MEDIA_PREFIX } from "@/lib/server/sandbox/media";
import { renderStatus } from "@/lib/server/sandbox/statuses";
import {
  KYB_FEATURE_KEYS,
  KYC_FEATURE_KEYS_RECIPE,
  KYC_FEATURE_KEYS_SPEC,
  type SessionKind,
  type SessionListRow,
} from "@/lib/server/didit-wire";
import type { SandboxProfile, StoredSession } from "@/lib/server/sandbox/types";

/**
 * Rendering of stored sessions per profile: the only place that knows the key-name and casing
 * differences (didit-api.md §7). Stored payloads use the recipe's key names and Title Case; media
 * are stored as `/sandbox/media/…` paths and become absolute URLs here.
 */

/** Published-spec names of the KYC arrays the recipe names differently (proof_of_address, location_checks). */
const SPEC_RENAMES: Record<string, string> = Object.fromEntries(
  KYC_FEATURE_KEYS_RECIPE.map((k, i) => [k, KYC_FEATURE_KEYS_SPEC[i]!]).filter(([k, v]) => k !== v),
);

/** Stored (recipe) payload keys of a kind, in Didit's order. */
export function storedFeatureKeys(kind: SessionKind): readonly string[] {
  return kind === "business" ? KYB_FEATURE_KEYS : KYC_FEATURE_KEYS_RECIPE;
}

/** The feature array keys of a decision or import body, as the profile names them. */
export function featureKeys(kind: SessionKind, profile: SandboxProfile): string[] {
  const keys = storedFeatureKeys(kind);
  return profile === "spec" ? keys.map((k) => SPEC_RENAMES[k] ?? k) : [...keys];
}

/** A deep copy with every stored media path turned into an absolute URL. */
export function absolutizeMedia(value: unknown, origin: string): unknown {
  if (typeof value === "string") return value.startsWith(MEDIA_PREFIX) ? origin + value : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => absolutizeMedia(v, origin));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = absolutizeMedia(v, origin);
  return out;
}

function featureArrays(
  kind: SessionKind,
  payload: Record<string, unknown>,
  profile: SandboxProfile,
  origin: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of storedFeatureKeys(kind)) {
    const name = profile === "spec" ? (SPEC_RENAMES[key] ?? key) : key;
    const list = payload[key];
    out[name] = Array.isArray(list) ? absolutizeMedia(list, origin) : [];
  }
  return out;
}

const iso = (d: Date | string | null): string | null =>
  d === null ? null : typeof d === "string" ? new Date(d).toISOString() : d.toISOString();

/** The subject fields of a session: the person for KYC, the company for KYB. */
function subjectFields(kind: SessionKind, summary: StoredSession["summary"]): Record<string, unknown> {
  return kind === "business"
    ? {
        company_name: summary.company_name,
        registration_number: summary.registration_number,
        country: summary.country,
      }
    : { full_name: summary.full_name, document_type: summary.document_type, country: summary.country };
}

/** `GET /v3/session/{id}/decision/`. */
export function renderDecision(
  session: StoredSession,
  profile: SandboxProfile,
  origin: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    session_id: session.id,
    session_number: session.number,
    session_kind: session.kind,
    status: renderStatus(session.kind, session.status, profile),
    workflow_id: session.workflowId,
    vendor_data: session.vendorData,
    created_at: iso(session.createdAt),
    expires_at: iso(session.expiresAt),
    ...subjectFields(session.kind, session.summary),
    features: [...session.summary.features],
    ...featureArrays(session.kind, session.payload, profile, origin),
    reviews: session.reviews.map((r) => ({
      user: r.user,
      new_status: renderStatus(session.kind, r.new_status, profile),
      comment: r.comment,
      created_at: r.created_at,
    })),
  };
  if (session.sharedFromSession) body.shared_from_session = session.sharedFromSession;
  return body;
}

/** The 201 body of `POST /v3/session/import-shared/`. */
export function renderImportResult(
  session: StoredSession,
  profile: SandboxProfile,
  origin: string,
): Record<string, unknown> {
  return {
    session_id: session.id,
    session_number: session.number,
    session_kind: session.kind,
    status: renderStatus(session.kind, session.status, profile),
    shared_from_session: session.sharedFromSession,
    vendor_data: session.vendorData,
    workflow_id: session.workflowId,
    ...featureArrays(session.kind, session.payload, profile, origin),
  };
}

type ListFields = "id" | "number" | "kind" | "status" | "vendorData" | "workflowId" | "summary";

/** What a list row needs (other StoredSession fields may be present and are ignored: never the payload). */
export type ListableSession = Pick<StoredSession, ListFields> & { createdAt: Date | string } & Partial<
    Omit<StoredSession, ListFields | "createdAt">
  >;

/** A row of `GET /v3/sessions/`, from the summary alone (keys in Didit's order). */
export function renderListRow(session: ListableSession, profile: SandboxProfile): SessionListRow {
  const { summary } = session;
  const status = renderStatus(session.kind, session.status, profile);
  const createdAt = iso(session.createdAt)!;
  if (session.kind === "business") {
    return {
      session_id: session.id,
      session_kind: "business",
      session_number: session.number,
      status,
      vendor_data: session.vendorData,
      workflow_id: session.workflowId,
      created_at: createdAt,
      company_name: summary.company_name,
      registration_number: summary.registration_number,
      country: summary.country,
      features: [...summary.features],
    };
  }
  return {
    session_id: session.id,
    session_kind: "user",
    session_number: session.number,
    status,
    vendor_data: session.vendorData,
    workflow_id: session.workflowId,
    created_at: createdAt,
    full_name: summary.full_name,
    document_type: summary.document_type,
    country: summary.country,
    features: [...summary.features],
  };
}
