import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveActor } from "@/lib/server/auth/session";
import { auditEvents, userSessions } from "@/lib/server/db/schema";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertSession, insertUser, request, sessionCookie, type TestUser } from "@/test/session";
import type { Actor, ServiceContext } from "@/lib/server/kernel";
import { endSession, revokeUserSessions } from "./user-sessions";
import { updateUser } from "./users";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

let t: TestDatabase;
let admin: TestUser;

const ctx = (actor: Actor | null = null): ServiceContext => ({
  db: t.db,
  actor,
  now: () => new Date(),
  requestId: "req-sessions-test",
  ip: "198.51.100.7",
  userAgent: "vitest",
});
const asActor = (u: TestUser): Actor => ({ id: u.id, email: u.email, name: "x", role: u.role });
const headersWith = (cookie: string) => new Headers({ cookie });
const sidOf = async (cookie: string) => (await resolveActor(headersWith(cookie), t.db))?.sessionId;

async function listUsersWith(cookie: string): Promise<number> {
  const { GET } = (await import("@/app/api/users/route")) as unknown as { GET: Handler };
  const res = await GET(await request("/api/users", { cookie }), { params: Promise.resolve({}) });
  return res.status;
}

async function revokeVia(caller: TestUser, id: string, body: unknown = {}): Promise<Response> {
  const { POST } = (await import("@/app/api/users/[id]/sessions/revoke/route")) as unknown as {
    POST: Handler;
  };
  return POST(await request(`/api/users/${id}/sessions/revoke`, { method: "POST", user: caller, body }), {
    params: Promise.resolve({ id }),
  });
}

async function auditCount(action: string, entityId: string): Promise<number> {
  const rows = await t.db.select().from(auditEvents).where(eq(auditEvents.entityId, entityId));
  return rows.filter((r) => r.action === action).length;
}

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await insertUser(t.db, "admin");
});
afterAll(() => t.close());

describe(`server-side sessions (${testDriver()})`, () => {
  it("refuses a cookie captured before sign-out, and audits the sign-out once", async () => {
    const cookie = await sessionCookie(admin);
    expect(await listUsersWith(cookie)).toBe(200);
    const sid = (await sidOf(cookie))!;
    expect(await endSession(ctx(), { sid, uid: admin.id })).toEqual({ ended: true });
    expect(await listUsersWith(cookie)).toBe(401);
    expect(await resolveActor(headersWith(cookie), t.db)).toBeNull();
    // A replayed sign-out of an ended session writes nothing more.
    expect(await endSession(ctx(), { sid, uid: admin.id })).toEqual({ ended: false });
    expect(await auditCount("auth.logout", admin.id)).toBe(1);
    const [row] = await t.db.select().from(userSessions).where(eq(userSessions.id, sid));
    expect(row).toMatchObject({ revokedReason: "sign_out", userId: admin.id });
    expect(row!.revokedAt).toBeInstanceOf(Date);
  });

  it("refuses an expired session, another user's session id, and a cookie without one", async () => {
    const user = await insertUser(t.db, "auditor");
    const other = await insertUser(t.db, "officer");
    const expired = await insertSession(user, { expiresAt: new Date(Date.now() - 1000) });
    expect(
      await resolveActor(headersWith(await sessionCookie(user, { sessionId: expired })), t.db),
    ).toBeNull();
    const othersSession = await insertSession(other);
    expect(
      await resolveActor(headersWith(await sessionCookie(user, { sessionId: othersSession })), t.db),
    ).toBeNull();
    const { encode } = await import("next-auth/jwt");
    const { getEnv } = await import("@/lib/env");
    const { SESSION_COOKIE } = await import("@/lib/server/auth/session");
    const stateless = await encode({
      token: { uid: user.id, role: user.role, email: user.email, sub: user.id },
      secret: getEnv().AUTH_SECRET,
      salt: SESSION_COOKIE,
    });
    expect(await resolveActor(headersWith(`${SESSION_COOKIE}=${stateless}`), t.db)).toBeNull();
    const live = await resolveActor(headersWith(await sessionCookie(user)), t.db);
    expect(live).toMatchObject({ id: user.id, role: "auditor", mustChangePassword: false });
    expect(live!.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an admin signs a user out everywhere: every session of theirs ends, audited", async () => {
    const user = await insertUser(t.db, "officer");
    const bystander = await insertUser(t.db, "officer");
    const cookies = [await sessionCookie(user), await sessionCookie(user)];
    const kept = await sessionCookie(bystander);
    await insertSession(user, { expiresAt: new Date(Date.now() - 1000) }); // already over: not counted
    const res = await revokeVia(admin, user.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2 });
    for (const cookie of cookies) expect(await resolveActor(headersWith(cookie), t.db)).toBeNull();
    expect((await resolveActor(headersWith(kept), t.db))?.id).toBe(bystander.id);
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.entityId, user.id))
      .then((rows) => rows.filter((r) => r.action === "users.sessions_revoke"));
    expect(event).toMatchObject({ actorId: admin.id, data: { email: user.email, revoked: 2 } });
    const again = await revokeVia(admin, user.id);
    expect(await again.json()).toEqual({ revoked: 0 });
  });

  it("answers 404 for an unknown or malformed id, 403 to a non-admin, 422 for a body with fields", async () => {
    const missing = await revokeVia(admin, "00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    expect((await revokeVia(admin, "not-a-uuid")).status).toBe(404);
    const officer = await insertUser(t.db, "officer");
    const denied = await revokeVia(officer, admin.id);
    expect(denied.status).toBe(403);
    expect((await revokeVia(admin, officer.id, { everything: true })).status).toBe(422);
    expect(await auditCount("users.sessions_revoke", admin.id)).toBe(0);
  });

  it("refuses the service to a caller without users.manage", async () => {
    const auditor = await insertUser(t.db, "auditor");
    await expect(revokeUserSessions(ctx(asActor(auditor)), admin.id)).rejects.toMatchObject({
      code: "forbidden",
    });
  });

  it("disabling a user ends their sessions, and enabling them again does not revive one", async () => {
    const user = await insertUser(t.db, "partnerships");
    const cookie = await sessionCookie(user);
    const sid = (await sidOf(cookie))!;
    await updateUser(ctx(asActor(admin)), user.id, { status: "disabled" });
    const [row] = await t.db.select().from(userSessions).where(eq(userSessions.id, sid));
    expect(row!.revokedReason).toBe("user_disabled");
    await updateUser(ctx(asActor(admin)), user.id, { status: "active" });
    expect(await resolveActor(headersWith(cookie), t.db)).toBeNull();
    expect((await resolveActor(headersWith(await sessionCookie(user)), t.db))?.id).toBe(user.id);
  });
});

describe(`Auth.js endpoints (${testDriver()})`, () => {
  const BASE = "http://handoff.test";
  const auth = async () =>
    (await import("@/app/api/auth/[...nextauth]/route")) as unknown as {
      GET: (req: NextRequest) => Promise<Response>;
      POST: (req: NextRequest) => Promise<Response>;
    };
  const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]!);

  async function csrf(): Promise<{ token: string; cookie: string }> {
    const res = await (await auth()).GET(new NextRequest(`${BASE}/api/auth/csrf`));
    expect(res.status).toBe(200);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { token: csrfToken, cookie: cookiesOf(res).join("; ") };
  }

  async function postCredentials(email: string, password: string, csrfToken?: string, cookie = "") {
    const body = new URLSearchParams({
      email,
      password,
      callbackUrl: `${BASE}/`,
      ...(csrfToken ? { csrfToken } : {}),
    });
    return (await auth()).POST(
      new NextRequest(`${BASE}/api/auth/callback/credentials`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie,
          "x-forwarded-for": "203.0.113.5",
        },
        body,
      }),
    );
  }

  it("a wrong password posted without JavaScript gets the sign-in page's redirect, not a 500", async () => {
    const user = await insertUser(t.db, "officer");
    const { token, cookie } = await csrf();
    const res = await postCredentials(user.email, "not the password", token, cookie);
    expect([302, 303]).toContain(res.status);
    const location = new URL(res.headers.get("location")!);
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("error")).toBe("CredentialsSignin");
    expect(location.searchParams.get("code")).toBe("invalid");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await auditCount("auth.login_failed", user.id)).toBe(1);
  });

  it("redirects to the host the browser used, not the server's own URL", async () => {
    const user = await insertUser(t.db, "officer");
    const { token, cookie } = await csrf();
    const res = await (
      await auth()
    ).POST(
      new NextRequest("http://localhost:3000/api/auth/callback/credentials", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", host: "127.0.0.1:3000", cookie },
        body: new URLSearchParams({
          email: user.email,
          password: "wrong",
          callbackUrl: "/",
          csrfToken: token,
        }),
      }),
    );
    expect([302, 303]).toContain(res.status);
    expect(new URL(res.headers.get("location")!).host).toBe("127.0.0.1:3000");
  });

  it("a right password gets the session cookie (every Set-Cookie kept) and a live session row", async () => {
    const user = await insertUser(t.db, "auditor");
    const { token, cookie } = await csrf();
    const res = await postCredentials(user.email, user.password, token, cookie);
    expect([302, 303]).toContain(res.status);
    expect(new URL(res.headers.get("location")!).pathname).toBe("/");
    const session = cookiesOf(res).find((c) => c.startsWith("authjs.session-token="));
    expect(session).toBeDefined();
    expect(res.headers.getSetCookie().length).toBeGreaterThan(1);
    const actor = await resolveActor(headersWith(session!), t.db);
    expect(actor?.id).toBe(user.id);

    // Auth.js's own session endpoint honours the row too: live → the user; ended → no session.
    const read = () =>
      auth().then((a) =>
        a.GET(new NextRequest(`${BASE}/api/auth/session`, { headers: { cookie: session! } })),
      );
    expect(await (await read()).json()).toMatchObject({ user: { id: user.id, role: "auditor" } });
    await endSession(ctx(), { sid: actor!.sessionId!, uid: user.id });
    const after = await read();
    expect(await after.json()).toBeNull();
    expect(after.headers.getSetCookie().some((c) => /^authjs\.session-token=;/.test(c))).toBe(true);
  });

  it("a disabled account is named only after its right password", async () => {
    const user = await insertUser(t.db, "officer", { status: "disabled" });
    const wrong = await postCredentials(user.email, "not the password", ...Object.values(await csrf()));
    expect(new URL(wrong.headers.get("location")!).searchParams.get("code")).toBe("invalid");
    const right = await postCredentials(user.email, user.password, ...Object.values(await csrf()));
    expect(new URL(right.headers.get("location")!).searchParams.get("code")).toBe("disabled");
  });
});
