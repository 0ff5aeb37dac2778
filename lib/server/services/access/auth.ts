import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Role } from "@/lib/rbac";
import { LOGIN_EMAIL_MAX, LOGIN_PASSWORD_MAX } from "@/lib/schemas/users";
import { burnPasswordCheck, verifyPassword } from "@/lib/server/crypto/passwords";
import { loginThrottles, users } from "@/lib/server/db/schema";
import { AppError, type Actor, type ServiceContext } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { startSession } from "./user-sessions";

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_WINDOW_MS = 15 * 60 * 1000;
export const LOCKOUT_DURATION_MS = 15 * 60 * 1000;

export type LoginOutcome =
  { ok: true; user: Actor; sessionId: string } | { ok: false; reason: "invalid" | "locked" | "disabled" };

/** What is wrong with sign-in input no form would send (and PostgreSQL must never see). */
function malformedParts(input: { email: string; password: string }): string[] {
  const problems: string[] = [];
  if (input.email.length > LOGIN_EMAIL_MAX) problems.push("email_too_long");
  if (input.password.length > LOGIN_PASSWORD_MAX) problems.push("password_too_long");
  if (input.email.includes("\u0000") || input.password.includes("\u0000")) problems.push("nul_byte");
  return problems;
}

/**
 * Password login with lockout: five failures for one login name within 15 minutes lock it for 15
 * minutes. Unknown names are throttled exactly like real ones, so no answer reveals whether an
 * account exists. The throttle row is locked for the attempt, so parallel guesses are counted.
 * Oversized or NUL-bearing input is a failure like any other (audited, counted), keyed by the
 * cleaned name. A disabled account is named as such only after its right password.
 */
// Long on purpose: the sign-in steps (lookup, lockout, password, rehash, audit) read top to
// bottom in the order a reviewer checks them; each branch is a refusal with its own audit entry.
export async function authenticate(
  ctx: ServiceContext,
  input: { email: string; password: string },
): Promise<LoginOutcome> {
  const problems = malformedParts(input);
  const email = input.email.replaceAll("\u0000", "").trim().toLowerCase().slice(0, LOGIN_EMAIL_MAX);
  const password = input.password.slice(0, LOGIN_PASSWORD_MAX);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const meta = auditMeta(ctx);
    await tx.insert(loginThrottles).values({ email }).onConflictDoNothing();
    const [throttle] = await tx
      .select()
      .from(loginThrottles)
      .where(eq(loginThrottles.email, email))
      .for("update");
    const [user] = await tx.select().from(users).where(eq(users.email, email)).limit(1);
    const actor = { id: user?.id ?? null, label: email || "(empty)" };

    if (throttle?.lockedUntil && throttle.lockedUntil > now) {
      await burnPasswordCheck(password);
      await recordAudit(tx, meta, {
        action: "auth.login_failed",
        entityType: "user",
        entityId: user?.id ?? null,
        actor,
        data: { reason: "locked", lockedUntil: throttle.lockedUntil.toISOString() },
      });
      return { ok: false, reason: "locked" };
    }

    let passwordOk = false;
    if (problems.length > 0 || !user?.passwordHash) await burnPasswordCheck(password);
    else passwordOk = await verifyPassword(user.passwordHash, password);

    if (user && passwordOk && user.status === "active") {
      await tx
        .update(loginThrottles)
        .set({ failures: [], lockedUntil: null, updatedAt: now })
        .where(eq(loginThrottles.email, email));
      await tx.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
      const sessionId = await startSession(tx, ctx, user.id);
      await recordAudit(tx, meta, {
        action: "auth.login",
        entityType: "user",
        entityId: user.id,
        actor,
        data: { method: "password", ...(user.mustChangePassword ? { oneTimePassword: true } : {}) },
      });
      return {
        ok: true,
        sessionId,
        user: {
          id: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          mustChangePassword: user.mustChangePassword,
          sessionId,
        },
      };
    }

    const reason =
      problems.length > 0
        ? "malformed_input"
        : !user
          ? "unknown_account"
          : !passwordOk
            ? "wrong_password"
            : "account_disabled";
    const recent = (throttle?.failures ?? []).filter((t) => now.getTime() - t < LOCKOUT_WINDOW_MS);
    recent.push(now.getTime());
    const locks = recent.length >= LOCKOUT_THRESHOLD;
    const lockedUntil = locks ? new Date(now.getTime() + LOCKOUT_DURATION_MS) : null;
    await tx
      .update(loginThrottles)
      .set({ failures: locks ? [] : recent.slice(-LOCKOUT_THRESHOLD), lockedUntil, updatedAt: now })
      .where(eq(loginThrottles.email, email));
    await recordAudit(tx, meta, {
      action: "auth.login_failed",
      entityType: "user",
      entityId: user?.id ?? null,
      actor,
      data: { reason, failuresInWindow: recent.length, ...(problems.length > 0 ? { problems } : {}) },
    });
    if (locks) {
      await recordAudit(tx, meta, {
        action: "auth.lockout",
        entityType: "user",
        entityId: user?.id ?? null,
        actor,
        data: { lockedUntil: lockedUntil!.toISOString(), failures: recent.length },
      });
    }
    if (locks) return { ok: false, reason: "locked" };
    return { ok: false, reason: reason === "account_disabled" ? "disabled" : "invalid" };
  });
}

/**
 * Single sign-on: the identity provider vouches for the person; the role comes from its claim.
 * A known account keeps its id; a disabled one is refused.
 */
export async function authenticateOidc(
  ctx: ServiceContext,
  input: { subject: string; email: string; name: string; role: Role },
): Promise<{ user: Actor; sessionId: string }> {
  const email = input.email.trim().toLowerCase();
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const [existing] = await tx
      .select()
      .from(users)
      .where(sql`${users.oidcSubject} = ${input.subject} or ${users.email} = ${email}`)
      .limit(1)
      .for("update");
    if (existing && existing.status !== "active") {
      await recordAudit(tx, auditMeta(ctx), {
        action: "auth.login_failed",
        entityType: "user",
        entityId: existing.id,
        actor: { id: existing.id, label: email },
        data: { reason: "account_disabled", method: "oidc" },
      });
      throw new AppError("forbidden", "This account is disabled.");
    }
    let user: Actor;
    if (existing) {
      await tx
        .update(users)
        .set({
          oidcSubject: input.subject,
          role: input.role,
          name: input.name,
          lastLoginAt: now,
          updatedAt: now,
        })
        .where(eq(users.id, existing.id));
      user = { id: existing.id, email: existing.email, name: input.name, role: input.role };
    } else {
      const [created] = await tx
        .insert(users)
        .values({ email, name: input.name, role: input.role, oidcSubject: input.subject, lastLoginAt: now })
        .returning();
      user = { id: created!.id, email: created!.email, name: created!.name, role: created!.role };
    }
    const sessionId = await startSession(tx, ctx, user.id);
    await recordAudit(tx, auditMeta(ctx), {
      action: "auth.login",
      entityType: "user",
      entityId: user.id,
      actor: { id: user.id, label: email },
      data: {
        method: "oidc",
        role: input.role,
        ...(existing && existing.role !== input.role ? { previousRole: existing.role } : {}),
      },
    });
    return { user: { ...user, sessionId }, sessionId };
  });
}
