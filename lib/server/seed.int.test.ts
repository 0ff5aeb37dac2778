import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/lib/server/db/schema";
import { authenticate } from "@/lib/server/services/access/auth";
import { systemContext } from "@/lib/server/kernel";
import { verifyAuditChain } from "@/lib/server/services/audit/audit";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { DEMO_USERS, SeedRefusedError, seedDemo } from "./seed";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ install: false });
});
afterAll(() => t.close());

const userCount = async () => Number((await t.db.select({ n: count() }).from(users))[0]!.n);

describe(`demo seed (${testDriver()})`, () => {
  it("refuses to create demo passwords in production, creating nothing", async () => {
    await expect(seedDemo(t.db, { nodeEnv: "production" })).rejects.toBeInstanceOf(SeedRefusedError);
    expect(await userCount()).toBe(0);
  });

  it("creates one user per role with the README's logins, once", async () => {
    expect(await seedDemo(t.db, { nodeEnv: "development" })).toEqual({ created: 4 });
    expect(await seedDemo(t.db, { nodeEnv: "development" })).toEqual({ created: 0 });
    expect(new Set(DEMO_USERS.map((u) => u.role))).toEqual(
      new Set(["admin", "partnerships", "officer", "auditor"]),
    );
    for (const demo of DEMO_USERS) {
      const outcome = await authenticate(systemContext(t.db), { email: demo.email, password: demo.password });
      // The README's passwords are the demo's, not one-time ones: no forced change.
      expect(outcome).toMatchObject({ ok: true, user: { role: demo.role, mustChangePassword: false } });
    }
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });
});
