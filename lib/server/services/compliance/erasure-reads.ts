import "server-only";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type {
  ErasureDiditOutcome,
  ErasureListQuery,
  ErasureListResponse,
  ErasureRequestDto,
} from "@/lib/schemas/erasure";
import { connectedApplications, erasureRequests, users } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  AppError,
  type ServiceContext,
  assertCan,
} from "@/lib/server/kernel";

/** Reading erasure requests: one, or the list (newest first). */

type ErasureRow = typeof erasureRequests.$inferSelect;

const SELECT = {
  row: erasureRequests,
  applicationName: connectedApplications.name,
  requesterName: users.name,
};

type Joined = { row: ErasureRow; applicationName: string; requesterName: string };

function toDto(j: Joined): ErasureRequestDto {
  const r = j.row;
  return {
    id: r.id,
    applicationId: r.applicationId,
    applicationName: j.applicationName,
    sessionId: r.sessionId,
    reason: r.reason,
    deleteAtDidit: r.deleteAtDidit,
    state: r.state,
    diditOutcome: (r.diditOutcome as ErasureDiditOutcome | null) ?? null,
    diditError: r.diditError,
    counts: r.counts ?? {},
    removedSha256: r.removedSha256,
    recallId: r.recallId,
    requestedBy: { id: r.requestedBy, name: j.requesterName },
    requestedAt: r.requestedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

function joined(db: DbOrTx) {
  return db
    .select(SELECT)
    .from(erasureRequests)
    .innerJoin(connectedApplications, eq(connectedApplications.id, erasureRequests.applicationId))
    .innerJoin(users, eq(users.id, erasureRequests.requestedBy));
}

export async function getErasureRequest(ctx: ServiceContext, id: string): Promise<ErasureRequestDto> {
  assertCan(ctx, "erasure.request");
  const [row] = await joined(ctx.db).where(eq(erasureRequests.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such erasure request.");
  return toDto(row);
}

/** `GET /api/erasure`: newest first, keyset cursor on (requested, id). */
export async function listErasureRequests(
  ctx: ServiceContext,
  query: ErasureListQuery,
): Promise<ErasureListResponse> {
  assertCan(ctx, "erasure.request");
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  const where: SQL[] = [];
  if (query.sessionId) where.push(eq(erasureRequests.sessionId, query.sessionId.toLowerCase()));
  if (cursor) {
    where.push(
      sql`(${erasureRequests.requestedAt}, ${erasureRequests.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const rows = await joined(ctx.db)
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(desc(erasureRequests.requestedAt), desc(erasureRequests.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toDto),
    nextCursor:
      rows.length > query.limit && last ? encodeKeysetCursor(last.row.requestedAt, last.row.id) : null,
  };
}
