import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { can } from "@/lib/rbac";
import type { SessionSubjectDto } from "@/lib/schemas/sessions";
import { sessionMirror } from "@/lib/server/db/schema/sharing";
import type { DbOrTx } from "@/lib/server/db/types";
import type { DiditDecision, DiditSessionRow } from "@/lib/server/didit/types";
import type { ServiceContext } from "@/lib/server/kernel";
import { foldedSearchText } from "@/lib/search-fold";

/**
 * The session mirror: the picker's local index of each connected application's sessions, written
 * by the sync job (list pages), the Didit webhook (a decision) and the receiving side (a clone it
 * just imported). Only what the picker needs is kept; decisions are read from Didit on demand.
 */

type MirrorInsert = typeof sessionMirror.$inferInsert;

/** Rows per INSERT: 15 parameters a row stays far below PostgreSQL's 65,535. */
const CHUNK = 500;

/**
 * What `q` matches by substring (trigram index): name or company and registration number, folded
 * (lib/search-fold.ts: case, accents, ö/oe, ß/ss…). vendor_data is matched by prefix, numbers by
 * prefix, uuids exactly (lib/server/services/sessions.ts): ids share long prefixes, whose trigrams
 * a GIN index cannot narrow.
 */
export function mirrorSearchText(row: {
  displayName: string | null;
  registrationNumber?: string | null;
}): string {
  const text = [row.displayName, row.registrationNumber]
    .filter((v): v is string => typeof v === "string" && v.trim() !== "")
    .map((v) => v.trim())
    .join(" ");
  return foldedSearchText(text).slice(0, 2000);
}

function fromRow(applicationId: string, row: DiditSessionRow): MirrorInsert {
  const displayName = (row.sessionKind === "business" ? row.companyName : row.fullName) ?? null;
  return {
    applicationId,
    diditSessionId: row.sessionId,
    sessionNumber: row.sessionNumber,
    kind: row.sessionKind,
    status: row.status,
    vendorData: row.vendorData,
    displayName,
    country: row.country,
    documentType: row.documentType,
    registrationNumber: row.registrationNumber,
    workflowId: row.workflowId,
    features: row.features,
    diditCreatedAt: row.createdAt,
    searchText: mirrorSearchText({ displayName, registrationNumber: row.registrationNumber }),
  };
}

const excluded = (column: string) => sql.raw(`excluded."${column}"`);
/** A personal column: a row redacted by retention or erasure stays redacted when listed again. */
const personal = (column: string, removed: "null" | "''" = "null") =>
  sql`case when ${sessionMirror.redactedAt} is null then ${excluded(column)} else ${sql.raw(removed)} end`;

/** Columns a list row carries, refreshed on every upsert (`shared_from_session` is not among them). */
const LIST_COLUMNS = {
  sessionNumber: excluded("session_number"),
  kind: excluded("kind"),
  status: excluded("status"),
  vendorData: personal("vendor_data"),
  displayName: personal("display_name"),
  country: personal("country"),
  documentType: personal("document_type"),
  registrationNumber: personal("registration_number"),
  workflowId: excluded("workflow_id"),
  features: excluded("features"),
  diditCreatedAt: excluded("didit_created_at"),
  searchText: personal("search_text", "''"),
  syncedAt: sql`now()`,
  // Listed again by Didit: it exists.
  deletedAt: sql`null`,
};

/**
 * Bulk upsert of list rows on (application, Didit session id). A known `shared_from_session` is
 * kept (list rows do not carry it). Answers how many rows were written.
 */
export async function upsertMirrorRows(
  tx: DbOrTx,
  applicationId: string,
  rows: DiditSessionRow[],
): Promise<number> {
  // One statement may not touch a row twice: the last copy of a session in the batch wins.
  const unique = new Map<string, DiditSessionRow>();
  for (const row of rows) unique.set(row.sessionId, row);
  const values = [...unique.values()].map((r) => fromRow(applicationId, r));
  let written = 0;
  for (let i = 0; i < values.length; i += CHUNK) {
    const chunk = values.slice(i, i + CHUNK);
    const result = await tx
      .insert(sessionMirror)
      .values(chunk)
      .onConflictDoUpdate({
        target: [sessionMirror.applicationId, sessionMirror.diditSessionId],
        set: LIST_COLUMNS,
      })
      .returning({ id: sessionMirror.id });
    written += result.length;
  }
  return written;
}

/**
 * From a webhook's decision: every listed field, and `shared_from_session` when the decision names
 * one (a null never erases a known lineage).
 */
export async function upsertMirrorFromDecision(
  tx: DbOrTx,
  applicationId: string,
  decision: DiditDecision,
): Promise<void> {
  const values: MirrorInsert = {
    ...fromRow(applicationId, decision),
    sharedFromSession: decision.sharedFromSession,
  };
  await tx
    .insert(sessionMirror)
    .values(values)
    .onConflictDoUpdate({
      target: [sessionMirror.applicationId, sessionMirror.diditSessionId],
      set: {
        ...LIST_COLUMNS,
        sharedFromSession: sql`coalesce(excluded."shared_from_session", ${sessionMirror.sharedFromSession})`,
      },
    });
}

/** The session was deleted at Didit: it leaves the picker (the row stays for lineage). */
export async function markMirrorDeleted(
  tx: DbOrTx,
  applicationId: string,
  diditSessionId: string,
): Promise<void> {
  await tx
    .update(sessionMirror)
    .set({ deletedAt: sql`coalesce(${sessionMirror.deletedAt}, now())`, syncedAt: sql`now()` })
    .where(
      and(eq(sessionMirror.applicationId, applicationId), eq(sessionMirror.diditSessionId, diditSessionId)),
    );
}

export type MirrorClone = {
  sessionId: string;
  sessionNumber: number | null;
  sessionKind: "user" | "business";
  status: string;
  vendorData: string | null;
  workflowId: string | null;
  sharedFromSession: string | null;
  createdAt: Date;
};

/**
 * A clone we just imported (the receiving side): in the picker at once, with its lineage. Names,
 * country and document arrive with the next sync or webhook; known ones are kept.
 */
export async function upsertMirrorClone(
  tx: DbOrTx,
  applicationId: string,
  clone: MirrorClone,
): Promise<void> {
  await tx
    .insert(sessionMirror)
    .values({
      applicationId,
      diditSessionId: clone.sessionId,
      sessionNumber: clone.sessionNumber,
      kind: clone.sessionKind,
      status: clone.status,
      vendorData: clone.vendorData,
      workflowId: clone.workflowId,
      sharedFromSession: clone.sharedFromSession,
      diditCreatedAt: clone.createdAt,
      searchText: "",
    })
    .onConflictDoUpdate({
      target: [sessionMirror.applicationId, sessionMirror.diditSessionId],
      set: {
        sessionNumber: sql`coalesce(excluded."session_number", ${sessionMirror.sessionNumber})`,
        kind: excluded("kind"),
        status: excluded("status"),
        vendorData: personal("vendor_data"),
        workflowId: sql`coalesce(excluded."workflow_id", ${sessionMirror.workflowId})`,
        sharedFromSession: sql`coalesce(excluded."shared_from_session", ${sessionMirror.sharedFromSession})`,
        syncedAt: sql`now()`,
        deletedAt: sql`null`,
      },
    });
}

/**
 * Names of the people and companies sessions are about are read under `sessions.read` (the mirror
 * they come from): every list and heading that shows one asks this first, on the server.
 */
export function canReadNames(ctx: Pick<ServiceContext, "actor">): boolean {
  return ctx.actor !== null && can(ctx.actor.role, "sessions.read");
}

/**
 * The subject of a DTO from its mirror row's name (null: not mirrored yet) and whether retention or
 * erasure removed it, or undefined (left out of the DTO) for a role that may not read names.
 */
export function subjectOf(
  ctx: Pick<ServiceContext, "actor">,
  mirror: { name: string | null; removed: boolean },
): SessionSubjectDto | undefined {
  return canReadNames(ctx) ? toSubject(mirror) : undefined;
}

/** The subject as shown: a removed row has no name. For a viewer `canReadNames` allowed. */
export function toSubject(mirror: { name: string | null; removed: boolean }): SessionSubjectDto {
  return mirror.removed ? { name: null, removed: true } : { name: mirror.name, removed: false };
}
