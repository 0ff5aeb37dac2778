import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { seal } from "@/lib/server/crypto/envelope";
import { NotListeningError } from "@/lib/server/listen-address";
import { createDiditClient, type CreateDiditClientOptions } from "./client";
import { DiditError } from "./errors";
import type { DiditCaller } from "./types";

/** The client against a scripted fetch: what goes on the wire, and how answers are read. */

const KEY = "sbx_live-key-that-must-never-leak";
const callerId = randomUUID();
const caller: DiditCaller = { id: callerId, apiKeyCiphertext: seal(KEY, callerId) };

type Sent = { url: string; init: RequestInit };
type Answer = Response | Error | ((sent: Sent) => Response | Promise<Response>);

function scripted(answers: Answer[], extra: Partial<CreateDiditClientOptions> = {}) {
  const sent: Sent[] = [];
  const sleeps: number[] = [];
  const client = createDiditClient({
    baseUrl: "https://didit.test",
    limiter: false,
    random: () => 0,
    sleep: async (ms) => void sleeps.push(ms),
    logger: { warn: () => undefined, debug: () => undefined },
    fetch: async (input, init) => {
      const s = { url: String(input), init: init ?? {} };
      sent.push(s);
      const next = answers.shift();
      if (!next) throw new Error("no more answers");
      if (next instanceof Error) throw next;
      return typeof next === "function" ? next(s) : next;
    },
    ...extra,
  });
  return { client, sent, sleeps };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const ROW = {
  session_id: "3f0c6f1e-1111-4111-8111-111111111111",
  session_kind: "business",
  session_number: 7,
  status: "IN_REVIEW",
  vendor_data: "acme",
  workflow_id: "3f0c6f1e-2222-4222-8222-222222222222",
  created_at: "2026-11-30T10:00:00Z",
  company_name: "Acme",
  registration_number: "123",
  country: "DE",
  features: ["KYB_REGISTRY"],
  colour: "ignored",
};

async function thrown(p: Promise<unknown>): Promise<DiditError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DiditError);
  return e as DiditError;
}

describe("requests on the wire", () => {
  it("lists under /v3/sessions/ with the key header, the query and both status spellings", async () => {
    const { client, sent } = scripted([json(200, { count: 1, next: null, previous: null, results: [ROW] })]);
    const page = await client.listSessions(caller, {
      kind: "business",
      status: ["In Review", "Approved"],
      vendorData: "acme",
      search: "Ac",
      limit: 10,
      offset: 20,
    });
    const url = new URL(sent[0]!.url);
    expect(url.origin + url.pathname).toBe("https://didit.test/v3/sessions/");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      session_kind: "business",
      status: "In Review,IN_REVIEW,Approved,APPROVED",
      vendor_data: "acme",
      search: "Ac",
      limit: "10",
      offset: "20",
    });
    const headers = sent[0]!.init.headers as Record<string, string>;
    expect(headers["x-api-key"]).toBe(KEY);
    expect(sent[0]!.init.redirect).toBe("manual");
    expect(page).toEqual({
      count: 1,
      nextOffset: null,
      results: [
        {
          sessionId: ROW.session_id,
          sessionKind: "business",
          sessionNumber: 7,
          status: "In Review",
          vendorData: "acme",
          workflowId: ROW.workflow_id,
          createdAt: new Date("2026-11-30T10:00:00Z"),
          fullName: null,
          companyName: "Acme",
          registrationNumber: "123",
          documentType: null,
          country: "DE",
          features: ["KYB_REGISTRY"],
        },
      ],
    });
  });

  it("reads the next offset from DRF's absolute next link", async () => {
    const { client } = scripted([
      json(200, { count: 5, next: "https://didit.test/v3/sessions/?limit=2&offset=4", results: [ROW, ROW] }),
    ]);
    expect((await client.listSessions(caller, { limit: 2, offset: 2 })).nextOffset).toBe(4);
  });

  it("resolves the base URL on every call", async () => {
    let base = "https://one.test";
    const { client, sent } = scripted([json(200, { count: 0, next: null, results: [] }), json(200, [])], {
      baseUrl: () => base,
    });
    await client.listSessions(caller);
    base = "https://two.test/";
    await client.listWebhookDestinations(caller);
    expect(sent.map((s) => s.url)).toEqual([
      "https://one.test/v3/sessions/",
      "https://two.test/v3/webhook/destinations/",
    ]);
  });

  it("sends JSON bodies with the trailing slash and always trust_review", async () => {
    const { client, sent } = scripted([
      json(201, { share_token: "t.t.t", for_application_id: "b", session_kind: "user" }),
      json(201, {
        session_id: "n",
        session_number: 1,
        session_kind: "user",
        status: "In Review",
        shared_from_session: "s",
      }),
      json(200, { session_id: "n" }),
      new Response(null, { status: 204 }),
    ]);
    await client.share(caller, "s/1", { forApplicationId: "b" });
    await client.importShared(caller, {
      shareToken: "tok",
      workflowId: "w",
      vendorData: "v",
      trustReview: false,
    });
    await client.updateStatus(caller, "n", { newStatus: "Declined", comment: "no" });
    await client.deleteSession(caller, "n");
    expect(sent.map((s) => `${s.init.method} ${s.url}`)).toEqual([
      "POST https://didit.test/v3/session/s%2F1/share/",
      "POST https://didit.test/v3/session/import-shared/",
      "PATCH https://didit.test/v3/session/n/update-status/",
      "DELETE https://didit.test/v3/session/n/delete/",
    ]);
    expect(JSON.parse(sent[0]!.init.body as string)).toEqual({ for_application_id: "b" });
    expect(JSON.parse(sent[1]!.init.body as string)).toEqual({
      share_token: "tok",
      workflow_id: "w",
      vendor_data: "v",
      trust_review: false,
    });
    expect(JSON.parse(sent[2]!.init.body as string)).toEqual({ new_status: "Declined", comment: "no" });
    expect((sent[0]!.init.headers as Record<string, string>)["content-type"]).toBe("application/json");
  });

  it("takes 200 and 201 alike for a share", async () => {
    const body = { share_token: "a.b.c", for_application_id: "b", session_kind: "business" };
    const { client } = scripted([json(201, body), json(200, body)]);
    const a = await client.share(caller, "s", { forApplicationId: "b", ttlSeconds: 60 });
    const b = await client.share(caller, "s", { forApplicationId: "b", ttlSeconds: 60 });
    expect(a).toEqual(b);
    expect(a).toEqual({ shareToken: "a.b.c", forApplicationId: "b", sessionKind: "business" });
  });

  it("creates a destination as v3 with its secret; the list drops any secret", async () => {
    const dest = {
      uuid: "d1",
      label: "H",
      url: "https://h.test/x",
      enabled: true,
      subscribed_events: ["status.updated"],
    };
    const { client, sent } = scripted([
      json(201, { ...dest, secret_shared_key: "whsec-1" }),
      json(200, [{ ...dest, secret_shared_key: "should-not-be-here" }]),
    ]);
    const created = await client.createWebhookDestination(caller, {
      label: "H",
      url: dest.url,
      subscribedEvents: ["status.updated"],
    });
    expect(created.secretSharedKey).toBe("whsec-1");
    expect(JSON.parse(sent[0]!.init.body as string)).toEqual({
      label: "H",
      url: dest.url,
      enabled: true,
      webhook_version: "v3",
      subscribed_events: ["status.updated"],
    });
    const list = await client.listWebhookDestinations(caller);
    expect(list).toEqual([
      { id: "d1", label: "H", url: dest.url, enabled: true, subscribedEvents: ["status.updated"] },
    ]);
  });
});

describe("failures", () => {
  it("does not follow a redirect (it would carry the key elsewhere)", async () => {
    const { client, sent } = scripted([
      new Response(null, { status: 301, headers: { location: "https://evil.test/" } }),
    ]);
    const e = await thrown(client.listSessions(caller));
    expect(e.code).toBe("upstream_error");
    expect(e.message).toMatch(/redirected/);
    expect(sent).toHaveLength(1);
  });

  it("a key that does not decrypt is never sent", async () => {
    const { client, sent } = scripted([]);
    const e = await thrown(
      client.listSessions({ id: randomUUID(), apiKeyCiphertext: caller.apiKeyCiphertext }),
    );
    expect(e.code).toBe("key_rejected");
    expect(e.message).toMatch(/cannot be decrypted/);
    expect(sent).toHaveLength(0);
  });

  it("an unknown console address is upstream_unavailable, not a crash", async () => {
    const { client } = scripted([], {
      baseUrl: () => {
        throw new NotListeningError();
      },
    });
    const e = await thrown(client.getDecision(caller, "s"));
    expect(e.code).toBe("upstream_unavailable");
    expect(e.message).toMatch(/not listening/);
  });

  it("an unknown status in an answer makes it malformed", async () => {
    const { client } = scripted([
      json(200, { count: 1, next: null, results: [{ ...ROW, status: "Not Finished" }] }),
    ]);
    const e = await thrown(client.listSessions(caller));
    expect(e.code).toBe("upstream_unavailable");
    expect(e.message).toMatch(/something unexpected/);
  });

  it("a 2xx import whose answer cannot be read says the outcome is unknown", async () => {
    const { client } = scripted([new Response("<html>ok</html>", { status: 201 })]);
    const e = await thrown(
      client.importShared(caller, { shareToken: "t", workflowId: "w", vendorData: "v", trustReview: true }),
    );
    expect(e.code).toBe("upstream_unavailable");
    expect(e.details).toMatchObject({ outcomeUnknown: true });
  });

  it("the recipe's bare 403 on import is told apart with expectedApplicationId", async () => {
    const ours = randomUUID();
    const tok = await new SignJWT({ for_application_id: ours, exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("k".repeat(32)));
    const { client } = scripted([new Response(null, { status: 403 }), new Response("", { status: 403 })]);
    const input = { shareToken: tok, workflowId: "w", vendorData: "v", trustReview: false };
    expect((await thrown(client.importShared(caller, { ...input, expectedApplicationId: ours }))).code).toBe(
      "already_imported",
    );
    expect(
      (await thrown(client.importShared(caller, { ...input, expectedApplicationId: randomUUID() }))).code,
    ).toBe("token_not_for_us");
  });

  it("backs off exponentially between retries and stops after maxRetries", async () => {
    const { client, sent, sleeps } = scripted([json(500, {}), json(502, {}), json(503, {}), json(504, {})], {
      maxRetries: 3,
    });
    const e = await thrown(client.getDecision(caller, "s"));
    expect(e.code).toBe("upstream_unavailable");
    expect(e.details).toEqual({ upstreamStatus: 504, attempts: 4 });
    expect(sent).toHaveLength(4);
    expect(sleeps).toEqual([125, 250, 500]);
  });

  it("waits what Retry-After says and keeps within the retry budget", async () => {
    const { client, sleeps } = scripted(
      [json(429, {}, { "retry-after": "2" }), json(429, {}, { "retry-after": "20" }), json(200, [])],
      { retryBudgetMs: 15_000 },
    );
    const e = await thrown(client.listWebhookDestinations(caller));
    expect(sleeps).toEqual([2000]);
    expect(e).toMatchObject({
      code: "rate_limited",
      details: { retryAfterSeconds: 20, attempts: 2, upstreamStatus: 429 },
    });
  });

  it("holds calls back with the limiter, and fails with rate_limited when the wait is too long", async () => {
    let now = 0;
    const { client, sleeps } = scripted(
      Array.from({ length: 3 }, () => json(200, [])),
      { limiter: { readsPerMinute: 10, writesPerMinute: 10, maxWaitMs: 5000 }, now: () => now },
    );
    await client.listWebhookDestinations(caller);
    const e = await thrown(client.listWebhookDestinations(caller));
    expect(e).toMatchObject({ code: "rate_limited", details: { retryAfterSeconds: 7 } });
    expect(e.message).toMatch(/Handoff is holding back calls/);
    now += 6667;
    await client.listWebhookDestinations(caller);
    expect(sleeps).toEqual([]);
  });

  it("the thrown error carries neither the key nor Didit's body", async () => {
    const { client } = scripted([json(400, { detail: `bad key ${KEY}` })]);
    const e = await thrown(client.updateStatus(caller, "s", { newStatus: "Approved" }));
    const everything = JSON.stringify({ ...e, message: e.message, stack: e.stack, cause: String(e.cause) });
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain("bad key");
    expect(Object.keys(e)).not.toContain("headers");
  });
});
