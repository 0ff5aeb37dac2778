import "server-only";
import { and, eq, lt } from "drizzle-orm";
import { inboundMessageIds } from "@/lib/server/db/schema";
import type { ServiceContext } from "@/lib/server/kernel";

/**
 * The replay store for signed senders: a message id is accepted once per scope (`partner:<id>`,
 * `didit:<application id>`). The primary key decides, so of two concurrent deliveries of one id
 * exactly one wins.
 */
export type InboundMessage = { scope: string; messageId: string };

/** True when this id is new in its scope (and is now recorded), false for a replay. */
export async function claimInboundMessage(ctx: ServiceContext, input: InboundMessage): Promise<boolean> {
  const rows = await ctx.db
    .insert(inboundMessageIds)
    .values({ scope: input.scope, messageId: input.messageId, receivedAt: ctx.now() })
    .onConflictDoNothing()
    .returning({ messageId: inboundMessageIds.messageId });
  return rows.length === 1;
}

/** Forgets a claim whose handling failed, so the sender's retry of the same id is processed. */
export async function releaseInboundMessage(ctx: ServiceContext, input: InboundMessage): Promise<void> {
  await ctx.db
    .delete(inboundMessageIds)
    .where(and(eq(inboundMessageIds.scope, input.scope), eq(inboundMessageIds.messageId, input.messageId)));
}

/**
 * Drops ids older than `olderThan`: once a message's signature window has passed, a replay is
 * refused as stale anyway. Returns how many were removed.
 */
export async function pruneInboundMessages(ctx: ServiceContext, input: { olderThan: Date }): Promise<number> {
  const rows = await ctx.db
    .delete(inboundMessageIds)
    .where(lt(inboundMessageIds.receivedAt, input.olderThan))
    .returning({ messageId: inboundMessageIds.messageId });
  return rows.length;
}
