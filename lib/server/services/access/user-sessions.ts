import "server-only";
import { and, eq, gt, isNull, ne } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import { userSessions, users } from "@/lib/server/db/schema";
import type { DbOrTx, Tx } from "@/lib/server/db/types";
import { AppError, type Actor, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";

/** Why a session ended: kept on the row for the record. */
export type SessionEndReason = "sign_out" | "revoked_by_admin" | "user_disabled" | "password_change";

/** What a session cookie names: its row and its user (both must match). */
export type SessionRef = { sid: string; uid: string };

/**
 * Opens a server-side session for a sign-in, inside the sign-in's transaction. It lasts the
 * configured session age from now, however often the cookie is refreshed.
 */
export async function startSession(tx: Tx, ctx: ServiceContext, userId: string): Promise<string> {
  const now = ctx.now();
  const [row] = await tx
    .insert(userSessions)
    .values({
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + getEnv().AUTH_SESSION_MAX_AGE * 1000),
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    })
    .returning({ id: userSessions.id });
  return row!.id;
}

/**
 * The actor behind a session cookie, in one query: the session row must exist, belong to the
 * cookie's user, be neither revoked nor expired, and its user must be active.
 */
export async function loadSessionActor(db: DbOrTx, ref: SessionRef, now: Date): Promise<Actor | null> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      mustChangePassword: users.mustChangePassword,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(
      and(
        eq(userSessions.id, ref.sid),
        eq(userSessions.userId, ref.uid),
        isNull(userSessions.revokedAt),
        gt(userSessions.expiresAt, now),
        eq(users.status, "active"),
      ),
    )
    .limit(1);
  return row ? { ...row, sessionId: ref.sid } : null;
}

/**
 * Ends every live session of a user inside the caller's transaction (optionally all but one, the
 * caller's own); answers how many were live.
 */
export async function revokeSessionsOf(
  tx: Tx,
  userId: string,
  now: Date,
  reason: SessionEndReason,
  except?: string,
): Promise<number> {
  const ended = await tx
    .update(userSessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(
      and(
        eq(userSessions.userId, userId),
        isNull(userSessions.revokedAt),
        gt(userSessions.expiresAt, now),
        except ? ne(userSessions.id, except) : undefined,
      ),
    )
    .returning({ id: userSessions.id });
  return ended.length;
}

/**
 * Sign-out: ends the cookie's session and audits it. A session that had already ended (replayed
 * cookie, second tab) changes nothing and writes nothing.
 */
export async function endSession(ctx: ServiceContext, ref: SessionRef): Promise<{ ended: boolean }> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const [ended] = await tx
      .update(userSessions)
      .set({ revokedAt: now, revokedReason: "sign_out" })
      .where(
        and(
          eq(userSessions.id, ref.sid),
          eq(userSessions.userId, ref.uid),
          isNull(userSessions.revokedAt),
          gt(userSessions.expiresAt, now),
        ),
      )
      .returning({ id: userSessions.id });
    if (!ended) return { ended: false };
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, ref.uid));
    await recordAudit(tx, auditMeta(ctx), {
      action: "auth.logout",
      entityType: "user",
      entityId: ref.uid,
      actor: { id: ref.uid, label: user?.email ?? ref.uid },
    });
    return { ended: true };
  });
}

/** An admin's "sign out everywhere" for one user: every live session of theirs ends now. */
export async function revokeUserSessions(ctx: ServiceContext, userId: string): Promise<{ revoked: number }> {
  assertCan(ctx, "users.manage");
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
    if (!user) throw new AppError("not_found", "No such user.");
    const revoked = await revokeSessionsOf(tx, userId, now, "revoked_by_admin");
    await recordAudit(tx, auditMeta(ctx), {
      action: "users.sessions_revoke",
      entityType: "user",
      entityId: userId,
      data: { email: user.email, revoked },
    });
    return { revoked };
  });
}
