import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "@/lib/env";
import { sandboxWebhookDeliveries } from "@/lib/server/sandbox/schema";
import { testDriver } from "@/test/database";
import { NOT_FOUND, PERMISSION_DENIED, sandboxHttpSuite, type TestApp } from "@/test/sandbox-fixtures";
import { rateLimitClock } from "./http";

/** The route wrapper over real HTTP: rate limits, the sandbox switch, keys, and the webhook outbox hook. */

const sandbox = sandboxHttpSuite();
let app: TestApp;
const env = getEnv();
const saved = {
  enabled: env.SANDBOX_ENABLED,
  limits: env.SANDBOX_RATE_LIMIT_ENABLED,
  reads: env.SANDBOX_RATE_LIMIT_READS,
  writes: env.SANDBOX_RATE_LIMIT_WRITES,
};

beforeAll(async () => {
  app = await sandbox.api.newApp("recipe", "wrapper");
});
afterEach(() => {
  env.SANDBOX_ENABLED = saved.enabled;
  env.SANDBOX_RATE_LIMIT_ENABLED = saved.limits;
  env.SANDBOX_RATE_LIMIT_READS = saved.reads;
  env.SANDBOX_RATE_LIMIT_WRITES = saved.writes;
  rateLimitClock.now = () => Date.now();
});

describe(`sandbox route wrapper (${testDriver()})`, () => {
  it("rate-limits reads and writes per key with Didit's headers and 429 body", async () => {
    env.SANDBOX_RATE_LIMIT_ENABLED = true;
    env.SANDBOX_RATE_LIMIT_READS = 3;
    env.SANDBOX_RATE_LIMIT_WRITES = 2;
    let now = Date.UTC(2026, 10, 26, 12, 0, 10);
    rateLimitClock.now = () => now;
    const get = (key = app.key) => sandbox.api.call("GET", "/sandbox/v3/sessions/", { key });
    for (const remaining of [2, 1, 0]) {
      const res = await get();
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit")).toBe("3");
      expect(res.headers.get("x-ratelimit-remaining")).toBe(String(remaining));
      expect(res.headers.get("x-ratelimit-reset")).toBe("50");
    }
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("50");
    expect(refused.body).toEqual({ detail: "Request was throttled. Expected available in 50 seconds." });
    // Writes have their own budget, and so does every other key.
    const write = await sandbox.api.call(
      "PATCH",
      "/sandbox/v3/session/00000000-0000-4000-8000-000000000000/update-status/",
      {
        key: app.key,
        body: { new_status: "Approved" },
      },
    );
    expect(write.status).toBe(404);
    expect(write.headers.get("x-ratelimit-limit")).toBe("2");
    expect(write.headers.get("x-ratelimit-remaining")).toBe("1");
    const other = await sandbox.api.newApp("spec", "other-key");
    expect((await get(other.key)).status).toBe(200);
    // Unauthenticated requests carry no rate-limit headers.
    const anonymous = await get("sbx_unknown");
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get("x-ratelimit-limit")).toBeNull();
    // The next window opens the budget again.
    now += 50_000;
    expect((await get()).status).toBe(200);
  });

  it("answers every sandbox route with a JSON 404 while the sandbox is disabled", async () => {
    env.SANDBOX_ENABLED = false;
    const id = "00000000-0000-4000-8000-000000000000";
    for (const [method, path, auth] of [
      ["GET", "/sandbox/v3/sessions/", "key"],
      ["POST", "/sandbox/v3/session/import-shared/", "key"],
      ["GET", "/sandbox/v3/session/import-shared/", "key"],
      ["POST", `/sandbox/v3/session/${id}/share/`, "key"],
      ["GET", `/sandbox/v3/session/${id}/decision/`, "key"],
      ["POST", "/sandbox/admin/applications", "admin"],
      ["POST", "/sandbox/admin/clock", "admin"],
      ["GET", `/sandbox/admin/webhook-deliveries?application_id=${id}`, "admin"],
      ["DELETE", `/sandbox/v3/webhook/destinations/${id}/`, "key"],
      ["GET", "/sandbox/v3/", "key"],
      ["GET", "/sandbox/admin/", "admin"],
      ["GET", "/sandbox/media/kyc-1-front.png", "none"],
      ["POST", "/sandbox/media/kyc-1-front.png", "none"],
    ] as const) {
      const res = await sandbox.api.call(method, path, {
        key: auth === "key" ? app.key : undefined,
        admin: auth === "admin" ? sandbox.api.adminToken : undefined,
        body: method === "GET" ? undefined : {},
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    }
  });

  it("answers paths no route serves with a JSON 404 and wrong methods with a JSON 405", async () => {
    for (const path of [
      "/sandbox/v3/",
      "/sandbox/v3",
      "/sandbox/admin/",
      "/sandbox/media/",
      "/sandbox/other",
    ]) {
      const res = await sandbox.api.call("GET", path, { key: app.key });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toContain("application/json");
      expect(res.body, path).toEqual(NOT_FOUND);
    }
    const media = await sandbox.api.call("POST", "/sandbox/media/kyc-1-front.png", { body: {} });
    expect(media.status).toBe(405);
    expect(media.body).toEqual({ detail: 'Method "POST" not allowed.' });
  });

  it("refuses keys of deleted applications", async () => {
    const doomed = await sandbox.api.newApp("recipe", "doomed");
    expect((await sandbox.api.call("GET", "/sandbox/v3/sessions/", { key: doomed.key })).status).toBe(200);
    expect((await sandbox.api.admin("DELETE", `/applications/${doomed.id}`)).status).toBe(204);
    const res = await sandbox.api.call("GET", "/sandbox/v3/sessions/", { key: doomed.key });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(PERMISSION_DENIED);
  });

  it("queues status.updated in the same transaction as update-status and import", async () => {
    const receiverUrl = "http://127.0.0.1:9/hook";
    const dest = await sandbox.api.call("POST", "/sandbox/v3/webhook/destinations/", {
      key: app.key,
      body: { url: receiverUrl, subscribed_events: ["status.updated"], label: "test" },
    });
    expect(dest.status, dest.text).toBe(201);
    const session = await sandbox.api.newSession(app, "user", "In Review");
    const patch = await sandbox.api.call(
      "PATCH",
      `/sandbox/v3/session/${session.session_id}/update-status/`,
      {
        key: app.key,
        body: { new_status: "Approved" },
      },
    );
    expect(patch.status).toBe(200);
    const deliveries = await sandbox.t.db
      .select()
      .from(sandboxWebhookDeliveries)
      .where(eq(sandboxWebhookDeliveries.sessionId, session.session_id));
    expect(deliveries).toHaveLength(1);
    expect(JSON.parse(deliveries[0]!.body)).toMatchObject({
      status: "Approved",
      webhook_type: "status.updated",
    });
    // A refused change queues nothing.
    const same = await sandbox.api.call("PATCH", `/sandbox/v3/session/${session.session_id}/update-status/`, {
      key: app.key,
      body: { new_status: "Approved" },
    });
    expect(same.status).toBe(400);
    expect(
      await sandbox.t.db
        .select()
        .from(sandboxWebhookDeliveries)
        .where(eq(sandboxWebhookDeliveries.sessionId, session.session_id)),
    ).toHaveLength(1);
    // An import into the application queues one for the new session.
    const source = await sandbox.api.newApp("recipe", "source");
    const shared = await sandbox.api.newSession(source, "business", "Approved");
    const token = await sandbox.api.mint(source, shared.session_id, app);
    const imported = await sandbox.api.importShared(app.key, { share_token: token, trust_review: true });
    expect(imported.status).toBe(201);
    const newId = (imported.body as { session_id: string }).session_id;
    const forImport = await sandbox.t.db
      .select()
      .from(sandboxWebhookDeliveries)
      .where(eq(sandboxWebhookDeliveries.sessionId, newId));
    expect(forImport).toHaveLength(1);
    expect(JSON.parse(forImport[0]!.body)).toMatchObject({ status: "APPROVED", session_kind: "business" });
  });
});
