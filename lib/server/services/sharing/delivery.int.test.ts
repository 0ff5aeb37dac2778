import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shareDeliverySchema } from "@/lib/schemas/partner-api";
import type { ShareDto } from "@/lib/schemas/shares";
import { seal, tokenHash } from "@/lib/server/crypto/envelope";
import { auditEvents, partners, shareDeliveries, shares } from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import type { ServiceContext } from "@/lib/server/kernel";
import { testDriver } from "@/test/database";
import type { TestApp } from "@/test/sandbox-fixtures";
import { insertUser, type TestUser } from "@/test/session";
import { classify } from "./delivery";
import { createShare, DELIVERY_QUEUE, EXPIRY_QUEUE } from ".";
import {
  addPartner,
  captureLogs,
  connectApp,
  databaseText,
  mirroredSession,
  sharingWorld,
  startReceiver,
  type World,
} from "./shares.test-kit";
import { shareDeliveryJob, shareExpiryJob } from "@/lib/server/services/sharing";

let w: World;
let x: TestApp;
let xRow: string;
let officer: TestUser;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let logs: ReturnType<typeof captureLogs>;
const tokens: string[] = [];
const QUEUES = [DELIVERY_QUEUE, EXPIRY_QUEUE];

function ctx(now = new Date()): ServiceContext {
  return {
    db: w.t.db,
    actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" },
    now: () => now,
    requestId: "test",
    ip: null,
    userAgent: null,
  };
}

async function pushPartner(overrides: Record<string, unknown> = {}) {
  const target = await w.api.newApp("recipe", "Contoso");
  const partner = await addPartner(w.t.db, {
    applicationId: xRow,
    diditApplicationId: target.id,
    channel: "push",
    pushUrl: receiver.url,
    ...overrides,
  });
  return { ...partner, target };
}

async function pushShare(partnerId: string, ttlSeconds = 3600, now = new Date()): Promise<ShareDto> {
  const sessionId = await mirroredSession(w, x, xRow, "user", "Approved");
  return createShare(ctx(now), { sessionId, partnerId, ttlSeconds });
}

const rowOf = async (id: string) => (await w.t.db.select().from(shares).where(eq(shares.id, id)))[0]!;
const attemptsOf = (id: string) =>
  w.t.db
    .select()
    .from(shareDeliveries)
    .where(eq(shareDeliveries.shareId, id))
    .orderBy(asc(shareDeliveries.attempt));

beforeAll(async () => {
  w = await sharingWorld();
  logs = captureLogs();
  registerJobs([shareDeliveryJob, shareExpiryJob]);
  receiver = await startReceiver();
  x = await w.api.newApp("recipe", "Northwind Bank");
  xRow = await connectApp(w.t.db, x, "Northwind Bank");
  officer = await insertUser(w.t.db, "officer");
});

afterAll(async () => {
  logs?.restore();
  await receiver?.close();
  await w?.close();
});

describe(`push delivery (${testDriver()})`, () => {
  it("classifies answers: 2xx delivered, 4xx but 408/429 failed, the rest retried", () => {
    expect([200, 202, 204].map(classify)).toEqual(["delivered", "delivered", "delivered"]);
    expect([400, 401, 404, 410, 422].map(classify)).toEqual(Array(5).fill("failed"));
    expect([408, 429, 500, 502, 503, 301, null].map(classify)).toEqual(Array(7).fill("retry"));
  });

  it("POSTs a handoff.share.v1 body signed per Standard Webhooks; 2xx delivers and destroys the token", async () => {
    receiver.script([200]);
    const { id: partnerId, secret, target } = await pushPartner();
    const created = await pushShare(partnerId);
    expect(created).toMatchObject({ state: "pending", channel: "push" });
    const start = receiver.received.length;
    const run = await runDueJobs(w.t.db, { queues: [DELIVERY_QUEUE] });
    expect(run.done).toBe(1);
    const got = receiver.received.slice(start);
    expect(got).toHaveLength(1);
    const { headers, body } = got[0]!;
    // The receiver's check, with the package a partner would use.
    const verified = new Webhook(secret).verify(body, {
      "webhook-id": String(headers["webhook-id"]),
      "webhook-timestamp": String(headers["webhook-timestamp"]),
      "webhook-signature": String(headers["webhook-signature"]),
    });
    const parsed = shareDeliverySchema.parse(verified);
    tokens.push(parsed.share_token);
    expect(parsed).toMatchObject({
      type: "handoff.share.v1",
      share_id: created.id,
      session_kind: "user",
      from_application_id: x.id,
      for_application_id: target.id,
      expires_at: created.expiresAt,
      manifest: { status: "Approved", agreement_reference: "DSA-2026-001" },
    });
    expect(decodeJwt(parsed.share_token)).toMatchObject({
      session_id: created.sessionId,
      for_application_id: target.id,
    });
    expect(headers["content-type"]).toBe("application/json");
    expect(() =>
      new Webhook(`whsec_${Buffer.from("another secret of 32 bytes....!!").toString("base64")}`).verify(
        body,
        {
          "webhook-id": String(headers["webhook-id"]),
          "webhook-timestamp": String(headers["webhook-timestamp"]),
          "webhook-signature": String(headers["webhook-signature"]),
        },
      ),
    ).toThrow();

    const row = await rowOf(created.id);
    expect(row).toMatchObject({ state: "delivered", tokenCiphertext: null, attempts: 1, lastError: null });
    expect(row.tokenHash).toBe(tokenHash(parsed.share_token));
    const attempts = await attemptsOf(created.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: "delivered", httpStatus: 200, channel: "push", attempt: 1 });
    const actions = (
      await w.t.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.entityId, created.id))
        .orderBy(asc(auditEvents.seq))
    ).map((e) => e.action);
    expect(actions).toEqual(["share.created", "share.delivered"]);
    // Done: nothing left to run for it.
    expect((await runDueJobs(w.t.db, { queues: [DELIVERY_QUEUE] })).claimed).toBe(0);
  });

  it("5xx then 2xx: retried with a fresh webhook-id, then delivered", async () => {
    receiver.script([503, 200]);
    const { id: partnerId } = await pushPartner();
    const t0 = new Date();
    const created = await pushShare(partnerId, 3600, t0);
    const start = receiver.received.length;
    const first = await runDueJobs(w.t.db, { now: t0, queues: [DELIVERY_QUEUE] });
    expect(first.retrying).toBe(1);
    let row = await rowOf(created.id);
    expect(row).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "HTTP 503 from the partner's inbox",
    });
    expect(row.tokenCiphertext).not.toBeNull();
    // Not yet due: the backoff holds it.
    expect((await runDueJobs(w.t.db, { now: t0, queues: [DELIVERY_QUEUE] })).claimed).toBe(0);
    const second = await runDueJobs(w.t.db, {
      now: new Date(t0.getTime() + 60_000),
      queues: [DELIVERY_QUEUE],
    });
    expect(second.done).toBe(1);
    row = await rowOf(created.id);
    expect(row).toMatchObject({ state: "delivered", attempts: 2, tokenCiphertext: null, lastError: null });
    const attempts = await attemptsOf(created.id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, "retrying", 503],
      [2, "delivered", 200],
    ]);
    const got = receiver.received.slice(start);
    expect(got).toHaveLength(2);
    expect(got[0]!.headers["webhook-id"]).not.toBe(got[1]!.headers["webhook-id"]);
    // The same token both times: the receiver dedupes on its hash.
    expect(JSON.parse(got[0]!.body).share_token).toBe(JSON.parse(got[1]!.body).share_token);
    tokens.push(JSON.parse(got[0]!.body).share_token as string);
  });

  it("400 fails for good: the token is destroyed and nothing is retried", async () => {
    receiver.script([400]);
    const { id: partnerId } = await pushPartner();
    const created = await pushShare(partnerId);
    const start = receiver.received.length;
    await runDueJobs(w.t.db, { queues: [DELIVERY_QUEUE] });
    const row = await rowOf(created.id);
    expect(row).toMatchObject({
      state: "failed",
      tokenCiphertext: null,
      attempts: 1,
      lastError: "HTTP 400 from the partner's inbox",
    });
    const later = await runDueJobs(w.t.db, {
      now: new Date(Date.now() + 3_000_000),
      queues: [DELIVERY_QUEUE],
    });
    expect(later.claimed).toBe(0);
    expect(receiver.received.length - start).toBe(1);
    const actions = (
      await w.t.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.entityId, created.id))
        .orderBy(asc(auditEvents.seq))
    ).map((e) => e.action);
    expect(actions).toEqual(["share.created", "share.delivery_failed"]);
    tokens.push(JSON.parse(receiver.received.at(-1)!.body).share_token as string);
  });

  it("retries stop at exp: no attempt after it, and the share expires with its token destroyed", async () => {
    receiver.script([503]);
    const { id: partnerId } = await pushPartner();
    const t0 = new Date();
    const created = await pushShare(partnerId, 60, t0);
    const exp = new Date(created.expiresAt);
    const start = receiver.received.length;
    for (let s = 0; s <= 120; s += 10) {
      await runDueJobs(w.t.db, { now: new Date(t0.getTime() + s * 1000), queues: QUEUES });
    }
    const attempts = await attemptsOf(created.id);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.every((a) => a.startedAt < exp)).toBe(true);
    expect(receiver.received.length - start).toBe(attempts.length);
    const row = await rowOf(created.id);
    expect(row).toMatchObject({ state: "expired", tokenCiphertext: null });
    const [job] = await w.t.db
      .select()
      .from(jobs)
      .where(eq(jobs.queue, DELIVERY_QUEUE))
      .orderBy(asc(jobs.createdAt));
    expect(job).toBeTruthy();
    tokens.push(JSON.parse(receiver.received.at(-1)!.body).share_token as string);
  });

  it("an unreachable inbox is retried (the error names no secret)", async () => {
    const { id: partnerId } = await pushPartner({ pushUrl: "http://127.0.0.1:9/inbox" });
    const created = await pushShare(partnerId);
    const run = await runDueJobs(w.t.db, { queues: [DELIVERY_QUEUE] });
    expect(run.retrying).toBe(1);
    const row = await rowOf(created.id);
    expect(row.state).toBe("pending");
    expect(row.lastError).toMatch(/could not reach the partner's inbox/);
  });

  it("a partner suspended after the share: the delivery fails without sending", async () => {
    receiver.script([200]);
    const { id: partnerId } = await pushPartner();
    const created = await pushShare(partnerId);
    await w.t.db.update(partners).set({ status: "suspended" }).where(eq(partners.id, partnerId));
    const start = receiver.received.length;
    await runDueJobs(w.t.db, { queues: [DELIVERY_QUEUE] });
    expect(receiver.received.length).toBe(start);
    expect(await rowOf(created.id)).toMatchObject({ state: "failed", tokenCiphertext: null });
  });

  it("a stored token that no longer decrypts fails for good without sending", async () => {
    receiver.script([200]);
    const { id: partnerId } = await pushPartner();
    const created = await pushShare(partnerId);
    // Sealed to another row: it cannot be opened as this share's token.
    await w.t.db
      .update(shares)
      .set({ tokenCiphertext: seal("not this one", randomUUID()) })
      .where(eq(shares.id, created.id));
    const start = receiver.received.length;
    const run = await runDueJobs(w.t.db, { queues: [DELIVERY_QUEUE] });
    expect(run.done).toBe(1);
    expect(receiver.received.length).toBe(start);
    const row = await rowOf(created.id);
    expect(row).toMatchObject({ state: "failed", tokenCiphertext: null });
    expect(row.lastError).toMatch(/cannot be decrypted/);
  });

  it("a push partner without an inbox URL is refused before Didit mints anything", async () => {
    const { id: partnerId } = await pushPartner({ pushUrl: null });
    w.diditCalls.count = 0;
    await expect(pushShare(partnerId)).rejects.toMatchObject({ code: "conflict" });
    expect(w.diditCalls.count).toBe(0);
  });

  it("no token in the database, the logs or the job rows", async () => {
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    const everything = (await databaseText(w.t.db)) + logs.text();
    for (const token of tokens) expect(everything).not.toContain(token.split(".")[2]!);
  });
});
