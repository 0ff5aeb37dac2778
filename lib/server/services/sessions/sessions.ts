import "server-only";
import { and, desc, eq, inArray, isNull, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { can } from "@/lib/rbac";
import { foldSearch, searchTermForms } from "@/lib/search-fold";
import {
  encodeSessionCursor,
  FINISHED_SESSION_STATUSES,
  isFinishedStatus,
  SESSION_LIST_LIMIT_DEFAULT,
  type SessionDecisionDto,
  type SessionDetailDto,
  type SessionFeatureSummaryDto,
  type SessionListInput,
  type SessionListItemDto,
  type SessionListResponse,
  type SessionShareSummaryDto,
} from "@/lib/schemas/sessions";
import { erasureRequests } from "@/lib/server/db/schema/recalls";
import { connectedApplications, partners, sessionMirror, shares } from "@/lib/server/db/schema/sharing";
import type { DiditDecision } from "@/lib/server/didit/types";
import {
  AppError,
  assertCan,
  diditOf,
  UUID_RE,
  type ServiceContext,
  type ServiceDeps,
} from "@/lib/server/kernel";
import { markMirrorDeleted } from "./mirror";

/**
 * The session picker: a keyset-paginated read of the session mirror (never Didit), and one
 * session's detail with its decision read from Didit through the owning application's key.
 */

type MirrorRow = typeof sessionMirror.$inferSelect;

const INT4_MAX = 2_147_483_647;
/** Whitespace-separated terms of `q`, each of which must match. */
const MAX_TERMS = 5;
/** Names and companies are searched from this many characters (the trigram index's unit). */
export const MIN_NAME_TERM = 3;

type Erasure = SessionListItemDto["erasure"];

export function toSessionListItem(
  row: MirrorRow,
  applicationName: string,
  erasure: Erasure = null,
): SessionListItemDto {
  return {
    id: row.id,
    applicationId: row.applicationId,
    applicationName,
    sessionId: row.diditSessionId,
    number: row.sessionNumber,
    kind: row.kind,
    status: row.status,
    vendorData: row.vendorData,
    displayName: row.displayName,
    country: row.country,
    documentType: row.documentType,
    workflowId: row.workflowId,
    createdAt: row.diditCreatedAt.toISOString(),
    sharedFromSession: row.sharedFromSession,
    redacted: row.redactedAt !== null,
    erasure: row.redactedAt !== null ? erasure : null,
  };
}

/** The finished erasures of these redacted rows (the newest per session): the rest went by retention. */
async function erasuresOf(
  ctx: ServiceContext,
  rows: MirrorRow[],
): Promise<Map<string, NonNullable<Erasure>>> {
  const ids = [...new Set(rows.filter((r) => r.redactedAt !== null).map((r) => r.diditSessionId))];
  const found = new Map<string, NonNullable<Erasure>>();
  if (ids.length === 0) return found;
  const done = await ctx.db
    .select({
      sessionId: erasureRequests.sessionId,
      reason: erasureRequests.reason,
      at: erasureRequests.finishedAt,
    })
    .from(erasureRequests)
    .where(and(inArray(erasureRequests.sessionId, ids), eq(erasureRequests.state, "done")))
    .orderBy(desc(erasureRequests.finishedAt));
  for (const e of done) {
    if (!found.has(e.sessionId) && e.at) found.set(e.sessionId, { at: e.at.toISOString(), reason: e.reason });
  }
  return found;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Every term of a name search, folded (lib/search-fold.ts), a substring of a folded search text
 * (`session_mirror.search_text`): a term with a transliterated form ("köhler": "kohler" or
 * "koehler") matches either. The trigram index serves each `like`.
 */
export function foldedTextMatch(column: SQL | AnyColumn, terms: string[]): SQL {
  const perTerm = terms
    .filter((t) => foldSearch(t) !== "")
    .map((t) => {
      const forms = searchTermForms(t).map((f) => sql`${column} like ${`%${likeEscape(f)}%`}`);
      return forms.length === 1 ? forms[0]! : sql`(${or(...forms)})`;
    });
  return perTerm.length === 1 ? perTerm[0]! : and(...perTerm)!;
}

/**
 * Session numbers starting with `digits`, as ranges a btree can use: "12" is 12, 120–129,
 * 1200–1299… up to the largest int4.
 */
export function numberPrefixRanges(digits: string): [number, number][] {
  if (!/^\d{1,10}$/.test(digits) || (digits.length > 1 && digits.startsWith("0"))) return [];
  const prefix = Number(digits);
  if (prefix === 0) return [[0, 0]];
  const ranges: [number, number][] = [];
  for (let scale = 1; prefix * scale <= INT4_MAX; scale *= 10) {
    ranges.push([prefix * scale, Math.min((prefix + 1) * scale - 1, INT4_MAX)]);
  }
  return ranges;
}

/**
 * `q`: a whole uuid matches that session; otherwise the name or company (every term a substring,
 * any order, one of them 3 characters or more; a shorter query: the start of the name), a
 * vendor_data prefix (any case), or, for digits, a session number prefix (from three digits; one
 * or two digits are that number).
 */
function searchCondition(q: string): SQL | undefined {
  const query = q.trim().toLowerCase();
  if (query === "") return undefined;
  if (UUID_RE.test(query)) return eq(sessionMirror.diditSessionId, query);
  const terms = query.split(/\s+/).slice(0, MAX_TERMS);
  const matches: SQL[] = [sql`lower(${sessionMirror.vendorData}) like ${`${likeEscape(query)}%`}`];
  // Names match anywhere from one term of 3 characters (a trigram); beside it shorter terms only
  // narrow. Shorter queries match the start of the name (a btree prefix): anywhere, a rare pair
  // of letters would scan every row.
  if (terms.some((t) => foldSearch(t).length >= MIN_NAME_TERM)) {
    matches.push(foldedTextMatch(sessionMirror.searchText, terms));
  } else {
    const prefix = foldSearch(terms.join(" "));
    matches.push(sql`${sessionMirror.searchText} like ${`${likeEscape(prefix)}%`}`);
  }
  if (/^\d{1,2}$/.test(query)) {
    // One or two digits name that session number: as prefixes they would match a tenth or a
    // hundredth of every session, in no useful order (bench/results/picker.md).
    matches.push(eq(sessionMirror.sessionNumber, Number(query)));
  } else {
    for (const [lo, hi] of numberPrefixRanges(query)) {
      matches.push(sql`${sessionMirror.sessionNumber} between ${lo} and ${hi}`);
    }
  }
  return or(...matches);
}

async function liveApplications(ctx: ServiceContext): Promise<Map<string, string>> {
  const rows = await ctx.db
    .select({ id: connectedApplications.id, name: connectedApplications.name })
    .from(connectedApplications)
    .where(isNull(connectedApplications.deletedAt));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * `GET /api/sessions`: newest first on (created, id), a page of `limit` plus the cursor after it.
 * Finished sessions only unless `finished` is false or `status` names the statuses wanted.
 */
export async function listSessions(
  ctx: ServiceContext,
  input: SessionListInput,
): Promise<SessionListResponse> {
  assertCan(ctx, "sessions.read");
  const limit = input.limit ?? SESSION_LIST_LIMIT_DEFAULT;
  const apps = await liveApplications(ctx);
  if (input.applicationId && !apps.has(input.applicationId)) {
    throw new AppError(
      "not_found",
      "No connected application has this id: pick one from the list, or ask an admin to connect it on /applications.",
    );
  }
  const appIds = input.applicationId ? [input.applicationId] : [...apps.keys()];
  if (appIds.length === 0) return { items: [], nextCursor: null };

  const finished = input.finished ?? input.status === undefined;
  let statuses: string[] | undefined = input.status;
  if (finished) {
    statuses = (statuses ?? [...FINISHED_SESSION_STATUSES]).filter(isFinishedStatus);
    if (statuses.length === 0) return { items: [], nextCursor: null };
  }

  const conditions: (SQL | undefined)[] = [
    isNull(sessionMirror.deletedAt),
    appIds.length === 1
      ? eq(sessionMirror.applicationId, appIds[0]!)
      : inArray(sessionMirror.applicationId, appIds),
    input.kind && input.kind !== "all" ? eq(sessionMirror.kind, input.kind) : undefined,
    statuses
      ? statuses.length === 1
        ? eq(sessionMirror.status, statuses[0]!)
        : inArray(sessionMirror.status, statuses)
      : undefined,
    input.q ? searchCondition(input.q) : undefined,
    input.cursor
      ? sql`(${sessionMirror.diditCreatedAt}, ${sessionMirror.id}) < (${input.cursor.createdAt.toISOString()}::timestamptz, ${input.cursor.id}::uuid)`
      : undefined,
  ];
  const rows = await ctx.db
    .select()
    .from(sessionMirror)
    .where(and(...conditions))
    // NULLS LAST as the indexes are built (the columns are never null; the planner needs the match).
    .orderBy(sql`${sessionMirror.diditCreatedAt} desc nulls last`, sql`${sessionMirror.id} desc nulls last`)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const erasures = await erasuresOf(ctx, page);
  return {
    items: page.map((r) =>
      toSessionListItem(r, apps.get(r.applicationId) ?? "", erasures.get(r.diditSessionId) ?? null),
    ),
    nextCursor:
      rows.length > limit && last
        ? encodeSessionCursor({ createdAt: last.diditCreatedAt, id: last.id })
        : null,
  };
}

function summariseFeatures(featureData: DiditDecision["featureData"]): SessionFeatureSummaryDto[] {
  return Object.entries(featureData ?? {})
    .filter(([, items]) => Array.isArray(items))
    .map(([feature, items]) => ({
      feature,
      count: items.length,
      statuses: items
        .map((item) => (item && typeof item === "object" ? (item as { status?: unknown }).status : undefined))
        .filter((s): s is string => typeof s === "string")
        .map((s) => s.slice(0, 60)),
    }));
}

function toDecisionDto(d: DiditDecision): SessionDecisionDto {
  return {
    status: d.status,
    fullName: d.fullName,
    companyName: d.companyName,
    registrationNumber: d.registrationNumber,
    documentType: d.documentType,
    country: d.country,
    vendorData: d.vendorData,
    workflowId: d.workflowId,
    createdAt: d.createdAt.toISOString(),
    expiresAt: d.expiresAt,
    sharedFromSession: d.sharedFromSession,
    features: summariseFeatures(d.featureData),
    reviews: d.reviews.map((r) => ({
      user: r.user,
      newStatus: r.newStatus,
      comment: r.comment,
      createdAt: r.createdAt,
    })),
  };
}

/** The mirror row for a Didit session uuid or a mirror row id, of a connected application. */
async function findMirrorRow(ctx: ServiceContext, id: string) {
  const rows = await ctx.db
    .select({ row: sessionMirror, app: connectedApplications })
    .from(sessionMirror)
    .innerJoin(connectedApplications, eq(connectedApplications.id, sessionMirror.applicationId))
    .where(
      and(
        or(eq(sessionMirror.diditSessionId, id), eq(sessionMirror.id, id)),
        isNull(sessionMirror.deletedAt),
        isNull(connectedApplications.deletedAt),
      ),
    )
    .orderBy(desc(sessionMirror.syncedAt))
    .limit(1);
  return rows[0] ?? null;
}

async function sharesOf(ctx: ServiceContext, row: MirrorRow): Promise<SessionShareSummaryDto[]> {
  const rows = await ctx.db
    .select({ share: shares, partnerName: partners.name })
    .from(shares)
    .innerJoin(partners, eq(partners.id, shares.partnerId))
    .where(and(eq(shares.sessionId, row.diditSessionId), eq(shares.applicationId, row.applicationId)))
    .orderBy(desc(shares.createdAt), desc(shares.id))
    .limit(200);
  return rows.map(({ share, partnerName }) => ({
    id: share.id,
    partner: { id: share.partnerId, name: partnerName },
    state: share.state,
    channel: share.channel,
    ttlSeconds: share.ttlSeconds,
    createdAt: share.createdAt.toISOString(),
    expiresAt: share.expiresAt.toISOString(),
    receiptStatus: share.receiptStatus,
    receiptCloneSessionId: share.receiptCloneSessionId,
  }));
}

/**
 * `GET /api/sessions/{id}`: the mirror row, the decision from Didit (its refusals surface as the
 * client's codes: key_rejected, not_found, rate_limited, upstream_unavailable…) and the shares of
 * the session. A session Didit no longer has leaves the picker.
 */
export async function getSession(
  ctx: ServiceContext,
  id: string,
  deps: ServiceDeps = {},
): Promise<SessionDetailDto> {
  assertCan(ctx, "sessions.read");
  const found = await findMirrorRow(ctx, id.toLowerCase());
  if (!found) throw new AppError("not_found", "No such session in the connected applications.");
  const { row, app } = found;
  if (!app.apiKeyCiphertext) {
    throw new AppError(
      "key_rejected",
      `${app.name} has no API key: an admin must set one on /applications before its sessions can be read.`,
    );
  }
  const didit = diditOf(deps);
  let decision: DiditDecision;
  try {
    decision = await didit.getDecision(
      { id: app.id, apiKeyCiphertext: app.apiKeyCiphertext },
      row.diditSessionId,
    );
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      await markMirrorDeleted(ctx.db, row.applicationId, row.diditSessionId);
      throw new AppError(
        "not_found",
        "Didit no longer has this session (it was deleted): it has been removed from the picker.",
      );
    }
    throw error;
  }
  const decisionDto = toDecisionDto(decision);
  return {
    session: toSessionListItem(row, app.name, (await erasuresOf(ctx, [row])).get(row.diditSessionId) ?? null),
    decision: decisionDto,
    shares: await sharesOf(ctx, row),
    canShare:
      ctx.actor !== null && can(ctx.actor.role, "shares.create") && isFinishedStatus(decisionDto.status),
  };
}
