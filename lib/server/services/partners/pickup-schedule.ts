import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import { partners } from "@/lib/server/db/schema";
import type { Db, DbOrTx } from "@/lib/server/db/types";
import { enqueue, type RetryPolicy } from "@/lib/server/jobs";

/**
 * When a partner is polled for pick-up: whether it qualifies, and its next poll queued. The
 * partner's edits and boot queue polls here; the poll itself (receiving/pickup.ts) runs the queue.
 */

export const PICKUP_QUEUE = "partners.pickup";
/**
 * The poll's retry policy, here because partners queue the poll while receiving runs it (its job
 * definition, `pickupJob`, lives with the handler and reads this).
 */
export const PICKUP_RETRY = {
  maxAttempts: 3,
  backoff: { kind: "exponential", baseMs: 5_000, maxMs: 60_000 },
} as const satisfies RetryPolicy;
type PartnerRow = typeof partners.$inferSelect;

export function pickupIntervalMs(): number {
  return getEnv().PICKUP_INTERVAL_MS;
}

/** A partner we poll: active, pick-up on, tokens coming our way, their console's origin and our id there. */
export function pickupQualifies(
  p: Pick<PartnerRow, "status" | "inboundPickup" | "direction" | "partnerApiBaseUrl" | "remotePartnerId">,
): boolean {
  return (
    p.status === "active" &&
    p.inboundPickup &&
    p.direction !== "outbound" &&
    !!p.partnerApiBaseUrl &&
    !!p.remotePartnerId
  );
}

/**
 * Queues the partner's poll at `runAt` (default now). The singleton key is the partner and the
 * interval slot `runAt` falls in: a running poll can queue its successor (the queue refuses a
 * second key while one is pending or running), and polls queued by boot, an edit and the chain
 * in one slot are one job, so chains started at different times merge into one.
 */
export async function enqueuePickupPoll(db: DbOrTx, partnerId: string, now: Date, runAt: Date = now) {
  const interval = pickupIntervalMs();
  const slot = Math.floor(runAt.getTime() / interval) * interval;
  return enqueue(db, {
    queue: PICKUP_QUEUE,
    payload: { partnerId },
    runAt,
    ...PICKUP_RETRY,
    singletonKey: `${partnerId}@${new Date(slot).toISOString()}`,
    now,
  });
}

/** At boot: a poll now for every partner that qualifies (each then keeps its own chain going). */
export async function schedulePickupPolls(db: Db, now: Date = new Date()): Promise<number> {
  const rows = await db
    .select()
    .from(partners)
    .where(
      and(
        eq(partners.status, "active"),
        eq(partners.inboundPickup, true),
        ne(partners.direction, "outbound"),
      ),
    );
  let queued = 0;
  for (const row of rows.filter(pickupQualifies)) {
    if (await db.transaction((tx) => enqueuePickupPoll(tx, row.id, now))) queued++;
  }
  return queued;
}
