import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, isNull, lt } from "drizzle-orm";
import { idempotencyKeys } from "@/lib/server/db/schema";
import type { ServiceContext } from "@/lib/server/kernel";

/**
 * The store behind `Idempotency-Key` (see lib/server/http/idempotency.ts). The primary key
 * (scope, key) decides which of several concurrent requests runs: exactly one insert wins.
 */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/**
 * How long a running attempt holds its key before a retry may take it over (the process died
 * before recording an outcome). Longer than any Didit call with its retries (about a minute).
 */
export const IDEMPOTENCY_LEASE_MS = 5 * 60_000;

export type IdempotentRequest = {
  scope: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
};
export type StoredAnswer = { status: number; headers: Record<string, string>; body: string };

export type Claim =
  | { kind: "run"; lockId: string }
  | { kind: "replay"; answer: StoredAnswer }
  | { kind: "in_progress" }
  | { kind: "reused" };

/** Decides what a request under a key does: run it (holding the lease), replay, or refuse. */
export async function claimIdempotencyKey(ctx: ServiceContext, input: IdempotentRequest): Promise<Claim> {
  // A row may vanish between the insert and the read (its attempt failed and released it): try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = ctx.now();
    const lockId = randomUUID();
    const inserted = await ctx.db
      .insert(idempotencyKeys)
      .values({ ...input, lockId, lockedAt: now, createdAt: now })
      .onConflictDoNothing()
      .returning({ lockId: idempotencyKeys.lockId });
    if (inserted.length === 1) return { kind: "run", lockId };

    const [row] = await ctx.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, input.scope), eq(idempotencyKeys.key, input.key)))
      .limit(1);
    if (!row) continue;

    const expired = row.createdAt.getTime() <= now.getTime() - IDEMPOTENCY_WINDOW_MS;
    if (!expired && row.fingerprint !== input.fingerprint) return { kind: "reused" };
    if (!expired && row.responseStatus !== null) {
      return {
        kind: "replay",
        answer: {
          status: row.responseStatus,
          headers: row.responseHeaders ?? {},
          body: row.responseBody ?? "",
        },
      };
    }
    const abandoned = row.lockedAt.getTime() <= now.getTime() - IDEMPOTENCY_LEASE_MS;
    if (!expired && !abandoned) return { kind: "in_progress" };

    // Past the window (a new request), or an attempt that died holding the lease: take it over,
    // conditionally on the row still being what was read, so one of several retries wins.
    const taken = await ctx.db
      .update(idempotencyKeys)
      .set({
        ...input,
        lockId,
        lockedAt: now,
        createdAt: expired ? now : row.createdAt,
        responseStatus: null,
        responseHeaders: null,
        responseBody: null,
      })
      .where(
        and(
          eq(idempotencyKeys.scope, input.scope),
          eq(idempotencyKeys.key, input.key),
          eq(idempotencyKeys.lockId, row.lockId),
        ),
      )
      .returning({ lockId: idempotencyKeys.lockId });
    if (taken.length === 1) return { kind: "run", lockId };
  }
  return { kind: "in_progress" };
}

/** Records the final answer of the attempt holding `lockId` (a taken-over attempt records nothing). */
export async function recordIdempotentAnswer(
  ctx: ServiceContext,
  input: { scope: string; key: string; lockId: string; answer: StoredAnswer },
): Promise<void> {
  await ctx.db
    .update(idempotencyKeys)
    .set({
      responseStatus: input.answer.status,
      responseHeaders: input.answer.headers,
      responseBody: input.answer.body,
    })
    .where(
      and(
        eq(idempotencyKeys.scope, input.scope),
        eq(idempotencyKeys.key, input.key),
        eq(idempotencyKeys.lockId, input.lockId),
        isNull(idempotencyKeys.responseStatus),
      ),
    );
}

/** Gives the key back after an outcome that is not final (5xx, 429): a retry runs again. */
export async function releaseIdempotencyKey(
  ctx: ServiceContext,
  input: { scope: string; key: string; lockId: string },
): Promise<void> {
  await ctx.db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.scope, input.scope),
        eq(idempotencyKeys.key, input.key),
        eq(idempotencyKeys.lockId, input.lockId),
        isNull(idempotencyKeys.responseStatus),
      ),
    );
}

/** Drops keys created before `olderThan` (past the replay window); returns how many. */
export async function pruneIdempotencyKeys(ctx: ServiceContext, input: { olderThan: Date }): Promise<number> {
  const rows = await ctx.db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, input.olderThan))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
