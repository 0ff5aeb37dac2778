import { randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { and, eq } from "drizzle-orm";
import { inboundMessageIds } from "@/lib/server/db/schema";
import { apiRoute } from "@/lib/server/http/route";
import { pruneInboundMessages } from "@/lib/server/services/partners";
import { systemContext } from "@/lib/server/kernel";
// Ground truth for Didit's signatures: the sandbox signs exactly as Didit does (tests only).
import {
  canonicalWebhookJson,
  signatureV1,
  signatureV2,
  webhookBody,
} from "@/lib/server/sandbox/webhook-signing";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";

/**
 * The signed route modes, exercised through test-only routes (partners and Didit applications
 * arrive with the next issues): valid, wrong secret, stale, replayed, tampered byte, missing header.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
});
afterAll(() => t.close());

type ErrorBody = { error: { code: string; message: string; details?: { fields: Record<string, string[]> } } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
const now = () => Math.floor(Date.now() / 1000);

// ─── partner ────────────────────────────────────────────────────────────────────────────────────

const secret = () => `whsec_${randomBytes(32).toString("base64")}`;
const PARTNERS: Record<string, string[]> = { acme: [secret()], globex: [secret(), secret()] };
const partnerCalls: { partner: string; messageId: string; note: string }[] = [];
let failNext = 0;

const partnerRoute = apiRoute(
  {
    mode: "partner",
    params: z.object({ partner: z.string().min(1) }),
    body: z.object({ note: z.string().max(100) }),
    maxBodyBytes: 4096,
    secrets: async (_ctx, params) => {
      const secrets = PARTNERS[params.partner];
      return secrets ? { partnerId: params.partner, secrets } : null;
    },
  },
  async ({ body, sender }) => {
    if (failNext > 0) {
      failNext--;
      throw new Error("downstream failure");
    }
    partnerCalls.push({ partner: sender.partnerId, messageId: sender.messageId, note: body.note });
    return { accepted: body.note, partner: sender.partnerId };
  },
);

function signedPartnerRequest(
  partner: string,
  payload: string | Uint8Array,
  options: { id?: string; timestamp?: number; secret?: string; headers?: Record<string, string | null> } = {},
): Request {
  const id = options.id ?? `msg_${randomUUID()}`;
  const ts = options.timestamp ?? now();
  const key = options.secret ?? PARTNERS[partner]?.[0] ?? secret();
  const text = typeof payload === "string" ? payload : Buffer.from(payload).toString("latin1");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(ts),
    "webhook-signature": new Webhook(key).sign(id, new Date(ts * 1000), text),
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  return new Request(`http://handoff.test/api/partner/v1/${partner}/notes`, {
    method: "POST",
    headers,
    body: typeof payload === "string" ? payload : Buffer.from(payload),
  });
}

const callPartner = (req: Request, partner: string) =>
  partnerRoute(req, { params: Promise.resolve({ partner }) });

describe(`partner mode: Standard Webhooks signatures (${testDriver()})`, () => {
  beforeEach(() => {
    partnerCalls.length = 0;
    failNext = 0;
  });

  it("accepts a valid signature and hands the handler the partner and message id", async () => {
    const req = signedPartnerRequest("acme", '{"note":"hello"}', { id: "msg_valid_1" });
    const res = await callPartner(req, "acme");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: "hello", partner: "acme" });
    expect(partnerCalls).toEqual([{ partner: "acme", messageId: "msg_valid_1", note: "hello" }]);
  });

  it("accepts any secret of a rotation and any matching signature among several", async () => {
    const [, newer] = PARTNERS.globex!;
    expect((await callPartner(signedPartnerRequest("globex", '{"note":"old"}'), "globex")).status).toBe(200);
    const rotated = signedPartnerRequest("globex", '{"note":"new"}', { secret: newer });
    expect((await callPartner(rotated, "globex")).status).toBe(200);
    const id = "msg_multi";
    const ts = now();
    const wrong = new Webhook(secret()).sign(id, new Date(ts * 1000), '{"note":"multi"}');
    const right = new Webhook(newer!).sign(id, new Date(ts * 1000), '{"note":"multi"}');
    const both = signedPartnerRequest("globex", '{"note":"multi"}', {
      id,
      timestamp: ts,
      headers: { "webhook-signature": `v2,ignored ${wrong} ${right}` },
    });
    expect((await callPartner(both, "globex")).status).toBe(200);
    expect(partnerCalls.map((c) => c.note)).toEqual(["old", "new", "multi"]);
  });

  it("refuses a wrong secret, an unknown partner, stale and future timestamps alike: 401 invalid_signature", async () => {
    const cases = [
      signedPartnerRequest("acme", '{"note":"x"}', { secret: secret() }),
      signedPartnerRequest("initech", '{"note":"x"}'),
      signedPartnerRequest("acme", '{"note":"x"}', { timestamp: now() - 301 }),
      signedPartnerRequest("acme", '{"note":"x"}', { timestamp: now() + 310 }),
    ];
    // A future stamp is tested 10 s out: now() is floored, so +301 can land inside the window by a few ms.
    const partners = ["acme", "initech", "acme", "acme"];
    const messages = new Set<string>();
    for (const [i, req] of cases.entries()) {
      const res = await callPartner(req, partners[i]!);
      expect(res.status, String(i)).toBe(401);
      const error = await errorOf(res);
      expect(error.code).toBe("invalid_signature");
      messages.add(error.message);
    }
    expect(messages.size).toBe(1); // the answer never says which check failed
    expect(partnerCalls).toEqual([]);
  });

  it("accepts a timestamp just inside the window", async () => {
    const res = await callPartner(
      signedPartnerRequest("acme", '{"note":"edge"}', { timestamp: now() - 290 }),
      "acme",
    );
    expect(res.status).toBe(200);
  });

  it("refuses a tampered byte in the body, the id or the timestamp", async () => {
    const good = signedPartnerRequest("acme", '{"note":"pay 10"}', { id: "msg_tamper" });
    const headers = Object.fromEntries(good.headers.entries());
    const variants = [
      new Request(good.url, { method: "POST", headers, body: '{"note":"pay 90"}' }),
      new Request(good.url, {
        method: "POST",
        headers: { ...headers, "webhook-id": "msg_tampes" },
        body: '{"note":"pay 10"}',
      }),
      new Request(good.url, {
        method: "POST",
        headers: { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 1) },
        body: '{"note":"pay 10"}',
      }),
      new Request(good.url, { method: "POST", headers, body: '{"note":"pay 10"} ' }),
    ];
    for (const req of variants) expect((await callPartner(req, "acme")).status).toBe(401);
    expect(partnerCalls).toEqual([]);
  });

  it("refuses a request missing any of the three headers", async () => {
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const res = await callPartner(
        signedPartnerRequest("acme", '{"note":"x"}', { headers: { [name]: null } }),
        "acme",
      );
      expect(res.status, name).toBe(401);
      expect((await errorOf(res)).code).toBe("invalid_signature");
    }
  });

  it("refuses a replayed webhook-id with 409 replayed, also when the replays arrive at once", async () => {
    const first = signedPartnerRequest("acme", '{"note":"once"}', { id: "msg_replay" });
    const again = first.clone();
    expect((await callPartner(first, "acme")).status).toBe(200);
    const replay = await callPartner(again, "acme");
    expect(replay.status).toBe(409);
    expect((await errorOf(replay)).code).toBe("replayed");

    const burst = signedPartnerRequest("acme", '{"note":"burst"}', { id: "msg_burst" });
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () => callPartner(burst.clone(), "acme").then((r) => r.status)),
    );
    expect(statuses.sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(partnerCalls.map((c) => c.note)).toEqual(["once", "burst"]);
  });

  it("scopes message ids per partner", async () => {
    const id = "msg_shared_id";
    expect((await callPartner(signedPartnerRequest("acme", '{"note":"a"}', { id }), "acme")).status).toBe(
      200,
    );
    expect((await callPartner(signedPartnerRequest("globex", '{"note":"g"}', { id }), "globex")).status).toBe(
      200,
    );
    const rows = await t.db.select().from(inboundMessageIds).where(eq(inboundMessageIds.messageId, id));
    expect(rows.map((r) => r.scope).sort()).toEqual(["partner:acme", "partner:globex"]);
  });

  it("releases the id when the handler fails, so the sender's retry is processed", async () => {
    failNext = 1;
    const req = signedPartnerRequest("acme", '{"note":"retry"}', { id: "msg_retry" });
    const retry = req.clone();
    expect((await callPartner(req, "acme")).status).toBe(500);
    expect((await callPartner(retry, "acme")).status).toBe(200);
    expect(partnerCalls.map((c) => c.messageId)).toEqual(["msg_retry"]);
  });

  it("parses the body only after the signature: malformed 400, invalid 422, NUL 422, too large 413, not UTF-8 401", async () => {
    expect((await callPartner(signedPartnerRequest("acme", "{nope"), "acme")).status).toBe(400);
    const invalid = await callPartner(signedPartnerRequest("acme", '{"note":42}'), "acme");
    expect(invalid.status).toBe(422);
    expect(Object.keys((await errorOf(invalid)).details!.fields)).toEqual(["note"]);
    const nul = await callPartner(signedPartnerRequest("acme", '{"note":"a\\u0000b"}'), "acme");
    expect(nul.status).toBe(422);
    expect(Object.keys((await errorOf(nul)).details!.fields)).toEqual(["note"]);
    const big = await callPartner(
      signedPartnerRequest("acme", JSON.stringify({ note: "x".repeat(5000) })),
      "acme",
    );
    expect(big.status).toBe(413);
    const latin1 = await callPartner(
      signedPartnerRequest("acme", new Uint8Array([0x7b, 0xff, 0x7d])),
      "acme",
    );
    expect(latin1.status).toBe(401);
    // None of these consumed a message id: nothing was accepted.
    expect(partnerCalls).toEqual([]);
  });
});

// ─── didit-webhook ──────────────────────────────────────────────────────────────────────────────

const DESTINATION_SECRET = randomBytes(24).toString("hex");
const APPLICATIONS: Record<string, string[]> = { "app-1": [DESTINATION_SECRET] };
const diditCalls: { applicationId: string; eventId: string; status: string }[] = [];
let diditFailNext = 0;

const diditRoute = apiRoute(
  {
    mode: "didit-webhook",
    params: z.object({ app: z.string() }),
    body: z.looseObject({ status: z.string(), session_id: z.string() }),
    secrets: async (_ctx, params) => {
      const secrets = APPLICATIONS[params.app];
      return secrets ? { applicationId: params.app, secrets } : null;
    },
  },
  async ({ body, sender }) => {
    if (diditFailNext > 0) {
      diditFailNext--;
      throw new Error("downstream failure");
    }
    diditCalls.push({ ...sender, status: body.status });
    return { received: true };
  },
);

function diditEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const ts = now();
  return {
    application_id: "app-1",
    created_at: ts,
    decision: {
      face_match: { score: 87.5, status: "Approved" },
      id_verification: { first_name: "Zoë", age: 34 },
    },
    environment: "sandbox",
    event_id: randomUUID(),
    metadata: { note: "日本語" },
    session_id: randomUUID(),
    status: "Approved",
    timestamp: ts,
    vendor_data: "user-42",
    webhook_type: "status.updated",
    workflow_id: randomUUID(),
    workflow_version: 3,
    ...overrides,
  };
}

/** A delivery exactly as the sandbox (Didit's algorithm) sends it. */
function diditRequest(
  payload: Record<string, unknown>,
  options: {
    secret?: string;
    timestamp?: number;
    body?: Uint8Array | string;
    headers?: Record<string, string | null>;
  } = {},
): Request {
  const key = options.secret ?? DESTINATION_SECRET;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-signature-v2": signatureV2(payload, key),
    "x-signature": signatureV1(payload, key),
    "x-timestamp": String(options.timestamp ?? now()),
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  return new Request("http://handoff.test/api/webhooks/didit/app-1", {
    method: "POST",
    headers,
    body: typeof options.body === "string" ? options.body : Buffer.from(options.body ?? webhookBody(payload)),
  });
}

const callDidit = (req: Request, app = "app-1") => diditRoute(req, { params: Promise.resolve({ app }) });

describe(`didit-webhook mode: X-Signature-V2 (${testDriver()})`, () => {
  beforeEach(() => {
    diditCalls.length = 0;
    diditFailNext = 0;
  });

  it("accepts the sandbox's signed delivery (non-ASCII, nested, floats) and runs the handler", async () => {
    const event = diditEvent();
    const res = await callDidit(diditRequest(event));
    expect(res.status).toBe(200);
    expect(diditCalls).toEqual([{ applicationId: "app-1", eventId: event.event_id, status: "Approved" }]);
  });

  it("verifies V2 over the canonical form whatever the sender's key order, spacing or escapes", async () => {
    const event = diditEvent();
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(event).reverse()), null, 2);
    expect(
      (await callDidit(diditRequest(event, { body: reordered, headers: { "x-signature": null } }))).status,
    ).toBe(200);
    const escaped = diditEvent();
    const ascii = canonicalWebhookJson(escaped, { asciiOnly: true });
    expect(ascii).toContain("\\u00eb");
    expect(
      (await callDidit(diditRequest(escaped, { body: ascii, headers: { "x-signature": null } }))).status,
    ).toBe(200);
  });

  it("falls back to X-Signature over the raw bytes when V2 does not match", async () => {
    const event = diditEvent({ decision: { score: 12.25 }, metadata: {} }); // ASCII: both signatures sign these bytes
    const res = await callDidit(diditRequest(event, { headers: { "x-signature-v2": "0".repeat(64) } }));
    expect(res.status).toBe(200);
    const asciiEvent = diditEvent();
    const asciiBody = canonicalWebhookJson(asciiEvent, { asciiOnly: true });
    const v1Only = await callDidit(
      diditRequest(asciiEvent, { body: asciiBody, headers: { "x-signature-v2": null } }),
    );
    expect(v1Only.status).toBe(200);
    expect(diditCalls).toHaveLength(2);
  });

  it("answers a duplicate event_id 200 without running the handler again, also for concurrent deliveries", async () => {
    const event = diditEvent();
    expect((await callDidit(diditRequest(event))).status).toBe(200);
    const again = await callDidit(diditRequest(event));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });

    const burst = diditEvent();
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () => callDidit(diditRequest(burst)).then((r) => r.status)),
    );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(diditCalls.map((c) => c.eventId)).toEqual([event.event_id, burst.event_id]);
    const rows = await t.db
      .select()
      .from(inboundMessageIds)
      .where(
        and(
          eq(inboundMessageIds.scope, "didit:app-1"),
          eq(inboundMessageIds.messageId, String(burst.event_id)),
        ),
      );
    expect(rows).toHaveLength(1);
  });

  it("refuses a wrong secret, an unknown application, a stale X-Timestamp or body timestamp: 401", async () => {
    const cases: [Request, string][] = [
      [diditRequest(diditEvent(), { secret: "not-the-secret" }), "app-1"],
      [diditRequest(diditEvent()), "app-2"],
      [diditRequest(diditEvent(), { timestamp: now() - 301 }), "app-1"],
      [diditRequest(diditEvent(), { timestamp: now() + 310 }), "app-1"],
      [diditRequest(diditEvent({ timestamp: now() - 3600 })), "app-1"],
    ];
    for (const [i, [req, app]] of cases.entries()) {
      const res = await callDidit(req, app);
      expect(res.status, String(i)).toBe(401);
      expect((await errorOf(res)).code).toBe("invalid_signature");
    }
    expect(diditCalls).toEqual([]);
  });

  it("refuses a tampered byte", async () => {
    const event = diditEvent();
    const body = webhookBody(event);
    const at = body.indexOf(Buffer.from('"Approved"')) + 1;
    const tampered = Buffer.from(body);
    tampered[at] = "B".charCodeAt(0);
    expect((await callDidit(diditRequest(event, { body: tampered }))).status).toBe(401);
    const number = Buffer.from(body.toString("utf8").replace('"workflow_version":3', '"workflow_version":4'));
    expect((await callDidit(diditRequest(event, { body: number }))).status).toBe(401);
    expect(diditCalls).toEqual([]);
  });

  it("refuses a delivery missing X-Timestamp or both signatures", async () => {
    const variants: Record<string, null>[] = [
      { "x-timestamp": null },
      { "x-signature-v2": null, "x-signature": null },
    ];
    for (const headers of variants) {
      const res = await callDidit(diditRequest(diditEvent(), { headers }));
      expect(res.status, JSON.stringify(headers)).toBe(401);
    }
    expect(diditCalls).toEqual([]);
  });

  it("refuses a signed body without an event_id (422) or with a NUL (422), without consuming anything", async () => {
    const noId = diditEvent();
    delete noId.event_id;
    const res = await callDidit(diditRequest(noId));
    expect(res.status).toBe(422);
    expect(Object.keys((await errorOf(res)).details!.fields)).toEqual(["event_id"]);
    const nul = await callDidit(diditRequest(diditEvent({ vendor_data: "a\u0000b" })));
    expect(nul.status).toBe(422);
    expect(Object.keys((await errorOf(nul)).details!.fields)).toEqual(["vendor_data"]);
    expect(diditCalls).toEqual([]);
  });

  it("releases the event id when the handler fails, so Didit's retry is processed", async () => {
    diditFailNext = 1;
    const event = diditEvent();
    expect((await callDidit(diditRequest(event))).status).toBe(500);
    expect((await callDidit(diditRequest(event))).status).toBe(200);
    expect(diditCalls.map((c) => c.eventId)).toEqual([event.event_id]);
  });
});

describe(`inbound message store (${testDriver()})`, () => {
  it("prunes ids older than the signature window", async () => {
    const ctx = systemContext(t.db);
    await t.db.insert(inboundMessageIds).values([
      { scope: "partner:prune", messageId: "old", receivedAt: new Date(Date.now() - 3600_000) },
      { scope: "partner:prune", messageId: "new", receivedAt: new Date() },
    ]);
    expect(
      await pruneInboundMessages(ctx, { olderThan: new Date(Date.now() - 600_000) }),
    ).toBeGreaterThanOrEqual(1);
    const left = await t.db
      .select()
      .from(inboundMessageIds)
      .where(eq(inboundMessageIds.scope, "partner:prune"));
    expect(left.map((r) => r.messageId)).toEqual(["new"]);
  });
});
