import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import {
  inboxItems,
  partners,
  recallNotices,
  recalls,
  shares,
  type RecallNoticeChannel,
  type RecallSource,
  type RecallTrigger,
} from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { partnerSigningSecret } from "@/lib/server/services/partners";
import { enqueueRecallPush } from "./push";
import { applyInboundRecall } from "./receive";

/**
 * Raising a recall (we are Service X): a source session we shared changed later (Declined,
 * deleted at Didit, `Kyc Expired`, moved back to In Review, or erased here). `raiseRecall` writes
 * one `recalls` row, flags every share of the session, and makes one notice per share that reached
 * (or may still reach) the partner: applied at once for a sister brand on this console (internal),
 * pushed by the `recalls.send` job (push.ts), or an officer's task ("tell the partner", tasks.ts).
 */

/** What partners are told, per trigger: a sentence, no personal data. */
export const RECALL_REASONS: Record<RecallTrigger, string> = {
  declined: "The source verification was declined after it was shared: review the imported session again.",
  deleted:
    "The source verification was deleted at Didit after it was shared: review the imported session again.",
  kyc_expired:
    "The source verification's KYC has expired since it was shared: review the imported session again.",
  in_review:
    "The source verification was moved back to review after it was shared: review the imported session again.",
  erased:
    "The source verification was erased at the sender's request after it was shared: review the imported session again.",
  withdrawn:
    "The sender withdrew this share after it was delivered: do not import it, and review a session already imported from it again.",
};

/**
 * The recall a change of a source session's status calls for, or null: Declined, `Kyc Expired`,
 * or back to In Review from a finished status; a status unchanged (a webhook handled again) never.
 */
export function recallTriggerOf(fromStatus: string | null, toStatus: string): RecallTrigger | null {
  if (fromStatus === toStatus) return null;
  if (toStatus === "Declined") return "declined";
  if (toStatus === "Kyc Expired") return "kyc_expired";
  if (toStatus === "In Review" && (fromStatus === "Approved" || fromStatus === "Declined"))
    return "in_review";
  return null;
}

const TRIGGER_STATUSES = new Set(["Declined", "Kyc Expired", "In Review"]);

/**
 * A source's status seen now (Didit's webhook): the recall it calls for, raised. The change is
 * from the mirror's status before this event; when the mirror already held the new status (a sync
 * pass got there first, or the event is handled again), from what partners were last told: the
 * latest recall's status, else the status the newest share was made with. So a change is recalled
 * once, whichever of sync and webhook saw it first.
 */
export async function recallForStatus(
  tx: Tx,
  meta: AuditRequestMeta,
  input: {
    applicationId: string;
    sessionId: string;
    previous: string | null;
    status: string;
    source: RecallSource;
  },
): Promise<RaisedRecall | null> {
  let from = input.previous;
  let trigger = recallTriggerOf(from, input.status);
  if (!trigger && from === input.status && TRIGGER_STATUSES.has(input.status)) {
    const sessionId = input.sessionId.toLowerCase();
    const [latest] = await tx
      .select({ toStatus: recalls.toStatus })
      .from(recalls)
      .where(and(eq(recalls.applicationId, input.applicationId), eq(recalls.sessionId, sessionId)))
      .orderBy(desc(recalls.raisedAt), desc(recalls.id))
      .limit(1);
    const [newest] = latest
      ? [null]
      : await tx
          .select({ sourceStatus: shares.sourceStatus })
          .from(shares)
          .where(and(eq(shares.applicationId, input.applicationId), eq(shares.sessionId, sessionId)))
          .orderBy(desc(shares.createdAt), desc(shares.id))
          .limit(1);
    if (!latest && !newest) return null;
    from = latest ? latest.toStatus : newest!.sourceStatus;
    trigger = recallTriggerOf(from, input.status);
  }
  if (!trigger) return null;
  return raiseRecall(tx, meta, {
    applicationId: input.applicationId,
    sessionId: input.sessionId,
    trigger,
    fromStatus: from,
    toStatus: input.status,
    source: input.source,
  });
}

export type RaiseRecallInput = {
  applicationId: string;
  sessionId: string;
  trigger: RecallTrigger;
  fromStatus: string | null;
  toStatus: string | null;
  source: RecallSource;
  raisedBy?: string | null;
  reason?: string;
  /** Only these shares of the session (an officer's withdrawal of one share); all when omitted. */
  shareIds?: string[];
};

export type RaisedRecall = { recallId: string; shares: number; notices: number };

type ShareRow = typeof shares.$inferSelect;
type PartnerRow = typeof partners.$inferSelect;
type RecallRow = typeof recalls.$inferSelect;

/** A token not handed over yet (push retrying, pick-up not taken, manual not revealed). */
function stillPending(share: ShareRow): boolean {
  return share.state === "pending" && share.revealedAt === null;
}

/**
 * A share the partner got, or may still get: a notice is owed for it. A recall revokes the tokens
 * still pending (the partner never receives what changed) — except an erasure's, which tells the
 * partner of those too and then revokes them itself (lib/server/services/erasure.ts).
 */
function reached(share: ShareRow, source: RecallSource): boolean {
  if (stillPending(share)) return source === "erasure";
  return share.state === "delivered" || share.state === "picked_up" || share.revealedAt !== null;
}

/**
 * Raises the recall of one of our source sessions, inside the caller's transaction: null when no
 * share of it exists (nothing written). A second call for the same transition (a webhook handled
 * again) finds every share already flagged by the latest recall of the same change and answers it.
 */
export async function raiseRecall(
  tx: Tx,
  meta: AuditRequestMeta,
  input: RaiseRecallInput,
): Promise<RaisedRecall | null> {
  const sessionId = input.sessionId.toLowerCase();
  const rows = await tx
    .select({ share: shares, partner: partners })
    .from(shares)
    .innerJoin(partners, eq(partners.id, shares.partnerId))
    .where(
      and(
        eq(shares.applicationId, input.applicationId),
        eq(shares.sessionId, sessionId),
        input.shareIds ? inArray(shares.id, input.shareIds) : undefined,
      ),
    )
    .orderBy(shares.createdAt, shares.id)
    .for("update", { of: shares });
  if (rows.length === 0) return null;

  const again = await sameRecallAgain(tx, input, sessionId, rows);
  if (again) return again;

  const now = meta.now;
  const recallId = randomUUID();
  const reason = input.reason?.trim() || RECALL_REASONS[input.trigger];
  const owed = rows.filter((r) => reached(r.share, input.source));
  await tx.insert(recalls).values({
    id: recallId,
    applicationId: input.applicationId,
    sessionId,
    trigger: input.trigger,
    fromStatus: input.fromStatus,
    toStatus: input.toStatus,
    reason,
    source: input.source,
    raisedBy: input.raisedBy ?? null,
    shareCount: rows.length,
    noticeCount: owed.length,
    raisedAt: now,
  });
  await tx
    .update(shares)
    .set({ recalledAt: now, recallId, updatedAt: now })
    .where(
      inArray(
        shares.id,
        rows.map((r) => r.share.id),
      ),
    );
  const revoked =
    input.source === "erasure"
      ? []
      : await revokePending(tx, meta, rows, input.raisedBy ?? null, recallId, reason);
  await recordAudit(tx, meta, {
    action: "recall.raised",
    entityType: "recall",
    entityId: recallId,
    data: {
      applicationId: input.applicationId,
      sessionId,
      trigger: input.trigger,
      fromStatus: input.fromStatus,
      toStatus: input.toStatus,
      source: input.source,
      shareIds: rows.map((r) => r.share.id),
      notices: owed.length,
      revokedShareIds: revoked.map((r) => r.id),
    },
  });

  const recall = (await tx.select().from(recalls).where(eq(recalls.id, recallId)).limit(1))[0]!;
  for (const { share, partner } of owed) await openNotice(tx, meta, recall, share, partner);
  return { recallId, shares: rows.length, notices: owed.length };
}

async function channelFor(
  tx: Tx,
  share: ShareRow,
  partner: PartnerRow,
  now: Date,
): Promise<RecallNoticeChannel> {
  if (share.channel === "internal") return "internal";
  if (partner.pushUrl && (await partnerSigningSecret(tx, partner.id, now))) return "push";
  return "task";
}

type Locked = { share: ShareRow; partner: PartnerRow };

/** The latest recall of the session when it is this same change and already flags every share (a webhook handled again). */
async function sameRecallAgain(
  tx: Tx,
  input: RaiseRecallInput,
  sessionId: string,
  rows: Locked[],
): Promise<RaisedRecall | null> {
  const [latest] = await tx
    .select()
    .from(recalls)
    .where(and(eq(recalls.applicationId, input.applicationId), eq(recalls.sessionId, sessionId)))
    .orderBy(desc(recalls.raisedAt), desc(recalls.id))
    .limit(1);
  if (
    latest &&
    latest.trigger === input.trigger &&
    latest.fromStatus === input.fromStatus &&
    latest.toStatus === input.toStatus &&
    rows.every((r) => r.share.recallId === latest.id)
  ) {
    return { recallId: latest.id, shares: latest.shareCount, notices: latest.noticeCount };
  }
  return null;
}

/** Tokens still waiting for delivery (push retrying, pick-up not taken): revoked, their copy destroyed. */
async function revokePending(
  tx: Tx,
  meta: AuditRequestMeta,
  rows: Locked[],
  raisedBy: string | null,
  recallId: string,
  reason: string,
): Promise<ShareRow[]> {
  const now = meta.now;
  const revoked = rows.filter((r) => stillPending(r.share)).map((r) => r.share);
  if (revoked.length === 0) return revoked;
  await tx
    .update(shares)
    .set({
      state: "revoked",
      tokenCiphertext: null,
      revokedAt: now,
      revokedBy: raisedBy,
      revokeReason: `recalled: ${reason}`,
      updatedAt: now,
    })
    .where(
      inArray(
        shares.id,
        revoked.map((r) => r.id),
      ),
    );
  for (const r of revoked) {
    await recordAudit(tx, meta, {
      action: "share.revoked",
      entityType: "share",
      entityId: r.id,
      data: {
        reason: "recalled",
        recallId,
        previousState: r.state,
        channel: r.channel,
        partnerId: r.partnerId,
      },
    });
  }
  return revoked;
}

/** One notice for a share the partner got: applied now (internal), queued (push) or an officer's task. */
async function openNotice(
  tx: Tx,
  meta: AuditRequestMeta,
  recall: RecallRow,
  share: ShareRow,
  partner: PartnerRow,
): Promise<void> {
  const now = meta.now;
  const recallId = recall.id;
  const channel = await channelFor(tx, share, partner, now);
  const noticeId = randomUUID();
  await tx.insert(recallNotices).values({
    id: noticeId,
    recallId,
    shareId: share.id,
    partnerId: partner.id,
    channel,
    state: channel === "push" ? "pending" : channel === "task" ? "open" : "sent",
    attempts: channel === "internal" ? 1 : 0,
    sentAt: channel === "internal" ? now : null,
    createdAt: now,
    updatedAt: now,
  });
  await recordAudit(tx, meta, {
    action:
      channel === "internal" ? "recall.sent" : channel === "push" ? "recall.queued" : "recall.task_opened",
    entityType: "share",
    entityId: share.id,
    data: { recallId, noticeId, partnerId: partner.id, channel, trigger: recall.trigger },
  });
  if (channel === "push") {
    await enqueueRecallPush(tx, noticeId, now);
  } else if (channel === "internal") {
    await applyInternally(tx, meta, recall, share, noticeId);
  }
}

/** A sister brand on this console: the receiving side, applied now, for each inbox item of the share. */
async function applyInternally(
  tx: Tx,
  meta: AuditRequestMeta,
  recall: RecallRow,
  share: ShareRow,
  noticeId: string,
): Promise<void> {
  const items = await tx
    .selectDistinct({ partnerId: inboxItems.partnerId })
    .from(inboxItems)
    .where(eq(inboxItems.localShareId, share.id));
  for (const item of items) {
    if (!item.partnerId) continue;
    await applyInboundRecall(tx, meta, {
      partnerId: item.partnerId,
      remoteRecallId: noticeId,
      senderShareId: share.id,
      sourceSessionId: recall.sessionId,
      trigger: recall.trigger,
      sourceStatus: recall.toStatus,
      reason: recall.reason,
      messageId: null,
      internal: true,
      recalledAt: recall.raisedAt,
    });
  }
}
