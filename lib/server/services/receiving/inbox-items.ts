import "server-only";
import { and, desc, eq, ilike, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { can } from "@/lib/rbac";
import { foldSearch } from "@/lib/search-fold";
import type {
  InboxItemDetailDto,
  InboxItemDto,
  InboxListQuery,
  InboxListResponse,
} from "@/lib/schemas/inbox";
import type { ImportDto } from "@/lib/schemas/imports";
import {
  connectedApplications,
  imports,
  inboxItems,
  partners,
  sessionMirror,
  users,
} from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  AppError,
  type ServiceContext,
  assertCan,
  isUuid,
} from "@/lib/server/kernel";
import { canReadNames, subjectOf, foldedTextMatch, MIN_NAME_TERM } from "@/lib/server/services/sessions";
import { evaluateImportPolicy, toPartnerSummary } from "@/lib/server/services/partners";
import { importOfItem, importsOfItems } from "./import-records";
import { receiptsOfItem } from "./outbound-receipts";

/**
 * Reading the inbox: the list (newest first, filtered, a keyset cursor) and one item with its
 * claims, partner, import and receipts. A pending item past its expiry reads as expired and is
 * marked so on the way (its token destroyed).
 */

type InboxRow = typeof inboxItems.$inferSelect;

const EXPIRED_REASON = "The token expired before it was imported: ask the partner for a new share.";

/** Pending items past their expiry read as expired and are marked so (their token destroyed). */
async function expireDue(db: DbOrTx, now: Date, ids?: string[]): Promise<void> {
  const where = [eq(inboxItems.state, "pending"), lte(inboxItems.expiresAt, now)];
  if (ids) where.push(inArray(inboxItems.id, ids));
  await db
    .update(inboxItems)
    .set({ state: "expired", stateReason: EXPIRED_REASON, tokenCiphertext: null, updatedAt: now })
    .where(and(...where));
}

const withdrawers = alias(users, "withdrawers");
/** The import of an item (one at most) and its clone's row in our session mirror: whom it is about. */
const itemImport = alias(imports, "item_import");
const cloneMirror = alias(sessionMirror, "clone_mirror");
/** A sister brand's source is mirrored here too: its name before (or without) an import. */
const sourceName = sql<string | null>`(select s.display_name from ${sessionMirror} s
  join ${connectedApplications} a on a.id = s.application_id
  where s.didit_session_id = ${inboxItems.sourceSessionId} and a.didit_application_id = ${inboxItems.fromApplicationId}
    and s.redacted_at is null and s.display_name is not null limit 1)`;

function selectJoined(db: DbOrTx) {
  return db
    .select({
      item: inboxItems,
      applicationName: connectedApplications.name,
      partner: partners,
      receiver: { id: users.id, name: users.name, email: users.email },
      withdrawer: { id: withdrawers.id, name: withdrawers.name, email: withdrawers.email },
      subjectName: sql<string | null>`coalesce(${cloneMirror.displayName}, ${sourceName})`,
      cloneRedactedAt: cloneMirror.redactedAt,
    })
    .from(inboxItems)
    .innerJoin(connectedApplications, eq(connectedApplications.id, inboxItems.applicationId))
    .leftJoin(partners, eq(partners.id, inboxItems.partnerId))
    .leftJoin(users, eq(users.id, inboxItems.receivedBy))
    .leftJoin(withdrawers, eq(withdrawers.id, inboxItems.withdrawnBy))
    .leftJoin(itemImport, eq(itemImport.inboxItemId, inboxItems.id))
    .leftJoin(
      cloneMirror,
      and(
        eq(cloneMirror.applicationId, itemImport.applicationId),
        eq(cloneMirror.diditSessionId, itemImport.cloneSessionId),
      ),
    );
}
type JoinedRow = Awaited<ReturnType<ReturnType<typeof selectJoined>["limit"]>>[number];

/** Pending and unexpired, or failed with the token still unredeemed: what an import (again) needs. */
function importable(item: InboxRow, imported: ImportDto | null, now: Date): boolean {
  if (item.expiresAt <= now || !item.tokenCiphertext) return false;
  if (item.state === "pending") return true;
  return item.state === "failed" && imported?.state === "failed" && imported.retryable;
}

/**
 * Only Didit can verify a token: it is ours to count as the partner's once Didit accepted it on
 * import, or when this console received it from Didit itself (an internal hand-over of our share).
 */
function verificationOf(
  item: InboxRow,
  imported: ImportDto | null,
): Pick<InboxItemDto, "verification" | "verifiedBy"> {
  if (item.state === "invalid") return { verification: "invalid", verifiedBy: null };
  if (imported?.state === "imported") return { verification: "verified", verifiedBy: "import" };
  if (item.localShareId) return { verification: "verified", verifiedBy: "own_share" };
  return { verification: "unverified", verifiedBy: null };
}

function toInboxItemDto(
  ctx: ServiceContext,
  row: JoinedRow,
  imported: ImportDto | null,
  now: Date,
): InboxItemDto {
  const i = row.item;
  const secondsLeft = Math.max(0, Math.floor((i.expiresAt.getTime() - now.getTime()) / 1000));
  const state = i.state === "pending" && secondsLeft === 0 ? "expired" : i.state;
  const officer = !!ctx.actor && can(ctx.actor.role, "imports.create");
  const policyAllows =
    !!row.partner && evaluateImportPolicy(row.partner, { session_kind: i.sessionKind }, now).ok;
  const open = importable(i, imported, now);
  const subject = subjectOf(ctx, {
    name: row.subjectName,
    removed: i.redactedAt !== null || row.cloneRedactedAt !== null,
  });
  return {
    ...(subject ? { subject } : {}),
    id: i.id,
    applicationId: i.applicationId,
    applicationName: row.applicationName,
    partnerId: i.partnerId,
    partnerName: row.partner?.name ?? null,
    source: i.source,
    senderShareId: i.senderShareId,
    sessionKind: i.sessionKind,
    sourceSessionId: i.sourceSessionId,
    fromApplicationId: i.fromApplicationId,
    manifest: i.manifest,
    expiresAt: i.expiresAt.toISOString(),
    secondsLeft,
    state,
    stateReason: state === "expired" && i.state === "pending" ? EXPIRED_REASON : i.stateReason,
    ...verificationOf(i, imported),
    receivedAt: i.receivedAt.toISOString(),
    receivedBy: row.receiver?.id ? row.receiver : null,
    withdrawal:
      i.state === "withdrawn" && i.withdrawnAt
        ? {
            at: i.withdrawnAt.toISOString(),
            by: row.withdrawer?.id ? row.withdrawer : null,
            reason: i.stateReason ?? "",
          }
        : null,
    canReject: officer && open,
    canImport: officer && open && policyAllows,
    import: imported,
  };
}

/** `GET /api/inbox`: newest first, filtered, a keyset cursor. */
export async function listInbox(ctx: ServiceContext, query: InboxListQuery): Promise<InboxListResponse> {
  assertCan(ctx, "inbox.read");
  const now = ctx.now();
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  await expireDue(ctx.db, now);
  const where: (SQL | undefined)[] = [];
  if (query.state) where.push(eq(inboxItems.state, query.state));
  if (query.partnerId) where.push(eq(inboxItems.partnerId, query.partnerId));
  if (query.applicationId) where.push(eq(inboxItems.applicationId, query.applicationId));
  if (query.source) where.push(eq(inboxItems.source, query.source));
  if (query.q) {
    const q = query.q.trim();
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const ors: SQL[] = [ilike(partners.name, like)];
    if (isUuid(q)) {
      const id = q.toLowerCase();
      ors.push(
        eq(inboxItems.sourceSessionId, id),
        eq(inboxItems.senderShareId, id),
        eq(inboxItems.id, id),
        eq(inboxItems.fromApplicationId, id),
      );
    }
    // The imported person's or company's name, folded as the session picker folds it.
    const terms = q.split(/\s+/).slice(0, 5);
    if (canReadNames(ctx) && terms.some((t) => foldSearch(t).length >= MIN_NAME_TERM)) {
      ors.push(foldedTextMatch(cloneMirror.searchText, terms));
    }
    where.push(or(...ors));
  }
  if (cursor) {
    where.push(
      sql`(${inboxItems.receivedAt}, ${inboxItems.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const rows = await selectJoined(ctx.db)
    .where(and(...where))
    .orderBy(desc(inboxItems.receivedAt), desc(inboxItems.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const importsById = await importsOfItems(
    ctx.db,
    page.map((r) => r.item.id),
  );
  return {
    items: page.map((r) => toInboxItemDto(ctx, r, importsById.get(r.item.id) ?? null, now)),
    nextCursor: rows.length > query.limit ? nextCursorOf(page[page.length - 1]!.item) : null,
  };
}

async function joinedById(db: DbOrTx, id: string): Promise<JoinedRow> {
  const [row] = await selectJoined(db).where(eq(inboxItems.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such inbox item.");
  return row;
}

async function toDetail(ctx: ServiceContext, row: JoinedRow, now: Date): Promise<InboxItemDetailDto> {
  const partner = row.partner;
  let importPolicy: InboxItemDetailDto["importPolicy"];
  if (!partner) {
    importPolicy = {
      ok: false,
      code: "token_from_unknown_partner",
      message:
        "The sender is not in our partner directory: a partnership manager must add it (direction inbound or both) before its tokens can be imported.",
    };
  } else {
    const verdict = evaluateImportPolicy(partner, { session_kind: row.item.sessionKind }, now);
    importPolicy = verdict.ok ? { ok: true } : { ok: false, code: verdict.code, message: verdict.message };
  }
  const imported = await importOfItem(ctx.db, row.item.id);
  const receipts = await receiptsOfItem(ctx.db, row.item.id);
  return {
    ...toInboxItemDto(ctx, row, imported, now),
    claims: row.item.claims,
    partner: partner ? toPartnerSummary(partner, now) : null,
    importPolicy,
    receipts,
  };
}

/** `GET /api/inbox/{id}`: the item with its claims, manifest, partner and agreement now, time left. */
export async function getInboxItem(ctx: ServiceContext, id: string): Promise<InboxItemDetailDto> {
  assertCan(ctx, "inbox.read");
  const now = ctx.now();
  const row = await joinedById(ctx.db, id);
  if (row.item.state === "pending" && row.item.expiresAt <= now) {
    await expireDue(ctx.db, now, [id]);
    return toDetail(ctx, await joinedById(ctx.db, id), now);
  }
  return toDetail(ctx, row, now);
}

function nextCursorOf(row: { receivedAt: Date; id: string }): string {
  return encodeKeysetCursor(row.receivedAt, row.id);
}
