import "server-only";
import type { LineageEdgeDto, LineageGraphDto, LineageNodeDto } from "@/lib/schemas/lineage";
import { sentenceText } from "@/lib/audit-sentences";

/** The graph's timeline: each session's creation and every step's events (or its date), oldest first. */

function nodeLabel(n: LineageNodeDto | undefined): string {
  if (!n) return "a session";
  return n.sessionNumber !== null ? `#${n.sessionNumber} (${n.holder.name})` : n.holder.name;
}

export function timelineOf(nodes: LineageNodeDto[], edges: LineageEdgeDto[]): LineageGraphDto["timeline"] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: LineageGraphDto["timeline"] = [];
  for (const n of nodes) {
    if (n.at && !n.group && !n.placeholder) {
      out.push({ at: n.at, edgeId: null, nodeId: n.id, summary: `Session ${nodeLabel(n)} created` });
    }
  }
  for (const e of edges) {
    const recall = e.record.type === "share" || e.record.type === "import" ? e.record.recall : null;
    if (recall && !e.auditEvents.some((a) => a.action.includes("recall"))) {
      out.push({
        at: recall.recalledAt,
        edgeId: e.id,
        nodeId: null,
        summary: `Recalled${recall.side === "received" ? " by the partner" : ""}: ${recall.reason ?? recall.trigger ?? "the source changed"}`,
      });
    }
    if (e.auditEvents.length > 0) {
      for (const a of e.auditEvents) {
        out.push({
          at: a.occurredAt,
          edgeId: e.id,
          nodeId: null,
          summary: sentenceText(a.sentence),
          sentence: a.sentence,
          action: a.action,
        });
      }
    } else if (e.at && e.kind !== "group") {
      const what = e.kind === "observed" ? "Shared from (seen by Didit)" : e.kind;
      out.push({
        at: e.at,
        edgeId: e.id,
        nodeId: null,
        summary: `${what}: ${nodeLabel(byId.get(e.from))} → ${nodeLabel(byId.get(e.to))}`,
      });
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
