import "server-only";
import { desc, inArray, or, type SQL } from "drizzle-orm";
import type { LineageGraphDto } from "@/lib/schemas/lineage";
import {
  auditEvents,
  importDecisions,
  imports,
  inboundRecalls,
  recallNotices,
  recalls,
  inboxItems,
  partners,
  shareDeliveries,
  shareReceipts,
  shares,
} from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import { isUuid } from "@/lib/server/kernel";

/**
 * The records an evidence pack is made of: every row of the session's lineage (shares, deliveries,
 * receipts, imports, decisions, inbox items, partners, recalls) and the audit events of those
 * steps, read in chunks so a large lineage stays within the parameter limit.
 */

const CHUNK = 1000;

function chunks<T>(values: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += CHUNK) out.push(values.slice(i, i + CHUNK));
  return out;
}

/** Rows whose column is in any of the lists (empty lists ask nothing), chunked for the parameter limit. */
async function whereAnyIn<T>(
  values: { column: Parameters<typeof inArray>[0]; ids: string[] }[],
  query: (where: SQL) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  const conditions: SQL[] = [];
  for (const v of values)
    for (const part of chunks([...new Set(v.ids)])) conditions.push(inArray(v.column, part));
  for (const part of chunks(conditions)) if (part.length) out.push(...(await query(or(...part)!)));
  return out;
}

function uniqueById<T extends { id: string }>(rows: T[]): T[] {
  const seen = new Map<string, T>();
  for (const row of rows) seen.set(row.id, row);
  return [...seen.values()];
}

/** The sessions and steps the lineage names: its nodes (with collapsed groups' samples) and its edges' records. */
function lineageIds(graph: LineageGraphDto) {
  const sessions = new Set<string>([graph.root]);
  const shareIds = new Set<string>();
  const importIds = new Set<string>();
  const auditIds = new Set<string>();
  const inboxItemIds = new Set<string>();
  for (const node of graph.nodes) {
    sessions.add(node.id);
    for (const id of node.group?.sample ?? []) sessions.add(id);
  }
  for (const edge of graph.edges) {
    sessions.add(edge.from);
    sessions.add(edge.to);
    if (edge.record.type === "share") {
      shareIds.add(edge.record.shareId);
      if (edge.record.receiptCloneSessionId) sessions.add(edge.record.receiptCloneSessionId);
    }
    if (edge.record.type === "import") importIds.add(edge.record.importId);
    for (const event of edge.auditEvents) auditIds.add(event.id);
  }
  return {
    sessions: [...sessions].filter((s) => isUuid(s)),
    shareIds: [...shareIds],
    importIds: [...importIds],
    inboxItemIds: [...inboxItemIds],
    auditIds: [...auditIds],
  };
}

/**
 * Every record of the lineage, in named steps: the shares and imports, what hangs off them
 * (deliveries, receipts, decisions, inbox items), the recalls, the partners, the audit events.
 */
export async function collectRecords(db: Db, graph: LineageGraphDto) {
  const ids = lineageIds(graph);
  const { shareRows, importRows } = await loadSteps(db, ids);
  const { deliveries, receipts, decisions, inbox } = await loadStepDetails(db, ids, shareRows, importRows);
  const { recallsSent, notices, recallsReceived } = await loadRecalls(db, ids, shareRows, importRows);
  const partnerIds = [
    ...new Set([
      ...shareRows.map((s) => s.partnerId),
      ...importRows.map((i) => i.partnerId),
      ...recallsReceived.map((r) => r.partnerId),
    ]),
  ];
  const partnerRows = await whereAnyIn([{ column: partners.id, ids: partnerIds }], (where) =>
    db.select().from(partners).where(where),
  );

  const { events, head } = await loadAudit(db, ids, {
    shareIds: shareRows.map((s) => s.id),
    importIds: importRows.map((i) => i.id),
    inbox,
    decisions,
    recallsSent,
    notices,
    recallsReceived,
  });
  return {
    shares: shareRows,
    deliveries,
    receipts,
    imports: importRows,
    decisions,
    inbox,
    recallsSent,
    notices,
    recallsReceived,
    partners: new Map(partnerRows.map((p) => [p.id, p])),
    events,
    head: head ?? null,
  };
}

type Ids = ReturnType<typeof lineageIds>;
type ShareRow = typeof shares.$inferSelect;
type ImportRow = typeof imports.$inferSelect;

/** The shares of the sessions (or named by the lineage) and the imports whose source or clone is in it. */
async function loadSteps(db: Db, ids: Ids) {
  const shareRows = uniqueById(
    await whereAnyIn(
      [
        { column: shares.sessionId, ids: ids.sessions },
        { column: shares.id, ids: ids.shareIds },
      ],
      (where) => db.select().from(shares).where(where),
    ),
  ).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));

  const importRows = uniqueById(
    await whereAnyIn(
      [
        { column: imports.sourceSessionId, ids: ids.sessions },
        { column: imports.cloneSessionId, ids: ids.sessions },
        { column: imports.id, ids: ids.importIds },
      ],
      (where) => db.select().from(imports).where(where),
    ),
  ).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));

  return { shareRows, importRows };
}

/** The shares' deliveries and receipts, the imports' decisions, and the inbox items behind them. */
async function loadStepDetails(db: Db, ids: Ids, shareRows: ShareRow[], importRows: ImportRow[]) {
  const shareIds = shareRows.map((s) => s.id);
  const importIds = importRows.map((i) => i.id);
  const [deliveries, receipts, decisions, items] = await Promise.all([
    whereAnyIn([{ column: shareDeliveries.shareId, ids: shareIds }], (where) =>
      db.select().from(shareDeliveries).where(where),
    ),
    whereAnyIn([{ column: shareReceipts.shareId, ids: shareIds }], (where) =>
      db.select().from(shareReceipts).where(where),
    ),
    whereAnyIn([{ column: importDecisions.importId, ids: importIds }], (where) =>
      db.select().from(importDecisions).where(where),
    ),
    whereAnyIn(
      [
        { column: inboxItems.id, ids: [...importRows.map((i) => i.inboxItemId), ...ids.inboxItemIds] },
        { column: inboxItems.localShareId, ids: shareIds },
        { column: inboxItems.sourceSessionId, ids: ids.sessions },
      ],
      (where) => db.select().from(inboxItems).where(where),
    ),
  ]);
  const inbox = uniqueById(items).sort(
    (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id.localeCompare(b.id),
  );
  deliveries.sort(
    (a, b) => a.shareId.localeCompare(b.shareId) || a.attempt - b.attempt || a.id.localeCompare(b.id),
  );
  receipts.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id.localeCompare(b.id));
  decisions.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));

  return { deliveries, receipts, decisions, inbox };
}

/** Recalls: ours of the sessions or shares (and their notices), and partners' of what we imported. */
async function loadRecalls(db: Db, ids: Ids, shareRows: ShareRow[], importRows: ImportRow[]) {
  const shareIds = shareRows.map((s) => s.id);
  const [recallRows, noticeRows, inboundRows] = await Promise.all([
    whereAnyIn(
      [
        { column: recalls.sessionId, ids: ids.sessions },
        { column: recalls.id, ids: shareRows.flatMap((s) => (s.recallId ? [s.recallId] : [])) },
      ],
      (where) => db.select().from(recalls).where(where),
    ),
    whereAnyIn([{ column: recallNotices.shareId, ids: shareIds }], (where) =>
      db.select().from(recallNotices).where(where),
    ),
    whereAnyIn(
      [
        { column: inboundRecalls.sourceSessionId, ids: ids.sessions },
        {
          column: inboundRecalls.id,
          ids: importRows.flatMap((i) => (i.inboundRecallId ? [i.inboundRecallId] : [])),
        },
      ],
      (where) => db.select().from(inboundRecalls).where(where),
    ),
  ]);
  const byTime = <T extends { id: string }>(rows: T[], at: (r: T) => Date) =>
    uniqueById(rows).sort((a, b) => at(a).getTime() - at(b).getTime() || a.id.localeCompare(b.id));
  const recallsSent = byTime(recallRows, (r) => r.raisedAt);
  const notices = byTime(noticeRows, (n) => n.createdAt);
  const recallsReceived = byTime(inboundRows, (r) => r.receivedAt);

  return { recallsSent, notices, recallsReceived };
}

/** The audit events of those steps: about any of the records (or the sessions), or named by the lineage. */
async function loadAudit(
  db: Db,
  ids: Ids,
  r: {
    shareIds: string[];
    importIds: string[];
    inbox: { id: string }[];
    decisions: { id: string }[];
    recallsSent: { id: string }[];
    notices: { id: string }[];
    recallsReceived: { id: string }[];
  },
) {
  const { shareIds, importIds, inbox, decisions, recallsSent, notices, recallsReceived } = r;
  const entityIds = [
    ...ids.sessions,
    ...shareIds,
    ...importIds,
    ...inbox.map((i) => i.id),
    ...decisions.map((d) => d.id),
    ...recallsSent.map((r) => r.id),
    ...notices.map((n) => n.id),
    ...recallsReceived.map((r) => r.id),
  ];
  const events = uniqueById(
    await whereAnyIn(
      [
        { column: auditEvents.entityId, ids: entityIds },
        { column: auditEvents.id, ids: ids.auditIds },
      ],
      (where) => db.select().from(auditEvents).where(where),
    ),
  ).sort((a, b) => a.seq - b.seq);
  const [head] = await db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);

  return { events, head };
}

export type Records = Awaited<ReturnType<typeof collectRecords>>;
