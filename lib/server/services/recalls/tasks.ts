import "server-only";
import { eq } from "drizzle-orm";
import type { RecallDoneRequest, RecallNoticeDto } from "@/lib/schemas/recalls";
import { recallNotices } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { AppError, assertCan, type ServiceContext } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { enqueueRecallPush } from "./push";
import { getNotice } from "./read";

/** An officer's side of a notice: a task marked told, a failed push queued again. */

type NoticeRow = typeof recallNotices.$inferSelect;

async function lockedNotice(tx: Tx, id: string): Promise<NoticeRow> {
  const [n] = await tx.select().from(recallNotices).where(eq(recallNotices.id, id)).limit(1).for("update");
  if (!n) throw new AppError("not_found", "No such recall notice.");
  return n;
}

/** `POST /api/recalls/notices/{id}/done`: an officer told the partner (the note says how). */
export async function markNoticeDone(
  ctx: ServiceContext,
  id: string,
  input: RecallDoneRequest,
): Promise<RecallNoticeDto> {
  assertCan(ctx, "recalls.manage");
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const n = await lockedNotice(tx, id);
    if (n.channel !== "task" || n.state !== "open") {
      throw new AppError(
        "conflict",
        n.state === "done"
          ? "This task was already closed."
          : "Only an open task can be marked told: this notice is sent by the console.",
      );
    }
    await tx
      .update(recallNotices)
      .set({ state: "done", doneBy: ctx.actor!.id, doneAt: now, doneNote: input.note, updatedAt: now })
      .where(eq(recallNotices.id, id));
    await recordAudit(tx, auditMeta(ctx), {
      action: "recall.task_done",
      entityType: "share",
      entityId: n.shareId,
      data: { recallId: n.recallId, noticeId: n.id, partnerId: n.partnerId, note: input.note },
    });
  });
  return getNotice(ctx, id);
}

/** `POST /api/recalls/notices/{id}/retry`: a failed push is queued again (attempts start over). */
export async function retryNotice(ctx: ServiceContext, id: string): Promise<RecallNoticeDto> {
  assertCan(ctx, "recalls.manage");
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const n = await lockedNotice(tx, id);
    if (n.channel !== "push" || n.state !== "failed") {
      throw new AppError("conflict", "Only a failed push can be retried.");
    }
    await tx
      .update(recallNotices)
      .set({ state: "pending", attempts: 0, updatedAt: now })
      .where(eq(recallNotices.id, id));
    await enqueueRecallPush(tx, id, now);
    await recordAudit(tx, auditMeta(ctx), {
      action: "recall.retried",
      entityType: "share",
      entityId: n.shareId,
      data: { recallId: n.recallId, noticeId: n.id, partnerId: n.partnerId, previousError: n.lastError },
    });
  });
  return getNotice(ctx, id);
}
