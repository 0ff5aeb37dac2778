import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { type RecallDelivery, RECALL_DELIVERY_TYPE } from "@/lib/schemas/partner-api";
import type {
  InboundRecallDto,
  RecallDetailDto,
  RecallDoneRequest,
  RecallDto,
  RecallListQuery,
  RecallListResponse,
  RecallNoticeDto,
  RecalledImportDto,
  ShareRecallDto,
} from "@/lib/schemas/recalls";
import { can } from "@/lib/rbac";
import {
  connectedApplications,
  imports,
  inboundRecalls,
  inboxItems,
  partners,
  recallNotices,
  recalls,
  shares,
  users,
  type RecallNoticeChannel,
  type RecallSource,
  type RecallTrigger,
} from "@/lib/server/db/schema";
import type { Db, DbOrTx, Tx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/server/http/keyset-cursor";
import { enqueue, PermanentJobError, registerHandler, type JobContext } from "@/lib/server/jobs";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { partnerSigningSecret } from "@/lib/server/services/partners";

/**
 * Recall notices. Sending side (we are Service X): a source session we shared changed later
 * (Declined, deleted at Didit, `Kyc Expired`, moved back to In Review, or erased here). `raiseRecall`
 * writes one `recalls` row, flags every share of the session, and makes one notice per share that
 * reached (or may still reach) the partner: applied at once for a sister brand on this console
 * (internal), pushed signed as `handoff.recall.v1` to a partner's inbox URL by the `recalls.send`
 * job (retried with backoff), or an officer's task ("tell the partner") otherwise.
 *
 * Receiving side (Service Y): `receiveRecall` stores a partner's recall once per (partner, recall
 * id) and marks every import of that source from that partner recalled: it returns to the review
 * queue with the reason until an officer decides on it again.
 */

export const RECALL_QUEUE = "recalls.send";
export const RECALL_MAX_ATTEMPTS = 8;
export const RECALL_PUSH_TIMEOUT_MS = 10_000;
const SYSTEM = { id: null, label: "system" } as const;

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
type NoticeRow = typeof recallNotices.$inferSelect;

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
  // Tokens still waiting for delivery (push retrying, pick-up not taken): revoked, their copy destroyed.
  const revoked =
    input.source === "erasure" ? [] : rows.filter((r) => stillPending(r.share)).map((r) => r.share);
  if (revoked.length > 0) {
    await tx
      .update(shares)
      .set({
        state: "revoked",
        tokenCiphertext: null,
        revokedAt: now,
        revokedBy: input.raisedBy ?? null,
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
  }
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
  for (const { share, partner } of owed) {
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
      data: { recallId, noticeId, partnerId: partner.id, channel, trigger: input.trigger },
    });
    if (channel === "push") {
      await enqueueRecallPush(tx, noticeId, now);
    } else if (channel === "internal") {
      await applyInternally(tx, meta, recall, share, noticeId);
    }
  }
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

function enqueueRecallPush(tx: Tx, noticeId: string, now: Date) {
  return enqueue(tx, {
    queue: RECALL_QUEUE,
    payload: { noticeId },
    maxAttempts: RECALL_MAX_ATTEMPTS,
    backoff: { kind: "exponential", baseMs: 10_000, maxMs: 30 * 60_000 },
    singletonKey: noticeId,
    now,
  });
}

/** A sister brand on this console: the receiving side, applied now, for each inbox item of the share. */
async function applyInternally(
  tx: Tx,
  meta: AuditRequestMeta,
  recall: typeof recalls.$inferSelect,
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

// --- The push -------------------------------------------------------------------------------------

/** One webhook-id per notice, so the partner's replay protection recognises our retries. */
export const recallMessageId = (noticeId: string) => `msg_recall_${noticeId.replace(/-/g, "")}`;

/** The body docs/partner-api.md "Recalls" describes, exactly. */
export function recallBody(
  notice: Pick<NoticeRow, "id" | "shareId">,
  recall: Pick<typeof recalls.$inferSelect, "sessionId" | "trigger" | "toStatus" | "reason" | "raisedAt">,
  share: Pick<ShareRow, "claims" | "forApplicationId">,
  fromApplicationId: string,
): RecallDelivery {
  const claim = share.claims.from_application_id;
  return {
    type: RECALL_DELIVERY_TYPE,
    recall_id: notice.id,
    share_id: notice.shareId,
    session_id: recall.sessionId,
    from_application_id: typeof claim === "string" ? claim : fromApplicationId,
    for_application_id: share.forApplicationId,
    trigger: recall.trigger,
    status: recall.toStatus,
    reason: recall.reason,
    recalled_at: recall.raisedAt.toISOString(),
  };
}

type PushAnswer = { status: number | null; code: string | null; error: string | null };

const CODE_RE = /^[a-z][a-z0-9_]{0,59}$/;

function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  if (cause && typeof cause.code === "string" && /^[A-Z_]{2,40}$/.test(cause.code)) return cause.code;
  return "network error";
}

/** Sends once; never throws, never puts the secret or the partner's message in its error text. */
async function post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal) {
  const timeout = AbortSignal.timeout(RECALL_PUSH_TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.any([signal, timeout]),
    });
    const text = await res.text().catch(() => "");
    let code: string | null = null;
    try {
      const c = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
      code = typeof c === "string" && CODE_RE.test(c) ? c : null;
    } catch {
      code = null;
    }
    const ok = res.status >= 200 && res.status < 300;
    return {
      status: res.status,
      code,
      error: ok ? null : `HTTP ${res.status}${code ? ` ${code}` : ""} from the partner's inbox`,
    } satisfies PushAnswer;
  } catch (error) {
    const reason = timeout.aborted
      ? `no answer from the partner's inbox within ${RECALL_PUSH_TIMEOUT_MS / 1000} s`
      : signal.aborted
        ? "interrupted (the worker stopped)"
        : `could not reach the partner's inbox (${networkCode(error)})`;
    return { status: null, code: null, error: reason } satisfies PushAnswer;
  }
}

/** 2xx sent; 409 `replayed` sent before; 408/429, 3xx, 5xx and no answer retried; other 4xx final. */
export function classifyRecallAnswer(answer: { status: number | null; code: string | null }) {
  const { status, code } = answer;
  if (status === null) return "retry" as const;
  if (status >= 200 && status < 300) return "sent" as const;
  if (status === 409 && code === "replayed") return "sent" as const;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return "failed" as const;
  return "retry" as const;
}

/** One attempt of one push notice (the `recalls.send` job). */
export async function sendRecallNotice(job: JobContext, noticeId: string): Promise<void> {
  const db = job.db;
  const now = job.now;
  const claimed = await db.transaction(async (tx) => {
    const [n] = await tx
      .select()
      .from(recallNotices)
      .where(eq(recallNotices.id, noticeId))
      .limit(1)
      .for("update");
    if (!n || n.state !== "pending" || n.channel !== "push") return null;
    await tx
      .update(recallNotices)
      .set({ attempts: n.attempts + 1, updatedAt: now })
      .where(eq(recallNotices.id, n.id));
    const [recall] = await tx.select().from(recalls).where(eq(recalls.id, n.recallId)).limit(1);
    const [share] = await tx.select().from(shares).where(eq(shares.id, n.shareId)).limit(1);
    const [partner] = await tx.select().from(partners).where(eq(partners.id, n.partnerId)).limit(1);
    const [app] = await tx
      .select({ diditApplicationId: connectedApplications.diditApplicationId })
      .from(connectedApplications)
      .where(eq(connectedApplications.id, recall!.applicationId))
      .limit(1);
    return {
      notice: { ...n, attempts: n.attempts + 1 },
      recall: recall!,
      share: share!,
      partner: partner ?? null,
      fromApplicationId: app?.diditApplicationId ?? "",
    };
  });
  if (!claimed) return;
  const { notice, recall, share, partner } = claimed;

  let refusal: string | null = null;
  if (!partner) refusal = "the partner no longer exists";
  else if (!partner.pushUrl) refusal = "the partner has no inbox URL";
  const secret = refusal ? null : await partnerSigningSecret(db, partner!.id, now);
  if (!refusal && !secret) refusal = "the partner has no signing secret: generate one on the partner's page";
  if (refusal) {
    await settleNotice(db, notice, { state: "failed", status: null, error: refusal }, now);
    return;
  }
  const body = JSON.stringify(recallBody(notice, recall, share, claimed.fromApplicationId));
  const messageId = recallMessageId(notice.id);
  const sentAt = new Date();
  const answer = await post(
    partner!.pushUrl!,
    body,
    {
      "webhook-id": messageId,
      "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
      "webhook-signature": new Webhook(secret!).sign(messageId, sentAt, body),
    },
    job.signal,
  );
  const verdict = classifyRecallAnswer(answer);
  if (verdict === "retry" && job.retryAt !== null) {
    await db
      .update(recallNotices)
      .set({ lastError: answer.error, httpStatus: answer.status, updatedAt: new Date() })
      .where(eq(recallNotices.id, notice.id));
    throw new Error(`recall not delivered: ${answer.error}`);
  }
  await settleNotice(
    db,
    notice,
    verdict === "sent"
      ? { state: "sent", status: answer.status, error: null }
      : {
          state: "failed",
          status: answer.status,
          error: verdict === "retry" ? `${answer.error} (gave up)` : (answer.error ?? "refused"),
        },
    now,
  );
}

async function settleNotice(
  db: Db,
  notice: NoticeRow,
  outcome: { state: "sent" | "failed"; status: number | null; error: string | null },
  now: Date,
): Promise<void> {
  const at = new Date(Math.max(now.getTime(), Date.now()));
  await db.transaction(async (tx) => {
    const [current] = await tx
      .select({ state: recallNotices.state })
      .from(recallNotices)
      .where(eq(recallNotices.id, notice.id))
      .limit(1)
      .for("update");
    if (!current || current.state !== "pending") return;
    await tx
      .update(recallNotices)
      .set(
        outcome.state === "sent"
          ? { state: "sent", sentAt: at, lastError: null, httpStatus: outcome.status, updatedAt: at }
          : { state: "failed", lastError: outcome.error, httpStatus: outcome.status, updatedAt: at },
      )
      .where(eq(recallNotices.id, notice.id));
    await recordAudit(
      tx,
      { actor: SYSTEM, now: at },
      {
        action: outcome.state === "sent" ? "recall.sent" : "recall.failed",
        entityType: "share",
        entityId: notice.shareId,
        data: {
          recallId: notice.recallId,
          noticeId: notice.id,
          partnerId: notice.partnerId,
          channel: "push",
          attempts: notice.attempts,
          httpStatus: outcome.status,
          ...(outcome.state === "failed" ? { error: outcome.error } : {}),
        },
      },
    );
  });
}

function noticeIdOf(payload: Record<string, unknown>): string {
  const id = payload.noticeId;
  if (typeof id !== "string") throw new PermanentJobError("the job names no recall notice");
  return id;
}

export function registerRecallHandlers(): void {
  registerHandler(RECALL_QUEUE, (job, payload) => sendRecallNotice(job, noticeIdOf(payload)));
}

// --- Tasks and retries ----------------------------------------------------------------------------

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

// --- Receiving ------------------------------------------------------------------------------------

export type InboundRecallInput = {
  partnerId: string;
  remoteRecallId: string;
  senderShareId: string | null;
  sourceSessionId: string;
  trigger: RecallTrigger;
  sourceStatus: string | null;
  reason: string;
  messageId: string | null;
  internal: boolean;
  recalledAt: Date;
};

type InboundRow = typeof inboundRecalls.$inferSelect;

/**
 * Stores one recall a partner told us of (once per partner and recall id) and marks every import
 * of that source from that partner recalled (back in the review queue with the reason, any earlier
 * clearing undone). Answers the row and whether it was stored now.
 */
export async function applyInboundRecall(
  tx: Tx,
  meta: AuditRequestMeta,
  input: InboundRecallInput,
): Promise<{ row: InboundRow; created: boolean }> {
  const now = meta.now;
  const id = randomUUID();
  const sourceSessionId = input.sourceSessionId.toLowerCase();
  const senderShareId = input.senderShareId?.toLowerCase() ?? null;
  const [inserted] = await tx
    .insert(inboundRecalls)
    .values({
      id,
      partnerId: input.partnerId,
      remoteRecallId: input.remoteRecallId.toLowerCase(),
      senderShareId,
      sourceSessionId,
      trigger: input.trigger,
      sourceStatus: input.sourceStatus,
      reason: input.reason,
      messageId: input.messageId,
      internal: input.internal,
      recalledAt: input.recalledAt,
      receivedAt: now,
    })
    .onConflictDoNothing({ target: [inboundRecalls.partnerId, inboundRecalls.remoteRecallId] })
    .returning();
  if (!inserted) {
    const [held] = await tx
      .select()
      .from(inboundRecalls)
      .where(
        and(
          eq(inboundRecalls.partnerId, input.partnerId),
          eq(inboundRecalls.remoteRecallId, input.remoteRecallId.toLowerCase()),
        ),
      )
      .limit(1);
    return { row: held!, created: false };
  }
  const where: SQL[] = [
    eq(imports.partnerId, input.partnerId),
    eq(imports.sourceSessionId, sourceSessionId),
    eq(imports.state, "imported"),
  ];
  if (senderShareId) where.push(eq(imports.senderShareId, senderShareId));
  // The sender withdrew this share: its token still waiting here can no longer be imported.
  const withdrawnItems =
    input.trigger === "withdrawn" && senderShareId
      ? await tx
          .update(inboxItems)
          .set({
            state: "withdrawn",
            stateReason: input.reason,
            withdrawnAt: input.recalledAt,
            tokenCiphertext: null,
            updatedAt: now,
          })
          .where(
            and(
              eq(inboxItems.partnerId, input.partnerId),
              eq(inboxItems.senderShareId, senderShareId),
              eq(inboxItems.state, "pending"),
            ),
          )
          .returning({ id: inboxItems.id })
      : [];
  const marked = await tx
    .update(imports)
    .set({
      recalledAt: now,
      recallTrigger: input.trigger,
      recallReason: input.reason,
      inboundRecallId: id,
      recallClearedAt: null,
      recallClearedBy: null,
      updatedAt: now,
    })
    .where(and(...where))
    .returning({ id: imports.id, cloneSessionId: imports.cloneSessionId });
  const [row] = await tx
    .update(inboundRecalls)
    .set({ importCount: marked.length })
    .where(eq(inboundRecalls.id, id))
    .returning();
  await recordAudit(tx, meta, {
    action: "recall.received",
    entityType: "inbound_recall",
    entityId: id,
    data: {
      partnerId: input.partnerId,
      remoteRecallId: input.remoteRecallId,
      senderShareId,
      sourceSessionId,
      trigger: input.trigger,
      sourceStatus: input.sourceStatus,
      internal: input.internal,
      messageId: input.messageId,
      importIds: marked.map((m) => m.id),
      ...(withdrawnItems.length > 0 ? { withdrawnInboxItemIds: withdrawnItems.map((i) => i.id) } : {}),
    },
  });
  for (const m of marked) {
    await recordAudit(tx, meta, {
      action: "import.recalled",
      entityType: "import",
      entityId: m.id,
      data: {
        inboundRecallId: id,
        partnerId: input.partnerId,
        sourceSessionId,
        cloneSessionId: m.cloneSessionId,
        trigger: input.trigger,
        reason: input.reason,
      },
    });
  }
  return { row: row!, created: true };
}

/**
 * An import recorded after the partner's recall of its source already arrived (the token was in
 * our inbox, imported later): it is recalled at once, back in the review queue with the reason.
 * A recall matches the import's share exactly, or — one naming no share — every token of that
 * source received before it. Answers the inbound recall applied, or null.
 */
export async function recallLateImport(
  tx: Tx,
  meta: AuditRequestMeta,
  imp: {
    id: string;
    partnerId: string;
    sourceSessionId: string;
    senderShareId: string | null;
    receivedAt: Date;
  },
): Promise<string | null> {
  const sourceSessionId = imp.sourceSessionId.toLowerCase();
  const [recall] = await tx
    .select()
    .from(inboundRecalls)
    .where(
      and(
        eq(inboundRecalls.partnerId, imp.partnerId),
        eq(inboundRecalls.sourceSessionId, sourceSessionId),
        or(
          imp.senderShareId ? eq(inboundRecalls.senderShareId, imp.senderShareId.toLowerCase()) : sql`false`,
          and(
            isNull(inboundRecalls.senderShareId),
            sql`${inboundRecalls.receivedAt} >= ${imp.receivedAt.toISOString()}::timestamptz`,
          ),
        ),
      ),
    )
    .orderBy(desc(inboundRecalls.receivedAt), desc(inboundRecalls.id))
    .limit(1);
  if (!recall) return null;
  const now = meta.now;
  const [marked] = await tx
    .update(imports)
    .set({
      recalledAt: now,
      recallTrigger: recall.trigger,
      recallReason: recall.reason,
      inboundRecallId: recall.id,
      recallClearedAt: null,
      recallClearedBy: null,
      updatedAt: now,
    })
    .where(and(eq(imports.id, imp.id), eq(imports.state, "imported")))
    .returning({ id: imports.id, cloneSessionId: imports.cloneSessionId });
  if (!marked) return null;
  await tx
    .update(inboundRecalls)
    .set({ importCount: sql`${inboundRecalls.importCount} + 1` })
    .where(eq(inboundRecalls.id, recall.id));
  await recordAudit(tx, meta, {
    action: "import.recalled",
    entityType: "import",
    entityId: marked.id,
    data: {
      inboundRecallId: recall.id,
      partnerId: imp.partnerId,
      sourceSessionId,
      cloneSessionId: marked.cloneSessionId,
      trigger: recall.trigger,
      reason: recall.reason,
      late: true,
    },
  });
  return recall.id;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * `POST /api/partner/v1/inbox/{partnerId}` with a `handoff.recall.v1` body (signature verified):
 * the recall must come from the partner's own application and be about one of ours (else 422 with
 * a code, only a `recall.refused` audit event written).
 */
export async function receiveRecall(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  sender: { partnerId: string; messageId?: string },
  body: RecallDelivery,
): Promise<{ row: InboundRow; created: boolean }> {
  const [partner] = await ctx.db.select().from(partners).where(eq(partners.id, sender.partnerId)).limit(1);
  if (!partner) throw new AppError("not_found", "No such partner.");
  const [app] = await ctx.db
    .select()
    .from(connectedApplications)
    .where(eq(connectedApplications.id, partner.applicationId))
    .limit(1);
  let refusal: AppError | null = null;
  if (!same(body.from_application_id, partner.diditApplicationId)) {
    refusal = new AppError(
      "recall_from_other_partner",
      `This recall names Didit application ${body.from_application_id} as its sender, not ${partner.name}'s application: a partner can only recall its own shares.`,
    );
  } else if (!app || app.deletedAt || !same(body.for_application_id, app.diditApplicationId)) {
    refusal = new AppError(
      "recall_not_for_us",
      `This recall is about a share for Didit application ${body.for_application_id}, which is not the application ${partner.name}'s partnership is with.`,
    );
  }
  if (refusal) {
    await ctx.db.transaction((tx) =>
      recordAudit(tx, meta, {
        action: "recall.refused",
        entityType: "partner",
        entityId: partner.id,
        data: {
          partnerId: partner.id,
          code: refusal.code,
          remoteRecallId: body.recall_id,
          senderShareId: body.share_id,
          sourceSessionId: body.session_id,
        },
      }),
    );
    throw refusal;
  }
  return ctx.db.transaction((tx) =>
    applyInboundRecall(tx, meta, {
      partnerId: partner.id,
      remoteRecallId: body.recall_id,
      senderShareId: body.share_id,
      sourceSessionId: body.session_id,
      trigger: body.trigger,
      sourceStatus: body.status,
      reason: body.reason,
      messageId: sender.messageId ?? null,
      internal: false,
      recalledAt: new Date(body.recalled_at),
    }),
  );
}

// --- Reading --------------------------------------------------------------------------------------

type RecallRow = typeof recalls.$inferSelect;

function toRecallDto(r: RecallRow, applicationName: string | null): RecallDto {
  return {
    id: r.id,
    applicationId: r.applicationId,
    applicationName,
    sessionId: r.sessionId,
    trigger: r.trigger,
    fromStatus: r.fromStatus,
    toStatus: r.toStatus,
    reason: r.reason,
    source: r.source,
    shareCount: r.shareCount,
    noticeCount: r.noticeCount,
    raisedAt: r.raisedAt.toISOString(),
  };
}

function selectNotices(db: DbOrTx) {
  return db
    .select({
      notice: recallNotices,
      recall: recalls,
      applicationName: connectedApplications.name,
      partnerName: partners.name,
      doneBy: { id: users.id, name: users.name, email: users.email },
    })
    .from(recallNotices)
    .innerJoin(recalls, eq(recalls.id, recallNotices.recallId))
    .leftJoin(connectedApplications, eq(connectedApplications.id, recalls.applicationId))
    .leftJoin(partners, eq(partners.id, recallNotices.partnerId))
    .leftJoin(users, eq(users.id, recallNotices.doneBy));
}
type NoticeJoined = Awaited<ReturnType<ReturnType<typeof selectNotices>["limit"]>>[number];

function toNoticeDto(ctx: ServiceContext, r: NoticeJoined): RecallNoticeDto {
  const n = r.notice;
  const manage = !!ctx.actor && can(ctx.actor.role, "recalls.manage");
  return {
    id: n.id,
    recallId: n.recallId,
    shareId: n.shareId,
    partnerId: n.partnerId,
    partnerName: r.partnerName,
    channel: n.channel,
    state: n.state,
    attempts: n.attempts,
    lastError: n.lastError,
    httpStatus: n.httpStatus,
    sentAt: n.sentAt?.toISOString() ?? null,
    doneAt: n.doneAt?.toISOString() ?? null,
    doneBy: r.doneBy?.id ? r.doneBy : null,
    doneNote: n.doneNote,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    recall: toRecallDto(r.recall, r.applicationName),
    canRetry: manage && n.channel === "push" && n.state === "failed",
    canMarkDone: manage && n.channel === "task" && n.state === "open",
  };
}

async function getNotice(ctx: ServiceContext, id: string): Promise<RecallNoticeDto> {
  const [row] = await selectNotices(ctx.db).where(eq(recallNotices.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such recall notice.");
  return toNoticeDto(ctx, row);
}

async function importsOfInbound(db: DbOrTx, ids: string[]): Promise<Map<string, RecalledImportDto[]>> {
  const out = new Map<string, RecalledImportDto[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .select({
      id: imports.id,
      inboundRecallId: imports.inboundRecallId,
      cloneSessionId: imports.cloneSessionId,
      status: imports.status,
      recalledAt: imports.recalledAt,
      recallClearedAt: imports.recallClearedAt,
    })
    .from(imports)
    .where(inArray(imports.inboundRecallId, ids))
    .orderBy(imports.createdAt, imports.id);
  for (const r of rows) {
    const list = out.get(r.inboundRecallId!) ?? [];
    list.push({
      id: r.id,
      cloneSessionId: r.cloneSessionId,
      status: r.status,
      recalledAt: r.recalledAt?.toISOString() ?? null,
      recallClearedAt: r.recallClearedAt?.toISOString() ?? null,
    });
    out.set(r.inboundRecallId!, list);
  }
  return out;
}

function toInboundDto(
  r: { inbound: InboundRow; partnerName: string | null },
  list: RecalledImportDto[],
): InboundRecallDto {
  const i = r.inbound;
  return {
    id: i.id,
    partnerId: i.partnerId,
    partnerName: r.partnerName,
    remoteRecallId: i.remoteRecallId,
    senderShareId: i.senderShareId,
    sourceSessionId: i.sourceSessionId,
    trigger: i.trigger,
    sourceStatus: i.sourceStatus,
    reason: i.reason,
    internal: i.internal,
    importCount: i.importCount,
    recalledAt: i.recalledAt.toISOString(),
    receivedAt: i.receivedAt.toISOString(),
    state: list.some((x) => x.recallClearedAt === null) ? "open" : "cleared",
    imports: list,
  };
}

const openInbound = sql`exists (select 1 from ${imports} where ${imports.inboundRecallId} = ${inboundRecalls.id} and ${imports.recallClearedAt} is null)`;

/** `GET /api/recalls?side=sent|received`: newest first, a keyset cursor. */
export async function listRecalls(ctx: ServiceContext, query: RecallListQuery): Promise<RecallListResponse> {
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  if (query.side === "sent") {
    assertCan(ctx, "shares.read");
    const where: (SQL | undefined)[] = [];
    if (query.state) where.push(eq(recallNotices.state, query.state as NoticeRow["state"]));
    if (cursor) {
      where.push(
        sql`(${recallNotices.createdAt}, ${recallNotices.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
      );
    }
    const rows = await selectNotices(ctx.db)
      .where(and(...where))
      .orderBy(desc(recallNotices.createdAt), desc(recallNotices.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      side: "sent",
      items: page.map((r) => toNoticeDto(ctx, r)),
      nextCursor:
        rows.length > query.limit && last ? encodeKeysetCursor(last.notice.createdAt, last.notice.id) : null,
    };
  }
  assertCan(ctx, "inbox.read");
  const where: (SQL | undefined)[] = [];
  if (query.state === "open") where.push(openInbound);
  if (query.state === "cleared") where.push(sql`not ${openInbound}`);
  if (cursor) {
    where.push(
      sql`(${inboundRecalls.receivedAt}, ${inboundRecalls.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const rows = await ctx.db
    .select({ inbound: inboundRecalls, partnerName: partners.name })
    .from(inboundRecalls)
    .leftJoin(partners, eq(partners.id, inboundRecalls.partnerId))
    .where(and(...where))
    .orderBy(desc(inboundRecalls.receivedAt), desc(inboundRecalls.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const byId = await importsOfInbound(
    ctx.db,
    page.map((r) => r.inbound.id),
  );
  const last = page[page.length - 1];
  return {
    side: "received",
    items: page.map((r) => toInboundDto(r, byId.get(r.inbound.id) ?? [])),
    nextCursor:
      rows.length > query.limit && last ? encodeKeysetCursor(last.inbound.receivedAt, last.inbound.id) : null,
  };
}

/** `GET /api/recalls/{id}`: a recall we raised (with its notices), or one a partner told us of. */
export async function getRecall(ctx: ServiceContext, id: string): Promise<RecallDetailDto> {
  if (!ctx.actor) throw new AppError("unauthenticated", "Sign in to continue.");
  const [sent] = await ctx.db
    .select({ recall: recalls, applicationName: connectedApplications.name })
    .from(recalls)
    .leftJoin(connectedApplications, eq(connectedApplications.id, recalls.applicationId))
    .where(eq(recalls.id, id))
    .limit(1);
  if (sent) {
    assertCan(ctx, "shares.read");
    const notices = await selectNotices(ctx.db)
      .where(eq(recallNotices.recallId, id))
      .orderBy(recallNotices.createdAt, recallNotices.id);
    return {
      side: "sent",
      recall: toRecallDto(sent.recall, sent.applicationName),
      notices: notices.map((r) => toNoticeDto(ctx, r)),
    };
  }
  const [received] = await ctx.db
    .select({ inbound: inboundRecalls, partnerName: partners.name })
    .from(inboundRecalls)
    .leftJoin(partners, eq(partners.id, inboundRecalls.partnerId))
    .where(eq(inboundRecalls.id, id))
    .limit(1);
  if (!received) throw new AppError("not_found", "No such recall.");
  assertCan(ctx, "inbox.read");
  const byId = await importsOfInbound(ctx.db, [id]);
  return { side: "received", inbound: toInboundDto(received, byId.get(id) ?? []) };
}

/** The recall of a recalled share, for its page (null when it was never recalled). */
export async function recallOfShare(db: DbOrTx, shareId: string): Promise<ShareRecallDto | null> {
  const [share] = await db
    .select({ recallId: shares.recallId })
    .from(shares)
    .where(eq(shares.id, shareId))
    .limit(1);
  if (!share?.recallId) return null;
  const [recall] = await db.select().from(recalls).where(eq(recalls.id, share.recallId)).limit(1);
  if (!recall) return null;
  const [notice] = await db
    .select({ id: recallNotices.id, channel: recallNotices.channel, state: recallNotices.state })
    .from(recallNotices)
    .where(and(eq(recallNotices.recallId, recall.id), eq(recallNotices.shareId, shareId)))
    .limit(1);
  return {
    recallId: recall.id,
    trigger: recall.trigger,
    reason: recall.reason,
    raisedAt: recall.raisedAt.toISOString(),
    notice: notice ?? null,
  };
}

/** How many recalled imports wait for a new decision (the officers' alert). */
export async function openRecalledImportCount(db: DbOrTx): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(imports)
    .where(and(sql`${imports.recalledAt} is not null`, isNull(imports.recallClearedAt)));
  return Number(row?.n ?? 0);
}

/** Open officer tasks and failed pushes (the sending side's alert). */
export async function openRecallNoticeCount(db: DbOrTx): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recallNotices)
    .where(or(eq(recallNotices.state, "open"), eq(recallNotices.state, "failed")));
  return Number(row?.n ?? 0);
}
