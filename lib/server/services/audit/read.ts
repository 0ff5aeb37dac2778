import "server-only";
import { and, desc, eq, gte, ilike, inArray, like, lt, lte, or, type SQL } from "drizzle-orm";
import { auditSentence, userIdsIn } from "@/lib/audit-sentences";
import { auditEvents, users } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import type { AuditEventDto, AuditFilterQuery, AuditListQuery, AuditPersonDto } from "@/lib/schemas/audit";
import { UUID_RE } from "@/lib/server/kernel";

/** Reading the audit trail: the filtered, paged list of events with their sentences. */

// The DTOs are the browser's too: typed once, in lib/schemas/audit.
export type { AuditEventDto, AuditPersonDto };

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The list's filters as SQL conditions (the page's list and the export). */
export function auditFilterWhere(query: AuditFilterQuery): SQL[] {
  const where: SQL[] = [];
  if (query.actor) {
    const byLabel = ilike(auditEvents.actorLabel, `%${escapeLike(query.actor)}%`);
    where.push(UUID_RE.test(query.actor) ? or(eq(auditEvents.actorId, query.actor), byLabel)! : byLabel);
  }
  if (query.action) where.push(like(auditEvents.action, `${escapeLike(query.action)}%`));
  if (query.entityType) where.push(eq(auditEvents.entityType, query.entityType));
  if (query.entityId) where.push(eq(auditEvents.entityId, query.entityId));
  if (query.from) where.push(gte(auditEvents.occurredAt, query.from));
  if (query.to) where.push(lte(auditEvents.occurredAt, query.to));
  return where;
}

/** Newest first, keyset pagination on `seq`. */
export async function listAuditEvents(
  db: Db,
  query: AuditListQuery,
): Promise<{ items: AuditEventDto[]; nextCursor: string | null }> {
  const where = auditFilterWhere(query);
  if (query.cursor) where.push(lt(auditEvents.seq, query.cursor));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.seq))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  // Every user the page names (actors, approvers, assignees…) in one query, not one per row.
  const ids = new Set<string>();
  for (const r of page) {
    if (r.actorId) ids.add(r.actorId);
    for (const id of userIdsIn(r.data)) ids.add(id);
  }
  const known = new Map<string, AuditPersonDto & { id: string }>();
  if (ids.size > 0) {
    for (const u of await db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(inArray(users.id, [...ids]))) {
      known.set(u.id, u);
    }
  }
  const peopleOf = (r: (typeof page)[number]): Record<string, AuditPersonDto> => {
    const out: Record<string, AuditPersonDto> = {};
    for (const id of [...(r.actorId ? [r.actorId] : []), ...userIdsIn(r.data)]) {
      const u = known.get(id);
      if (u) out[id] = { name: u.name, email: u.email };
    }
    return out;
  };
  return {
    items: page.map((r) => ({
      id: r.id,
      seq: r.seq,
      occurredAt: r.occurredAt.toISOString(),
      actorId: r.actorId,
      actorLabel: r.actorLabel,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      requestId: r.requestId,
      ip: r.ip,
      userAgent: r.userAgent,
      data: r.data,
      hash: r.hash,
      people: peopleOf(r),
      sentence: auditSentence(
        {
          action: r.action,
          actor: r.actorId ? (known.get(r.actorId) ?? null) : null,
          actorLabel: r.actorLabel,
          data: r.data,
        },
        known,
      ),
    })),
    nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.seq) : null,
  };
}
