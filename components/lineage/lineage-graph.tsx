"use client";

import "@xyflow/react/dist/style.css";
import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import ELK from "elkjs/lib/elk.bundled.js";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { SubjectName } from "@/components/sessions/subject-name";
import { Badge } from "@/components/ui/badge";
import type { LineageEdgeDto, LineageGraphDto, LineageNodeDto } from "@/lib/schemas/lineage";

const NODE_W = 232;
const NODE_H = 92;

type SessionData = { node: LineageNodeDto; root: boolean };
type SessionFlowNode = Node<SessionData, "session">;

export function statusTone(status: string | null) {
  if (status === "Approved") return "success" as const;
  if (status === "Declined" || status === "Kyc Expired") return "danger" as const;
  if (status === "In Review" || status === "Resubmitted") return "warning" as const;
  return "neutral" as const;
}

export function nodeTitle(n: LineageNodeDto): string {
  if (n.group) return n.group.estimated ? `At least ${n.group.count} more` : `${n.group.count} more`;
  if (n.sessionNumber !== null) return `Session #${n.sessionNumber}`;
  if (n.placeholder) return n.placeholder;
  return `Session ${n.id.slice(0, 8)}`;
}

function SessionNode({ data }: NodeProps<SessionFlowNode>) {
  const n = data.node;
  const body = (
    <>
      <div className="flex items-center justify-between gap-2">
        <span className="truncate text-sm font-semibold text-slate-900">{nodeTitle(n)}</span>
        {n.status && (
          <Badge
            tone={statusTone(n.status)}
            title={
              n.claimed
                ? "As the partner's manifest claims: only the partner's records confirm it"
                : undefined
            }
          >
            {n.claimed ? `${n.status} (claimed)` : n.status}
          </Badge>
        )}
      </div>
      <p className="mt-1 truncate text-xs text-slate-700">
        {n.holder.type === "partner" ? "Partner: " : ""}
        {n.holder.name}
      </p>
      <p className="truncate text-xs text-slate-600">
        {n.group ? (
          `Collapsed: ${n.group.sample.length} of them named`
        ) : n.placeholder && n.sessionNumber === null ? (
          "No clone known yet"
        ) : n.deleted ? (
          "Deleted at Didit"
        ) : n.subject ? (
          <SubjectName subject={n.subject} className="text-xs" />
        ) : (
          n.id
        )}
      </p>
    </>
  );
  const frame = `block h-full w-full rounded-md border bg-white px-3 py-2 text-left shadow-sm ${
    data.root
      ? "border-brand-600 ring-2 ring-brand-100"
      : n.group || n.placeholder
        ? "border-dashed border-slate-400"
        : "border-slate-300"
  }`;
  return (
    <div
      style={{ width: NODE_W, height: NODE_H }}
      data-testid="lineage-node"
      data-node-id={n.id}
      title={n.subject ? n.id : undefined}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="!opacity-0" />
      {n.href ? (
        <Link href={n.href} className={`${frame} hover:border-brand-600 focus-visible:outline-2`}>
          {body}
        </Link>
      ) : (
        <div className={frame}>{body}</div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} className="!opacity-0" />
    </div>
  );
}

const nodeTypes = { session: SessionNode };

const EDGE_LABELS: Record<LineageEdgeDto["kind"], string> = {
  share: "shared",
  import: "imported",
  observed: "shared from",
  group: "…",
};

/** One drawn edge per pair of nodes: a share and its import between the same two sessions read as one step. */
function flowEdges(edges: LineageEdgeDto[]): Edge[] {
  const byPair = new Map<string, LineageEdgeDto[]>();
  for (const e of edges) byPair.set(`${e.from}>${e.to}`, [...(byPair.get(`${e.from}>${e.to}`) ?? []), e]);
  return [...byPair.values()].map((list) => {
    const recalled = list.some(
      (e) => (e.record.type === "share" || e.record.type === "import") && e.record.recall !== null,
    );
    const dashed = list[0]!.kind === "group" || list[0]!.kind === "observed";
    return {
      id: list.map((e) => e.id).join("+"),
      source: list[0]!.from,
      target: list[0]!.to,
      label: [...new Set(list.map((e) => EDGE_LABELS[e.kind]))].join(" + ") + (recalled ? " · recalled" : ""),
      animated: list.some((e) => e.record.type === "share" && e.record.state === "pending"),
      // A recalled step is drawn red: the source changed after it was shared.
      style: recalled
        ? { stroke: "#b91c1c", strokeWidth: 2, ...(dashed ? { strokeDasharray: "4 3" } : {}) }
        : dashed
          ? { strokeDasharray: "4 3" }
          : undefined,
      labelStyle: recalled ? { fill: "#b91c1c", fontWeight: 600 } : undefined,
    };
  });
}

const elk = new ELK();

async function layout(graph: LineageGraphDto, edges: Edge[]): Promise<SessionFlowNode[]> {
  const laid = await elk.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "140",
      "elk.spacing.nodeNode": "24",
    },
    children: graph.nodes.map((n) => ({ id: n.id, width: NODE_W, height: NODE_H })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const at = new Map((laid.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  return graph.nodes.map((n) => ({
    id: n.id,
    type: "session",
    position: at.get(n.id) ?? { x: n.depth * (NODE_W + 140), y: 0 },
    data: { node: n, root: n.id === graph.root },
  }));
}

/** The graph, laid out left → right by elkjs (upstream on the left); nodes link to their pages. */
export function LineageGraph({ graph }: { graph: LineageGraphDto }) {
  const router = useRouter();
  const edges = useMemo(() => flowEdges(graph.edges), [graph]);
  const [nodes, setNodes] = useState<SessionFlowNode[] | null>(null);
  useEffect(() => {
    let live = true;
    void layout(graph, edges).then((laid) => {
      if (live) setNodes(laid);
    });
    return () => {
      live = false;
    };
  }, [graph, edges]);

  return (
    <div
      className="h-[32rem] w-full rounded-lg border border-slate-200 bg-slate-50"
      role="figure"
      aria-label={`Lineage graph: ${graph.nodes.length} sessions, ${graph.edges.length} steps`}
    >
      {nodes && (
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          // A handler makes the nodes take pointer events (else the pane does); the link inside
          // is for the keyboard, a click anywhere on the node goes to its page.
          onNodeClick={(event, node) => {
            const href = (node.data as SessionData).node.href;
            if (!href) return;
            event.preventDefault();
            router.push(href);
          }}
          minZoom={0.1}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      )}
    </div>
  );
}
