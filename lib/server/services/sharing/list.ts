import "server-only";
import { and, asc, desc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import { foldSearch } from "@/lib/search-fold";
import type { ShareDetailDto, ShareListQuery, ShareListResponse } from "@/lib/schemas/shares";
import { sessionMirror, shareDeliveries, shareReceipts, shares, partners } from "@/lib/server/db/schema";
import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  AppError,
  UUID_RE,
  type ServiceContext,
  assertCan,
} from "@/lib/server/kernel";
import { recallOfShare } from "@/lib/server/services/recalls";
import { canReadNames, foldedTextMatch, MIN_NAME_TERM } from "@/lib/server/services/sessions";
import { joined, selectJoined, toShareDto } from "./dto";
import { expireDueShares } from "./expire";

/** Reading shares: the list (filters, search, keyset pages) and one share with its history. */

export async function listShares(ctx: ServiceContext, query: ShareListQuery): Promise<ShareListResponse> {
  assertCan(ctx, "shares.read");
  const now = ctx.now();
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  await expireDueShares(ctx, { limit: 200 });
  const where: (SQL | undefined)[] = [];
  if (query.state) where.push(eq(shares.state, query.state));
  if (query.partnerId) where.push(eq(shares.partnerId, query.partnerId));
  if (query.applicationId) where.push(eq(shares.applicationId, query.applicationId));
  if (query.sessionId) where.push(eq(shares.sessionId, query.sessionId));
  if (query.channel) where.push(eq(shares.channel, query.channel));
  if (query.q) {
    const q = query.q.trim();
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const ors: SQL[] = [ilike(partners.name, like)];
    if (/^\d{1,9}$/.test(q)) ors.push(sql`cast(${shares.sessionNumber} as text) like ${`${q}%`}`);
    if (UUID_RE.test(q)) ors.push(eq(shares.sessionId, q.toLowerCase()), eq(shares.id, q.toLowerCase()));
    // The person's or company's name, folded as the session picker folds it (who may read names).
    const terms = q.split(/\s+/).slice(0, 5);
    if (canReadNames(ctx) && terms.some((t) => foldSearch(t).length >= MIN_NAME_TERM)) {
      ors.push(foldedTextMatch(sessionMirror.searchText, terms));
    }
    where.push(or(...ors));
  }
  if (cursor) {
    const c = cursor;
    where.push(
      sql`(${shares.createdAt}, ${shares.id}) < (${c.at.toISOString()}::timestamptz, ${c.id}::uuid)`,
    );
  }
  const rows = await selectJoined(ctx.db)
    .where(and(...where))
    .orderBy(desc(shares.createdAt), desc(shares.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => toShareDto({ ...ctx, now: () => now }, joined(r))),
    nextCursor: rows.length > query.limit ? nextCursorOf(page[page.length - 1]!.share) : null,
  };
}

export async function getShare(ctx: ServiceContext, id: string): Promise<ShareDetailDto> {
  assertCan(ctx, "shares.read");
  await expireDueShares(ctx, { ids: [id] });
  const [row] = await selectJoined(ctx.db).where(eq(shares.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such share.");
  const [deliveries, receipts, recall] = await Promise.all([
    ctx.db
      .select()
      .from(shareDeliveries)
      .where(eq(shareDeliveries.shareId, id))
      .orderBy(asc(shareDeliveries.attempt), asc(shareDeliveries.startedAt)),
    ctx.db
      .select()
      .from(shareReceipts)
      .where(eq(shareReceipts.shareId, id))
      .orderBy(asc(shareReceipts.receivedAt)),
    recallOfShare(ctx.db, id),
  ]);
  const s = row.share;
  return {
    ...toShareDto(ctx, joined(row)),
    claims: s.claims,
    tokenHash: s.tokenHash,
    manifest: s.manifest,
    agreement: s.agreement,
    deliveries: deliveries.map((d) => ({
      id: d.id,
      attempt: d.attempt,
      channel: d.channel,
      outcome: d.outcome,
      httpStatus: d.httpStatus,
      error: d.error,
      durationMs: d.durationMs,
      startedAt: d.startedAt.toISOString(),
      finishedAt: d.finishedAt.toISOString(),
    })),
    receipts: receipts.map((r) => ({
      id: r.id,
      status: r.status,
      cloneSessionId: r.cloneSessionId,
      reason: r.reason,
      receivedAt: r.receivedAt.toISOString(),
    })),
    recall,
  };
}

function nextCursorOf(row: { createdAt: Date; id: string }): string {
  return encodeKeysetCursor(row.createdAt, row.id);
}
