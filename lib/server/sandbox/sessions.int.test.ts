import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { sandboxSessions } from "@/lib/server/sandbox/schema";
import { testDriver } from "@/test/database";
import {
  featureKeysOf,
  NOT_FOUND,
  PERMISSION_DENIED,
  PROFILES,
  sandboxHttpSuite,
  STATUSES,
  wireStatus,
  type Kind,
  type Status,
  type TestApp,
} from "@/test/sandbox-fixtures";

/** didit-api.md §5 over real HTTP, both profiles: list filters and pages, decision, update-status, delete. */

const sandbox = sandboxHttpSuite();

type Row = Record<string, unknown> & { session_id: string; session_kind: Kind; status: string };
type Page = { count: number; next: string | null; previous: string | null; results: Row[] };
const DAY = 24 * 3600;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

describe.each(PROFILES)(`sessions endpoints, %s profile (${testDriver()})`, (profile) => {
  let app: TestApp;
  let other: TestApp;
  const created: { id: string; kind: Kind; status: Status; vendor: string | undefined }[] = [];
  const list = async (query = "", key = app.key) => {
    const res = await sandbox.api.call("GET", `/sandbox/v3/sessions/${query}`, { key });
    expect(res.status, res.text).toBe(200);
    return res.body as Page;
  };

  beforeAll(async () => {
    app = await sandbox.api.newApp(profile, "lister");
    other = await sandbox.api.newApp(profile, "other");
    const plan: [Kind, Status, string | undefined, number][] = [
      ["user", "Approved", "cust-1", -3 * DAY],
      ["user", "Declined", "cust-10", -2 * DAY],
      ["business", "Approved", "biz-1", -2 * DAY],
      ["user", "In Review", undefined, -1 * DAY],
      ["user", "Approved", "cust-2", 0],
      ["business", "In Review", "biz-2", 0],
      ["user", "Not Started", "cust-3", 0],
      ["business", "Declined", undefined, 0],
    ];
    try {
      for (const [kind, status, vendor, offset] of plan) {
        await sandbox.api.setClock(offset);
        const s = await sandbox.api.newSession(app, kind, status, {
          vendor_data: vendor,
          seed: `${kind}-${created.length}`,
        });
        created.push({ id: s.session_id, kind, status, vendor });
      }
    } finally {
      await sandbox.api.setClock(0);
    }
    await sandbox.api.newSession(other, "user", "Approved", { vendor_data: "cust-1" });
  });

  describe("GET /v3/sessions/", () => {
    it("lists user sessions by default, newest first, without other applications' sessions", async () => {
      const page = await list();
      const users = created.filter((c) => c.kind === "user");
      expect(page.count).toBe(users.length);
      expect(page.results.map((r) => r.session_id)).toEqual(users.map((u) => u.id).reverse());
      expect(page.results.every((r) => r.session_kind === "user")).toBe(true);
      expect(page).toMatchObject({ next: null, previous: null });
      const row = page.results[0]!;
      for (const key of [
        "session_id",
        "session_kind",
        "session_number",
        "status",
        "vendor_data",
        "workflow_id",
        "created_at",
        "full_name",
        "document_type",
        "country",
        "features",
      ]) {
        expect(row, key).toHaveProperty(key);
      }
      expect(row).not.toHaveProperty("shared_from_session");
      expect(row.workflow_id).toBe(app.workflows.user);
    });

    it("filters by session_kind business and all, and refuses other values", async () => {
      const business = await list("?session_kind=business");
      expect(business.count).toBe(created.filter((c) => c.kind === "business").length);
      const row = business.results[0]!;
      for (const key of ["company_name", "registration_number", "country"])
        expect(row, key).toHaveProperty(key);
      expect(business.results.map((r) => r.status)).toEqual(
        created
          .filter((c) => c.kind === "business")
          .reverse()
          .map((c) => wireStatus("business", c.status, profile)),
      );
      const all = await list("?session_kind=all");
      expect(all.count).toBe(created.length);
      expect(all.results.map((r) => r.session_id)).toEqual(created.map((c) => c.id).reverse());
      for (const bad of ["robots", "USER", "users"]) {
        const res = await sandbox.api.call("GET", `/sandbox/v3/sessions/?session_kind=${bad}`, {
          key: app.key,
        });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          session_kind: [`Select a valid choice. ${bad} is not one of the available choices.`],
        });
      }
    });

    it("filters by status with the exact strings of the caller's profile, comma-separated", async () => {
      const approvedUsers = await list("?status=Approved");
      expect(approvedUsers.count).toBe(2);
      const both = await list(`?status=${encodeURIComponent("Approved,In Review")}`);
      expect(both.count).toBe(3);
      const kybApproved = await list(
        `?session_kind=business&status=${wireStatus("business", "Approved", profile)}`,
      );
      expect(kybApproved.results.map((r) => r.session_id)).toEqual([created[2]!.id]);
      // The other casing is not this profile's string for KYB: it matches nothing there.
      const otherCasing = profile === "recipe" ? "Approved" : "APPROVED";
      expect((await list(`?session_kind=business&status=${otherCasing}`)).count).toBe(0);
      expect((await list("?status=approved")).count).toBe(0);
      const mixed = await list(
        `?session_kind=all&status=${encodeURIComponent(`Approved,${wireStatus("business", "Declined", profile)}`)}`,
      );
      // Recipe: users Approved (2) + KYB DECLINED (1); spec: Approved and Declined of both kinds.
      expect(mixed.count).toBe(profile === "recipe" ? 3 : 5);
    });

    it("filters by exact vendor_data", async () => {
      const page = await list("?vendor_data=cust-1");
      expect(page.results.map((r) => r.session_id)).toEqual([created[0]!.id]);
      expect((await list("?vendor_data=cust")).count).toBe(0);
    });

    it("searches uuids, number prefixes, names and vendor_data", async () => {
      const target = created[4]!;
      expect((await list(`?search=${target.id}`)).results.map((r) => r.session_id)).toEqual([target.id]);
      expect((await list(`?search=${target.id.slice(0, 13)}`)).results.map((r) => r.session_id)).toContain(
        target.id,
      );
      const byNumber = await list("?session_kind=all&search=7");
      expect(byNumber.results.map((r) => r.session_number)).toContain(7);
      const matches7 = (r: Row) =>
        String(r.session_number).startsWith("7") ||
        r.session_id.startsWith("7") ||
        [r.vendor_data, r.full_name, r.company_name].some((v) => String(v ?? "").includes("7"));
      expect(byNumber.results.filter((r) => !matches7(r))).toEqual([]);
      const byVendor = await list("?search=cust-1");
      expect(byVendor.results.map((r) => r.vendor_data).sort()).toEqual(["cust-1", "cust-10"]);
      const named = (await list()).results.find((r) => typeof r.full_name === "string");
      expect(named, "a user session with a name").toBeDefined();
      const part = (named!.full_name as string).split(" ")[0]!;
      const byName = await list(`?search=${encodeURIComponent(part.toLowerCase())}`);
      expect(byName.results.map((r) => r.session_id)).toContain(named!.session_id);
      const company = (await list("?session_kind=business")).results.find(
        (r) => typeof r.company_name === "string",
      );
      if (company) {
        const byCompany = await list(
          `?session_kind=business&search=${encodeURIComponent(company.company_name as string)}`,
        );
        expect(byCompany.results.map((r) => r.session_id)).toContain(company.session_id);
      }
      expect((await list("?search=%25")).count).toBe(0);
    });

    it("filters by workflow_id and refuses a malformed one", async () => {
      expect((await list(`?workflow_id=${app.workflows.user}`)).count).toBe(5);
      expect((await list(`?workflow_id=${app.workflows.business}`)).count).toBe(0);
      expect((await list(`?session_kind=all&workflow_id=${app.workflows.business}`)).count).toBe(3);
      const res = await sandbox.api.call("GET", "/sandbox/v3/sessions/?workflow_id=nope", { key: app.key });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ workflow_id: ["Enter a valid UUID."] });
    });

    it("filters by date_from/date_to (inclusive days) and refuses invalid dates", async () => {
      const rows = await sandbox.t.db
        .select()
        .from(sandboxSessions)
        .where(eq(sandboxSessions.applicationId, app.id));
      const dayOf = new Map(rows.map((r) => [r.id, isoDay(r.createdAt)]));
      const d0 = dayOf.get(created[0]!.id)!;
      const d1 = dayOf.get(created[1]!.id)!;
      const expected = (from: string | null, to: string | null) =>
        created
          .filter((c) => {
            const d = dayOf.get(c.id)!;
            return (!from || d >= from) && (!to || d <= to);
          })
          .map((c) => c.id)
          .reverse();
      const only = await list(`?session_kind=all&date_from=${d0}&date_to=${d0}`);
      expect(only.results.map((r) => r.session_id)).toEqual(expected(d0, d0));
      expect(only.count).toBeGreaterThanOrEqual(1);
      const from = await list(`?session_kind=all&date_from=${d1}`);
      expect(from.results.map((r) => r.session_id)).toEqual(expected(d1, null));
      const to = await list(`?session_kind=all&date_to=${d1}`);
      expect(to.results.map((r) => r.session_id)).toEqual(expected(null, d1));
      for (const [param, value] of [
        ["date_from", "2026-13-01"],
        ["date_to", "2026-02-30"],
        ["date_from", "yesterday"],
        ["date_to", "01/02/2026"],
      ]) {
        const res = await sandbox.api.call(
          "GET",
          `/sandbox/v3/sessions/?${param}=${encodeURIComponent(value!)}`,
          {
            key: app.key,
          },
        );
        expect(res.status, value).toBe(400);
        expect(res.body).toEqual({ [param!]: ["Enter a valid date."] });
      }
    });

    it("paginates with limit/offset and absolute next/previous URLs that keep the other parameters", async () => {
      const base = `${sandbox.server.origin}/sandbox/v3/sessions/`;
      const first = await list("?session_kind=all&limit=3");
      expect(first.count).toBe(8);
      expect(first.results).toHaveLength(3);
      expect(first.previous).toBeNull();
      expect(first.next).toBe(`${base}?limit=3&offset=3&session_kind=all`);
      const second = await sandbox.api.call(
        "GET",
        new URL(first.next!).pathname + new URL(first.next!).search,
        {
          key: app.key,
        },
      );
      const page2 = second.body as Page;
      expect(page2.previous).toBe(`${base}?limit=3&session_kind=all`);
      expect(page2.next).toBe(`${base}?limit=3&offset=6&session_kind=all`);
      const third = await list("?session_kind=all&limit=3&offset=6");
      expect(third.results).toHaveLength(2);
      expect(third.next).toBeNull();
      expect(third.previous).toBe(`${base}?limit=3&offset=3&session_kind=all`);
      const ids = [...first.results, ...page2.results, ...third.results].map((r) => r.session_id);
      expect(ids).toEqual(created.map((c) => c.id).reverse());
      // A proxy's forwarded origin is what the URLs use.
      const proxied = await sandbox.api.call("GET", "/sandbox/v3/sessions/?limit=1", {
        key: app.key,
        headers: { "x-forwarded-proto": "https", "x-forwarded-host": "sandbox.example.test" },
      });
      expect((proxied.body as Page).next).toBe(
        "https://sandbox.example.test/sandbox/v3/sessions/?limit=1&offset=1",
      );
      // Lenient like DRF: a bad limit falls back to the default, a huge one is capped.
      expect((await list("?limit=abc")).results).toHaveLength(5);
      expect((await list("?session_kind=all&limit=100000")).results).toHaveLength(8);
      expect((await list("?session_kind=all&offset=100")).results).toHaveLength(0);
    });

    it("answers 403 without a valid key", async () => {
      for (const key of [null, "sbx_unknown"]) {
        const res = await sandbox.api.call("GET", "/sandbox/v3/sessions/", { key });
        expect(res.status).toBe(403);
        expect(res.body).toEqual(PERMISSION_DENIED);
      }
    });
  });

  describe("GET /v3/session/{id}/decision/", () => {
    it("returns the whole session with the profile's feature keys", async () => {
      for (const c of [created[0]!, created[2]!]) {
        const res = await sandbox.api.decision(app.key, c.id);
        expect(res.status).toBe(200);
        const body = res.body as Record<string, unknown>;
        expect(body).toMatchObject({
          session_id: c.id,
          session_kind: c.kind,
          status: wireStatus(c.kind, c.status, profile),
          workflow_id: app.workflows[c.kind],
        });
        for (const key of ["session_number", "created_at", "expires_at", "reviews"])
          expect(body, key).toHaveProperty(key);
        for (const key of featureKeysOf(c.kind, profile)) expect(Array.isArray(body[key]), key).toBe(true);
      }
    });

    it("answers 404 for another application's session, unknown and malformed ids; 403 without a key", async () => {
      for (const id of [created[0]!.id, "00000000-0000-4000-8000-000000000000", "123", "import-shared-x"]) {
        const res = await sandbox.api.decision(other.key, id);
        expect(res.status, id).toBe(404);
        expect(res.body).toEqual(NOT_FOUND);
      }
      const res = await sandbox.api.call("GET", `/sandbox/v3/session/${created[0]!.id}/decision/`, {});
      expect(res.status).toBe(403);
      expect(res.body).toEqual(PERMISSION_DENIED);
    });
  });

  describe("PATCH /v3/session/{id}/update-status/", () => {
    const patch = (key: string | null, id: string, body: unknown) =>
      sandbox.api.call("PATCH", `/sandbox/v3/session/${id}/update-status/`, { key, body });

    const allowed: Status[] = [
      "Approved",
      "Declined",
      "In Review",
      "Kyc Expired",
      "Abandoned",
      "Resubmitted",
    ];
    const refused = STATUSES.filter((s) => !allowed.includes(s));

    it.each(allowed)("moves a session from %s and appends a review", async (from) => {
      const s = await sandbox.api.newSession(app, "user", from);
      const to = from === "Approved" ? "Declined" : "Approved";
      const res = await patch(app.key, s.session_id, { new_status: to, comment: "checked by hand" });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ session_id: s.session_id });
      const after = (await sandbox.api.decision(app.key, s.session_id)).body as {
        status: string;
        reviews: unknown[];
      };
      expect(after.status).toBe(to);
      expect(after.reviews.at(-1)).toMatchObject({ user: "API", new_status: to, comment: "checked by hand" });
      expect(typeof (after.reviews.at(-1) as { created_at: unknown }).created_at).toBe("string");
    });

    it.each(refused)("refuses a session in %s", async (from) => {
      const s = await sandbox.api.newSession(app, "user", from);
      const res = await patch(app.key, s.session_id, { new_status: "Approved" });
      expect(res.status).toBe(400);
      expect(Array.isArray((res.body as { detail: unknown }).detail)).toBe(true);
      expect((await sandbox.api.decision(app.key, s.session_id)).body).toMatchObject({ status: from });
    });

    it("refuses the same status again, unknown targets and a missing new_status", async () => {
      const s = await sandbox.api.newSession(app, "user", "Declined");
      const same = await patch(app.key, s.session_id, { new_status: "Declined" });
      expect(same.status).toBe(400);
      expect(same.body).toEqual({ detail: ["The new status is the same as the current status."] });
      for (const new_status of ["In Review", "Pending", "approved", 3]) {
        const res = await patch(app.key, s.session_id, { new_status });
        expect(res.status, String(new_status)).toBe(400);
        expect(res.body).toEqual({ new_status: [`"${new_status}" is not a valid choice.`] });
      }
      const missing = await patch(app.key, s.session_id, { comment: "x" });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ new_status: ["This field is required."] });
      const malformed = await sandbox.api.call(
        "PATCH",
        `/sandbox/v3/session/${s.session_id}/update-status/`,
        {
          key: app.key,
          rawBody: "new_status=Approved",
        },
      );
      expect(malformed.status).toBe(400);
      expect((malformed.body as { detail: string }).detail).toMatch(/^JSON parse error - /);
    });

    it("updates a KYB session, accepting the profile's own rendering", async () => {
      const s = await sandbox.api.newSession(app, "business", "In Review");
      const res = await patch(app.key, s.session_id, {
        new_status: wireStatus("business", "Approved", profile),
      });
      expect(res.status, res.text).toBe(200);
      const after = (await sandbox.api.decision(app.key, s.session_id)).body as { status: string };
      expect(after.status).toBe(wireStatus("business", "Approved", profile));
    });

    it("answers 404 for another application's session and 403 without write:sessions", async () => {
      const s = await sandbox.api.newSession(app, "user", "In Review");
      expect((await patch(other.key, s.session_id, { new_status: "Approved" })).status).toBe(404);
      const readOnly = await sandbox.api.newKey(app.id, ["read:sessions", "delete:sessions"]);
      for (const key of [null, readOnly]) {
        const res = await patch(key, s.session_id, { new_status: "Approved" });
        expect(res.status).toBe(403);
        expect(res.body).toEqual(PERMISSION_DENIED);
      }
    });
  });

  describe("DELETE /v3/session/{id}/delete/", () => {
    const del = (key: string | null, id: string) =>
      sandbox.api.call("DELETE", `/sandbox/v3/session/${id}/delete/`, { key });

    it("deletes: 204, then 404 on decision and on a second delete, gone from the list", async () => {
      const s = await sandbox.api.newSession(app, "user", "Approved", { vendor_data: "to-delete" });
      const res = await del(app.key, s.session_id);
      expect(res.status).toBe(204);
      expect(res.text).toBe("");
      expect((await sandbox.api.decision(app.key, s.session_id)).status).toBe(404);
      expect((await del(app.key, s.session_id)).status).toBe(404);
      expect((await list("?vendor_data=to-delete")).count).toBe(0);
    });

    it("needs delete:sessions and the caller's own session", async () => {
      const s = await sandbox.api.newSession(app, "user", "Approved");
      const writer = await sandbox.api.newKey(app.id, ["read:sessions", "write:sessions"]);
      for (const key of [null, writer]) {
        const res = await del(key, s.session_id);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(PERMISSION_DENIED);
      }
      expect((await del(other.key, s.session_id)).body).toEqual(NOT_FOUND);
      expect((await sandbox.api.decision(app.key, s.session_id)).status).toBe(200);
    });
  });

  describe("routing", () => {
    it("answers DRF's 405 for methods an endpoint does not have", async () => {
      const id = created[0]!.id;
      for (const [method, path] of [
        ["GET", "/sandbox/v3/session/import-shared/"],
        ["POST", "/sandbox/v3/sessions/"],
        ["GET", `/sandbox/v3/session/${id}/share/`],
        ["POST", `/sandbox/v3/session/${id}/decision/`],
        ["GET", `/sandbox/v3/session/${id}/delete/`],
        ["POST", `/sandbox/v3/session/${id}/update-status/`],
      ]) {
        const res = await sandbox.api.call(method!, path!, { key: app.key });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.body).toEqual({ detail: `Method "${method}" not allowed.` });
      }
    });

    it("routes import-shared as its own endpoint and answers unknown paths with a JSON 404", async () => {
      const res = await sandbox.api.call("POST", "/sandbox/v3/session/import-shared", {
        key: app.key,
        body: {},
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ share_token: ["This field is required."] });
      for (const path of [
        "/sandbox/v3/nothing/",
        `/sandbox/v3/session/${created[0]!.id}/`,
        "/sandbox/v3/session/x/decision/",
      ]) {
        const r = await sandbox.api.call("GET", path, { key: app.key });
        expect(r.status, path).toBe(404);
        expect(r.body).toEqual(NOT_FOUND);
      }
    });

    it("serves both the canonical trailing-slash form and the bare form", async () => {
      const a = await sandbox.api.call("GET", "/sandbox/v3/sessions/?session_kind=all", { key: app.key });
      const b = await sandbox.api.call("GET", "/sandbox/v3/sessions?session_kind=all", { key: app.key });
      expect(a.status).toBe(200);
      expect((b.body as Page).count).toBe((a.body as Page).count);
    });
  });
});
