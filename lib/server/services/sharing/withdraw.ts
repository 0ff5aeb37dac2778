import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { ShareDetailDto, WithdrawShareRequest } from "@/lib/schemas/shares";
import { inboxItems, sessionMirror, shares } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { raiseRecall } from "@/lib/server/services/recalls";
import { getShare } from "./list";
import { withdrawRefusal } from "./refusals";

/**
 * Withdrawing a delivered share (we are Service X). Didit cannot revoke a token it minted, so the
 * partner is told not to use it: a sister brand's token still waiting in our own inbox is withdrawn
 * there (it can no longer be imported, and that inbox says why); otherwise — imported already, or
 * a remote partner — a `withdrawn` recall of this one share goes out through the recall machinery
 * (internal apply, push, or an officer's task). Once per share, audited `share.withdrawn`.
 */
export async function withdrawShare(
  ctx: ServiceContext,
  id: string,
  input: WithdrawShareRequest,
): Promise<ShareDetailDto> {
  assertCan(ctx, "shares.create");
  const now = ctx.now();
  const actor = ctx.actor!;
  await ctx.db.transaction(async (tx) => {
    const [share] = await tx.select().from(shares).where(eq(shares.id, id)).limit(1).for("update");
    if (!share) throw new AppError("not_found", "No such share.");
    const refusal = withdrawRefusal(share);
    if (refusal) throw new AppError(refusal.code, refusal.message);
    const meta = auditMeta(ctx);

    const { outcome, inboxItemIds } = await withdrawFromInbox(tx, share, input.reason, actor.id, now);

    let recallId: string | null = null;
    if (outcome === "recall") {
      const raised = await raiseRecall(tx, meta, {
        applicationId: share.applicationId,
        sessionId: share.sessionId,
        shareIds: [share.id],
        trigger: "withdrawn",
        fromStatus: share.sourceStatus,
        toStatus: (await currentStatus(tx, share)) ?? share.sourceStatus,
        source: "withdrawal",
        raisedBy: actor.id,
        reason: input.reason,
      });
      recallId = raised?.recallId ?? null;
    }

    await tx
      .update(shares)
      .set({
        withdrawnAt: now,
        withdrawnBy: actor.id,
        withdrawReason: input.reason,
        withdrawOutcome: outcome,
        updatedAt: now,
      })
      .where(eq(shares.id, share.id));
    await recordAudit(tx, meta, {
      action: "share.withdrawn",
      entityType: "share",
      entityId: share.id,
      data: {
        reason: input.reason,
        outcome,
        channel: share.channel,
        partnerId: share.partnerId,
        previousState: share.state,
        inboxItemIds,
        recallId,
      },
    });
  });
  return getShare(ctx, id);
}

/**
 * A sister brand's token still waiting in our own inbox (none imported) is withdrawn there, in this
 * transaction; anything else (imported already, or a remote partner) takes a recall.
 */
async function withdrawFromInbox(
  tx: Tx,
  share: typeof shares.$inferSelect,
  reason: string,
  actorId: string,
  now: Date,
): Promise<{ outcome: "inbox" | "recall"; inboxItemIds: string[] }> {
  let outcome: "inbox" | "recall" = "recall";
  let inboxItemIds: string[] = [];
  if (share.channel === "internal") {
    const items = await tx
      .select({ id: inboxItems.id, state: inboxItems.state })
      .from(inboxItems)
      .where(eq(inboxItems.localShareId, share.id))
      .for("update");
    if (items.some((i) => i.state === "importing")) {
      throw new AppError(
        "conflict",
        "The partner's console is importing this token right now: try again in a few seconds.",
      );
    }
    if (items.length > 0 && !items.some((i) => i.state === "imported")) {
      outcome = "inbox";
      // One the receiving officer rejected stays rejected (it cannot be imported either).
      inboxItemIds = items.filter((i) => i.state !== "rejected").map((i) => i.id);
      if (inboxItemIds.length > 0)
        await tx
          .update(inboxItems)
          .set({
            state: "withdrawn",
            stateReason: reason,
            withdrawnAt: now,
            withdrawnBy: actorId,
            tokenCiphertext: null,
            updatedAt: now,
          })
          .where(inArray(inboxItems.id, inboxItemIds));
    }
  }
  return { outcome, inboxItemIds };
}

/** The source's status as our mirror holds it now (what the recall's `status` tells the partner). */
async function currentStatus(tx: Tx, share: typeof shares.$inferSelect): Promise<string | null> {
  const [mirror] = await tx
    .select({ status: sessionMirror.status })
    .from(sessionMirror)
    .where(
      and(
        eq(sessionMirror.applicationId, share.applicationId),
        eq(sessionMirror.diditSessionId, share.sessionId),
        sql`${sessionMirror.deletedAt} is null`,
      ),
    )
    .limit(1);
  return mirror?.status ?? null;
}
