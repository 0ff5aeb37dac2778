import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { RevokeShareRequest, ShareDto } from "@/lib/schemas/shares";
import { shares } from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import type { Tx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { loadDto } from "./dto";
import { DELIVERY_QUEUE } from "./queues";
import { revokeRefusal } from "./refusals";

type ShareRow = typeof shares.$inferSelect;

/** The row of a share, locked for the rest of the transaction (404 when there is none). */
export async function lockShare(tx: Tx, id: string): Promise<ShareRow> {
  const [row] = await tx.select().from(shares).where(eq(shares.id, id)).limit(1).for("update");
  if (!row) throw new AppError("not_found", "No such share.");
  return row;
}

/** A push attempt in flight holds the token already: it decides the share, not a revoke. */
async function deliveryRunning(tx: Tx, shareId: string): Promise<boolean> {
  const [running] = await tx
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.queue, DELIVERY_QUEUE),
        eq(jobs.state, "running"),
        sql`${jobs.payload}->>'shareId' = ${shareId}`,
      ),
    )
    .limit(1);
  return Boolean(running);
}

/**
 * Revokes a share before delivery or pick-up: the stored token is destroyed and no delivery runs.
 * Didit tokens cannot be revoked upstream, so a token already handed over stays valid until `exp`.
 */
export async function revokeShare(
  ctx: ServiceContext,
  id: string,
  input: RevokeShareRequest,
): Promise<ShareDto> {
  assertCan(ctx, "shares.create");
  const now = ctx.now();
  const outcome = await ctx.db.transaction(async (tx) => {
    const s = await lockShare(tx, id);
    const refusal = revokeRefusal(s, now);
    if (refusal) return { refused: refusal };
    if (await deliveryRunning(tx, id)) {
      return {
        refused: "A delivery attempt to the partner is running right now: try again in a few seconds.",
      };
    }
    await tx
      .update(shares)
      .set({
        state: "revoked",
        tokenCiphertext: null,
        revokedAt: now,
        revokedBy: ctx.actor!.id,
        revokeReason: input.reason,
        updatedAt: now,
      })
      .where(eq(shares.id, id));
    await recordAudit(tx, auditMeta(ctx), {
      action: "share.revoked",
      entityType: "share",
      entityId: id,
      data: { reason: input.reason, previousState: s.state, channel: s.channel, partnerId: s.partnerId },
    });
    return { refused: null };
  });
  if (outcome.refused) throw new AppError("conflict", outcome.refused);
  return loadDto(ctx, ctx.db, id);
}
