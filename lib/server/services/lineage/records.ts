import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { LineageAuditEventDto } from "@/lib/schemas/lineage";
import type { SessionKind } from "@/lib/schemas/partners";
import { auditSentence, userIdsIn, type SentencePerson } from "@/lib/audit-sentences";
import type { DbOrTx } from "@/lib/server/db/types";
import { idArray, iso, query } from "./query";
import type { Step } from "./walk";

/**
 * The records of the graph, one query per table for the whole graph: the shares, imports and
 * mirror rows its steps and nodes name, and the audit events of those steps with the people the
 * events' data names.
 */

export type ShareRow = {
  id: string;
  session_id: string;
  session_number: number | null;
  session_kind: SessionKind;
  source_status: string;
  application_id: string;
  application_name: string;
  application_didit_id: string;
  partner_id: string;
  partner_name: string;
  partner_didit_id: string;
  channel: string;
  state: string;
  created_at: unknown;
  delivered_at: unknown;
  receipt_status: string | null;
  receipt_clone_session_id: string | null;
  receipt_reason: string | null;
  receipt_at: unknown;
  recalled_at: unknown;
  recall_id: string | null;
  recall_trigger: string | null;
  recall_reason: string | null;
  /** `channel:state` of each notice of the share's latest recall. */
  recall_notices: string[] | null;
};

export type ImportRow = {
  id: string;
  inbox_item_id: string;
  application_id: string;
  application_name: string;
  application_didit_id: string;
  partner_id: string;
  partner_name: string;
  partner_didit_id: string;
  source_session_id: string;
  clone_session_id: string | null;
  clone_session_number: number | null;
  session_kind: SessionKind;
  state: string;
  status: string | null;
  trust_review: boolean;
  sender_share_id: string | null;
  started_at: unknown;
  finished_at: unknown;
  failure_reason: string | null;
  manifest: { session_number?: number | null; status?: string; created_at?: string | null } | null;
  recalled_at: unknown;
  recall_trigger: string | null;
  recall_reason: string | null;
  inbound_recall_id: string | null;
  recall_cleared_at: unknown;
};

export type MirrorRow = {
  id: string;
  session_id: string;
  session_number: number | null;
  kind: SessionKind;
  status: string;
  created_at: unknown;
  deleted_at: unknown;
  shared_from_session: string | null;
  application_id: string;
  application_name: string;
  application_didit_id: string;
  display_name: string | null;
  redacted_at: unknown;
};

export type AuditRow = {
  seq: number | string;
  id: string;
  action: string;
  actor_label: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_email: string | null;
  data: unknown;
  occurred_at: unknown;
  hash: string;
  entity_type: string;
  entity_id: string;
};

export function idsOf(steps: Step[], kind: Step["kind"]): string[] {
  return [...new Set(steps.filter((s) => s.kind === kind).map((s) => s.rec))];
}

export async function loadShares(db: DbOrTx, ids: string[]): Promise<ShareRow[]> {
  if (ids.length === 0) return [];
  return query<ShareRow>(
    db,
    sql`select s.id::text, s.session_id::text, s.session_number, s.session_kind, s.source_status,
               a.id::text as application_id, a.name as application_name, a.didit_application_id::text as application_didit_id,
               p.id::text as partner_id, p.name as partner_name, p.didit_application_id::text as partner_didit_id,
               s.channel, s.state, s.created_at, s.delivered_at, s.receipt_status,
               s.receipt_clone_session_id::text, s.receipt_reason, s.receipt_at,
               s.recalled_at, s.recall_id::text, r.trigger as recall_trigger, r.reason as recall_reason,
               (select array_agg(n.channel || ':' || n.state order by n.created_at, n.id)
                  from recall_notices n where n.share_id = s.id and n.recall_id = s.recall_id) as recall_notices
          from shares s
          join connected_applications a on a.id = s.application_id
          join partners p on p.id = s.partner_id
          left join recalls r on r.id = s.recall_id
         where s.id = any(${idArray(ids)})`,
  );
}

/** Imports by id, plus every import whose clone is one of `clones` (a node's holder and status). */
export async function loadImports(db: DbOrTx, ids: string[], clones: string[]): Promise<ImportRow[]> {
  if (ids.length === 0 && clones.length === 0) return [];
  return query<ImportRow>(
    db,
    sql`select i.id::text, i.inbox_item_id::text, a.id::text as application_id, a.name as application_name,
               a.didit_application_id::text as application_didit_id,
               p.id::text as partner_id, p.name as partner_name, p.didit_application_id::text as partner_didit_id,
               i.source_session_id::text, i.clone_session_id::text, i.clone_session_number, i.session_kind,
               i.state, coalesce(i.status, i.status_at_import) as status, i.trust_review, i.sender_share_id::text,
               i.started_at, i.finished_at, i.failure_reason, b.manifest,
               i.recalled_at, i.recall_trigger, i.recall_reason, i.inbound_recall_id::text, i.recall_cleared_at
          from imports i
          join connected_applications a on a.id = i.application_id
          join partners p on p.id = i.partner_id
          join inbox_items b on b.id = i.inbox_item_id
         where i.id = any(${idArray(ids)}) or i.clone_session_id = any(${idArray(clones)})`,
  );
}

export async function loadMirror(db: DbOrTx, sessions: string[]): Promise<MirrorRow[]> {
  if (sessions.length === 0) return [];
  return query<MirrorRow>(
    db,
    sql`select m.id::text, m.didit_session_id::text as session_id, m.session_number, m.kind, m.status,
               m.didit_created_at as created_at, m.deleted_at, m.shared_from_session::text,
               m.display_name, m.redacted_at,
               a.id::text as application_id, a.name as application_name, a.didit_application_id::text as application_didit_id
          from session_mirror m join connected_applications a on a.id = m.application_id
         where m.didit_session_id = any(${idArray(sessions)})
         order by m.synced_at desc`,
  );
}

export async function loadAudit(
  db: DbOrTx,
  entities: {
    share: string[];
    import: string[];
    inbox_item: string[];
    recall: string[];
    inbound_recall: string[];
  },
): Promise<AuditRow[]> {
  const parts: SQL[] = [];
  for (const [type, ids] of Object.entries(entities)) {
    if (ids.length === 0) continue;
    parts.push(sql`(a.entity_type = ${type} and a.entity_id = any(${`{${ids.join(",")}}`}::text[]))`);
  }
  if (parts.length === 0) return [];
  return query<AuditRow>(
    db,
    sql`select a.seq, a.id::text, a.action, a.actor_label, a.occurred_at, a.hash, a.entity_type, a.entity_id,
               a.actor_id::text, u.name as actor_name, u.email as actor_email, a.data
          from audit_events a left join users u on u.id = a.actor_id
         where ${sql.join(parts, sql` or `)}
         order by a.seq`,
  );
}

function dataOf(r: AuditRow): Record<string, unknown> {
  const d = typeof r.data === "string" ? (JSON.parse(r.data) as unknown) : r.data;
  return d && typeof d === "object" && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
}

/** The users the events' data names (assignees, proposers…), in one query. */
export async function loadPeople(db: DbOrTx, rows: AuditRow[]): Promise<Map<string, SentencePerson>> {
  const ids = [...new Set(rows.flatMap((r) => userIdsIn(dataOf(r))))];
  const people = new Map<string, SentencePerson>();
  if (ids.length === 0) return people;
  for (const u of await query<{ id: string; name: string; email: string }>(
    db,
    sql`select id::text, name, email from users where id = any(${`{${ids.join(",")}}`}::uuid[])`,
  )) {
    people.set(u.id, u);
  }
  return people;
}

export function auditDto(r: AuditRow, people: ReadonlyMap<string, SentencePerson>): LineageAuditEventDto {
  const actor =
    r.actor_id && r.actor_name ? { id: r.actor_id, name: r.actor_name, email: r.actor_email } : null;
  return {
    seq: Number(r.seq),
    id: r.id,
    action: r.action,
    actorLabel: r.actor_label,
    occurredAt: iso(r.occurred_at) ?? "",
    hash: r.hash,
    sentence: auditSentence({ action: r.action, actor, actorLabel: r.actor_label, data: dataOf(r) }, people),
  };
}
