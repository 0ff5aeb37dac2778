import { randomUUID } from "node:crypto";
import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DELETE as deleteRoute,
  GET as getRoute,
  PATCH as patchRoute,
} from "@/app/api/applications/[id]/route";
import { POST as syncRoute } from "@/app/api/applications/[id]/sync/route";
import { POST as webhookRoute } from "@/app/api/applications/[id]/webhook/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/applications/route";
import type { ApplicationDto, ApplicationSummaryDto } from "@/lib/schemas/applications";
import { open, seal } from "@/lib/server/crypto/envelope";
import { auditEvents } from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { connectedApplications, partners, shares } from "@/lib/server/db/schema/sharing";
import { createDiditClient, setDiditClientForTests } from "@/lib/server/didit";
import type { DiditClient } from "@/lib/server/didit/types";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { setListenAddressForTests } from "@/lib/server/listen-address";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { sandboxApi, type TestApp } from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";
import { insertUser, request, type TestUser } from "@/test/session";
import { ensureWebhookDestination } from "./keys";
import { APPLICATION_SETUP_QUEUE, runApplicationSetup, scheduleApplicationChecks } from "./setup";
import { applicationSetupJob, diditWebhookJob } from "@/lib/server/services/applications";

/**
 * Connected applications against the Didit sandbox over real HTTP: the key tested with a list call,
 * the webhook destination registered (or reused) with its secret sealed, the setup job when this
 * console's URL is not known yet, rotation, deletion, and what each role sees.
 */

let t: TestDatabase;
let sandbox: SandboxServer;
let api: ReturnType<typeof sandboxApi>;
let client: DiditClient;
let bank: TestApp;
let pay: TestApp;
let spare: TestApp;
const users = {} as Record<"admin" | "officer" | "auditor", TestUser>;
const LISTEN = { host: "127.0.0.1", port: 39_127 };
const ORIGIN = `http://${LISTEN.host}:${LISTEN.port}`;

type ErrorBody = {
  error: { code: string; message: string; details?: { fields?: Record<string, string[]> } };
};

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandboxServer();
  api = sandboxApi(sandbox.origin);
  client = createDiditClient({ baseUrl: () => `${sandbox.origin}/sandbox`, limiter: false, maxRetries: 0 });
  setDiditClientForTests(client);
  registerJobs([applicationSetupJob, diditWebhookJob]);
  bank = await api.newApp("recipe", "Bank");
  pay = await api.newApp("spec", "Pay");
  spare = await api.newApp("recipe", "Spare");
  users.admin = await insertUser(t.db, "admin");
  users.officer = await insertUser(t.db, "officer");
  users.auditor = await insertUser(t.db, "auditor");
});
afterAll(async () => {
  setDiditClientForTests(null);
  setListenAddressForTests(null);
  await sandbox?.close();
  await t?.close();
});
beforeEach(() => setListenAddressForTests(LISTEN));
afterEach(() => setListenAddressForTests(null));

const params = (id: string) => ({ params: Promise.resolve({ id }) });

async function create(body: Record<string, unknown>, user: TestUser = users.admin) {
  return createRoute(await request("/api/applications", { method: "POST", user, body }));
}

function body(app: TestApp, overrides: Record<string, unknown> = {}) {
  return {
    name: `Northwind ${app.id.slice(0, 4)}`,
    diditApplicationId: app.id,
    environment: "sandbox",
    apiKey: app.key,
    defaultWorkflowUser: app.workflows.user,
    defaultWorkflowBusiness: app.workflows.business,
    ...overrides,
  };
}

const rowOf = async (id: string) =>
  (await t.db.select().from(connectedApplications).where(eq(connectedApplications.id, id)))[0]!;

async function counts() {
  const [a] = await t.db.select({ n: count() }).from(connectedApplications);
  const [e] = await t.db.select({ n: count() }).from(auditEvents);
  const [j] = await t.db.select({ n: count() }).from(jobs);
  return { apps: Number(a!.n), audit: Number(e!.n), jobs: Number(j!.n) };
}

const jobsOf = (queue: string, applicationId: string) =>
  t.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.queue, queue), sql`${jobs.payload} ->> 'applicationId' = ${applicationId}`));

const destinationsOf = (app: TestApp) =>
  client.listWebhookDestinations({ id: app.id, apiKeyCiphertext: seal(app.key, app.id) });

async function auditOf(id: string) {
  return t.db.select().from(auditEvents).where(eq(auditEvents.entityId, id)).orderBy(auditEvents.seq);
}

/** Deletes an application row's Didit destination and the row itself, so a test can connect it again. */
async function disconnect(id: string) {
  const res = await deleteRoute(
    await request(`/api/applications/${id}`, { method: "DELETE", user: users.admin, body: {} }),
    params(id),
  );
  expect(res.status).toBe(204);
}

describe(`connected applications (${testDriver()})`, () => {
  it("creates with a tested key, registers the webhook with a sealed secret, and queues the backfill", async () => {
    const res = await create(body(bank));
    const text = await res.clone().text();
    expect(res.status, text).toBe(201);
    const dto = (await res.json()) as ApplicationDto;
    expect(text).not.toContain(bank.key);
    expect(text).not.toMatch(/ciphertext|secret/i);
    expect(dto.apiKeyLast4).toBe(bank.key.slice(-4));
    expect(dto.apiKeyCheckedAt).not.toBeNull();
    expect(dto.webhook.state).toBe("registered");
    expect(dto.webhook.url).toBe(`${ORIGIN}/api/webhooks/didit/${dto.id}`);
    expect(dto.defaultWorkflowUser).toBe(bank.workflows.user);

    const row = await rowOf(dto.id);
    expect(open(row.apiKeyCiphertext!, row.id)).toBe(bank.key);
    expect(row.apiKeyCiphertext).not.toContain(bank.key);
    const [destination] = (await destinationsOf(bank)).filter((d) => d.url === dto.webhook.url);
    expect(destination).toBeDefined();
    expect(destination!.subscribedEvents.sort()).toEqual(["data.updated", "status.updated"]);
    const full = await client.getWebhookDestination(
      { id: bank.id, apiKeyCiphertext: seal(bank.key, bank.id) },
      destination!.id,
    );
    expect(open(row.webhookSecretCiphertext!, row.id)).toBe(full.secretSharedKey);
    expect(row.webhookDestinationId).toBe(destination!.id);

    expect(await jobsOf("sessions.sync", dto.id)).toHaveLength(1);
    expect(await jobsOf(APPLICATION_SETUP_QUEUE, dto.id)).toHaveLength(0);
    const audit = await auditOf(dto.id);
    expect(audit.map((a) => a.action)).toEqual(["application.created", "application.webhook_registered"]);
    expect(JSON.stringify(audit)).not.toContain(bank.key);
    expect(JSON.stringify(audit)).not.toContain(full.secretSharedKey);
  });

  it("refuses a key Didit rejects with 422 on the key field, and writes nothing", async () => {
    const before = await counts();
    const res = await create(body(pay, { apiKey: "not-a-real-didit-key-0000" }));
    expect(res.status).toBe(422);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe("validation_failed");
    expect(error.details?.fields?.apiKey?.[0]).toMatch(/Didit refused this API key/);
    expect(await counts()).toEqual(before);
    expect((await destinationsOf(pay)).length).toBe(0);
  });

  it("refuses a second connection of the same Didit application (409) and invalid input (422)", async () => {
    const before = await counts();
    const dup = await create(body(bank, { name: "Again" }));
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as ErrorBody).error.details?.fields?.diditApplicationId).toBeDefined();
    for (const bad of [
      body(pay, { diditApplicationId: "not-a-uuid" }),
      body(pay, { environment: "staging" }),
      body(pay, { apiKey: "short" }),
      body(pay, { name: "" }),
      body(pay, { defaultWorkflowUser: "wf_partner_kyc" }),
    ]) {
      expect((await create(bad)).status).toBe(422);
    }
    expect(await counts()).toEqual(before);
  });

  it("every role reads the list; only admins see key and webhook state, and only admins change it", async () => {
    const adminList = (await (
      await listRoute(await request("/api/applications", { user: users.admin }))
    ).json()) as { items: ApplicationDto[] };
    expect(adminList.items[0]!.webhook).toBeDefined();
    for (const role of ["officer", "auditor"] as const) {
      const res = await listRoute(await request("/api/applications", { user: users[role] }));
      expect(res.status).toBe(200);
      const list = (await res.json()) as { items: ApplicationSummaryDto[] };
      expect(list.items.length).toBe(adminList.items.length);
      expect(Object.keys(list.items[0]!).sort()).toEqual([
        "diditApplicationId",
        "environment",
        "id",
        "name",
        "sync",
        // Named workflows for the pickers (issue 15): names and ids, no secret.
        "workflows",
      ]);
      const one = await getRoute(
        await request(`/api/applications/${list.items[0]!.id}`, { user: users[role] }),
        params(list.items[0]!.id),
      );
      expect(Object.keys((await one.json()) as object)).not.toContain("apiKeyLast4");
    }
    const before = await counts();
    expect((await create(body(pay), users.officer)).status).toBe(403);
    const id = adminList.items[0]!.id;
    const patch = await patchRoute(
      await request(`/api/applications/${id}`, { method: "PATCH", user: users.auditor, body: { name: "x" } }),
      params(id),
    );
    expect(patch.status).toBe(403);
    expect(await counts()).toEqual(before);
    const missing = randomUUID();
    expect(
      (await getRoute(await request(`/api/applications/${missing}`, { user: users.admin }), params(missing)))
        .status,
    ).toBe(404);
  });

  it("reuses a destination Didit already has for the receiver's URL, reading its secret", async () => {
    const caller = { id: spare.id, apiKeyCiphertext: seal(spare.key, spare.id) };
    const url = `${ORIGIN}/api/webhooks/didit/${randomUUID()}`;
    const first = await client.createWebhookDestination(caller, {
      label: "earlier",
      url,
      subscribedEvents: ["status.updated"],
      enabled: false,
    });
    const reused = await ensureWebhookDestination(client, caller, url);
    expect(reused.destinationId).toBe(first.id);
    expect(reused.secret).toBe(first.secretSharedKey);
    const after = await client.getWebhookDestination(caller, first.id);
    expect(after.enabled).toBe(true);
    expect(after.subscribedEvents.sort()).toEqual(["data.updated", "status.updated"]);
    expect((await destinationsOf(spare)).filter((d) => d.url === url)).toHaveLength(1);
    await client.deleteWebhookDestination(caller, first.id);
  });

  it("keeps the application when registration fails and registers it from the setup job", async () => {
    // Didit refuses a plain-http destination outside loopback: the key works, the webhook does not.
    setListenAddressForTests({ host: "handoff.example", port: 80 });
    const res = await create(body(pay));
    expect(res.status).toBe(201);
    const dto = (await res.json()) as ApplicationDto;
    expect(dto.webhook.state).toBe("failed");
    expect(dto.webhook.error).toBeTruthy();
    expect(dto.apiKeyCheckedAt).not.toBeNull();
    expect(await jobsOf("sessions.sync", dto.id)).toHaveLength(1);
    expect(await jobsOf(APPLICATION_SETUP_QUEUE, dto.id)).toHaveLength(1);

    // The page's "Register webhook" while Didit still refuses: an error, nothing changes.
    const refused = await webhookRoute(
      await request(`/api/applications/${dto.id}/webhook`, { method: "POST", user: users.admin, body: {} }),
      params(dto.id),
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect((await rowOf(dto.id)).webhookSecretCiphertext).toBeNull();

    setListenAddressForTests(LISTEN);
    const run = await runDueJobs(t.db, {
      queues: [APPLICATION_SETUP_QUEUE],
      now: new Date(Date.now() + 60_000),
    });
    expect(run.done).toBe(1);
    const row = await rowOf(dto.id);
    expect(row.webhookError).toBeNull();
    expect(row.webhookUrl).toBe(`${ORIGIN}/api/webhooks/didit/${dto.id}`);
    expect(row.webhookSecretCiphertext).not.toBeNull();
    expect((await auditOf(dto.id)).map((a) => a.action)).toContain("application.webhook_registered");
    // Only the first sync: the setup job does not queue a second one.
    expect(await jobsOf("sessions.sync", dto.id)).toHaveLength(1);
    await disconnect(dto.id);
  });

  it("defers the whole setup to the job while this console's URL is unknown", async () => {
    setListenAddressForTests(null);
    const res = await create(body(pay, { name: "Deferred" }));
    expect(res.status).toBe(201);
    const dto = (await res.json()) as ApplicationDto;
    expect(dto.apiKeyCheckedAt).toBeNull();
    expect(dto.webhook.state).toBe("pending");
    expect(await jobsOf("sessions.sync", dto.id)).toHaveLength(0);

    // Still not listening: the attempt fails and is retried.
    let run = await runDueJobs(t.db, { queues: [APPLICATION_SETUP_QUEUE], now: new Date(Date.now() + 1000) });
    expect(run.retrying).toBe(1);
    setListenAddressForTests(LISTEN);
    run = await runDueJobs(t.db, {
      queues: [APPLICATION_SETUP_QUEUE],
      now: new Date(Date.now() + 3_600_000),
    });
    expect(run.done).toBe(1);
    const row = await rowOf(dto.id);
    expect(row.apiKeyCheckedAt).not.toBeNull();
    expect(row.webhookSecretCiphertext).not.toBeNull();
    expect(await jobsOf("sessions.sync", dto.id)).toHaveLength(1);
    // A repeat of the job (it may run twice) changes nothing.
    await runApplicationSetup(t.db, { applicationId: dto.id, firstSync: true }, new Date());
    expect(await jobsOf("sessions.sync", dto.id)).toHaveLength(1);
    expect((await destinationsOf(pay)).filter((d) => d.url === row.webhookUrl)).toHaveLength(1);
    await disconnect(dto.id);
  });

  it("at start, re-registers a webhook that points at an old URL of this console and deletes the old destination", async () => {
    const res = await create(body(spare, { name: "Moving" }));
    expect(res.status).toBe(201);
    const dto = (await res.json()) as ApplicationDto;
    const before = await rowOf(dto.id);
    await scheduleApplicationChecks(t.db);
    // Same URL: nothing changes.
    await runDueJobs(t.db, { queues: [APPLICATION_SETUP_QUEUE], now: new Date(Date.now() + 1000) });
    expect((await rowOf(dto.id)).webhookDestinationId).toBe(before.webhookDestinationId);

    setListenAddressForTests({ host: "127.0.0.1", port: 39_999 });
    await scheduleApplicationChecks(t.db);
    const run = await runDueJobs(t.db, {
      queues: [APPLICATION_SETUP_QUEUE],
      now: new Date(Date.now() + 2000),
    });
    expect(run.done).toBeGreaterThanOrEqual(1);
    const after = await rowOf(dto.id);
    expect(after.webhookUrl).toBe(`http://127.0.0.1:39999/api/webhooks/didit/${dto.id}`);
    expect(after.webhookDestinationId).not.toBe(before.webhookDestinationId);
    const urls = (await destinationsOf(spare)).map((d) => d.url);
    expect(urls).toContain(after.webhookUrl);
    expect(urls).not.toContain(before.webhookUrl);
    await disconnect(dto.id);
    // Back where the other tests expect every application's webhook.
    setListenAddressForTests(LISTEN);
    await scheduleApplicationChecks(t.db);
    await runDueJobs(t.db, { queues: [APPLICATION_SETUP_QUEUE], now: new Date(Date.now() + 3000) });
  });

  it("marks a key rejected by the setup job and stops retrying", async () => {
    setListenAddressForTests(null);
    const res = await create(body(spare, { apiKey: "sandbox-key-that-was-revoked-1234" }));
    expect(res.status).toBe(201);
    const dto = (await res.json()) as ApplicationDto;
    setListenAddressForTests(LISTEN);
    const run = await runDueJobs(t.db, {
      queues: [APPLICATION_SETUP_QUEUE],
      now: new Date(Date.now() + 1000),
    });
    expect(run.dead).toBe(1);
    const row = await rowOf(dto.id);
    expect(row.apiKeyError).toMatch(/Didit refused/);
    expect(row.webhookSecretCiphertext).toBeNull();
    const [job] = await jobsOf(APPLICATION_SETUP_QUEUE, dto.id);
    expect(job!.lastError).not.toContain("1234");
    await disconnect(dto.id);
  });

  it("updates fields and rotates the key: a rejected key changes nothing, a new one is tested and sealed", async () => {
    const [app] = await t.db
      .select()
      .from(connectedApplications)
      .where(
        and(
          eq(connectedApplications.diditApplicationId, bank.id),
          sql`${connectedApplications.deletedAt} is null`,
        ),
      );
    const id = app!.id;
    const patch = async (b: Record<string, unknown>) =>
      patchRoute(
        await request(`/api/applications/${id}`, { method: "PATCH", user: users.admin, body: b }),
        params(id),
      );

    const renamed = await patch({ name: "Northwind Bank", environment: "live", defaultWorkflowBusiness: "" });
    expect(renamed.status).toBe(200);
    const dto = (await renamed.json()) as ApplicationDto;
    expect(dto).toMatchObject({ name: "Northwind Bank", environment: "live", defaultWorkflowBusiness: null });

    const before = await counts();
    const rejected = await patch({ apiKey: "definitely-not-the-key-9999" });
    expect(rejected.status).toBe(422);
    expect(await counts()).toEqual(before);
    expect(open((await rowOf(id)).apiKeyCiphertext!, id)).toBe(bank.key);
    expect((await patch({})).status).toBe(422);

    const newKey = await api.newKey(bank.id, ["read:sessions", "write:sessions", "delete:sessions"]);
    const rotated = await patch({ apiKey: newKey });
    const text = await rotated.clone().text();
    expect(rotated.status, text).toBe(200);
    expect(text).not.toContain(newKey);
    expect(((await rotated.json()) as ApplicationDto).apiKeyLast4).toBe(newKey.slice(-4));
    const row = await rowOf(id);
    expect(open(row.apiKeyCiphertext!, id)).toBe(newKey);
    expect(row.webhookDestinationId).toBe(app!.webhookDestinationId);
    const actions = (await auditOf(id)).map((a) => a.action);
    expect(actions.slice(-2)).toEqual(["application.updated", "application.key_rotated"]);
    expect(JSON.stringify(await auditOf(id))).not.toContain(newKey);
    bank = { ...bank, key: newKey };
  });

  it("keeps the application's workflows by name: every role reads them, only admins write, bad lists refused in words", async () => {
    const [app] = await t.db
      .select()
      .from(connectedApplications)
      .where(
        and(
          eq(connectedApplications.diditApplicationId, bank.id),
          sql`${connectedApplications.deletedAt} is null`,
        ),
      );
    const id = app!.id;
    const patch = async (b: Record<string, unknown>, user: TestUser = users.admin) =>
      patchRoute(await request(`/api/applications/${id}`, { method: "PATCH", user, body: b }), params(id));
    const workflows = [
      { name: "Onboarding KYC", id: bank.workflows.user.toUpperCase(), kind: "user" },
      { name: "Company check", id: bank.workflows.business, kind: "business" },
    ];
    const saved = await patch({ workflows });
    expect(saved.status, await saved.clone().text()).toBe(200);
    expect(((await saved.json()) as ApplicationDto).workflows).toEqual([
      { name: "Onboarding KYC", id: bank.workflows.user, kind: "user" },
      { name: "Company check", id: bank.workflows.business, kind: "business" },
    ]);
    expect((await auditOf(id)).at(-1)).toMatchObject({ action: "application.updated" });
    const officerView = (await (
      await getRoute(await request(`/api/applications/${id}`, { user: users.officer }), params(id))
    ).json()) as ApplicationSummaryDto;
    expect(officerView.workflows.map((w) => w.name)).toEqual(["Onboarding KYC", "Company check"]);

    const before = await counts();
    expect((await patch({ workflows: [] }, users.officer)).status).toBe(403);
    for (const [bad, message] of [
      [[{ name: "", id: bank.workflows.user, kind: "user" }], /Give the workflow a name/],
      [[{ name: "KYC", id: "kyc-main", kind: "user" }], /This is not a workflow ID: copy it from/],
      [[{ name: "KYC", id: bank.workflows.user, kind: "person" }], /verifies people \(KYC\) or companies/],
      [
        [...workflows, { name: "Again", id: bank.workflows.business, kind: "business" }],
        /already in the list/,
      ],
    ] as const) {
      const res = await patch({ workflows: bad });
      expect(res.status, JSON.stringify(bad)).toBe(422);
      const error = ((await res.json()) as { error: { details: { fields: Record<string, string[]> } } })
        .error;
      const [key, messages] = Object.entries(error.details.fields)[0]!;
      expect(key).toMatch(/^workflows/);
      expect(messages[0]).toMatch(message);
    }
    expect(await counts()).toEqual(before);
  });

  it("queues a sync on request (202 with the sync state)", async () => {
    const [app] = await t.db
      .select()
      .from(connectedApplications)
      .where(
        and(
          eq(connectedApplications.diditApplicationId, bank.id),
          sql`${connectedApplications.deletedAt} is null`,
        ),
      );
    const sync = async (b: unknown) =>
      syncRoute(
        await request(`/api/applications/${app!.id}/sync`, { method: "POST", user: users.admin, body: b }),
        params(app!.id),
      );
    const res = await sync({ full: true });
    expect(res.status).toBe(202);
    const out = (await res.json()) as { id: string; sync: { state: string } };
    expect(out.id).toBe(app!.id);
    expect(["queued", "running", "idle"]).toContain(out.sync.state);
    expect((await sync({ full: "yes" })).status).toBe(422);
    const officer = await syncRoute(
      await request(`/api/applications/${app!.id}/sync`, { method: "POST", user: users.officer, body: {} }),
      params(app!.id),
    );
    expect(officer.status).toBe(403);
  });

  it("refuses deletion while a share is pending delivery, then soft-deletes: key and secret destroyed, destination gone", async () => {
    const [app] = await t.db
      .select()
      .from(connectedApplications)
      .where(
        and(
          eq(connectedApplications.diditApplicationId, bank.id),
          sql`${connectedApplications.deletedAt} is null`,
        ),
      );
    const id = app!.id;
    const [partner] = await t.db
      .insert(partners)
      .values({
        name: "Pay",
        diditApplicationId: pay.id,
        applicationId: id,
        direction: "both",
        allowedKinds: ["user"],
        allowedStatuses: ["Approved"],
        deliveryChannel: "manual",
      })
      .returning();
    const now = new Date();
    const [share] = await t.db
      .insert(shares)
      .values({
        applicationId: id,
        partnerId: partner!.id,
        sessionId: randomUUID(),
        sessionKind: "user",
        sourceStatus: "Approved",
        forApplicationId: pay.id,
        ttlSeconds: 3600,
        tokenHash: randomUUID(),
        claims: {},
        issuedAt: now,
        expiresAt: new Date(now.getTime() + 3_600_000),
        channel: "manual",
        manifest: {
          session_number: 1,
          status: "Approved",
          created_at: null,
          features: [],
          agreement_reference: null,
        },
        agreement: { reference: null, signedOn: null, expiresOn: null, partnerStatus: "active" },
      })
      .returning();
    const before = await counts();
    const del = () => request(`/api/applications/${id}`, { method: "DELETE", user: users.admin, body: {} });
    const refused = await deleteRoute(await del(), params(id));
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorBody).error.message).toMatch(/still being delivered/);
    expect(await counts()).toEqual(before);
    expect((await destinationsOf(bank)).some((d) => d.id === app!.webhookDestinationId)).toBe(true);

    await t.db.update(shares).set({ state: "revoked" }).where(eq(shares.id, share!.id));
    expect((await deleteRoute(await del(), params(id))).status).toBe(204);
    const row = await rowOf(id);
    expect(row.deletedAt).not.toBeNull();
    expect(row.apiKeyCiphertext).toBeNull();
    expect(row.webhookSecretCiphertext).toBeNull();
    expect((await destinationsOf(bank)).some((d) => d.id === app!.webhookDestinationId)).toBe(false);
    const audit = (await auditOf(id)).at(-1)!;
    expect(audit.action).toBe("application.deleted");
    expect(audit.data).toMatchObject({ webhookDeleted: true });
    expect(
      (await getRoute(await request(`/api/applications/${id}`, { user: users.admin }), params(id))).status,
    ).toBe(404);
    expect((await deleteRoute(await del(), params(id))).status).toBe(404);

    // The Didit application can be connected again.
    const again = await create(body(bank, { name: "Bank again" }));
    expect(again.status).toBe(201);
  });
});
