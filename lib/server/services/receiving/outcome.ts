import "server-only";
import { eq } from "drizzle-orm";
import { imports, inboxItems } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import type { ImportResult } from "@/lib/server/didit/types";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { recallLateImport } from "@/lib/server/services/recalls";
import { upsertMirrorClone } from "@/lib/server/services/sessions";
import { queueOutboundReceipt, receiptOnOwnShare } from "./outbound-receipts";

/**
 * Recording an import's outcome (the second transaction): the clone Didit created (the import and
 * the item imported, the token destroyed, the mirror row, the audit, the sender told), or the
 * failure. Both lock the import first, so Didit's answer and the safety net cannot both record one.
 */

type ImportRow = typeof imports.$inferSelect;

export type Clone = {
  sessionId: string;
  sessionNumber: number | null;
  sessionKind: "user" | "business";
  status: string;
  sharedFromSession: string | null;
  vendorData: string | null;
  workflowId: string | null;
  createdAt: Date;
};

export function cloneOf(result: ImportResult, now: Date): Clone {
  return {
    sessionId: result.sessionId,
    sessionNumber: result.sessionNumber,
    sessionKind: result.sessionKind,
    status: result.status,
    sharedFromSession: result.sharedFromSession,
    vendorData: result.vendorData,
    workflowId: result.workflowId,
    createdAt: now,
  };
}

/** The audit metadata of an import no officer started: a partner's policy, or the safety net. */
export function systemMeta(ctx: ServiceContext, label: string): AuditRequestMeta {
  return { actor: { id: null, label }, now: ctx.now(), requestId: ctx.requestId, ip: ctx.ip };
}

/** Records the clone: the import and the item imported, the token destroyed, the mirror row, the audit. */
export async function recordClone(
  db: ServiceContext["db"],
  meta: AuditRequestMeta,
  importId: string,
  clone: Clone,
  reconciled: boolean,
): Promise<void> {
  const now = meta.now;
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(imports).where(eq(imports.id, importId)).limit(1).for("update");
    if (!row) throw new AppError("not_found", "No such import.");
    if (row.state === "imported") return; // recorded already (the answer and the safety net agree)
    await tx
      .update(imports)
      .set({
        state: "imported",
        cloneSessionId: clone.sessionId,
        cloneSessionNumber: clone.sessionNumber,
        sharedFromSession: clone.sharedFromSession,
        statusAtImport: clone.status,
        status: clone.status,
        statusUpdatedAt: now,
        workflowId: clone.workflowId ?? row.workflowId,
        failureCode: null,
        failureReason: null,
        retryable: false,
        reconciledAt: reconciled ? now : null,
        finishedAt: now,
        updatedAt: now,
      })
      .where(eq(imports.id, importId));
    const [item] = await tx
      .update(inboxItems)
      .set({ state: "imported", stateReason: null, tokenCiphertext: null, updatedAt: now })
      .where(eq(inboxItems.id, row.inboxItemId))
      .returning({ localShareId: inboxItems.localShareId, receivedAt: inboxItems.receivedAt });
    await upsertMirrorClone(tx, row.applicationId, {
      sessionId: clone.sessionId,
      sessionNumber: clone.sessionNumber,
      sessionKind: clone.sessionKind,
      status: clone.status,
      vendorData: clone.vendorData ?? row.vendorData,
      workflowId: clone.workflowId ?? row.workflowId,
      sharedFromSession: clone.sharedFromSession ?? row.sourceSessionId,
      createdAt: clone.createdAt,
    });
    await auditClone(tx, meta, row, clone, reconciled);
    await afterClone(tx, meta, row, item, clone);
  });
}

/** The `import.created` audit event of a clone recorded. */
async function auditClone(
  tx: Tx,
  meta: AuditRequestMeta,
  row: ImportRow,
  clone: Clone,
  reconciled: boolean,
): Promise<void> {
  await recordAudit(tx, meta, {
    action: "import.created",
    entityType: "import",
    entityId: row.id,
    data: {
      inboxItemId: row.inboxItemId,
      applicationId: row.applicationId,
      partnerId: row.partnerId,
      senderShareId: row.senderShareId,
      sourceSessionId: row.sourceSessionId,
      sessionKind: row.sessionKind,
      cloneSessionId: clone.sessionId,
      sharedFromSession: clone.sharedFromSession,
      statusAtImport: clone.status,
      trustReview: row.trustReview,
      workflowId: clone.workflowId ?? row.workflowId,
      vendorData: row.vendorData,
      importedByPolicy: row.importedByPolicy,
      reconciled,
      attempts: row.attempts,
    },
  });
}

/** After a clone is recorded: a recall that waited for it applies, and the sender hears of it. */
async function afterClone(
  tx: Tx,
  meta: AuditRequestMeta,
  row: ImportRow,
  item: { localShareId: string | null; receivedAt: Date } | undefined,
  clone: Clone,
): Promise<void> {
  const now = meta.now;
  // The partner recalled this source while the token waited in our inbox: recalled at once.
  await recallLateImport(tx, meta, {
    id: row.id,
    partnerId: row.partnerId,
    sourceSessionId: row.sourceSessionId,
    senderShareId: row.senderShareId,
    receivedAt: item?.receivedAt ?? now,
  });
  if (item?.localShareId)
    await receiptOnOwnShare(tx, meta, item.localShareId, {
      status: "imported",
      cloneSessionId: clone.sessionId,
    });
  else {
    await queueOutboundReceipt(
      tx,
      {
        partnerId: row.partnerId,
        inboxItemId: row.inboxItemId,
        shareId: row.senderShareId,
        status: "imported",
        cloneSessionId: clone.sessionId,
        now,
      },
      meta,
    );
  }
}

/** The item's reason once Didit refused its token as invalid: a forgery, or a token mangled on the way. */
const INVALID_REASON =
  "Didit refused this token as invalid (malformed, or not signed by Didit): its claims were never verified, so it is not counted as the partner's and cannot be imported. Ask the partner for a new share if they meant to send one.";

/**
 * Records a failure: the import `failed` with our code and message; the item `failed`, its token
 * destroyed unless it is still unredeemed (`retryable`: it may be imported again). A token Didit
 * refused as invalid marks the item `invalid` (audited as `inbox.invalid`): never the partner's.
 * Answers the import's state after it: `imported` when the safety net found the clone meanwhile.
 */
export async function recordFailure(
  db: ServiceContext["db"],
  meta: AuditRequestMeta,
  importId: string,
  failure: { code: string; reason: string; retryable: boolean },
): Promise<ImportRow["state"] | null> {
  const now = meta.now;
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(imports).where(eq(imports.id, importId)).limit(1).for("update");
    if (!row) return null;
    if (row.state !== "importing") return row.state; // decided meanwhile (the safety net)
    await tx
      .update(imports)
      .set({
        state: "failed",
        failureCode: failure.code,
        failureReason: failure.reason,
        retryable: failure.retryable,
        finishedAt: now,
        updatedAt: now,
      })
      .where(eq(imports.id, importId));
    const invalid = failure.code === "token_invalid";
    await tx
      .update(inboxItems)
      .set({
        state: invalid ? "invalid" : "failed",
        stateReason: invalid ? INVALID_REASON : failure.reason,
        ...(failure.retryable ? {} : { tokenCiphertext: null }),
        updatedAt: now,
      })
      .where(eq(inboxItems.id, row.inboxItemId));
    await recordAudit(tx, meta, {
      action: "import.failed",
      entityType: "import",
      entityId: importId,
      data: {
        inboxItemId: row.inboxItemId,
        partnerId: row.partnerId,
        sourceSessionId: row.sourceSessionId,
        code: failure.code,
        retryable: failure.retryable,
        vendorData: row.vendorData,
        attempts: row.attempts,
      },
    });
    if (invalid) {
      // Who the claims named is kept as a claim: the token was never that partner's.
      await recordAudit(tx, meta, {
        action: "inbox.invalid",
        entityType: "inbox_item",
        entityId: row.inboxItemId,
        data: {
          importId,
          code: failure.code,
          claimedPartnerId: row.partnerId,
          claimedSourceSessionId: row.sourceSessionId,
        },
      });
    }
    return "failed" as const;
  });
}
