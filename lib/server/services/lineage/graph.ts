import "server-only";
import type { LineageAuditEventDto, LineageGraphDto, LineageNodeDto } from "@/lib/schemas/lineage";
import type { DbOrTx } from "@/lib/server/db/types";
import { type ServiceContext, assertCan, isUuid } from "@/lib/server/kernel";
import { canReadNames } from "@/lib/server/services/sessions";
import { describeNode, type Known } from "./describe";
import { groupParts, recallsOf, stepEdges, type AuditOf } from "./edges";
import {
  auditDto,
  idsOf,
  loadAudit,
  loadImports,
  loadMirror,
  loadPeople,
  loadShares,
  type ImportRow,
  type MirrorRow,
  type ShareRow,
} from "./records";
import { resolveLineageRef } from "./resolve";
import { timelineOf } from "./timeline";
import { walk, type Walk } from "./walk";

/**
 * The lineage graph around `ref` (a Didit session uuid, or a session number: see
 * resolveLineageRef). Nodes carry their holder, status, number and page; edges their record and
 * the audit events of the step; the timeline every step oldest first.
 */
export async function getLineage(
  ctx: ServiceContext,
  ref: string,
  opts: { applicationId?: string } = {},
): Promise<LineageGraphDto> {
  assertCan(ctx, "lineage.read");
  const db = ctx.db;
  const root = await resolveLineageRef(db, ref, opts);
  const w = await walk(db, root);
  const rows = await loadRecords(db, w);
  const auditOf = await loadStepAudit(db, w, rows);

  const edges = stepEdges([...w.steps.values()], rows, auditOf);
  const known = knownOf(rows, canReadNames(ctx));
  const nodes: LineageNodeDto[] = [...w.nodes.values()].map((draft) => describeNode(draft, known));
  for (const g of w.groups) {
    const { node, edge } = groupParts(g);
    nodes.push(node);
    edges.push(edge);
  }
  nodes.sort(
    (a, b) => a.depth - b.depth || (a.at ?? "").localeCompare(b.at ?? "") || a.id.localeCompare(b.id),
  );
  return {
    root,
    nodes,
    edges,
    timeline: timelineOf(nodes, edges),
    truncated: w.truncated,
    recalls: recallsOf(edges),
  };
}

type Rows = {
  shareRows: ShareRow[];
  importRows: ImportRow[];
  mirrorRows: MirrorRow[];
  shareById: Map<string, ShareRow>;
  importById: Map<string, ImportRow>;
  mirrorById: Map<string, MirrorRow>;
};

/** The shares and imports of the steps, the imports and mirror rows of the sessions: one query each. */
async function loadRecords(db: DbOrTx, w: Walk): Promise<Rows> {
  const steps = [...w.steps.values()];
  const sessions = [...w.nodes.keys()].filter((id) => isUuid(id));
  const [shareRows, importRows, mirrorRows] = await Promise.all([
    loadShares(db, idsOf(steps, "share")),
    loadImports(db, idsOf(steps, "import"), sessions),
    loadMirror(db, sessions),
  ]);
  return {
    shareRows,
    importRows,
    mirrorRows,
    shareById: new Map(shareRows.map((r) => [r.id, r])),
    importById: new Map(importRows.map((r) => [r.id, r])),
    mirrorById: new Map(mirrorRows.map((r) => [r.id, r])),
  };
}

/** The audit events of the steps (shares, imports, their inbox items and recalls), by entity. */
async function loadStepAudit(db: DbOrTx, w: Walk, { shareRows, importRows }: Rows): Promise<AuditOf> {
  const stepImports = importRows.filter((r) => w.steps.has(`import:${r.id}`));
  const audit = await loadAudit(db, {
    share: shareRows.map((r) => r.id),
    import: stepImports.map((r) => r.id),
    inbox_item: stepImports.map((r) => r.inbox_item_id),
    recall: [...new Set(shareRows.flatMap((r) => (r.recall_id ? [r.recall_id] : [])))],
    inbound_recall: [
      ...new Set(stepImports.flatMap((r) => (r.inbound_recall_id ? [r.inbound_recall_id] : []))),
    ],
  });
  const people = await loadPeople(db, audit);
  const auditOf = new Map<string, LineageAuditEventDto[]>();
  for (const r of audit) {
    const key = `${r.entity_type}:${r.entity_id}`;
    const list = auditOf.get(key) ?? [];
    list.push(auditDto(r, people));
    auditOf.set(key, list);
  }
  return auditOf;
}

/** Nodes: the mirror knows ours best, then our import of a clone, then what a step says of its ends. */
function knownOf(rows: Rows, names: boolean): Known {
  const mirrorOf = new Map<string, MirrorRow>();
  for (const r of rows.mirrorRows) if (!mirrorOf.has(r.session_id)) mirrorOf.set(r.session_id, r);
  const cloneImport = new Map<string, ImportRow>();
  for (const r of rows.importRows) if (r.clone_session_id) cloneImport.set(r.clone_session_id, r);
  return {
    mirrorOf,
    cloneImport,
    shareRows: rows.shareRows,
    importRows: rows.importRows,
    shareById: rows.shareById,
    importById: rows.importById,
    names,
  };
}
