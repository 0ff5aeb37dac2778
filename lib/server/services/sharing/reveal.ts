import "server-only";
import { eq } from "drizzle-orm";
import type { RevealShareResponse } from "@/lib/schemas/shares";
import { open } from "@/lib/server/crypto/envelope";
import { shareDeliveries, shares } from "@/lib/server/db/schema";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { revealRefusal } from "./refusals";
import { lockShare } from "./revoke";

/** The manual channel: shows the token once; the stored copy is destroyed in the same transaction. */
export async function revealShare(ctx: ServiceContext, id: string): Promise<RevealShareResponse> {
  assertCan(ctx, "shares.create");
  const now = ctx.now();
  const outcome = await ctx.db.transaction(async (tx) => {
    const s = await lockShare(tx, id);
    const refusal = revealRefusal(s, now);
    if (refusal !== null) return { ok: false as const, refusal };
    const token = open(s.tokenCiphertext!, s.id);
    const attempt = s.attempts + 1;
    await tx
      .update(shares)
      .set({
        state: "delivered",
        tokenCiphertext: null,
        deliveredAt: now,
        revealedAt: now,
        revealedBy: ctx.actor!.id,
        attempts: attempt,
        lastError: null,
        updatedAt: now,
      })
      .where(eq(shares.id, id));
    await tx.insert(shareDeliveries).values({
      shareId: id,
      attempt,
      channel: "manual",
      outcome: "revealed",
      durationMs: 0,
      startedAt: now,
      finishedAt: now,
    });
    await recordAudit(tx, auditMeta(ctx), {
      action: "share.revealed",
      entityType: "share",
      entityId: id,
      data: { channel: "manual", partnerId: s.partnerId, tokenHash: s.tokenHash },
    });
    return { ok: true as const, token, expiresAt: s.expiresAt.toISOString() };
  });
  if (!outcome.ok) throw new AppError("conflict", outcome.refusal);
  return { token: outcome.token, expiresAt: outcome.expiresAt };
}
