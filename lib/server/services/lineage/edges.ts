import "server-only";
import type {
  LineageAuditEventDto,
  LineageEdgeDto,
  LineageGraphDto,
  LineageNodeDto,
  LineageRecallDto,
} from "@/lib/schemas/lineage";
import { iso } from "./query";
import type { ImportRow, MirrorRow, ShareRow } from "./records";
import type { Step, Walk } from "./walk";

/**
 * The graph's edges: one per step (our share, our import, or a mirror row's shared_from_session
 * where no share or import says it), each with its record and the audit events of the step; a
 * group node and its edge past MAX_CHILDREN children; the recalls the edges carry.
 */

/** A step's audit events by `entity_type:entity_id`. */
export type AuditOf = ReadonlyMap<string, LineageAuditEventDto[]>;

export type StepRecords = {
  shareById: ReadonlyMap<string, ShareRow>;
  importById: ReadonlyMap<string, ImportRow>;
  mirrorById: ReadonlyMap<string, MirrorRow>;
};

export function stepEdges(steps: Step[], rows: StepRecords, auditOf: AuditOf): LineageEdgeDto[] {
  // A mirror row's shared_from_session is only shown where no share or import says it.
  const recorded = new Set<string>();
  for (const s of steps) if (s.kind !== "mirror") recorded.add(`${s.parent}>${s.child}`);
  const edges: LineageEdgeDto[] = [];
  for (const s of steps) {
    if (s.kind === "share") {
      const r = rows.shareById.get(s.rec);
      if (r) edges.push(shareEdge(s, r, auditOf));
    } else if (s.kind === "import") {
      const r = rows.importById.get(s.rec);
      if (r) edges.push(importEdge(s, r, auditOf));
    } else {
      const r = rows.mirrorById.get(s.rec);
      if (r && !recorded.has(`${s.parent}>${s.child}`)) edges.push(mirrorEdge(s, r));
    }
  }
  return edges;
}

const bySeq = (a: LineageAuditEventDto, b: LineageAuditEventDto) => a.seq - b.seq;

function shareEdge(s: Step, r: ShareRow, auditOf: AuditOf): LineageEdgeDto {
  return {
    id: `share:${r.id}`,
    from: s.parent,
    to: s.child,
    kind: "share",
    record: {
      type: "share",
      shareId: r.id,
      partnerId: r.partner_id,
      partnerName: r.partner_name,
      channel: r.channel,
      state: r.state,
      createdAt: iso(r.created_at) ?? "",
      deliveredAt: iso(r.delivered_at),
      receiptStatus: r.receipt_status,
      receiptCloneSessionId: r.receipt_clone_session_id,
      recall: shareRecall(r),
    },
    at: iso(r.created_at),
    auditEvents: [
      ...(auditOf.get(`share:${r.id}`) ?? []),
      ...(r.recall_id ? (auditOf.get(`recall:${r.recall_id}`) ?? []) : []),
    ].sort(bySeq),
  };
}

function importEdge(s: Step, r: ImportRow, auditOf: AuditOf): LineageEdgeDto {
  return {
    id: `import:${r.id}`,
    from: s.parent,
    to: s.child,
    kind: "import",
    record: {
      type: "import",
      importId: r.id,
      partnerId: r.partner_id,
      partnerName: r.partner_name,
      state: r.state,
      trustReview: r.trust_review,
      importedAt: r.state === "imported" ? iso(r.finished_at) : null,
      senderShareId: r.sender_share_id,
      recall: importRecall(r),
    },
    at: iso(r.finished_at) ?? iso(r.started_at),
    auditEvents: [
      ...(auditOf.get(`inbox_item:${r.inbox_item_id}`) ?? []),
      ...(auditOf.get(`import:${r.id}`) ?? []),
      ...(r.inbound_recall_id ? (auditOf.get(`inbound_recall:${r.inbound_recall_id}`) ?? []) : []),
    ].sort(bySeq),
  };
}

function mirrorEdge(s: Step, r: MirrorRow): LineageEdgeDto {
  return {
    id: `mirror:${r.id}`,
    from: s.parent,
    to: s.child,
    kind: "observed",
    record: { type: "observed", source: "mirror" },
    at: iso(r.created_at),
    auditEvents: [],
  };
}

function shareRecall(r: ShareRow): LineageRecallDto | null {
  const at = iso(r.recalled_at);
  if (!at) return null;
  return {
    side: "sent",
    id: r.recall_id,
    trigger: r.recall_trigger,
    reason: r.recall_reason,
    recalledAt: at,
    notices: (r.recall_notices ?? []).map((n) => {
      const [channel = "", state = ""] = n.split(":");
      return { channel, state };
    }),
  };
}

function importRecall(r: ImportRow): LineageRecallDto | null {
  const at = iso(r.recalled_at);
  if (!at) return null;
  return {
    side: "received",
    id: r.inbound_recall_id,
    trigger: r.recall_trigger,
    reason: r.recall_reason,
    recalledAt: at,
    cleared: iso(r.recall_cleared_at) !== null,
  };
}

/** The node standing for a parent's children past MAX_CHILDREN, and its edge from the parent. */
export function groupParts(g: Walk["groups"][number]): { node: LineageNodeDto; edge: LineageEdgeDto } {
  const id = `group:${g.parent}`;
  const node: LineageNodeDto = {
    id,
    sessionNumber: null,
    kind: null,
    status: null,
    holder: {
      type: "partner",
      id: null,
      name: g.estimated ? `At least ${g.count} more` : `${g.count} more`,
      diditApplicationId: null,
    },
    at: null,
    depth: g.depth,
    group: g.estimated
      ? { count: g.count, sample: g.sample, estimated: true }
      : { count: g.count, sample: g.sample },
    href: null,
    deleted: false,
  };
  const edge: LineageEdgeDto = {
    id: `group:${g.parent}`,
    from: g.parent,
    to: id,
    kind: "group",
    record: { type: "group", count: g.count },
    at: null,
    auditEvents: [],
  };
  return { node, edge };
}

/** The recalls the edges carry, newest first. */
export function recallsOf(edges: LineageEdgeDto[]): LineageGraphDto["recalls"] {
  const recallList: LineageGraphDto["recalls"] = [];
  for (const e of edges) {
    const recall = e.record.type === "share" || e.record.type === "import" ? e.record.recall : null;
    if (recall) recallList.push({ ...recall, edgeId: e.id });
  }
  return recallList.sort((a, b) => b.recalledAt.localeCompare(a.recalledAt));
}
