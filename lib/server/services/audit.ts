import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { and, asc, desc, eq, gt, gte, ilike, like, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { canonicalJson } from "@/lib/server/crypto/canonical-json";
import { auditEvents } from "@/lib/server/db/schema";
import type { Db, Tx } from "@/lib/server/db/types";
import type { AuditListQuery } from "@/lib/schemas/audit";
import type { ServiceContext } from "./context";

export const GENESIS_HASH = "0".repeat(64);
/** Key of the transaction-scoped advisory lock that serialises appends to the chain. */
const AUDIT_CHAIN_LOCK = 727274002;

export type AuditEventInput = {
  action: string;
  entityType?: string | null;
  entityId?: string | null;
  data?: Record<string, unknown>;
  /** Overrides the context's actor, e.g. a failed login for an unknown account. */
  actor?: { id: string | null; label: string };
};

export type AuditRequestMeta = {
  actor: { id: string | null; label: string };
  now: Date;
  requestId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
};

type HashedFields = {
  id: string;
  occurredAt: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
};

/** SHA-256 over the previous hash and a canonical serialisation of the row. */
export function hashAuditRow(prevHash: string, row: HashedFields): string {
  const body = canonicalJson({
    action: row.action,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    data: row.data,
    entityId: row.entityId,
    entityType: row.entityType,
    id: row.id,
    ip: row.ip,
    occurredAt: row.occurredAt.toISOString(),
    requestId: row.requestId,
    userAgent: row.userAgent,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/**
 * Appends one event inside the caller's transaction. The advisory lock is held until that
 * transaction ends, so concurrent writers queue and the chain never forks.
 */
export async function recordAudit(tx: Tx, meta: AuditRequestMeta, event: AuditEventInput): Promise<string> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx
    .select({ hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const prevHash = last?.hash ?? GENESIS_HASH;
  const actor = event.actor ?? meta.actor;
  const row: HashedFields = {
    id: randomUUID(),
    occurredAt: new Date(Math.floor(meta.now.getTime())),
    actorId: actor.id,
    actorLabel: actor.label,
    action: event.action,
    entityType: event.entityType ?? null,
    entityId: event.entityId ?? null,
    requestId: meta.requestId ?? null,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent ? meta.userAgent.slice(0, 512) : null,
    data: JSON.parse(canonicalJson(event.data ?? {})) as Record<string, unknown>,
  };
  const hash = hashAuditRow(prevHash, row);
  await tx.insert(auditEvents).values({ ...row, prevHash, hash });
  return row.id;
}

/** Convenience for a service: the context's request metadata. */
export function auditMeta(ctx: ServiceContext): AuditRequestMeta {
  return {
    actor: ctx.actor ? { id: ctx.actor.id, label: ctx.actor.email } : { id: null, label: "system" },
    now: ctx.now(),
    requestId: ctx.requestId,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
  };
}

export type ChainVerification =
  | { ok: true; checked: number; lastSeq: number | null; lastHash: string | null }
  | {
      ok: false;
      checked: number;
      firstBad: { seq: number; id: string; reason: "altered" | "broken_link" };
      message: string;
    };

/** Walks the whole chain in `seq` order and names the first altered or missing row. */
export async function verifyAuditChain(db: Db, batchSize = 2000): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH;
  let afterSeq = 0;
  let checked = 0;
  let lastSeq: number | null = null;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, afterSeq))
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    for (const row of rows) {
      if (row.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          firstBad: { seq: row.seq, id: row.id, reason: "broken_link" },
          message: `Chain broken at seq ${row.seq} (id ${row.id}): its prev_hash does not match the row before it, so a row before it is missing or was altered.`,
        };
      }
      const expected = hashAuditRow(prevHash, row);
      if (expected !== row.hash) {
        return {
          ok: false,
          checked,
          firstBad: { seq: row.seq, id: row.id, reason: "altered" },
          message: `Row seq ${row.seq} (id ${row.id}) was altered: its content no longer matches its hash.`,
        };
      }
      prevHash = row.hash;
      lastSeq = row.seq;
      checked++;
    }
    if (rows.length < batchSize) break;
    afterSeq = rows[rows.length - 1]!.seq;
  }
  return { ok: true, checked, lastSeq, lastHash: checked > 0 ? prevHash : null };
}

export type AuditEventDto = {
  id: string;
  seq: number;
  occurredAt: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  hash: string;
};

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Newest first, keyset pagination on `seq`. */
export async function listAuditEvents(
  db: Db,
  query: AuditListQuery,
): Promise<{ items: AuditEventDto[]; nextCursor: string | null }> {
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
  if (query.cursor) where.push(lt(auditEvents.seq, query.cursor));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.seq))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
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
    })),
    nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.seq) : null,
  };
}
