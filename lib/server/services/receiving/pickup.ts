import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import {
  partnerShareListSchema,
  pickupResponseSchema,
  type PartnerShare,
  type PickupResponse,
} from "@/lib/schemas/partner-api";
import { inboxItems, partners } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import { AppError, systemContext } from "@/lib/server/kernel";
import { defineJob, type JobContext } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import {
  enqueuePickupPoll,
  PICKUP_QUEUE,
  PICKUP_RETRY,
  pickupIntervalMs,
  pickupQualifies,
  describeStatus,
  remoteRequest,
  remoteTargetOf,
  type RemoteTarget,
} from "@/lib/server/services/partners";
import { receiveToken } from "./inbox";

/**
 * Pick-up polling (we are Service Y): a partner whose console offers pick-up for us is polled by
 * the `partners.pickup` job — a signed `GET {base}/api/partner/v1/shares`, then a signed
 * `POST …/shares/{id}/pickup` for each share not yet in our inbox; each token handed over goes the
 * way a push does (`receiveToken`, source `pickup`). A pick-up answered 409 was taken already (by
 * an earlier or concurrent poll). The poll's time and problem are kept on the partner row; only a
 * poll that took tokens is audited. Each run queues the next while the partner still qualifies.
 */

/** The contract caps a list at 500: a full page is listed again once its shares were taken. */
const LIST_PAGE_MAX = 500;
const MAX_LIST_ROUNDS = 10;
const ERROR_MAX = 300;

type PartnerRow = typeof partners.$inferSelect;

export type PickupPollResult = {
  listed: number;
  taken: number;
  alreadyTaken: number;
  refused: number;
  error: string | null;
};

const short = (text: string) => (text.length > ERROR_MAX ? `${text.slice(0, ERROR_MAX - 1)}…` : text);

/** Polls one partner once (the job's work, without the re-queue). Never throws for the partner's faults. */
export async function pollPartnerPickups(
  db: Db,
  partnerId: string,
  options: { now: Date; signal?: AbortSignal },
): Promise<PickupPollResult | null> {
  const now = options.now;
  const [partner] = await db.select().from(partners).where(eq(partners.id, partnerId)).limit(1);
  if (!partner || !pickupQualifies(partner)) return null;
  const result: PickupPollResult = { listed: 0, taken: 0, alreadyTaken: 0, refused: 0, error: null };
  const reachable = await remoteTargetOf(db, partner, now);
  if (!reachable.ok) {
    result.error = reachable.reason;
  } else {
    try {
      await takeAll(db, partner, reachable.target, result, options);
    } catch (error) {
      // Our own failure (the database): recorded like the partner's, without its details.
      getLogger().error(
        { partnerId, err: error instanceof Error ? error.message : String(error) },
        "pick-up poll failed",
      );
      result.error = "the poll failed on our side: see the server log";
    }
  }
  await recordPoll(db, partner, result, now);
  return result;
}

async function takeAll(
  db: Db,
  partner: PartnerRow,
  target: RemoteTarget,
  result: PickupPollResult,
  options: { now: Date; signal?: AbortSignal },
): Promise<void> {
  const seen = new Set<string>();
  for (let round = 0; round < MAX_LIST_ROUNDS; round++) {
    const listed = await remoteRequest(target, {
      method: "GET",
      path: "shares",
      messageId: `msg_${randomUUID().replace(/-/g, "")}`,
      signal: options.signal,
    });
    if (listed.kind === "unreachable") {
      result.error = `listing shares: ${listed.error}`;
      return;
    }
    if (listed.status !== 200) {
      result.error = `listing shares: ${describeStatus(listed)}`;
      return;
    }
    const parsed = partnerShareListSchema.safeParse(listed.json);
    if (!parsed.success) {
      result.error = "listing shares: the answer is not a share list (docs/partner-api.md, Pick-up)";
      return;
    }
    const fresh = parsed.data.items.filter((s) => !seen.has(s.share_id));
    for (const s of fresh) seen.add(s.share_id);
    result.listed += fresh.length;
    const waiting = await notYetReceived(db, partner.id, fresh);
    let takenThisRound = 0;
    for (const share of waiting) {
      const outcome = await takeOne(db, partner, target, share, options);
      if (outcome === "taken") {
        result.taken++;
        takenThisRound++;
      } else if (outcome === "already_taken") result.alreadyTaken++;
      else if (outcome === "refused") result.refused++;
      else if (outcome !== "gone") {
        result.error = `picking up share ${share.share_id}: ${outcome.error}`;
        return;
      }
    }
    if (parsed.data.items.length < LIST_PAGE_MAX || takenThisRound === 0) return;
  }
}

/** The listed shares whose id is not already the sender share id of one of this partner's items. */
async function notYetReceived(db: Db, partnerId: string, listed: PartnerShare[]): Promise<PartnerShare[]> {
  if (listed.length === 0) return [];
  const held = await db
    .select({ shareId: inboxItems.senderShareId })
    .from(inboxItems)
    .where(
      and(
        eq(inboxItems.partnerId, partnerId),
        inArray(
          inboxItems.senderShareId,
          listed.map((s) => s.share_id),
        ),
      ),
    );
  const have = new Set(held.map((h) => h.shareId));
  return listed.filter((s) => !have.has(s.share_id));
}

type TakeOutcome = "taken" | "already_taken" | "refused" | "gone" | { error: string };

async function takeOne(
  db: Db,
  partner: PartnerRow,
  target: RemoteTarget,
  share: PartnerShare,
  options: { now: Date; signal?: AbortSignal },
): Promise<TakeOutcome> {
  const answer = await remoteRequest(target, {
    method: "POST",
    path: `shares/${encodeURIComponent(share.share_id)}/pickup`,
    messageId: `msg_${randomUUID().replace(/-/g, "")}`,
    signal: options.signal,
  });
  if (answer.kind === "unreachable") return { error: answer.error };
  // Taken already (an earlier poll whose answer we stored, or a concurrent one), revoked or expired.
  if (answer.status === 409) return "already_taken";
  if (answer.status === 404) return "gone";
  if (answer.status !== 200) return { error: describeStatus(answer) };
  const parsed = pickupResponseSchema.safeParse(answer.json);
  if (!parsed.success || parsed.data.share_id.toLowerCase() !== share.share_id.toLowerCase()) {
    return { error: "the answer is not this share's pick-up (docs/partner-api.md, Pick-up)" };
  }
  return (await store(db, partner, parsed.data, options.now)) ? "taken" : "refused";
}

/** Hands the token to the inbox as a push would be; false when our checks refused it (audited there). */
async function store(db: Db, partner: PartnerRow, body: PickupResponse, now: Date): Promise<boolean> {
  const ctx = systemContext(db, () => now);
  const meta: AuditRequestMeta = { actor: { id: null, label: `pickup:${partner.id}` }, now };
  try {
    await receiveToken(ctx, meta, {
      source: "pickup",
      token: body.share_token,
      partnerId: partner.id,
      senderShareId: body.share_id,
      manifest: body.manifest,
      stated: body,
    });
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code !== "conflict" && error.code !== "internal_error") {
      getLogger().warn(
        { partnerId: partner.id, shareId: body.share_id, code: error.code },
        "a picked-up token was refused",
      );
      return false;
    }
    throw error;
  }
}

async function recordPoll(db: Db, partner: PartnerRow, result: PickupPollResult, now: Date) {
  const error = result.error ? short(result.error) : null;
  await db.transaction(async (tx) => {
    await tx
      .update(partners)
      .set({ pickupPolledAt: now, pickupError: error })
      .where(eq(partners.id, partner.id));
    if (result.taken > 0 || result.refused > 0) {
      await recordAudit(
        tx,
        { actor: { id: null, label: `pickup:${partner.id}` }, now },
        {
          action: "inbox.picked_up",
          entityType: "partner",
          entityId: partner.id,
          data: {
            name: partner.name,
            listed: result.listed,
            taken: result.taken,
            alreadyTaken: result.alreadyTaken,
            refused: result.refused,
            error,
          },
        },
      );
    }
  });
}

/** The `partners.pickup` job: one poll, then the next one queued while the partner qualifies. */
export async function runPickupJob(job: JobContext, partnerId: string): Promise<void> {
  try {
    await pollPartnerPickups(job.db, partnerId, { now: job.now, signal: job.signal });
  } finally {
    const [partner] = await job.db.select().from(partners).where(eq(partners.id, partnerId)).limit(1);
    if (partner && pickupQualifies(partner)) {
      const interval = pickupIntervalMs();
      const next = (Math.floor(job.now.getTime() / interval) + 1) * interval;
      await enqueuePickupPoll(job.db, partnerId, job.now, new Date(next));
    }
  }
}

/**
 * `partners.pickup`: one poll of one partner. Enqueued by `enqueuePickupPoll` (partners, which
 * cannot import this domain) with the same policy: 3 attempts, exponential 5 s to 1 min.
 */
export const pickupJob = defineJob({
  queue: PICKUP_QUEUE,
  payload: z.object({ partnerId: z.string() }),
  retry: PICKUP_RETRY,
  handler: (job, { partnerId }) => runPickupJob(job, partnerId),
});
