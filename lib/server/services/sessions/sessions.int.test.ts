import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSessionCursor, type SessionListItemDto } from "@/lib/schemas/sessions";
import { seal } from "@/lib/server/crypto/envelope";
import { connectedApplications, partners, sessionMirror, shares } from "@/lib/server/db/schema/sharing";
import { createDiditClient, setDiditClientForTests } from "@/lib/server/didit";
import type { DiditSessionRow } from "@/lib/server/didit/types";
import { AppError, type Actor, type ServiceContext } from "@/lib/server/kernel";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { sandboxApi, type TestApp } from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";
import { insertUser, request, type TestUser } from "@/test/session";
import { GET as listRoute } from "@/app/api/sessions/route";
import { GET as detailRoute } from "@/app/api/sessions/[id]/route";
import {
  markMirrorDeleted,
  mirrorSearchText,
  upsertMirrorClone,
  upsertMirrorFromDecision,
  upsertMirrorRows,
} from "./mirror";
import { getSession, listSessions, numberPrefixRanges } from "./sessions";

let t: TestDatabase;
let server: SandboxServer;
let api: ReturnType<typeof sandboxApi>;
let officer: TestUser;
let auditor: TestUser;
let bank: string;
let pay: string;
let sandboxBank: TestApp;

const ctxAs = (u: TestUser): ServiceContext => ({
  db: t.db,
  actor: { id: u.id, email: u.email, name: "x", role: u.role } satisfies Actor,
  now: () => new Date(),
  requestId: "req-sessions-test",
  ip: null,
  userAgent: null,
});

const T0 = Date.parse("2026-11-01T00:00:00.000Z");
const STATUSES = ["Approved", "Declined", "In Review", "Not Started", "Abandoned"] as const;
const NAMES = ["Ana García", "Jonas Müller", "Li Wei", "Amara Okafor", "Anders Lund"];

function row(i: number, overrides: Partial<DiditSessionRow> = {}): DiditSessionRow {
  const business = i % 4 === 3;
  return {
    sessionId: randomUUID(),
    sessionKind: business ? "business" : "user",
    sessionNumber: 1000 + i,
    status: STATUSES[i % STATUSES.length]!,
    vendorData: `customer-${i}`,
    workflowId: null,
    createdAt: new Date(T0 + i * 60_000),
    fullName: business ? null : NAMES[i % NAMES.length]!,
    companyName: business ? `Acme ${i} GmbH` : null,
    registrationNumber: business ? `HRB ${i}` : null,
    documentType: business ? null : "Passport",
    country: "DEU",
    features: [],
    ...overrides,
  };
}

async function connect(name: string, key: string | null, diditId: string = randomUUID()) {
  const id = randomUUID();
  await t.db.insert(connectedApplications).values({
    id,
    name,
    diditApplicationId: diditId,
    environment: "sandbox",
    apiKeyCiphertext: key ? seal(key, id) : null,
  });
  return id;
}

async function walk(ctx: ServiceContext, query: Parameters<typeof listSessions>[1]) {
  const out: SessionListItemDto[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page = await listSessions(ctx, {
      ...query,
      cursor: cursor ? { createdAt: decode(cursor).createdAt, id: decode(cursor).id } : undefined,
    });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}
function decode(cursor: string) {
  const json = JSON.parse(Buffer.from(cursor, "base64url").toString()) as { t: string; i: string };
  return { createdAt: new Date(json.t), id: json.i };
}

async function get(path: string, user: TestUser | null, route = listRoute, params?: Record<string, string>) {
  const res = await route(
    await request(path, { user }),
    params ? { params: Promise.resolve(params) } : undefined,
  );
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startSandboxServer();
  api = sandboxApi(server.origin);
  setDiditClientForTests(
    createDiditClient({ baseUrl: () => `${server.origin}/sandbox`, limiter: false, maxRetries: 0 }),
  );
  officer = await insertUser(t.db, "officer");
  auditor = await insertUser(t.db, "auditor");
  sandboxBank = await api.newApp("recipe", "Picker bank");
  bank = await connect("Bank", sandboxBank.key, sandboxBank.id);
  pay = await connect("Pay", "unused-key-1234");
  await upsertMirrorRows(
    t.db,
    bank,
    Array.from({ length: 60 }, (_, i) => row(i)),
  );
  await upsertMirrorRows(
    t.db,
    pay,
    Array.from({ length: 20 }, (_, i) => row(100 + i)),
  );
});
afterAll(async () => {
  setDiditClientForTests(null);
  await server?.close();
  await t?.close();
});

describe(`session picker (${testDriver()})`, () => {
  it("lists finished sessions of every application newest first, and pages without gaps or repeats", async () => {
    const all = await walk(ctxAs(auditor), { limit: 7 });
    // 3 of every 5 statuses are finished: 36 of 60 and 12 of 20.
    expect(all).toHaveLength(48);
    expect(new Set(all.map((s) => s.id)).size).toBe(48);
    expect(all.every((s) => ["Approved", "Declined", "In Review"].includes(s.status))).toBe(true);
    const times = all.map((s) => Date.parse(s.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all[0]!.applicationName).toBe("Pay");
    expect(all.at(-1)!.applicationName).toBe("Bank");
    // Every status when finished is off.
    expect(await walk(ctxAs(auditor), { finished: false, limit: 100 })).toHaveLength(80);
  });

  it("filters by application, kind and status; status names the statuses wanted", async () => {
    const ctx = ctxAs(officer);
    const kyb = await walk(ctx, { applicationId: bank, kind: "business", finished: false });
    expect(kyb).toHaveLength(15);
    expect(
      kyb.every(
        (s) => s.kind === "business" && s.applicationId === bank && s.displayName?.startsWith("Acme"),
      ),
    ).toBe(true);
    const notStarted = await walk(ctx, { applicationId: bank, status: ["Not Started"] });
    expect(notStarted).toHaveLength(12);
    expect(await walk(ctx, { applicationId: bank, status: ["Not Started"], finished: true })).toHaveLength(0);
    const review = await walk(ctx, { status: ["In Review", "Declined"] });
    expect(review.every((s) => s.status === "In Review" || s.status === "Declined")).toBe(true);
    expect(review).toHaveLength(32);
  });

  it("searches names, vendor_data, registration numbers, number prefixes and whole uuids", async () => {
    const ctx = ctxAs(auditor);
    const ana = await walk(ctx, { q: "garcía", finished: false });
    expect(ana.length).toBeGreaterThan(0);
    expect(ana.every((s) => s.displayName === "Ana García")).toBe(true);
    // Terms each match, in any order and case.
    expect((await walk(ctx, { q: "GARCÍA ana", finished: false })).length).toBe(ana.length);
    expect((await walk(ctx, { q: "customer-17", finished: false })).map((s) => s.vendorData)).toEqual([
      "customer-17",
    ]);
    // vendor_data by prefix, any case.
    expect((await walk(ctx, { q: "CUSTOMER-11", finished: false })).map((s) => s.vendorData).sort()).toEqual(
      ["customer-11", ...Array.from({ length: 10 }, (_, i) => `customer-11${i}`)].sort(),
    );
    expect((await walk(ctx, { q: "hrb 47", finished: false })).map((s) => s.number)).toEqual([1047]);
    // A number prefix: 105 → 1050..1059 (customer-105 does not start with it).
    const prefix = await walk(ctx, { q: "105", finished: false });
    expect(prefix.map((s) => s.number).sort()).toEqual([
      1050, 1051, 1052, 1053, 1054, 1055, 1056, 1057, 1058, 1059,
    ]);
    // One or two digits: that number only (as prefixes they would match a tenth of everything).
    await upsertMirrorRows(t.db, pay, [
      row(900, { sessionNumber: 42, fullName: "Short Number", vendorData: "short-a" }),
      row(901, { sessionNumber: 4201, fullName: "Longer Number", vendorData: "short-b" }),
    ]);
    expect((await walk(ctx, { q: "42", finished: false })).map((s) => s.number)).toEqual([42]);
    expect((await walk(ctx, { q: "420", finished: false })).map((s) => s.number)).toEqual([4201]);
    const one = ana[0]!;
    const exact = await walk(ctx, { q: one.sessionId.toUpperCase(), finished: false });
    expect(exact.map((s) => s.id)).toEqual([one.id]);
    // Names anywhere from 3 characters; shorter: the start of the name ("an" is Ana and Anders,
    // not Jonas); beside a longer term a short one narrows.
    const an = await walk(ctx, { q: "AN", finished: false });
    expect(new Set(an.map((s) => s.displayName))).toEqual(new Set(["Ana García", "Anders Lund"]));
    expect((await walk(ctx, { q: "an garcía", finished: false })).length).toBe(ana.length);
    // LIKE wildcards are literal.
    expect(await walk(ctx, { q: "%", finished: false })).toHaveLength(0);
    expect(await walk(ctx, { q: "customer_1", finished: false })).toHaveLength(0);
    expect(numberPrefixRanges("0")).toEqual([[0, 0]]);
    expect(numberPrefixRanges("007")).toEqual([]);
    expect(numberPrefixRanges("21474836470")).toEqual([]);
    expect(numberPrefixRanges("3")).toHaveLength(9);
  });

  it("leaves out deleted sessions and deleted applications", async () => {
    const ctx = ctxAs(auditor);
    const before = await walk(ctx, { applicationId: pay, finished: false });
    await markMirrorDeleted(t.db, pay, before[0]!.sessionId);
    expect(await walk(ctx, { applicationId: pay, finished: false })).toHaveLength(before.length - 1);
    const gone = await connect("Gone", null);
    await upsertMirrorRows(t.db, gone, [row(500, { status: "Approved" })]);
    expect((await walk(ctx, { q: "customer-500" })).length).toBe(1);
    await t.db
      .update(connectedApplications)
      .set({ deletedAt: new Date() })
      .where(eq(connectedApplications.id, gone));
    expect(await walk(ctx, { q: "customer-500" })).toHaveLength(0);
    const error = await listSessions(ctx, { applicationId: gone }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("not_found");
  });

  it("keeps a known lineage through list upserts, decisions and clones", async () => {
    const source = randomUUID();
    const r = row(200, { status: "In Review" });
    await upsertMirrorClone(t.db, bank, {
      sessionId: r.sessionId,
      sessionNumber: r.sessionNumber,
      sessionKind: "user",
      status: "In Review",
      vendorData: "imported-200",
      workflowId: null,
      sharedFromSession: source,
      createdAt: r.createdAt,
    });
    await upsertMirrorRows(t.db, bank, [{ ...r, status: "Approved" }]);
    await upsertMirrorFromDecision(t.db, bank, {
      ...r,
      status: "Approved",
      sharedFromSession: null,
      expiresAt: null,
      reviews: [],
      featureData: {},
    });
    const [m] = await t.db.select().from(sessionMirror).where(eq(sessionMirror.diditSessionId, r.sessionId));
    expect(m!.sharedFromSession).toBe(source);
    expect(m!.status).toBe("Approved");
    expect(m!.searchText).toContain("ana garcia");
  });

  it("folds case, accents and transliterations: Kohler, Koehler, köhler and KÖHLER find every Köhler", async () => {
    const ctx = ctxAs(officer);
    const folded = [
      row(400, { fullName: "Anna Köhler", vendorData: "fold-1" }),
      row(401, { fullName: "Jonas Köhler", vendorData: "fold-2" }),
      row(402, { fullName: "Lena KÖHLER", vendorData: "fold-3" }),
      row(403, {
        sessionKind: "business",
        fullName: null,
        companyName: "Köhler Straße GmbH",
        vendorData: "fold-4",
      }),
      row(404, { fullName: "Paul Koehler", vendorData: "fold-5" }),
      row(405, { fullName: "Åse Øvergård", vendorData: "fold-6" }),
      row(406, { fullName: "Jürgen Weiß", vendorData: "fold-7" }),
    ].map((r) => ({ ...r, status: "Approved" as const }));
    await upsertMirrorRows(t.db, pay, folded);
    const found = async (q: string) =>
      (await walk(ctx, { q, finished: false }))
        .map((s) => s.vendorData)
        .filter((v) => v?.startsWith("fold-"))
        .sort();
    const kohlers = ["fold-1", "fold-2", "fold-3", "fold-4"];
    for (const q of ["Kohler", "kohl"]) expect(await found(q), q).toEqual(kohlers);
    // "oe" is how Köhler is spelt without umlauts, so it also finds a Koehler; so do ö queries.
    for (const q of ["Koehler", "köhler", "KÖHLER", "KOEHL"]) {
      expect(await found(q), q).toEqual([...kohlers, "fold-5"]);
    }
    expect(await found("strasse")).toEqual(["fold-4"]);
    expect(await found("Straße gmbh")).toEqual(["fold-4"]);
    expect(await found("Aase")).toEqual(["fold-6"]);
    expect(await found("Ase overgard")).toEqual(["fold-6"]);
    expect(await found("oevergaard")).toEqual(["fold-6"]);
    expect(await found("weiss jurgen")).toEqual(["fold-7"]);
    expect(await found("Juergen")).toEqual(["fold-7"]);
    // Short queries: the start of the folded name.
    expect(await found("ju")).toEqual(["fold-7"]);
    expect(await found("Kohlberg")).toEqual([]);
  });

  it("the migration's backfill folds existing rows exactly as the product does", async () => {
    const names = [
      "Anna Köhler",
      "KÖHLER Straße GmbH",
      "Åse Øvergård",
      "Chloé Dubois-Lefèvre",
      "Łukasz Żółć",
      "Þórunn Æsa Œdipe",
      "Ｗｉｄｅ ﬁsh",
      "Zoë  Ångström",
      "Mehmet Yılmaz",
      "Ivan Иванов Ωμέγα",
      "plain name",
    ];
    const rows = names.map((n, i) =>
      row(500 + i, {
        fullName: n,
        registrationNumber: i % 3 === 0 ? ` HRB Ä${i} ` : null,
        vendorData: `backfill-${i}`,
      }),
    );
    await upsertMirrorRows(t.db, pay, rows);
    const ids = rows.map((r) => r.sessionId);
    // As rows written before the fold looked: lower-cased only.
    await t.db.execute(
      sql`update session_mirror set search_text = lower(coalesce(display_name, '')) where didit_session_id in ${sql.raw(`(${ids.map((id) => `'${id}'`).join(",")})`)}`,
    );
    const file = readFileSync(path.join(process.cwd(), "drizzle/0017_search_fold.sql"), "utf8");
    for (const statement of file.split("--> statement-breakpoint")) {
      await t.db.execute(sql.raw(statement));
    }
    const after = await t.db
      .select({
        name: sessionMirror.displayName,
        reg: sessionMirror.registrationNumber,
        text: sessionMirror.searchText,
      })
      .from(sessionMirror)
      .where(inArray(sessionMirror.diditSessionId, ids));
    expect(after).toHaveLength(names.length);
    for (const r of after) {
      expect(r.text, r.name ?? "").toBe(mirrorSearchText({ displayName: r.name, registrationNumber: r.reg }));
    }
  });

  it("reads one session's decision from Didit with its shares; Didit's refusals keep their codes", async () => {
    const created = await api.newSession(sandboxBank, "user", "Approved", { vendor_data: "detail-1" });
    const decisionRow = row(300, { sessionId: created.session_id, status: "Approved" });
    await upsertMirrorRows(t.db, bank, [decisionRow]);
    const [partner] = await t.db
      .insert(partners)
      .values({
        name: "Partner Co",
        diditApplicationId: randomUUID(),
        applicationId: bank,
        direction: "outbound",
        allowedKinds: ["user"],
        allowedStatuses: ["Approved"],
        deliveryChannel: "manual",
      })
      .returning();
    const now = new Date();
    await t.db.insert(shares).values({
      applicationId: bank,
      partnerId: partner!.id,
      sessionId: created.session_id,
      sessionKind: "user",
      sessionNumber: 1300,
      sourceStatus: "Approved",
      forApplicationId: partner!.diditApplicationId,
      ttlSeconds: 3600,
      tokenHash: "a".repeat(64),
      claims: {},
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      tokenCiphertext: "sealed-token-do-not-show",
      channel: "manual",
      manifest: {
        session_number: 1300,
        status: "Approved",
        created_at: null,
        features: [],
        agreement_reference: null,
      },
      agreement: { reference: null, signedOn: null, expiresOn: null, partnerStatus: "active" },
    });

    const detail = await getSession(ctxAs(officer), created.session_id);
    expect(detail.session.sessionId).toBe(created.session_id);
    expect(detail.decision.status).toBe("Approved");
    expect(detail.decision.fullName).toBeTruthy();
    expect(detail.decision.features.length).toBeGreaterThan(0);
    expect(detail.canShare).toBe(true);
    expect(detail.shares).toHaveLength(1);
    expect(detail.shares[0]!.partner.name).toBe("Partner Co");
    expect(JSON.stringify(detail)).not.toContain("sealed-token");
    expect(JSON.stringify(detail)).not.toContain(sandboxBank.key);
    // By mirror row id too; an auditor may read but not share.
    const byRow = await getSession(ctxAs(auditor), detail.session.id);
    expect(byRow.session.sessionId).toBe(created.session_id);
    expect(byRow.canShare).toBe(false);

    // Over the route: an unknown id is 404, a malformed one too; a key Didit rejects is key_rejected.
    const ok = await get(`/api/sessions/${created.session_id}`, auditor, detailRoute, {
      id: created.session_id,
    });
    expect(ok.status).toBe(200);
    const missing = randomUUID();
    expect((await get(`/api/sessions/${missing}`, auditor, detailRoute, { id: missing })).status).toBe(404);
    expect((await get(`/api/sessions/nope`, auditor, detailRoute, { id: "nope" })).status).toBe(404);
    const payRow = (await walk(ctxAs(auditor), { applicationId: pay }))[0]!;
    const rejected = await get(`/api/sessions/${payRow.sessionId}`, auditor, detailRoute, {
      id: payRow.sessionId,
    });
    expect(rejected.status).toBe(502);
    expect(rejected.body.error!.code).toBe("key_rejected");
    expect(JSON.stringify(rejected.body)).not.toContain("unused-key");

    // Deleted at Didit: 404, and it leaves the picker.
    const res = await api.call("DELETE", `/sandbox/v3/session/${created.session_id}/delete/`, {
      key: sandboxBank.key,
    });
    expect(res.status).toBe(204);
    const deleted = await get(`/api/sessions/${created.session_id}`, auditor, detailRoute, {
      id: created.session_id,
    });
    expect(deleted.status).toBe(404);
    expect((await walk(ctxAs(auditor), { q: created.session_id })).length).toBe(0);
  });

  it("answers bad queries with 422 and no session with 401", async () => {
    const cursor = encodeSessionCursor({ createdAt: new Date(T0 + 30 * 60_000), id: randomUUID() });
    const ok = await get(
      `/api/sessions?applicationId=${bank}&cursor=${cursor}&limit=5&kind=user&finished=true`,
      officer,
    );
    expect(ok.status).toBe(200);
    expect(
      (ok.body.items as SessionListItemDto[]).every((s) => Date.parse(s.createdAt) <= T0 + 30 * 60_000),
    ).toBe(true);
    expect((await get(`/api/sessions?status=approved,IN_REVIEW`, officer)).status).toBe(200);
    for (const bad of [
      "cursor=notacursor!",
      `cursor=${Buffer.from("{}").toString("base64url")}`,
      `cursor=${Buffer.from('{"t":"yesterday","i":"x"}').toString("base64url")}`,
      "limit=0",
      "limit=101",
      "limit=abc",
      "kind=people",
      "status=Approved,Done",
      "finished=maybe",
      "applicationId=12",
      `q=${"x".repeat(201)}`,
    ]) {
      const res = await get(`/api/sessions?${bad}`, officer);
      expect(res.status, bad).toBe(422);
      expect(res.body.error!.code, bad).toBe("validation_failed");
    }
    expect((await get("/api/sessions", null)).status).toBe(401);
  });
});
