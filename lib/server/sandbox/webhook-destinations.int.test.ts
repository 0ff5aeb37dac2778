import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/sandbox/v3/webhook/destinations/route";
import * as item from "@/app/sandbox/v3/webhook/destinations/[uuid]/route";
import { createApiKey, createApplication } from "@/lib/server/sandbox/applications";
import { createDestination } from "@/lib/server/sandbox/webhook-destinations";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";

let t: TestDatabase;
let keyA: string;
let keyB: string;
let readOnlyKeyA: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const a = await createApplication(t.db, { name: "Service A", profile: "recipe" });
  const b = await createApplication(t.db, { name: "Service B", profile: "spec" });
  keyA = a.api_key;
  keyB = b.api_key;
  readOnlyKeyA = await createApiKey(t.db, a.application_id, ["read:sessions"]);
});
afterAll(async () => {
  await t.close();
});

const BASE = "http://sandbox.test/sandbox/v3/webhook/destinations/";

async function call(
  method: string,
  key: string | null,
  options: { uuid?: string; body?: unknown; raw?: string } = {},
): Promise<{ status: number; json: unknown; text: string }> {
  const url = options.uuid ? `${BASE}${options.uuid}/` : BASE;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) headers["x-api-key"] = key;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const req = new Request(url, { method, headers, body });
  const routes = (options.uuid ? item : collection) as unknown as Record<
    string,
    (req: Request, ctx: { params: Promise<unknown> }) => Promise<Response>
  >;
  const res = await routes[method]!(req, { params: Promise.resolve({ uuid: options.uuid }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, text };
}

const valid = (url: string, extra: Record<string, unknown> = {}) => ({
  label: "Console",
  url,
  subscribed_events: ["status.updated"],
  ...extra,
});

describe(`webhook destinations CRUD (${testDriver()})`, () => {
  it("creates a destination: 201 with the secret, defaults enabled=true and v3", async () => {
    const res = await call("POST", keyA, { body: valid("https://hooks.example.com/didit") });
    expect(res.status).toBe(201);
    const d = res.json as Record<string, unknown>;
    expect(d).toMatchObject({
      label: "Console",
      url: "https://hooks.example.com/didit",
      enabled: true,
      webhook_version: "v3",
      subscribed_events: ["status.updated"],
    });
    expect(d.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof d.secret_shared_key).toBe("string");
    expect((d.secret_shared_key as string).length).toBeGreaterThanOrEqual(32);
    expect(d.secret_last4).toBe((d.secret_shared_key as string).slice(-4));
  });

  it("shows the secret on single GET but never in the list or a PATCH answer", async () => {
    const created = await call("POST", keyA, { body: valid("https://hooks.example.com/secret-test") });
    const { uuid, secret_shared_key: secret } = created.json as { uuid: string; secret_shared_key: string };
    const one = await call("GET", keyA, { uuid });
    expect(one.status).toBe(200);
    expect((one.json as { secret_shared_key: string }).secret_shared_key).toBe(secret);
    const list = await call("GET", keyA);
    expect(list.status).toBe(200);
    expect((list.json as { uuid: string }[]).some((d) => d.uuid === uuid)).toBe(true);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain("secret_shared_key");
    const patched = await call("PATCH", keyA, { uuid, body: { label: "Renamed" } });
    expect(patched.status).toBe(200);
    expect(patched.text).not.toContain(secret);
    expect(patched.json).toMatchObject({
      uuid,
      label: "Renamed",
      url: "https://hooks.example.com/secret-test",
    });
  });

  it("lists as Didit does: a bare array, oldest first, only the caller's own, without secrets", async () => {
    await call("POST", keyB, { body: valid("https://b.example.com/one") });
    const listA = (await call("GET", keyA)).json as Record<string, unknown>[];
    const listB = await call("GET", keyB);
    expect(listB.status).toBe(200);
    expect(Array.isArray(listB.json)).toBe(true);
    expect((listB.json as { url: string }[]).map((d) => d.url)).toEqual(["https://b.example.com/one"]);
    expect(Object.keys((listB.json as object[])[0]!).sort()).toEqual([
      "created_at",
      "enabled",
      "label",
      "secret_last4",
      "subscribed_events",
      "updated_at",
      "url",
      "uuid",
      "webhook_version",
    ]);
    expect(Array.isArray(listA)).toBe(true);
    expect(listA.map((d) => d.url)).not.toContain("https://b.example.com/one");
    expect(listA.every((d) => !("secret_shared_key" in d))).toBe(true);
    const times = listA.map((d) => d.created_at as string);
    expect([...times].sort()).toEqual(times);
  });

  it("orders by creation time, not insertion order, and ignores limit/offset (no pagination)", async () => {
    const app = await createApplication(t.db, { name: "Order", profile: "recipe" });
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    // Inserted newest first: the list must still come back oldest first.
    for (const s of [30, 20, 10]) {
      await createDestination(t.db, app.application_id, valid(`https://order.example.com/${s}`), at(s));
    }
    for (let i = 0; i < 60; i++) {
      await createDestination(t.db, app.application_id, valid(`https://order.example.com/bulk-${i}`), at(40));
    }
    const url = `${BASE}?limit=2&offset=1`;
    const req = new Request(url, { headers: { "x-api-key": app.api_key } });
    const res = await collection.GET(req, { params: Promise.resolve({}) } as never);
    expect(res.status).toBe(200);
    const rows = (await res.json()) as { url: string; created_at: string }[];
    // More than DRF's default page of 50, all of them, in one bare array.
    expect(rows).toHaveLength(63);
    expect(rows.slice(0, 3).map((d) => d.url)).toEqual([
      "https://order.example.com/10",
      "https://order.example.com/20",
      "https://order.example.com/30",
    ]);
    expect(rows[0]!.created_at).toBe(at(10).toISOString());
  });

  it.each([
    ["http to a public host", "http://hooks.example.com/x"],
    ["http to a private address", "http://10.0.0.5/x"],
    ["http to 0.0.0.0", "http://0.0.0.0/x"],
    ["ftp", "ftp://hooks.example.com/x"],
    ["not a URL", "hooks.example.com/x"],
  ])("refuses %s", async (_label, url) => {
    const res = await call("POST", keyA, { body: valid(url) });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(["url"]);
  });

  it.each([
    ["127.0.0.1", "http://127.0.0.1:9999/hook"],
    ["127.8.9.10", "http://127.8.9.10/hook"],
    ["::1", "http://[::1]:8080/hook"],
    ["localhost", "http://localhost:3000/api/webhooks/didit/x"],
  ])("accepts http to loopback %s", async (_label, url) => {
    const res = await call("POST", keyA, { body: valid(url) });
    expect(res.status).toBe(201);
  });

  it("refuses a duplicate URL within one application but not across applications", async () => {
    const url = "https://dup.example.com/hook";
    expect((await call("POST", keyA, { body: valid(url) })).status).toBe(201);
    const dup = await call("POST", keyA, { body: valid(url, { label: "again" }) });
    expect(dup.status).toBe(400);
    expect(dup.json).toEqual({
      url: ["A webhook destination with this URL already exists for this application."],
    });
    expect((await call("POST", keyB, { body: valid(url) })).status).toBe(201);
    // PATCHing another destination onto the same URL is refused too.
    const other = await call("POST", keyA, { body: valid("https://dup.example.com/other") });
    const patch = await call("PATCH", keyA, {
      uuid: (other.json as { uuid: string }).uuid,
      body: { url },
    });
    expect(patch.status).toBe(400);
    expect(Object.keys(patch.json as object)).toEqual(["url"]);
  });

  it("validates subscribed_events: required, non-empty, known events only", async () => {
    const missing = await call("POST", keyA, { body: { url: "https://e.example.com/1" } });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ subscribed_events: ["This field is required."] });
    const empty = await call("POST", keyA, {
      body: { url: "https://e.example.com/2", subscribed_events: [] },
    });
    expect(empty.status).toBe(400);
    expect(empty.json).toEqual({ subscribed_events: ["This list may not be empty."] });
    const unknown = await call("POST", keyA, {
      body: { url: "https://e.example.com/3", subscribed_events: ["status.updated", "session.*"] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ subscribed_events: ['"session.*" is not a valid choice.'] });
    const notList = await call("POST", keyA, {
      body: { url: "https://e.example.com/4", subscribed_events: "status.updated" },
    });
    expect(notList.status).toBe(400);
    // Nothing was written by the refused requests.
    const urls = ((await call("GET", keyA)).json as { url: string }[]).map((d) => d.url);
    expect(urls.filter((u) => u.startsWith("https://e.example.com/"))).toEqual([]);
  });

  it("reports every bad field at once and ignores unknown fields", async () => {
    const res = await call("POST", keyA, {
      body: { url: "http://evil.example.com", enabled: "yes", webhook_version: "v9", colour: "red" },
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object).sort()).toEqual([
      "enabled",
      "subscribed_events",
      "url",
      "webhook_version",
    ]);
    const ok = await call("POST", keyA, { body: valid("https://ok.example.com/x", { colour: "red" }) });
    expect(ok.status).toBe(201);
    expect(ok.json).not.toHaveProperty("colour");
  });

  it("answers malformed JSON with a 400", async () => {
    const res = await call("POST", keyA, { raw: "{not json" });
    expect(res.status).toBe(400);
    expect((res.json as { detail: string }).detail).toMatch(/^JSON parse error/);
  });

  it("PATCH replaces subscribed_events whole, toggles enabled and refuses []", async () => {
    const created = await call("POST", keyA, {
      body: valid("https://patch.example.com/x", { subscribed_events: ["status.updated", "data.updated"] }),
    });
    const { uuid } = created.json as { uuid: string };
    const res = await call("PATCH", keyA, {
      uuid,
      body: { subscribed_events: ["data.updated"], enabled: false },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ subscribed_events: ["data.updated"], enabled: false });
    const empty = await call("PATCH", keyA, { uuid, body: { subscribed_events: [] } });
    expect(empty.status).toBe(400);
    const after = (await call("GET", keyA, { uuid })).json;
    expect(after).toMatchObject({ subscribed_events: ["data.updated"], enabled: false });
  });

  it("answers 404 for another application's destination, a non-uuid and an unknown uuid", async () => {
    const created = await call("POST", keyB, { body: valid("https://b.example.com/private") });
    const { uuid } = created.json as { uuid: string };
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const res = await call(method, keyA, { uuid, body: method === "PATCH" ? { label: "x" } : undefined });
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ detail: "Not found." });
    }
    expect((await call("GET", keyA, { uuid: "not-a-uuid" })).status).toBe(404);
    expect((await call("GET", keyA, { uuid: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
    // B's destination is untouched.
    expect((await call("GET", keyB, { uuid })).json).toMatchObject({ label: "Console" });
  });

  it("DELETE answers 204 and the destination is gone", async () => {
    const created = await call("POST", keyA, { body: valid("https://delete.example.com/x") });
    const { uuid } = created.json as { uuid: string };
    const res = await call("DELETE", keyA, { uuid });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await call("GET", keyA, { uuid })).status).toBe(404);
    expect((await call("DELETE", keyA, { uuid })).status).toBe(404);
  });

  it("needs a key (403) and write:sessions for writes", async () => {
    expect((await call("GET", null)).status).toBe(403);
    expect((await call("GET", "sbx_wrong")).status).toBe(403);
    expect((await call("GET", readOnlyKeyA)).status).toBe(200);
    const denied = await call("POST", readOnlyKeyA, { body: valid("https://ro.example.com/x") });
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual({ detail: "You do not have permission to perform this action." });
  });
});
