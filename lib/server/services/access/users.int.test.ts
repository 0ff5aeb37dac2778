import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/server/crypto/passwords";
import { auditEvents, users } from "@/lib/server/db/schema";
import { AppError, type Actor, type ServiceContext } from "@/lib/server/kernel";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, type TestUser } from "@/test/session";
import { bootstrapAdmin, createUser, listUsers, updateUser } from "./users";
import { authenticate } from "./auth";
import { verifyAuditChain } from "@/lib/server/services/audit/audit";

let t: TestDatabase;
let admin: TestUser;

const ctxAs = (u: TestUser | null): ServiceContext => ({
  db: t.db,
  actor: u ? ({ id: u.id, email: u.email, name: "x", role: u.role } satisfies Actor) : null,
  now: () => new Date(),
  requestId: "req-users-test",
  ip: null,
  userAgent: null,
});

async function expectAppError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await insertUser(t.db, "admin");
});
afterAll(() => t.close());

describe(`user administration (${testDriver()})`, () => {
  it("creates a user whose one-time password works and is stored only as a hash", async () => {
    const { user, initialPassword } = await createUser(ctxAs(admin), {
      email: "new.officer@test.local",
      name: "New Officer",
      role: "officer",
    });
    expect(initialPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.passwordHash).not.toContain(initialPassword);
    expect(await verifyPassword(row!.passwordHash!, initialPassword)).toBe(true);
    const login = await authenticate(ctxAs(null), {
      email: "new.officer@test.local",
      password: initialPassword,
    });
    expect(login.ok).toBe(true);
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.entityId, user.id)).limit(1);
    expect(event!.action).toBe("users.create");
    expect(JSON.stringify(event!.data)).not.toContain(initialPassword);
  });

  it("refuses a duplicate email with a conflict", async () => {
    await expectAppError(
      createUser(ctxAs(admin), { email: "new.officer@test.local", name: "Dup", role: "auditor" }),
      "conflict",
    );
  });

  it("refuses non-admins", async () => {
    const officer = await insertUser(t.db, "officer");
    await expectAppError(listUsers(ctxAs(officer)), "forbidden");
    await expectAppError(
      createUser(ctxAs(officer), { email: "x@test.local", name: "X", role: "admin" }),
      "forbidden",
    );
  });

  it("lets nobody disable themselves", async () => {
    await expectAppError(updateUser(ctxAs(admin), admin.id, { status: "disabled" }), "conflict");
  });

  it("never removes the last active admin, by demotion or by disabling", async () => {
    const second = await insertUser(t.db, "admin");
    // Two admins: demoting one is fine.
    await updateUser(ctxAs(admin), second.id, { role: "auditor" });
    // Now `admin` is the last one: a demotion by another (re-promoted) admin is refused.
    await updateUser(ctxAs(admin), second.id, { role: "admin" });
    await updateUser(ctxAs(second), admin.id, { status: "disabled" });
    await expectAppError(updateUser(ctxAs(admin), second.id, { role: "officer" }), "conflict");
    await expectAppError(updateUser(ctxAs(second), second.id, { role: "officer" }), "conflict");
    await updateUser(ctxAs(second), admin.id, { status: "active" });
  });

  it("disables and re-enables, auditing each step", async () => {
    const target = await insertUser(t.db, "auditor");
    const disabled = await updateUser(ctxAs(admin), target.id, { status: "disabled" });
    expect(disabled.status).toBe("disabled");
    const enabled = await updateUser(ctxAs(admin), target.id, { status: "active", role: "officer" });
    expect(enabled).toMatchObject({ status: "active", role: "officer" });
    const rows = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.entityId, target.id))
      .orderBy(auditEvents.seq);
    expect(rows.map((r) => r.action)).toEqual(["users.disable", "users.role_change", "users.enable"]);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  it("answers not_found for an unknown user", async () => {
    await expectAppError(
      updateUser(ctxAs(admin), "00000000-0000-4000-8000-000000000000", { role: "officer" }),
      "not_found",
    );
  });

  it("bootstraps an administrator from the command line, audited as the system", async () => {
    const { user, initialPassword } = await bootstrapAdmin(ctxAs(null), {
      email: "root@test.local",
      name: "Root",
    });
    expect(user.role).toBe("admin");
    expect(
      (await authenticate(ctxAs(null), { email: "root@test.local", password: initialPassword })).ok,
    ).toBe(true);
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.entityId, user.id)).limit(1);
    expect(event).toMatchObject({
      action: "users.create",
      actorLabel: "system (command line)",
      actorId: null,
    });
    await expectAppError(
      bootstrapAdmin(ctxAs(null), { email: "root@test.local", name: "Again" }),
      "conflict",
    );
  });
});
