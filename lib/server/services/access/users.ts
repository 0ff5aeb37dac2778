import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { CreateUserRequest, UpdateUserRequest, UserDto } from "@/lib/schemas/users";
import { generatePassword, hashPassword } from "@/lib/server/crypto/passwords";
import { isUniqueViolation } from "@/lib/server/db/errors";
import { users } from "@/lib/server/db/schema";
import { AppError, assertCan, type ServiceContext } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { revokeSessionsOf } from "./user-sessions";

type UserRow = typeof users.$inferSelect;

export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    sso: row.oidcSubject !== null,
  };
}

export async function listUsers(ctx: ServiceContext): Promise<UserDto[]> {
  assertCan(ctx, "users.manage");
  const rows = await ctx.db.select().from(users).orderBy(asc(users.email));
  return rows.map(toUserDto);
}

/**
 * Creates a password user; the generated one-time password is returned once and never stored, and
 * must be changed at the first sign-in.
 */
export async function createUser(
  ctx: ServiceContext,
  input: CreateUserRequest,
): Promise<{ user: UserDto; initialPassword: string }> {
  assertCan(ctx, "users.manage");
  const initialPassword = generatePassword();
  const passwordHash = await hashPassword(initialPassword);
  try {
    const user = await ctx.db.transaction(async (tx) => {
      const now = ctx.now();
      const [row] = await tx
        .insert(users)
        .values({
          email: input.email,
          name: input.name,
          role: input.role,
          passwordHash,
          mustChangePassword: true,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await recordAudit(tx, auditMeta(ctx), {
        action: "users.create",
        entityType: "user",
        entityId: row!.id,
        data: { email: row!.email, name: row!.name, role: row!.role },
      });
      return row!;
    });
    return { user: toUserDto(user), initialPassword };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict", "A user with this email already exists.", {
        fields: { email: ["A user with this email already exists."] },
      });
    }
    throw error;
  }
}

/**
 * Changes a role and/or enables or disables a user. Nobody disables themselves, and the last
 * active admin cannot be demoted or disabled (the admins are row-locked while this is decided).
 */
export async function updateUser(
  ctx: ServiceContext,
  id: string,
  input: UpdateUserRequest,
): Promise<UserDto> {
  assertCan(ctx, "users.manage");
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const activeAdmins = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, "admin"), eq(users.status, "active")))
      .for("update");
    const [current] = await tx.select().from(users).where(eq(users.id, id)).limit(1).for("update");
    if (!current) throw new AppError("not_found", "No such user.");

    if (input.status === "disabled" && id === ctx.actor!.id && current.status === "active") {
      throw new AppError("conflict", "You cannot disable your own account.");
    }
    const losesAdmin =
      current.role === "admin" &&
      current.status === "active" &&
      ((input.role !== undefined && input.role !== "admin") || input.status === "disabled");
    if (losesAdmin && activeAdmins.length <= 1) {
      throw new AppError("conflict", "This is the last active admin: make another user admin first.");
    }

    const changes: Partial<typeof users.$inferInsert> = {};
    const meta = auditMeta(ctx);
    if (input.role !== undefined && input.role !== current.role) {
      changes.role = input.role;
      await recordAudit(tx, meta, {
        action: "users.role_change",
        entityType: "user",
        entityId: id,
        data: { email: current.email, from: current.role, to: input.role },
      });
    }
    if (input.status !== undefined && input.status !== current.status) {
      changes.status = input.status;
      changes.disabledAt = input.status === "disabled" ? now : null;
      // A disabled user is signed out everywhere at once, not just refused on the next request.
      const sessionsRevoked =
        input.status === "disabled" ? await revokeSessionsOf(tx, id, now, "user_disabled") : 0;
      await recordAudit(tx, meta, {
        action: input.status === "disabled" ? "users.disable" : "users.enable",
        entityType: "user",
        entityId: id,
        data: { email: current.email, ...(input.status === "disabled" ? { sessionsRevoked } : {}) },
      });
    }
    if (Object.keys(changes).length === 0) return toUserDto(current);
    const [updated] = await tx
      .update(users)
      .set({ ...changes, updatedAt: now })
      .where(eq(users.id, id))
      .returning();
    return toUserDto(updated!);
  });
}

/**
 * Creates an administrator from the command line (first install, or a locked-out team). Audited
 * as the system; the generated password is returned once.
 */
export async function bootstrapAdmin(
  ctx: ServiceContext,
  input: { email: string; name: string },
): Promise<{ user: UserDto; initialPassword: string }> {
  const meta = { ...auditMeta(ctx), actor: { id: null, label: "system (command line)" } };
  const initialPassword = generatePassword();
  const passwordHash = await hashPassword(initialPassword);
  try {
    const row = await ctx.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(users)
        .values({
          email: input.email,
          name: input.name,
          role: "admin",
          passwordHash,
          mustChangePassword: true,
        })
        .returning();
      await recordAudit(tx, meta, {
        action: "users.create",
        entityType: "user",
        entityId: created!.id,
        data: { email: created!.email, name: created!.name, role: "admin", source: "cli" },
      });
      return created!;
    });
    return { user: toUserDto(row), initialPassword };
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", "A user with this email already exists.");
    throw error;
  }
}
