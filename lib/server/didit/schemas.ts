import "server-only";
import { z } from "zod";
import type {
  DiditDecision,
  DiditReview,
  DiditSessionRow,
  ImportResult,
  ListSessionsPage,
  ShareResult,
  WebhookDestination,
} from "./types";
import { featureData, normaliseStatus } from "./normalise";

/**
 * Didit's answers parsed leniently: unknown fields are ignored, optional ones may be missing
 * (→ null), statuses and kinds are read in either dialect. What cannot be read (no session id, an
 * unknown status, a date that is not one) makes the answer malformed: the caller gets
 * upstream_unavailable, never a half-read object.
 */

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

const id = z.string().min(1).max(200);

const status = z.string().transform((v, ctx) => {
  const s = normaliseStatus(v);
  if (!s) {
    ctx.addIssue({ code: "custom", message: "unknown session status" });
    return z.NEVER;
  }
  return s;
});

/** Lowercase on the wire; a legacy answer without one is `user`. */
const kind = z
  .string()
  .nullish()
  .transform((v, ctx) => {
    const k = (v ?? "user").toLowerCase();
    if (k !== "user" && k !== "business") {
      ctx.addIssue({ code: "custom", message: "unknown session kind" });
      return z.NEVER;
    }
    return k;
  });

const number = z
  .number()
  .int()
  .nullish()
  .transform((v) => v ?? null);

const date = z.string().transform((v, ctx) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: "custom", message: "not a date" });
    return z.NEVER;
  }
  return d;
});

/** Feature names such as `ID_VERIFICATION`; anything but strings is dropped. */
const features = z
  .array(z.unknown())
  .nullish()
  .transform((v) => (v ?? []).filter((f): f is string => typeof f === "string"));

const rowFields = {
  session_id: id,
  session_kind: kind,
  session_number: number,
  status,
  vendor_data: text,
  workflow_id: text,
  created_at: date,
  full_name: text,
  company_name: text,
  registration_number: text,
  document_type: text,
  country: text,
  features,
};

function toRow(r: z.infer<z.ZodObject<typeof rowFields>>): DiditSessionRow {
  return {
    sessionId: r.session_id,
    sessionKind: r.session_kind,
    sessionNumber: r.session_number,
    status: r.status,
    vendorData: r.vendor_data,
    workflowId: r.workflow_id,
    createdAt: r.created_at,
    fullName: r.full_name,
    companyName: r.company_name,
    registrationNumber: r.registration_number,
    documentType: r.document_type,
    country: r.country,
    features: r.features,
  };
}

const listRow = z.object(rowFields).transform(toRow);

/** The `offset` of DRF's absolute `next` link; null on the last page. */
function nextOffsetOf(next: string | null, offset: number, rows: number): number | null {
  if (!next) return null;
  try {
    const value = new URL(next).searchParams.get("offset");
    if (value !== null && /^\d+$/.test(value)) return Number(value);
  } catch {
    // A relative or odd link: continue after this page.
  }
  return offset + rows;
}

export function parseSessionList(offset: number) {
  return z
    .object({
      count: z.number().int().min(0),
      next: text,
      results: z.array(listRow),
    })
    .transform((p): ListSessionsPage => ({
      count: p.count,
      results: p.results,
      nextOffset: nextOffsetOf(p.next, offset, p.results.length),
    }));
}

const review = z
  .object({
    user: text,
    new_status: z.string(),
    comment: text,
    created_at: text,
  })
  .transform((r): DiditReview => ({
    user: r.user,
    newStatus: normaliseStatus(r.new_status) ?? r.new_status,
    comment: r.comment,
    createdAt: r.created_at,
  }));

export const decisionSchema = z
  .looseObject({
    ...rowFields,
    shared_from_session: text,
    expires_at: text,
    reviews: z
      .array(review)
      .nullish()
      .transform((v) => v ?? []),
  })
  .transform((d): DiditDecision => ({
    ...toRow(d),
    sharedFromSession: d.shared_from_session,
    expiresAt: d.expires_at,
    reviews: d.reviews,
    featureData: featureData(d.session_kind, d),
  }));

export const shareSchema = z
  .object({ share_token: z.string().min(1), for_application_id: id, session_kind: kind })
  .transform((s): ShareResult => ({
    shareToken: s.share_token,
    forApplicationId: s.for_application_id,
    sessionKind: s.session_kind,
  }));

export const importSchema = z
  .looseObject({
    session_id: id,
    session_number: number,
    session_kind: kind,
    status,
    shared_from_session: text,
    vendor_data: text,
    workflow_id: text,
  })
  .transform((r): ImportResult => ({
    sessionId: r.session_id,
    sessionNumber: r.session_number,
    sessionKind: r.session_kind,
    status: r.status,
    sharedFromSession: r.shared_from_session,
    vendorData: r.vendor_data,
    workflowId: r.workflow_id,
    featureData: featureData(r.session_kind, r),
  }));

export const updateStatusSchema = z.object({ session_id: id.nullish() });

const destination = z
  .object({
    uuid: id.optional(),
    id: id.optional(),
    label: text,
    url: z.string().min(1),
    enabled: z
      .boolean()
      .nullish()
      .transform((v) => v ?? true),
    subscribed_events: z
      .array(z.string())
      .nullish()
      .transform((v) => v ?? []),
    secret_shared_key: z.string().min(1).nullish(),
  })
  .refine((d) => d.uuid !== undefined || d.id !== undefined, "no destination id")
  .transform((d): WebhookDestination => ({
    id: (d.uuid ?? d.id)!,
    label: d.label,
    url: d.url,
    enabled: d.enabled,
    subscribedEvents: d.subscribed_events,
    ...(d.secret_shared_key ? { secretSharedKey: d.secret_shared_key } : {}),
  }));

export const destinationSchema = destination;

/** A bare array, not paginated; list rows carry no secret (dropped if one ever appears). */
export const destinationListSchema = z.array(destination).transform((list) =>
  list.map((d) => {
    const { secretSharedKey: _secret, ...rest } = d;
    return rest;
  }),
);
