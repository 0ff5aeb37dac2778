import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { importDecisions, imports } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import type { ServiceContext } from "@/lib/server/kernel";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";

/**
 * What became of a decision sent to Didit, written after Didit answered: accepted (`sentAt`,
 * audited `import.decided`), already so at Didit (confirmed at once on a recalled import), or
 * refused (`failed`). A new decision on a recalled import clears the recall.
 */

/** Didit accepted the decision: `sentAt`, audited `import.decided` (the webhook may have confirmed it already). */
export async function recordSent(
  db: ServiceContext["db"],
  meta: AuditRequestMeta,
  importId: string,
  decisionId: string,
) {
  await db.transaction(async (tx) => {
    const [d] = await tx
      .select()
      .from(importDecisions)
      .where(eq(importDecisions.id, decisionId))
      .limit(1)
      .for("update");
    if (!d || d.sentAt) return;
    await tx
      .update(importDecisions)
      .set({ sentAt: meta.now, updatedAt: meta.now })
      .where(eq(importDecisions.id, decisionId));
    await clearRecall(tx, meta, importId, d.status);
    await recordAudit(tx, meta, {
      action: "import.decided",
      entityType: "import",
      entityId: importId,
      data: {
        decisionId,
        status: d.status,
        comment: d.comment,
        ...(d.secondBy
          ? { proposedBy: d.decidedBy, confirmedBy: d.secondBy, secondComment: d.secondComment }
          : {}),
      },
    });
  });
}

/** A new decision on a recalled import: it leaves the queue's recalled group (audited `import.recall_cleared`). */
async function clearRecall(tx: Tx, meta: AuditRequestMeta, importId: string, status: string): Promise<void> {
  const [cleared] = await tx
    .update(imports)
    .set({ recallClearedAt: meta.now, recallClearedBy: meta.actor.id, updatedAt: meta.now })
    .where(
      and(eq(imports.id, importId), sql`${imports.recalledAt} is not null`, isNull(imports.recallClearedAt)),
    )
    .returning({ inboundRecallId: imports.inboundRecallId, trigger: imports.recallTrigger });
  if (!cleared) return;
  await recordAudit(tx, meta, {
    action: "import.recall_cleared",
    entityType: "import",
    entityId: importId,
    data: { status, inboundRecallId: cleared.inboundRecallId, trigger: cleared.trigger },
  });
}

/**
 * Didit answered that the clone already has the decided status (400 "same as the current
 * status"): for a recalled import that is the officer confirming the status it holds, so the
 * decision is confirmed and the recall cleared. Answers false for any other import.
 */
export async function confirmSameStatus(
  db: ServiceContext["db"],
  meta: AuditRequestMeta,
  importId: string,
  decisionId: string,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [imp] = await tx.select().from(imports).where(eq(imports.id, importId)).limit(1).for("update");
    if (!imp || !imp.recalledAt || imp.recallClearedAt) return false;
    const [d] = await tx
      .update(importDecisions)
      .set({ state: "confirmed", sentAt: meta.now, confirmedAt: meta.now, updatedAt: meta.now })
      .where(and(eq(importDecisions.id, decisionId), eq(importDecisions.state, "sent")))
      .returning({
        status: importDecisions.status,
        comment: importDecisions.comment,
        decidedBy: importDecisions.decidedBy,
        secondBy: importDecisions.secondBy,
        secondComment: importDecisions.secondComment,
      });
    if (!d) return false;
    await recordAudit(tx, meta, {
      action: "import.decided",
      entityType: "import",
      entityId: importId,
      data: {
        decisionId,
        status: d.status,
        comment: d.comment,
        sameStatus: true,
        ...(d.secondBy
          ? { proposedBy: d.decidedBy, confirmedBy: d.secondBy, secondComment: d.secondComment }
          : {}),
      },
    });
    await recordAudit(tx, meta, {
      action: "import.decision_confirmed",
      entityType: "import",
      entityId: importId,
      data: { decisionId, status: d.status, source: "same_status" },
    });
    await clearRecall(tx, meta, importId, d.status);
    return true;
  });
}

/** Didit's refusal of an update-status because the session already has that status. */
export const SAME_STATUS_RE = /already has this status/;

/** The decision did not take effect: `failed` with our code and message (the officer can decide again). */
export async function failDecision(
  tx: Tx,
  meta: AuditRequestMeta,
  importId: string,
  decisionId: string,
  failure: { code: string; reason: string },
): Promise<void> {
  const [d] = await tx
    .update(importDecisions)
    .set({ state: "failed", failureCode: failure.code, failureReason: failure.reason, updatedAt: meta.now })
    .where(and(eq(importDecisions.id, decisionId), eq(importDecisions.state, "sent")))
    .returning({ status: importDecisions.status });
  if (!d) return;
  await recordAudit(tx, meta, {
    action: "import.decision_failed",
    entityType: "import",
    entityId: importId,
    data: { decisionId, status: d.status, code: failure.code, reason: failure.reason },
  });
}
