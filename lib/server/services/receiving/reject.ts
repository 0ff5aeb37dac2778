import "server-only";
import { eq } from "drizzle-orm";
import type { InboxItemDetailDto, RejectInboxItemRequest } from "@/lib/schemas/inbox";
import { imports, inboxItems } from "@/lib/server/db/schema";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { getInboxItem } from "./inbox-items";
import { queueOutboundReceipt, receiptOnOwnShare } from "./outbound-receipts";

const NOT_PENDING: Record<string, string> = {
  importing: "This token is being imported right now: it can no longer be rejected.",
  imported: "This token was already imported: decide the imported session in the review queue instead.",
  rejected: "This token was already rejected.",
  expired: "This token has expired: there is nothing left to reject.",
  failed: "This token's import failed and the token is gone: there is nothing left to reject.",
  invalid:
    "Didit refused this token as invalid: it was never the partner's, and there is nothing left to reject.",
};

/**
 * `POST /api/inbox/{id}/reject`: a pending token, or one whose import failed while it stayed
 * unredeemed (retryable), is refused for good; the token is destroyed (a failed import row stays
 * failed, no longer retryable). A receipt goes back to a remote partner's console.
 */
export async function rejectInboxItem(
  ctx: ServiceContext,
  id: string,
  input: RejectInboxItemRequest,
): Promise<InboxItemDetailDto> {
  assertCan(ctx, "imports.create");
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const [item] = await tx.select().from(inboxItems).where(eq(inboxItems.id, id)).limit(1).for("update");
    if (!item) throw new AppError("not_found", "No such inbox item.");
    const state = item.state === "pending" && item.expiresAt <= now ? "expired" : item.state;
    const [failed] =
      state === "failed"
        ? await tx.select().from(imports).where(eq(imports.inboxItemId, id)).limit(1).for("update")
        : [];
    const retryable =
      !!failed &&
      failed.state === "failed" &&
      failed.retryable &&
      !!item.tokenCiphertext &&
      item.expiresAt > now;
    if (state !== "pending" && !retryable)
      throw new AppError("conflict", NOT_PENDING[state] ?? "This token is not pending.");
    await tx
      .update(inboxItems)
      .set({ state: "rejected", stateReason: input.reason, tokenCiphertext: null, updatedAt: now })
      .where(eq(inboxItems.id, id));
    if (failed && retryable) {
      await tx.update(imports).set({ retryable: false, updatedAt: now }).where(eq(imports.id, failed.id));
    }
    await recordAudit(tx, auditMeta(ctx), {
      action: "inbox.rejected",
      entityType: "inbox_item",
      entityId: id,
      data: {
        reason: input.reason,
        partnerId: item.partnerId,
        applicationId: item.applicationId,
        senderShareId: item.senderShareId,
        sourceSessionId: item.sourceSessionId,
        previousState: state,
        importId: failed?.id ?? null,
      },
    });
    if (item.localShareId)
      await receiptOnOwnShare(tx, auditMeta(ctx), item.localShareId, {
        status: "rejected",
        reason: input.reason,
      });
    else if (item.partnerId) {
      await queueOutboundReceipt(
        tx,
        {
          partnerId: item.partnerId,
          inboxItemId: id,
          shareId: item.senderShareId,
          status: "rejected",
          reason: input.reason,
          now,
        },
        auditMeta(ctx),
      );
    }
  });
  return getInboxItem(ctx, id);
}
