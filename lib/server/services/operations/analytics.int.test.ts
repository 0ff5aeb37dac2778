import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as analyticsRoute from "@/app/api/analytics/route";
import * as exportRoute from "@/app/api/analytics/export/route";
import type { Role } from "@/lib/rbac";
import type { AnalyticsFiguresDto, AnalyticsResponse } from "@/lib/schemas/analytics";
import {
  auditEvents,
  connectedApplications,
  importDecisions,
  imports,
  inboundRecalls,
  inboxItems,
  recallNotices,
  recalls,
  shares,
} from "@/lib/server/db/schema";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";
import { getAnalytics } from "./analytics";
import { ANALYTICS_EXPORT_COLUMNS } from "./analytics-export";
import type { ServiceContext } from "@/lib/server/kernel";
import { contextOf } from "@/lib/server/services/reviews/reviews.test-kit";
import { addPartner } from "@/lib/server/services/sharing/shares.test-kit";

/**
 * Known records, every figure asserted exactly. The period under test is 2026-06-01 (a Monday) to
 * 2026-06-14 (a Sunday), both days included; records on 05-31 and 06-15 sit just outside it.
 */
let t: TestDatabase;
const as = {} as Record<Role, TestUser>;
const NOW = new Date("2026-06-15T12:00:00.000Z");
const ctx = (role: Role = "officer"): ServiceContext => contextOf(t.db, as[role], () => NOW);
const at = (iso: string) => new Date(iso);
const plus = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);

let appA: string;
let appB: string;
const P = { alpha: "", beta: "", gamma: "", idle: "" };
const PERIOD = { from: "2026-06-01", to: "2026-06-14" };

async function insertShare(input: {
  partnerId: string;
  createdAt: string;
  state?: (typeof shares.$inferInsert)["state"];
  receipt?: { status: "imported" | "rejected"; afterSeconds: number };
  deliveredAt?: Date | null;
  revealedAt?: Date | null;
  applicationId?: string;
}): Promise<string> {
  const created = at(input.createdAt);
  const [row] = await t.db
    .insert(shares)
    .values({
      applicationId: input.applicationId ?? appA,
      partnerId: input.partnerId,
      sessionId: randomUUID(),
      sessionKind: "user",
      sourceStatus: "Approved",
      forApplicationId: randomUUID(),
      ttlSeconds: 3600,
      tokenHash: `test-${randomUUID()}`,
      claims: {},
      issuedAt: created,
      expiresAt: plus(created, 3600),
      channel: "push",
      state: input.state ?? "delivered",
      deliveredAt: input.deliveredAt === undefined ? created : input.deliveredAt,
      revealedAt: input.revealedAt ?? null,
      receiptStatus: input.receipt?.status ?? null,
      receiptAt: input.receipt ? plus(created, input.receipt.afterSeconds) : null,
      manifest: {
        session_number: 1,
        status: "Approved",
        created_at: null,
        features: [],
        agreement_reference: null,
      },
      agreement: { reference: null, signedOn: null, expiresOn: null, partnerStatus: "active" },
      createdAt: created,
      updatedAt: created,
    })
    .returning({ id: shares.id });
  return row!.id;
}

type ItemInput = {
  partnerId: string | null;
  receivedAt: string;
  state?: (typeof inboxItems.$inferInsert)["state"];
  /** Seconds before arrival the token was issued (a numeric `iat`); none: no `iat` claim. */
  issuedBefore?: number;
  manifestStatus?: string | null;
  localShareId?: string;
  expiresAt?: Date;
  /** The import: finished this many seconds after arrival. */
  imported?: { afterSeconds: number; trustReview?: boolean };
  failedImport?: boolean;
  decision?: { status: "Approved" | "Declined"; state: (typeof importDecisions.$inferInsert)["state"] };
  applicationId?: string;
};

async function insertItem(input: ItemInput): Promise<string> {
  const received = at(input.receivedAt);
  const sourceSessionId = randomUUID();
  const claims: Record<string, unknown> = { session_id: sourceSessionId, session_kind: "user" };
  if (input.issuedBefore !== undefined)
    claims.iat = Math.floor(received.getTime() / 1000) - input.issuedBefore;
  const applicationId = input.applicationId ?? appA;
  const [item] = await t.db
    .insert(inboxItems)
    .values({
      applicationId,
      partnerId: input.partnerId,
      source: input.localShareId ? "internal" : "push",
      localShareId: input.localShareId ?? null,
      tokenHash: `test-${randomUUID()}`,
      claims,
      manifest:
        input.manifestStatus === null || input.manifestStatus === undefined
          ? null
          : {
              session_number: 7,
              status: input.manifestStatus,
              created_at: null,
              features: [],
              agreement_reference: null,
            },
      sessionKind: "user",
      sourceSessionId,
      fromApplicationId: randomUUID(),
      expiresAt: input.expiresAt ?? plus(received, 3600),
      state: input.state ?? (input.imported ? "imported" : "pending"),
      receivedAt: received,
      updatedAt: received,
    })
    .returning({ id: inboxItems.id });
  if (input.imported || input.failedImport) {
    const done = input.imported;
    const [imp] = await t.db
      .insert(imports)
      .values({
        inboxItemId: item!.id,
        applicationId,
        partnerId: input.partnerId!,
        sourceSessionId,
        sessionKind: "user",
        cloneSessionId: done ? randomUUID() : null,
        trustReview: done?.trustReview ?? false,
        workflowId: randomUUID(),
        vendorData: `handoff-${item!.id}`,
        statusAtImport: done ? "In Review" : null,
        status: done ? "In Review" : null,
        state: done ? "imported" : "failed",
        failureCode: done ? null : "token_expired",
        importedBy: as.officer.id,
        startedAt: received,
        finishedAt: plus(received, done?.afterSeconds ?? 5),
      })
      .returning({ id: imports.id });
    if (input.decision) {
      await t.db.insert(importDecisions).values({
        importId: imp!.id,
        status: input.decision.status,
        comment: "checked",
        state: input.decision.state,
        decidedBy: as.officer.id,
        decidedAt: plus(received, 7200),
      });
    }
  }
  return item!.id;
}

beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
  for (const role of ["admin", "partnerships", "officer", "auditor"] as const)
    as[role] = await insertUser(t.db, role);
  const apps = await t.db
    .insert(connectedApplications)
    .values([
      { name: "Northwind Bank", diditApplicationId: randomUUID(), environment: "sandbox" },
      { name: "Northwind Pay", diditApplicationId: randomUUID(), environment: "sandbox" },
    ])
    .returning({ id: connectedApplications.id, name: connectedApplications.name });
  appA = apps.find((a) => a.name === "Northwind Bank")!.id;
  appB = apps.find((a) => a.name === "Northwind Pay")!.id;
  const partner = async (applicationId: string, name: string) =>
    (await addPartner(t.db, { applicationId, diditApplicationId: randomUUID(), channel: "push", name })).id;
  P.alpha = await partner(appA, "Alpha Bank");
  P.beta = await partner(appA, "Beta Pay");
  // A name a spreadsheet would run as a formula, with a comma and quotes (the CSV must quote it).
  P.gamma = await partner(appB, '=Gamma, "Ltd"');
  P.idle = await partner(appA, "Idle Partner");

  // --- Our shares ----------------------------------------------------------------------------------
  // Alpha: the first instant of `from` and the last of `to` count; 05-31 and 06-15 do not.
  await insertShare({
    partnerId: P.alpha,
    createdAt: "2026-06-01T00:00:00.000Z",
    receipt: { status: "imported", afterSeconds: 600 },
  });
  await insertShare({
    partnerId: P.alpha,
    createdAt: "2026-06-03T10:00:00.000Z",
    receipt: { status: "imported", afterSeconds: 1800 },
  });
  await insertShare({
    partnerId: P.alpha,
    createdAt: "2026-06-14T23:59:59.999Z",
    state: "expired",
    deliveredAt: null,
  });
  await insertShare({
    partnerId: P.alpha,
    createdAt: "2026-06-10T09:00:00.000Z",
    state: "expired",
    receipt: { status: "rejected", afterSeconds: 60 },
  });
  await insertShare({ partnerId: P.alpha, createdAt: "2026-05-31T23:59:59.999Z", state: "pending" });
  await insertShare({ partnerId: P.alpha, createdAt: "2026-06-15T00:00:00.000Z", state: "pending" });
  // Beta: an expired share revealed to an officer was delivered by hand: not "undelivered".
  await insertShare({
    partnerId: P.beta,
    createdAt: "2026-06-05T08:00:00.000Z",
    state: "expired",
    deliveredAt: null,
    revealedAt: at("2026-06-05T08:05:00.000Z"),
  });
  await insertShare({
    partnerId: P.beta,
    createdAt: "2026-06-05T09:00:00.000Z",
    receipt: { status: "imported", afterSeconds: 300 },
  });
  // Gamma (Northwind Pay): one pending share; also the local share of a sister-brand delivery below.
  const gammaShare = await insertShare({
    partnerId: P.gamma,
    createdAt: "2026-06-08T12:00:00.000Z",
    state: "pending",
    deliveredAt: null,
    applicationId: appB,
  });
  // Idle: only outside the period.
  await insertShare({ partnerId: P.idle, createdAt: "2026-04-01T12:00:00.000Z" });

  // --- Tokens received ----------------------------------------------------------------------------
  // Alpha, shared Approved and declined here (confirmed): an override; latency 60 + 240 s from iat.
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-02T08:00:00.000Z",
    issuedBefore: 60,
    manifestStatus: "Approved",
    imported: { afterSeconds: 240 },
    decision: { status: "Declined", state: "confirmed" },
  });
  // Approved, trust_review kept, a Declined only proposed: no override. No iat: from arrival, 100 s.
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-02T09:00:00.000Z",
    manifestStatus: "Approved",
    imported: { afterSeconds: 100, trustReview: true },
    decision: { status: "Declined", state: "proposed" },
  });
  // A sister brand's delivery: no manifest, the status is our share's; declined, sent: an override.
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-09T10:00:00.000Z",
    issuedBefore: 0,
    localShareId: gammaShare,
    imported: { afterSeconds: 500 },
    decision: { status: "Declined", state: "sent" },
  });
  // Shared Declined, declined here: not an override (the partner had not approved it). 1000 s.
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-10T10:00:00.000Z",
    manifestStatus: "Declined",
    imported: { afterSeconds: 1000 },
    decision: { status: "Declined", state: "confirmed" },
  });
  // Tokens not imported count as the partner's only when their origin is known without Didit's
  // import: our own shares handed over internally (the four below). Expired un-imported: marked
  // expired, and pending past its expiry (unmarked yet).
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-11T10:00:00.000Z",
    state: "expired",
    localShareId: gammaShare,
    expiresAt: at("2026-06-11T11:00:00.000Z"),
  });
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-12T10:00:00.000Z",
    state: "pending",
    localShareId: gammaShare,
    expiresAt: at("2026-06-12T11:00:00.000Z"),
  });
  // Refused, past expiry: not "expired". A failed import still in time: neither.
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-12T12:00:00.000Z",
    state: "rejected",
    localShareId: gammaShare,
    expiresAt: at("2026-06-12T13:00:00.000Z"),
  });
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-13T12:00:00.000Z",
    state: "failed",
    localShareId: gammaShare,
    failedImport: true,
    expiresAt: at("2026-06-16T12:00:00.000Z"),
  });
  // Unverified: pushed, naming Alpha, never imported (past its expiry too): only Didit could say it
  // is Alpha's, so it is counted apart, in no other figure. Invalid: Didit refused it on import.
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-05T10:00:00.000Z",
    state: "pending",
    manifestStatus: "Approved",
    expiresAt: at("2026-06-05T11:00:00.000Z"),
  });
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-06T10:00:00.000Z",
    state: "invalid",
    failedImport: true,
  });
  // Outside the period, and one with no partner (a paste we could not attribute): never counted.
  await insertItem({
    partnerId: P.alpha,
    receivedAt: "2026-06-15T00:00:00.000Z",
    manifestStatus: "Approved",
  });
  await insertItem({ partnerId: null, receivedAt: "2026-06-03T00:00:00.000Z" });
  // Beta: Approved, kept (trust_review), approved here: in the denominator, not an override. 200 s.
  await insertItem({
    partnerId: P.beta,
    receivedAt: "2026-06-04T10:00:00.000Z",
    issuedBefore: 200,
    manifestStatus: "Approved",
    imported: { afterSeconds: 0, trustReview: true },
    decision: { status: "Approved", state: "confirmed" },
  });

  // --- Recalls --------------------------------------------------------------------------------------
  const [recall] = await t.db
    .insert(recalls)
    .values({
      applicationId: appA,
      sessionId: randomUUID(),
      trigger: "declined",
      reason: "The source was declined",
      source: "webhook",
      raisedAt: at("2026-05-20T00:00:00.000Z"),
    })
    .returning({ id: recalls.id });
  const notice = async (partnerId: string, createdAt: string) => {
    const shareId = await insertShare({ partnerId, createdAt: "2026-01-05T00:00:00.000Z" });
    await t.db.insert(recallNotices).values({
      recallId: recall!.id,
      shareId,
      partnerId,
      channel: "push",
      state: "sent",
      createdAt: at(createdAt),
      updatedAt: at(createdAt),
    });
  };
  await notice(P.alpha, "2026-06-06T10:00:00.000Z");
  await notice(P.beta, "2026-06-14T12:00:00.000Z");
  await notice(P.alpha, "2026-05-20T10:00:00.000Z");
  const inbound = async (partnerId: string, receivedAt: string) =>
    t.db.insert(inboundRecalls).values({
      partnerId,
      remoteRecallId: randomUUID(),
      sourceSessionId: randomUUID(),
      trigger: "declined",
      reason: "Declined at the source",
      recalledAt: at(receivedAt),
      receivedAt: at(receivedAt),
    });
  await inbound(P.alpha, "2026-06-07T10:00:00.000Z");
  await inbound(P.gamma, "2026-06-01T00:00:00.000Z");
});
afterAll(() => t.close());

const zero: AnalyticsFiguresDto = {
  shared: 0,
  sharedImported: 0,
  sharedImportRate: null,
  sharedExpiredUndelivered: 0,
  sharedLatency: { p50Seconds: null, p90Seconds: null },
  received: 0,
  imported: 0,
  importRate: null,
  receivedExpired: 0,
  receivedLatency: { p50Seconds: null, p90Seconds: null },
  trustReview: { count: 0, of: 0, rate: null },
  override: { declined: 0, approvedImports: 0, rate: null },
  recallsSent: 0,
  recallsReceived: 0,
  receivedUnverified: 0,
  receivedInvalid: 0,
};

const ALPHA: AnalyticsFiguresDto = {
  shared: 4,
  sharedImported: 2,
  sharedImportRate: 0.5,
  sharedExpiredUndelivered: 1,
  // 600 and 1800 s: the median between, the 90th percentile interpolated.
  sharedLatency: { p50Seconds: 1200, p90Seconds: 1680 },
  received: 8,
  imported: 4,
  importRate: 0.5,
  receivedExpired: 2,
  // 100, 300, 500, 1000 s.
  receivedLatency: { p50Seconds: 400, p90Seconds: 850 },
  trustReview: { count: 1, of: 4, rate: 0.25 },
  override: { declined: 2, approvedImports: 3, rate: 0.6667 },
  recallsSent: 1,
  recallsReceived: 1,
  receivedUnverified: 1,
  receivedInvalid: 1,
};
const BETA: AnalyticsFiguresDto = {
  ...zero,
  shared: 2,
  sharedImported: 1,
  sharedImportRate: 0.5,
  sharedLatency: { p50Seconds: 300, p90Seconds: 300 },
  received: 1,
  imported: 1,
  importRate: 1,
  receivedLatency: { p50Seconds: 200, p90Seconds: 200 },
  trustReview: { count: 1, of: 1, rate: 1 },
  override: { declined: 0, approvedImports: 1, rate: 0 },
  recallsSent: 1,
};
const GAMMA: AnalyticsFiguresDto = { ...zero, shared: 1, sharedImportRate: 0, recallsReceived: 1 };
const TOTALS: AnalyticsFiguresDto = {
  shared: 7,
  sharedImported: 3,
  sharedImportRate: 0.4286,
  sharedExpiredUndelivered: 1,
  // 300, 600, 1800 s: percentiles over every row, not an average of the partners'.
  sharedLatency: { p50Seconds: 600, p90Seconds: 1560 },
  received: 9,
  imported: 5,
  importRate: 0.5556,
  receivedExpired: 2,
  // 100, 200, 300, 500, 1000 s.
  receivedLatency: { p50Seconds: 300, p90Seconds: 800 },
  trustReview: { count: 2, of: 5, rate: 0.4 },
  override: { declined: 2, approvedImports: 4, rate: 0.5 },
  recallsSent: 2,
  recallsReceived: 2,
  receivedUnverified: 1,
  receivedInvalid: 1,
};

const figuresOf = (r: AnalyticsResponse, partnerId: string) => {
  const p = r.partners.find((x) => x.partnerId === partnerId);
  if (!p) throw new Error(`partner ${partnerId} missing`);
  const { partnerId: _id, partnerName: _n, applicationId: _a, applicationName: _an, ...figures } = p;
  return figures;
};

describe(`partner trust analytics (${testDriver()})`, () => {
  it("answers every figure per partner, the totals over all rows, and the partners with activity", async () => {
    const r = await getAnalytics(ctx(), { ...PERIOD, bucket: "week" });
    expect(r.period).toEqual({ from: "2026-06-01", to: "2026-06-14", bucket: "week", days: 14 });
    // Sorted by name; the idle partner (nothing in the period) is not listed.
    expect(r.partners.map((p) => p.partnerName)).toEqual(['=Gamma, "Ltd"', "Alpha Bank", "Beta Pay"]);
    expect(r.partners.find((p) => p.partnerId === P.gamma)).toMatchObject({
      applicationId: appB,
      applicationName: "Northwind Pay",
    });
    expect(r.partners.find((p) => p.partnerId === P.alpha)).toMatchObject({
      applicationId: appA,
      applicationName: "Northwind Bank",
    });
    expect(figuresOf(r, P.alpha)).toEqual(ALPHA);
    expect(figuresOf(r, P.beta)).toEqual(BETA);
    expect(figuresOf(r, P.gamma)).toEqual(GAMMA);
    expect(r.totals).toEqual(TOTALS);
  });

  it("buckets the series by week (Mondays), by month and by day; the buckets add up to the totals", async () => {
    const week = await getAnalytics(ctx(), { ...PERIOD, bucket: "week" });
    expect(week.series).toEqual([
      { bucket: "2026-06-01", shared: 4, received: 3, imported: 3, overrides: 1, recalls: 3 },
      { bucket: "2026-06-08", shared: 3, received: 6, imported: 2, overrides: 1, recalls: 1 },
    ]);
    const month = await getAnalytics(ctx(), { ...PERIOD, bucket: "month" });
    expect(month.series).toEqual([
      { bucket: "2026-06-01", shared: 7, received: 9, imported: 5, overrides: 2, recalls: 4 },
    ]);
    const day = await getAnalytics(ctx(), { ...PERIOD, bucket: "day" });
    expect(day.series).toHaveLength(14);
    expect(day.series[0]).toEqual({
      bucket: "2026-06-01",
      shared: 1,
      received: 0,
      imported: 0,
      overrides: 0,
      recalls: 1,
    });
    expect(day.series[1]).toEqual({
      bucket: "2026-06-02",
      shared: 0,
      received: 2,
      imported: 2,
      overrides: 1,
      recalls: 0,
    });
    expect(day.series[13]).toEqual({
      bucket: "2026-06-14",
      shared: 1,
      received: 0,
      imported: 0,
      overrides: 0,
      recalls: 1,
    });
    expect(day.series.reduce((n, b) => n + b.received, 0)).toBe(9);
    // A week bucket starts on the Monday before a mid-week `from`.
    const midweek = await getAnalytics(ctx(), { from: "2026-06-03", to: "2026-06-09", bucket: "week" });
    expect(midweek.series.map((b) => b.bucket)).toEqual(["2026-06-01", "2026-06-08"]);
    expect(midweek.series[0]!.shared).toBe(3);
  });

  it("filters by application and by partner", async () => {
    const pay = await getAnalytics(ctx(), { ...PERIOD, applicationId: appB });
    expect(pay.partners.map((p) => p.partnerId)).toEqual([P.gamma]);
    expect(pay.totals).toEqual(GAMMA);
    expect(pay.series.reduce((n, b) => n + b.shared + b.recalls, 0)).toBe(2);

    const beta = await getAnalytics(ctx(), { ...PERIOD, partnerId: P.beta });
    expect(beta.partners.map((p) => p.partnerId)).toEqual([P.beta]);
    expect(beta.totals).toEqual(BETA);

    const none = await getAnalytics(ctx(), { ...PERIOD, applicationId: appA, partnerId: P.gamma });
    expect(none.partners).toEqual([]);
    expect(none.totals).toEqual(zero);
  });

  it("includes the whole of the `from` and `to` days and nothing beyond", async () => {
    const after = await getAnalytics(ctx(), { from: "2026-06-15", to: "2026-06-15", bucket: "day" });
    // The token of 06-15 is unverified (pushed, not imported): counted apart, not as received.
    expect(after.partners.map((p) => [p.partnerName, p.shared, p.received, p.receivedUnverified])).toEqual([
      ["Alpha Bank", 1, 0, 1],
    ]);
    expect(after.series).toEqual([
      { bucket: "2026-06-15", shared: 1, received: 0, imported: 0, overrides: 0, recalls: 0 },
    ]);
    const before = await getAnalytics(ctx(), { from: "2026-05-31", to: "2026-05-31" });
    expect(before.totals.shared).toBe(1);
    expect(before.totals.received).toBe(0);
    const lastDay = await getAnalytics(ctx(), { from: "2026-06-14", to: "2026-06-14" });
    expect(lastDay.totals).toMatchObject({ shared: 1, sharedExpiredUndelivered: 1, recallsSent: 1 });
    const firstDay = await getAnalytics(ctx(), { from: "2026-06-01", to: "2026-06-01" });
    expect(firstDay.totals).toMatchObject({ shared: 1, sharedImported: 1, recallsReceived: 1 });
  });

  it("answers an empty period with zeros, null rates and a series of empty buckets", async () => {
    const r = await getAnalytics(ctx(), { from: "2020-01-01", to: "2020-01-31", bucket: "week" });
    expect(r.partners).toEqual([]);
    expect(r.totals).toEqual(zero);
    expect(r.series.map((b) => b.bucket)).toEqual([
      "2019-12-30",
      "2020-01-06",
      "2020-01-13",
      "2020-01-20",
      "2020-01-27",
    ]);
    expect(r.series.every((b) => b.shared + b.received + b.imported + b.overrides + b.recalls === 0)).toBe(
      true,
    );
  });

  it("defaults to the last 90 days up to today (UTC) and weekly buckets", async () => {
    const r = await getAnalytics(ctx(), {});
    expect(r.period).toEqual({ from: "2026-03-18", to: "2026-06-15", bucket: "week", days: 90 });
    // June's shares (06-15 included, 05-31 too) and the idle partner's of 04-01; not January's.
    expect(r.totals.shared).toBe(10);
    expect(r.partners.map((p) => p.partnerName)).toContain("Idle Partner");
  });

  it("is refused to a role without analytics.view", async () => {
    await expect(getAnalytics(ctx("admin"), PERIOD)).rejects.toMatchObject({ code: "forbidden" });
    for (const role of ["officer", "partnerships", "auditor"] as const) {
      expect((await getAnalytics(ctx(role), PERIOD)).totals.shared).toBe(7);
    }
  });
});

async function get(path: string, user: TestUser | null) {
  const route = path.startsWith("/api/analytics/export") ? exportRoute : analyticsRoute;
  return route.GET(await request(path, { user }));
}

describe(`GET /api/analytics and /api/analytics/export (${testDriver()})`, () => {
  it("answers the service's figures as JSON to the roles with analytics.view", async () => {
    const res = await get(`/api/analytics?from=${PERIOD.from}&to=${PERIOD.to}&bucket=week`, as.auditor);
    expect(res.status).toBe(200);
    const body = (await res.json()) as AnalyticsResponse;
    // The route's clock is today's: the failed import's token (good until 2026-06-16) has expired since.
    expect(body.totals).toEqual({ ...TOTALS, receivedExpired: 3 });
    expect(figuresOf(body, P.alpha)).toEqual({ ...ALPHA, receivedExpired: 3 });
    expect(body.series).toHaveLength(2);
    const filtered = await get(
      `/api/analytics?from=${PERIOD.from}&to=${PERIOD.to}&partnerId=${P.beta}`,
      as.partnerships,
    );
    expect(((await filtered.json()) as AnalyticsResponse).totals).toEqual(BETA);
  });

  it("401 signed out, 403 for the administrator", async () => {
    for (const path of ["/api/analytics", "/api/analytics/export?format=csv"]) {
      const out = await get(path, null);
      expect(out.status, path).toBe(401);
      expect(((await out.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
      const admin = await get(path, as.admin);
      expect(admin.status, path).toBe(403);
      expect(((await admin.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
  });

  it.each([
    ["from=2026-02-30", "from"],
    ["from=2026-6-01", "from"],
    ["to=tomorrow", "to"],
    ["from=0001-01-01", "from"],
    ["from=1999-12-31", "from"],
    ["to=99999-01-01", "to"],
    ["to=275760-09-13", "to"],
    ["from=2026-06-10&to=2026-06-01", "from"],
    ["from=2023-06-13&to=2026-06-14", "from"],
    ["bucket=year", "bucket"],
    ["bucket=", null],
    ["partnerId=not-a-uuid", "partnerId"],
    ["applicationId=123", "applicationId"],
  ])("%s → 400 (a blank filter is no filter)", async (qs, field) => {
    for (const base of ["/api/analytics?", "/api/analytics/export?format=csv&"]) {
      const res = await get(`${base}${qs}`, as.officer);
      if (field === null) {
        // A blank filter is no filter.
        expect(res.status, `${base}${qs}`).toBe(200);
        continue;
      }
      expect(res.status, `${base}${qs}`).toBe(400);
      const body = (await res.json()) as {
        error: { code: string; details: { fields: Record<string, string[]> } };
      };
      expect(body.error.code).toBe("bad_request");
      expect(Object.keys(body.error.details.fields)).toEqual([field]);
    }
  });

  it("accepts a period of exactly three years", async () => {
    const res = await get("/api/analytics?from=2023-06-14&to=2026-06-14&bucket=month", as.officer);
    expect(res.status).toBe(200);
    const body = (await res.json()) as AnalyticsResponse;
    expect(body.series).toHaveLength(37);
    expect(body.totals.shared).toBe(12);
  });

  it("400 without format=csv on the export; nothing audited", async () => {
    const before = await t.db.$count(auditEvents, eq(auditEvents.action, "analytics.exported"));
    for (const qs of ["", "format=jsonl", "format=CSV"]) {
      const res = await get(`/api/analytics/export?${qs}`, as.officer);
      expect(res.status, qs).toBe(400);
    }
    expect(await t.db.$count(auditEvents, eq(auditEvents.action, "analytics.exported"))).toBe(before);
  });

  it("exports one CSV row per partner, formula-safe and RFC 4180 quoted, as an attachment, audited", async () => {
    const res = await get(
      `/api/analytics/export?format=csv&from=${PERIOD.from}&to=${PERIOD.to}&applicationId=${appB}`,
      as.officer,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="analytics-2026-06-01-to-2026-06-14.csv"',
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    const lines = text.split("\r\n");
    expect(lines.at(-1)).toBe("");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(ANALYTICS_EXPORT_COLUMNS.join(","));
    expect(lines[1]).toBe(
      [
        "2026-06-01",
        "2026-06-14",
        P.gamma,
        `"'=Gamma, ""Ltd"""`,
        appB,
        "Northwind Pay",
        "1", // shared
        "0",
        "0",
        "0",
        "",
        "",
        "0", // received
        "0",
        "",
        "0",
        "",
        "",
        "0",
        "0",
        "0",
        "0",
        "",
        "0",
        "1", // recalls received
        "0", // received unverified
        "0", // received invalid
      ].join(","),
    );
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "analytics.exported"), eq(auditEvents.actorId, as.officer.id)));
    const event = events.find((e) => e.data.applicationId === appB);
    expect(event?.entityType).toBe("analytics");
    expect(event?.data).toEqual({
      format: "csv",
      from: "2026-06-01",
      to: "2026-06-14",
      applicationId: appB,
      partnerId: null,
      partners: 1,
    });

    const all = await (
      await get(`/api/analytics/export?format=csv&from=${PERIOD.from}&to=${PERIOD.to}`, as.auditor)
    ).text();
    const rows = all.trimEnd().split("\r\n");
    expect(rows).toHaveLength(4);
    const alpha = rows.find((r) => r.includes(P.alpha))!.split(",");
    const col = (name: (typeof ANALYTICS_EXPORT_COLUMNS)[number]) =>
      alpha[ANALYTICS_EXPORT_COLUMNS.indexOf(name)];
    expect(col("shared_latency_p90_seconds")).toBe("1680");
    expect(col("override_declined")).toBe("2");
    expect(col("override_approved_imports")).toBe("3");
    expect(col("override_rate")).toBe("0.6667");
    expect(col("import_rate")).toBe("0.5");
    expect(col("received_unverified")).toBe("1");
    expect(col("received_invalid")).toBe("1");
  });
});
