import "server-only";
import { and, asc, eq, gt, lt } from "drizzle-orm";
import { auditEvents } from "@/lib/server/db/schema";
import type { AuditExportQuery, AuditFilterQuery } from "@/lib/schemas/audit";
import { type ServiceContext, assertCan } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "./audit";
import { auditFilterWhere } from "./read";

/** The audit trail as CSV, streamed in batches (`GET /api/audit/export`). */

export const AUDIT_EXPORT_COLUMNS = [
  "seq",
  "id",
  "occurred_at",
  "actor_id",
  "actor_label",
  "action",
  "entity_type",
  "entity_id",
  "request_id",
  "ip",
  "user_agent",
  "data",
  "prev_hash",
  "hash",
] as const;

type AuditRow = typeof auditEvents.$inferSelect;

function exportRecord(r: AuditRow): Record<(typeof AUDIT_EXPORT_COLUMNS)[number], unknown> {
  return {
    seq: r.seq,
    id: r.id,
    occurred_at: r.occurredAt.toISOString(),
    actor_id: r.actorId,
    actor_label: r.actorLabel,
    action: r.action,
    entity_type: r.entityType,
    entity_id: r.entityId,
    request_id: r.requestId,
    ip: r.ip,
    user_agent: r.userAgent,
    data: r.data,
    prev_hash: r.prevHash,
    hash: r.hash,
  };
}

/**
 * One CSV cell (RFC 4180 quoting). A text starting with = + - @ (or a tab or carriage return) is
 * prefixed with a quote so a spreadsheet does not run it as a formula.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text =
    typeof value === "string" ? value : typeof value === "number" ? String(value) : JSON.stringify(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

export const AUDIT_EXPORT_BATCH = 2000;

export type AuditExport = { stream: ReadableStream<Uint8Array>; filename: string; contentType: string };

/**
 * A filtered slice of the trail, oldest first, as CSV (a header row) or JSON Lines (one event a
 * line). Audited as `audit.exported` with the filters before the first byte; the slice ends before
 * that event. Streamed in keyset batches: never more than one batch in memory.
 */
export async function exportAuditEvents(
  ctx: ServiceContext,
  query: AuditFilterQuery & { format: AuditExportQuery["format"] },
): Promise<AuditExport> {
  assertCan(ctx, "audit.read");
  const { format, ...filters } = query;
  const upTo = await ctx.db.transaction(async (tx) => {
    const id = await recordAudit(tx, auditMeta(ctx), {
      action: "audit.exported",
      entityType: "audit_chain",
      data: {
        format,
        filters: Object.fromEntries(
          Object.entries(filters)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
        ),
      },
    });
    const [row] = await tx.select({ seq: auditEvents.seq }).from(auditEvents).where(eq(auditEvents.id, id));
    return row!.seq;
  });
  const where = auditFilterWhere(filters);
  const db = ctx.db;
  const encoder = new TextEncoder();
  let after = 0;
  let headerSent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (format === "csv" && !headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine([...AUDIT_EXPORT_COLUMNS])));
      }
      const rows = await db
        .select()
        .from(auditEvents)
        .where(and(...where, gt(auditEvents.seq, after), lt(auditEvents.seq, upTo)))
        .orderBy(asc(auditEvents.seq))
        .limit(AUDIT_EXPORT_BATCH);
      if (rows.length > 0) {
        after = rows[rows.length - 1]!.seq;
        const text = rows
          .map((r) => {
            const rec = exportRecord(r);
            return format === "csv"
              ? csvLine(AUDIT_EXPORT_COLUMNS.map((c) => rec[c]))
              : `${JSON.stringify(rec)}\n`;
          })
          .join("");
        controller.enqueue(encoder.encode(text));
      }
      if (rows.length < AUDIT_EXPORT_BATCH) controller.close();
    },
  });
  const stamp = ctx.now().toISOString().replace(/[:.]/g, "-");
  return {
    stream,
    filename: `audit-${stamp}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
  };
}
