import "server-only";
import { and, eq, inArray, lte } from "drizzle-orm";
import { shares } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import type { ServiceContext } from "@/lib/server/kernel";
import { recordAudit } from "@/lib/server/services/audit";

const SYSTEM = { id: null, label: "system" } as const;

/**
 * Marks pending shares past their `exp` expired and destroys their tokens, each audited
 * `share.expired` (by the system). Rows another transaction holds are skipped (it decides them).
 */
export async function expireDueShares(
  ctx: Pick<ServiceContext, "db" | "now" | "requestId">,
  options: { ids?: string[]; limit?: number } = {},
): Promise<number> {
  const now = ctx.now();
  const due = and(
    eq(shares.state, "pending"),
    lte(shares.expiresAt, now),
    options.ids ? inArray(shares.id, options.ids) : undefined,
  );
  // Cheap test first, so reads take no lock and write nothing while nothing is due.
  const [any] = await ctx.db.select({ id: shares.id }).from(shares).where(due).limit(1);
  if (!any) return 0;
  return ctx.db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: shares.id })
      .from(shares)
      .where(due)
      .limit(options.limit ?? 200)
      .for("update", { skipLocked: true });
    for (const r of rows) await markExpired(tx, { now, requestId: ctx.requestId }, r.id);
    return rows.length;
  });
}

/** Inside a transaction holding the share's row lock. */
export async function markExpired(tx: Tx, clock: { now: Date; requestId?: string }, shareId: string) {
  await tx
    .update(shares)
    .set({ state: "expired", tokenCiphertext: null, updatedAt: clock.now })
    .where(eq(shares.id, shareId));
  await recordAudit(
    tx,
    { actor: SYSTEM, now: clock.now, requestId: clock.requestId ?? null },
    { action: "share.expired", entityType: "share", entityId: shareId, data: {} },
  );
}
