import { createHmac, randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as deliveriesRoute } from "@/app/sandbox/admin/webhook-deliveries/route";
import { getEnv } from "@/lib/env";
import { sandboxWebhookDeliveries, sandboxWebhookDestinations } from "@/lib/server/sandbox/schema";
import { createApplication, type CreatedApplication } from "@/lib/server/sandbox/applications";
import type { SessionKind, SessionStatus } from "@/lib/server/didit-wire";
import type { StoredSession } from "@/lib/server/sandbox/types";
import { createDestination, updateDestination } from "@/lib/server/sandbox/webhook-destinations";
import { jobs } from "@/lib/server/db/schema/jobs";
import { createJobWorker, retryDeadJob, runDueJobs } from "@/lib/server/jobs";
import { adminSetClock } from "@/lib/server/sandbox/admin";
import { setClockOffset } from "@/lib/server/sandbox/clock";
import {
  enqueueStatusUpdated,
  registerWebhookDeliveryHandler,
  WEBHOOK_DELIVERY_QUEUE,
} from "@/lib/server/sandbox/webhooks";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from "@/test/webhook-receiver";

// ---------------------------------------------------------------------------------------------
// An independent canonical serialiser (Python's json.dumps(sort_keys=True, separators=(",", ":"))
// after shortening whole floats), written here so the test does not trust the code under test.

function codePointCompare(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function quoteString(s: string, ascii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (cp < 0x20 || (ascii && cp > 0x7e)) {
      if (cp > 0xffff) {
        const v = cp - 0x10000;
        out += `\\u${(0xd800 + (v >> 10)).toString(16)}\\u${(0xdc00 + (v & 0x3ff)).toString(16)}`;
      } else out += `\\u${cp.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return out + '"';
}

function canonical(value: unknown, ascii: boolean): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (typeof value === "string") return quoteString(value, ascii);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, ascii)).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort(codePointCompare);
  return `{${keys.map((k) => `${quoteString(k, ascii)}:${canonical(obj[k], ascii)}`).join(",")}}`;
}

const hmac = (secret: string, data: string | Buffer) =>
  createHmac("sha256", secret).update(data).digest("hex");

// ---------------------------------------------------------------------------------------------

let t: TestDatabase;
let receiver: WebhookReceiver;
let recipeApp: CreatedApplication;
let specApp: CreatedApplication;
let recipeSecret: string;
let specSecret: string;

const T0 = new Date("2026-11-26T10:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const sec = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Runs the delivery jobs due at `now` (the sandbox clock; its offset is 0 here) once, as the job
 * worker would, and counts the outcomes in the delivery log's terms.
 */
async function processDueDeliveries(now: Date, options: { limit?: number; timeoutMs?: number } = {}) {
  if (options.timeoutMs) registerWebhookDeliveryHandler({ timeoutMs: options.timeoutMs });
  try {
    const r = await runDueJobs(t.db, { now, limit: options.limit, queues: [WEBHOOK_DELIVERY_QUEUE] });
    return { claimed: r.claimed, delivered: r.done, retrying: r.retrying, failed: r.dead };
  } finally {
    if (options.timeoutMs) registerWebhookDeliveryHandler();
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  registerWebhookDeliveryHandler();
  receiver = await startWebhookReceiver();
  recipeApp = await createApplication(t.db, { name: "Receiver recipe", profile: "recipe" });
  specApp = await createApplication(t.db, { name: "Receiver spec", profile: "spec" });
  recipeSecret = (
    await createDestination(
      t.db,
      recipeApp.application_id,
      { label: "main", url: receiver.url("/recipe"), subscribed_events: ["status.updated"] },
      T0,
    )
  ).secret_shared_key!;
  specSecret = (
    await createDestination(
      t.db,
      specApp.application_id,
      { url: receiver.url("/spec"), subscribed_events: ["status.updated", "data.updated"] },
      T0,
    )
  ).secret_shared_key!;
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});
afterEach(async () => {
  // Each test drives its own deliveries to the end; nothing pending may leak into the next one.
  await t.db
    .update(sandboxWebhookDeliveries)
    .set({ state: "failed" })
    .where(eq(sandboxWebhookDeliveries.state, "pending"));
  await t.db
    .update(jobs)
    .set({ state: "dead" })
    .where(and(eq(jobs.queue, WEBHOOK_DELIVERY_QUEUE), inArray(jobs.state, ["pending", "running"])));
  receiver.received.length = 0;
});

function session(
  app: CreatedApplication,
  kind: SessionKind,
  status: SessionStatus,
  payload: Record<string, unknown> = {},
): StoredSession {
  return {
    id: randomUUID(),
    applicationId: app.application_id,
    number: 7,
    kind,
    status,
    workflowId: app.workflows[kind],
    vendorData: "vendor-Zoë",
    createdAt: at(-3600),
    expiresAt: null,
    sharedFromSession: null,
    summary: {
      full_name: kind === "user" ? "Zoë Ñandú" : null,
      document_type: null,
      country: "ESP",
      company_name: kind === "business" ? "Ñandú Labs S.L." : null,
      registration_number: null,
      features: [],
    },
    payload,
    reviews: [],
  };
}

async function enqueue(s: StoredSession, now = T0) {
  await t.db.transaction((tx) =>
    enqueueStatusUpdated(tx, {
      applicationId: s.applicationId,
      session: s,
      now,
      origin: "http://sandbox.test",
    }),
  );
}

const jobOf = async (deliveryId: string) =>
  (
    await t.db
      .select()
      .from(jobs)
      .where(
        and(eq(jobs.queue, WEBHOOK_DELIVERY_QUEUE), sql`${jobs.payload} ->> 'deliveryId' = ${deliveryId}`),
      )
  )[0];

const deliveriesOf = (sessionId: string) =>
  t.db.select().from(sandboxWebhookDeliveries).where(eq(sandboxWebhookDeliveries.sessionId, sessionId));

function verify(req: ReceivedRequest, secret: string) {
  const raw = req.raw;
  const text = raw.toString("utf8");
  const parsed = JSON.parse(text) as Record<string, unknown>;
  // The bytes on the wire are exactly the canonical serialisation (keys sorted, compact, UTF-8).
  expect(text).toBe(canonical(parsed, false));
  expect(req.headers["x-signature-v2"]).toBe(hmac(secret, raw));
  expect(req.headers["x-signature-v2"]).toBe(hmac(secret, canonical(parsed, false)));
  expect(req.headers["x-signature"]).toBe(hmac(secret, canonical(parsed, true)));
  expect(req.headers["x-signature-simple"]).toBe(
    hmac(secret, `${parsed.timestamp}:${parsed.session_id}:${parsed.status}:${parsed.webhook_type}`),
  );
  expect(req.headers["x-timestamp"]).toBe(String(parsed.timestamp));
  expect(req.headers["content-type"]).toBe("application/json");
  return parsed;
}

describe(`webhook delivery (${testDriver()})`, () => {
  it("posts the signed status.updated event to a real loopback receiver", async () => {
    const s = session(recipeApp, "user", "Approved", {
      face_matches: [
        {
          score: 95.4,
          whole: 100.0,
          big: 1e21,
          half: 0.5,
          negative: -12.75,
          by_rank: { "10": "ten", "2": "two", "9": "nine" },
          name: "Zoë Ñandú 山田太郎 😀",
          quote: 'He said "hi"\n',
        },
      ],
    });
    await enqueue(s);
    const result = await processDueDeliveries(T0);
    expect(result).toEqual({ claimed: 1, delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const req = receiver.received[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/recipe");
    const body = verify(req, recipeSecret);
    const text = req.raw.toString("utf8");
    // Non-ASCII written literally in the body and V2, escaped for X-Signature: they differ.
    expect(text).toContain("山田太郎 😀");
    expect(req.headers["x-signature"]).not.toBe(req.headers["x-signature-v2"]);
    // Integer-like keys in code-point order, whole floats as integers, fractions kept.
    expect(text).toContain('"by_rank":{"10":"ten","2":"two","9":"nine"}');
    expect(text).toContain('"whole":100}');
    expect(text).toContain('"big":1000000000000000000000,');
    expect(text).toContain('"score":95.4');
    expect(text).toContain('"negative":-12.75');

    expect(Object.keys(body)).toEqual([
      "application_id",
      "created_at",
      "decision",
      "environment",
      "event_id",
      "metadata",
      "session_id",
      "status",
      "timestamp",
      "vendor_data",
      "webhook_type",
      "workflow_id",
      "workflow_version",
    ]);
    expect(body).toMatchObject({
      application_id: recipeApp.application_id,
      created_at: sec(T0),
      timestamp: sec(T0),
      environment: "sandbox",
      metadata: null,
      session_id: s.id,
      status: "Approved",
      vendor_data: "vendor-Zoë",
      webhook_type: "status.updated",
      workflow_id: recipeApp.workflows.user,
      workflow_version: 1,
    });
    expect(body.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const decision = body.decision as Record<string, unknown>;
    expect(decision).toMatchObject({ session_id: s.id, status: "Approved", session_kind: "user" });
    expect((decision.face_matches as { score: number }[])[0]!.score).toBe(95.4);

    const [row] = await deliveriesOf(s.id);
    expect(row).toMatchObject({ state: "delivered", attempts: 1, lastStatusCode: 200, lastError: null });
    expect(row!.deliveredAt?.toISOString()).toBe(T0.toISOString());
    expect(row!.body).toBe(text);
  });

  it("KYB events carry session_kind and the status as each profile renders it", async () => {
    const recipeKyb = session(recipeApp, "business", "In Review");
    const specKyb = session(specApp, "business", "In Review");
    await enqueue(recipeKyb);
    await enqueue(specKyb);
    await processDueDeliveries(T0);
    const byPath = new Map(receiver.received.map((r) => [r.path, r]));
    const recipeBody = verify(byPath.get("/recipe")!, recipeSecret);
    const specBody = verify(byPath.get("/spec")!, specSecret);
    expect(recipeBody).toMatchObject({ session_kind: "business", status: "IN_REVIEW" });
    expect(specBody).toMatchObject({ session_kind: "business", status: "In Review" });
    expect((recipeBody.decision as { status: string }).status).toBe("IN_REVIEW");
    // A KYC event has no session_kind at the top level.
    await enqueue(session(specApp, "user", "Declined"));
    await processDueDeliveries(T0);
    const kyc = verify(receiver.received.at(-1)!, specSecret);
    expect(kyc).not.toHaveProperty("session_kind");
    expect(kyc.status).toBe("Declined");
  });

  it("queues only for enabled destinations subscribed to status.updated, and not on rollback", async () => {
    const app = await createApplication(t.db, { name: "Selective", profile: "recipe" });
    const on = await createDestination(
      t.db,
      app.application_id,
      { url: receiver.url("/on"), subscribed_events: ["status.updated"] },
      T0,
    );
    await createDestination(
      t.db,
      app.application_id,
      { url: receiver.url("/data-only"), subscribed_events: ["data.updated"] },
      T0,
    );
    await createDestination(
      t.db,
      app.application_id,
      { url: receiver.url("/off"), subscribed_events: ["status.updated"], enabled: false },
      T0,
    );
    const s = session(app, "user", "Declined");
    await enqueue(s);
    const rows = await deliveriesOf(s.id);
    expect(rows.map((r) => r.destinationId)).toEqual([on.uuid]);
    expect(rows[0]!.headers["X-Signature-V2"]).toBe(hmac(on.secret_shared_key!, rows[0]!.body));

    const rolledBack = session(app, "user", "Approved");
    await expect(
      t.db.transaction(async (tx) => {
        await enqueueStatusUpdated(tx, { applicationId: app.application_id, session: rolledBack, now: T0 });
        throw new Error("the status change failed");
      }),
    ).rejects.toThrow("the status change failed");
    expect(await deliveriesOf(rolledBack.id)).toHaveLength(0);
    // The committed change wrote its delivery and its job; the rolled-back one neither.
    expect(await jobOf(rows[0]!.id)).toMatchObject({
      state: "pending",
      payload: { deliveryId: rows[0]!.id },
    });
    const [queued] = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(and(eq(jobs.queue, WEBHOOK_DELIVERY_QUEUE), eq(jobs.state, "pending")));
    expect(Number(queued!.n)).toBe(1);
    await processDueDeliveries(T0);
    expect(receiver.received.map((r) => r.path)).toEqual(["/on"]);
  });

  it("retries after 60 s and 240 s more: 500, 500, then 200 is delivered at t+300 s", async () => {
    const s = session(recipeApp, "user", "Approved");
    await enqueue(s);
    receiver.respond(500, 500, 200);
    expect(await processDueDeliveries(T0)).toMatchObject({ claimed: 1, retrying: 1 });
    let [row] = await deliveriesOf(s.id);
    expect(row).toMatchObject({ state: "pending", attempts: 1, lastStatusCode: 500, lastError: "HTTP 500" });
    expect(row!.nextAttemptAt?.toISOString()).toBe(at(60).toISOString());

    expect(await processDueDeliveries(at(59))).toMatchObject({ claimed: 0 });
    expect(await processDueDeliveries(at(60))).toMatchObject({ claimed: 1, retrying: 1 });
    [row] = await deliveriesOf(s.id);
    expect(row!.nextAttemptAt?.toISOString()).toBe(at(300).toISOString());

    expect(await processDueDeliveries(at(299))).toMatchObject({ claimed: 0 });
    expect(await processDueDeliveries(at(300))).toMatchObject({ claimed: 1, delivered: 1 });
    [row] = await deliveriesOf(s.id);
    expect(row).toMatchObject({ state: "delivered", attempts: 3, lastStatusCode: 200, lastError: null });
    expect(row!.nextAttemptAt).toBeNull();
    // One job carried the delivery through its three attempts, on Didit's schedule.
    expect(await jobOf(row!.id)).toMatchObject({
      state: "done",
      attempts: 3,
      maxAttempts: 3,
      backoff: { kind: "fixed", delaysMs: [60_000, 240_000] },
    });
    expect(row!.attemptLog.map((a) => [a.at, a.statusCode])).toEqual([
      [T0.toISOString(), 500],
      [at(60).toISOString(), 500],
      [at(300).toISOString(), 200],
    ]);

    // Three requests, one event: same event_id and created_at, each stamped and signed when sent.
    expect(receiver.received).toHaveLength(3);
    const bodies = receiver.received.map((r) => verify(r, recipeSecret));
    expect(new Set(bodies.map((b) => b.event_id)).size).toBe(1);
    expect(bodies.map((b) => b.created_at)).toEqual([sec(T0), sec(T0), sec(T0)]);
    expect(bodies.map((b) => b.timestamp)).toEqual([sec(T0), sec(at(60)), sec(at(300))]);
    expect(receiver.received.map((r) => r.headers["x-timestamp"])).toEqual(
      [T0, at(60), at(300)].map((d) => String(sec(d))),
    );
  });

  it("marks the delivery failed after three 5xx answers and never sends it again", async () => {
    const s = session(recipeApp, "user", "Declined");
    await enqueue(s);
    receiver.respond(503, 502, 500);
    await processDueDeliveries(T0);
    await processDueDeliveries(at(60));
    expect(await processDueDeliveries(at(300))).toMatchObject({ claimed: 1, failed: 1 });
    const [row] = await deliveriesOf(s.id);
    expect(row).toMatchObject({ state: "failed", attempts: 3, lastStatusCode: 500, nextAttemptAt: null });
    expect(row!.attemptLog.map((a) => a.statusCode)).toEqual([503, 502, 500]);
    // Its job is dead-lettered with the last error.
    expect(await jobOf(row!.id)).toMatchObject({ state: "dead", attempts: 3, lastError: "HTTP 500" });
    expect(await processDueDeliveries(at(100_000))).toMatchObject({ claimed: 0 });
    expect(receiver.received).toHaveLength(3);
  });

  it("treats a 4xx as final, except 408 and 429 which are retried", async () => {
    const final = session(recipeApp, "user", "Approved");
    await enqueue(final);
    receiver.respond(400);
    expect(await processDueDeliveries(T0)).toMatchObject({ failed: 1 });
    const [finalRow] = await deliveriesOf(final.id);
    expect(finalRow).toMatchObject({ state: "failed", attempts: 1, lastStatusCode: 400 });
    expect(await jobOf(finalRow!.id)).toMatchObject({ state: "dead", attempts: 1, lastError: "HTTP 400" });

    const throttled = session(recipeApp, "user", "Approved");
    await enqueue(throttled);
    receiver.respond(429, 408, 204);
    await processDueDeliveries(T0);
    await processDueDeliveries(at(60));
    await processDueDeliveries(at(300));
    const [row] = await deliveriesOf(throttled.id);
    expect(row).toMatchObject({ state: "delivered", attempts: 3, lastStatusCode: 204 });
  });

  it("retries on a timeout and on a refused connection, recording the error and duration", async () => {
    const app = await createApplication(t.db, { name: "Flaky", profile: "recipe" });
    await createDestination(
      t.db,
      app.application_id,
      { url: receiver.url("/slow"), subscribed_events: ["status.updated"] },
      T0,
    );
    const slow = session(app, "user", "Approved");
    await enqueue(slow);
    receiver.respond("hang");
    expect(await processDueDeliveries(T0, { timeoutMs: 300 })).toMatchObject({ retrying: 1 });
    const [row] = await deliveriesOf(slow.id);
    expect(row).toMatchObject({ state: "pending", lastStatusCode: null, lastError: "timeout after 300 ms" });
    expect(row!.attemptLog[0]!.durationMs).toBeGreaterThanOrEqual(250);

    const closed = await startWebhookReceiver();
    const url = closed.url("/gone");
    await closed.close();
    const refused = await createApplication(t.db, { name: "Refused", profile: "recipe" });
    await createDestination(t.db, refused.application_id, { url, subscribed_events: ["status.updated"] }, T0);
    const s = session(refused, "user", "Approved");
    await enqueue(s);
    expect(await processDueDeliveries(T0)).toMatchObject({ retrying: 1 });
    expect((await deliveriesOf(s.id))[0]!.lastError).toBe("network error: ECONNREFUSED");
  });

  it("fails queued deliveries whose destination was deleted or disabled, without sending", async () => {
    const app = await createApplication(t.db, { name: "Removed", profile: "recipe" });
    const dest = await createDestination(
      t.db,
      app.application_id,
      { url: receiver.url("/removed"), subscribed_events: ["status.updated"] },
      T0,
    );
    const s1 = session(app, "user", "Approved");
    await enqueue(s1);
    await t.db
      .update(sandboxWebhookDestinations)
      .set({ enabled: false })
      .where(eq(sandboxWebhookDestinations.id, dest.uuid));
    await processDueDeliveries(T0);
    expect((await deliveriesOf(s1.id))[0]).toMatchObject({
      state: "failed",
      lastError: "destination disabled",
    });
    // Final at once: the job is dead after one attempt. Retried from the dead-letter list after the
    // destination is deleted, it fails again for that reason.
    const [row] = await deliveriesOf(s1.id);
    const job = await jobOf(row!.id);
    expect(job).toMatchObject({ state: "dead", attempts: 1, lastError: "destination disabled" });
    await t.db.delete(sandboxWebhookDestinations).where(eq(sandboxWebhookDestinations.id, dest.uuid));
    expect(await retryDeadJob(t.db, { id: job!.id, now: T0 })).toBe("retried");
    await processDueDeliveries(T0);
    expect((await deliveriesOf(s1.id))[0]).toMatchObject({
      state: "failed",
      lastError: "destination deleted",
    });
    expect(receiver.received).toHaveLength(0);
  });

  it("sends a retry to the destination's current URL after a PATCH", async () => {
    const app = await createApplication(t.db, { name: "Moved", profile: "recipe" });
    const dest = await createDestination(
      t.db,
      app.application_id,
      { url: receiver.url("/old"), subscribed_events: ["status.updated"] },
      T0,
    );
    const s = session(app, "user", "Approved");
    await enqueue(s);
    receiver.respond(500);
    await processDueDeliveries(T0);
    await updateDestination(t.db, app.application_id, dest.uuid, { url: receiver.url("/new") }, at(10));
    await processDueDeliveries(at(60));
    expect(receiver.received.map((r) => r.path)).toEqual(["/old", "/new"]);
    verify(receiver.received[1]!, dest.secret_shared_key!);
    expect((await deliveriesOf(s.id))[0]).toMatchObject({ state: "delivered", url: receiver.url("/new") });
  });

  it("runs on the wall clock while stamping the sandbox clock when the clock is moved", async () => {
    await setClockOffset(t.db, 3600);
    try {
      const s = session(recipeApp, "user", "Approved");
      // T0 on the sandbox clock is T0 − 1 h on the wall clock: the job is due then.
      await enqueue(s, T0);
      const [row] = await deliveriesOf(s.id);
      expect((await jobOf(row!.id))!.runAt.toISOString()).toBe(at(-3600).toISOString());
      receiver.respond(500, 200);
      expect(await processDueDeliveries(at(-3601))).toMatchObject({ claimed: 0 });
      expect(await processDueDeliveries(at(-3600))).toMatchObject({ claimed: 1, retrying: 1 });
      const [pending] = await deliveriesOf(s.id);
      expect(pending!.nextAttemptAt?.toISOString()).toBe(at(60).toISOString());
      expect(await processDueDeliveries(at(-3540))).toMatchObject({ claimed: 1, delivered: 1 });
      const bodies = receiver.received.map((r) => verify(r, recipeSecret));
      expect(bodies.map((b) => b.timestamp)).toEqual([sec(T0), sec(at(60))]);
      expect((await deliveriesOf(s.id))[0]!.attemptLog.map((a) => a.at)).toEqual([
        T0.toISOString(),
        at(60).toISOString(),
      ]);
    } finally {
      await setClockOffset(t.db, 0);
    }
  });

  it("sends a pending retry at once when the sandbox clock is moved past it, as Didit's clock would", async () => {
    const s = session(recipeApp, "user", "Approved");
    await enqueue(s);
    receiver.respond(500, 200);
    expect(await processDueDeliveries(T0)).toMatchObject({ retrying: 1 });
    expect(await processDueDeliveries(at(1))).toMatchObject({ claimed: 0 });
    try {
      // +60 s on the sandbox clock: the retry due at T0 + 60 s (sandbox time) is due now.
      expect(await adminSetClock(t.db, { offset_seconds: 60 })).toMatchObject({ offset_seconds: 60 });
      expect(await processDueDeliveries(at(1))).toMatchObject({ claimed: 1, delivered: 1 });
      const [, retry] = receiver.received.map((r) => verify(r, recipeSecret));
      expect(retry!.timestamp).toBe(sec(at(61)));
    } finally {
      await adminSetClock(t.db, { offset_seconds: 0 });
    }
  });

  it("is sent by a running job worker soon after the commit", async () => {
    const worker = createJobWorker(t.db, { pollIntervalMs: 50, queues: [WEBHOOK_DELIVERY_QUEUE] });
    const s = session(recipeApp, "user", "Approved");
    try {
      await enqueue(s, new Date());
      const deadline = Date.now() + 10_000;
      while (receiver.received.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await worker.stop();
    }
    expect(receiver.received).toHaveLength(1);
    expect(verify(receiver.received[0]!, recipeSecret).session_id).toBe(s.id);
    expect((await deliveriesOf(s.id))[0]).toMatchObject({ state: "delivered", attempts: 1 });
  });

  it("lets concurrent workers share the due rows: every event is sent exactly once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const s = session(recipeApp, "user", "Approved");
      ids.push(s.id);
      await enqueue(s);
    }
    const results = await Promise.all([
      processDueDeliveries(T0, { limit: 5 }),
      processDueDeliveries(T0, { limit: 5 }),
      processDueDeliveries(T0, { limit: 5 }),
    ]);
    let claimed = results.reduce((n, r) => n + r.claimed, 0);
    while (claimed < 12) {
      const more = await processDueDeliveries(T0, { limit: 5 });
      if (more.claimed === 0) break;
      claimed += more.claimed;
    }
    expect(claimed).toBe(12);
    const sessions = receiver.received.map(
      (r) => (JSON.parse(r.raw.toString("utf8")) as { session_id: string }).session_id,
    );
    expect(sessions.sort()).toEqual([...ids].sort());
    const [pending] = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(sandboxWebhookDeliveries)
      .where(eq(sandboxWebhookDeliveries.state, "pending"));
    expect(Number(pending!.n)).toBe(0);
  });
});

describe(`admin delivery log (${testDriver()})`, () => {
  const call = async (query: string, token: string | null = getEnv().SANDBOX_ADMIN_TOKEN ?? null) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await deliveriesRoute(
      new Request(`http://sandbox.test/sandbox/admin/webhook-deliveries${query}`, { headers }),
      { params: Promise.resolve({}) },
    );
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, text };
  };

  it("lists an application's deliveries newest first with attempts, headers and paging, never the secret", async () => {
    const app = await createApplication(t.db, { name: "Logged", profile: "recipe" });
    const dest = await createDestination(
      t.db,
      app.application_id,
      { url: receiver.url("/logged"), subscribed_events: ["status.updated"] },
      T0,
    );
    const sessions = [0, 1, 2].map(() => session(app, "user", "Approved"));
    for (const [i, s] of sessions.entries()) await enqueue(s, at(i));
    receiver.respond(500);
    await processDueDeliveries(at(5));

    const page1 = await call(`?application_id=${app.application_id}&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.json.count).toBe(3);
    const results = page1.json.results as Record<string, unknown>[];
    expect(results.map((r) => r.session_id)).toEqual([sessions[2]!.id, sessions[1]!.id]);
    expect(page1.json.next).toBe(
      `http://sandbox.test/sandbox/admin/webhook-deliveries?application_id=${app.application_id}&limit=2&offset=2`,
    );
    expect(page1.json.previous).toBeNull();
    const first = results[0]!;
    expect(first).toMatchObject({
      event: "status.updated",
      url: receiver.url("/logged"),
      destination_id: dest.uuid,
      attempts: 1,
    });
    expect(first.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(first.headers as object).sort()).toEqual([
      "Content-Type",
      "X-Signature",
      "X-Signature-Simple",
      "X-Signature-V2",
      "X-Timestamp",
    ]);
    expect((first.attempt_log as unknown[]).length).toBe(1);
    expect(page1.text).not.toContain(dest.secret_shared_key!);

    const page2 = await call(`?application_id=${app.application_id}&limit=2&offset=2`);
    expect((page2.json.results as { session_id: string }[]).map((r) => r.session_id)).toEqual([
      sessions[0]!.id,
    ]);
    expect(page2.json.next).toBeNull();
    expect(page2.json.previous).toBe(
      `http://sandbox.test/sandbox/admin/webhook-deliveries?application_id=${app.application_id}&limit=2`,
    );
    // One of the three got the 500 and is retrying; its state and status code show it.
    const all = (await call(`?application_id=${app.application_id}`)).json.results as Record<
      string,
      unknown
    >[];
    expect(all.filter((r) => r.state === "pending").map((r) => r.status_code)).toEqual([500]);
    expect(all.filter((r) => r.state === "delivered")).toHaveLength(2);
  });

  it("refuses a missing or invalid application_id (400), an unknown one (404) and a bad token (401)", async () => {
    expect(await call("")).toMatchObject({
      status: 400,
      json: { application_id: ["This field is required."] },
    });
    expect(await call("?application_id=nope")).toMatchObject({
      status: 400,
      json: { application_id: ["Must be a valid UUID."] },
    });
    expect((await call(`?application_id=${recipeApp.application_id}&limit=0`)).status).toBe(400);
    expect((await call("?application_id=00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await call(`?application_id=${recipeApp.application_id}`, null)).status).toBe(401);
    expect(
      (await call(`?application_id=${recipeApp.application_id}`, "wrong-token-wrong-token-wrong")).status,
    ).toBe(401);
  });
});
