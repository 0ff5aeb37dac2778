import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { getEnv } from "@/lib/env";
import { resolveActor, SESSION_COOKIE } from "@/lib/server/auth/session";
import { auditEvents, userSessions } from "@/lib/server/db/schema";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertSession, insertUser, sessionCookie, type TestUser } from "@/test/session";
import { authenticate, authenticateOidc, LOCKOUT_DURATION_MS } from "./auth";
import type { Actor, ServiceContext } from "@/lib/server/kernel";
import { updateUser } from "./users";

let t: TestDatabase;
let admin: TestUser;
let officer: TestUser;
let clock = new Date("2026-11-26T10:00:00Z");

const ctx = (actor: Actor | null = null): ServiceContext => ({
  db: t.db,
  actor,
  now: () => clock,
  requestId: "req-auth-test",
  ip: "198.51.100.7",
  userAgent: "vitest",
});
const asActor = (u: TestUser): Actor => ({ id: u.id, email: u.email, name: "x", role: u.role });

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await insertUser(t.db, "admin");
  officer = await insertUser(t.db, "officer");
});
afterAll(() => t.close());

async function failedReasons(email: string) {
  const rows = await t.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.actorLabel, email))
    .orderBy(auditEvents.seq);
  return rows
    .filter((r) => r.action === "auth.login_failed")
    .map((r) => (r.data as { reason: string }).reason);
}

async function actions(email: string) {
  const rows = await t.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.actorLabel, email))
    .orderBy(auditEvents.seq);
  return rows.map((r) => r.action);
}

describe(`login (${testDriver()})`, () => {
  it("accepts the right password and audits the login", async () => {
    const outcome = await authenticate(ctx(), {
      email: officer.email.toUpperCase(),
      password: officer.password,
    });
    expect(outcome).toEqual({
      ok: true,
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user: expect.objectContaining({ id: officer.id, role: "officer" }),
    });
    expect(await actions(officer.email)).toContain("auth.login");
    // The sign-in opened a server-side session for the configured age.
    const { sessionId } = outcome as { sessionId: string };
    const [row] = await t.db.select().from(userSessions).where(eq(userSessions.id, sessionId));
    expect(row).toMatchObject({
      userId: officer.id,
      ip: "198.51.100.7",
      userAgent: "vitest",
      revokedAt: null,
    });
    expect(row!.expiresAt.getTime() - clock.getTime()).toBe(getEnv().AUTH_SESSION_MAX_AGE * 1000);
  });

  it("refuses a wrong password and audits the failure", async () => {
    expect(await authenticate(ctx(), { email: officer.email, password: "wrong" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await actions(officer.email)).toContain("auth.login_failed");
  });

  it("names a disabled account only after its right password", async () => {
    const disabled = await insertUser(t.db, "auditor", { status: "disabled" });
    expect(await authenticate(ctx(), { email: disabled.email, password: "wrong" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await authenticate(ctx(), { email: disabled.email, password: disabled.password })).toEqual({
      ok: false,
      reason: "disabled",
    });
    const failures = await failedReasons(disabled.email);
    expect(failures).toEqual(["wrong_password", "account_disabled"]);
  });

  it("audits oversized and NUL-bearing input as malformed and counts it toward the lockout", async () => {
    const user = await insertUser(t.db, "officer");
    clock = new Date("2026-11-29T08:00:00Z");
    const attempts = [
      { email: user.email, password: "x".repeat(1025) },
      { email: `${user.email}\u0000`, password: user.password },
      { email: user.email, password: `${user.password}\u0000` },
      { email: `${"a".repeat(300)}${user.email}`, password: "x" },
    ];
    for (const attempt of attempts) {
      expect(await authenticate(ctx(), attempt)).toEqual({ ok: false, reason: "invalid" });
    }
    // The NUL-bearing names counted toward the real account's lockout: the fifth failure locks it.
    expect(await authenticate(ctx(), { email: user.email, password: "wrong" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await authenticate(ctx(), { email: user.email, password: "wrong" })).toEqual({
      ok: false,
      reason: "locked",
    });
    expect(await failedReasons(user.email)).toEqual([
      "malformed_input",
      "malformed_input",
      "malformed_input",
      "wrong_password",
      "wrong_password",
    ]);
    const rows = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "auth.login_failed"));
    const long = rows.find((r) => r.actorLabel.startsWith("aaaa"));
    expect(long!.actorLabel).toHaveLength(254);
    expect(long!.data).toMatchObject({ reason: "malformed_input", problems: ["email_too_long"] });
    expect(rows.every((r) => !r.actorLabel.includes("\u0000"))).toBe(true);
    clock = new Date("2026-11-26T10:00:00Z");
  });

  it("locks an account after five failures within 15 minutes, and releases it after the window", async () => {
    const victim = await insertUser(t.db, "partnerships");
    const start = clock;
    for (let i = 0; i < 4; i++) {
      clock = new Date(start.getTime() + i * 60_000);
      expect((await authenticate(ctx(), { email: victim.email, password: "nope" })).ok).toBe(false);
    }
    clock = new Date(start.getTime() + 5 * 60_000);
    expect(await authenticate(ctx(), { email: victim.email, password: "nope" })).toEqual({
      ok: false,
      reason: "locked",
    });
    expect(await actions(victim.email)).toContain("auth.lockout");
    // Locked: even the right password is refused.
    clock = new Date(clock.getTime() + LOCKOUT_DURATION_MS - 1000);
    expect(await authenticate(ctx(), { email: victim.email, password: victim.password })).toEqual({
      ok: false,
      reason: "locked",
    });
    clock = new Date(start.getTime() + 5 * 60_000 + LOCKOUT_DURATION_MS + 1000);
    expect((await authenticate(ctx(), { email: victim.email, password: victim.password })).ok).toBe(true);
    clock = new Date("2026-11-26T10:00:00Z");
  });

  it("does not lock for five failures spread over more than 15 minutes", async () => {
    const user = await insertUser(t.db, "officer");
    const start = new Date("2026-11-27T08:00:00Z");
    for (let i = 0; i < 6; i++) {
      clock = new Date(start.getTime() + i * 4 * 60_000);
      expect(await authenticate(ctx(), { email: user.email, password: "nope" })).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    clock = new Date(start.getTime() + 25 * 60_000);
    expect((await authenticate(ctx(), { email: user.email, password: user.password })).ok).toBe(true);
  });

  it("answers an unknown account exactly like a known one, lockout included", async () => {
    const ghost = "nobody@test.local";
    const known = await insertUser(t.db, "officer");
    clock = new Date("2026-11-28T08:00:00Z");
    const ghostAnswers = [];
    const knownAnswers = [];
    for (let i = 0; i < 6; i++) {
      ghostAnswers.push(await authenticate(ctx(), { email: ghost, password: "x" }));
      knownAnswers.push(await authenticate(ctx(), { email: known.email, password: "x" }));
    }
    expect(ghostAnswers).toEqual(knownAnswers);
    expect(ghostAnswers.at(-1)).toEqual({ ok: false, reason: "locked" });
  });

  it("single sign-on opens a server-side session too, and refuses a disabled account", async () => {
    const live = { ...ctx(), now: () => new Date() }; // the session must outlast the real clock
    const { user, sessionId } = await authenticateOidc(live, {
      subject: "oidc-subject-1",
      email: "Sso.Person@test.local",
      name: "SSO Person",
      role: "auditor",
    });
    expect(user).toMatchObject({ email: "sso.person@test.local", role: "auditor", sessionId });
    const cookie = await sessionCookie({ ...user, role: "auditor" }, { sessionId });
    expect((await resolveActor(new Headers({ cookie }), t.db))?.id).toBe(user.id);
    await updateUser(ctx(asActor(admin)), user.id, { status: "disabled" });
    expect(await resolveActor(new Headers({ cookie }), t.db)).toBeNull();
    await expect(
      authenticateOidc(ctx(), { subject: "oidc-subject-1", email: user.email, name: "x", role: "auditor" }),
    ).rejects.toMatchObject({ code: "forbidden" });
  });

  it("applies a role change and a disable on the user's next request", async () => {
    const user = await insertUser(t.db, "auditor");
    const headers = new Headers({ cookie: await sessionCookie(user) });
    expect((await resolveActor(headers, t.db))?.role).toBe("auditor");
    await updateUser(ctx(asActor(admin)), user.id, { role: "officer" });
    expect((await resolveActor(headers, t.db))?.role).toBe("officer");
    await updateUser(ctx(asActor(admin)), user.id, { status: "disabled" });
    expect(await resolveActor(headers, t.db)).toBeNull();
  });

  it("ignores a forged, expired or garbled session cookie", async () => {
    const sid = await insertSession(officer);
    const claims = { uid: officer.id, sid, role: officer.role, email: officer.email, sub: officer.id };
    const forged = await encode({
      token: claims,
      secret: "another-secret-that-is-long-enough!!",
      salt: SESSION_COOKIE,
    });
    expect(await resolveActor(new Headers({ cookie: `${SESSION_COOKIE}=${forged}` }), t.db)).toBeNull();
    const expired = await encode({
      token: claims,
      secret: getEnv().AUTH_SECRET,
      salt: SESSION_COOKIE,
      maxAge: -120,
    });
    expect(await resolveActor(new Headers({ cookie: `${SESSION_COOKIE}=${expired}` }), t.db)).toBeNull();
    const valid = await encode({ token: claims, secret: getEnv().AUTH_SECRET, salt: SESSION_COOKIE });
    expect((await resolveActor(new Headers({ cookie: `${SESSION_COOKIE}=${valid}` }), t.db))?.id).toBe(
      officer.id,
    );
    expect(await resolveActor(new Headers({ cookie: "authjs.session-token=not-a-jwt" }), t.db)).toBeNull();
    expect(await resolveActor(new Headers(), t.db)).toBeNull();
  });
});
