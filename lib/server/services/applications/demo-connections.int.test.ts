import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open } from "@/lib/server/crypto/envelope";
import { auditEvents } from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { connectedApplications, partners } from "@/lib/server/db/schema/sharing";
import { createDiditClient, setDiditClientForTests } from "@/lib/server/didit";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { setListenAddressForTests } from "@/lib/server/listen-address";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { sandboxApi, type TestApp } from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";
import { APPLICATION_SETUP_QUEUE } from "./setup";
import { DEMO_AGREEMENT_REFERENCE, seedDemoConnections } from "./demo-connections";
import { applicationSetupJob, diditWebhookJob } from "@/lib/server/services/applications";

/** The demo: the sandbox's two Northwind applications connected, partners both ways, setup in the job. */

let t: TestDatabase;
let sandbox: SandboxServer;
let api: ReturnType<typeof sandboxApi>;
let bank: TestApp;
let pay: TestApp;
const dir = mkdtempSync(path.join(tmpdir(), "handoff-demo-"));
const file = path.join(dir, "sandbox-demo.json");
const NOW = new Date("2026-12-01T09:00:00.000Z");

function writeDemo(keys: { bank: string; pay: string }) {
  const app = (a: TestApp, name: string, key: string) => ({
    name,
    application_id: a.id,
    api_key: key,
    profile: a.profile,
    workflows: a.workflows,
  });
  writeFileSync(
    file,
    JSON.stringify({
      group: "Northwind",
      created_at: NOW.toISOString(),
      applications: [app(bank, "Northwind Bank", keys.bank), app(pay, "Northwind Pay", keys.pay)],
    }),
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandboxServer();
  api = sandboxApi(sandbox.origin);
  setDiditClientForTests(
    createDiditClient({ baseUrl: () => `${sandbox.origin}/sandbox`, limiter: false, maxRetries: 0 }),
  );
  registerJobs([applicationSetupJob, diditWebhookJob]);
  bank = await api.newApp("recipe", "Northwind Bank");
  pay = await api.newApp("recipe", "Northwind Pay");
});
afterAll(async () => {
  setDiditClientForTests(null);
  setListenAddressForTests(null);
  await sandbox?.close();
  await t?.close();
});

const apps = () => t.db.select().from(connectedApplications).orderBy(asc(connectedApplications.name));

describe(`demo connections (${testDriver()})`, () => {
  it("does nothing without the sandbox's demo file", async () => {
    expect(await seedDemoConnections(t.db, { file: path.join(dir, "missing.json"), now: NOW })).toMatchObject(
      {
        created: 0,
        skipped: "no_file",
      },
    );
    expect(await apps()).toHaveLength(0);
  });

  it("connects both applications with sealed keys and default workflows, and partners both ways", async () => {
    writeDemo({ bank: bank.key, pay: pay.key });
    const result = await seedDemoConnections(t.db, { file, now: NOW });
    expect(result).toEqual({ created: 2, rekeyed: 0, partners: 2 });
    const [b, p] = await apps();
    expect(b).toMatchObject({ name: "Northwind Bank", diditApplicationId: bank.id, environment: "sandbox" });
    expect(open(b!.apiKeyCiphertext!, b!.id)).toBe(bank.key);
    expect(b!.apiKeyLast4).toBe(bank.key.slice(-4));
    expect(p!.defaultWorkflowBusiness).toBe(pay.workflows.business);
    // Named for the workflow pickers (Didit's API does not list workflows).
    expect(b!.workflows).toEqual([
      { id: bank.workflows.user, name: "Northwind Bank KYC", kind: "user" },
      { id: bank.workflows.business, name: "Northwind Bank KYB", kind: "business" },
    ]);

    const rows = await t.db.select().from(partners);
    expect(rows).toHaveLength(2);
    const ofBank = rows.find((r) => r.applicationId === b!.id)!;
    expect(ofBank).toMatchObject({
      name: "Northwind Pay",
      diditApplicationId: pay.id,
      direction: "both",
      deliveryChannel: "internal",
      agreementReference: DEMO_AGREEMENT_REFERENCE,
      agreementSignedOn: "2026-01-15",
      agreementExpiresOn: "2027-12-01",
      allowedKinds: ["user", "business"],
      allowedStatuses: ["Approved", "In Review"],
      defaultTtlSeconds: 3600,
      maxTtlSeconds: 86400,
      importMode: "manual",
      trustReview: false,
      reviewSlaHours: 48,
      status: "active",
      importWorkflowUser: bank.workflows.user,
    });
    expect(rows.find((r) => r.applicationId === p!.id)!.diditApplicationId).toBe(bank.id);

    const audit = await t.db.select().from(auditEvents);
    expect(audit.map((a) => a.action).sort()).toEqual([
      "application.created",
      "application.created",
      "partner.created",
      "partner.created",
    ]);
    expect(audit.every((a) => a.actorId === null && a.actorLabel.startsWith("system"))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(bank.key);
    const setup = await t.db.select().from(jobs).where(eq(jobs.queue, APPLICATION_SETUP_QUEUE));
    expect(setup).toHaveLength(2);
  });

  it("is idempotent", async () => {
    expect(await seedDemoConnections(t.db, { file, now: NOW })).toMatchObject({
      created: 0,
      rekeyed: 0,
      skipped: "already_connected",
    });
    expect(await apps()).toHaveLength(2);
    expect(await t.db.select().from(partners)).toHaveLength(2);
  });

  it("runs the setup in the job once this console listens: key tested, webhook registered, backfill queued", async () => {
    const later = new Date(Date.now() + 1000);
    expect((await runDueJobs(t.db, { queues: [APPLICATION_SETUP_QUEUE], now: later })).retrying).toBe(2);
    setListenAddressForTests({ host: "127.0.0.1", port: 39_128 });
    const run = await runDueJobs(t.db, {
      queues: [APPLICATION_SETUP_QUEUE],
      now: new Date(Date.now() + 3_600_000),
    });
    expect(run.done).toBe(2);
    for (const row of await apps()) {
      expect(row.apiKeyCheckedAt).not.toBeNull();
      expect(row.webhookSecretCiphertext).not.toBeNull();
      expect(row.webhookUrl).toBe(`http://127.0.0.1:39128/api/webhooks/didit/${row.id}`);
      const sync = await t.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.queue, "sessions.sync"), sql`${jobs.payload} ->> 'applicationId' = ${row.id}`));
      expect(sync).toHaveLength(1);
    }
  });

  it("re-seals keys the sandbox re-issued (the demo file was rewritten) and tests them again", async () => {
    const fresh = await api.newKey(pay.id, ["read:sessions", "write:sessions", "delete:sessions"]);
    writeDemo({ bank: bank.key, pay: fresh });
    expect(await seedDemoConnections(t.db, { file, now: NOW })).toEqual({
      created: 0,
      rekeyed: 1,
      partners: 0,
    });
    const [, p] = await apps();
    expect(open(p!.apiKeyCiphertext!, p!.id)).toBe(fresh);
    expect(p!.apiKeyCheckedAt).toBeNull();
    const run = await runDueJobs(t.db, {
      queues: [APPLICATION_SETUP_QUEUE],
      now: new Date(Date.now() + 7_200_000),
    });
    expect(run.done).toBe(1);
    expect((await apps())[1]!.apiKeyCheckedAt).not.toBeNull();
    expect(await seedDemoConnections(t.db, { file, now: NOW })).toMatchObject({ rekeyed: 0 });
  });

  it("refuses a file that is not a demo file", async () => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ group: "x", created_at: "", applications: [{ application_id: "nope" }] }),
    );
    await expect(seedDemoConnections(t.db, { file: bad, now: NOW })).rejects.toThrow(
      /not a sandbox demo file/,
    );
  });
});
