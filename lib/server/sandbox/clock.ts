import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/server/db/types";
import { sandboxClock } from "@/lib/server/sandbox/schema";

/** The largest offset the admin API accepts: ten years either way (the column is a 32-bit integer). */
export const MAX_CLOCK_OFFSET_SECONDS = 10 * 366 * 24 * 3600;

// Re-read at most once a second per database; setClockOffset updates the entry at once, so the
// change is visible to the very next request of this process. On globalThis: Next may bundle this
// module once per route, and every route must see the same entry.
const CACHE_MS = 1000;
const store = globalThis as unknown as {
  __sandboxClockCache?: WeakMap<object, { offsetSeconds: number; readAt: number }>;
};
const cache = (store.__sandboxClockCache ??= new WeakMap());

export async function clockOffsetSeconds(db: DbOrTx): Promise<number> {
  const hit = cache.get(db);
  if (hit && Date.now() - hit.readAt < CACHE_MS) return hit.offsetSeconds;
  const rows = await db
    .select({ offsetSeconds: sandboxClock.offsetSeconds })
    .from(sandboxClock)
    .where(sql`${sandboxClock.id} = 1`);
  const offsetSeconds = rows[0]?.offsetSeconds ?? 0;
  cache.set(db, { offsetSeconds, readAt: Date.now() });
  return offsetSeconds;
}

/** The sandbox's "now": the wall clock plus the admin-set offset. Token expiry is judged against it. */
export async function sandboxNow(db: DbOrTx): Promise<Date> {
  const offset = await clockOffsetSeconds(db);
  return new Date(Date.now() + offset * 1000);
}

export async function setClockOffset(
  db: DbOrTx,
  seconds: number,
): Promise<{ offsetSeconds: number; now: Date }> {
  if (!Number.isInteger(seconds) || Math.abs(seconds) > MAX_CLOCK_OFFSET_SECONDS) {
    throw new RangeError("clock offset out of range");
  }
  await db
    .insert(sandboxClock)
    .values({ id: 1, offsetSeconds: seconds, updatedAt: new Date() })
    .onConflictDoUpdate({ target: sandboxClock.id, set: { offsetSeconds: seconds, updatedAt: new Date() } });
  cache.set(db, { offsetSeconds: seconds, readAt: Date.now() });
  return { offsetSeconds: seconds, now: new Date(Date.now() + seconds * 1000) };
}
