import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/lib/server/db/types";
import { testDriver } from "@/test/database";
import { sandboxHttpSuite, type TestApp } from "@/test/sandbox-fixtures";

/**
 * Input PostgreSQL cannot take (NUL, lone surrogates), huge strings, dates out of range and
 * undecodable paths: every sandbox route answers Didit's DRF-style 4xx, never a 5xx, and changes
 * nothing.
 */

const sandbox = sandboxHttpSuite();
let x: TestApp;
let y: TestApp;
let sessionId: string;
let destinationId: string;

const NUL = "a\u0000b";
const LONE = "a\ud800b";
const HUGE = "x".repeat(1024 * 1024);
const NULL_CHARS = ["Null characters are not allowed."];

beforeAll(async () => {
  x = await sandbox.api.newApp("recipe", "Service X");
  y = await sandbox.api.newApp("spec", "Service Y");
  sessionId = (await sandbox.api.newSession(x, "user", "Approved")).session_id;
  const dest = await sandbox.api.call("POST", "/sandbox/v3/webhook/destinations/", {
    key: x.key,
    body: { url: "https://hooks.example.com/x", subscribed_events: ["status.updated"] },
  });
  expect(dest.status).toBe(201);
  destinationId = (dest.body as { uuid: string }).uuid;
});

const TABLES = [
  "applications",
  "api_keys",
  "workflows",
  "sessions",
  "entities",
  "imports",
  "shares",
  "share_clocks",
  "webhook_destinations",
];

async function rowCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = rowsOf<{ n: number }>(
      await sandbox.t.db.execute(sql.raw(`select count(*)::int as n from sandbox.${table}`)),
    );
    out[table] = Number(row!.n);
  }
  return out;
}

/** A DRF-style body: `{"detail": …}` or field errors `{"field": [messages]}`. */
function expectDrf(body: unknown) {
  expect(body).toBeTypeOf("object");
  const entries = Object.entries(body as object);
  expect(entries.length).toBeGreaterThan(0);
  for (const [key, value] of entries) {
    if (key === "detail") expect(typeof value === "string" || Array.isArray(value)).toBe(true);
    else expect(Array.isArray(value)).toBe(true);
  }
}

type Case = {
  name: string;
  method: string;
  path: () => string;
  auth: "key" | "admin";
  body?: () => unknown;
  status: number;
  expected?: unknown;
};

const v3 = (p: string) => `/sandbox/v3${p}`;

const CASES: Case[] = [
  // Query strings of the session list.
  ...(["search", "vendor_data", "status", "session_kind", "workflow_id", "date_from"] as const).map(
    (param): Case => ({
      name: `NUL in ?${param}`,
      method: "GET",
      path: () => v3(`/sessions/?${param}=a%00b`),
      auth: "key",
      status: 400,
      expected: { [param]: NULL_CHARS },
    }),
  ),
  // Keys an object literal already has (the fuzz sweep's ?constructor=%00 answered 500).
  ...(["constructor", "__proto__", "toString"] as const).map((param): Case => ({
    name: `NUL in ?${param}`,
    method: "GET",
    path: () => v3(`/sessions/?${param}=a%00b`),
    auth: "key",
    status: 400,
    expected: Object.fromEntries([[param, NULL_CHARS]]),
  })),
  {
    name: "a date beyond PostgreSQL's range",
    method: "GET",
    path: () => v3("/sessions/?date_from=275760-09-13&date_to=275760-09-13"),
    auth: "key",
    status: 400,
    expected: { date_from: ["Enter a valid date."], date_to: ["Enter a valid date."] },
  },
  {
    name: "a date before year 1",
    method: "GET",
    path: () => v3("/sessions/?date_from=0000-01-01"),
    auth: "key",
    status: 400,
    expected: { date_from: ["Enter a valid date."] },
  },
  // Bodies of the Didit endpoints.
  {
    name: "NUL in import vendor_data",
    method: "POST",
    path: () => v3("/session/import-shared/"),
    auth: "key",
    body: () => ({ share_token: "a.b.c", vendor_data: NUL, trust_review: true }),
    status: 400,
    expected: { vendor_data: NULL_CHARS },
  },
  {
    name: "a lone surrogate in import vendor_data",
    method: "POST",
    path: () => v3("/session/import-shared/"),
    auth: "key",
    body: () => ({ share_token: "a.b.c", vendor_data: LONE }),
    status: 400,
    expected: { vendor_data: ["Not a valid string."] },
  },
  {
    name: "NUL in share_token",
    method: "POST",
    path: () => v3("/session/import-shared/"),
    auth: "key",
    body: () => ({ share_token: NUL }),
    status: 400,
    expected: { share_token: NULL_CHARS },
  },
  {
    name: "a 1 MB share_token",
    method: "POST",
    path: () => v3("/session/import-shared/"),
    auth: "key",
    body: () => ({ share_token: HUGE, trust_review: true }),
    status: 401,
    expected: { detail: "Invalid share token." },
  },
  {
    name: "NUL in an update-status comment",
    method: "PATCH",
    path: () => v3(`/session/${sessionId}/update-status/`),
    auth: "key",
    body: () => ({ new_status: "Declined", comment: NUL }),
    status: 400,
    expected: { comment: NULL_CHARS },
  },
  {
    name: "a lone surrogate in an update-status comment",
    method: "PATCH",
    path: () => v3(`/session/${sessionId}/update-status/`),
    auth: "key",
    body: () => ({ new_status: "Declined", comment: "\udc00" }),
    status: 400,
    expected: { comment: ["Not a valid string."] },
  },
  {
    name: "a 1 MB update-status comment",
    method: "PATCH",
    path: () => v3(`/session/${sessionId}/update-status/`),
    auth: "key",
    body: () => ({ new_status: "Declined", comment: HUGE }),
    status: 400,
    expected: { comment: ["Ensure this field has no more than 2000 characters."] },
  },
  {
    name: "NUL in new_status",
    method: "PATCH",
    path: () => v3(`/session/${sessionId}/update-status/`),
    auth: "key",
    body: () => ({ new_status: NUL }),
    status: 400,
  },
  {
    name: "NUL in for_application_id",
    method: "POST",
    path: () => v3(`/session/${sessionId}/share/`),
    auth: "key",
    body: () => ({ for_application_id: NUL }),
    status: 400,
    expected: { for_application_id: ["Must be a valid UUID."] },
  },
  {
    name: "NUL in a destination label and url",
    method: "POST",
    path: () => v3("/webhook/destinations/"),
    auth: "key",
    body: () => ({
      label: NUL,
      url: `https://hooks.example.com/${NUL}`,
      subscribed_events: ["status.updated"],
    }),
    status: 400,
    expected: { label: NULL_CHARS, url: NULL_CHARS },
  },
  {
    name: "NUL in subscribed_events and webhook_version",
    method: "POST",
    path: () => v3("/webhook/destinations/"),
    auth: "key",
    body: () => ({ url: "https://hooks.example.com/y", webhook_version: NUL, subscribed_events: [NUL] }),
    status: 400,
  },
  {
    name: "a 1 MB destination label and url",
    method: "POST",
    path: () => v3("/webhook/destinations/"),
    auth: "key",
    body: () => ({
      label: HUGE,
      url: `https://hooks.example.com/${HUGE}`,
      subscribed_events: ["status.updated"],
    }),
    status: 400,
  },
  {
    name: "NUL in a destination PATCH",
    method: "PATCH",
    path: () => v3(`/webhook/destinations/${destinationId}/`),
    auth: "key",
    body: () => ({ label: NUL }),
    status: 400,
    expected: { label: NULL_CHARS },
  },
  // The operator API.
  {
    name: "NUL in an application name",
    method: "POST",
    path: () => "/sandbox/admin/applications",
    auth: "admin",
    body: () => ({ name: NUL }),
    status: 400,
    expected: { name: NULL_CHARS },
  },
  {
    name: "a lone surrogate in an application name",
    method: "POST",
    path: () => "/sandbox/admin/applications",
    auth: "admin",
    body: () => ({ name: LONE }),
    status: 400,
    expected: { name: ["Not a valid string."] },
  },
  {
    name: "NUL in a seeded session's vendor_data and status",
    method: "POST",
    path: () => "/sandbox/admin/sessions",
    auth: "admin",
    body: () => ({ application_id: x.id, session_kind: "user", status: NUL, vendor_data: NUL }),
    status: 400,
    expected: { status: NULL_CHARS, vendor_data: NULL_CHARS },
  },
  {
    name: "NUL in the delivery log's application_id",
    method: "GET",
    path: () => "/sandbox/admin/webhook-deliveries?application_id=a%00b",
    auth: "admin",
    status: 400,
    expected: { application_id: ["Must be a valid UUID."] },
  },
  {
    name: "a clock offset beyond any range",
    method: "POST",
    path: () => "/sandbox/admin/clock",
    auth: "admin",
    body: () => ({ offset_seconds: 1e300 }),
    status: 400,
  },
  // Paths that are not uuids, or not even decodable.
  ...[
    ["GET", "/session/%00/decision/"],
    ["GET", "/session/%ff%fe/decision/"],
    ["PATCH", "/session/%ff/update-status/"],
    ["DELETE", "/session/%E0%A4%A/delete/"],
    ["POST", "/session/%ff/share/"],
    ["GET", "/webhook/destinations/%ff/"],
    ["GET", "/%ff%fe/"],
  ].map(([method, p]): Case => ({
    name: `${method} ${p}`,
    method: method!,
    path: () => v3(p!),
    auth: "key",
    body: method === "GET" || method === "DELETE" ? undefined : () => ({}),
    status: 404,
    expected: { detail: "Not found." },
  })),
  ...[
    ["DELETE", "/sandbox/admin/applications/%ff%fe"],
    ["POST", "/sandbox/admin/applications/%00/keys"],
    ["GET", "/sandbox/media/%ff.png"],
  ].map(([method, p]): Case => ({
    name: `${method} ${p}`,
    method: method!,
    path: () => p!,
    auth: "admin",
    body: method === "POST" ? () => ({ privileges: ["read:sessions"] }) : undefined,
    status: 404,
    expected: { detail: "Not found." },
  })),
];

describe(`sandbox routes on bad input (${testDriver()})`, () => {
  it.each(CASES)("$name: $status, DRF body, nothing written", async (c) => {
    const before = await rowCounts();
    const res = await sandbox.api.call(c.method, c.path(), {
      ...(c.auth === "key" ? { key: x.key } : { admin: sandbox.api.adminToken }),
      ...(c.body ? { body: c.body() } : {}),
    });
    expect(res.status, res.text.slice(0, 300)).toBe(c.status);
    expectDrf(res.body);
    if (c.expected !== undefined) expect(res.body).toEqual(c.expected);
    expect(await rowCounts()).toEqual(before);
  });

  it("stores the longest valid vendor_data and url even in 3-byte UTF-8 (longer than a btree entry)", async () => {
    const cjk = (n: number) =>
      Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join("");
    const vendorData = cjk(1000);
    const seeded = await sandbox.api.admin("POST", "/sessions", {
      application_id: x.id,
      session_kind: "user",
      status: "Approved",
      vendor_data: vendorData,
    });
    expect(seeded.status, seeded.text.slice(0, 200)).toBe(201);
    const listed = await sandbox.api.call(
      "GET",
      v3(`/sessions/?vendor_data=${encodeURIComponent(vendorData)}`),
      {
        key: x.key,
      },
    );
    expect((listed.body as { count: number }).count).toBe(1);
    const token = await sandbox.api.mint(x, (seeded.body as { session_id: string }).session_id, y);
    const imported = await sandbox.api.importShared(y.key, { share_token: token, vendor_data: vendorData });
    expect(imported.status, imported.text.slice(0, 200)).toBe(201);
    const url = `https://hooks.example.com/${cjk(1970)}`;
    const body = { url, subscribed_events: ["status.updated"] };
    const dest = await sandbox.api.call("POST", v3("/webhook/destinations/"), { key: x.key, body });
    expect(dest.status, dest.text.slice(0, 200)).toBe(201);
    // Uniqueness per application still holds for such URLs.
    const again = await sandbox.api.call("POST", v3("/webhook/destinations/"), { key: x.key, body });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      url: ["A webhook destination with this URL already exists for this application."],
    });
  });

  it("still serves good input after all of it", async () => {
    const list = await sandbox.api.call("GET", v3("/sessions/?search=%E2%82%AC"), { key: x.key });
    expect(list.status).toBe(200);
    const token = await sandbox.api.mint(x, sessionId, y);
    const imported = await sandbox.api.importShared(y.key, {
      share_token: token,
      vendor_data: "ok",
      trust_review: true,
    });
    expect(imported.status, imported.text).toBe(201);
  });
});
