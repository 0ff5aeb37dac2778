import "server-only";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { InboxItemDetailDto, PasteTokenRequest } from "@/lib/schemas/inbox";
import type { InboxDelivery, RecallDelivery, ShareDelivery } from "@/lib/schemas/partner-api";
import { seal, tokenHash } from "@/lib/server/crypto/envelope";
import { inboxItems, type InboxSource, type ShareManifest } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError, type ErrorCode, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { receiveRecall } from "@/lib/server/services/recalls";
import { evaluateImportPolicy } from "@/lib/server/services/partners";
import { enqueueAutoImport } from "./auto-import";
import { getInboxItem } from "./inbox-items";
import { checkIdentity, type StatedClaims } from "./share-token";

/**
 * The partner inbox (we are Service Y): share tokens arrive pushed by a partner (signed), picked up,
 * pasted by an officer, or handed over internally by a sister brand. Didit signs the token with a key
 * only it holds, so its claims can be read but not verified here; they are checked against what we
 * know (the token is for one of our applications, from this partner's application, not expired, of a
 * kind the partnership allows) before anything is stored. A token is stored once: sealed to its row,
 * found again by its SHA-256, so a redelivery answers the item already held. A refusal stores
 * nothing but its audit event (the token's hash, never the token).
 */

type InboxRow = typeof inboxItems.$inferSelect;

/** The codes a received token is refused with (each audited as `inbox.refused`). */
const REFUSAL_CODES = new Set<ErrorCode>([
  "token_invalid",
  "token_expired",
  "token_not_for_us",
  "token_from_other_partner",
  "token_from_unknown_partner",
  "token_claims_mismatch",
  "partner_suspended",
  "partner_not_inbound",
  "partner_agreement_expired",
  "partner_agreement_missing",
  "kind_not_allowed",
]);

export type TokenArrival = {
  source: Exclude<InboxSource, "internal">;
  token: string;
  /** Push and pick-up: the partner the signature proved; paste: found from the claims. */
  partnerId?: string;
  senderShareId?: string | null;
  manifest?: ShareManifest | null;
  /** What the push body says of the token: it must agree with the claims. */
  stated?: StatedClaims;
};

export type Received = { item: InboxRow; created: boolean };

async function recordRefusal(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  arrival: TokenArrival,
  error: AppError,
): Promise<void> {
  await ctx.db.transaction((tx) =>
    recordAudit(tx, meta, {
      action: "inbox.refused",
      entityType: "partner",
      entityId: arrival.partnerId ?? null,
      data: {
        partnerId: arrival.partnerId ?? null,
        source: arrival.source,
        code: error.code,
        tokenHash: tokenHash(arrival.token),
        senderShareId: arrival.senderShareId ?? null,
      },
    }),
  );
}

/**
 * Checks a received token and stores it once (one inbox item, the token sealed to it): answers the
 * item and whether it was created now (false: the same token was already held, e.g. a redelivery).
 * A refusal is audited (`inbox.refused`) and thrown; nothing else is stored.
 */
export async function receiveToken(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  arrival: TokenArrival,
): Promise<Received> {
  try {
    return await receive(ctx, meta, arrival);
  } catch (error) {
    if (error instanceof AppError && REFUSAL_CODES.has(error.code)) {
      await recordRefusal(ctx, meta, arrival, error);
    }
    throw error;
  }
}

async function byHash(db: DbOrTx, hash: string): Promise<InboxRow | null> {
  const [row] = await db.select().from(inboxItems).where(eq(inboxItems.tokenHash, hash)).limit(1);
  return row ?? null;
}

async function receive(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  arrival: TokenArrival,
): Promise<Received> {
  const now = ctx.now();
  const { claims, app, partner } = await checkIdentity(ctx.db, arrival);
  const hash = tokenHash(arrival.token);
  // A redelivery (a lost 2xx, or a token pasted that the partner also pushed): the item held.
  const held = await byHash(ctx.db, hash);
  if (held) return { item: held, created: false };

  if (claims.exp * 1000 <= now.getTime()) {
    throw new AppError(
      "token_expired",
      `This token expired at ${new Date(claims.exp * 1000).toISOString()}: ask ${partner.name} for a new share.`,
    );
  }
  const policy = evaluateImportPolicy(partner, claims, now);
  if (!policy.ok) throw new AppError(policy.code, policy.message);

  return ctx.db.transaction(async (tx) => {
    const id = randomUUID();
    const [inserted] = await tx
      .insert(inboxItems)
      .values({
        id,
        applicationId: app.id,
        partnerId: partner.id,
        source: arrival.source,
        senderShareId: arrival.senderShareId ?? null,
        tokenHash: hash,
        tokenCiphertext: seal(arrival.token, id),
        claims: { ...claims },
        manifest: arrival.manifest ?? null,
        sessionKind: claims.session_kind,
        sourceSessionId: claims.session_id,
        fromApplicationId: claims.from_application_id,
        expiresAt: new Date(claims.exp * 1000),
        state: "pending",
        receivedBy: ctx.actor?.id ?? null,
        receivedAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: inboxItems.tokenHash })
      .returning();
    if (!inserted) {
      // The same token arrived concurrently and its row won: answer that one.
      const winner = await byHash(tx, hash);
      if (!winner) throw new AppError("conflict", "This token is being received right now: try again.");
      return { item: winner, created: false };
    }
    await recordAudit(tx, meta, {
      action: "inbox.received",
      entityType: "inbox_item",
      entityId: id,
      data: {
        source: arrival.source,
        partnerId: partner.id,
        applicationId: app.id,
        senderShareId: arrival.senderShareId ?? null,
        sourceSessionId: claims.session_id,
        sessionKind: claims.session_kind,
        expiresAt: new Date(claims.exp * 1000).toISOString(),
        tokenHash: hash,
        autoImport: partner.importMode === "auto",
      },
    });
    // The partner's policy may import on arrival: the job is queued with the item, or not at all.
    await enqueueAutoImport(tx, inserted, partner, now);
    return { item: inserted, created: true };
  });
}

/** The audit metadata of a partner's signed request. */
export function partnerMeta(ctx: ServiceContext, partnerId: string): AuditRequestMeta {
  return {
    actor: { id: null, label: `partner:${partnerId}` },
    now: ctx.now(),
    requestId: ctx.requestId,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
  };
}

/** `POST /api/partner/v1/inbox/{partnerId}`: a partner pushes one share (signature already verified). */
export async function receivePush(
  ctx: ServiceContext,
  sender: { partnerId: string },
  body: ShareDelivery,
): Promise<Received> {
  return receiveToken(ctx, partnerMeta(ctx, sender.partnerId), {
    source: "push",
    token: body.share_token,
    partnerId: sender.partnerId,
    senderShareId: body.share_id,
    manifest: body.manifest,
    stated: body,
  });
}

export type InboxDeliveryReceived =
  | ({ type: ShareDelivery["type"] } & Received)
  | {
      type: RecallDelivery["type"];
      recall: { id: string; importCount: number };
      created: boolean;
    };

/**
 * `POST /api/partner/v1/inbox/{partnerId}`, either body: a share (`handoff.share.v1`, as
 * `receivePush`) or a recall (`handoff.recall.v1`: the partner's source changed, our imports of
 * it go back to review).
 */
export async function receiveInboxDelivery(
  ctx: ServiceContext,
  sender: { partnerId: string; messageId?: string },
  body: InboxDelivery,
): Promise<InboxDeliveryReceived> {
  if (body.type === "handoff.recall.v1") {
    const { row, created } = await receiveRecall(ctx, partnerMeta(ctx, sender.partnerId), sender, body);
    return { type: body.type, recall: { id: row.id, importCount: row.importCount }, created };
  }
  return { type: body.type, ...(await receivePush(ctx, sender, body)) };
}

/** `POST /api/inbox`: an officer pastes a token; the partner is found from its claims. */
export async function pasteToken(
  ctx: ServiceContext,
  input: PasteTokenRequest,
): Promise<{ item: InboxItemDetailDto; created: boolean }> {
  assertCan(ctx, "imports.create");
  const { item, created } = await receiveToken(ctx, auditMeta(ctx), { source: "paste", token: input.token });
  return { item: await getInboxItem(ctx, item.id), created };
}
