import "server-only";
import { eq, sql } from "drizzle-orm";
import type {
  AccountPasswordDto,
  ChangePasswordRequest,
  ChangePasswordResponse,
} from "@/lib/schemas/account";
import { hashPassword, verifyPassword } from "@/lib/server/crypto/passwords";
import { users } from "@/lib/server/db/schema";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { revokeSessionsOf } from "./user-sessions";

/**
 * The signed-in user replaces their password (a one-time one included). The current password must
 * be right; the user's other sessions end, the one making the change stays signed in.
 */
export async function changePassword(
  ctx: ServiceContext,
  input: ChangePasswordRequest,
): Promise<ChangePasswordResponse> {
  const actor = ctx.actor;
  if (!actor) throw new AppError("unauthenticated", "Sign in to continue.");
  const newHash = await hashPassword(input.newPassword);
  const outcome = await ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const [user] = await tx.select().from(users).where(eq(users.id, actor.id)).limit(1).for("update");
    if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
    if (!user.passwordHash) {
      throw new AppError("conflict", "Your account signs in with single sign-on: it has no password here.");
    }
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      await recordAudit(tx, auditMeta(ctx), {
        action: "account.password_change_failed",
        entityType: "user",
        entityId: user.id,
        data: { reason: "wrong_current_password" },
      });
      return { ok: false as const };
    }
    await tx
      .update(users)
      .set({ passwordHash: newHash, mustChangePassword: false, passwordChangedAt: now, updatedAt: now })
      .where(eq(users.id, user.id));
    const otherSessionsEnded = await revokeSessionsOf(tx, user.id, now, "password_change", actor.sessionId);
    await recordAudit(tx, auditMeta(ctx), {
      action: "account.password_change",
      entityType: "user",
      entityId: user.id,
      data: { otherSessionsEnded, ...(user.mustChangePassword ? { replacedOneTimePassword: true } : {}) },
    });
    return { ok: true as const, passwordChangedAt: now.toISOString(), otherSessionsEnded };
  });
  // Outside the transaction, so the failure's audit row is committed.
  if (!outcome.ok) {
    throw new AppError("validation_failed", "The current password is not right.", {
      fields: { currentPassword: ["The current password is not right."] },
    });
  }
  return { passwordChangedAt: outcome.passwordChangedAt, otherSessionsEnded: outcome.otherSessionsEnded };
}

/** What the change-password page needs: whether there is a password here and whether it is one-time. */
export async function getAccountPassword(ctx: ServiceContext): Promise<AccountPasswordDto> {
  const actor = ctx.actor;
  if (!actor) throw new AppError("unauthenticated", "Sign in to continue.");
  const [row] = await ctx.db
    .select({
      hasPassword: sql<boolean>`${users.passwordHash} is not null`,
      mustChangePassword: users.mustChangePassword,
      passwordChangedAt: users.passwordChangedAt,
    })
    .from(users)
    .where(eq(users.id, actor.id))
    .limit(1);
  if (!row) throw new AppError("unauthenticated", "Sign in to continue.");
  return {
    hasPassword: row.hasPassword,
    mustChangePassword: row.mustChangePassword,
    passwordChangedAt: row.passwordChangedAt?.toISOString() ?? null,
  };
}
