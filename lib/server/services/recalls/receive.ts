import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import type { RecallDelivery } from "@/lib/schemas/partner-api";
import {
  connectedApplications,
  imports,
  inboundRecalls,
  inboxItems,
  partners,
  type RecallTrigger,
} from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";

/**
 * Receiving recalls (we are Service Y): `receiveRecall` stores a partner's recall once per
 * (partner, recall id) and marks every import of that source from that partner recalled: it
 * returns to the review queue with the reason until an officer decides on it again.
 */

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
  if (!inserted) return { row: await heldRecall(tx, input), created: false };
  const where: SQL[] = [
    eq(imports.partnerId, input.partnerId),
    eq(imports.sourceSessionId, sourceSessionId),
    eq(imports.state, "imported"),
  ];
  if (senderShareId) where.push(eq(imports.senderShareId, senderShareId));
  const withdrawnItems =
    input.trigger === "withdrawn" && senderShareId
      ? await withdrawWaitingItems(tx, input, senderShareId, now)
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
  await auditImportsRecalled(tx, meta, input, id, sourceSessionId, marked);
  return { row: row!, created: true };
}

/** The recall stored before under this partner and recall id (the partner sent it again). */
async function heldRecall(tx: Tx, input: InboundRecallInput): Promise<InboundRow> {
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
  return held!;
}

/** The sender withdrew this share: its token still waiting here can no longer be imported. */
function withdrawWaitingItems(tx: Tx, input: InboundRecallInput, senderShareId: string, now: Date) {
  return tx
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
    .returning({ id: inboxItems.id });
}

/** One `import.recalled` event per import the recall marked. */
async function auditImportsRecalled(
  tx: Tx,
  meta: AuditRequestMeta,
  input: InboundRecallInput,
  id: string,
  sourceSessionId: string,
  marked: { id: string; cloneSessionId: string | null }[],
): Promise<void> {
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
