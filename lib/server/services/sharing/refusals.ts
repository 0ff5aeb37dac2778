import "server-only";
import type { shares } from "@/lib/server/db/schema";

/**
 * What may be done with a share in its state, and why not: one sentence per refusal, shown by the
 * verbs when they refuse and used by the DTO's `canRevoke`/`canReveal`/`canWithdraw`.
 */

type ShareRow = typeof shares.$inferSelect;

/** Pending past `exp` reads as expired even before the expiry job or a sweep has written it. */
export function effectiveState(row: ShareRow, now: Date): ShareRow["state"] {
  return row.state === "pending" && row.expiresAt <= now ? "expired" : row.state;
}

const DELIVERED_STATES = new Set(["delivered", "picked_up"]);

export function revokeRefusal(s: ShareRow, now: Date): string | null {
  if (s.state === "revoked") return "This share was already revoked.";
  if (DELIVERED_STATES.has(s.state)) {
    return s.state === "picked_up"
      ? "The partner already picked this token up, and Didit cannot revoke a token it minted: withdraw the share instead."
      : "This token was already delivered, and Didit cannot revoke a token it minted: withdraw the share instead.";
  }
  if (s.state === "expired" || s.expiresAt <= now) {
    return "This token has expired: there is nothing left to revoke.";
  }
  return null;
}

/** Withdraw is for a token the partner has (delivered, picked up, revealed); once. */
export function withdrawRefusal(
  s: ShareRow,
): { code: "already_withdrawn" | "conflict"; message: string } | null {
  if (s.withdrawnAt) {
    return {
      code: "already_withdrawn",
      message: `This share was already withdrawn on ${s.withdrawnAt.toISOString()}; it cannot be withdrawn twice.`,
    };
  }
  if (DELIVERED_STATES.has(s.state)) return null;
  if (s.state === "pending") {
    return {
      code: "conflict",
      message: "This token has not been handed over yet: revoke the share instead (its token is destroyed).",
    };
  }
  return {
    code: "conflict",
    message:
      s.state === "revoked"
        ? "This share was revoked before the partner got its token: there is nothing to withdraw."
        : "The token never reached the partner: there is nothing to withdraw.",
  };
}

export function revealRefusal(s: ShareRow, now: Date): string | null {
  if (s.channel !== "manual") return "Only shares on the manual channel can be revealed.";
  if (s.revealedAt)
    return "This token was already revealed once; it cannot be shown again. Share the session again for a new token.";
  if (s.state === "revoked") return "This share was revoked: its token was destroyed.";
  if (effectiveState(s, now) === "expired")
    return "This token has expired: share the session again for a new one.";
  if (s.state !== "pending" || !s.tokenCiphertext) return "This token is no longer held.";
  return null;
}
