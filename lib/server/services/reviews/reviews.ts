import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, ilike, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import {
  auditSentence,
  sentenceText,
  userIdsIn,
  type Sentence,
  type SentencePart,
  type SentencePerson,
} from "@/lib/audit-sentences";
import { can } from "@/lib/rbac";
import { foldSearch } from "@/lib/search-fold";
import type {
  AssignRequest,
  DecisionDto,
  DecisionRequest,
  DecisionResponse,
  ImportDetailDto,
  ImportListItemDto,
  ImportListQuery,
  ImportListResponse,
  LineageDto,
  RejectProposalRequest,
  TimelineEntryDto,
  TimelineEventKind,
  UserRefDto,
} from "@/lib/schemas/reviews";
import {
  auditEvents,
  connectedApplications,
  importDecisions,
  imports,
  inboxItems,
  partners,
  sessionMirror,
  users,
} from "@/lib/server/db/schema";
import type { DbOrTx, Tx } from "@/lib/server/db/types";
import { getDiditClient } from "@/lib/server/didit";
import type { DiditCaller, DiditClient } from "@/lib/server/didit/types";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/server/http/keyset-cursor";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { enqueue, registerHandler, type JobContext } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { toImportDto } from "@/lib/server/services/receiving";
import { loadReviewSides } from "./review-view";
import { canReadNames, subjectOf, foldedTextMatch, MIN_NAME_TERM } from "@/lib/server/services/sessions";

/**
 * The review queue and decisions on imported clones (we are Service Y). The queue lists imports by
 * their clone's current status at Didit (kept by Didit's webhooks and the decision check), proposals
 * awaiting a second officer first, then the oldest import. A decision is written in a short
 * transaction that row-locks the import (so two officers deciding at once make one Didit call),
 * then sent to Didit with our application's key outside any transaction, then recorded `sent` (or
 * `failed` with Didit's refusal). Under four eyes the first officer's decision is only a proposal.
 * Didit's webhook (or the `reviews.confirm` job) moves a sent decision to `confirmed`.
 */

export const CONFIRM_QUEUE = "reviews.confirm";
/** Well past the Didit client's timeout and retries: the webhook has normally confirmed by then. */
export const CONFIRM_AFTER_MS = 2 * 60_000;
export const DEFAULT_IMPORT_PAGE = 50;
const IN_REVIEW = "In Review";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type ImportRow = typeof imports.$inferSelect;
type DecisionRow = typeof importDecisions.$inferSelect;

export type ReviewDeps = { didit?: DiditClient };

// --- The list item -------------------------------------------------------------------------------

const importer = alias(users, "importer");
const assignee = alias(users, "assignee");
const decider = alias(users, "decider");
const second = alias(users, "second_officer");
/** The clone's row in our session mirror: whom the review is about. */
const cloneMirror = alias(sessionMirror, "clone_mirror");
/** A sister brand's source, mirrored here too: its name until the clone's arrives (Didit's webhook). */
const sourceName = sql<
  string | null
>`(select s.display_name from ${sessionMirror} s where s.didit_session_id = ${imports.sourceSessionId} and s.redacted_at is null and s.display_name is not null limit 1)`;

/** Recalled by the partner and not decided again since: in the queue whatever the clone's status. */
const recalledOpen = sql<boolean>`(${imports.recalledAt} is not null and ${imports.recallClearedAt} is null)`;
const hasProposal = sql<boolean>`exists (select 1 from ${importDecisions} where ${importDecisions.importId} = ${imports.id} and ${importDecisions.state} = 'proposed')`;
/** The queue's time: when the import finished (one still importing: when it started). */
const orderAt = sql`coalesce(${imports.finishedAt}, ${imports.startedAt})`;

function overdueSql(now: Date): SQL {
  return sql`coalesce(${imports.status} = ${IN_REVIEW} and ${imports.finishedAt} + make_interval(hours => ${partners.reviewSlaHours}) < ${now.toISOString()}::timestamptz, false)`;
}

function selectItems(db: DbOrTx) {
  return db
    .select({
      row: imports,
      applicationName: connectedApplications.name,
      partnerName: partners.name,
      userId: importer.id,
      userName: importer.name,
      userEmail: importer.email,
      assigneeId: assignee.id,
      assigneeName: assignee.name,
      assigneeEmail: assignee.email,
      reviewSlaHours: partners.reviewSlaHours,
      requireFourEyes: partners.requireFourEyes,
      hasProposal: hasProposal.mapWith((v: unknown) => v === true || v === "t" || v === "true"),
      recalled: recalledOpen.mapWith((v: unknown) => v === true || v === "t" || v === "true"),
      subjectName: sql<string | null>`coalesce(${cloneMirror.displayName}, ${sourceName})`,
      subjectRedactedAt: cloneMirror.redactedAt,
    })
    .from(imports)
    .innerJoin(connectedApplications, eq(connectedApplications.id, imports.applicationId))
    .innerJoin(partners, eq(partners.id, imports.partnerId))
    .leftJoin(importer, eq(importer.id, imports.importedBy))
    .leftJoin(assignee, eq(assignee.id, imports.assignedTo))
    .leftJoin(
      cloneMirror,
      and(
        eq(cloneMirror.applicationId, imports.applicationId),
        eq(cloneMirror.diditSessionId, imports.cloneSessionId),
      ),
    );
}
type ItemJoined = Awaited<ReturnType<ReturnType<typeof selectItems>["limit"]>>[number];

function userRef(id: string | null, name: string | null, email: string | null): UserRefDto | null {
  return id && name !== null && email !== null ? { id, name, email } : null;
}

type DecisionJoined = {
  d: DecisionRow;
  deciderId: string;
  deciderName: string;
  deciderEmail: string;
  secondId: string | null;
  secondName: string | null;
  secondEmail: string | null;
};

function selectDecisions(db: DbOrTx) {
  return db
    .select({
      d: importDecisions,
      deciderId: decider.id,
      deciderName: decider.name,
      deciderEmail: decider.email,
      secondId: second.id,
      secondName: second.name,
      secondEmail: second.email,
    })
    .from(importDecisions)
    .innerJoin(decider, eq(decider.id, importDecisions.decidedBy))
    .leftJoin(second, eq(second.id, importDecisions.secondBy));
}

function toDecisionDto(j: DecisionJoined): DecisionDto {
  const d = j.d;
  return {
    id: d.id,
    status: d.status,
    comment: d.comment,
    state: d.state,
    decidedBy: { id: j.deciderId, name: j.deciderName, email: j.deciderEmail },
    decidedAt: d.decidedAt.toISOString(),
    secondBy: userRef(j.secondId, j.secondName, j.secondEmail),
    secondAt: d.secondAt?.toISOString() ?? null,
    secondComment: d.secondComment,
    sentAt: d.sentAt?.toISOString() ?? null,
    confirmedAt: d.confirmedAt?.toISOString() ?? null,
    failureCode: d.failureCode,
    failureReason: d.failureReason,
  };
}

function dueAtOf(row: ImportRow, slaHours: number): Date | null {
  return row.finishedAt ? new Date(row.finishedAt.getTime() + slaHours * 3_600_000) : null;
}

/** The page's rows as list items: one query for their open and unconfirmed decisions (no N+1). */
async function toItems(
  ctx: Pick<ServiceContext, "actor">,
  db: DbOrTx,
  rows: ItemJoined[],
  now: Date,
): Promise<ImportListItemDto[]> {
  const ids = rows.map((r) => r.row.id);
  const open =
    ids.length === 0
      ? []
      : await selectDecisions(db)
          .where(
            and(inArray(importDecisions.importId, ids), inArray(importDecisions.state, ["proposed", "sent"])),
          )
          .orderBy(asc(importDecisions.createdAt), asc(importDecisions.id));
  return rows.map((r) => {
    const mine = open.filter((o) => o.d.importId === r.row.id);
    const proposal = mine.find((o) => o.d.state === "proposed");
    const sent = mine.filter((o) => o.d.state === "sent").at(-1);
    const dueAt = dueAtOf(r.row, r.reviewSlaHours);
    const subject = subjectOf(ctx, { name: r.subjectName, removed: r.subjectRedactedAt !== null });
    return {
      ...toImportDto(r),
      ...(subject ? { subject } : {}),
      status: r.row.status,
      statusUpdatedAt: r.row.statusUpdatedAt?.toISOString() ?? null,
      assignee: userRef(r.assigneeId, r.assigneeName, r.assigneeEmail),
      assignedAt: r.row.assignedAt?.toISOString() ?? null,
      reviewSlaHours: r.reviewSlaHours,
      dueAt: dueAt?.toISOString() ?? null,
      overdue: r.row.status === IN_REVIEW && dueAt !== null && now.getTime() > dueAt.getTime(),
      requireFourEyes: r.requireFourEyes,
      pendingProposal: proposal ? toDecisionDto(proposal) : null,
      awaitingConfirmation: sent ? toDecisionDto(sent) : null,
      recall:
        r.row.recalledAt && !r.row.recallClearedAt
          ? {
              trigger: (r.row.recallTrigger ?? "declined") as NonNullable<
                ImportListItemDto["recall"]
              >["trigger"],
              reason: r.row.recallReason ?? "",
              recalledAt: r.row.recalledAt.toISOString(),
              inboundRecallId: r.row.inboundRecallId,
            }
          : null,
    };
  });
}

/** One list item; its subject (the name) only with `viewer` (decision answers merge into the page's). */
async function loadItem(
  db: DbOrTx,
  id: string,
  now: Date,
  viewer: Pick<ServiceContext, "actor"> = { actor: null },
): Promise<ImportListItemDto> {
  const rows = await selectItems(db).where(eq(imports.id, id)).limit(1);
  if (rows.length === 0) throw new AppError("not_found", "No such import.");
  return (await toItems(viewer, db, rows, now))[0]!;
}

// --- The list ------------------------------------------------------------------------------------

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
    if (UUID_RE.test(q)) {
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

// --- The detail ----------------------------------------------------------------------------------

/** The audit actions of an import shown on its timeline, and their kind there. */
const TIMELINE_ACTIONS: Record<string, TimelineEventKind> = {
  "import.assigned": "assigned",
  "import.decision_proposed": "proposed",
  "import.proposal_rejected": "proposal_rejected",
  "import.proposal_withdrawn": "proposal_withdrawn",
  "import.decided": "decided",
  "import.decision_confirmed": "confirmed",
  "import.decision_failed": "decision_failed",
  "import.status_changed": "status_changed",
  "import.recalled": "recalled",
  "import.recall_cleared": "recall_cleared",
};

const CHANNEL_LABEL: Record<string, string> = {
  push: "pushed by the partner",
  pickup: "picked up from the partner",
  paste: "pasted by an officer",
  internal: "delivered inside this console",
};

function claimSeconds(claims: Record<string, unknown>, key: string): number | null {
  const v = claims[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function agreementValidAt(
  partner: { agreementSignedOn: string | null; agreementExpiresOn: string | null },
  at: Date,
): boolean | null {
  if (!partner.agreementSignedOn && !partner.agreementExpiresOn) return null;
  const day = at.toISOString().slice(0, 10);
  return (
    (!partner.agreementSignedOn || partner.agreementSignedOn <= day) &&
    (!partner.agreementExpiresOn || day <= partner.agreementExpiresOn)
  );
}

type Can = ImportDetailDto["can"];

function canOf(ctx: ServiceContext, item: ImportListItemDto): Can {
  const officer = can(ctx.actor?.role, "reviews.decide");
  const open =
    item.state === "imported" &&
    (item.status === IN_REVIEW || item.recall !== null) &&
    item.awaitingConfirmation === null;
  const proposal = item.pendingProposal;
  const mine = proposal?.decidedBy.id === ctx.actor?.id;
  return {
    decide: officer && open && !mine,
    confirm: officer && open && proposal !== null && !mine,
    rejectProposal: officer && proposal !== null,
    assign: officer && item.state === "imported",
  };
}

/** `GET /api/imports/{id}`: the list item, its lineage, decisions, timeline, the viewer's options and both sides. */
export async function getImport(ctx: ServiceContext, id: string): Promise<ImportDetailDto> {
  assertCan(ctx, "inbox.read");
  const now = ctx.now();
  const item = await loadItem(ctx.db, id, now, ctx);
  const [extra] = await ctx.db
    .select({ item: inboxItems, partner: partners })
    .from(imports)
    .innerJoin(inboxItems, eq(inboxItems.id, imports.inboxItemId))
    .innerJoin(partners, eq(partners.id, imports.partnerId))
    .where(eq(imports.id, id))
    .limit(1);
  if (!extra) throw new AppError("not_found", "No such import.");
  const decisions = await selectDecisions(ctx.db)
    .where(eq(importDecisions.importId, id))
    .orderBy(asc(importDecisions.decidedAt), asc(importDecisions.createdAt), asc(importDecisions.id));
  const events = await ctx.db
    .select({
      action: auditEvents.action,
      occurredAt: auditEvents.occurredAt,
      actorId: auditEvents.actorId,
      actorLabel: auditEvents.actorLabel,
      actorName: users.name,
      actorEmail: users.email,
      data: auditEvents.data,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(
      and(
        eq(auditEvents.entityType, "import"),
        eq(auditEvents.entityId, id),
        inArray(auditEvents.action, Object.keys(TIMELINE_ACTIONS)),
      ),
    )
    .orderBy(asc(auditEvents.seq));
  // Users named in the events' data (assignees, proposers), and the officer who pasted the token.
  const named = new Set<string>(events.flatMap((e) => userIdsIn(e.data)));
  if (extra.item.receivedBy) named.add(extra.item.receivedBy);
  const people = new Map<string, SentencePerson>();
  if (named.size > 0) {
    for (const u of await ctx.db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(inArray(users.id, [...named]))) {
      people.set(u.id, u);
    }
  }

  const inbox = extra.item;
  const partner = extra.partner;
  const iat = claimSeconds(inbox.claims, "iat");
  const exp = claimSeconds(inbox.claims, "exp");
  const sharedAt = iat !== null ? new Date(iat * 1000) : inbox.receivedAt;
  const expiresAt = exp !== null ? new Date(exp * 1000) : inbox.expiresAt;
  const importedAt = item.state === "imported" && item.finishedAt ? item.finishedAt : null;
  const lineage: LineageDto = {
    sourceSessionId: item.sourceSessionId,
    sharedFromSession: item.sharedFromSession,
    partner: {
      id: partner.id,
      name: partner.name,
      diditApplicationId: partner.diditApplicationId,
      status: partner.status,
      agreementReference: partner.agreementReference,
      agreementSignedOn: partner.agreementSignedOn,
      agreementExpiresOn: partner.agreementExpiresOn,
      agreementValidAtShare: agreementValidAt(partner, sharedAt),
    },
    sharedAt: sharedAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    ttlSeconds: Math.max(0, Math.round((expiresAt.getTime() - sharedAt.getTime()) / 1000)),
    channel: inbox.source,
    deliveredAt: inbox.receivedAt.toISOString(),
    importedAt,
    importedBy: item.importedBy,
    importedByPolicy: item.importedByPolicy,
    trustReview: item.trustReview,
    manifest: (inbox.manifest as Record<string, unknown> | null) ?? null,
  };

  const paster = inbox.receivedBy ? people.get(inbox.receivedBy) : undefined;
  const deliveredBy: SentencePart =
    inbox.source === "paste"
      ? paster
        ? { person: paster }
        : "an officer"
      : inbox.source === "internal"
        ? item.applicationName
        : partner.name;
  const entry = (kind: TimelineEventKind, at: string, sentence: Sentence): TimelineEntryDto => {
    const first = sentence[0];
    return {
      kind,
      at,
      actor: first === undefined ? null : typeof first === "string" ? null : first.person.name,
      summary: sentenceText(sentence),
      sentence,
    };
  };
  const timeline: TimelineEntryDto[] = [
    entry("shared", lineage.sharedAt, [
      `${partner.name} shared source session ${item.sourceSessionId} (valid ${Math.round(lineage.ttlSeconds / 60)} min)`,
    ]),
    entry("delivered", lineage.deliveredAt, [
      "The token was received: ",
      inbox.source === "paste" ? "pasted by " : `${CHANNEL_LABEL[inbox.source] ?? inbox.source}`,
      ...(inbox.source === "paste" ? [deliveredBy] : []),
    ]),
  ];
  if (importedAt) {
    const detail = ` as clone ${item.cloneSessionId} (${item.statusAtImport}${item.trustReview ? ", the source's review trusted" : ""})`;
    timeline.push(
      entry(
        "imported",
        importedAt,
        item.importedBy
          ? [{ person: item.importedBy }, ` imported the token${detail}`]
          : [
              `${item.importedByPolicy ? "The partner's auto-import policy" : "Handoff"} imported the token${detail}`,
            ],
      ),
    );
  }
  for (const e of events) {
    const actor = e.actorId && e.actorName ? { id: e.actorId, name: e.actorName, email: e.actorEmail } : null;
    timeline.push(
      entry(
        TIMELINE_ACTIONS[e.action]!,
        e.occurredAt.toISOString(),
        auditSentence({ action: e.action, actor, actorLabel: e.actorLabel, data: e.data }, people),
      ),
    );
  }
  // Stable: events at the same millisecond keep their order (token, delivery, import, audit seq).
  timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const sides = await loadReviewSides(ctx, {
    id: item.id,
    applicationId: item.applicationId,
    cloneSessionId: item.cloneSessionId,
    sourceSessionId: item.sourceSessionId,
    fromApplicationId: inbox.fromApplicationId,
  });
  return {
    ...item,
    lineage,
    decisions: decisions.map(toDecisionDto),
    timeline,
    can: canOf(ctx, item),
    clone: sides.clone,
    source: sides.source,
  };
}

// --- Assignment ----------------------------------------------------------------------------------

/** `POST /api/imports/{id}/assign`: "me", an active officer, or null (unassign). Audited `import.assigned`. */
export async function assignImport(
  ctx: ServiceContext,
  id: string,
  request: AssignRequest,
): Promise<ImportListItemDto> {
  assertCan(ctx, "reviews.decide");
  const meta = auditMeta(ctx);
  const to = request.assigneeId === "me" ? ctx.actor!.id : (request.assigneeId?.toLowerCase() ?? null);
  await ctx.db.transaction(async (tx) => {
    const [imp] = await tx.select().from(imports).where(eq(imports.id, id)).limit(1).for("update");
    if (!imp) throw new AppError("not_found", "No such import.");
    if (imp.state !== "imported") {
      throw new AppError(
        "conflict",
        `This import is ${imp.state}, not imported: there is no clone to review, so it cannot be assigned.`,
      );
    }
    if (to !== null && to !== ctx.actor!.id) {
      const [user] = await tx
        .select({ role: users.role, status: users.status })
        .from(users)
        .where(eq(users.id, to))
        .limit(1);
      if (!user || user.status !== "active" || user.role !== "officer") {
        throw new AppError("validation_failed", "Assign the review to an active compliance officer.", {
          fields: { assigneeId: ["Not an active compliance officer"] },
        });
      }
    }
    if (imp.assignedTo === to) return; // already so: nothing changes, nothing to audit
    await tx
      .update(imports)
      .set({ assignedTo: to, assignedAt: to ? meta.now : null, updatedAt: meta.now })
      .where(eq(imports.id, id));
    await recordAudit(tx, meta, {
      action: "import.assigned",
      entityType: "import",
      entityId: id,
      data: { from: imp.assignedTo, to },
    });
  });
  return loadItem(ctx.db, id, ctx.now(), ctx);
}

/**
 * The officers a review can be assigned to (`GET /api/imports/reviewers`): active users with the
 * officer role, by name. Officers cannot list users (`/api/users` is admin-only), so this answers
 * only what the reassign picker shows: id, name and email.
 */
export async function listReviewers(ctx: ServiceContext): Promise<{ items: UserRefDto[] }> {
  assertCan(ctx, "reviews.decide");
  const items = await ctx.db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.role, "officer"), eq(users.status, "active")))
    .orderBy(asc(users.name), asc(users.email), asc(users.id));
  return { items };
}

// --- Decisions -----------------------------------------------------------------------------------

type Prepared =
  | { kind: "proposed"; decisionId: string }
  | {
      kind: "send";
      decisionId: string;
      caller: DiditCaller;
      cloneSessionId: string;
      status: DecisionRequest["status"];
      comment: string | null;
    };

async function openDecisions(tx: Tx, importId: string): Promise<DecisionRow[]> {
  return tx
    .select()
    .from(importDecisions)
    .where(and(eq(importDecisions.importId, importId), inArray(importDecisions.state, ["proposed", "sent"])))
    .orderBy(asc(importDecisions.createdAt))
    .for("update");
}

function pendingError(sent: DecisionRow): AppError {
  return new AppError(
    "decision_pending",
    `A decision (${sent.status}, ${sent.decidedAt.toISOString()}) was sent to Didit and is waiting for Didit's confirmation: reload this review in a moment instead of deciding again.`,
    { decisionId: sent.id },
  );
}

/** Didit's limit on an update-status comment (the sandbox enforces the same). */
const DIDIT_COMMENT_MAX = 2000;

/**
 * The comment sent to Didit with a four-eyes decision: the proposer's reason and the second
 * officer's, each labelled (roles, not names: Didit needs the reasons, not who we employ).
 */
export function diditComment(proposerComment: string | null, secondComment: string | null): string | null {
  if (!secondComment) return proposerComment;
  const text = proposerComment
    ? `Proposer: ${proposerComment}\nSecond officer: ${secondComment}`
    : `Second officer: ${secondComment}`;
  return text.length > DIDIT_COMMENT_MAX ? `${text.slice(0, DIDIT_COMMENT_MAX - 1)}…` : text;
}

/** Queues the check that confirms (or fails) a sent decision if Didit's webhook does not come. */
async function enqueueConfirm(tx: Tx, importId: string, decisionId: string, now: Date) {
  await enqueue(tx, {
    queue: CONFIRM_QUEUE,
    payload: { importId, decisionId },
    runAt: new Date(now.getTime() + CONFIRM_AFTER_MS),
    singletonKey: decisionId,
    maxAttempts: 10,
    now,
  });
}

/**
 * The first transaction: lock the import, refuse unless it can be decided now, then write a
 * proposal (four eyes) or the decision about to be sent (`sent`, no `sentAt` yet: a concurrent
 * decision sees it and gets `decision_pending`), with its audit row and the confirmation job.
 */
async function prepareDecision(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  importId: string,
  request: DecisionRequest,
): Promise<Prepared> {
  const actorId = ctx.actor!.id;
  const now = meta.now;
  const comment = request.comment ?? null;
  return ctx.db.transaction(async (tx) => {
    const [imp] = await tx.select().from(imports).where(eq(imports.id, importId)).limit(1).for("update");
    if (!imp) throw new AppError("not_found", "No such import.");
    if (imp.state !== "imported" || !imp.cloneSessionId) {
      throw new AppError(
        "conflict",
        `This import is ${imp.state}, not imported: there is no clone at Didit to decide.`,
      );
    }
    const recalled = imp.recalledAt !== null && imp.recallClearedAt === null;
    if (imp.status !== IN_REVIEW && !recalled) {
      throw new AppError(
        "not_in_review",
        `This clone is ${imp.status ?? "of unknown status"} at Didit, not In Review: there is nothing to decide.`,
        { status: imp.status },
      );
    }
    const open = await openDecisions(tx, importId);
    const sent = open.find((d) => d.state === "sent");
    if (sent) throw pendingError(sent);
    const proposal = open.find((d) => d.state === "proposed") ?? null;
    const [partner] = await tx
      .select({ requireFourEyes: partners.requireFourEyes })
      .from(partners)
      .where(eq(partners.id, imp.partnerId))
      .limit(1);
    const [app] = await tx
      .select({
        id: connectedApplications.id,
        name: connectedApplications.name,
        key: connectedApplications.apiKeyCiphertext,
        deletedAt: connectedApplications.deletedAt,
      })
      .from(connectedApplications)
      .where(eq(connectedApplications.id, imp.applicationId))
      .limit(1);
    const fourEyes = partner?.requireFourEyes === true || proposal !== null;
    if (request.proposalId) {
      // The second officer confirms the proposal they saw: not one replaced or withdrawn since.
      if (!proposal || proposal.id !== request.proposalId.toLowerCase()) {
        throw new AppError(
          "conflict",
          "The proposal you are confirming is no longer open (it was withdrawn, rejected or replaced): reload the review.",
          { decisionId: proposal?.id ?? null },
        );
      }
      if (proposal.status !== request.status) {
        throw new AppError(
          "conflict",
          `This proposal is ${proposal.status}, not ${request.status}: to disagree, reject it or propose ${request.status} without confirming.`,
          { decisionId: proposal.id },
        );
      }
    }

    const propose = async () => {
      const decisionId = randomUUID();
      await tx.insert(importDecisions).values({
        id: decisionId,
        importId,
        status: request.status,
        comment,
        state: "proposed",
        decidedBy: actorId,
        decidedAt: now,
        createdAt: now,
        updatedAt: now,
      });
      await recordAudit(tx, meta, {
        action: "import.decision_proposed",
        entityType: "import",
        entityId: importId,
        data: { decisionId, status: request.status, comment },
      });
      return { kind: "proposed" as const, decisionId };
    };

    if (fourEyes && !proposal) return propose();
    if (fourEyes && proposal && proposal.decidedBy === actorId) {
      throw new AppError(
        "own_proposal",
        "You proposed this decision: a second, different officer must confirm it.",
        { decisionId: proposal.id },
      );
    }
    if (fourEyes && proposal && proposal.status !== request.status) {
      // The second officer disagrees: the proposal is turned down and theirs is the new proposal.
      await tx
        .update(importDecisions)
        .set({ state: "rejected", secondBy: actorId, secondAt: now, secondComment: comment, updatedAt: now })
        .where(eq(importDecisions.id, proposal.id));
      await recordAudit(tx, meta, {
        action: "import.proposal_rejected",
        entityType: "import",
        entityId: importId,
        data: { decisionId: proposal.id, status: proposal.status, comment, counterProposal: request.status },
      });
      return propose();
    }

    if (!app || app.deletedAt || !app.key) {
      throw new AppError(
        "conflict",
        `${app?.name ?? "The clone's application"} has no API key (or was removed from the console): an admin must set its key on /applications before its clones can be decided.`,
      );
    }
    const caller = { id: app.id, apiKeyCiphertext: app.key };
    if (proposal) {
      await tx
        .update(importDecisions)
        .set({ state: "sent", secondBy: actorId, secondAt: now, secondComment: comment, updatedAt: now })
        .where(eq(importDecisions.id, proposal.id));
      await recordAudit(tx, meta, {
        action: "import.decision_submitted",
        entityType: "import",
        entityId: importId,
        data: { decisionId: proposal.id, status: proposal.status, proposedBy: proposal.decidedBy, comment },
      });
      await enqueueConfirm(tx, importId, proposal.id, now);
      return {
        kind: "send" as const,
        decisionId: proposal.id,
        caller,
        cloneSessionId: imp.cloneSessionId,
        status: proposal.status,
        comment: diditComment(proposal.comment, comment),
      };
    }
    const decisionId = randomUUID();
    await tx.insert(importDecisions).values({
      id: decisionId,
      importId,
      status: request.status,
      comment,
      state: "sent",
      decidedBy: actorId,
      decidedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, meta, {
      action: "import.decision_submitted",
      entityType: "import",
      entityId: importId,
      data: { decisionId, status: request.status },
    });
    await enqueueConfirm(tx, importId, decisionId, now);
    return {
      kind: "send" as const,
      decisionId,
      caller,
      cloneSessionId: imp.cloneSessionId,
      status: request.status,
      comment,
    };
  });
}

/** Didit accepted the decision: `sentAt`, audited `import.decided` (the webhook may have confirmed it already). */
async function recordSent(
  db: ServiceContext["db"],
  meta: AuditRequestMeta,
  importId: string,
  decisionId: string,
) {
  await db.transaction(async (tx) => {
    const [d] = await tx
      .select()
      .from(importDecisions)
      .where(eq(importDecisions.id, decisionId))
      .limit(1)
      .for("update");
    if (!d || d.sentAt) return;
    await tx
      .update(importDecisions)
      .set({ sentAt: meta.now, updatedAt: meta.now })
      .where(eq(importDecisions.id, decisionId));
    await clearRecall(tx, meta, importId, d.status);
    await recordAudit(tx, meta, {
      action: "import.decided",
      entityType: "import",
      entityId: importId,
      data: {
        decisionId,
        status: d.status,
        comment: d.comment,
        ...(d.secondBy
          ? { proposedBy: d.decidedBy, confirmedBy: d.secondBy, secondComment: d.secondComment }
          : {}),
      },
    });
  });
}

/** A new decision on a recalled import: it leaves the queue's recalled group (audited `import.recall_cleared`). */
async function clearRecall(tx: Tx, meta: AuditRequestMeta, importId: string, status: string): Promise<void> {
  const [cleared] = await tx
    .update(imports)
    .set({ recallClearedAt: meta.now, recallClearedBy: meta.actor.id, updatedAt: meta.now })
    .where(
      and(eq(imports.id, importId), sql`${imports.recalledAt} is not null`, isNull(imports.recallClearedAt)),
    )
    .returning({ inboundRecallId: imports.inboundRecallId, trigger: imports.recallTrigger });
  if (!cleared) return;
  await recordAudit(tx, meta, {
    action: "import.recall_cleared",
    entityType: "import",
    entityId: importId,
    data: { status, inboundRecallId: cleared.inboundRecallId, trigger: cleared.trigger },
  });
}

/**
 * Didit answered that the clone already has the decided status (400 "same as the current
 * status"): for a recalled import that is the officer confirming the status it holds, so the
 * decision is confirmed and the recall cleared. Answers false for any other import.
 */
async function confirmSameStatus(
  db: ServiceContext["db"],
  meta: AuditRequestMeta,
  importId: string,
  decisionId: string,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [imp] = await tx.select().from(imports).where(eq(imports.id, importId)).limit(1).for("update");
    if (!imp || !imp.recalledAt || imp.recallClearedAt) return false;
    const [d] = await tx
      .update(importDecisions)
      .set({ state: "confirmed", sentAt: meta.now, confirmedAt: meta.now, updatedAt: meta.now })
      .where(and(eq(importDecisions.id, decisionId), eq(importDecisions.state, "sent")))
      .returning({
        status: importDecisions.status,
        comment: importDecisions.comment,
        decidedBy: importDecisions.decidedBy,
        secondBy: importDecisions.secondBy,
        secondComment: importDecisions.secondComment,
      });
    if (!d) return false;
    await recordAudit(tx, meta, {
      action: "import.decided",
      entityType: "import",
      entityId: importId,
      data: {
        decisionId,
        status: d.status,
        comment: d.comment,
        sameStatus: true,
        ...(d.secondBy
          ? { proposedBy: d.decidedBy, confirmedBy: d.secondBy, secondComment: d.secondComment }
          : {}),
      },
    });
    await recordAudit(tx, meta, {
      action: "import.decision_confirmed",
      entityType: "import",
      entityId: importId,
      data: { decisionId, status: d.status, source: "same_status" },
    });
    await clearRecall(tx, meta, importId, d.status);
    return true;
  });
}

/** Didit's refusal of an update-status because the session already has that status. */
const SAME_STATUS_RE = /already has this status/;

/** The decision did not take effect: `failed` with our code and message (the officer can decide again). */
async function failDecision(
  tx: Tx,
  meta: AuditRequestMeta,
  importId: string,
  decisionId: string,
  failure: { code: string; reason: string },
): Promise<void> {
  const [d] = await tx
    .update(importDecisions)
    .set({ state: "failed", failureCode: failure.code, failureReason: failure.reason, updatedAt: meta.now })
    .where(and(eq(importDecisions.id, decisionId), eq(importDecisions.state, "sent")))
    .returning({ status: importDecisions.status });
  if (!d) return;
  await recordAudit(tx, meta, {
    action: "import.decision_failed",
    entityType: "import",
    entityId: importId,
    data: { decisionId, status: d.status, code: failure.code, reason: failure.reason },
  });
}

async function decisionDto(db: DbOrTx, decisionId: string): Promise<DecisionDto> {
  const [row] = await selectDecisions(db).where(eq(importDecisions.id, decisionId)).limit(1);
  if (!row) throw new AppError("not_found", "No such decision.");
  return toDecisionDto(row);
}

/**
 * `POST /api/imports/{id}/decision`: Approve or Decline the clone at Didit with our key. Under four
 * eyes the first officer's decision is a proposal (state `proposed`, nothing sent); a second,
 * different officer posting the same status confirms it and it is sent; another status turns the
 * proposal down and becomes the new proposal. Didit's refusal: `failed`, and its error is thrown.
 */
export async function decideImport(
  ctx: ServiceContext,
  importId: string,
  request: DecisionRequest,
  deps: ReviewDeps = {},
): Promise<DecisionResponse> {
  assertCan(ctx, "reviews.decide");
  const prepared = await prepareDecision(ctx, auditMeta(ctx), importId, request);
  if (prepared.kind === "send") {
    const didit = deps.didit ?? getDiditClient();
    try {
      await didit.updateStatus(prepared.caller, prepared.cloneSessionId, {
        newStatus: prepared.status,
        ...(prepared.comment ? { comment: prepared.comment } : {}),
      });
    } catch (error) {
      // Not Didit's answer (a bug, a crash): left `sent`, the confirmation job settles it.
      if (!(error instanceof AppError)) throw error;
      const details = (error.details ?? {}) as Record<string, unknown>;
      if (details.outcomeUnknown === true) {
        throw new AppError(
          error.code,
          `${error.message.replace(/\.$/, "")}. Handoff checks the session at Didit within a few minutes and records whether this decision took effect.`,
          { decisionId: prepared.decisionId, outcomeUnknown: true },
        );
      }
      const meta = auditMeta(ctx);
      if (
        error.code === "conflict" &&
        SAME_STATUS_RE.test(error.message) &&
        (await confirmSameStatus(ctx.db, meta, importId, prepared.decisionId))
      ) {
        return {
          decision: await decisionDto(ctx.db, prepared.decisionId),
          import: await loadItem(ctx.db, importId, ctx.now()),
        };
      }
      // Didit's 404 on our own clone: it was deleted at Didit, not a missing import of ours.
      const refusal =
        error.code === "not_found"
          ? new AppError(
              "session_deleted",
              "This session no longer exists at Didit (it was deleted there): no decision can take effect. The import stays on record.",
            )
          : error;
      await ctx.db.transaction((tx) =>
        failDecision(tx, meta, importId, prepared.decisionId, {
          code: refusal.code,
          reason: refusal.message,
        }),
      );
      throw new AppError(refusal.code, refusal.message, {
        decisionId: prepared.decisionId,
        ...(details.upstreamStatus !== undefined ? { upstreamStatus: details.upstreamStatus } : {}),
      });
    }
    await recordSent(ctx.db, auditMeta(ctx), importId, prepared.decisionId);
  }
  return {
    decision: await decisionDto(ctx.db, prepared.decisionId),
    import: await loadItem(ctx.db, importId, ctx.now()),
  };
}

/**
 * `POST /api/imports/{id}/decision/reject`: another officer turns the open proposal down
 * (`rejected`), or its proposer withdraws it (`withdrawn`); audited; nothing goes to Didit.
 */
export async function rejectProposal(
  ctx: ServiceContext,
  importId: string,
  request: RejectProposalRequest,
): Promise<ImportListItemDto> {
  assertCan(ctx, "reviews.decide");
  const meta = auditMeta(ctx);
  const actorId = ctx.actor!.id;
  await ctx.db.transaction(async (tx) => {
    const [imp] = await tx
      .select({ id: imports.id })
      .from(imports)
      .where(eq(imports.id, importId))
      .limit(1)
      .for("update");
    if (!imp) throw new AppError("not_found", "No such import.");
    const [proposal] = await tx
      .select()
      .from(importDecisions)
      .where(and(eq(importDecisions.importId, importId), eq(importDecisions.state, "proposed")))
      .limit(1)
      .for("update");
    if (!proposal) {
      throw new AppError("conflict", "No proposal is awaiting a second approval on this import: reload it.");
    }
    const withdrawn = proposal.decidedBy === actorId;
    await tx
      .update(importDecisions)
      .set({
        state: withdrawn ? "withdrawn" : "rejected",
        secondBy: actorId,
        secondAt: meta.now,
        secondComment: request.comment,
        updatedAt: meta.now,
      })
      .where(eq(importDecisions.id, proposal.id));
    await recordAudit(tx, meta, {
      action: withdrawn ? "import.proposal_withdrawn" : "import.proposal_rejected",
      entityType: "import",
      entityId: importId,
      data: { decisionId: proposal.id, status: proposal.status, comment: request.comment },
    });
  });
  return loadItem(ctx.db, importId, ctx.now());
}

// --- The clone's status at Didit ----------------------------------------------------------------

/**
 * The clone's status at Didit now, from a webhook's decision or the confirmation check (call it in
 * the caller's transaction): when `sessionId` is the clone of one of our imports in that
 * application, `imports.status` follows it (audited `import.status_changed`), and a sent decision
 * whose status it now is becomes `confirmed` (audited `import.decision_confirmed`). Answers
 * whether the session is one of our clones.
 */
export async function syncImportStatus(
  tx: Tx,
  meta: AuditRequestMeta,
  input: { applicationId: string; sessionId: string; status: string; source: "webhook" | "check" },
): Promise<boolean> {
  const [imp] = await tx
    .select()
    .from(imports)
    .where(
      and(
        eq(imports.applicationId, input.applicationId),
        eq(imports.cloneSessionId, input.sessionId.toLowerCase()),
        eq(imports.state, "imported"),
      ),
    )
    .limit(1)
    .for("update");
  if (!imp) return false;
  if (imp.status !== input.status) {
    await tx
      .update(imports)
      .set({ status: input.status, statusUpdatedAt: meta.now, updatedAt: meta.now })
      .where(eq(imports.id, imp.id));
    await recordAudit(tx, meta, {
      action: "import.status_changed",
      entityType: "import",
      entityId: imp.id,
      data: { from: imp.status, to: input.status, source: input.source },
    });
  }
  const sent = await tx
    .select()
    .from(importDecisions)
    .where(and(eq(importDecisions.importId, imp.id), eq(importDecisions.state, "sent")))
    .orderBy(asc(importDecisions.createdAt))
    .for("update");
  for (const d of sent) {
    if (d.status !== input.status) continue;
    await tx
      .update(importDecisions)
      .set({ state: "confirmed", confirmedAt: meta.now, updatedAt: meta.now })
      .where(eq(importDecisions.id, d.id));
    await recordAudit(tx, meta, {
      action: "import.decision_confirmed",
      entityType: "import",
      entityId: imp.id,
      data: { decisionId: d.id, status: d.status, source: input.source },
    });
  }
  return true;
}

/** The audit actor of Didit's webhooks and of the confirmation check. */
export function diditMeta(now: Date, requestId: string): AuditRequestMeta {
  return { actor: { id: null, label: "didit" }, now, requestId };
}

/**
 * The safety net after a decision was sent (`reviews.confirm`): reads the clone's decision and
 * applies its status as a webhook would; a decision still `sent` whose status Didit does not hold
 * did not take effect (a lost answer, a crash, a change since) and becomes `failed`.
 */
export async function confirmDecision(
  db: ServiceContext["db"],
  input: { importId: string; decisionId: string; requestId?: string },
  deps: ReviewDeps = {},
): Promise<DecisionDto["state"] | null> {
  const [row] = await db
    .select({ d: importDecisions, imp: imports, app: connectedApplications })
    .from(importDecisions)
    .innerJoin(imports, eq(imports.id, importDecisions.importId))
    .innerJoin(connectedApplications, eq(connectedApplications.id, imports.applicationId))
    .where(and(eq(importDecisions.id, input.decisionId), eq(importDecisions.importId, input.importId)))
    .limit(1);
  if (!row) return null;
  if (row.d.state !== "sent") return row.d.state;
  const meta = diditMeta(new Date(), input.requestId ?? "system");
  if (!row.app.apiKeyCiphertext || !row.imp.cloneSessionId) {
    await db.transaction((tx) =>
      failDecision(tx, meta, row.imp.id, row.d.id, {
        code: "key_rejected",
        reason: `${row.app.name} has no API key any more, so Handoff cannot check whether Didit took this decision: an admin must set the key, then reload the review.`,
      }),
    );
    return "failed";
  }
  const caller = { id: row.app.id, apiKeyCiphertext: row.app.apiKeyCiphertext };
  const cloneSessionId = row.imp.cloneSessionId;
  let status: string;
  try {
    status = (await (deps.didit ?? getDiditClient()).getDecision(caller, cloneSessionId)).status;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      await db.transaction((tx) =>
        failDecision(tx, meta, row.imp.id, row.d.id, {
          code: "not_found",
          reason: "Didit no longer has this session: the decision cannot take effect.",
        }),
      );
      return "failed";
    }
    throw error; // Didit cannot be asked now: the job tries again
  }
  return db.transaction(async (tx) => {
    await syncImportStatus(tx, meta, {
      applicationId: row.imp.applicationId,
      sessionId: cloneSessionId,
      status,
      source: "check",
    });
    const [d] = await tx.select().from(importDecisions).where(eq(importDecisions.id, row.d.id)).limit(1);
    if (d?.state !== "sent") return d?.state ?? null;
    await failDecision(tx, meta, row.imp.id, row.d.id, {
      code: "conflict",
      reason: d.sentAt
        ? `Didit accepted ${d.status}, but the session is ${status} at Didit now: its status changed since. Reload the review.`
        : `Didit holds this session as ${status}, not ${d.status}: the decision did not take effect. Decide again.`,
    });
    return "failed";
  });
}

export function registerReviewHandlers(): void {
  registerHandler(CONFIRM_QUEUE, async (job: JobContext, payload) => {
    const { importId, decisionId } = payload;
    if (typeof importId !== "string" || typeof decisionId !== "string") return;
    const state = await confirmDecision(job.db, { importId, decisionId, requestId: `job:${job.jobId}` });
    getLogger().debug({ importId, decisionId, state }, "a sent decision was checked at Didit");
  });
}
