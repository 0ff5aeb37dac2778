import "server-only";
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type {
  InboundRecallDto,
  RecallDetailDto,
  RecallDto,
  RecallListQuery,
  RecallListResponse,
  RecallNoticeDto,
  RecalledImportDto,
  ShareRecallDto,
} from "@/lib/schemas/recalls";
import { can } from "@/lib/rbac";
import {
  connectedApplications,
  imports,
  inboundRecalls,
  partners,
  recallNotices,
  recalls,
  shares,
  users,
} from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import {
  AppError,
  assertCan,
  type ServiceContext,
  decodeKeysetCursor,
  encodeKeysetCursor,
} from "@/lib/server/kernel";

/** Reading recalls: the list of either side, one recall, one notice, a share's recall. */

type NoticeRow = typeof recallNotices.$inferSelect;
type InboundRow = typeof inboundRecalls.$inferSelect;

type RecallRow = typeof recalls.$inferSelect;

function toRecallDto(r: RecallRow, applicationName: string | null): RecallDto {
  return {
    id: r.id,
    applicationId: r.applicationId,
    applicationName,
    sessionId: r.sessionId,
    trigger: r.trigger,
    fromStatus: r.fromStatus,
    toStatus: r.toStatus,
    reason: r.reason,
    source: r.source,
    shareCount: r.shareCount,
    noticeCount: r.noticeCount,
    raisedAt: r.raisedAt.toISOString(),
  };
}

function selectNotices(db: DbOrTx) {
  return db
    .select({
      notice: recallNotices,
      recall: recalls,
      applicationName: connectedApplications.name,
      partnerName: partners.name,
      doneBy: { id: users.id, name: users.name, email: users.email },
    })
    .from(recallNotices)
    .innerJoin(recalls, eq(recalls.id, recallNotices.recallId))
    .leftJoin(connectedApplications, eq(connectedApplications.id, recalls.applicationId))
    .leftJoin(partners, eq(partners.id, recallNotices.partnerId))
    .leftJoin(users, eq(users.id, recallNotices.doneBy));
}
type NoticeJoined = Awaited<ReturnType<ReturnType<typeof selectNotices>["limit"]>>[number];

function toNoticeDto(ctx: ServiceContext, r: NoticeJoined): RecallNoticeDto {
  const n = r.notice;
  const manage = !!ctx.actor && can(ctx.actor.role, "recalls.manage");
  return {
    id: n.id,
    recallId: n.recallId,
    shareId: n.shareId,
    partnerId: n.partnerId,
    partnerName: r.partnerName,
    channel: n.channel,
    state: n.state,
    attempts: n.attempts,
    lastError: n.lastError,
    httpStatus: n.httpStatus,
    sentAt: n.sentAt?.toISOString() ?? null,
    doneAt: n.doneAt?.toISOString() ?? null,
    doneBy: r.doneBy?.id ? r.doneBy : null,
    doneNote: n.doneNote,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    recall: toRecallDto(r.recall, r.applicationName),
    canRetry: manage && n.channel === "push" && n.state === "failed",
    canMarkDone: manage && n.channel === "task" && n.state === "open",
  };
}

export async function getNotice(ctx: ServiceContext, id: string): Promise<RecallNoticeDto> {
  const [row] = await selectNotices(ctx.db).where(eq(recallNotices.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such recall notice.");
  return toNoticeDto(ctx, row);
}

async function importsOfInbound(db: DbOrTx, ids: string[]): Promise<Map<string, RecalledImportDto[]>> {
  const out = new Map<string, RecalledImportDto[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .select({
      id: imports.id,
      inboundRecallId: imports.inboundRecallId,
      cloneSessionId: imports.cloneSessionId,
      status: imports.status,
      recalledAt: imports.recalledAt,
      recallClearedAt: imports.recallClearedAt,
    })
    .from(imports)
    .where(inArray(imports.inboundRecallId, ids))
    .orderBy(imports.createdAt, imports.id);
  for (const r of rows) {
    const list = out.get(r.inboundRecallId!) ?? [];
    list.push({
      id: r.id,
      cloneSessionId: r.cloneSessionId,
      status: r.status,
      recalledAt: r.recalledAt?.toISOString() ?? null,
      recallClearedAt: r.recallClearedAt?.toISOString() ?? null,
    });
    out.set(r.inboundRecallId!, list);
  }
  return out;
}

function toInboundDto(
  r: { inbound: InboundRow; partnerName: string | null },
  list: RecalledImportDto[],
): InboundRecallDto {
  const i = r.inbound;
  return {
    id: i.id,
    partnerId: i.partnerId,
    partnerName: r.partnerName,
    remoteRecallId: i.remoteRecallId,
    senderShareId: i.senderShareId,
    sourceSessionId: i.sourceSessionId,
    trigger: i.trigger,
    sourceStatus: i.sourceStatus,
    reason: i.reason,
    internal: i.internal,
    importCount: i.importCount,
    recalledAt: i.recalledAt.toISOString(),
    receivedAt: i.receivedAt.toISOString(),
    state: list.some((x) => x.recallClearedAt === null) ? "open" : "cleared",
    imports: list,
  };
}

const openInbound = sql`exists (select 1 from ${imports} where ${imports.inboundRecallId} = ${inboundRecalls.id} and ${imports.recallClearedAt} is null)`;

/** `GET /api/recalls?side=sent|received`: newest first, a keyset cursor. */
export async function listRecalls(ctx: ServiceContext, query: RecallListQuery): Promise<RecallListResponse> {
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  if (query.side === "sent") {
    assertCan(ctx, "shares.read");
    const where: (SQL | undefined)[] = [];
    if (query.state) where.push(eq(recallNotices.state, query.state as NoticeRow["state"]));
    if (cursor) {
      where.push(
        sql`(${recallNotices.createdAt}, ${recallNotices.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
      );
    }
    const rows = await selectNotices(ctx.db)
      .where(and(...where))
      .orderBy(desc(recallNotices.createdAt), desc(recallNotices.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      side: "sent",
      items: page.map((r) => toNoticeDto(ctx, r)),
      nextCursor:
        rows.length > query.limit && last ? encodeKeysetCursor(last.notice.createdAt, last.notice.id) : null,
    };
  }
  assertCan(ctx, "inbox.read");
  const where: (SQL | undefined)[] = [];
  if (query.state === "open") where.push(openInbound);
  if (query.state === "cleared") where.push(sql`not ${openInbound}`);
  if (cursor) {
    where.push(
      sql`(${inboundRecalls.receivedAt}, ${inboundRecalls.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const rows = await ctx.db
    .select({ inbound: inboundRecalls, partnerName: partners.name })
    .from(inboundRecalls)
    .leftJoin(partners, eq(partners.id, inboundRecalls.partnerId))
    .where(and(...where))
    .orderBy(desc(inboundRecalls.receivedAt), desc(inboundRecalls.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const byId = await importsOfInbound(
    ctx.db,
    page.map((r) => r.inbound.id),
  );
  const last = page[page.length - 1];
  return {
    side: "received",
    items: page.map((r) => toInboundDto(r, byId.get(r.inbound.id) ?? [])),
    nextCursor:
      rows.length > query.limit && last ? encodeKeysetCursor(last.inbound.receivedAt, last.inbound.id) : null,
  };
}

/** `GET /api/recalls/{id}`: a recall we raised (with its notices), or one a partner told us of. */
export async function getRecall(ctx: ServiceContext, id: string): Promise<RecallDetailDto> {
  if (!ctx.actor) throw new AppError("unauthenticated", "Sign in to continue.");
  const [sent] = await ctx.db
    .select({ recall: recalls, applicationName: connectedApplications.name })
    .from(recalls)
    .leftJoin(connectedApplications, eq(connectedApplications.id, recalls.applicationId))
    .where(eq(recalls.id, id))
    .limit(1);
  if (sent) {
    assertCan(ctx, "shares.read");
    const notices = await selectNotices(ctx.db)
      .where(eq(recallNotices.recallId, id))
      .orderBy(recallNotices.createdAt, recallNotices.id);
    return {
      side: "sent",
      recall: toRecallDto(sent.recall, sent.applicationName),
      notices: notices.map((r) => toNoticeDto(ctx, r)),
    };
  }
  const [received] = await ctx.db
    .select({ inbound: inboundRecalls, partnerName: partners.name })
    .from(inboundRecalls)
    .leftJoin(partners, eq(partners.id, inboundRecalls.partnerId))
    .where(eq(inboundRecalls.id, id))
    .limit(1);
  if (!received) throw new AppError("not_found", "No such recall.");
  assertCan(ctx, "inbox.read");
  const byId = await importsOfInbound(ctx.db, [id]);
  return { side: "received", inbound: toInboundDto(received, byId.get(id) ?? []) };
}

/** The recall of a recalled share, for its page (null when it was never recalled). */
export async function recallOfShare(db: DbOrTx, shareId: string): Promise<ShareRecallDto | null> {
  const [share] = await db
    .select({ recallId: shares.recallId })
    .from(shares)
    .where(eq(shares.id, shareId))
    .limit(1);
  if (!share?.recallId) return null;
  const [recall] = await db.select().from(recalls).where(eq(recalls.id, share.recallId)).limit(1);
  if (!recall) return null;
  const [notice] = await db
    .select({ id: recallNotices.id, channel: recallNotices.channel, state: recallNotices.state })
    .from(recallNotices)
    .where(and(eq(recallNotices.recallId, recall.id), eq(recallNotices.shareId, shareId)))
    .limit(1);
  return {
    recallId: recall.id,
    trigger: recall.trigger,
    reason: recall.reason,
    raisedAt: recall.raisedAt.toISOString(),
    notice: notice ?? null,
  };
}
