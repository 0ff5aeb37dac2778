import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as createRoute } from "@/app/api/applications/route";
import { POST as receiverRoute } from "@/app/api/webhooks/didit/[applicationId]/route";
import type { ApplicationDto } from "@/lib/schemas/applications";
import { seal } from "@/lib/server/crypto/envelope";
import { auditEvents, importDecisions, imports, inboundMessageIds } from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { connectedApplications, sessionMirror } from "@/lib/server/db/schema/sharing";
import { createDiditClient, setDiditClientForTests } from "@/lib/server/didit";
import type { DiditClient } from "@/lib/server/didit/types";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { setListenAddressForTests } from "@/lib/server/listen-address";
// Tests only (the fence is for product code): the sandbox signs exactly as Didit does, and its
// deliveries are driven here.
// eslint-disable-next-line no-restricted-imports
import { sandboxSessions, sandboxWebhookDeliveries } from "@/lib/server/sandbox/schema";
// eslint-disable-next-line no-restricted-imports
import {
  signedRequest,
  registerWebhookDeliveryHandler,
  WEBHOOK_DELIVERY_QUEUE,
} from "@/lib/server/sandbox/webhooks";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { sandboxApi, type TestApp } from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";
import { insertUser, request, type TestUser } from "@/test/session";
import { DIDIT_WEBHOOK_QUEUE, processDiditWebhook, type DiditWebhookJob } from "./didit-webhooks";
import { decideImport } from "@/lib/server/services/reviews";
import { contextOf, insertImportedClone } from "@/lib/server/services/reviews/reviews.test-kit";
import { applicationSetupJob, diditWebhookJob } from "@/lib/server/services/applications";

/**
 * The Didit webhook receiver with the sandbox's real signed deliveries: the sandbox posts over HTTP
 * to a loopback server that hands the request, raw bytes and all, to the route handler, exactly as
 * Next would. Verified → 200 at once and one job (ids only); the job refreshes the session mirror
 * from the decision. A bad signature answers 401 and writes nothing anywhere.
 */

let t: TestDatabase;
let sandbox: SandboxServer;
let api: ReturnType<typeof sandboxApi>;
let client: DiditClient;
let receiver: Server;
let admin: TestUser;
let bank: TestApp;
let pay: TestApp;
let bankApp: ApplicationDto;
let payApp: ApplicationDto;
const answered: { applicationId: string; status: number; body: string }[] = [];

/** The console's side of the wire: a real HTTP server in front of the route handler. */
async function startConsoleReceiver(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const m = /^\/api\/webhooks\/didit\/([^/?]+)\/?$/.exec(req.url ?? "");
      if (!m || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const applicationId = decodeURIComponent(m[1]!);
      void receiverRoute(
        new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }),
        { params: Promise.resolve({ applicationId }) },
      ).then(async (response) => {
        const body = await response.text();
        answered.push({ applicationId, status: response.status, body });
        res.writeHead(response.status, { "content-type": "application/json" }).end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandboxServer();
  api = sandboxApi(sandbox.origin);
  client = createDiditClient({ baseUrl: () => `${sandbox.origin}/sandbox`, limiter: false, maxRetries: 0 });
  setDiditClientForTests(client);
  registerJobs([applicationSetupJob, diditWebhookJob]);
  registerWebhookDeliveryHandler();
  receiver = await startConsoleReceiver();
  setListenAddressForTests({ host: "127.0.0.1", port: (receiver.address() as AddressInfo).port });
  admin = await insertUser(t.db, "admin");
  bank = await api.newApp("recipe", "Bank");
  pay = await api.newApp("spec", "Pay");
  const connect = async (app: TestApp, name: string) => {
    const res = await createRoute(
      await request("/api/applications", {
        method: "POST",
        user: admin,
        body: { name, diditApplicationId: app.id, environment: "sandbox", apiKey: app.key },
      }),
    );
    expect(res.status).toBe(201);
    const dto = (await res.json()) as ApplicationDto;
    expect(dto.webhook.state).toBe("registered");
    return dto;
  };
  bankApp = await connect(bank, "Bank");
  payApp = await connect(pay, "Pay");
});
afterAll(async () => {
  setDiditClientForTests(null);
  setListenAddressForTests(null);
  await new Promise<void>((resolve) => {
    receiver?.closeAllConnections();
    receiver?.close(() => resolve());
  });
  await sandbox?.close();
  await t?.close();
});
afterEach(() => {
  answered.length = 0;
});

const deliver = () => runDueJobs(t.db, { queues: [WEBHOOK_DELIVERY_QUEUE] });
const handleJobs = () => runDueJobs(t.db, { queues: [DIDIT_WEBHOOK_QUEUE] });

const mirrorOf = async (applicationId: string, sessionId: string) =>
  (
    await t.db
      .select()
      .from(sessionMirror)
      .where(and(eq(sessionMirror.applicationId, applicationId), eq(sessionMirror.diditSessionId, sessionId)))
  )[0];

async function counts() {
  const n = async (
    table: typeof jobs | typeof inboundMessageIds | typeof auditEvents | typeof sessionMirror,
  ) => Number((await t.db.select({ n: count() }).from(table))[0]!.n);
  return {
    jobs: await n(jobs),
    ids: await n(inboundMessageIds),
    audit: await n(auditEvents),
    mirror: await n(sessionMirror),
  };
}

async function updateStatus(app: TestApp, sessionId: string, newStatus: string) {
  const res = await api.call("PATCH", `/sandbox/v3/session/${sessionId}/update-status/`, {
    key: app.key,
    body: { new_status: newStatus, comment: "Prüfung abgeschlossen ✓" },
  });
  expect(res.status, res.text).toBe(200);
}

const secretOf = async (id: string) => {
  const [row] = await t.db.select().from(connectedApplications).where(eq(connectedApplications.id, id));
  const { open } = await import("@/lib/server/crypto/envelope");
  return open(row!.webhookSecretCiphertext!, id);
};

function post(applicationId: string, raw: string, headers: Record<string, string>) {
  return receiverRoute(
    new Request(`http://handoff.test/api/webhooks/didit/${applicationId}`, {
      method: "POST",
      headers,
      body: raw,
    }),
    { params: Promise.resolve({ applicationId }) },
  );
}

describe(`Didit webhook receiver (${testDriver()})`, () => {
  it("takes the sandbox's signed status.updated (non-ASCII vendor_data and comment), queues ids only, and mirrors the session", async () => {
    const session = await api.newSession(bank, "user", "In Review", { vendor_data: "kunde-Zoë-山田" });
    await updateStatus(bank, session.session_id, "Approved");
    const sent = await deliver();
    expect(sent.done).toBe(1);
    expect(answered).toEqual([{ applicationId: bankApp.id, status: 200, body: '{"received":true}' }]);

    const [job] = await t.db.select().from(jobs).where(eq(jobs.queue, DIDIT_WEBHOOK_QUEUE));
    expect(Object.keys(job!.payload).sort()).toEqual([
      "applicationId",
      "eventId",
      "receivedAt",
      "sessionId",
      "sessionKind",
      "webhookType",
    ]);
    expect(JSON.stringify(job!.payload)).not.toContain("Zoë");

    expect((await handleJobs()).done).toBe(1);
    const mirrored = await mirrorOf(bankApp.id, session.session_id);
    expect(mirrored).toMatchObject({ kind: "user", status: "Approved", vendorData: "kunde-Zoë-山田" });
    const [app] = await t.db
      .select()
      .from(connectedApplications)
      .where(eq(connectedApplications.id, bankApp.id));
    expect(app!.lastWebhookAt).not.toBeNull();
  });

  it("handles a KYB event (session_kind business, UPPER_SNAKE status in the recipe profile) and the spec profile", async () => {
    const kyb = await api.newSession(bank, "business", "In Review");
    await updateStatus(bank, kyb.session_id, "Declined");
    const kyc = await api.newSession(pay, "user", "In Review");
    await updateStatus(pay, kyc.session_id, "Approved");
    expect((await deliver()).done).toBe(2);
    expect(answered.map((a) => a.status)).toEqual([200, 200]);
    const [delivery] = await t.db
      .select()
      .from(sandboxWebhookDeliveries)
      .where(eq(sandboxWebhookDeliveries.sessionId, kyb.session_id));
    expect(delivery!.body).toContain('"session_kind":"business"');
    expect(delivery!.body).toContain('"status":"DECLINED"');
    expect((await handleJobs()).done).toBe(2);
    expect(await mirrorOf(bankApp.id, kyb.session_id)).toMatchObject({
      kind: "business",
      status: "Declined",
    });
    expect(await mirrorOf(payApp.id, kyc.session_id)).toMatchObject({ kind: "user", status: "Approved" });
  });

  it("verifies deliveries whose decision holds whole and fractional floats, integer-like keys and astral characters", async () => {
    const session = await api.newSession(bank, "user", "In Review");
    const [stored] = await t.db
      .select()
      .from(sandboxSessions)
      .where(eq(sandboxSessions.id, session.session_id));
    const payload = stored!.payload as Record<string, unknown>;
    await t.db
      .update(sandboxSessions)
      .set({
        payload: {
          ...payload,
          face_matches: [
            {
              score: 95.4,
              whole: 100.0,
              big: 1e21,
              half: 0.5,
              negative: -12.75,
              by_rank: { "10": "ten", "2": "two" },
            },
          ],
        },
      })
      .where(eq(sandboxSessions.id, session.session_id));
    await updateStatus(bank, session.session_id, "Approved");
    expect((await deliver()).done).toBe(1);
    const [delivery] = await t.db
      .select()
      .from(sandboxWebhookDeliveries)
      .where(eq(sandboxWebhookDeliveries.sessionId, session.session_id));
    expect(delivery!.body).toContain('"by_rank":{"10":"ten","2":"two"}');
    expect(delivery!.body).toContain('"whole":100');
    expect(delivery!.body).toContain('"score":95.4');
    expect(answered.map((a) => a.status)).toEqual([200]);
    expect((await handleJobs()).done).toBe(1);
    expect((await mirrorOf(bankApp.id, session.session_id))?.status).toBe("Approved");
  });

  it("marks the mirror row deleted when Didit no longer has the session", async () => {
    const session = await api.newSession(bank, "user", "In Review");
    await updateStatus(bank, session.session_id, "Approved");
    await deliver();
    await handleJobs();
    expect((await mirrorOf(bankApp.id, session.session_id))?.deletedAt).toBeNull();
    const del = await api.call("DELETE", `/sandbox/v3/session/${session.session_id}/delete/`, {
      key: bank.key,
    });
    expect(del.status).toBe(204);
    // Didit's event about it (signed with the destination's secret, as the sandbox signs).
    const now = Math.floor(Date.now() / 1000);
    const signed = signedRequest(
      {
        application_id: bank.id,
        created_at: now,
        event_id: randomUUID(),
        session_id: session.session_id,
        status: "Approved",
        timestamp: now,
        webhook_type: "data.updated",
      },
      await secretOf(bankApp.id),
    );
    const res = await post(bankApp.id, signed.body, signed.headers);
    expect(res.status).toBe(200);
    expect((await handleJobs()).done).toBe(1);
    expect((await mirrorOf(bankApp.id, session.session_id))?.deletedAt).not.toBeNull();
  });

  it("answers a duplicate event_id 200 without a second job", async () => {
    const now = Math.floor(Date.now() / 1000);
    const event = {
      application_id: bank.id,
      created_at: now,
      event_id: randomUUID(),
      session_id: randomUUID(),
      status: "Approved",
      timestamp: now,
      webhook_type: "status.updated",
    };
    const signed = signedRequest(event, await secretOf(bankApp.id));
    expect((await post(bankApp.id, signed.body, signed.headers)).status).toBe(200);
    const before = await counts();
    const again = await post(bankApp.id, signed.body, signed.headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(await counts()).toEqual(before);
    await handleJobs();
  });

  it("refuses a wrong secret, another application's secret, a tampered byte, an unknown application: 401 and nothing written", async () => {
    const now = Math.floor(Date.now() / 1000);
    const event = {
      application_id: bank.id,
      created_at: now,
      event_id: randomUUID(),
      session_id: randomUUID(),
      status: "Approved",
      timestamp: now,
      vendor_data: "Zoë",
      webhook_type: "status.updated",
    };
    const before = await counts();
    const wrong = signedRequest(event, "not-the-destination-secret");
    const other = signedRequest(event, await secretOf(payApp.id));
    const good = signedRequest(event, await secretOf(bankApp.id));
    const cases: [string, string, Record<string, string>][] = [
      [bankApp.id, wrong.body, wrong.headers],
      [bankApp.id, other.body, other.headers],
      [
        bankApp.id,
        good.body.replace("Approved", "Declined"),
        { ...good.headers, "X-Signature": "0".repeat(64) },
      ],
      [randomUUID(), good.body, good.headers],
      [bankApp.id, good.body, { ...good.headers, "X-Timestamp": String(now - 3600) }],
    ];
    for (const [id, raw, headers] of cases) {
      const res = await post(id, raw, headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_signature");
    }
    expect(await counts()).toEqual(before);
    const unknownPath = await post("not-a-uuid", good.body, good.headers);
    expect(unknownPath.status).toBe(404);
  });

  it("accepts Didit's own signing vector (verified, then 422 for lacking an event_id); a tampered copy is 401", async () => {
    const fixture = JSON.parse(readFileSync("test/fixtures/didit-signature/vectors.json", "utf8")) as {
      secret: string;
      vectors: { raw: string; v2: string }[];
    };
    const vector = fixture.vectors[0]!;
    const timestamp = (JSON.parse(vector.raw) as { timestamp: number }).timestamp;
    const [row] = await t.db
      .insert(connectedApplications)
      .values({ id: randomUUID(), name: "Vectors", diditApplicationId: randomUUID(), environment: "sandbox" })
      .returning();
    await t.db
      .update(connectedApplications)
      .set({ webhookSecretCiphertext: seal(fixture.secret, row!.id), webhookDestinationId: randomUUID() })
      .where(eq(connectedApplications.id, row!.id));
    vi.useFakeTimers({ now: timestamp * 1000, toFake: ["Date"] });
    try {
      const headers = {
        "content-type": "application/json",
        "X-Signature-V2": vector.v2,
        "X-Timestamp": String(timestamp),
      };
      const verified = await post(row!.id, vector.raw, headers);
      expect(verified.status).toBe(422);
      const tampered = await post(row!.id, vector.raw.replace("95.4", "95.5"), headers);
      expect(tampered.status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
    const [left] = await t.db
      .select({ n: count() })
      .from(inboundMessageIds)
      .where(sql`${inboundMessageIds.scope} = ${`didit:${row!.id}`}`);
    expect(Number(left!.n)).toBe(0);
  });
});

describe(`Didit webhooks keep the review queue current (${testDriver()})`, () => {
  const importAudit = (importId: string) =>
    t.db
      .select({ action: auditEvents.action, actorLabel: auditEvents.actorLabel, data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "import"), eq(auditEvents.entityId, importId)))
      .orderBy(auditEvents.seq);

  it("an officer's decision sent to Didit: the sandbox's signed status.updated moves the import's status and confirms the decision", async () => {
    const officer = await insertUser(t.db, "officer");
    const clone = await api.newSession(bank, "user", "In Review");
    const importId = await insertImportedClone(t.db, {
      applicationId: bankApp.id,
      cloneSessionId: clone.session_id,
      importedBy: officer.id,
    });
    const answer = await decideImport(contextOf(t.db, officer), importId, {
      status: "Approved",
      comment: "Geprüft ✓",
    });
    expect(answer.decision).toMatchObject({ state: "sent", confirmedAt: null });
    expect(answer.import.status).toBe("In Review");

    expect((await deliver()).done).toBe(1);
    expect(answered).toEqual([{ applicationId: bankApp.id, status: 200, body: '{"received":true}' }]);
    expect((await handleJobs()).done).toBe(1);
    const [row] = await t.db.select().from(imports).where(eq(imports.id, importId));
    expect(row!.status).toBe("Approved");
    expect(row!.statusUpdatedAt!.getTime()).toBeGreaterThan(row!.finishedAt!.getTime());
    const [decision] = await t.db
      .select()
      .from(importDecisions)
      .where(eq(importDecisions.importId, importId));
    expect(decision).toMatchObject({ id: answer.decision.id, state: "confirmed" });
    expect(decision!.confirmedAt).not.toBeNull();
    expect((await importAudit(importId)).slice(-2)).toEqual([
      {
        action: "import.status_changed",
        actorLabel: "didit",
        data: { from: "In Review", to: "Approved", source: "webhook" },
      },
      {
        action: "import.decision_confirmed",
        actorLabel: "didit",
        data: { decisionId: decision!.id, status: "Approved", source: "webhook" },
      },
    ]);
    expect(await mirrorOf(bankApp.id, clone.session_id)).toMatchObject({ status: "Approved" });
  });

  it("a change made at Didit itself (not ours) moves the status only; a session that is no clone of ours changes no import", async () => {
    const officer = await insertUser(t.db, "officer");
    const clone = await api.newSession(bank, "business", "In Review");
    const importId = await insertImportedClone(t.db, {
      applicationId: bankApp.id,
      cloneSessionId: clone.session_id,
      importedBy: officer.id,
      kind: "business",
    });
    const other = await api.newSession(bank, "user", "In Review");
    await updateStatus(bank, clone.session_id, "Declined");
    await updateStatus(bank, other.session_id, "Approved");
    expect((await deliver()).done).toBe(2);
    const before = await t.db.select().from(imports);
    expect((await handleJobs()).done).toBe(2);
    const after = await t.db.select().from(imports);
    expect(after.find((r) => r.id === importId)!.status).toBe("Declined");
    for (const r of after.filter((r) => r.id !== importId)) {
      expect(r).toEqual(before.find((b) => b.id === r.id));
    }
    expect((await importAudit(importId)).map((e) => e.action)).toEqual(["import.status_changed"]);
    expect(await t.db.select().from(importDecisions).where(eq(importDecisions.importId, importId))).toEqual(
      [],
    );
    // The same event handled again (a job runs at least once): nothing changes, nothing more audited.
    const again = (await t.db.select().from(jobs).where(eq(jobs.queue, DIDIT_WEBHOOK_QUEUE))).find(
      (j) => j.payload.sessionId === clone.session_id,
    );
    await processDiditWebhook(t.db, again!.payload as DiditWebhookJob);
    expect((await importAudit(importId)).map((e) => e.action)).toEqual(["import.status_changed"]);
  });
});
