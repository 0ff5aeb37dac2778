import "server-only";
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DecisionDto, ImportListItemDto, UserRefDto } from "@/lib/schemas/reviews";
import {
  connectedApplications,
  importDecisions,
  imports,
  partners,
  sessionMirror,
  users,
} from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { toImportDto } from "@/lib/server/services/receiving";
import { subjectOf } from "@/lib/server/services/sessions";

/**
 * An import under review as the queue lists it (`ImportListItemDto`) and its decisions as the page
 * shows them: the joined query, the SQL the queue sorts and filters on, and the mapping to DTOs.
 */

/** The clone's status at Didit that puts an import in the review queue. */
export const IN_REVIEW = "In Review";

export type ImportRow = typeof imports.$inferSelect;
export type DecisionRow = typeof importDecisions.$inferSelect;

const importer = alias(users, "importer");
const assignee = alias(users, "assignee");
const decider = alias(users, "decider");
const second = alias(users, "second_officer");
/** The clone's row in our session mirror: whom the review is about. */
export const cloneMirror = alias(sessionMirror, "clone_mirror");
/** A sister brand's source, mirrored here too: its name until the clone's arrives (Didit's webhook). */
const sourceName = sql<
  string | null
>`(select s.display_name from ${sessionMirror} s where s.didit_session_id = ${imports.sourceSessionId} and s.redacted_at is null and s.display_name is not null limit 1)`;

/** Recalled by the partner and not decided again since: in the queue whatever the clone's status. */
export const recalledOpen = sql<boolean>`(${imports.recalledAt} is not null and ${imports.recallClearedAt} is null)`;
export const hasProposal = sql<boolean>`exists (select 1 from ${importDecisions} where ${importDecisions.importId} = ${imports.id} and ${importDecisions.state} = 'proposed')`;
/** The queue's time: when the import finished (one still importing: when it started). */
export const orderAt = sql`coalesce(${imports.finishedAt}, ${imports.startedAt})`;

export function overdueSql(now: Date): SQL {
  return sql`coalesce(${imports.status} = ${IN_REVIEW} and ${imports.finishedAt} + make_interval(hours => ${partners.reviewSlaHours}) < ${now.toISOString()}::timestamptz, false)`;
}

export function selectItems(db: DbOrTx) {
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

export function selectDecisions(db: DbOrTx) {
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

export function toDecisionDto(j: DecisionJoined): DecisionDto {
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
export async function toItems(
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
export async function loadItem(
  db: DbOrTx,
  id: string,
  now: Date,
  viewer: Pick<ServiceContext, "actor"> = { actor: null },
): Promise<ImportListItemDto> {
  const rows = await selectItems(db).where(eq(imports.id, id)).limit(1);
  if (rows.length === 0) throw new AppError("not_found", "No such import.");
  return (await toItems(viewer, db, rows, now))[0]!;
}

/** One decision as the page shows it (its officers named). */
export async function decisionDto(db: DbOrTx, decisionId: string): Promise<DecisionDto> {
  const [row] = await selectDecisions(db).where(eq(importDecisions.id, decisionId)).limit(1);
  if (!row) throw new AppError("not_found", "No such decision.");
  return toDecisionDto(row);
}
