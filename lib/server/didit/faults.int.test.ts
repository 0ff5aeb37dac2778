import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seal } from "@/lib/server/crypto/envelope";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { startFaultProxy, type FaultProxy } from "@/test/fault-proxy";
import { sandboxApi, type TestApp } from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";
import { createDiditClient, type CreateDiditClientOptions } from "./client";
import { DiditError, type DiditErrorCode } from "./errors";
import type { DiditCaller, DiditClient } from "./types";

/**
 * The client through a fault proxy in front of the sandbox: 500s, 429 with Retry-After, a hang past
 * the timeout, a connection cut mid-answer. The caller gets the right code and a clear message,
 * retries happen only where repeating is safe (counted at the proxy), and import is sent once.
 */

let t: TestDatabase;
let server: SandboxServer;
let proxy: FaultProxy;
let api: ReturnType<typeof sandboxApi>;
let x: TestApp;
let y: TestApp;
let cx: DiditCaller;
let cy: DiditCaller;
const logged: { obj: object; msg: string }[] = [];
const logger = {
  warn: (obj: object, msg: string) => logged.push({ obj, msg }),
  debug: (obj: object, msg: string) => logged.push({ obj, msg }),
};

const TIMEOUT_MS = 400;
const clientWith = (extra: Partial<CreateDiditClientOptions> = {}): DiditClient =>
  createDiditClient({
    baseUrl: `${proxy.origin}/sandbox`,
    timeoutMs: TIMEOUT_MS,
    backoff: { baseMs: 10, capMs: 40 },
    limiter: false,
    logger,
    ...extra,
  });
let client: DiditClient;

const callerOf = (key: string): DiditCaller => {
  const id = randomUUID();
  return { id, apiKeyCiphertext: seal(key, id) };
};

async function failure(promise: Promise<unknown>, code: DiditErrorCode): Promise<DiditError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiditError);
  expect((error as DiditError).code, (error as DiditError).message).toBe(code);
  return error as DiditError;
}

const SESSIONS = { path: /\/v3\/sessions\/$/ };
const IMPORT = { path: /\/v3\/session\/import-shared\/$/ };
const SHARE = { path: /\/share\/$/ };
const UPDATE = { path: /\/update-status\/$/ };
const DECISION = { path: /\/decision\/$/ };
const DELETE = { path: /\/delete\/$/ };

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startSandboxServer();
  proxy = await startFaultProxy(server.origin);
  api = sandboxApi(server.origin);
  x = await api.newApp("recipe", "faults X");
  y = await api.newApp("spec", "faults Y");
  cx = callerOf(x.key);
  cy = callerOf(y.key);
  client = clientWith();
});
afterEach(() => proxy.reset());
afterAll(async () => {
  await proxy?.close();
  await server?.close();
  await t?.close();
});

async function freshToken(): Promise<string> {
  const source = await api.newSession(x, "user", "Approved");
  return (await client.share(cx, source.session_id, { forApplicationId: y.id })).shareToken;
}

describe(`Didit client under faults (${testDriver()})`, () => {
  describe("reads are retried on 5xx, 429 and a cut connection", () => {
    it("retries a 500 and succeeds on the third attempt", async () => {
      proxy.fault(SESSIONS, { kind: "status", status: 500 }, 2);
      const page = await client.listSessions(cx);
      expect(page.count).toBeGreaterThanOrEqual(0);
      expect(proxy.count(SESSIONS)).toEqual({ received: 3, forwarded: 1 });
    });

    it("gives up after 1 + DIDIT_MAX_RETRIES attempts with upstream_unavailable", async () => {
      proxy.fault(SESSIONS, { kind: "status", status: 503 }, 10);
      const error = await failure(client.listSessions(cx), "upstream_unavailable");
      expect(error.message).toMatch(
        /Didit is unavailable right now \(HTTP 503\): try again in a few minutes/,
      );
      expect(error.details).toEqual({ upstreamStatus: 503, attempts: 4 });
      expect(proxy.count(SESSIONS).received).toBe(4);
    });

    it("honours Retry-After on a 429, then succeeds", async () => {
      proxy.fault(SESSIONS, { kind: "rate-limit", retryAfter: 1 });
      const started = Date.now();
      await client.listSessions(cx);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(proxy.count(SESSIONS).received).toBe(2);
    });

    it("fails fast with rate_limited when Retry-After is beyond the retry budget", async () => {
      proxy.fault(SESSIONS, { kind: "rate-limit", retryAfter: 120 });
      const started = Date.now();
      const error = await failure(client.listSessions(cx), "rate_limited");
      expect(Date.now() - started).toBeLessThan(1000);
      expect(error.details).toMatchObject({ retryAfterSeconds: 120, upstreamStatus: 429 });
      expect(error.message).toMatch(/try again in 120 s/);
      expect(error.status).toBe(429);
      expect(proxy.count(SESSIONS).received).toBe(1);
    });

    it("retries a connection cut mid-answer", async () => {
      const session = await api.newSession(x, "business", "Approved");
      proxy.fault(DECISION, { kind: "drop-mid-body" });
      const decision = await client.getDecision(cx, session.session_id);
      expect(decision.status).toBe("Approved");
      expect(proxy.count(DECISION)).toEqual({ received: 2, forwarded: 2 });
    });

    it("answers upstream_timeout for a hang past the timeout, without retrying", async () => {
      const session = await api.newSession(x, "user", "Declined");
      proxy.fault(DECISION, { kind: "hang" });
      const started = Date.now();
      const error = await failure(client.getDecision(cx, session.session_id), "upstream_timeout");
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 1500);
      expect(error.message).toBe("Didit did not answer within 1 s: try again in a moment.");
      expect(error.status).toBe(504);
      expect(proxy.count(DECISION).received).toBe(1);
    });

    it("an upstream that answers garbage is upstream_unavailable, not a half-read object", async () => {
      proxy.fault(SESSIONS, { kind: "status", status: 200, body: { count: "many", results: "none" } });
      const error = await failure(client.listSessions(cx), "upstream_unavailable");
      expect(error.message).toMatch(/Didit answered with something unexpected/);
    });

    it("a DELETE whose answer was lost and whose retry finds nothing counts as done", async () => {
      const session = await api.newSession(x, "user", "Approved");
      proxy.fault(DELETE, { kind: "drop-mid-body" });
      await client.deleteSession(cx, session.session_id);
      expect(proxy.count(DELETE)).toEqual({ received: 2, forwarded: 2 });
      await failure(client.getDecision(cx, session.session_id), "not_found");
    });
  });

  describe("import is sent exactly once, whatever happens", () => {
    const input = (token: string, vendorData = `fault-${randomUUID()}`) => ({
      shareToken: token,
      workflowId: y.workflows.user,
      vendorData,
      trustReview: false,
      expectedApplicationId: y.id,
    });

    it.each([
      ["a 500", { kind: "status", status: 500 } as const, "upstream_unavailable"],
      ["a 502", { kind: "status", status: 502 } as const, "upstream_unavailable"],
      ["a 429", { kind: "rate-limit", retryAfter: 1 } as const, "rate_limited"],
      ["a reset connection", { kind: "reset" } as const, "upstream_unavailable"],
    ])("%s: one request, our code, nothing imported", async (_name, fault, code) => {
      const token = await freshToken();
      const args = input(token);
      proxy.fault(IMPORT, fault, 5);
      await failure(client.importShared(cy, args), code as DiditErrorCode);
      expect(proxy.count(IMPORT).received).toBe(1);
      const found = await client.listSessions(cy, { vendorData: args.vendorData });
      expect(found.count).toBe(0);
    });

    it("a hang after Didit acted: upstream_timeout that says the import may have happened; one clone", async () => {
      const token = await freshToken();
      const args = input(token);
      proxy.fault(IMPORT, { kind: "hang", forward: true });
      const error = await failure(client.importShared(cy, args), "upstream_timeout");
      expect(error.details).toMatchObject({ outcomeUnknown: true, attempts: 1 });
      expect(error.message).toMatch(
        /the import may have happened: look for the imported session \(by vendor_data\)/,
      );
      expect(proxy.count(IMPORT)).toEqual({ received: 1, forwarded: 1 });
      // Reconciled the way the caller is told to: exactly one whole clone exists.
      const found = await client.listSessions(cy, { vendorData: args.vendorData });
      expect(found.count).toBe(1);
      const clone = await client.getDecision(cy, found.results[0]!.sessionId);
      expect(clone.sharedFromSession).toBe(
        JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).session_id,
      );
    });

    it("a connection cut mid-answer after Didit acted: outcome unknown, one request, one clone", async () => {
      const token = await freshToken();
      const args = input(token);
      proxy.fault(IMPORT, { kind: "drop-mid-body" });
      const error = await failure(client.importShared(cy, args), "upstream_unavailable");
      expect(error.details).toMatchObject({ outcomeUnknown: true });
      expect(error.message).toMatch(/^The connection to Didit broke off/);
      expect(proxy.count(IMPORT).received).toBe(1);
      expect((await client.listSessions(cy, { vendorData: args.vendorData })).count).toBe(1);
    });
  });

  describe("writes that must not repeat", () => {
    it("share: a 500 is not retried; a 429 is (Didit did nothing)", async () => {
      const session = await api.newSession(x, "user", "In Review");
      proxy.fault(SHARE, { kind: "status", status: 500 }, 5);
      const error = await failure(
        client.share(cx, session.session_id, { forApplicationId: y.id }),
        "upstream_unavailable",
      );
      expect(error.details).toMatchObject({ attempts: 1, upstreamStatus: 500, outcomeUnknown: true });
      expect(proxy.count(SHARE).received).toBe(1);
      proxy.reset();
      proxy.fault(SHARE, { kind: "rate-limit", retryAfter: 1 });
      const result = await client.share(cx, session.session_id, { forApplicationId: y.id });
      expect(result.forApplicationId).toBe(y.id);
      expect(proxy.count(SHARE)).toEqual({ received: 2, forwarded: 1 });
    });

    it("share and update-status: a connection cut is not retried", async () => {
      const session = await api.newSession(x, "user", "In Review");
      proxy.fault(SHARE, { kind: "reset" }, 5);
      await failure(client.share(cx, session.session_id, { forApplicationId: y.id }), "upstream_unavailable");
      expect(proxy.count(SHARE).received).toBe(1);
      proxy.fault(UPDATE, { kind: "drop-mid-body" }, 5);
      const error = await failure(
        client.updateStatus(cx, session.session_id, { newStatus: "Approved" }),
        "upstream_unavailable",
      );
      expect(error.message).toMatch(/the status may have changed: reload the session/);
      expect(proxy.count(UPDATE).received).toBe(1);
      // It did go through once: one review, not two.
      const decision = await client.getDecision(cx, session.session_id);
      expect(decision.reviews).toHaveLength(1);
    });

    it("update-status: a 503 is not retried", async () => {
      const session = await api.newSession(x, "business", "Approved");
      proxy.fault(UPDATE, { kind: "status", status: 503 }, 5);
      await failure(
        client.updateStatus(cx, session.session_id, { newStatus: "Declined" }),
        "upstream_unavailable",
      );
      expect(proxy.count(UPDATE).received).toBe(1);
    });
  });

  describe("a connection that never opens", () => {
    let closedPort: number;
    beforeAll(async () => {
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
      closedPort = (probe.address() as { port: number }).port;
      await new Promise<void>((r) => probe.close(() => r()));
    });

    it("is retried for every call but import, then upstream_unavailable", async () => {
      let calls = 0;
      const counting: typeof fetch = (input, init) => {
        calls++;
        return fetch(input, init);
      };
      const offline = clientWith({ baseUrl: `http://127.0.0.1:${closedPort}`, fetch: counting });
      const error = await failure(
        offline.share(cx, randomUUID(), { forApplicationId: y.id }),
        "upstream_unavailable",
      );
      expect(error.message).toBe(
        "Handoff cannot reach Didit: check DIDIT_API_BASE_URL and this server's network, then try again.",
      );
      expect(calls).toBe(4);
      calls = 0;
      await failure(
        offline.importShared(cy, {
          shareToken: "a.b.c",
          workflowId: randomUUID(),
          vendorData: "v",
          trustReview: false,
        }),
        "upstream_unavailable",
      );
      expect(calls).toBe(1);
    });
  });

  it("logs status and code only: never the key, the token or Didit's body", async () => {
    const token = await freshToken();
    proxy.fault(IMPORT, { kind: "status", status: 500, body: { detail: "secret upstream words" } });
    await failure(
      client.importShared(cy, {
        shareToken: token,
        workflowId: y.workflows.user,
        vendorData: "v",
        trustReview: false,
      }),
      "upstream_unavailable",
    );
    const text = JSON.stringify(logged);
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of [x.key, y.key, token, "secret upstream words", cx.apiKeyCiphertext]) {
      expect(text).not.toContain(secret);
    }
    const last = logged.at(-1)!;
    expect(last).toEqual({
      msg: "didit call failed",
      obj: { didit: { operation: "importShared", status: 500, code: "upstream_unavailable", attempts: 1 } },
    });
  });
});
