import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { type RecallDelivery, RECALL_DELIVERY_TYPE } from "@/lib/schemas/partner-api";
import { connectedApplications, partners, recallNotices, recalls, shares } from "@/lib/server/db/schema";
import type { Db, Tx } from "@/lib/server/db/types";
import { defineJob, type JobContext } from "@/lib/server/jobs";
import { classifyAnswer, partnerRequest } from "@/lib/server/kernel";
import { recordAudit } from "@/lib/server/services/audit";
import { partnerSigningSecret } from "@/lib/server/services/partners";

/**
 * The push of a recall notice (the `recalls.send` job): `handoff.recall.v1` POSTed signed to the
 * partner's inbox URL through the kernel's partner transport, one webhook-id per notice so the
 * partner's replay protection recognises our retries (its 409 `replayed` counts as sent).
 */

export const RECALL_QUEUE = "recalls.send";
export const RECALL_MAX_ATTEMPTS = 8;
export const RECALL_PUSH_TIMEOUT_MS = 10_000;
const SYSTEM = { id: null, label: "system" } as const;

type ShareRow = typeof shares.$inferSelect;
type NoticeRow = typeof recallNotices.$inferSelect;

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

/** Sends once; never throws, never puts the secret or the partner's message in its error text. */
async function post(url: string, body: string, secret: string, messageId: string, signal: AbortSignal) {
  const answer = await partnerRequest({
    method: "POST",
    url,
    body,
    secret,
    messageId,
    headers: { accept: "application/json" },
    signal,
    timeoutMs: RECALL_PUSH_TIMEOUT_MS,
    read: "json",
    onReadError: "no-body",
  });
  if (answer.kind === "answer") {
    const { status, code } = answer;
    const ok = status >= 200 && status < 300;
    return {
      status,
      code,
      error: ok ? null : `HTTP ${status}${code ? ` ${code}` : ""} from the partner's inbox`,
    } satisfies PushAnswer;
  }
  const reason =
    answer.why === "timeout"
      ? `no answer from the partner's inbox within ${RECALL_PUSH_TIMEOUT_MS / 1000} s`
      : answer.why === "interrupted"
        ? "interrupted (the worker stopped)"
        : `could not reach the partner's inbox (${answer.code})`;
  return { status: null, code: null, error: reason } satisfies PushAnswer;
}

/** 2xx sent; 409 `replayed` sent before; 408/429, 3xx, 5xx and no answer retried; other 4xx final. */
export function classifyRecallAnswer(answer: { status: number | null; code: string | null }) {
  const verdict = classifyAnswer(answer.status, { conflict: "sent-if-replayed", code: answer.code });
  return verdict === "final" ? ("failed" as const) : verdict;
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
  const answer = await post(partner!.pushUrl!, body, secret!, messageId, job.signal);
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

/** `recalls.send`: one push notice, 8 attempts, exponential 10 s to 30 min. */
export const recallPushJob = defineJob({
  queue: RECALL_QUEUE,
  payload: z.object({ noticeId: z.string() }),
  retry: {
    maxAttempts: RECALL_MAX_ATTEMPTS,
    backoff: { kind: "exponential", baseMs: 10_000, maxMs: 30 * 60_000 },
  },
  handler: (job, { noticeId }) => sendRecallNotice(job, noticeId),
});

/** Queues a notice's push, once per notice while one is waiting. */
export function enqueueRecallPush(tx: Tx, noticeId: string, now: Date) {
  return recallPushJob.enqueue(tx, { noticeId }, { singletonKey: noticeId, now });
}
