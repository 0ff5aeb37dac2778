import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "@/lib/env";
import { ROLES, type Role } from "@/lib/rbac";
import { signedRequest } from "@/lib/server/sandbox/webhooks";
import { connectedApplications } from "@/lib/server/db/schema";
import { createImport } from "@/lib/server/services/receiving/import";
import { receivedItem } from "@/lib/server/services/receiving/import.test-kit";
import { decideImport, encodeMediaRef } from "@/lib/server/services/reviews";
import { revealShare } from "@/lib/server/services/sharing";
import { contextOf } from "@/lib/server/services/reviews/reviews.test-kit";
import { inboxKit, type InboxKit } from "@/lib/server/services/receiving/inbox.test-kit";
import { testDriver, type TestDatabase } from "@/test/database";
import type { TestApp } from "@/test/sandbox-fixtures";
import { insertUser, sessionCookie, type TestUser } from "@/test/session";
import {
  diditV1Signature,
  sharingWorld,
  standardWebhookSignature,
  type SharingWorld,
} from "@/test/sharing-world";

/**
 * The fuzz sweep: every route module under app/api and app/sandbox, imported and called in-process
 * as Next calls it (a NextRequest, `params` as a promise), fed malformed JSON, wrong types, NUL
 * bytes, 1 MB strings, astral/RTL/combining unicode, extra fields, invalid UTF-8 bytes and odd query
 * strings and path params. No request may answer 5xx (or throw), and a request that is refused (any
 * non-2xx) must leave every table as it was, but the append-only logs a refusal is allowed to write.
 *
 * The credentials get the fuzzed input past the door: a console route is called as a role that
 * holds its permission (found by probing each role, so an officer-only route is fuzzed as an
 * officer), a partner API route with a Standard Webhooks signature of a real partner over the exact
 * fuzzed bytes, the Didit receiver with Didit's X-Signature over them, a sandbox route with a key or
 * the admin token. Didit calls go to the sandbox over HTTP.
 */

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const ORIGIN = "http://handoff.test";
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
/** Written by refusals on purpose: the audit trail, sign-in throttling, replay ids. */
const UNCHECKED_TABLES = new Set(["audit_events", "login_throttles", "inbound_message_ids"]);
/** Runs per route and method; the total is printed at the end. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 80);

type Segment = { kind: "static"; value: string } | { kind: "param" | "catchAll"; name: string };
type Route = { file: string; segments: Segment[]; template: string };
type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;

function findRoutes(dir: string, prefix: string[]): Route[] {
  const out: Route[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findRoutes(full, [...prefix, name]));
    else if (name === "route.ts") {
      const segments: Segment[] = prefix
        .filter((s) => !/^\(.*\)$/.test(s))
        .map((s) => {
          const catchAll = /^\[\[?\.\.\.(.+?)\]?\]$/.exec(s);
          if (catchAll) return { kind: "catchAll", name: catchAll[1]! };
          const param = /^\[(.+)\]$/.exec(s);
          if (param) return { kind: "param", name: param[1]! };
          return { kind: "static", value: s };
        });
      out.push({ file: full, segments, template: "/" + prefix.join("/") });
    }
  }
  return out;
}

const ROUTES = [
  ...findRoutes(path.join(ROOT, "app", "api"), ["api"]),
  ...findRoutes(path.join(ROOT, "app", "sandbox"), ["sandbox"]),
];

// --- Generators --------------------------------------------------------------------------------

const MEGABYTE = "x".repeat(1 << 20);
const NASTY = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "%00",
  "%ff%fe",
  "\uFFFE\uFFFF",
  "\uD83D\uDE00\uD83D\uDC4D\uD83C\uDFFD",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈",
  "\u202Eevil\u202C.exe",
  "שלום עולם",
  "مرحبا",
  "e\u0301\u0301\u0301\u0301",
  "Z\u0335\u0327\u031B\u0353\u0348a\u0335l\u0336g\u0337o\u0336",
  "\uD800",
  "\uDC00x",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "${jndi:ldap://x}",
  "../../etc/passwd",
  "9".repeat(400),
  "1e309",
  "-0",
  "NaN",
  "Infinity",
  "null",
  "true",
  "2026-11-30",
  "2026-11-30T08:15:00Z",
  "275760-09-13",
  "-271821-04-20T00:00:00Z",
  "0000-00-00",
  "00000000-0000-0000-0000-000000000000",
  "admin",
  "Approved",
  "In Review",
  "a".repeat(10_000),
];
const FIELDS = [
  "email",
  "name",
  "role",
  "status",
  "password",
  "currentPassword",
  "newPassword",
  "confirmPassword",
  "cursor",
  "limit",
  "actor",
  "action",
  "from",
  "to",
  "label",
  "url",
  "enabled",
  "subscribed_events",
  "secret_shared_key",
  "for_application_id",
  "ttl_in_seconds",
  "share_token",
  "trust_review",
  "workflow_id",
  "vendor_data",
  "new_status",
  "comment",
  "profile",
  "application_id",
  "session_kind",
  "session_id",
  "privileges",
  "offset_seconds",
  "seed",
  "webhook_version",
  "callback",
  "metadata",
  "sessionId",
  "partnerId",
  "ttlSeconds",
  "reason",
  "overlapHours",
  "full",
  "apiKey",
  "diditApplicationId",
  "applicationId",
  "environment",
  "defaultWorkflowUser",
  "direction",
  "allowedKinds",
  "allowedStatuses",
  "deliveryChannel",
  "pushUrl",
  "maxTtlSeconds",
  "agreementExpiresOn",
  "contacts",
  "notes",
  "share_id",
  "clone_session_id",
  "event_id",
  "webhook_type",
  "timestamp",
  "assigneeId",
  "secret",
  "trustReview",
  "workflowId",
  "vendorData",
  "__proto__",
  "constructor",
];
const QUERY_KEYS = [
  ...FIELDS,
  "offset",
  "page",
  "q",
  "search",
  "order",
  "kind",
  "date_from",
  "date_to",
  "state",
  "channel",
  "finished",
  "eligibleFor",
  "expiring",
  "agreementState",
  "assignee",
  "overdue",
  "sort",
  "source",
];

const nasty = fc.constantFrom(...NASTY);
const text = fc.oneof(
  { weight: 4, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.emailAddress() },
);
const scalar = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 2, arbitrary: fc.integer() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0, -1, 2 ** 53 + 1, 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER),
  },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 8, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie("v"), { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), text), tie("v"), { maxKeys: 4 }),
    },
  ),
})).v;
const jsonObject = fc.dictionary(
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: text }),
  value,
  { maxKeys: 6 },
);

type Body = { label: string; bytes: Uint8Array | string | null };
const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...utf8(p)] : p)));
const INVALID_UTF8 = [
  [0xff, 0xfe],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
];

const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 6, arbitrary: jsonObject.map((o) => ({ label: "json object", bytes: JSON.stringify(o) })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.array(value, { maxLength: 3 }), scalar)
      .map((v) => ({ label: "json non-object", bytes: JSON.stringify(v) ?? "null" })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "{",
          '{"a":',
          "[1,2",
          "nul",
          '{"a":1,}',
          "'a'",
          "\u0000",
          '{"email":"x"}}',
          "{}{}",
          "\uFEFF{}",
        ),
        fc.string({ unit: "binary", maxLength: 30 }),
      )
      .map((s) => ({ label: "malformed json", bytes: s })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...INVALID_UTF8))
      .map(([field, bad]) => ({ label: "invalid utf-8", bytes: concat(`{"${field}":"a`, bad, `b"}`) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...FIELDS),
        fc.constantFrom(MEGABYTE, "\u0000".repeat(1 << 18), "😀".repeat(1 << 18)),
      )
      .map(([field, big]) => ({ label: "1 MB string", bytes: JSON.stringify({ [field]: big }) })),
  },
  { weight: 1, arbitrary: fc.constant({ label: "empty", bytes: "" }) },
  { weight: 1, arbitrary: fc.constant({ label: "none", bytes: null }) },
);

const rawQueryPart = fc.oneof(
  { weight: 3, arbitrary: text.map((s) => encodeURIComponent(wellFormed(s))) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("%00", "%ff%fe", "%", "%zz", "%e2%82", "a%00b", "%c0%80", "+", "&", "="),
  },
  { weight: 1, arbitrary: fc.constant("q".repeat(8_000)) },
);
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) },
        { weight: 1, arbitrary: rawQueryPart },
      ),
      rawQueryPart,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&") : ""));

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant("application/json") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      "APPLICATION/JSON",
      null,
    ),
  },
);

/** Extra headers a client controls (latin-1 only: fetch refuses anything else in a header). */
const latin1 = fc.constantFrom(
  "",
  "\u00ff\u00fe",
  "%00",
  "unknown",
  "1.2.3.4, not-an-ip, ::1",
  "[::1]:80",
  "999.999.999.999",
  "a".repeat(8_000),
  "<script>",
);
const extraHeaders = fc.record(
  {
    "x-forwarded-for": latin1,
    "x-real-ip": latin1,
    "x-forwarded-proto": fc.constantFrom("https", "http", "gopher", ""),
    "x-forwarded-host": fc.constantFrom("evil.example", "handoff.test", "", "\u00ff"),
    "x-request-id": latin1,
    "accept-language": latin1,
    "sec-fetch-site": fc.constantFrom("same-origin", "none", "same-site"),
    // The signed modes' headers (replaced by real ones when the request is signed).
    "handoff-partner-id": fc.oneof(latin1, fc.uuid()),
    "webhook-id": latin1,
    "webhook-timestamp": fc.constantFrom("", "0", "-1", "1e10", "99999999999999", "\u00ff"),
    "webhook-signature": fc.constantFrom("", "v1,", "v1,AAAA", "v2,x v1,=", "\u00ff"),
    "x-timestamp": fc.constantFrom("", "0", "1e10", "\u00ff"),
    "x-signature": fc.constantFrom("", "0".repeat(64), "zz", "\u00ff"),
    "x-signature-v2": fc.constantFrom("", "0".repeat(64), "\u00ff"),
  },
  { requiredKeys: [] },
);

// --- Near-valid inputs -------------------------------------------------------------------------
// Random bodies rarely get past validation. These start from a request the route accepts and
// spoil one field (or add one), so the odd value travels as deep as the route lets it: into
// services, SQL and the sandbox's stores.

let counter = 0;
const pick = <T>(list: T[]): T => list[++counter % list.length]!;
const unixNow = () => Math.floor(Date.now() / 1000);
const BODIES: Record<string, Record<string, () => Record<string, unknown>>> = {
  // A few sandbox applications not connected yet: the first success connects one, later ones 409.
  "/api/applications": {
    POST: () => {
      const app = pick(fx.unconnected);
      return { name: "Fuzz", diditApplicationId: app.id, environment: "sandbox", apiKey: app.key };
    },
  },
  "/api/applications/[id]": {
    PATCH: () => ({ name: "Renamed", environment: "sandbox" }),
    DELETE: () => ({}),
  },
  "/api/applications/[id]/sync": { POST: () => ({ full: false }) },
  "/api/applications/[id]/webhook": { POST: () => ({}) },
  "/api/partners": {
    POST: () => ({
      name: `Fuzz ${++counter}`,
      diditApplicationId: randomUUID(),
      applicationId: world.bankRow,
      direction: "outbound",
      allowedKinds: ["user"],
      deliveryChannel: "pickup",
      maxTtlSeconds: 86_400,
    }),
  },
  "/api/partners/[id]": { PATCH: () => ({ notes: "fuzzed", maxTtlSeconds: 86_400 }) },
  // Every other rotation adopts the partner's own whsec_ secret instead of generating one.
  "/api/partners/[id]/secret": {
    POST: () =>
      ++counter % 2
        ? { overlapHours: 24 }
        : { overlapHours: 24, secret: `whsec_${randomBytes(32).toString("base64")}` },
  },
  "/api/shares": {
    POST: () => ({ sessionId: pick(fx.sessions), partnerId: world.pickup.id, ttlSeconds: 600 }),
  },
  "/api/shares/[id]/revoke": { POST: () => ({ reason: "fuzzed" }) },
  "/api/shares/[id]/reveal": { POST: () => ({}) },
  "/api/shares/[id]/withdraw": { POST: () => ({ reason: "fuzzed" }) },
  // Tokens from the signing partner for Northwind Bank: the first push or paste of each stores it,
  // a later one answers the item held.
  "/api/partner/v1/inbox/[partnerId]": { POST: () => inbox.delivery(pick(fx.pushTokens)) },
  "/api/inbox": { POST: () => ({ token: pick(fx.pasteTokens) }) },
  "/api/inbox/[id]/reject": { POST: () => ({ reason: "fuzzed" }) },
  // Defaults from the partner's policy and Northwind Bank's workflows: any added field is refused.
  "/api/inbox/[id]/import": { POST: () => ({}) },
  // Review: the first decision on each clone goes to Didit, later ones are decision_pending (409).
  "/api/imports/[id]/assign": { POST: () => ({ assigneeId: pick(["me", null, fx.otherOfficer]) }) },
  "/api/imports/[id]/decision": {
    POST: () => pick([{ status: "Approved" }, { status: "Declined", comment: "fuzzed" }]),
  },
  "/api/imports/[id]/decision/reject": { POST: () => ({ comment: "fuzzed" }) },
  "/api/partner/v1/receipts": {
    POST: () => ({ share_id: pick(fx.signerShares), status: "imported", clone_session_id: randomUUID() }),
  },
  "/api/webhooks/didit/[applicationId]": {
    POST: () => ({
      application_id: world.bank.id,
      created_at: unixNow(),
      event_id: randomUUID(),
      session_id: pick(fx.sessions),
      status: "Approved",
      timestamp: unixNow(),
      webhook_type: "status.updated",
    }),
  },
  "/api/users": { POST: () => ({ email: `fuzz-${++counter}@test.local`, name: "Fuzz", role: "auditor" }) },
  "/api/users/[id]": { PATCH: () => ({ role: "officer", name: "Renamed" }) },
  "/api/users/[id]/sessions/revoke": { POST: () => ({}) },
  // A wrong current password: the new one is validated, nothing is changed.
  "/api/account/password": {
    POST: () => ({ currentPassword: "not the password at all", newPassword: "a brand new passphrase" }),
  },
  "/sandbox/admin/applications": { POST: () => ({ name: `fuzz-${++counter}`, profile: "recipe" }) },
  "/sandbox/admin/applications/[id]/keys": {
    POST: () => ({ privileges: ["read:sessions", "write:sessions"] }),
  },
  "/sandbox/admin/sessions": {
    POST: () => ({
      application_id: known.app![0],
      session_kind: "user",
      status: "Approved",
      vendor_data: "v",
    }),
  },
  "/sandbox/admin/clock": { POST: () => ({ offset_seconds: 0 }) },
  "/sandbox/v3/session/[id]/share": {
    POST: () => ({ for_application_id: known.app![1], ttl_in_seconds: 600 }),
  },
  "/sandbox/v3/session/[id]/update-status": { PATCH: () => ({ new_status: "Approved", comment: "ok" }) },
  "/sandbox/v3/session/import-shared": {
    POST: () => ({
      share_token: "a.b.c",
      trust_review: true,
      workflow_id: known.workflow![0],
      vendor_data: "v",
    }),
  },
  "/sandbox/v3/webhook/destinations": {
    POST: () => ({ label: "hook", url: "https://example.com/hook", subscribed_events: ["status.updated"] }),
  },
  "/sandbox/v3/webhook/destinations/[uuid]": { PATCH: () => ({ label: "renamed", enabled: false }) },
};
const QUERIES: Record<string, () => Record<string, string>> = {
  "/api/sessions": () => ({
    applicationId: world.bankRow,
    kind: "all",
    status: "Approved,In Review",
    q: "ada",
    finished: "true",
    limit: "20",
  }),
  "/api/shares": () => ({
    state: "pending",
    partnerId: world.pickup.id,
    applicationId: world.bankRow,
    channel: "pickup",
    q: "ada",
    limit: "20",
  }),
  // Every other one the share wizard's list (eligibleFor) instead of the directory's.
  "/api/partners": (): Record<string, string> =>
    ++counter % 2
      ? { eligibleFor: pick(fx.sessions) }
      : { status: "active", applicationId: world.bankRow, direction: "outbound", q: "partner", limit: "20" },
  "/api/inbox": () => ({
    state: "pending",
    partnerId: world.pickup.id,
    applicationId: world.bankRow,
    source: "push",
    q: "partner",
    limit: "20",
  }),
  "/api/imports": () => ({
    status: "In Review",
    state: "imported",
    partnerId: world.pickup.id,
    applicationId: world.bankRow,
    kind: "user",
    assignee: pick(["me", "unassigned", fx.otherOfficer]),
    overdue: pick(["true", "false"]),
    q: "handoff",
    sort: pick(["queue", "newest"]),
    limit: "20",
  }),
  "/api/audit": () => ({
    actor: "admin@test.local",
    action: "users.create",
    from: "2026-01-01",
    to: "2026-12-31",
    limit: "20",
  }),
  "/sandbox/v3/sessions": () => ({
    kind: "all",
    status: "Approved,In Review",
    vendor_data: "v",
    search: "a",
    date_from: "2026-01-01",
    date_to: "2026-12-31",
    limit: "10",
    offset: "0",
  }),
  "/sandbox/admin/webhook-deliveries": () => ({ application_id: known.app![0]!, limit: "10", offset: "0" }),
};

const spoilt = fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: value });

function nearValidBody(make: () => Record<string, unknown>): fc.Arbitrary<Body> {
  return fc
    .tuple(fc.nat(), spoilt, fc.constantFrom(...FIELDS), fc.boolean(), fc.boolean())
    .map(([index, bad, extra, replace, orReplace]) => {
      const input = make();
      const keys = Object.keys(input);
      if ((replace || orReplace) && keys.length > 0) input[keys[index % keys.length]!] = bad;
      else input[extra] = bad;
      return { label: "near-valid json", bytes: JSON.stringify(input) };
    });
}

/** The accepted request itself, now and then: the success paths see the odd headers and params too. */
function validBody(make: () => Record<string, unknown>): fc.Arbitrary<Body> {
  return fc.constant(null).map(() => ({ label: "valid json", bytes: JSON.stringify(make()) }));
}

function validQuery(make: () => Record<string, string>): fc.Arbitrary<string> {
  return fc.constant(null).map(() => "?" + new URLSearchParams(make()).toString());
}

function nearValidQuery(make: () => Record<string, string>): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(), rawQueryPart).map(([index, bad]) => {
    const input = make();
    const keys = Object.keys(input);
    input[keys[index % keys.length]!] = "\u0001";
    return (
      "?" +
      Object.entries(input)
        .map(([k, v]) => `${k}=${v === "\u0001" ? bad : encodeURIComponent(v)}`)
        .join("&")
    );
  });
}

// --- Fixtures ----------------------------------------------------------------------------------

let world: SharingWorld;
let t: TestDatabase;
let admin: TestUser;
let target: TestUser;
const cookies = {} as Record<Role, string>;
let sandboxKey = "";
/** The sharing fixtures the near-valid inputs draw on. */
const fx = {
  unconnected: [] as TestApp[],
  sessions: [] as string[],
  signerShares: [] as string[],
  pushTokens: [] as string[],
  pasteTokens: [] as string[],
  /** An officer reviews may be assigned to (not the one the sweep signs in as). */
  otherOfficer: "",
};
let inbox: InboxKit;
/** Didit's webhook secret of Northwind Bank (the receiver's known application). */
let diditSecret = "";
const known: Record<string, string[]> = {};
/** Per route template: the ids a destructive route may use up. */
const overrides: Record<string, Record<string, string[]>> = {};
let requests = 0;
const statuses = new Map<number, number>();
/** Per method and route: statuses (printed with FUZZ_REPORT=1). */
const perRoute = new Map<string, Map<number, number>>();

function handlerOf(mod: Record<string, unknown>, method: string): Handler | null {
  const h = mod[method];
  return typeof h === "function" ? (h as Handler) : null;
}

async function call(route: string, method: string, init: { body?: unknown; auth?: "admin" | "key" }) {
  const file = ROUTES.find((r) => r.template === route)!.file;
  const mod = (await import(file)) as Record<string, unknown>;
  const headers = new Headers({ "content-type": "application/json", origin: ORIGIN });
  if (init.auth === "admin") headers.set("authorization", `Bearer ${getEnv().SANDBOX_ADMIN_TOKEN}`);
  if (init.auth === "key") headers.set("x-api-key", sandboxKey);
  const url = `${ORIGIN}${route}${route.startsWith("/sandbox/") ? "/" : ""}`;
  const res = await handlerOf(mod, method)!(
    new NextRequest(url, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
    { params: Promise.resolve({}) },
  );
  const json = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}

async function tables(): Promise<{ schema: string; name: string }[]> {
  const rows = await t.db.execute<{ schema: string; name: string }>(sql`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema', 'drizzle')
    order by 1, 2`);
  return (Array.isArray(rows) ? rows : (rows as { rows: { schema: string; name: string }[] }).rows).filter(
    (r) => !UNCHECKED_TABLES.has(r.name),
  );
}

/**
 * Every row a request inserts, deletes or really changes (UPDATE to identical values excepted) is
 * recorded by a trigger on each checked table in `fuzz_row_changes`, in the request's own
 * transaction: a refusal that rolls back leaves nothing there.
 */
async function installChangeLog(list: { schema: string; name: string }[]): Promise<void> {
  await t.db.execute(sql.raw(`create table public.fuzz_row_changes (tbl text not null)`));
  await t.db.execute(
    sql.raw(`
    create function public.fuzz_log_change() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and old is not distinct from new then return null; end if;
      insert into public.fuzz_row_changes values (tg_table_schema || '.' || tg_table_name);
      return null;
    end $$`),
  );
  for (const r of list) {
    await t.db.execute(
      sql.raw(
        `create trigger fuzz_log_change after insert or update or delete on "${r.schema}"."${r.name}" for each row execute function public.fuzz_log_change()`,
      ),
    );
  }
}

/** The tables written since the last call (and forgets them). */
async function takeChanges(): Promise<string[]> {
  const rows = await t.db.execute<{ tbl: string }>(sql`delete from public.fuzz_row_changes returning tbl`);
  const list = Array.isArray(rows) ? rows : (rows as { rows: { tbl: string }[] }).rows;
  return [...new Set(list.map((r) => r.tbl))].sort();
}

beforeAll(async () => {
  world = await sharingWorld();
  t = world.t;
  admin = await insertUser(t.db, "admin");
  target = await insertUser(t.db, "auditor");
  cookies.admin = await sessionCookie(admin);
  for (const role of ROLES.filter((r) => r !== "admin")) {
    cookies[role] = await sessionCookie(await insertUser(t.db, role));
  }
  const app = await call("/sandbox/admin/applications", "POST", {
    auth: "admin",
    body: { name: "fuzz", profile: "recipe" },
  });
  sandboxKey = app.api_key as string;
  const other = await call("/sandbox/admin/applications", "POST", {
    auth: "admin",
    body: { name: "fuzz-2", profile: "spec" },
  });
  const sessions: string[] = [];
  for (const status of ["Approved", "In Review", "Declined"]) {
    const s = await call("/sandbox/admin/sessions", "POST", {
      auth: "admin",
      body: { application_id: app.application_id, session_kind: "user", status },
    });
    sessions.push(s.session_id as string);
  }
  const destination = await call("/sandbox/v3/webhook/destinations", "POST", {
    auth: "key",
    body: { label: "fuzz", url: "http://127.0.0.1:9/hook", subscribed_events: ["status.updated"] },
  }).catch(() => ({ uuid: "00000000-0000-4000-8000-000000000000" }));
  // Destructive routes get throwaway targets, so they do not delete what the others need.
  const throwaway = async (kind: "app" | "session") =>
    kind === "app"
      ? ((
          await call("/sandbox/admin/applications", "POST", {
            auth: "admin",
            body: { name: "doomed", profile: "spec" },
          })
        ).application_id as string)
      : ((
          await call("/sandbox/admin/sessions", "POST", {
            auth: "admin",
            body: { application_id: app.application_id, session_kind: "user", status: "Approved" },
          })
        ).session_id as string);
  Object.assign(known, {
    id: sessions,
    app: [app.application_id as string, other.application_id as string],
    workflow: Object.values((app.workflows ?? {}) as Record<string, string>),
    uuid: [String((destination as { uuid?: unknown }).uuid ?? "")],
    name: ["front.jpg", "portrait.png"],
  });
  overrides["/api/users/[id]"] = { id: [target.id] };
  overrides["/api/users/[id]/sessions/revoke"] = { id: [target.id] };
  overrides["/sandbox/admin/applications/[id]"] = { id: [await throwaway("app"), await throwaway("app")] };
  overrides["/sandbox/admin/applications/[id]/keys"] = { id: known.app! };
  overrides["/sandbox/v3/session/[id]/delete"] = {
    id: [await throwaway("session"), await throwaway("session"), await throwaway("session")],
  };

  // Sharing: Northwind Bank connected, a pick-up partner that signs, sessions and shares to use up.
  const times = <T>(n: number, make: () => Promise<T>) =>
    Array.from({ length: n }).reduce<Promise<T[]>>(
      async (acc) => [...(await acc), await make()],
      Promise.resolve([]),
    );
  fx.unconnected = await times(3, () => world.newSandboxApp());
  fx.sessions = [...(await times(4, () => world.newSession())), await world.newSession("In Review")];
  fx.signerShares = await times(3, () => world.newShare());
  diditSecret = await world.webhookSecret(world.bankRow);
  overrides["/api/applications/[id]"] = { id: await times(3, () => world.newConnectedApp()) };
  overrides["/api/applications/[id]/sync"] = { id: [world.bankRow] };
  // Registering replaces an application's webhook secret: not Northwind Bank's, which signs below.
  overrides["/api/applications/[id]/webhook"] = { id: [await world.newConnectedApp()] };
  overrides["/api/sessions/[id]"] = { id: fx.sessions };
  // A PATCH may suspend a partner and a rotation end its secret at once: not the signing partner.
  overrides["/api/partners/[id]"] = { id: await times(2, async () => (await world.newPartner()).id) };
  overrides["/api/partners/[id]/secret"] = { id: [(await world.newPartner()).id] };
  overrides["/api/shares/[id]"] = { id: fx.signerShares };
  overrides["/api/shares/[id]/revoke"] = { id: await times(4, () => world.newShare()) };
  overrides["/api/shares/[id]/reveal"] = { id: await times(4, () => world.newShare(world.manual)) };
  // Withdraw needs a delivered share: a manual one, revealed.
  overrides["/api/shares/[id]/withdraw"] = {
    id: await times(4, async () => {
      const id = await world.newShare(world.manual);
      await revealShare(contextOf(world.t.db, world.officer), id);
      return id;
    }),
  };
  overrides["/api/partner/v1/shares/[id]/pickup"] = { id: await times(4, () => world.newShare()) };
  overrides["/api/webhooks/didit/[applicationId]"] = { applicationId: [world.bankRow] };
  // The inbox: pushes to the signing partner's inbox URL, items to read and to reject.
  inbox = inboxKit(world);
  const pickupDiditId = await inbox.diditIdOf(world.pickup.id);
  fx.pushTokens = await times(4, () => inbox.forge(pickupDiditId));
  fx.pasteTokens = await times(4, () => inbox.forge(pickupDiditId));
  overrides["/api/partner/v1/inbox/[partnerId]"] = { partnerId: [world.pickup.id] };
  overrides["/api/inbox/[id]"] = { id: await times(2, () => inbox.pending(world.pickup)) };
  overrides["/api/inbox/[id]/reject"] = { id: await times(4, () => inbox.pending(world.pickup)) };
  // Items holding real tokens to import (the first import of each succeeds, later ones are 409).
  await world.t.db
    .update(connectedApplications)
    .set({ defaultWorkflowUser: world.bank.workflows.user })
    .where(eq(connectedApplications.id, world.bankRow));
  const importSender = await inbox.newSender();
  overrides["/api/inbox/[id]/import"] = {
    id: await times(3, async () => (await receivedItem(world, inbox, importSender)).id),
  };
  // Review: real clones In Review (imported by the world's officer, not the sweep's), a four-eyes
  // partner's with an open proposal for the reject route; a decision or a rejection uses one up.
  const fourEyesSender = await inbox.newSender({ requireFourEyes: true });
  const reviewer = contextOf(t.db, world.officer);
  fx.otherOfficer = world.officer.id;
  const inReview = async (from = importSender) => {
    const item = await receivedItem(world, inbox, from);
    const dto = await createImport(reviewer, item.id, {});
    if (dto.state !== "imported") throw new Error(`the import failed: ${dto.failureReason}`);
    return dto.id;
  };
  const proposed = async () => {
    const id = await inReview(fourEyesSender);
    await decideImport(reviewer, id, { status: "Approved", comment: undefined });
    return id;
  };
  const reviews = await times(2, () => inReview());
  overrides["/api/imports/[id]"] = { id: reviews };
  overrides["/api/imports/[id]/assign"] = { id: reviews };
  overrides["/api/imports/[id]/media/[ref]"] = {
    id: reviews,
    ref: [
      encodeMediaRef(["id_verifications", 0, "front_image"]),
      encodeMediaRef(["id_verifications", 0, "portrait_image"]),
      encodeMediaRef(["liveness_checks", 0, "reference_image"]),
    ],
  };
  overrides["/api/imports/[id]/decision"] = { id: await times(4, () => inReview()) };
  overrides["/api/imports/[id]/decision/reject"] = { id: await times(4, proposed) };
  await installChangeLog(await tables());
}, 120_000);

afterAll(async () => {
  const histogram = [...statuses].sort(([a], [b]) => a - b).map(([k, n]) => `${k}×${n}`);
  console.info(
    `fuzz sweep (${testDriver()}): ${requests} requests over ${ROUTES.length} route files; statuses ${histogram.join(" ")}`,
  );
  const notAdmin = [...fuzzedAs].filter(([, as]) => as !== "admin").map(([k, as]) => `${k} as ${as}`);
  console.info(`fuzz sweep: fuzzed not as admin: ${notAdmin.join("; ")}`);
  if (process.env.FUZZ_REPORT) {
    for (const [key, counts] of perRoute) {
      const shown = [...counts].sort(([a], [b]) => a - b).map(([k, n]) => `${k}×${n}`);
      console.info(`  ${key}: ${shown.join(" ")}`);
    }
  }
  await world?.close();
});

// --- The sweep ---------------------------------------------------------------------------------

function describeBody(bytes: Uint8Array | string | null): string {
  if (bytes === null) return "(none)";
  const s = typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("latin1");
  const shown = s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
  return typeof bytes === "string" ? JSON.stringify(shown) : `bytes(latin1) ${JSON.stringify(shown)}`;
}

function paramArb(
  route: Route,
  seg: Segment & { kind: "param" | "catchAll" },
): fc.Arbitrary<string | string[]> {
  const ids = overrides[route.template]?.[seg.name] ?? known[seg.name];
  const good = ids?.length ? fc.constantFrom(...ids) : fc.uuid();
  const one = fc.oneof(
    { weight: 3, arbitrary: good },
    { weight: 2, arbitrary: text.filter((s) => s !== "") },
  );
  if (seg.kind === "param") return one;
  return fc.array(
    fc.oneof(
      fc.constantFrom(
        "session",
        "csrf",
        "providers",
        "signin",
        "signout",
        "callback",
        "credentials",
        "oidc",
        "error",
        "v3",
        "",
      ),
      one,
    ),
    { minLength: 1, maxLength: 4 },
  );
}

/** Lone surrogates as U+FFFD, as a browser would send them: encodeURIComponent refuses them. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

function encodeSegment(s: string): string {
  return encodeURIComponent(wellFormed(s));
}

type Credentials = "valid" | "missing" | "garbage";

/**
 * How a route's caller proves who it is: a sandbox key or token, a session cookie of a role, a
 * partner's Standard Webhooks signature, Didit's webhook signature.
 */
type Auth = { kind: "sandbox" } | { kind: "session"; role: Role } | { kind: "partner" } | { kind: "didit" };

const PROBE_BODY: Body = { label: "probe {}", bytes: "{}" };

/** The signed modes' headers: real ones over the exact bytes, or (garbage) one thing wrong. */
function signatureHeaders(auth: Auth, bytes: Uint8Array | string | null, garbage: boolean) {
  const raw = bytes ?? "";
  const now = unixNow();
  const variant = requests % 4;
  if (auth.kind === "partner") {
    const signer = world.pickup;
    const messageId = `msg_fuzz_${requests}`;
    const at = garbage && variant === 0 ? now - 3_600 : now;
    let signature = standardWebhookSignature(signer.secret, messageId, at, raw);
    if (garbage && variant === 1) signature = `v1,${Buffer.from("not the mac").toString("base64")}`;
    if (garbage && variant === 2)
      signature = standardWebhookSignature(world.manual.secret, messageId, at, raw);
    return {
      "handoff-partner-id": garbage && variant === 3 ? randomUUID() : signer.id,
      "webhook-id": messageId,
      "webhook-timestamp": String(at),
      "webhook-signature": signature,
    };
  }
  const at = garbage && variant < 2 ? now - 3_600 : now;
  return {
    "x-timestamp": String(at),
    "x-signature":
      garbage && variant >= 2 ? diditV1Signature("not the secret", raw) : diditV1Signature(diditSecret, raw),
  };
}

/** Sends one request to a route handler; a failure is the exact request and what went wrong. */
async function attempt(
  route: Route,
  method: string,
  handler: Handler,
  auth: Auth,
  paramValues: (string | string[])[],
  qs: string,
  payload: Body,
  type: string | null,
  credentials: Credentials,
  extra: Record<string, string> = {},
): Promise<{ status: number; excerpt: string; failure: string | null }> {
  const sandbox = route.template.startsWith("/sandbox");
  const values: Record<string, string | string[]> = {};
  let i = 0;
  const urlPath = route.segments
    .map((seg) => {
      if (seg.kind === "static") return seg.value;
      const v = paramValues[i++]!;
      values[seg.name] = v;
      return Array.isArray(v) ? v.map(encodeSegment).join("/") : encodeSegment(v);
    })
    .join("/");
  const url = `${ORIGIN}/${urlPath}${sandbox ? "/" : ""}${qs}`;
  const headers: Record<string, string> = { ...extra, origin: ORIGIN, "user-agent": "fuzz" };
  if (payload.bytes !== null && type) headers["content-type"] = type;
  if (credentials !== "missing") {
    const garbage = credentials === "garbage";
    if (route.template.startsWith("/sandbox/admin")) {
      headers.authorization = `Bearer ${garbage ? "nope" : getEnv().SANDBOX_ADMIN_TOKEN}`;
    } else if (sandbox) headers["x-api-key"] = garbage ? "\u00ff garbage" : sandboxKey;
    else if (auth.kind === "partner" || auth.kind === "didit") {
      Object.assign(headers, signatureHeaders(auth, payload.bytes, garbage));
    } else {
      const role = auth.kind === "session" ? auth.role : "admin";
      headers.cookie = garbage ? "authjs.session-token=garbage" : cookies[role];
    }
  }
  requests++;
  let status: number;
  let excerpt = "";
  try {
    const req = new NextRequest(url, {
      method,
      headers,
      body: payload.bytes === null ? undefined : (payload.bytes as BodyInit),
    });
    const res = await handler(req, { params: Promise.resolve(values) });
    status = res.status;
    excerpt = (await res.text()).slice(0, 300);
  } catch (error) {
    status = 599;
    excerpt = `threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  const written = await takeChanges();
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const key = `${method} ${route.template}`;
  const mine = perRoute.get(key) ?? new Map<number, number>();
  perRoute.set(key, mine.set(status, (mine.get(status) ?? 0) + 1));
  const rowsChanged = status >= 200 && status < 300 ? [] : written;
  if (status < 500 && rowsChanged.length === 0) return { status, excerpt, failure: null };
  const shown = { ...headers };
  if (credentials === "valid") {
    if (shown.cookie) shown.cookie = `<${auth.kind === "session" ? auth.role : "admin"} session cookie>`;
    if (shown["x-api-key"]) shown["x-api-key"] = "<sandbox api key>";
    if (shown.authorization) shown.authorization = "Bearer <SANDBOX_ADMIN_TOKEN>";
    if (shown["webhook-signature"]) shown["webhook-signature"] = "<signed by the pick-up partner>";
    if (shown["x-signature"]) shown["x-signature"] = "<signed with the application's webhook secret>";
  }
  const shownUrl = url.length > 400 ? `${url.slice(0, 400)}… (${url.length} chars)` : url;
  const failure =
    `${method} ${shownUrl} params=${JSON.stringify(values).slice(0, 200)} headers=${JSON.stringify(shown)}` +
    ` body[${payload.label}]=${describeBody(payload.bytes)}` +
    ` → ${status}${rowsChanged.length ? ` and wrote ${rowsChanged.join(", ")}` : ""}: ${excerpt}`;
  return { status, excerpt, failure };
}

const errorCode = (excerpt: string): string | null => /"code":"([a-z_]+)"/.exec(excerpt)?.[1] ?? null;
/** The roles each console route was fuzzed as (printed at the end). */
const fuzzedAs = new Map<string, string>();

/**
 * Who may call this route method: a sandbox route its key or token; otherwise an unsigned request
 * says which mode it is in (401 invalid_signature: a signed mode; 401 unauthenticated: a session),
 * and a session route is called as the first role its permission lets through (not 403 forbidden).
 */
async function authFor(
  route: Route,
  method: string,
  handler: Handler,
  params: (string | string[])[],
  failures: string[],
): Promise<{ auth: Auth; guarded: boolean }> {
  if (route.template.startsWith("/sandbox")) return { auth: { kind: "sandbox" }, guarded: false };
  const mutation = !["GET", "HEAD", "OPTIONS"].includes(method);
  const probe = (auth: Auth, credentials: Credentials) =>
    attempt(
      route,
      method,
      handler,
      auth,
      params,
      "",
      mutation ? PROBE_BODY : { label: "none", bytes: null },
      "application/json",
      credentials,
    );
  const anonymous = await probe({ kind: "session", role: "admin" }, "missing");
  if (anonymous.failure) failures.push(anonymous.failure);
  const code = errorCode(anonymous.excerpt);
  if (anonymous.status === 401 && code === "invalid_signature") {
    const auth: Auth = route.template.startsWith("/api/webhooks/didit/")
      ? { kind: "didit" }
      : { kind: "partner" };
    fuzzedAs.set(`${method} ${route.template}`, auth.kind === "didit" ? "Didit-signed" : "partner-signed");
    return { auth, guarded: true };
  }
  if (anonymous.status !== 401 || code !== "unauthenticated") {
    return { auth: { kind: "session", role: "admin" }, guarded: false };
  }
  for (const role of ROLES) {
    const res = await probe({ kind: "session", role }, "valid");
    if (res.failure) failures.push(res.failure);
    if (res.status === 403 && errorCode(res.excerpt) === "forbidden") continue;
    fuzzedAs.set(`${method} ${route.template}`, role);
    return { auth: { kind: "session", role }, guarded: true };
  }
  failures.push(`${method} ${route.template}: every role is refused (403 forbidden): no one can call it`);
  return { auth: { kind: "session", role: "admin" }, guarded: true };
}

describe(`fuzz sweep over every route (${testDriver()})`, () => {
  it("its change log records a write and forgets a rolled-back one", async () => {
    await insertUser(t.db, "officer");
    expect(await takeChanges()).toEqual(["public.users"]);
    await t.db
      .transaction(async (tx) => {
        await tx.execute(sql`update users set name = 'rolled back' where id = ${target.id}`);
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await t.db.execute(sql`update users set name = name where id = ${target.id}`);
    expect(await takeChanges()).toEqual([]);
  });

  it("signs fuzzed bytes as standardwebhooks and Didit's X-Signature do", () => {
    const body = '{"share_id":"Zoë 😀"}';
    const at = new Date(1_796_000_000_000);
    expect(standardWebhookSignature(world.pickup.secret, "msg_1", 1_796_000_000, body)).toBe(
      new Webhook(world.pickup.secret).sign("msg_1", at, body),
    );
    // The receiver checks X-Signature over the raw bytes; Didit signs the ASCII-escaped form, the
    // same bytes as the body when it is ASCII.
    const event = { event_id: "e", timestamp: 1, vendor_data: "Zoe", score: 95.4 };
    const didit = signedRequest(event, diditSecret);
    expect(diditV1Signature(diditSecret, didit.body)).toBe(didit.headers["X-Signature"]);
  });

  it("finds the route files", () => {
    expect(ROUTES.length).toBeGreaterThan(15);
    expect(ROUTES.some((r) => r.template === "/api/users")).toBe(true);
    expect(ROUTES.some((r) => r.template.startsWith("/sandbox/v3/"))).toBe(true);
  });

  for (const route of ROUTES) {
    it(`${route.template}: no 5xx, and a refused request changes no row`, async () => {
      const mod = (await import(route.file)) as Record<string, unknown>;
      const methods = METHODS.filter((m) => handlerOf(mod, m));
      expect(methods.length, `${route.file} exports no method handler`).toBeGreaterThan(0);
      const params = route.segments.filter(
        (s): s is Segment & { kind: "param" | "catchAll" } => s.kind !== "static",
      );
      const paramsArb = fc.tuple(...params.map((p) => paramArb(route, p)));
      const plainParams = params.map((p) =>
        p.kind === "catchAll" ? ["x"] : ((overrides[route.template] ?? known)[p.name]?.[0] ?? "x"),
      );
      const catchAll = params.some((p) => p.kind === "catchAll");
      const failures: string[] = [];
      const authOf = new Map<string, { auth: Auth; guarded: boolean }>();

      for (const method of methods) {
        const handler = handlerOf(mod, method)!;
        const none: Body = { label: "none", bytes: null };
        // A method the route answers 405 for whatever comes (an exported "not allowed" handler)
        // gets one request, not a sweep.
        const probe = await attempt(
          route,
          method,
          handler,
          { kind: "session", role: "admin" },
          plainParams,
          "",
          none,
          null,
          "valid",
        );
        if (probe.failure) failures.push(probe.failure);
        // OPTIONS answers the same whatever comes: the probe is enough.
        if (probe.status === 405 || method === "OPTIONS") continue;
        // HEAD is GET without the body (whose error code tells the mode): it is called as GET is.
        const { auth, guarded } =
          method === "HEAD" && authOf.has("GET")
            ? authOf.get("GET")!
            : await authFor(route, method, handler, plainParams, failures);
        authOf.set(method, { auth, guarded });
        let lastFailure: string | null = null;
        /** Requests that got past the door (not 401/403): the fuzzed input reached the route. */
        let reached = 0;
        const property = fc.asyncProperty(
          paramsArb,
          QUERIES[route.template]
            ? fc.oneof(
                { weight: 1, arbitrary: query },
                { weight: 3, arbitrary: nearValidQuery(QUERIES[route.template]!) },
                { weight: 1, arbitrary: validQuery(QUERIES[route.template]!) },
              )
            : query,
          ["GET", "HEAD"].includes(method)
            ? fc.constant(none)
            : BODIES[route.template]?.[method]
              ? fc.oneof(
                  { weight: 1, arbitrary: body },
                  { weight: 3, arbitrary: nearValidBody(BODIES[route.template]![method]!) },
                  { weight: 1, arbitrary: validBody(BODIES[route.template]![method]!) },
                )
              : body,
          contentType,
          fc.oneof(
            { weight: 8, arbitrary: fc.constant<Credentials>("valid") },
            { weight: 1, arbitrary: fc.constantFrom<Credentials>("missing", "garbage") },
          ),
          fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extraHeaders }),
          async (...args) => {
            const { status, failure } = await attempt(route, method, handler, auth, ...args);
            if (status !== 401 && status !== 403) reached++;
            if (failure) lastFailure = failure;
            return failure === null;
          },
        );
        const result = await fc.check(property, {
          numRuns: catchAll || method === "HEAD" ? Math.ceil(RUNS / 3) : RUNS,
          seed: Number(process.env.FUZZ_SEED ?? 20261201),
        });
        if (result.failed) failures.push(lastFailure ?? `${method}: ${String(result.errorInstance)}`);
        else if (guarded && reached < Math.ceil(result.numRuns / 2)) {
          failures.push(
            `${method} ${route.template}: only ${reached} of ${result.numRuns} requests got past 401/403 as ${JSON.stringify(auth)}`,
          );
        }
      }
      expect(failures, failures.join("\n\n")).toEqual([]);
    }, 120_000);
  }
});
