import "server-only";
import { randomUUID } from "node:crypto";
import { and, arrayContains, eq, inArray, sql } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import { getDb } from "@/lib/server/db/client";
import {
  sandboxApplications,
  sandboxWebhookDeliveries,
  sandboxWebhookDestinations,
  sandboxWorkflows,
} from "@/lib/server/sandbox/schema";
import type { Db, DbOrTx, Tx } from "@/lib/server/db/types";
import { rowsOf } from "@/lib/server/db/types";
import { getLogger } from "@/lib/server/logger";
import { sandboxNow } from "@/lib/server/sandbox/clock";
import { renderDecision } from "@/lib/server/sandbox/render";
import { renderStatus } from "@/lib/server/sandbox/statuses";
import type { SandboxProfile, StoredSession } from "@/lib/server/sandbox/types";
import { destinationUrlError } from "@/lib/server/sandbox/webhook-urls";
import { signatureSimple, signatureV1, signatureV2, webhookBody } from "@/lib/server/sandbox/webhook-signing";

export const WEBHOOK_EVENTS = ["status.updated", "data.updated"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

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
type AttemptLogEntry = { at: string; statusCode: number | null; error: string | null; durationMs: number };

const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Queues one `status.updated` delivery per enabled destination of the application subscribed to it,
 * inside the caller's transaction (so a rolled-back change sends nothing). The row holds the exact
 * bytes and headers to send; the worker posts them after the commit.
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
  await tx.insert(sandboxWebhookDeliveries).values(rows);
  kickWebhookWorker();
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

export type ProcessOptions = {
  fetchImpl?: typeof fetch;
  /** Most deliveries claimed in one call. */
  limit?: number;
  /** Seconds before each retry; defaults to SANDBOX_WEBHOOK_RETRY_DELAYS. */
  retryDelays?: number[];
  timeoutMs?: number;
};

export type ProcessResult = { claimed: number; delivered: number; retrying: number; failed: number };

type ClaimedRow = {
  id: string;
  destination_id: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  attempts: number;
  attempt_log: AttemptLogEntry[];
};

/**
 * Sends every delivery due at `now` (the sandbox clock). Rows are claimed with FOR UPDATE SKIP
 * LOCKED and leased by pushing next_attempt_at forward, so several instances share the work and no
 * transaction stays open during HTTP (PGlite has one connection). A crash re-sends after the lease.
 */
export async function processDueDeliveries(
  db: Db,
  now: Date,
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  const env = getEnv();
  const timeoutMs = options.timeoutMs ?? env.SANDBOX_WEBHOOK_TIMEOUT_MS;
  const delays = options.retryDelays ?? env.SANDBOX_WEBHOOK_RETRY_DELAYS;
  const limit = options.limit ?? 20;
  const leaseUntil = new Date(now.getTime() + timeoutMs + 30_000);
  const claimed = rowsOf<ClaimedRow>(
    await db.execute(sql`
      update sandbox.webhook_deliveries d
         set next_attempt_at = ${leaseUntil.toISOString()}::timestamptz
        from (select id from sandbox.webhook_deliveries
               where state = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz
               order by next_attempt_at, created_at
               limit ${limit}
               for update skip locked) due
       where d.id = due.id
   returning d.id, d.destination_id, d.url, d.body, d.headers, d.attempts, d.attempt_log`),
  );
  const result: ProcessResult = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  if (claimed.length === 0) return result;

  const destinationIds = [...new Set(claimed.map((r) => r.destination_id))];
  const destinations = new Map(
    (
      await db
        .select({
          id: sandboxWebhookDestinations.id,
          enabled: sandboxWebhookDestinations.enabled,
          url: sandboxWebhookDestinations.url,
          secret: sandboxWebhookDestinations.secretSharedKey,
        })
        .from(sandboxWebhookDestinations)
        .where(inArray(sandboxWebhookDestinations.id, destinationIds))
    ).map((d) => [d.id, d]),
  );

  await Promise.all(
    claimed.map(async (row) => {
      const outcome = await attempt(db, row, destinations.get(row.destination_id), now, {
        fetchImpl: options.fetchImpl ?? fetch,
        timeoutMs,
        delays,
      });
      result[outcome]++;
    }),
  );
  return result;
}

async function attempt(
  db: DbOrTx,
  row: ClaimedRow,
  destination: { enabled: boolean; url: string; secret: string } | undefined,
  now: Date,
  opts: { fetchImpl: typeof fetch; timeoutMs: number; delays: number[] },
): Promise<"delivered" | "retrying" | "failed"> {
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
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) {
        error = `HTTP ${res.status}`;
        retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      }
    } catch (e) {
      retryable = true;
      error = describeFetchError(e, opts.timeoutMs);
    }
  }

  const durationMs = Math.round(performance.now() - started);
  const log = [...(row.attempt_log ?? []), { at: now.toISOString(), statusCode, error, durationMs }];
  const delivered = error === null;
  const retryIn = retryable ? opts.delays[attemptNo - 1] : undefined;
  const state = delivered ? "delivered" : retryIn !== undefined ? "pending" : "failed";
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
      nextAttemptAt: state === "pending" ? new Date(now.getTime() + retryIn! * 1000) : null,
      deliveredAt: delivered ? now : null,
    })
    .where(eq(sandboxWebhookDeliveries.id, row.id));
  return delivered ? "delivered" : state === "pending" ? "retrying" : "failed";
}

/** A short reason for the log: never the request, whose headers carry signatures only, but still. */
function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return `timeout after ${timeoutMs} ms`;
  const code = err?.cause?.code;
  if (code) return `network error: ${code}`;
  return `network error: ${err?.cause?.message ?? err?.message ?? "unknown"}`.slice(0, 300);
}

type Worker = {
  timer: NodeJS.Timeout | null;
  running: boolean;
  kicked: boolean;
  stopped: boolean;
  intervalMs: number;
};
const store = globalThis as unknown as { __sandboxWebhookWorker?: Worker };

/**
 * One in-process delivery loop per process (kept on globalThis across hot reloads). The timer is
 * unref'd so it never keeps a script alive. Started at boot when the sandbox is enabled.
 */
export function startWebhookWorker(options: { intervalMs?: number } = {}): void {
  if (store.__sandboxWebhookWorker && !store.__sandboxWebhookWorker.stopped) return;
  store.__sandboxWebhookWorker = {
    timer: null,
    running: false,
    kicked: false,
    stopped: false,
    intervalMs: options.intervalMs ?? 1000,
  };
  schedule(store.__sandboxWebhookWorker.intervalMs);
}

export function stopWebhookWorker(): void {
  const w = store.__sandboxWebhookWorker;
  if (!w) return;
  w.stopped = true;
  if (w.timer) clearTimeout(w.timer);
  store.__sandboxWebhookWorker = undefined;
}

/** Runs the worker soon (after the caller's transaction has committed), if it is running. */
export function kickWebhookWorker(delayMs = 50): void {
  const w = store.__sandboxWebhookWorker;
  if (!w || w.stopped) return;
  if (w.running) w.kicked = true;
  else schedule(delayMs);
}

function schedule(delayMs: number): void {
  const w = store.__sandboxWebhookWorker;
  if (!w || w.stopped) return;
  if (w.timer) clearTimeout(w.timer);
  w.timer = setTimeout(() => void tick(w), delayMs);
  w.timer.unref();
}

async function tick(w: Worker): Promise<void> {
  if (w.stopped || w.running) return;
  w.running = true;
  w.kicked = false;
  w.timer = null;
  let again = false;
  try {
    const db = await getDb();
    const result = await processDueDeliveries(db, await sandboxNow(db));
    again = result.claimed > 0;
  } catch (error) {
    // The cause only: a failed query's message would carry its parameters (delivery bodies).
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    getLogger()
      .child({ component: "sandbox-webhooks" })
      .error({ err: cause instanceof Error ? cause.message : String(cause) }, "webhook delivery tick failed");
  } finally {
    w.running = false;
  }
  // A full batch may leave more due rows: go again at once rather than after the interval.
  schedule(again || w.kicked ? 0 : w.intervalMs);
}
