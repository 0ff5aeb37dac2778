import "server-only";
import { randomUUID } from "node:crypto";
import { and, arrayContains, eq, sql } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import {
  enqueue,
  kickJobWorker,
  PermanentJobError,
  registerHandler,
  type JobContext,
} from "@/lib/server/jobs";
import {
  sandboxApplications,
  sandboxWebhookDeliveries,
  sandboxWebhookDestinations,
  sandboxWorkflows,
} from "@/lib/server/sandbox/schema";
import { type Db, type Tx, rowsOf } from "@/lib/server/db/types";
import { clockOffsetSeconds } from "@/lib/server/sandbox/clock";
import { renderDecision } from "@/lib/server/sandbox/render";
import { renderStatus } from "@/lib/server/sandbox/statuses";
import type { SandboxProfile, StoredSession } from "@/lib/server/sandbox/types";
import { destinationUrlError } from "@/lib/server/sandbox/webhook-urls";
import { signatureSimple, signatureV1, signatureV2, webhookBody } from "@/lib/server/sandbox/webhook-signing";

/** The job queue that sends the sandbox's webhooks: one job per delivery row, payload `{ deliveryId }`. */
export const WEBHOOK_DELIVERY_QUEUE = "sandbox.webhook-delivery";

/** Used for media URLs inside `decision` when the caller does not pass the request's origin. */
export const FALLBACK_ORIGIN = "http://localhost:3000";

export type StatusUpdatedEvent = {
  applicationId: string;
  session: StoredSession;
  /** The sandbox clock at the change. */
  now: Date;
  /** The request's origin, for the absolute media URLs of `decision`. */
  origin?: string;
};

type Payload = Record<string, unknown>;

const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Queues one `status.updated` delivery per enabled destination of the application subscribed to it,
 * inside the caller's transaction (so a rolled-back change sends nothing): the delivery row (the
 * log the admin API lists; it holds the exact bytes and headers) and its job, which posts it after
 * the commit and is retried on Didit's schedule (SANDBOX_WEBHOOK_RETRY_DELAYS).
 */
export async function enqueueStatusUpdated(tx: Tx | Db, event: StatusUpdatedEvent): Promise<void> {
  const destinations = await tx
    .select({
      id: sandboxWebhookDestinations.id,
      url: sandboxWebhookDestinations.url,
      secret: sandboxWebhookDestinations.secretSharedKey,
    })
    .from(sandboxWebhookDestinations)
    .where(
      and(
        eq(sandboxWebhookDestinations.applicationId, event.applicationId),
        eq(sandboxWebhookDestinations.enabled, true),
        arrayContains(sandboxWebhookDestinations.subscribedEvents, ["status.updated"]),
      ),
    );
  if (destinations.length === 0) return;

  const [app] = await tx
    .select({ profile: sandboxApplications.profile, environment: sandboxApplications.environment })
    .from(sandboxApplications)
    .where(eq(sandboxApplications.id, event.applicationId));
  if (!app) return;
  const [workflow] = await tx
    .select({ version: sandboxWorkflows.version })
    .from(sandboxWorkflows)
    .where(eq(sandboxWorkflows.id, event.session.workflowId));

  const payload = statusUpdatedPayload({
    applicationId: event.applicationId,
    environment: app.environment,
    profile: app.profile,
    session: event.session,
    workflowVersion: workflow?.version ?? 1,
    origin: event.origin ?? FALLBACK_ORIGIN,
    eventId: randomUUID(),
    now: event.now,
  });
  const rows = destinations.map((d) => {
    const signed = signedRequest(payload, d.secret);
    return {
      applicationId: event.applicationId,
      destinationId: d.id,
      eventId: payload.event_id as string,
      event: "status.updated",
      sessionId: event.session.id,
      url: d.url,
      body: signed.body,
      headers: signed.headers,
      state: "pending" as const,
      nextAttemptAt: event.now,
      createdAt: event.now,
    };
  });
  const inserted = await tx
    .insert(sandboxWebhookDeliveries)
    .values(rows)
    .returning({ id: sandboxWebhookDeliveries.id });
  // The queue runs on the wall clock; the event is stamped with the sandbox's (wall + offset).
  const runAt = new Date(event.now.getTime() - (await clockOffsetSeconds(tx)) * 1000);
  const delays = getEnv().SANDBOX_WEBHOOK_RETRY_DELAYS;
  for (const { id } of inserted) {
    await enqueue(tx, {
      queue: WEBHOOK_DELIVERY_QUEUE,
      payload: { deliveryId: id },
      runAt,
      maxAttempts: delays.length + 1,
      backoff: { kind: "fixed", delaysMs: delays.map((d) => d * 1000) },
      now: runAt,
    });
  }
}

/** The payload of didit-api.md §6; KYB events also carry `session_kind: "business"`. */
export function statusUpdatedPayload(input: {
  applicationId: string;
  environment: string;
  profile: SandboxProfile;
  session: StoredSession;
  workflowVersion: number;
  origin: string;
  eventId: string;
  now: Date;
}): Payload {
  const { session, profile } = input;
  const seconds = unixSeconds(input.now);
  const payload: Payload = {
    application_id: input.applicationId,
    created_at: seconds,
    decision: renderDecision(session, profile, input.origin),
    environment: input.environment,
    event_id: input.eventId,
    metadata: null,
    session_id: session.id,
    status: renderStatus(session.kind, session.status, profile),
    timestamp: seconds,
    vendor_data: session.vendorData,
    webhook_type: "status.updated",
    workflow_id: session.workflowId,
    workflow_version: input.workflowVersion,
  };
  if (session.kind === "business") payload.session_kind = "business";
  return payload;
}

/** The bytes and the headers of one delivery, signed with the destination's secret. */
export function signedRequest(
  payload: Payload,
  secret: string,
): { body: string; headers: Record<string, string> } {
  const body = webhookBody(payload).toString("utf8");
  const simple = {
    timestamp: payload.timestamp as number,
    session_id: payload.session_id as string,
    status: payload.status as string,
    webhook_type: payload.webhook_type as string,
  };
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Signature-V2": signatureV2(payload, secret),
      "X-Signature": signatureV1(payload, secret),
      "X-Signature-Simple": signatureSimple(simple, secret),
      "X-Timestamp": String(simple.timestamp),
    },
  };
}

export type DeliveryHandlerOptions = {
  fetchImpl?: typeof fetch;
  /** Per attempt; default SANDBOX_WEBHOOK_TIMEOUT_MS. */
  timeoutMs?: number;
};

/**
 * Registers the job handler that sends deliveries (boot.ts, while the sandbox is on; tests). Each
 * job is one attempt: re-stamped and re-signed when sent, logged on the delivery row; a 5xx, 408,
 * 429, timeout or network error is retried by the queue, any other failure is final.
 */
export function registerWebhookDeliveryHandler(options: DeliveryHandlerOptions = {}): void {
  registerHandler<{ deliveryId: string }>(WEBHOOK_DELIVERY_QUEUE, (ctx, payload) =>
    deliverWebhook(ctx, payload, options),
  );
}

/**
 * Keeps pending deliveries due by the sandbox clock after it moved (the admin clock API): their
 * jobs run on the wall clock, so each is rescheduled to its delivery's next_attempt_at (sandbox
 * time) minus the new offset. Moving the clock forward sends pending retries at once.
 */
export async function realignDeliveryJobs(db: Db, offsetSeconds: number): Promise<number> {
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      update jobs j
         set run_at = d.next_attempt_at - make_interval(secs => ${offsetSeconds}),
             updated_at = now()
        from sandbox.webhook_deliveries d
       where j.queue = ${WEBHOOK_DELIVERY_QUEUE}
         and j.state = 'pending'
         and d.id = (j.payload ->> 'deliveryId')::uuid
         and d.state = 'pending'
         and d.next_attempt_at is not null
   returning j.id`),
  );
  if (rows.length > 0) kickJobWorker();
  return rows.length;
}

/** Wakes this process's job worker after the commit of a change that queued deliveries. */
export function kickWebhookWorker(): void {
  kickJobWorker();
}

type DeliveryRow = typeof sandboxWebhookDeliveries.$inferSelect;

async function deliverWebhook(
  ctx: JobContext,
  payload: { deliveryId: string },
  options: DeliveryHandlerOptions,
): Promise<void> {
  const db = ctx.db;
  const [row] = await db
    .select()
    .from(sandboxWebhookDeliveries)
    .where(eq(sandboxWebhookDeliveries.id, payload.deliveryId));
  // Gone with its application, or already sent by an attempt whose outcome was not recorded.
  if (!row || row.state === "delivered") return;
  const [destination] = await db
    .select({
      enabled: sandboxWebhookDestinations.enabled,
      url: sandboxWebhookDestinations.url,
      secret: sandboxWebhookDestinations.secretSharedKey,
    })
    .from(sandboxWebhookDestinations)
    .where(eq(sandboxWebhookDestinations.id, row.destinationId));
  // The sandbox clock: what the receiver sees in the timestamp and the delivery log.
  const offsetMs = (await clockOffsetSeconds(db)) * 1000;
  const now = new Date(ctx.now.getTime() + offsetMs);
  const retryAt = ctx.retryAt ? new Date(ctx.retryAt.getTime() + offsetMs) : null;
  const outcome = await attempt(db, row, destination, now, retryAt, {
    fetchImpl: options.fetchImpl ?? fetch,
    timeoutMs: options.timeoutMs ?? getEnv().SANDBOX_WEBHOOK_TIMEOUT_MS,
    signal: ctx.signal,
  });
  if (outcome.delivered) return;
  // The queue retries (or, on the last attempt, dead-letters) with the same reason.
  if (outcome.retryable) throw new Error(outcome.error);
  throw new PermanentJobError(outcome.error);
}

/** One attempt at the sandbox time `now`, recorded on the delivery row; `retryAt` null: the last. */
async function attempt(
  db: Db,
  row: DeliveryRow,
  destination: { enabled: boolean; url: string; secret: string } | undefined,
  now: Date,
  retryAt: Date | null,
  opts: { fetchImpl: typeof fetch; timeoutMs: number; signal: AbortSignal },
): Promise<{ delivered: true } | { delivered: false; retryable: boolean; error: string }> {
  const attemptNo = row.attempts + 1;
  let body = row.body;
  let headers = row.headers;
  let statusCode: number | null = null;
  let error: string | null = null;
  let retryable = false;
  const started = performance.now();

  let url = row.url;
  let ready = false;
  if (!destination) error = "destination deleted";
  else if (!destination.enabled) error = "destination disabled";
  else if (destinationUrlError(destination.url)) error = "destination URL not allowed";
  else {
    // The destination is the authority: a PATCHed URL applies to pending retries too.
    url = destination.url;
    try {
      // Each attempt carries the time it is sent, so a retry minutes later still passes the
      // receiver's 300 s freshness window; event_id and created_at stay those of the event.
      const seconds = unixSeconds(now);
      if (headers["X-Timestamp"] !== String(seconds)) {
        const payload = JSON.parse(row.body) as Payload;
        payload.timestamp = seconds;
        ({ body, headers } = signedRequest(payload, destination.secret));
      }
      ready = true;
    } catch (e) {
      error = `could not sign the delivery: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300);
    }
  }
  if (ready) {
    try {
      const res = await opts.fetchImpl(url, {
        method: "POST",
        headers,
        body: Buffer.from(body, "utf8"),
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), opts.signal]),
      });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) {
        error = `HTTP ${res.status}`;
        retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      }
    } catch (e) {
      retryable = true;
      error = opts.signal.aborted
        ? "the worker stopped during the attempt"
        : describeFetchError(e, opts.timeoutMs);
    }
  }

  const durationMs = Math.round(performance.now() - started);
  const log = [...(row.attemptLog ?? []), { at: now.toISOString(), statusCode, error, durationMs }];
  const delivered = error === null;
  const state = delivered ? "delivered" : retryable && retryAt ? "pending" : "failed";
  await db
    .update(sandboxWebhookDeliveries)
    .set({
      url,
      body,
      headers,
      attempts: attemptNo,
      attemptLog: log,
      lastStatusCode: statusCode,
      lastError: error,
      state,
      nextAttemptAt: state === "pending" ? retryAt : null,
      deliveredAt: delivered ? now : null,
    })
    .where(eq(sandboxWebhookDeliveries.id, row.id));
  return error === null ? { delivered: true } : { delivered: false, retryable, error };
}

/** A short reason for the log: never the request, whose headers carry signatures only, but still. */
function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return `timeout after ${timeoutMs} ms`;
  const code = err?.cause?.code;
  if (code) return `network error: ${code}`;
  return `network error: ${err?.cause?.message ?? err?.message ?? "unknown"}`.slice(0, 300);
}
