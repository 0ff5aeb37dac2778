import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sandboxApiKeys, sandboxApplications, sandboxSessions } from "@/lib/server/sandbox/schema";
import { testDriver } from "@/test/database";
import { NOT_FOUND, PERMISSION_DENIED, sandboxHttpSuite, wireStatus } from "@/test/sandbox-fixtures";

/** The operator API: bearer token, zod validation with field errors, nothing written on bad input. */

const sandbox = sandboxHttpSuite();

const countOf = async (table: typeof sandboxApplications | typeof sandboxApiKeys | typeof sandboxSessions) =>
  Number((await sandbox.t.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n);

describe(`sandbox admin API (${testDriver()})`, () => {
  it("requires the admin bearer token", async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-token" },
      { authorization: sandbox.api.adminToken },
    ];
    for (const headers of variants) {
      const res = await sandbox.api.call("POST", "/sandbox/admin/applications", {
        headers,
        body: { name: "x" },
      });
      expect(res.status).toBe(401);
      expect(typeof (res.body as { detail: unknown }).detail).toBe("string");
    }
    expect(
      (await sandbox.api.call("GET", "/sandbox/admin/applications", { key: "an api key is not enough" }))
        .status,
    ).toBe(401);
    expect(await countOf(sandboxApplications)).toBe(0);
  });

  it("creates an application with a full-privilege key shown once, stored as a hash", async () => {
    const res = await sandbox.api.admin("POST", "/applications", { name: "Acme" });
    expect(res.status).toBe(201);
    const body = res.body as {
      application_id: string;
      api_key: string;
      workflows: { user: string; business: string };
    };
    expect(Object.keys(body).sort()).toEqual(["api_key", "application_id", "workflows"]);
    expect(body.workflows.user).not.toBe(body.workflows.business);
    const keys = await sandbox.t.db.select().from(sandboxApiKeys);
    const stored = JSON.stringify(keys);
    expect(stored).not.toContain(body.api_key);
    expect(keys.find((k) => k.applicationId === body.application_id)).toMatchObject({
      lastFour: body.api_key.slice(-4),
      privileges: ["read:sessions", "write:sessions", "delete:sessions"],
    });
    // The profile defaults to SANDBOX_PROFILE (recipe): KYB statuses are UPPER_SNAKE for this app.
    const session = await sandbox.api.admin("POST", "/sessions", {
      application_id: body.application_id,
      session_kind: "business",
      status: "In Review",
    });
    expect(session.status).toBe(201);
    expect(session.body).toMatchObject({ status: "IN_REVIEW", session_kind: "business", session_number: 1 });
    const listed = await sandbox.api.admin("GET", "/applications");
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(body.api_key);
    expect(listed.text).not.toContain("key_hash");
    expect(
      (listed.body as { results: { application_id: string; profile: string }[] }).results,
    ).toContainEqual(expect.objectContaining({ application_id: body.application_id, profile: "recipe" }));
  });

  it("refuses bad application input with field errors and writes nothing", async () => {
    const before = await countOf(sandboxApplications);
    for (const [body, field] of [
      [{}, "name"],
      [{ name: "" }, "name"],
      [{ name: 5 }, "name"],
      [{ name: "ok", profile: "draft" }, "profile"],
    ] as const) {
      const res = await sandbox.api.admin("POST", "/applications", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toHaveProperty(field);
    }
    const malformed = await sandbox.api.call("POST", "/sandbox/admin/applications", {
      admin: sandbox.api.adminToken,
      rawBody: "{",
    });
    expect(malformed.status).toBe(400);
    expect(await countOf(sandboxApplications)).toBe(before);
  });

  it("names the actual problem of each field: required only when absent, DRF's messages", async () => {
    const app = await sandbox.api.newApp("recipe");
    const beforeApps = await countOf(sandboxApplications);
    const beforeSessions = await countOf(sandboxSessions);
    const cases: [string, unknown, Record<string, string[]>][] = [
      ["/applications", {}, { name: ["This field is required."] }],
      ["/applications", { name: 5 }, { name: ["Not a valid string."] }],
      [
        "/applications",
        { name: "a".repeat(201) },
        { name: ["Ensure this field has no more than 200 characters."] },
      ],
      ["/applications", { name: "  " }, { name: ["This field may not be blank."] }],
      [`/applications/${app.id}/keys`, {}, { privileges: ["This field is required."] }],
      [
        `/applications/${app.id}/keys`,
        { privileges: "read:sessions" },
        { privileges: ["Expected a list of privileges."] },
      ],
      [
        "/sessions",
        {},
        {
          application_id: ["This field is required."],
          session_kind: ["This field is required."],
          status: ["This field is required."],
        },
      ],
      [
        "/sessions",
        { application_id: app.id, session_kind: "user", status: 5, vendor_data: 5, seed: 1.5 },
        {
          status: ["Not a valid string."],
          vendor_data: ["Not a valid string."],
          seed: ["Must be a string or an integer."],
        },
      ],
      ["/clock", {}, { offset_seconds: ["This field is required."] }],
      [
        "/clock",
        { offset_seconds: 10 ** 12 },
        { offset_seconds: ["Ensure this value is less than or equal to 316224000."] },
      ],
    ];
    for (const [path, body, errors] of cases) {
      const res = await sandbox.api.admin("POST", path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body, `${path} ${JSON.stringify(body)}`).toEqual(errors);
    }
    expect(await countOf(sandboxApplications)).toBe(beforeApps);
    expect(await countOf(sandboxSessions)).toBe(beforeSessions);
    expect((await sandbox.api.admin("GET", "/clock")).body).toMatchObject({ offset_seconds: 0 });
  });

  it("issues keys with chosen privileges, validating them", async () => {
    const app = await sandbox.api.newApp("spec");
    const readOnly = await sandbox.api.newKey(app.id, ["read:sessions"]);
    expect((await sandbox.api.call("GET", "/sandbox/v3/sessions/", { key: readOnly })).status).toBe(200);
    const denied = await sandbox.api.call("POST", "/sandbox/v3/session/import-shared/", {
      key: readOnly,
      body: {},
    });
    expect(denied.body).toEqual(PERMISSION_DENIED);
    const before = await countOf(sandboxApiKeys);
    for (const body of [
      {},
      { privileges: [] },
      { privileges: ["admin:all"] },
      { privileges: "read:sessions" },
    ]) {
      const res = await sandbox.api.admin("POST", `/applications/${app.id}/keys`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toHaveProperty("privileges");
    }
    const unknown = await sandbox.api.admin(
      "POST",
      "/applications/00000000-0000-4000-8000-000000000000/keys",
      {
        privileges: ["read:sessions"],
      },
    );
    expect(unknown.status).toBe(404);
    expect(await countOf(sandboxApiKeys)).toBe(before);
  });

  it("soft-deletes applications: 204, then 404; keys stop working; no longer a share target", async () => {
    const source = await sandbox.api.newApp("recipe");
    const target = await sandbox.api.newApp("recipe");
    const session = await sandbox.api.newSession(source, "user", "Approved");
    expect((await sandbox.api.admin("DELETE", `/applications/${target.id}`)).status).toBe(204);
    expect((await sandbox.api.admin("DELETE", `/applications/${target.id}`)).body).toEqual(NOT_FOUND);
    expect((await sandbox.api.admin("DELETE", "/applications/not-a-uuid")).status).toBe(404);
    expect((await sandbox.api.call("GET", "/sandbox/v3/sessions/", { key: target.key })).status).toBe(403);
    const share = await sandbox.api.share(source.key, session.session_id, { for_application_id: target.id });
    expect(share.body).toEqual({ for_application_id: ["Target application does not exist."] });
  });

  it("seeds sessions in any status and kind, rendered for the application's profile", async () => {
    const spec = await sandbox.api.newApp("spec");
    const res = await sandbox.api.admin("POST", "/sessions", {
      application_id: spec.id,
      session_kind: "business",
      status: "APPROVED",
      vendor_data: "biz-9",
      seed: 42,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      status: wireStatus("business", "Approved", "spec"),
      vendor_data: "biz-9",
      workflow_id: spec.workflows.business,
    });
    const twin = await sandbox.api.admin("POST", "/sessions", {
      application_id: spec.id,
      session_kind: "business",
      status: "Approved",
      seed: 42,
    });
    expect((twin.body as { company_name: string }).company_name).toBe(
      (res.body as { company_name: string }).company_name,
    );
    expect((twin.body as { session_number: number }).session_number).toBe(2);
    const before = await countOf(sandboxSessions);
    for (const [body, field] of [
      [{ application_id: spec.id, session_kind: "user", status: "Pending" }, "status"],
      [{ application_id: spec.id, session_kind: "person", status: "Approved" }, "session_kind"],
      [{ application_id: "nope", session_kind: "user", status: "Approved" }, "application_id"],
      [
        { application_id: "00000000-0000-4000-8000-000000000000", session_kind: "user", status: "Approved" },
        "application_id",
      ],
      [{ session_kind: "user", status: "Approved" }, "application_id"],
    ] as const) {
      const bad = await sandbox.api.admin("POST", "/sessions", body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body).toHaveProperty(field);
    }
    expect(await countOf(sandboxSessions)).toBe(before);
  });

  it("numbers concurrently created sessions without gaps or repeats", async () => {
    const app = await sandbox.api.newApp("recipe");
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sandbox.api.newSession(app, i % 2 ? "user" : "business", "Approved"),
      ),
    );
    const numbers = created.map((s) => s.session_number as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("sets and reads the sandbox clock, validating the offset", async () => {
    try {
      const set = await sandbox.api.admin("POST", "/clock", { offset_seconds: 86_400 });
      expect(set.status).toBe(200);
      const body = set.body as { offset_seconds: number; now: string };
      expect(body.offset_seconds).toBe(86_400);
      expect(Math.abs(Date.parse(body.now) - (Date.now() + 86_400_000))).toBeLessThan(5000);
      expect((await sandbox.api.admin("GET", "/clock")).body).toMatchObject({ offset_seconds: 86_400 });
      // New sessions are stamped with the sandbox clock.
      const app = await sandbox.api.newApp("recipe");
      const s = await sandbox.api.newSession(app, "user", "Approved");
      expect(Math.abs(Date.parse(s.created_at as string) - (Date.now() + 86_400_000))).toBeLessThan(5000);
      for (const offset_seconds of ["10", 1.5, null, 10 ** 12]) {
        const bad = await sandbox.api.admin("POST", "/clock", { offset_seconds });
        expect(bad.status, String(offset_seconds)).toBe(400);
        expect(bad.body).toHaveProperty("offset_seconds");
      }
      expect((await sandbox.api.admin("GET", "/clock")).body).toMatchObject({ offset_seconds: 86_400 });
    } finally {
      await sandbox.api.setClock(0);
    }
  });
});
