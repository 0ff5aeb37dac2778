import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, ROLES, type Permission, type Role } from "@/lib/rbac";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type RouteCase = {
  method: string;
  path: string;
  file: string;
  permission: Permission | "public";
  load: () => Promise<Record<string, unknown>>;
  params?: () => Record<string, string>;
  body?: () => unknown;
};

let t: TestDatabase;
const users = {} as Record<Role, TestUser>;
let target: TestUser;

/** Every console API route with the permission it must enforce. */
const ROUTES: RouteCase[] = [
  {
    method: "GET",
    path: "/api/health",
    file: "app/api/health/route.ts",
    permission: "public",
    load: () => import("./health/route"),
  },
  {
    method: "GET",
    path: "/api/users",
    file: "app/api/users/route.ts",
    permission: "users.manage",
    load: () => import("./users/route"),
  },
  {
    method: "POST",
    path: "/api/users",
    file: "app/api/users/route.ts",
    permission: "users.manage",
    load: () => import("./users/route"),
    body: () => ({
      email: `matrix-${Math.random().toString(36).slice(2)}@test.local`,
      name: "Matrix",
      role: "auditor",
    }),
  },
  {
    method: "PATCH",
    path: "/api/users/:id",
    file: "app/api/users/[id]/route.ts",
    permission: "users.manage",
    load: () => import("./users/[id]/route"),
    params: () => ({ id: target.id }),
    body: () => ({ role: "officer" }),
  },
  {
    method: "POST",
    path: "/api/users/:id/sessions/revoke",
    file: "app/api/users/[id]/sessions/revoke/route.ts",
    permission: "users.manage",
    load: () => import("./users/[id]/sessions/revoke/route"),
    params: () => ({ id: target.id }),
    body: () => ({}),
  },
  {
    method: "POST",
    path: "/api/account/password",
    file: "app/api/account/password/route.ts",
    permission: "dashboard.view",
    load: () => import("./account/password/route"),
    // Each role's user changes its own password once, from insertUser's default.
    body: () => ({
      currentPassword: "correct horse battery staple",
      newPassword: `new passphrase ${Math.random().toString(36).slice(2)}`,
    }),
  },
  {
    method: "GET",
    path: "/api/audit",
    file: "app/api/audit/route.ts",
    permission: "audit.read",
    load: () => import("./audit/route"),
  },
  {
    method: "GET",
    path: "/api/audit/verify",
    file: "app/api/audit/verify/route.ts",
    permission: "audit.verify",
    load: () => import("./audit/verify/route"),
  },
];
/** Routes that are not ours to guard: next-auth's own endpoints and the JSON 404 catch-all. */
const EXEMPT = ["app/api/auth/[...nextauth]/route.ts", "app/api/[...path]/route.ts"];

async function call(route: RouteCase, user: TestUser | null): Promise<Response> {
  const mod = await route.load();
  const handler = mod[route.method] as Handler;
  const params = route.params?.() ?? {};
  const url = route.path.replace(/:(\w+)/g, (_, k: string) => params[k] ?? "");
  const req = await request(url, { method: route.method, user, body: route.body?.() });
  return handler(req, { params: Promise.resolve(params) });
}

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return name === "route.ts" ? [path.relative(process.cwd(), full)] : [];
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  for (const role of ROLES) users[role] = await insertUser(t.db, role);
  target = await insertUser(t.db, "auditor");
});
afterAll(() => t.close());

describe(`API permission matrix (${testDriver()})`, () => {
  it("covers every exported handler of every API route file", () => {
    const exported = routeFiles("app/api")
      .filter((f) => !EXEMPT.includes(f))
      .flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map(
          (m) => `${m[1]} ${file}`,
        ),
      );
    expect(exported.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.file}`).sort());
  });

  for (const route of ROUTES) {
    if (route.permission === "public") {
      it(`${route.method} ${route.path} answers without a session`, async () => {
        expect((await call(route, null)).status).toBe(200);
      });
      continue;
    }
    it(`${route.method} ${route.path}: anonymous → 401 with the error envelope`, async () => {
      const res = await call(route, null);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; requestId: string } };
      expect(body.error.code).toBe("unauthenticated");
      expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
    });
    for (const role of ROLES) {
      const allowed = can(role, route.permission);
      it(`${route.method} ${route.path}: ${role} → ${allowed ? "allowed" : "403"}`, async () => {
        const res = await call(route, users[role]);
        if (allowed) {
          expect([401, 403]).not.toContain(res.status);
          expect(res.status).toBeLessThan(300);
        } else {
          expect(res.status).toBe(403);
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
        }
      });
    }
  }
});

describe(`API conventions (${testDriver()})`, () => {
  it("answers malformed JSON with 400 and invalid input with 422 field details, writing nothing", async () => {
    const { POST, GET } = await import("./users/route");
    const before = (
      (await (await GET(await request("/api/users", { user: users.admin }))).json()) as { items: unknown[] }
    ).items.length;
    const malformed = await POST(
      await request("/api/users", { method: "POST", user: users.admin, rawBody: "{not json" }),
    );
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("malformed_json");
    const invalid = await POST(
      await request("/api/users", {
        method: "POST",
        user: users.admin,
        body: { email: "nope", role: "king" },
      }),
    );
    expect(invalid.status).toBe(422);
    const body = (await invalid.json()) as {
      error: { code: string; details: { fields: Record<string, string[]> } };
    };
    expect(body.error.code).toBe("validation_failed");
    expect(Object.keys(body.error.details.fields).sort()).toEqual(["email", "name", "role"]);
    const after = (
      (await (await GET(await request("/api/users", { user: users.admin }))).json()) as { items: unknown[] }
    ).items.length;
    expect(after).toBe(before);
  });

  it("rejects a bad audit query with 422", async () => {
    const { GET } = await import("./audit/route");
    const res = await GET(await request("/api/audit?limit=9999&from=yesterday", { user: users.auditor }));
    expect(res.status).toBe(422);
  });

  it("answers unknown /api paths with a JSON 404", async () => {
    const { GET, POST } = await import("./[...path]/route");
    for (const handler of [GET, POST]) {
      const res = handler(await request("/api/definitely-not-here"));
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
  });

  it("reports health with the driver and migrations", async () => {
    const { GET } = await import("./health/route");
    const res = await GET(await request("/api/health"));
    const body = (await res.json()) as {
      status: string;
      database: string;
      migrations: { pending: number };
      version: string;
    };
    expect(body).toMatchObject({ status: "ok", database: testDriver(), migrations: { pending: 0 } });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("reuses a well-formed incoming request id and replaces a malformed one", async () => {
    const { GET } = await import("./health/route");
    const good = new Request("http://handoff.test/api/health", {
      headers: { "x-request-id": "abc-12345678" },
    });
    expect((await GET(good)).headers.get("x-request-id")).toBe("abc-12345678");
    const bad = new Request("http://handoff.test/api/health", { headers: { "x-request-id": "<script>" } });
    expect((await GET(bad)).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
