import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveActor } from "@/lib/server/auth/session";
import { auditEvents, users } from "@/lib/server/db/schema";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, request, sessionCookie, type TestUser } from "@/test/session";
import { changePassword } from "./account";
import { authenticate } from "./auth";
import type { Actor, ServiceContext } from "@/lib/server/kernel";
import { bootstrapAdmin, createUser } from "./users";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

let t: TestDatabase;
let admin: TestUser;

const ctx = (actor: Actor | null): ServiceContext => ({
  db: t.db,
  actor,
  now: () => new Date(),
  requestId: "req-account-test",
  ip: null,
  userAgent: "vitest",
});

async function post(cookie: string, body: unknown): Promise<Response> {
  const { POST } = (await import("@/app/api/account/password/route")) as unknown as { POST: Handler };
  return POST(await request("/api/account/password", { method: "POST", cookie, body }), {
    params: Promise.resolve({}),
  });
}

const fieldsOf = async (res: Response) =>
  ((await res.json()) as { error: { details: { fields: Record<string, string[]> } } }).error.details.fields;

async function auditActions(userId: string): Promise<string[]> {
  const rows = await t.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.entityId, userId))
    .orderBy(auditEvents.seq);
  return rows.map((r) => r.action);
}

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await insertUser(t.db, "admin");
});
afterAll(() => t.close());

describe(`one-time passwords (${testDriver()})`, () => {
  it("a user created by an admin, or from the command line, must change the password", async () => {
    const { user } = await createUser(ctx({ ...admin, name: "x" }), {
      email: "otp.officer@test.local",
      name: "OTP Officer",
      role: "officer",
    });
    const { user: root } = await bootstrapAdmin(ctx(null), { email: "otp.root@test.local", name: "Root" });
    for (const id of [user.id, root.id]) {
      const [row] = await t.db.select().from(users).where(eq(users.id, id));
      expect(row).toMatchObject({ mustChangePassword: true, passwordChangedAt: null });
    }
  });
});

describe(`changing one's own password (${testDriver()})`, () => {
  it("replaces a one-time password: the flag clears, other sessions end, this one stays", async () => {
    const { user, initialPassword } = await createUser(ctx({ ...admin, name: "x" }), {
      email: `change.${Date.now()}@test.local`,
      name: "Changer",
      role: "auditor",
    });
    const login = await authenticate(ctx(null), { email: user.email, password: initialPassword });
    expect(login).toMatchObject({ ok: true, user: { mustChangePassword: true } });
    const current = await sessionCookie(user);
    const other = await sessionCookie(user);
    expect(await resolveActor(new Headers({ cookie: current }), t.db)).toMatchObject({
      mustChangePassword: true,
    });

    const res = await post(current, {
      currentPassword: initialPassword,
      newPassword: "a much better passphrase",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { passwordChangedAt: string; otherSessionsEnded: number };
    // The other cookie and the sign-in's own session end; the one used for the change does not.
    expect(body.otherSessionsEnded).toBe(2);
    expect(await resolveActor(new Headers({ cookie: other }), t.db)).toBeNull();
    expect(await resolveActor(new Headers({ cookie: current }), t.db)).toMatchObject({
      id: user.id,
      mustChangePassword: false,
    });
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.mustChangePassword).toBe(false);
    expect(row!.passwordChangedAt?.toISOString()).toBe(body.passwordChangedAt);

    expect((await authenticate(ctx(null), { email: user.email, password: initialPassword })).ok).toBe(false);
    expect(
      (await authenticate(ctx(null), { email: user.email, password: "a much better passphrase" })).ok,
    ).toBe(true);
    expect(await auditActions(user.id)).toContain("account.password_change");
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "account.password_change"))
      .then((rows) => rows.filter((r) => r.entityId === user.id));
    expect(JSON.stringify(event)).not.toContain("a much better passphrase");
    expect(JSON.stringify(event)).not.toContain(initialPassword);
  });

  it("refuses a wrong current password on its field, audited, changing nothing", async () => {
    const user = await insertUser(t.db, "officer", { mustChangePassword: true });
    const cookie = await sessionCookie(user);
    const before = await t.db.select().from(users).where(eq(users.id, user.id));
    const res = await post(cookie, {
      currentPassword: "not it at all",
      newPassword: "a brand new passphrase",
    });
    expect(res.status).toBe(422);
    expect(await fieldsOf(res)).toEqual({ currentPassword: ["The current password is not right."] });
    expect(await t.db.select().from(users).where(eq(users.id, user.id))).toEqual(before);
    expect(await auditActions(user.id)).toEqual(["account.password_change_failed"]);
    expect(await resolveActor(new Headers({ cookie }), t.db)).not.toBeNull();
  });

  it("refuses a short, an overlong, an unchanged or an incomplete new password with field errors", async () => {
    const user = await insertUser(t.db, "partnerships");
    const cookie = await sessionCookie(user);
    const cases: [unknown, Record<string, string[]>][] = [
      [
        { currentPassword: user.password, newPassword: "short" },
        { newPassword: ["Use at least 12 characters"] },
      ],
      [
        { currentPassword: user.password, newPassword: "x".repeat(1025) },
        { newPassword: ["Use at most 1024 characters"] },
      ],
      [
        { currentPassword: user.password, newPassword: user.password },
        { newPassword: ["Choose a password different from the current one"] },
      ],
      [{ newPassword: "long enough password" }, { currentPassword: ["Enter your current password"] }],
    ];
    for (const [body, fields] of cases) {
      const res = await post(cookie, body);
      expect(res.status).toBe(422);
      expect(await fieldsOf(res)).toEqual(fields);
    }
    expect(await auditActions(user.id)).toEqual([]);
  });

  it("needs a signed-in caller: no cookie, or a signed-out one, is 401", async () => {
    const user = await insertUser(t.db, "auditor");
    const res = await post("", { currentPassword: user.password, newPassword: "whatever it is now" });
    expect(res.status).toBe(401);
    await expect(
      changePassword(ctx(null), { currentPassword: user.password, newPassword: "whatever it is now" }),
    ).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("tells a single sign-on account that it has no password here", async () => {
    const [sso] = await t.db
      .insert(users)
      .values({ email: "sso.user@test.local", name: "SSO", role: "officer", oidcSubject: "sub-1" })
      .returning();
    const res = await post(await sessionCookie({ id: sso!.id, email: sso!.email, role: "officer" }), {
      currentPassword: "anything at all",
      newPassword: "a brand new passphrase",
    });
    expect(res.status).toBe(409);
  });
});
