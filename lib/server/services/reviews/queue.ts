import "server-only";
import { and, asc, desc, eq, ilike, isNull, or, sql, type SQL } from "drizzle-orm";
import { foldSearch } from "@/lib/search-fold";
import type { ImportListQuery, ImportListResponse } from "@/lib/schemas/reviews";
import { imports } from "@/lib/server/db/schema";
import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  AppError,
  assertCan,
  isUuid,
  type ServiceContext,
} from "@/lib/server/kernel";
import { canReadNames, foldedTextMatch, MIN_NAME_TERM } from "@/lib/server/services/sessions";
import {
  cloneMirror,
  hasProposal,
  IN_REVIEW,
  orderAt,
  overdueSql,
  recalledOpen,
  selectItems,
  toItems,
} from "./items";

/**
 * The review queue (`GET /api/imports`): imports by their clone's current status at Didit,
 * recalled imports first, then proposals awaiting a second officer, then the oldest import; or
 * the newest first. Filters, name search and a keyset cursor.
 */

export const DEFAULT_IMPORT_PAGE = 50;

type Sort = NonNullable<ImportListQuery["sort"]>;
type Cursor = { recalled: boolean; proposal: boolean; at: Date; id: string };

/**
 * One letter for the sort and the queue's flags (recalled: r/s, else p/q; a proposal: r/p), then
 * the (time, id) keyset cursor.
 */
function encodeCursor(sort: Sort, recalled: boolean, proposal: boolean, at: Date, id: string): string {
  const prefix = sort === "newest" ? "n" : recalled ? (proposal ? "r" : "s") : proposal ? "p" : "q";
  return `${prefix}${encodeKeysetCursor(at, id)}`;
}

function decodeCursor(cursor: string, sort: Sort): Cursor {
  const prefix = cursor.slice(0, 1);
  if (!["n", "p", "q", "r", "s"].includes(prefix) || (prefix === "n") !== (sort === "newest")) {
    throw new AppError(
      "validation_failed",
      "This cursor is not from this list: start again from the first page.",
      {
        fields: { cursor: ["Not a cursor from this list"] },
      },
    );
  }
  const { at, id } = decodeKeysetCursor(cursor.slice(1));
  return { recalled: prefix === "r" || prefix === "s", proposal: prefix === "p" || prefix === "r", at, id };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filtersOf(ctx: ServiceContext, query: ImportListQuery, now: Date): SQL[] {
  const where: SQL[] = [];
  // The queue (In Review) also holds the recalled imports not decided again, whatever their status.
  if (query.status === IN_REVIEW) where.push(or(eq(imports.status, IN_REVIEW), recalledOpen)!);
  else if (query.status) where.push(eq(imports.status, query.status));
  if (query.recalled === "true") where.push(recalledOpen);
  if (query.recalled === "false") where.push(sql`not ${recalledOpen}`);
  if (query.state) where.push(eq(imports.state, query.state));
  if (query.partnerId) where.push(eq(imports.partnerId, query.partnerId));
  if (query.applicationId) where.push(eq(imports.applicationId, query.applicationId));
  if (query.kind) where.push(eq(imports.sessionKind, query.kind));
  if (query.assignee === "me") where.push(eq(imports.assignedTo, ctx.actor!.id));
  else if (query.assignee === "unassigned") where.push(isNull(imports.assignedTo));
  else if (query.assignee) where.push(eq(imports.assignedTo, query.assignee.toLowerCase()));
  if (query.overdue === "true") where.push(overdueSql(now));
  if (query.overdue === "false") where.push(sql`not ${overdueSql(now)}`);
  if (query.q) {
    const q = query.q.trim();
    const ors: SQL[] = [ilike(imports.vendorData, `${escapeLike(q)}%`)];
    // The person's or company's name, folded as the session picker folds it (who may read names).
    const terms = q.split(/\s+/).slice(0, 5);
    if (canReadNames(ctx) && terms.some((t) => foldSearch(t).length >= MIN_NAME_TERM)) {
      ors.push(foldedTextMatch(cloneMirror.searchText, terms));
    }
    if (isUuid(q)) {
      ors.push(eq(imports.cloneSessionId, q.toLowerCase()), eq(imports.sourceSessionId, q.toLowerCase()));
    }
    where.push(or(...ors)!);
  }
  return where;
}

function afterCursor(sort: Sort, c: Cursor): SQL {
  const at = sql`${c.at.toISOString()}::timestamptz`;
  const id = sql`${c.id}::uuid`;
  if (sort === "newest") return sql`(${orderAt}, ${imports.id}) < (${at}, ${id})`;
  const later = sql`(${orderAt}, ${imports.id}) > (${at}, ${id})`;
  const withinGroup = c.proposal
    ? sql`((not ${hasProposal}) or (${hasProposal} and ${later}))`
    : sql`((not ${hasProposal}) and ${later})`;
  // Recalled rows come first: after a recalled cursor, the rest of its group then every other row.
  return c.recalled
    ? sql`((not ${recalledOpen}) or (${recalledOpen} and ${withinGroup}))`
    : sql`((not ${recalledOpen}) and ${withinGroup})`;
}

/**
 * `GET /api/imports`: the queue (`sort=queue`, the default: open proposals first, then the oldest
 * import) or the newest first, with filters and a keyset cursor; two queries a page.
 */
export async function listImports(ctx: ServiceContext, query: ImportListQuery): Promise<ImportListResponse> {
  assertCan(ctx, "inbox.read");
  const now = ctx.now();
  const sort: Sort = query.sort ?? "queue";
  const limit = query.limit ?? DEFAULT_IMPORT_PAGE;
  const where = filtersOf(ctx, query, now);
  if (query.cursor) where.push(afterCursor(sort, decodeCursor(query.cursor, sort)));
  const order =
    sort === "newest"
      ? [desc(orderAt), desc(imports.id)]
      : [desc(recalledOpen), desc(hasProposal), asc(orderAt), asc(imports.id)];
  const rows = await selectItems(ctx.db)
    .where(and(...where))
    .orderBy(...order)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: await toItems(ctx, ctx.db, page, now),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(
            sort,
            last.recalled,
            last.hasProposal,
            last.row.finishedAt ?? last.row.startedAt,
            last.row.id,
          )
        : null,
  };
}
