import "server-only";
import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { OutboundReceiptDto } from "@/lib/schemas/inbox";
import type { ReceiptRequest } from "@/lib/schemas/partner-api";
import { inboxItems, outboundReceipts, partners, shareReceipts, shares } from "@/lib/server/db/schema";
import type { DbOrTx, Tx } from "@/lib/server/db/types";
import { defineJob, type JobContext } from "@/lib/server/jobs";
import { classifyAnswer } from "@/lib/server/kernel";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { describeStatus, remoteRequest, remoteTargetOf } from "@/lib/server/services/partners";

/**
 * Receipts we send back to a remote partner's console (it shared with us from its own Handoff):
 * `imported` with the clone's id, or `rejected` with the reason, POSTed signed to its
 * `/api/partner/v1/receipts` by the `receipts.send` job. One receipt per inbox item and status;
 * its `webhook-id` is the same on every attempt, so a retry after a lost 202 is answered 409
 * `replayed` (it was stored the first time) and counts as sent.
 */

export const RECEIPT_QUEUE = "receipts.send";
export const RECEIPT_MAX_ATTEMPTS = 8;
const SYSTEM = { id: null, label: "system" } as const;

type ReceiptRow = typeof outboundReceipts.$inferSelect;

export type OutboundReceiptInput = {
  partnerId: string;
  inboxItemId: string;
  /** The sender's share id (the item's `senderShareId`). */
  shareId: string | null;
  status: "imported" | "rejected";
  cloneSessionId?: string | null;
  reason?: string | null;
  now: Date;
};

/**
 * Queues the receipt in the caller's transaction (a rollback sends nothing): only for a token from
 * a remote console — not an internal delivery, with the sender's share id — and a partner we can
 * reach there (API base URL, our partner id at it, a signing secret). Answers the receipt's id, or
 * null when none is sent (or this item's receipt of that status was queued before).
 */
export async function queueOutboundReceipt(
  tx: Tx,
  input: OutboundReceiptInput,
  meta?: AuditRequestMeta,
): Promise<string | null> {
  if (!input.shareId) return null;
  const [item] = await tx
    .select({ localShareId: inboxItems.localShareId })
    .from(inboxItems)
    .where(eq(inboxItems.id, input.inboxItemId))
    .limit(1);
  if (!item || item.localShareId) return null;
  const [partner] = await tx.select().from(partners).where(eq(partners.id, input.partnerId)).limit(1);
  if (!partner) return null;
  const reachable = await remoteTargetOf(tx, partner, input.now);
  if (!reachable.ok) return null;

  const id = randomUUID();
  const [row] = await tx
    .insert(outboundReceipts)
    .values({
      id,
      partnerId: partner.id,
      inboxItemId: input.inboxItemId,
      shareId: input.shareId,
      status: input.status,
      cloneSessionId: input.status === "imported" ? (input.cloneSessionId ?? null) : null,
      reason: input.status === "rejected" ? (input.reason ?? null) : null,
      state: "pending",
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoNothing({ target: [outboundReceipts.inboxItemId, outboundReceipts.status] })
    .returning({ id: outboundReceipts.id });
  if (!row) return null;
  await outboundReceiptJob.enqueue(tx, { receiptId: id }, { singletonKey: id, now: input.now });
  await recordAudit(tx, meta ?? { actor: SYSTEM, now: input.now }, {
    action: "receipt.queued",
    entityType: "inbox_item",
    entityId: input.inboxItemId,
    data: { receiptId: id, partnerId: partner.id, shareId: input.shareId, status: input.status },
  });
  return id;
}

/** The body docs/partner-api.md "Receipts" describes, exactly. */
export function receiptBody(row: Pick<ReceiptRow, "shareId" | "status" | "cloneSessionId" | "reason">) {
  const body: ReceiptRequest = { share_id: row.shareId, status: row.status };
  if (row.status === "imported" && row.cloneSessionId) body.clone_session_id = row.cloneSessionId;
  if (row.status === "rejected" && row.reason) body.reason = row.reason;
  return body;
}

/** One webhook-id per receipt, so the partner's replay protection recognises our retries. */
export const receiptMessageId = (receiptId: string) => `msg_receipt_${receiptId.replace(/-/g, "")}`;

type Outcome = { state: "sent" } | { state: "failed"; error: string } | { state: "retry"; error: string };

/** 2xx (202) sent; 409 `replayed` sent before; 408/429, 3xx, 5xx and no answer retried; other 4xx final. */
export function classifyReceiptAnswer(answer: Awaited<ReturnType<typeof remoteRequest>>): Outcome {
  if (answer.kind === "unreachable") return { state: "retry", error: answer.error };
  const verdict = classifyAnswer(answer.status, { conflict: "sent-if-replayed", code: answer.code });
  if (verdict === "sent") return { state: "sent" };
  const error = describeStatus(answer);
  return verdict === "final" ? { state: "failed", error } : { state: "retry", error };
}

/** One attempt of one receipt (the `receipts.send` job). */
export async function sendOutboundReceipt(job: JobContext, receiptId: string): Promise<void> {
  const db = job.db;
  const now = job.now;
  const claimed = await db.transaction(async (tx) => {
    const [r] = await tx
      .select()
      .from(outboundReceipts)
      .where(eq(outboundReceipts.id, receiptId))
      .limit(1)
      .for("update");
    if (!r || r.state !== "pending") return null;
    await tx
      .update(outboundReceipts)
      .set({ attempts: r.attempts + 1, updatedAt: now })
      .where(eq(outboundReceipts.id, r.id));
    const [partner] = await tx.select().from(partners).where(eq(partners.id, r.partnerId)).limit(1);
    return { receipt: { ...r, attempts: r.attempts + 1 }, partner: partner ?? null };
  });
  if (!claimed) return;
  const { receipt, partner } = claimed;

  const reachable = partner
    ? await remoteTargetOf(db, partner, now)
    : ({ ok: false, reason: "the partner no longer exists" } as const);
  if (!reachable.ok) {
    await settle(db, receipt, { state: "failed", error: reachable.reason }, now);
    return;
  }
  const answer = await remoteRequest(reachable.target, {
    method: "POST",
    path: "receipts",
    body: JSON.stringify(receiptBody(receipt)),
    messageId: receiptMessageId(receipt.id),
    signal: job.signal,
  });
  const outcome = classifyReceiptAnswer(answer);
  if (outcome.state === "retry" && job.retryAt !== null) {
    await db
      .update(outboundReceipts)
      .set({ lastError: outcome.error, updatedAt: new Date() })
      .where(eq(outboundReceipts.id, receipt.id));
    throw new Error(`receipt not delivered: ${outcome.error}`);
  }
  await settle(
    db,
    receipt,
    outcome.state === "retry" ? { state: "failed", error: `${outcome.error} (gave up)` } : outcome,
    now,
  );
}

async function settle(
  db: JobContext["db"],
  receipt: ReceiptRow,
  outcome: { state: "sent" } | { state: "failed"; error: string },
  now: Date,
): Promise<void> {
  const at = new Date(Math.max(now.getTime(), Date.now()));
  await db.transaction(async (tx) => {
    const [current] = await tx
      .select({ state: outboundReceipts.state })
      .from(outboundReceipts)
      .where(eq(outboundReceipts.id, receipt.id))
      .limit(1)
      .for("update");
    if (!current || current.state !== "pending") return;
    await tx
      .update(outboundReceipts)
      .set(
        outcome.state === "sent"
          ? { state: "sent", sentAt: at, lastError: null, updatedAt: at }
          : { state: "failed", lastError: outcome.error, updatedAt: at },
      )
      .where(eq(outboundReceipts.id, receipt.id));
    await recordAudit(
      tx,
      { actor: SYSTEM, now: at },
      {
        action: outcome.state === "sent" ? "receipt.sent" : "receipt.failed",
        entityType: "inbox_item",
        entityId: receipt.inboxItemId,
        data: {
          receiptId: receipt.id,
          partnerId: receipt.partnerId,
          shareId: receipt.shareId,
          status: receipt.status,
          attempts: receipt.attempts,
          ...(outcome.state === "failed" ? { error: outcome.error } : {}),
        },
      },
    );
  });
}

/** The receipts of an inbox item as its page shows them, oldest first. */
export async function receiptsOfItem(db: DbOrTx, inboxItemId: string): Promise<OutboundReceiptDto[]> {
  const rows = await db
    .select()
    .from(outboundReceipts)
    .where(eq(outboundReceipts.inboxItemId, inboxItemId))
    .orderBy(asc(outboundReceipts.createdAt), asc(outboundReceipts.id));
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    cloneSessionId: r.cloneSessionId,
    reason: r.reason,
    state: r.state,
    attempts: r.attempts,
    lastError: r.lastError,
    sentAt: r.sentAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** `receipts.send`: one receipt to the partner, 8 attempts, exponential 10 s to 30 min. */
export const outboundReceiptJob = defineJob({
  queue: RECEIPT_QUEUE,
  payload: z.object({ receiptId: z.string() }),
  retry: {
    maxAttempts: RECEIPT_MAX_ATTEMPTS,
    backoff: { kind: "exponential", baseMs: 10_000, maxMs: 30 * 60_000 },
  },
  handler: (job, { receiptId }) => sendOutboundReceipt(job, receiptId),
});

/**
 * An internal delivery (a sister brand of this console shared it): the sender's share is ours, so
 * the receipt (`imported` with the clone, or `rejected` with the reason) is written on it as the
 * partner API's receipt would have been, audited as `share.receipt` on the internal channel.
 */
export async function receiptOnOwnShare(
  tx: Tx,
  meta: AuditRequestMeta,
  shareId: string,
  receipt: { status: "imported"; cloneSessionId: string } | { status: "rejected"; reason: string },
): Promise<void> {
  const now = meta.now;
  const cloneSessionId = receipt.status === "imported" ? receipt.cloneSessionId : null;
  const reason = receipt.status === "rejected" ? receipt.reason : null;
  const [share] = await tx
    .select({ id: shares.id, partnerId: shares.partnerId })
    .from(shares)
    .where(eq(shares.id, shareId))
    .limit(1)
    .for("update");
  if (!share) return;
  const [row] = await tx
    .insert(shareReceipts)
    .values({
      shareId: share.id,
      partnerId: share.partnerId,
      status: receipt.status,
      cloneSessionId,
      reason,
      receivedAt: now,
    })
    .returning({ id: shareReceipts.id });
  await tx
    .update(shares)
    .set({
      receiptStatus: receipt.status,
      receiptCloneSessionId: cloneSessionId,
      receiptReason: reason,
      receiptAt: now,
      updatedAt: now,
    })
    .where(eq(shares.id, share.id));
  await recordAudit(tx, meta, {
    action: "share.receipt",
    entityType: "share",
    entityId: share.id,
    data: {
      partnerId: share.partnerId,
      receiptId: row!.id,
      status: receipt.status,
      cloneSessionId,
      reason,
      channel: "internal",
    },
  });
}
