import { pageEnvelope, type Page } from "./pagination";
import "server-only";
import { count, desc, eq } from "drizzle-orm";
import { sandboxApplications, sandboxWebhookDeliveries } from "@/lib/server/sandbox/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { fieldErrors, isUuid, notFound, type FieldErrors } from "@/lib/server/sandbox/errors";

export type DeliveryDto = {
  delivery_id: string;
  destination_id: string;
  event: string;
  event_id: string;
  session_id: string | null;
  url: string;
  state: "pending" | "delivered" | "failed";
  status_code: number | null;
  last_error: string | null;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
  attempt_log: { at: string; status_code: number | null; error: string | null; duration_ms: number }[];
  /** What was sent with the last attempt: signatures and timestamp, never the destination's secret. */
  headers: Record<string, string>;
  body: string;
};

export type DeliveryPage = Page<DeliveryDto>;

const MAX_LIMIT = 500;

/**
 * The delivery log of one application for the admin API, newest first, DRF-style page with
 * absolute next/previous URLs. `query` is the request's search params; `baseUrl` its URL.
 */
export async function listDeliveries(db: DbOrTx, baseUrl: URL): Promise<DeliveryPage> {
  const query = baseUrl.searchParams;
  const errors: FieldErrors = {};
  const applicationId = query.get("application_id");
  if (!applicationId) errors.application_id = ["This field is required."];
  else if (!isUuid(applicationId)) errors.application_id = ["Must be a valid UUID."];
  const limit = readCount(query.get("limit"), 50, 1, MAX_LIMIT, "limit", errors);
  const offset = readCount(query.get("offset"), 0, 0, Number.MAX_SAFE_INTEGER, "offset", errors);
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);
  const appId = applicationId!.toLowerCase();

  const [app] = await db
    .select({ id: sandboxApplications.id })
    .from(sandboxApplications)
    .where(eq(sandboxApplications.id, appId));
  if (!app) throw notFound();

  const where = eq(sandboxWebhookDeliveries.applicationId, appId);
  const [total] = await db.select({ n: count() }).from(sandboxWebhookDeliveries).where(where);
  const rows = await db
    .select()
    .from(sandboxWebhookDeliveries)
    .where(where)
    .orderBy(desc(sandboxWebhookDeliveries.createdAt), desc(sandboxWebhookDeliveries.id))
    .limit(limit)
    .offset(offset);
  const n = Number(total?.n ?? 0);
  return pageEnvelope(
    baseUrl,
    n,
    { limit, offset },
    rows.map((r) => ({
      delivery_id: r.id,
      destination_id: r.destinationId,
      event: r.event,
      event_id: r.eventId,
      session_id: r.sessionId,
      url: r.url,
      state: r.state,
      status_code: r.lastStatusCode,
      last_error: r.lastError,
      attempts: r.attempts,
      next_attempt_at: r.state === "pending" ? (r.nextAttemptAt?.toISOString() ?? null) : null,
      created_at: r.createdAt.toISOString(),
      delivered_at: r.deliveredAt?.toISOString() ?? null,
      attempt_log: r.attemptLog.map((a) => ({
        at: a.at,
        status_code: a.statusCode,
        error: a.error,
        duration_ms: a.durationMs,
      })),
      headers: r.headers,
      body: r.body,
    })),
  );
}

function readCount(
  raw: string | null,
  fallback: number,
  min: number,
  max: number,
  field: string,
  errors: FieldErrors,
): number {
  if (raw === null || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    errors[field] = [min > 0 ? "Ensure this value is a positive integer." : "A valid integer is required."];
    return fallback;
  }
  return Math.min(Number(raw), max);
}
