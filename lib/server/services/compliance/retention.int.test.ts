import { randomUUID } from "node:crypto";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as appById from "@/app/api/applications/[id]/route";
import * as retentionRoute from "@/app/api/applications/[id]/retention/route";
import * as runRoute from "@/app/api/applications/[id]/retention/run/route";
import * as sessionsRoute from "@/app/api/sessions/route";
import type { ApplicationDto, RetentionRunDto } from "@/lib/schemas/applications";
import type { SessionListResponse } from "@/lib/schemas/sessions";
import { seal } from "@/lib/server/crypto/envelope";
import { auditEvents, connectedApplications, inboxItems, jobs, sessionMirror } from "@/lib/server/db/schema";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";
import { verifyAuditChain } from "@/lib/server/services/audit/audit";
import { RETENTION_BATCH, RETENTION_QUEUE, scheduleRetention } from "./retention";
import { upsertMirrorRows } from "@/lib/server/services/sessions/mirror";
import { retentionJob } from "@/lib/server/services/compliance";

type Handler = (req: Request, ctx?: { params?: Promise<object> }) => Promise<Response>;

const DAY = 86_400_000;
const NAME = "Grace Hopperton";
let t: TestDatabase;
let admin: TestUser;
let officer: TestUser;
let appA: string;
let appB: string;
const now = new Date();
const oldA: string[] = [];
const youngA: string[] = [];
const oldB: string[] = [];
const OLD_A_COUNT = RETENTION_BATCH * 2 + 37; // three batches

async function call<T = Record<string, unknown>>(
  handler: Handler,
  req: Promise<Request>,
  params: object = {},
) {
  const res = await handler(await req, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function insertApp(name: string): Promise<string> {
  const id = randomUUID();
  await t.db.insert(connectedApplications).values({
    id,
    name,
    diditApplicationId: randomUUID(),
    environment: "sandbox",
    apiKeyCiphertext: seal(`key-${id}`, id),
    apiKeyLast4: "abcd",
  });
  return id;
}

async function insertMirror(applicationId: string, n: number, ageDays: number, into: string[]) {
  const rows = Array.from({ length: n }, (_, i) => {
    const sessionId = randomUUID();
    into.push(sessionId);
    return {
      applicationId,
      diditSessionId: sessionId,
      sessionNumber: 1000 + into.length,
      kind: "user" as const,
      status: "Approved",
      vendorData: `customer-${i}`,
      displayName: NAME,
      country: "GBR",
      documentType: "Passport",
      diditCreatedAt: new Date(now.getTime() - ageDays * DAY - i * 1000),
      searchText: NAME.toLowerCase(),
    };
  });
  for (let i = 0; i < rows.length; i += 500) await t.db.insert(sessionMirror).values(rows.slice(i, i + 500));
}

async function insertInbox(
  applicationId: string,
  ageDays: number,
  state: "imported" | "pending" | "rejected",
) {
  const [row] = await t.db
    .insert(inboxItems)
    .values({
      applicationId,
      source: "paste",
      tokenHash: randomUUID(),
      tokenCiphertext: state === "pending" ? "sealed-token" : null,
      claims: { session_id: randomUUID() },
      manifest: {
        session_number: 7,
        status: "Approved",
        created_at: null,
        features: [],
        agreement_reference: null,
      },
      sessionKind: "user",
      sourceSessionId: randomUUID(),
      fromApplicationId: randomUUID(),
      expiresAt: new Date(now.getTime() + DAY),
      state,
      receivedAt: new Date(now.getTime() - ageDays * DAY),
    })
    .returning({ id: inboxItems.id });
  return row!.id;
}

async function auditCount() {
  const [row] = await t.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents);
  return Number(row!.n);
}

const put = (id: string, user: TestUser, body: unknown) =>
  call<ApplicationDto & { error?: { code: string } }>(
    retentionRoute.PUT,
    request(`/api/applications/${id}/retention`, { method: "PUT", user, body }),
    { id },
  );
const run = (id: string, user: TestUser) =>
  call<RetentionRunDto & { error?: { code: string } }>(
    runRoute.POST,
    request(`/api/applications/${id}/retention/run`, { method: "POST", user, body: {} }),
    { id },
  );

const inbox: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await insertUser(t.db, "admin");
  officer = await insertUser(t.db, "officer");
  appA = await insertApp("Northwind Bank");
  appB = await insertApp("Northwind Pay");
  await insertMirror(appA, OLD_A_COUNT, 120, oldA);
  await insertMirror(appA, 5, 10, youngA);
  await insertMirror(appB, 4, 400, oldB);
  inbox.oldImported = await insertInbox(appA, 120, "imported");
  inbox.oldRejected = await insertInbox(appA, 120, "rejected");
  inbox.oldPending = await insertInbox(appA, 120, "pending");
  inbox.youngImported = await insertInbox(appA, 10, "imported");
  inbox.bOld = await insertInbox(appB, 400, "imported");
});

afterAll(async () => {
  await t?.close();
});

describe("PUT /api/applications/{id}/retention", () => {
  it.each([
    ["below Didit's minimum", { days: 29 }],
    ["above ten years", { days: 3651 }],
    ["a fraction", { days: 45.5 }],
    ["a string", { days: "90" }],
    ["missing", {}],
    ["an unknown field", { days: 90, keep: true }],
  ])("refuses %s with a 4xx and writes nothing", async (_label, body) => {
    const before = await auditCount();
    const res = await put(appA, admin, body);
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe("validation_failed");
    expect(await auditCount()).toBe(before);
    const [row] = await t.db.select().from(connectedApplications).where(eq(connectedApplications.id, appA));
    expect(row!.retentionDays).toBeNull();
  });

  it("is for admins only, and 404 for an unknown application", async () => {
    expect((await put(appA, officer, { days: 90 })).status).toBe(403);
    expect((await run(appA, officer)).status).toBe(403);
    expect((await put(randomUUID(), admin, { days: 90 })).status).toBe(404);
    expect((await run(randomUUID(), admin)).status).toBe(404);
  });

  it("sets a period, audited with old and new, shown on the application", async () => {
    const res = await put(appA, admin, { days: 90 });
    expect(res.status).toBe(200);
    expect(res.body.retentionDays).toBe(90);
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "application.retention_set"));
    expect(event!.entityId).toBe(appA);
    expect(event!.data).toEqual({ from: null, to: 90 });
    const got = await call<ApplicationDto>(
      appById.GET,
      request(`/api/applications/${appA}`, { user: admin }),
      {
        id: appA,
      },
    );
    expect(got.body).toMatchObject({ retentionDays: 90, retentionRunAt: null, retentionError: null });
  });
});

describe("enforcement", () => {
  it("removes personal data older than the period in batches, keeps the younger, leaves other applications alone", async () => {
    const res = await run(appA, admin);
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ sessionMirror: OLD_A_COUNT, inboxItems: 2 });
    expect(res.body.days).toBe(90);

    const old = await t.db
      .select()
      .from(sessionMirror)
      .where(and(eq(sessionMirror.applicationId, appA), isNotNull(sessionMirror.redactedAt)));
    expect(old).toHaveLength(OLD_A_COUNT);
    for (const r of old) {
      expect(r).toMatchObject({
        displayName: null,
        vendorData: null,
        country: null,
        documentType: null,
        registrationNumber: null,
        searchText: "",
        status: "Approved",
      });
      expect(r.sessionNumber).not.toBeNull();
      expect(oldA).toContain(r.diditSessionId);
    }
    const young = await t.db
      .select()
      .from(sessionMirror)
      .where(and(eq(sessionMirror.applicationId, appA), isNull(sessionMirror.redactedAt)));
    expect(young.map((r) => r.diditSessionId).sort()).toEqual([...youngA].sort());
    expect(young.every((r) => r.displayName === NAME)).toBe(true);
    const b = await t.db.select().from(sessionMirror).where(eq(sessionMirror.applicationId, appB));
    expect(b.every((r) => r.redactedAt === null && r.displayName === NAME)).toBe(true);

    const items = new Map((await t.db.select().from(inboxItems)).map((i) => [i.id, i] as const));
    for (const key of ["oldImported", "oldRejected"]) {
      expect(items.get(inbox[key]!)).toMatchObject({ manifest: null, tokenCiphertext: null });
      expect(items.get(inbox[key]!)!.redactedAt).not.toBeNull();
      expect(items.get(inbox[key]!)!.claims).toHaveProperty("session_id");
    }
    // Still pending: nothing final has happened to it yet.
    expect(items.get(inbox.oldPending!)).toMatchObject({ redactedAt: null, tokenCiphertext: "sealed-token" });
    expect(items.get(inbox.youngImported!)!.redactedAt).toBeNull();
    expect(items.get(inbox.bOld!)!.redactedAt).toBeNull();

    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "retention.enforced"));
    expect(event!.entityId).toBe(appA);
    expect(event!.data).toMatchObject({
      days: 90,
      counts: { sessionMirror: OLD_A_COUNT, inboxItems: 2 },
      complete: true,
    });
    expect(JSON.stringify(event)).not.toContain(NAME);
    const [app] = await t.db.select().from(connectedApplications).where(eq(connectedApplications.id, appA));
    expect(app!.retentionRunAt).not.toBeNull();
    expect(app!.retentionError).toBeNull();
  });

  it("is idempotent: a second run removes nothing more", async () => {
    const res = await run(appA, admin);
    expect(res.body.counts).toEqual({ sessionMirror: 0, inboxItems: 0 });
  });

  it("keeps redacted rows redacted when Didit lists them again (sync)", async () => {
    const sessionId = oldA[0]!;
    await upsertMirrorRows(t.db, appA, [
      {
        sessionId,
        sessionKind: "user",
        sessionNumber: 4242,
        status: "Declined",
        vendorData: "customer-x",
        workflowId: null,
        createdAt: new Date(now.getTime() - 120 * DAY),
        fullName: NAME,
        companyName: null,
        registrationNumber: null,
        documentType: "Passport",
        country: "GBR",
        features: [],
      },
    ]);
    const [row] = await t.db
      .select()
      .from(sessionMirror)
      .where(and(eq(sessionMirror.applicationId, appA), eq(sessionMirror.diditSessionId, sessionId)));
    expect(row).toMatchObject({
      status: "Declined",
      sessionNumber: 4242,
      displayName: null,
      vendorData: null,
    });
    expect(row!.searchText).toBe("");
  });

  it("the picker shows redacted sessions without their names", async () => {
    const res = await call<SessionListResponse>(
      sessionsRoute.GET,
      request(`/api/sessions?applicationId=${appA}&limit=100`, { user: officer }),
    );
    expect(res.status).toBe(200);
    const redacted = res.body.items.filter((s) => s.redacted);
    expect(redacted.length).toBeGreaterThan(0);
    expect(redacted.every((s) => s.displayName === null)).toBe(true);
    expect(res.body.items.filter((s) => !s.redacted).every((s) => s.displayName === NAME)).toBe(true);
    // A name search no longer finds them.
    const byName = await call<SessionListResponse>(
      sessionsRoute.GET,
      request(`/api/sessions?applicationId=${appA}&q=hopperton&limit=100`, { user: officer }),
    );
    expect(byName.body.items.map((s) => s.sessionId).sort()).toEqual([...youngA].sort());
  });

  it("the daily job enforces every application with a period and queues the next day", async () => {
    expect((await put(appB, admin, { days: 365 })).status).toBe(200);
    registerJobs([retentionJob]);
    await scheduleRetention(t.db, now);
    const result = await runDueJobs(t.db, { now, queues: [RETENTION_QUEUE] });
    expect(result.done).toBe(1);
    const b = await t.db.select().from(sessionMirror).where(eq(sessionMirror.applicationId, appB));
    expect(b.every((r) => r.redactedAt !== null && r.displayName === null)).toBe(true);
    const [item] = await t.db.select().from(inboxItems).where(eq(inboxItems.id, inbox.bOld!));
    expect(item!.redactedAt).not.toBeNull();
    const next = await t.db.select().from(jobs).where(eq(jobs.queue, RETENTION_QUEUE));
    expect(next.some((j) => j.state === "pending" && j.runAt.getTime() > now.getTime() + DAY / 2)).toBe(true);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "retention.enforced"));
    expect(events.filter((e) => e.entityId === appB)).toHaveLength(1);
  });

  it("setting null keeps everything from then on; the audit chain verifies", async () => {
    expect((await put(appA, admin, { days: null })).body.retentionDays).toBeNull();
    const res = await run(appA, admin);
    expect(res.body).toMatchObject({ days: null, cutoff: null, counts: { sessionMirror: 0, inboxItems: 0 } });
    const chain = await verifyAuditChain(t.db, { mode: "full" });
    expect(chain.ok).toBe(true);
    const all = await t.db.select().from(auditEvents);
    expect(JSON.stringify(all)).not.toContain(NAME);
  });
});
