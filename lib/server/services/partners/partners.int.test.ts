import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEnv, type Env } from "@/lib/env";
import * as partnerRoute from "@/app/api/partners/[id]/route";
import * as secretRoute from "@/app/api/partners/[id]/secret/route";
import * as partnersRoute from "@/app/api/partners/route";
import type {
  CreatePartnerResponse,
  EligiblePartnersResponse,
  PartnerDetailDto,
  PartnerDto,
  PartnerListResponse,
  RotatePartnerSecretResponse,
} from "@/lib/schemas/partners";
import {
  auditEvents,
  connectedApplications,
  partners,
  partnerSecrets,
  sessionMirror,
  shares,
} from "@/lib/server/db/schema";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";
import { verifyAuditChain } from "@/lib/server/services/audit/audit";

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;
type ErrorBody = {
  error: { code: string; message: string; details?: { fields?: Record<string, string[]> } };
};

let t: TestDatabase;
const as = {} as Record<"partnerships" | "officer" | "auditor" | "admin", TestUser>;
let bank: { id: string; didit: string };
let pay: { id: string; didit: string };
let gone: { id: string; didit: string };
const EXTERNAL = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function call(
  handler: Handler | undefined,
  url: string,
  init: { method?: string; user?: TestUser | null; body?: unknown; params?: Record<string, string> } = {},
) {
  const req = await request(url, { method: init.method ?? "GET", user: init.user, body: init.body });
  const res = await handler!(req, { params: Promise.resolve(init.params ?? {}) });
  const text = await res.text();
  return { res, text, json: (text ? JSON.parse(text) : null) as unknown };
}

const create = (body: Record<string, unknown>, user: TestUser = as.partnerships) =>
  call(partnersRoute.POST, "/api/partners", { method: "POST", user, body });
const patch = (id: string, body: Record<string, unknown>, user: TestUser = as.partnerships) =>
  call(partnerRoute.PATCH, `/api/partners/${id}`, { method: "PATCH", user, body, params: { id } });
const detail = (id: string, user: TestUser = as.auditor) =>
  call(partnerRoute.GET, `/api/partners/${id}`, { user, params: { id } });
const list = (query: string, user: TestUser = as.officer) =>
  call(partnersRoute.GET, `/api/partners${query}`, { user });
const rotate = (id: string, body: Record<string, unknown> = {}, user: TestUser = as.partnerships) =>
  call(secretRoute.POST, `/api/partners/${id}/secret`, { method: "POST", user, body, params: { id } });

function base(overrides: Record<string, unknown> = {}) {
  return {
    name: `Acme ${Math.random().toString(36).slice(2, 8)}`,
    diditApplicationId: crypto.randomUUID(),
    applicationId: bank.id,
    direction: "outbound",
    agreementReference: "DSA-2026-07",
    agreementSignedOn: "2026-01-15",
    agreementExpiresOn: inDays(400),
    allowedKinds: ["user", "business"],
    ...overrides,
  };
}

async function rowCounts() {
  const [p] = await t.db.select({ n: count() }).from(partners);
  const [s] = await t.db.select({ n: count() }).from(partnerSecrets);
  return { partners: Number(p!.n), secrets: Number(s!.n) };
}

async function auditsOf(entityId: string) {
  return t.db.select().from(auditEvents).where(eq(auditEvents.entityId, entityId)).orderBy(auditEvents.seq);
}

const fieldsOf = (json: unknown) => Object.keys((json as ErrorBody).error.details?.fields ?? {});
const codeOf = (json: unknown) => (json as ErrorBody).error.code;

beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
  for (const role of ["partnerships", "officer", "auditor", "admin"] as const)
    as[role] = await insertUser(t.db, role);
  const app = async (name: string, deleted = false) => {
    const didit = crypto.randomUUID();
    const [row] = await t.db
      .insert(connectedApplications)
      .values({
        name,
        diditApplicationId: didit,
        environment: "sandbox",
        deletedAt: deleted ? new Date() : null,
      })
      .returning();
    return { id: row!.id, didit };
  };
  bank = await app("Northwind Bank");
  pay = await app("Northwind Pay");
  gone = await app("Old Brand", true);
});
afterAll(() => t.close());

describe(`partner directory (${testDriver()})`, () => {
  it("creates a manual outbound partner with the documented defaults, audited, with no secret", async () => {
    const { res, json } = await create(base({ name: "Acme Manual", diditApplicationId: EXTERNAL }));
    expect(res.status, JSON.stringify(json)).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { partner, secret } = json as CreatePartnerResponse;
    expect(secret).toBeNull();
    expect(partner).toMatchObject({
      name: "Acme Manual",
      applicationId: bank.id,
      application: { name: "Northwind Bank", deleted: false },
      sisterBrand: false,
      deliveryChannel: "manual",
      allowedStatuses: ["Approved", "In Review"],
      defaultTtlSeconds: 3600,
      maxTtlSeconds: 86400,
      importMode: "manual",
      trustReview: false,
      reviewSlaHours: 48,
      status: "active",
      agreementState: "valid",
      secret: null,
      secretNeeded: false,
    });
    const events = await auditsOf(partner.id);
    expect(events.map((e) => e.action)).toEqual(["partner.created"]);
    expect(events[0]!.data).toMatchObject({
      name: "Acme Manual",
      deliveryChannel: "manual",
      secretIssued: false,
    });
  });

  it("issues a Standard Webhooks secret once for a push partner: sealed at rest, only last4 afterwards", async () => {
    const { Webhook } = await import("standardwebhooks");
    const { res, json, text } = await create(
      base({ deliveryChannel: "push", pushUrl: "https://partner.example/api/partner/v1/inbox/x" }),
    );
    expect(res.status, text).toBe(201);
    const { partner, secret } = json as CreatePartnerResponse;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret!.slice(6), "base64")).toHaveLength(32);
    const wh = new Webhook(secret!);
    const signed = wh.sign("msg_1", new Date(), '{"a":1}');
    expect(
      wh.verify('{"a":1}', {
        "webhook-id": "msg_1",
        "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
        "webhook-signature": signed,
      }),
    ).toEqual({ a: 1 });
    expect(partner.secret?.last4).toBe(secret!.slice(-4));

    const [row] = await t.db.select().from(partnerSecrets).where(eq(partnerSecrets.partnerId, partner.id));
    expect(row!.secretCiphertext).not.toContain(secret!.slice(6, 20));
    const got = await detail(partner.id);
    expect(got.res.status).toBe(200);
    expect(got.text).not.toContain(secret!.slice(6));
    expect((got.json as PartnerDetailDto).secrets).toEqual([
      expect.objectContaining({ last4: secret!.slice(-4), state: "current", expiresAt: null }),
    ]);
    for (const e of await auditsOf(partner.id))
      expect(JSON.stringify(e.data)).not.toContain(secret!.slice(6));
  });

  it("issues a secret for an outside inbound partner and for pickup, none for a sister brand", async () => {
    const inbound = await create(base({ direction: "inbound" }));
    expect((inbound.json as CreatePartnerResponse).secret).toMatch(/^whsec_/);
    const pickup = await create(base({ deliveryChannel: "pickup" }));
    expect((pickup.json as CreatePartnerResponse).secret).toMatch(/^whsec_/);
    const sister = await create(
      base({ diditApplicationId: pay.didit, direction: "both", name: "Northwind Pay" }),
    );
    expect(sister.res.status, sister.text).toBe(201);
    const made = sister.json as CreatePartnerResponse;
    expect(made.secret).toBeNull();
    expect(made.partner).toMatchObject({
      sisterBrand: true,
      deliveryChannel: "internal",
      secretNeeded: false,
    });
  });

  it("refuses internal delivery to an outside application, and the application itself as its own partner", async () => {
    const before = await rowCounts();
    const internal = await create(base({ deliveryChannel: "internal" }));
    expect(internal.res.status).toBe(422);
    expect(fieldsOf(internal.json)).toEqual(["deliveryChannel"]);
    expect((internal.json as ErrorBody).error.message).toMatch(/sister brand/);

    const self = await create(base({ diditApplicationId: bank.didit }));
    expect(self.res.status).toBe(422);
    expect(codeOf(self.json)).toBe("same_application");
    expect((self.json as ErrorBody).error.message).toMatch(/cannot be Northwind Bank itself/);

    const missing = await create(base({ applicationId: crypto.randomUUID() }));
    expect(missing.res.status).toBe(422);
    expect(fieldsOf(missing.json)).toEqual(["applicationId"]);
    const deleted = await create(base({ applicationId: gone.id }));
    expect(deleted.res.status).toBe(422);
    expect(fieldsOf(deleted.json)).toEqual(["applicationId"]);
    expect(await rowCounts()).toEqual(before);
  });

  it("answers 409 for the same partner application twice on one of our applications, but not on another", async () => {
    const didit = crypto.randomUUID();
    const first = await create(base({ diditApplicationId: didit, name: "Globex" }));
    expect(first.res.status).toBe(201);
    const before = await rowCounts();
    const again = await create(base({ diditApplicationId: didit, name: "Globex again" }));
    expect(again.res.status).toBe(409);
    expect((again.json as ErrorBody).error.message).toBe(
      "Globex is already the partner with this Didit application for Northwind Bank: edit that partner instead.",
    );
    expect(await rowCounts()).toEqual(before);
    const other = await create(
      base({ diditApplicationId: didit, applicationId: pay.id, name: "Globex (Pay)" }),
    );
    expect(other.res.status).toBe(201);
  });

  it("needs https for push (http only to loopback outside production)", async () => {
    const plain = await create(base({ deliveryChannel: "push", pushUrl: "http://partner.example/inbox" }));
    expect(plain.res.status).toBe(422);
    expect(fieldsOf(plain.json)).toEqual(["pushUrl"]);
    const noUrl = await create(base({ deliveryChannel: "push" }));
    expect(noUrl.res.status).toBe(422);
    expect(fieldsOf(noUrl.json)).toContain("pushUrl");
    const loopback = await create(base({ deliveryChannel: "push", pushUrl: "http://127.0.0.1:4010/inbox" }));
    expect(loopback.res.status, loopback.text).toBe(201);
    const api = await create(base({ partnerApiBaseUrl: "http://partner.example" }));
    expect(fieldsOf(api.json)).toEqual(["partnerApiBaseUrl"]);
  });

  it("in production, takes http to loopback only from a console itself served over http on this machine", async () => {
    const cached = globalThis as unknown as { __handoffEnv?: Env };
    const saved = cached.__handoffEnv;
    const as = (publicUrl: string) => {
      cached.__handoffEnv = { ...getEnv(), NODE_ENV: "production", HANDOFF_PUBLIC_URL: publicUrl };
    };
    try {
      as("https://handoff.bank.example");
      const refused = await create(base({ deliveryChannel: "push", pushUrl: "http://127.0.0.1:4011/inbox" }));
      expect(refused.res.status).toBe(422);
      expect(fieldsOf(refused.json)).toEqual(["pushUrl"]);
      as("http://127.0.0.1:3000");
      const local = await create(base({ deliveryChannel: "push", pushUrl: "http://127.0.0.1:4011/inbox" }));
      expect(local.res.status, local.text).toBe(201);
      const remote = await create(base({ deliveryChannel: "push", pushUrl: "http://partner.example/inbox" }));
      expect(fieldsOf(remote.json)).toEqual(["pushUrl"]);
    } finally {
      cached.__handoffEnv = saved;
    }
  });

  it("answers bad input with the 422 envelope and writes nothing", async () => {
    const before = await rowCounts();
    const cases: Record<string, unknown>[] = [
      base({ allowedKinds: [] }),
      base({ allowedStatuses: ["Not Finished"] }),
      base({ defaultTtlSeconds: 90_000 }),
      base({ defaultTtlSeconds: 7200, maxTtlSeconds: 3600 }),
      base({ agreementSignedOn: "2026-06-01", agreementExpiresOn: "2026-05-31" }),
      base({ agreementExpiresOn: "10000-01-01" }),
      base({ vendorDataTemplate: "acme-{user}" }),
      base({ status: "suspended" }),
      base({ contacts: [{ name: "Ann", email: "not-an-email" }] }),
      base({ direction: "sideways" }),
      base({ diditApplicationId: "not-a-uuid" }),
      { ...base(), surprise: 1 },
    ];
    for (const body of cases) {
      const { res, json } = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(codeOf(json)).toBe("validation_failed");
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("lets only partnership managers write; every role reads", async () => {
    const before = await rowCounts();
    for (const role of ["officer", "auditor", "admin"] as const) {
      expect((await create(base(), as[role])).res.status, role).toBe(403);
    }
    expect(
      (await call(partnersRoute.POST, "/api/partners", { method: "POST", user: null, body: base() })).res
        .status,
    ).toBe(401);
    expect(await rowCounts()).toEqual(before);
    for (const role of ["officer", "auditor", "admin", "partnerships"] as const) {
      expect((await list("", as[role])).res.status, role).toBe(200);
    }
  });
});

describe(`editing a partner (${testDriver()})`, () => {
  let partner: PartnerDto;
  beforeAll(async () => {
    partner = ((await create(base({ name: "Initech", maxTtlSeconds: 7200 }))).json as CreatePartnerResponse)
      .partner;
  });

  it("audits the changed field names only", async () => {
    const { res, json } = await patch(partner.id, {
      name: "Initech Payments",
      allowedStatuses: ["Approved", "Declined"],
      contacts: [{ name: "Ann Ops", email: "ANN@initech.example", role: "DPO" }],
      defaultTtlSeconds: 3600,
    });
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json).toMatchObject({
      name: "Initech Payments",
      allowedStatuses: ["Approved", "Declined"],
      contacts: [{ name: "Ann Ops", email: "ann@initech.example", phone: null, role: "DPO" }],
    });
    const events = await auditsOf(partner.id);
    expect(events.at(-1)!.action).toBe("partner.updated");
    expect((events.at(-1)!.data as { fields: string[] }).fields).toEqual([
      "name",
      "allowedStatuses",
      "contacts",
    ]);
    const unchanged = await patch(partner.id, { name: "Initech Payments" });
    expect(unchanged.res.status).toBe(200);
    expect(await auditsOf(partner.id)).toHaveLength(events.length);
  });

  it("checks the merged row: a new default above the stored maximum, an expiry before the stored signing date", async () => {
    const ttl = await patch(partner.id, { defaultTtlSeconds: 7201 });
    expect(ttl.res.status).toBe(422);
    expect(fieldsOf(ttl.json)).toEqual(["defaultTtlSeconds"]);
    const dates = await patch(partner.id, { agreementExpiresOn: "2026-01-01" });
    expect(dates.res.status).toBe(422);
    expect(fieldsOf(dates.json)).toEqual(["agreementExpiresOn"]);
    const push = await patch(partner.id, { deliveryChannel: "push" });
    expect(fieldsOf(push.json)).toEqual(["pushUrl"]);
    const self = await patch(partner.id, { diditApplicationId: bank.didit });
    expect(codeOf(self.json)).toBe("same_application");
    const [row] = await t.db.select().from(partners).where(eq(partners.id, partner.id));
    expect(row!.defaultTtlSeconds).toBe(3600);
    expect(row!.agreementExpiresOn).toBe(partner.agreementExpiresOn);
  });

  it("suspends with a reason and reactivates, each audited as such", async () => {
    const noReason = await patch(partner.id, { status: "suspended" });
    expect(noReason.res.status).toBe(422);
    expect(fieldsOf(noReason.json)).toEqual(["suspendedReason"]);

    const suspended = await patch(partner.id, { status: "suspended", suspendedReason: "DPA under review" });
    expect(suspended.res.status).toBe(200);
    expect(suspended.json).toMatchObject({ status: "suspended", suspendedReason: "DPA under review" });
    expect((suspended.json as PartnerDto).suspendedAt).not.toBeNull();
    let events = await auditsOf(partner.id);
    expect(events.at(-1)).toMatchObject({
      action: "partner.suspended",
      data: { reason: "DPA under review" },
    });

    const reactivated = await patch(partner.id, { status: "active" });
    expect(reactivated.json).toMatchObject({ status: "active", suspendedReason: null, suspendedAt: null });
    events = await auditsOf(partner.id);
    expect(events.at(-1)).toMatchObject({
      action: "partner.reactivated",
      data: { previousReason: "DPA under review" },
    });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("refuses to blank an active partner's agreement reference or signing date (422 on the field), writing nothing", async () => {
    const p = ((await create(base({ name: "Signed Ltd" }))).json as CreatePartnerResponse).partner;
    const before = await auditsOf(p.id);
    for (const [body, field] of [
      [{ agreementReference: "" }, "agreementReference"],
      [{ agreementReference: null }, "agreementReference"],
      [{ agreementSignedOn: "" }, "agreementSignedOn"],
      [
        { agreementReference: null, agreementSignedOn: null, name: "Signed Ltd renamed" },
        "agreementReference",
      ],
    ] as const) {
      const { res, json } = await patch(p.id, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(codeOf(json)).toBe("validation_failed");
      const fields = (json as ErrorBody).error.details!.fields!;
      expect(Object.keys(fields)).toContain(field);
      expect(fields[field]![0]).toMatch(
        /^An active partner needs its agreement.s (reference|signing date): .*suspend the partner first/,
      );
    }
    const [row] = await t.db.select().from(partners).where(eq(partners.id, p.id));
    expect(row).toMatchObject({
      name: "Signed Ltd",
      agreementReference: "DSA-2026-07",
      agreementSignedOn: "2026-01-15",
    });
    expect(await auditsOf(p.id)).toHaveLength(before.length);

    // Changing the reference is fine; so is blanking it once the partner is suspended.
    expect((await patch(p.id, { agreementReference: "DSA-2026-08" })).res.status).toBe(200);
    await patch(p.id, { status: "suspended", suspendedReason: "agreement ended" });
    const blanked = await patch(p.id, { agreementReference: null, agreementSignedOn: null });
    expect(blanked.res.status).toBe(200);
    expect(blanked.json).toMatchObject({ agreementReference: null, agreementState: "none" });
  });

  it("keeps an active partner that never had an agreement editable, and ineligible until one is recorded", async () => {
    const draft = (
      (await create(base({ name: "Draft Co", agreementReference: null, agreementSignedOn: null })))
        .json as CreatePartnerResponse
    ).partner;
    expect(draft).toMatchObject({ status: "active", agreementState: "none" });
    const renamed = await patch(draft.id, { name: "Draft Co Ltd" });
    expect(renamed.res.status).toBe(200);
    // A reference alone is not an agreement in force yet.
    const halfway = await patch(draft.id, { agreementReference: "DSA-9" });
    expect(halfway.json).toMatchObject({ agreementReference: "DSA-9", agreementState: "none" });
    const signed = await patch(draft.id, { agreementSignedOn: "2026-02-01" });
    expect(signed.json).toMatchObject({ agreementState: "valid" });
  });

  it("answers 404 for an unknown or malformed id, 403 for a reader", async () => {
    expect((await patch(crypto.randomUUID(), { name: "x" })).res.status).toBe(404);
    expect((await patch("nope", { name: "x" })).res.status).toBe(404);
    expect((await detail(crypto.randomUUID())).res.status).toBe(404);
    expect((await patch(partner.id, { name: "x" }, as.officer)).res.status).toBe(403);
  });

  it("keeps a partnership with shares on its application", async () => {
    const other = ((await create(base({ name: "Movable" }))).json as CreatePartnerResponse).partner;
    const moved = await patch(other.id, { applicationId: pay.id });
    expect(moved.res.status).toBe(200);
    await t.db.insert(shares).values({
      applicationId: pay.id,
      partnerId: other.id,
      sessionId: crypto.randomUUID(),
      sessionKind: "user",
      sessionNumber: 42,
      sourceStatus: "Approved",
      forApplicationId: other.diditApplicationId,
      ttlSeconds: 600,
      tokenHash: `hash-${crypto.randomUUID()}`,
      claims: {},
      issuedAt: new Date(),
      expiresAt: new Date(Date.now() + 600_000),
      channel: "manual",
      manifest: {
        session_number: 42,
        status: "Approved",
        created_at: null,
        features: [],
        agreement_reference: null,
      },
      agreement: { reference: null, signedOn: null, expiresOn: null, partnerStatus: "active" },
    });
    const back = await patch(other.id, { applicationId: bank.id });
    expect(back.res.status).toBe(409);
    const got = (await detail(other.id)).json as PartnerDetailDto;
    expect(got.recentShares).toEqual([
      expect.objectContaining({ sessionNumber: 42, state: "pending", sessionKind: "user" }),
    ]);
    expect(got.partnerIdHeader).toEqual({ name: "handoff-partner-id", value: other.id });
  });
});

describe(`listing partners (${testDriver()})`, () => {
  const tag = `list${Math.random().toString(36).slice(2, 7)}`;
  beforeAll(async () => {
    const mk = (name: string, o: Record<string, unknown>) => create(base({ name: `${tag} ${name}`, ...o }));
    await mk("valid", { agreementExpiresOn: inDays(90) });
    await mk("expiring", { agreementExpiresOn: inDays(10) });
    await mk("today", { agreementExpiresOn: today() });
    await mk("expired", { agreementSignedOn: "2025-01-01", agreementExpiresOn: "2025-12-31" });
    await mk("none", { agreementReference: null, agreementSignedOn: null, agreementExpiresOn: null });
    // A reference with an expiry but no signing date is no agreement in force (issue 15).
    await mk("unsigned", { agreementSignedOn: null, agreementExpiresOn: inDays(90) });
    await mk("suspended", { status: "suspended", suspendedReason: "breach", applicationId: pay.id });
  });

  const names = (json: unknown) =>
    (json as PartnerListResponse).items
      .map((p) => p.name.replace(`${tag} `, ""))
      .filter((n) => !n.includes(" "));

  it("flags each agreement and filters by state, status, application and text", async () => {
    const all = (await list(`?q=${tag}`)).json as PartnerListResponse;
    const state = Object.fromEntries(all.items.map((p) => [p.name.replace(`${tag} `, ""), p.agreementState]));
    expect(state).toEqual({
      valid: "valid",
      expiring: "expiring",
      today: "expiring",
      expired: "expired",
      none: "none",
      unsigned: "none",
      suspended: "valid",
    });
    expect(all.items.find((p) => p.name.endsWith("expiring"))!.agreementDaysLeft).toBe(10);
    expect(names((await list(`?q=${tag}&expiring=true`)).json)).toEqual(["expiring", "today"]);
    expect(names((await list(`?q=${tag}&agreementState=expired`)).json)).toEqual(["expired"]);
    expect(names((await list(`?q=${tag}&agreementState=none`)).json)).toEqual(["none", "unsigned"]);
    expect(names((await list(`?q=${tag}&agreementState=valid`)).json)).toEqual(["suspended", "valid"]);
    expect(names((await list(`?q=${tag}&status=suspended`)).json)).toEqual(["suspended"]);
    expect(names((await list(`?q=${tag}&applicationId=${pay.id}`)).json)).toEqual(["suspended"]);
    expect(names((await list(`?q=${tag.toUpperCase()}%20EXP`)).json)).toEqual(["expired", "expiring"]);
  });

  it("pages with a cursor and refuses a forged one", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await list(`?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ""}`))
        .json as PartnerListResponse;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...names(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["expired", "expiring", "none", "suspended", "today", "unsigned", "valid"]);
    for (const bad of ["abc", Buffer.from('["x", 1]').toString("base64url"), "%00"]) {
      const { res, json } = await list(`?cursor=${bad}`);
      expect(res.status, bad).toBe(422);
      expect(codeOf(json)).toBe("validation_failed");
    }
    // Looks like a uuid to a loose pattern, is not one: searched as text, not cast.
    expect((await list(`?q=${"-".repeat(36)}`)).res.status).toBe(200);
    expect((await list("?limit=0")).res.status).toBe(422);
    expect((await list("?expiring=maybe")).res.status).toBe(422);
    expect((await list("?applicationId=x")).res.status).toBe(422);
  });
});

describe(`the share wizard's eligible partners (${testDriver()})`, () => {
  it("lists every partner of the session's application, eligible first, others with the reason", async () => {
    const [app] = await t.db
      .insert(connectedApplications)
      .values({ name: "Eligibility Bank", diditApplicationId: crypto.randomUUID(), environment: "sandbox" })
      .returning();
    const sessionId = crypto.randomUUID();
    await t.db.insert(sessionMirror).values({
      applicationId: app!.id,
      diditSessionId: sessionId,
      sessionNumber: 7,
      kind: "business",
      status: "In Review",
      diditCreatedAt: new Date(),
    });
    const mk = async (name: string, o: Record<string, unknown>) =>
      ((await create(base({ name, applicationId: app!.id, ...o }))).json as CreatePartnerResponse).partner;
    await mk("Zeta OK", {});
    await mk("Alpha suspended", { status: "suspended", suspendedReason: "breach" });
    await mk("Beta KYC only", { allowedKinds: ["user"] });
    await mk("Gamma approved only", { allowedStatuses: ["Approved"] });
    await mk("Delta inbound", { direction: "inbound" });
    await mk("Epsilon lapsed", { agreementSignedOn: "2025-01-01", agreementExpiresOn: "2025-06-30" });
    await mk("Eta unsigned", { agreementReference: null });
    await create(base({ name: "Other app's partner", applicationId: pay.id }));

    const { res, json } = await list(`?eligibleFor=${sessionId}`, as.officer);
    expect(res.status).toBe(200);
    const body = json as EligiblePartnersResponse;
    expect(body.session).toEqual({
      id: sessionId,
      applicationId: app!.id,
      kind: "business",
      status: "In Review",
      sessionNumber: 7,
    });
    expect(body.items.map((i) => [i.partner.name, i.eligible, i.code ?? null])).toEqual([
      ["Zeta OK", true, null],
      ["Alpha suspended", false, "partner_suspended"],
      ["Beta KYC only", false, "kind_not_allowed"],
      ["Delta inbound", false, "partner_not_outbound"],
      ["Epsilon lapsed", false, "partner_agreement_expired"],
      ["Eta unsigned", false, "partner_agreement_missing"],
      ["Gamma approved only", false, "status_not_allowed"],
    ]);
    expect(body.items.find((i) => i.partner.name === "Eta unsigned")!.message).toMatch(
      /No data-sharing agreement is in force with Eta unsigned: its reference is not recorded/,
    );
    expect(body.items[1]!.message).toMatch(/Alpha suspended is suspended \(breach\)/);
    expect(JSON.stringify(body)).not.toMatch(/whsec_/);

    const unknown = await list(`?eligibleFor=${crypto.randomUUID()}`);
    expect(unknown.res.status).toBe(404);
    expect((unknown.json as ErrorBody).error.message).toMatch(/sync its application/);
    await t.db
      .update(sessionMirror)
      .set({ deletedAt: new Date() })
      .where(and(eq(sessionMirror.diditSessionId, sessionId)));
    expect((await list(`?eligibleFor=${sessionId}`)).res.status).toBe(404);
  });
});

describe(`rotating a partner's secret (${testDriver()})`, () => {
  it("returns the new secret once (no-store); the old one verifies through the overlap", async () => {
    const { partnerVerificationSecrets, partnerSigningSecret } = await import("./secrets");
    const made = (await create(base({ deliveryChannel: "pickup" }))).json as CreatePartnerResponse;
    const first = made.secret!;
    const { res, json, text } = await rotate(made.partner.id, { overlapHours: 2 });
    expect(res.status, text).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const rotated = json as RotatePartnerSecretResponse;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(first);
    expect(rotated.last4).toBe(rotated.secret!.slice(-4));
    const until = Date.parse(rotated.previousExpiresAt!);
    expect(Math.abs(until - (Date.now() + 2 * 3_600_000))).toBeLessThan(60_000);

    expect(await partnerVerificationSecrets(t.db, made.partner.id)).toEqual([rotated.secret, first]);
    expect(await partnerSigningSecret(t.db, made.partner.id)).toBe(rotated.secret);
    const later = new Date(until + 1000);
    expect(await partnerVerificationSecrets(t.db, made.partner.id, later)).toEqual([rotated.secret]);

    const got = (await detail(made.partner.id)).json as PartnerDetailDto;
    expect(got.secret?.last4).toBe(rotated.last4);
    expect(got.secrets.map((s) => s.state)).toEqual(["current", "overlap"]);
    const events = await auditsOf(made.partner.id);
    expect(events.at(-1)).toMatchObject({
      action: "partner.secret_rotated",
      data: { overlapHours: 2, previousSecrets: 1, secretId: rotated.id },
    });
    expect(JSON.stringify(events.at(-1)!.data)).not.toContain(rotated.secret!.slice(6));
  });

  it("with no overlap the old secret stops at once; issues a first secret where none was", async () => {
    const { partnerVerificationSecrets } = await import("./secrets");
    const made = (await create(base({ deliveryChannel: "push", pushUrl: "https://p.example/in" })))
      .json as CreatePartnerResponse;
    const r = (await rotate(made.partner.id, { overlapHours: 0 })).json as RotatePartnerSecretResponse;
    expect(await partnerVerificationSecrets(t.db, made.partner.id, new Date(Date.now() + 1000))).toEqual([
      r.secret,
    ]);

    const manual = (await create(base())).json as CreatePartnerResponse;
    expect(manual.secret).toBeNull();
    const firstSecret = (await rotate(manual.partner.id)).json as RotatePartnerSecretResponse;
    expect(firstSecret.previousExpiresAt).toBeNull();
    expect(await partnerVerificationSecrets(t.db, manual.partner.id)).toEqual([firstSecret.secret]);
  });

  it("refuses a bad overlap, an unknown partner and a reader, writing nothing", async () => {
    const made = (await create(base({ deliveryChannel: "pickup" }))).json as CreatePartnerResponse;
    const before = await rowCounts();
    for (const body of [
      { overlapHours: 169 },
      { overlapHours: -1 },
      { overlapHours: 1.5 },
      { overlapHours: "24" },
      { x: 1 },
    ]) {
      expect((await rotate(made.partner.id, body)).res.status, JSON.stringify(body)).toBe(422);
    }
    expect((await rotate(crypto.randomUUID())).res.status).toBe(404);
    expect((await rotate(made.partner.id, {}, as.officer)).res.status).toBe(403);
    expect(await rowCounts()).toEqual(before);
  });
});

describe(`a remote Handoff console's partner: our id there, pick-up, their secret (${testDriver()})`, () => {
  const REMOTE_ID = "3f2b1c0d-9e8a-4b7c-8d6e-5f4a3b2c1d0e";
  const theirSecret = () =>
    `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;
  const pickupJobs = async (partnerId: string) => {
    const { jobs } = await import("@/lib/server/db/schema/jobs");
    const rows = await t.db.select().from(jobs).where(eq(jobs.queue, "partners.pickup"));
    return rows.filter((r) => (r.payload as { partnerId?: string }).partnerId === partnerId);
  };

  it("stores our partner id at them and pick-up, shows the last poll, audits them, queues the first poll", async () => {
    const { res, json, text } = await create(
      base({
        direction: "inbound",
        partnerApiBaseUrl: "https://handoff.partner.example",
        remotePartnerId: REMOTE_ID.toUpperCase(),
        inboundPickup: true,
      }),
    );
    expect(res.status, text).toBe(201);
    const { partner } = json as CreatePartnerResponse;
    expect(partner).toMatchObject({
      remotePartnerId: REMOTE_ID,
      inboundPickup: true,
      pickupPolledAt: null,
      pickupError: null,
    });
    expect((await pickupJobs(partner.id)).map((j) => j.state)).toEqual(["pending"]);
    const [created] = await auditsOf(partner.id);
    expect(created!.data).toMatchObject({ remotePartnerId: REMOTE_ID, inboundPickup: true });

    const polledAt = new Date("2026-12-01T10:00:00Z");
    await t.db
      .update(partners)
      .set({ pickupPolledAt: polledAt, pickupError: "listing shares: HTTP 401 invalid_signature" })
      .where(eq(partners.id, partner.id));
    const got = (await detail(partner.id)).json as PartnerDetailDto;
    expect(got).toMatchObject({
      pickupPolledAt: polledAt.toISOString(),
      pickupError: "listing shares: HTTP 401 invalid_signature",
    });

    const off = await patch(partner.id, { inboundPickup: false, remotePartnerId: "" });
    expect(off.res.status, off.text).toBe(200);
    expect(off.json).toMatchObject({ inboundPickup: false, remotePartnerId: null });
    expect((await auditsOf(partner.id)).at(-1)).toMatchObject({
      action: "partner.updated",
      data: { fields: ["remotePartnerId", "inboundPickup"], inboundPickup: false, remotePartnerId: null },
    });
    // Defaults: no remote id, no pick-up.
    const plain = (await create(base())).json as CreatePartnerResponse;
    expect(plain.partner).toMatchObject({ remotePartnerId: null, inboundPickup: false });
    expect(await pickupJobs(plain.partner.id)).toEqual([]);
  });

  it("refuses pick-up without the API base URL, our id there, or tokens coming our way (422 per field)", async () => {
    const before = await rowCounts();
    const bad = await create(base({ direction: "outbound", inboundPickup: true }));
    expect(bad.res.status).toBe(422);
    expect(fieldsOf(bad.json).sort()).toEqual(["inboundPickup", "partnerApiBaseUrl", "remotePartnerId"]);
    for (const body of [
      base({ remotePartnerId: "not-a-uuid" }),
      base({ inboundPickup: "yes" }),
      base({ direction: "inbound", inboundPickup: true, remotePartnerId: REMOTE_ID }),
    ]) {
      const r = await create(body);
      expect(r.res.status, JSON.stringify(body)).toBe(422);
    }
    expect(await rowCounts()).toEqual(before);

    // A PATCH is checked against the stored row: pick-up on a partner without the base URL.
    const made = (
      (await create(base({ direction: "both", remotePartnerId: REMOTE_ID }))).json as CreatePartnerResponse
    ).partner;
    const on = await patch(made.id, { inboundPickup: true });
    expect(on.res.status).toBe(422);
    expect(fieldsOf(on.json)).toEqual(["partnerApiBaseUrl"]);
    const ok = await patch(made.id, { inboundPickup: true, partnerApiBaseUrl: "https://x.example" });
    expect(ok.res.status, ok.text).toBe(200);
    expect(await pickupJobs(made.id)).toHaveLength(1);
    const outbound = await patch(made.id, { direction: "outbound" });
    expect(outbound.res.status).toBe(422);
    expect(fieldsOf(outbound.json)).toEqual(["inboundPickup"]);
    expect(((await detail(made.id)).json as PartnerDetailDto).direction).toBe("both");
  });

  it("adopts the secret the partner's console issued: stored as given, the same overlap, never answered", async () => {
    const { partnerVerificationSecrets, partnerSigningSecret } = await import("./secrets");
    const made = (await create(base({ direction: "inbound" }))).json as CreatePartnerResponse;
    const ours = made.secret!;
    const theirs = theirSecret();
    const { res, json, text } = await rotate(made.partner.id, { overlapHours: 3, secret: ` ${theirs} ` });
    expect(res.status, text).toBe(201);
    expect(text).not.toContain(theirs.slice(6));
    const adopted = json as RotatePartnerSecretResponse;
    expect(adopted).toMatchObject({ secret: null, adopted: true, last4: theirs.slice(-4) });
    expect(await partnerSigningSecret(t.db, made.partner.id)).toBe(theirs);
    expect(await partnerVerificationSecrets(t.db, made.partner.id)).toEqual([theirs, ours]);
    const until = Date.parse(adopted.previousExpiresAt!);
    expect(Math.abs(until - (Date.now() + 3 * 3_600_000))).toBeLessThan(60_000);
    const event = (await auditsOf(made.partner.id)).at(-1)!;
    expect(event).toMatchObject({
      action: "partner.secret_rotated",
      data: { adopted: true, overlapHours: 3, previousSecrets: 1, secretId: adopted.id },
    });
    expect(JSON.stringify(event)).not.toContain(theirs.slice(6));
    const [stored] = await t.db.select().from(partnerSecrets).where(eq(partnerSecrets.id, adopted.id));
    expect(stored!.secretCiphertext).not.toContain(theirs.slice(6));
    // A generated rotation says so too.
    const generated = (await rotate(made.partner.id, {})).json as RotatePartnerSecretResponse;
    expect(generated.adopted).toBe(false);
    expect(generated.secret).toMatch(/^whsec_/);
    expect((await auditsOf(made.partner.id)).at(-1)!.data).toMatchObject({ adopted: false });
  });

  it("refuses what is not a whsec_ secret of at least 24 bytes, storing nothing", async () => {
    const made = (await create(base({ direction: "inbound" }))).json as CreatePartnerResponse;
    const before = await rowCounts();
    for (const secret of [
      "",
      "hello",
      `whsec_${Buffer.alloc(16, 7).toString("base64")}`, // 16 bytes: too short
      `whsec_${Buffer.alloc(32, 7).toString("base64")}===`,
      `whsec_${"A".repeat(40)}!`,
      `whsec ${Buffer.alloc(32, 7).toString("base64")}`,
      `sk_${Buffer.alloc(32, 7).toString("base64")}`,
      `whsec_${"A".repeat(33)}`, // not base64 (33 characters)
      42,
    ]) {
      const r = await rotate(made.partner.id, { secret });
      expect(r.res.status, String(secret)).toBe(422);
      expect((r.json as ErrorBody).error.details?.fields?.secret).toEqual([
        "Paste the whsec_ secret the partner gave you",
      ]);
    }
    expect(await rowCounts()).toEqual(before);
  });
});

describe(`partner-signed requests (${testDriver()})`, () => {
  it("partnerSecretsLookup finds the partner by path or header, never a suspended or unknown one", async () => {
    const { partnerSecretsLookup } = await import("./secrets");
    const { systemContext } = await import("@/lib/server/kernel");
    const ctx = systemContext(t.db);
    const made = (await create(base({ deliveryChannel: "pickup" }))).json as CreatePartnerResponse;
    const id = made.partner.id;
    const none = new Headers();
    expect(await partnerSecretsLookup(ctx, { partnerId: id }, none)).toEqual({
      partnerId: id,
      secrets: [made.secret],
    });
    expect(
      await partnerSecretsLookup(ctx, {}, new Headers({ "handoff-partner-id": id.toUpperCase() })),
    ).toEqual({
      partnerId: id,
      secrets: [made.secret],
    });
    // The path wins over the header.
    expect(
      await partnerSecretsLookup(ctx, { partnerId: "x" }, new Headers({ "handoff-partner-id": id })),
    ).toBeNull();
    expect(await partnerSecretsLookup(ctx, {}, new Headers({ "handoff-partner-id": "nope" }))).toBeNull();
    expect(await partnerSecretsLookup(ctx, {}, none)).toBeNull();
    expect(await partnerSecretsLookup(ctx, { partnerId: crypto.randomUUID() }, none)).toBeNull();
    const manual = (await create(base())).json as CreatePartnerResponse;
    expect(await partnerSecretsLookup(ctx, { partnerId: manual.partner.id }, none)).toBeNull();
    await patch(id, { status: "suspended", suspendedReason: "leak" });
    expect(await partnerSecretsLookup(ctx, { partnerId: id }, none)).toBeNull();
  });

  it("works as the secrets option of a partner-mode route: signed by either secret in the overlap", async () => {
    const { Webhook } = await import("standardwebhooks");
    const { apiRoute } = await import("@/lib/server/http/route");
    const { partnerSecretsLookup } = await import("./secrets");
    const route = apiRoute({ mode: "partner", secrets: partnerSecretsLookup }, async ({ sender }) => ({
      partnerId: sender.partnerId,
    }));
    const made = (await create(base({ deliveryChannel: "pickup" }))).json as CreatePartnerResponse;
    const send = (secret: string, id: string) => {
      const body = '{"hello":"world"}';
      const at = new Date();
      return route(
        new Request("http://handoff.test/api/partner/v1/test", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "handoff-partner-id": made.partner.id,
            "webhook-id": id,
            "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
            "webhook-signature": new Webhook(secret).sign(id, at, body),
          },
          body,
        }),
      );
    };
    expect((await send(made.secret!, "msg_a")).status).toBe(200);
    const rotated = (await rotate(made.partner.id, { overlapHours: 1 })).json as RotatePartnerSecretResponse;
    expect((await send(made.secret!, "msg_b")).status).toBe(200);
    const res = await send(rotated.secret!, "msg_c");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ partnerId: made.partner.id });
    expect((await send(`whsec_${Buffer.alloc(32, 1).toString("base64")}`, "msg_d")).status).toBe(401);
  });
});

describe(`partner routes under spoilt input, as a partnership manager (${testDriver()})`, () => {
  it("never answer 5xx, and a refusal writes no row", async () => {
    const fc = (await import("fast-check")).default;
    const target = ((await create(base({ deliveryChannel: "pickup" }))).json as CreatePartnerResponse)
      .partner;
    const nasty = fc.constantFrom(
      "",
      " ",
      "\u0000",
      "a".repeat(5000),
      "2026-02-30",
      "99999-01-01",
      "-1",
      "1e309",
      "http://x",
      "https://u:p@x.example",
      "{random",
      "{nope}",
      "00000000-0000-0000-0000-000000000000",
      bank.id,
      bank.didit,
      pay.didit,
      "push",
      "internal",
      "suspended",
      "\uD800",
    );
    const spoilt = fc.oneof(
      nasty,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(nasty, { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), nasty, { maxKeys: 2 }),
    );
    const keys = Object.keys(base()).concat([
      "deliveryChannel",
      "pushUrl",
      "status",
      "suspendedReason",
      "contacts",
      "defaultTtlSeconds",
      "maxTtlSeconds",
      "vendorDataTemplate",
      "overlapHours",
    ]);
    const countAll = async () => {
      const [a] = await t.db.select({ n: count() }).from(auditEvents);
      return { ...(await rowCounts()), audit: Number(a!.n) };
    };
    const property = fc.asyncProperty(
      fc.constantFrom("POST", "PATCH", "ROTATE"),
      fc.constantFrom(...keys),
      spoilt,
      async (kind, key, value) => {
        const body = kind === "PATCH" ? { [key]: value } : { ...base(), [key]: value };
        const before = await countAll();
        const { res } =
          kind === "POST"
            ? await create(body)
            : kind === "PATCH"
              ? await patch(target.id, body)
              : await rotate(target.id, { [key]: value });
        expect(res.status, JSON.stringify(body).slice(0, 300)).toBeLessThan(500);
        if (res.status >= 400) expect(await countAll()).toEqual(before);
      },
    );
    await fc.assert(property, { numRuns: 250, seed: 20261201 });
  }, 120_000);
});
