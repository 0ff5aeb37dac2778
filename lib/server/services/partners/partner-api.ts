import "server-only";
import { and, asc, eq, gt } from "drizzle-orm";
import type {
  PartnerShare,
  PartnerShareList,
  PickupResponse,
  ReceiptRequest,
  ReceiptResponse,
} from "@/lib/schemas/partner-api";
import { open } from "@/lib/server/crypto/envelope";
import { shareDeliveries, shareReceipts, shares } from "@/lib/server/db/schema";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { recordAudit } from "@/lib/server/services/audit";

/**
 * The partner API (`/api/partner/v1/**`): a partner's backend, authenticated by its Standard
 * Webhooks signature, lists the shares waiting for pick-up, takes each token once, and sends
 * receipts. A partner only ever sees its own shares; another's answer 404 as if they did not exist.
 */

export type PartnerCaller = { partnerId: string; messageId: string };

type ShareRow = typeof shares.$inferSelect;

const LIST_LIMIT = 500;

function partnerActor(caller: PartnerCaller) {
  return { id: null, label: `partner:${caller.partnerId}` };
}

function meta(ctx: ServiceContext, caller: PartnerCaller) {
  return {
    actor: partnerActor(caller),
    now: ctx.now(),
    requestId: ctx.requestId,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
  };
}

function fromApplicationOf(share: ShareRow): string {
  const claim = share.claims.from_application_id;
  return typeof claim === "string" ? claim : "";
}

function toPartnerShare(share: ShareRow): PartnerShare {
  return {
    share_id: share.id,
    session_kind: share.sessionKind,
    from_application_id: fromApplicationOf(share),
    for_application_id: share.forApplicationId,
    expires_at: share.expiresAt.toISOString(),
    manifest: share.manifest,
  };
}

/** This partner's pick-up shares still pending and unexpired, oldest first (no tokens). */
export async function listPickupShares(
  ctx: ServiceContext,
  caller: PartnerCaller,
): Promise<PartnerShareList> {
  const rows = await ctx.db
    .select()
    .from(shares)
    .where(
      and(
        eq(shares.partnerId, caller.partnerId),
        eq(shares.channel, "pickup"),
        eq(shares.state, "pending"),
        gt(shares.expiresAt, ctx.now()),
      ),
    )
    .orderBy(asc(shares.createdAt), asc(shares.id))
    .limit(LIST_LIMIT);
  return { items: rows.map(toPartnerShare) };
}

/**
 * Hands the token over once. The row lock makes concurrent pick-ups one: the first takes the token
 * (destroyed here), every other answers 409.
 */
export async function pickUpShare(
  ctx: ServiceContext,
  caller: PartnerCaller,
  shareId: string,
): Promise<PickupResponse> {
  const now = ctx.now();
  const outcome = await ctx.db.transaction(async (tx) => {
    const [s] = await tx
      .select()
      .from(shares)
      .where(
        and(eq(shares.id, shareId), eq(shares.partnerId, caller.partnerId), eq(shares.channel, "pickup")),
      )
      .limit(1)
      .for("update");
    if (!s) return { status: "not_found" } as const;
    if (s.state === "picked_up")
      return { status: "conflict", message: "This share was already picked up." } as const;
    if (s.state === "revoked") {
      return {
        status: "conflict",
        message: "The sender revoked this share: ask them to share again.",
      } as const;
    }
    if (s.state === "expired" || (s.state === "pending" && s.expiresAt <= now)) {
      return {
        status: "conflict",
        message: "This share has expired: ask the sender to share again.",
      } as const;
    }
    if (s.state !== "pending" || !s.tokenCiphertext) {
      return { status: "conflict", message: "This share's token is no longer held." } as const;
    }
    const token = open(s.tokenCiphertext, s.id);
    const attempt = s.attempts + 1;
    await tx
      .update(shares)
      .set({
        state: "picked_up",
        tokenCiphertext: null,
        deliveredAt: now,
        attempts: attempt,
        lastError: null,
        updatedAt: now,
      })
      .where(eq(shares.id, s.id));
    await tx.insert(shareDeliveries).values({
      shareId: s.id,
      attempt,
      channel: "pickup",
      outcome: "picked_up",
      durationMs: 0,
      startedAt: now,
      finishedAt: now,
    });
    await recordAudit(tx, meta(ctx, caller), {
      action: "share.picked_up",
      entityType: "share",
      entityId: s.id,
      data: { partnerId: caller.partnerId, messageId: caller.messageId, attempt, tokenHash: s.tokenHash },
    });
    return { status: "ok", body: { ...toPartnerShare(s), share_token: token } } as const;
  });
  if (outcome.status === "not_found") throw new AppError("not_found", "No such share for this partner.");
  if (outcome.status === "conflict") throw new AppError("conflict", outcome.message);
  return outcome.body;
}

/** Stores a receipt about one of this partner's shares, and shows it on the share. */
export async function recordReceipt(
  ctx: ServiceContext,
  caller: PartnerCaller,
  input: ReceiptRequest,
): Promise<ReceiptResponse> {
  const now = ctx.now();
  const id = await ctx.db.transaction(async (tx) => {
    const [s] = await tx
      .select({ id: shares.id })
      .from(shares)
      .where(and(eq(shares.id, input.share_id), eq(shares.partnerId, caller.partnerId)))
      .limit(1)
      .for("update");
    if (!s) return null;
    const [row] = await tx
      .insert(shareReceipts)
      .values({
        shareId: s.id,
        partnerId: caller.partnerId,
        status: input.status,
        cloneSessionId: input.clone_session_id ?? null,
        reason: input.reason ?? null,
        messageId: caller.messageId,
        receivedAt: now,
      })
      .returning({ id: shareReceipts.id });
    await tx
      .update(shares)
      .set({
        receiptStatus: input.status,
        receiptCloneSessionId: input.clone_session_id ?? null,
        receiptReason: input.reason ?? null,
        receiptAt: now,
        updatedAt: now,
      })
      .where(eq(shares.id, s.id));
    await recordAudit(tx, meta(ctx, caller), {
      action: "share.receipt",
      entityType: "share",
      entityId: s.id,
      data: {
        partnerId: caller.partnerId,
        receiptId: row!.id,
        status: input.status,
        cloneSessionId: input.clone_session_id ?? null,
        reason: input.reason ?? null,
        messageId: caller.messageId,
      },
    });
    return row!.id;
  });
  if (!id) throw new AppError("not_found", "No such share for this partner: check share_id.");
  return { received: true, receipt_id: id };
}
