import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { seal } from "@/lib/server/crypto/envelope";
import {
  connectedApplications,
  inboxItems,
  partners,
  shareDeliveries,
  shares,
  type ShareManifest,
} from "@/lib/server/db/schema";
import type { DbOrTx, Tx } from "@/lib/server/db/types";
import { AppError } from "@/lib/server/kernel";
import { enqueueAutoImport } from "@/lib/server/services/receiving";

/**
 * The channels' needs before a token is minted, and the internal channel: the partner is one of
 * our own connected applications, so the token goes straight into our inbox.
 */

type ShareRow = typeof shares.$inferSelect;
type PartnerRow = typeof partners.$inferSelect;
export type ApplicationRow = typeof connectedApplications.$inferSelect;

/** Our connected application with this Didit uuid (the internal channel's receiver), if any. */
async function connectedByDiditId(db: DbOrTx, diditApplicationId: string): Promise<ApplicationRow | null> {
  const [app] = await db
    .select()
    .from(connectedApplications)
    .where(
      and(
        eq(connectedApplications.diditApplicationId, diditApplicationId),
        sql`${connectedApplications.deletedAt} is null`,
      ),
    )
    .limit(1);
  return app ?? null;
}

/** What each channel needs before a token is minted, so a misconfigured partner costs no token. */
export async function deliveryReadiness(db: DbOrTx, partner: PartnerRow): Promise<ApplicationRow | null> {
  if (partner.deliveryChannel === "internal") {
    const receiver = await connectedByDiditId(db, partner.diditApplicationId);
    if (!receiver) {
      throw new AppError(
        "conflict",
        `${partner.name} uses the internal channel, but its Didit application is not one of our connected applications: connect it, or change the partner's channel.`,
      );
    }
    return receiver;
  }
  if (partner.deliveryChannel === "push" && !partner.pushUrl) {
    throw new AppError(
      "conflict",
      `${partner.name} uses the push channel but has no inbox URL: a partnership manager must set one first.`,
    );
  }
  return null;
}

export type InternalDelivery = {
  shareId: string;
  token: string;
  hash: string;
  claims: Record<string, unknown>;
  manifest: ShareManifest;
  sessionKind: "user" | "business";
  sessionId: string;
  fromDiditApplicationId: string;
  receiver: ApplicationRow;
  expiresAt: Date;
  now: Date;
};

/**
 * The partner is one of our own applications: the token goes into our inbox in this transaction
 * (the caller audits it). Answers the share as delivered and the inbox item's id.
 */
export async function deliverInternally(
  tx: Tx,
  d: InternalDelivery,
): Promise<{ share: ShareRow; inboxItemId: string }> {
  const [senderAsPartner] = await tx
    .select({ id: partners.id, importMode: partners.importMode })
    .from(partners)
    .where(
      and(
        eq(partners.applicationId, d.receiver.id),
        eq(partners.diditApplicationId, d.fromDiditApplicationId),
      ),
    )
    .limit(1);
  const inboxId = randomUUID();
  await tx.insert(inboxItems).values({
    id: inboxId,
    applicationId: d.receiver.id,
    partnerId: senderAsPartner?.id ?? null,
    source: "internal",
    senderShareId: d.shareId,
    localShareId: d.shareId,
    tokenHash: d.hash,
    tokenCiphertext: seal(d.token, inboxId),
    claims: d.claims,
    manifest: d.manifest,
    sessionKind: d.sessionKind,
    sourceSessionId: d.sessionId,
    fromApplicationId: d.fromDiditApplicationId,
    expiresAt: d.expiresAt,
    state: "pending",
    receivedAt: d.now,
    updatedAt: d.now,
  });
  // The receiving brand's policy may import on arrival, as for a partner's push.
  if (senderAsPartner) {
    await enqueueAutoImport(tx, { id: inboxId, expiresAt: d.expiresAt }, senderAsPartner, d.now);
  }
  await tx.insert(shareDeliveries).values({
    shareId: d.shareId,
    attempt: 1,
    channel: "internal",
    outcome: "delivered",
    durationMs: 0,
    startedAt: d.now,
    finishedAt: d.now,
  });
  const [share] = await tx
    .update(shares)
    .set({ state: "delivered", deliveredAt: d.now, attempts: 1, tokenCiphertext: null, updatedAt: d.now })
    .where(eq(shares.id, d.shareId))
    .returning();
  return { share: share!, inboxItemId: inboxId };
}
