import "server-only";
import { count } from "drizzle-orm";
import type { Role } from "@/lib/rbac";
import { hashPassword } from "@/lib/server/crypto/passwords";
import { users } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { systemContext } from "@/lib/server/kernel";

/** One demo login per role. The README lists them; production refuses to create them. */
export const DEMO_USERS: { email: string; name: string; role: Role; password: string }[] = [
  { email: "admin@handoff.local", name: "Ada Admin", role: "admin", password: "handoff-admin" },
  {
    email: "partnerships@handoff.local",
    name: "Pat Partnerships",
    role: "partnerships",
    password: "handoff-partnerships",
  },
  { email: "officer@handoff.local", name: "Olu Officer", role: "officer", password: "handoff-officer" },
  { email: "auditor@handoff.local", name: "Aino Auditor", role: "auditor", password: "handoff-auditor" },
];

export class SeedRefusedError extends Error {}

/** Creates the demo users when the users table is empty; returns how many were created. */
export async function seedDemo(db: Db, options: { nodeEnv: string }): Promise<{ created: number }> {
  if (options.nodeEnv === "production") {
    throw new SeedRefusedError(
      "Refusing to create demo users with known passwords when NODE_ENV=production.",
    );
  }
  const [row] = await db.select({ n: count() }).from(users);
  if ((row?.n ?? 0) > 0) return { created: 0 };
  const hashed = await Promise.all(
    DEMO_USERS.map(async (u) => ({ ...u, hash: await hashPassword(u.password) })),
  );
  await db.transaction(async (tx) => {
    const meta = auditMeta(systemContext(db));
    for (const u of hashed) {
      const [created] = await tx
        .insert(users)
        // The README publishes these passwords for the demo: they are not one-time passwords.
        .values({
          email: u.email,
          name: u.name,
          role: u.role,
          passwordHash: u.hash,
          mustChangePassword: false,
        })
        .returning({ id: users.id });
      await recordAudit(tx, meta, {
        action: "users.create",
        entityType: "user",
        entityId: created!.id,
        data: { email: u.email, name: u.name, role: u.role, source: "demo-seed" },
      });
    }
  });
  return { created: DEMO_USERS.length };
}
