import "server-only";
import { createHash } from "node:crypto";
import { and, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import { canonicalJson } from "@/lib/server/crypto/canonical-json";
import { erasureRequests, imports, inboxItems, sessionMirror, shares } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { REDACTED_MIRROR_FIELDS } from "./retention";

/**
 * Step 3 of an erasure, our copies: the session's mirror rows redacted, its inbox items stripped,
 * its pending shares revoked and every token of it destroyed; and the hash over what was removed.
 */

type ErasureRow = typeof erasureRequests.$inferSelect;

export type Removed = {
  sessionMirror: Record<string, unknown>[];
  inboxItems: Record<string, unknown>[];
};

/** SHA-256 (hex) over a canonical JSON of the removed personal fields, rows in id order. */
export function removedFieldsHash(sessionId: string, removed: Removed): string {
  const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
  const body = canonicalJson({
    sessionId,
    sessionMirror: [...removed.sessionMirror].sort(byId),
    inboxItems: [...removed.inboxItems].sort(byId),
  });
  return createHash("sha256").update(body).digest("hex");
}

/** Step 3: our copies. Answers the counts, the removed fields and the revoked share ids. */
export async function eraseCopies(
  tx: Tx,
  request: ErasureRow,
  actorId: string,
  diditGone: boolean,
  now: Date,
): Promise<{ counts: Record<string, number>; removed: Removed; revokedShareIds: string[] }> {
  const sessionId = request.sessionId;
  const mirror = await redactMirror(tx, sessionId, diditGone, now);
  const items = await redactInboxItems(tx, sessionId, now);
  const tokens = await destroyShareTokens(tx, sessionId, actorId, now);
  const removed: Removed = { sessionMirror: mirror.removed, inboxItems: items.removed };
  return {
    counts: {
      sessionMirror: mirror.removed.length,
      inboxItems: items.removed.length,
      inboxItemsClosed: items.closed,
      sharesRevoked: tokens.revokedShareIds.length,
      shareTokensDestroyed: tokens.destroyed,
    },
    removed,
    revokedShareIds: tokens.revokedShareIds,
  };
}

/** The session's mirror rows redacted as retention does (and out of the picker once gone at Didit). */
async function redactMirror(
  tx: Tx,
  sessionId: string,
  diditGone: boolean,
  now: Date,
): Promise<{ removed: Record<string, unknown>[] }> {
  const mirror = await tx
    .select()
    .from(sessionMirror)
    .where(eq(sessionMirror.diditSessionId, sessionId))
    .for("update");
  const toRedact = mirror.filter((m) => m.redactedAt === null);
  const removed = toRedact.map((m) => ({
    id: m.id,
    displayName: m.displayName,
    registrationNumber: m.registrationNumber,
    vendorData: m.vendorData,
    searchText: m.searchText,
    country: m.country,
    documentType: m.documentType,
  }));
  if (mirror.length > 0) {
    await tx
      .update(sessionMirror)
      .set({
        ...REDACTED_MIRROR_FIELDS,
        redactedAt: sql`coalesce(${sessionMirror.redactedAt}, ${now.toISOString()}::timestamptz)`,
        // Gone at Didit: it leaves the picker (the row stays for lineage).
        ...(diditGone
          ? { deletedAt: sql`coalesce(${sessionMirror.deletedAt}, ${now.toISOString()}::timestamptz)` }
          : {}),
      })
      .where(eq(sessionMirror.diditSessionId, sessionId));
  }
  return { removed };
}

/** Inbox items of the session stripped of manifest and sealed token; a pending one closes as failed. */
async function redactInboxItems(
  tx: Tx,
  sessionId: string,
  now: Date,
): Promise<{ removed: Record<string, unknown>[]; closed: number }> {
  const items = await tx
    .select()
    .from(inboxItems)
    .where(eq(inboxItems.sourceSessionId, sessionId))
    .for("update");
  const itemsToRedact = items.filter((i) => i.redactedAt === null || i.tokenCiphertext !== null);
  const removed = itemsToRedact
    .filter((i) => i.redactedAt === null)
    .map((i) => ({ id: i.id, manifest: i.manifest }));
  let itemsClosed = 0;
  for (const item of itemsToRedact) {
    const open = item.state === "pending";
    if (open) itemsClosed++;
    await tx
      .update(inboxItems)
      .set({
        manifest: null,
        tokenCiphertext: null,
        redactedAt: item.redactedAt ?? now,
        updatedAt: now,
        ...(open
          ? {
              state: "failed" as const,
              stateReason: "The source session was erased at the sender's request.",
            }
          : {}),
      })
      .where(eq(inboxItems.id, item.id));
  }
  if (itemsToRedact.length > 0) {
    // A failed import of such an item cannot be tried again: its token is gone.
    await tx
      .update(imports)
      .set({ retryable: false, updatedAt: now })
      .where(
        and(
          inArray(
            imports.inboxItemId,
            itemsToRedact.map((i) => i.id),
          ),
          eq(imports.retryable, true),
        ),
      );
  }
  return { removed, closed: itemsClosed };
}

/** Pending shares of the session revoked; every token still held destroyed. */
async function destroyShareTokens(
  tx: Tx,
  sessionId: string,
  actorId: string,
  now: Date,
): Promise<{ revokedShareIds: string[]; destroyed: number }> {
  const open = await tx
    .select({ id: shares.id, state: shares.state })
    .from(shares)
    .where(
      and(
        eq(shares.sessionId, sessionId),
        or(eq(shares.state, "pending"), isNotNull(shares.tokenCiphertext)),
      ),
    )
    .for("update");
  const revokedShareIds = open.filter((s) => s.state === "pending").map((s) => s.id);
  if (revokedShareIds.length > 0) {
    await tx
      .update(shares)
      .set({
        state: "revoked",
        tokenCiphertext: null,
        revokedAt: now,
        revokedBy: actorId,
        revokeReason: "erased",
        updatedAt: now,
      })
      .where(inArray(shares.id, revokedShareIds));
  }
  const tokenOnly = open.filter((s) => s.state !== "pending").map((s) => s.id);
  if (tokenOnly.length > 0) {
    await tx
      .update(shares)
      .set({ tokenCiphertext: null, updatedAt: now })
      .where(inArray(shares.id, tokenOnly));
  }
  return { revokedShareIds, destroyed: open.length };
}
