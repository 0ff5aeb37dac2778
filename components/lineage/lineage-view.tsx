"use client";

import { GitFork, History, SearchX } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { Sentence } from "@/components/audit/sentence";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/client/api-fetch";
import { useLineage } from "@/lib/client/queries/lineage";
import type { LineageGraphDto } from "@/lib/schemas/lineage";

function GraphSkeleton() {
  return (
    <div role="status" aria-label="Loading the lineage graph">
      <Skeleton className="h-[32rem] w-full" />
    </div>
  );
}

// React Flow and elkjs are most of this page's weight: loaded after it, and only on it.
const LineageGraph = dynamic(() => import("./lineage-graph").then((m) => m.LineageGraph), {
  ssr: false,
  loading: GraphSkeleton,
});

type Candidate = { sessionId: string; applicationId: string; applicationName: string };

function LineageError({ error, refValue }: { error: unknown; refValue: string }) {
  // Unknown (404) or not a session reference at all (422, e.g. "hello world" typed into the URL).
  if (error instanceof ApiError && (error.status === 404 || error.status === 422)) {
    return (
      <EmptyState title={`No session found for “${refValue}”`} icon={SearchX}>
        {error.status === 422
          ? `${error.message} `
          : `None of our mirror, shares or imports names “${refValue}”. `}
        Check the id, or search by number or vendor_data above. A token in the inbox that Didit has not
        accepted yet is unverified: its claims are not drawn.
      </EmptyState>
    );
  }
  if (error instanceof ApiError && error.status === 409) {
    const candidates = (error.details as { candidates?: Candidate[] } | undefined)?.candidates ?? [];
    return (
      <Alert tone="info" title={error.message}>
        <ul className="mt-2 space-y-1">
          {candidates.map((c) => (
            <li key={c.sessionId}>
              <Link className="underline" href={`/lineage/${c.sessionId}`}>
                In {c.applicationName} ({c.sessionId.slice(0, 8)})
              </Link>
            </li>
          ))}
        </ul>
      </Alert>
    );
  }
  return (
    <Alert tone="error" title="The lineage could not be loaded">
      {error instanceof ApiError ? error.message : "Try again in a moment."}
    </Alert>
  );
}

const TRIGGERS: Record<string, string> = {
  declined: "declined",
  deleted: "deleted",
  kyc_expired: "KYC expired",
  in_review: "back in review",
  erased: "erased",
  withdrawn: "withdrawn",
};

/** Recalls on the graph's steps: said above the graph, not only in red on its edges. */
function Recalls({ graph }: { graph: LineageGraphDto }) {
  if (graph.recalls.length === 0) return null;
  return (
    <Alert
      tone="warning"
      title={`Recalled: ${graph.recalls.length} step${graph.recalls.length === 1 ? "" : "s"}`}
    >
      <ul className="mt-1 space-y-1" aria-label="Recalls">
        {graph.recalls.map((r) => (
          <li key={`${r.edgeId}:${r.id ?? ""}`}>
            <span className="font-medium">
              {r.side === "sent" ? "We recalled our share" : "The partner recalled what we imported"}
            </span>{" "}
            ({TRIGGERS[r.trigger ?? ""] ?? "source changed"}, <DateTime value={r.recalledAt} />
            ): {r.reason}
            {r.side === "received" && (r.cleared ? " Decided again since." : " Waiting for a new decision.")}
            {r.side === "sent" && r.notices && r.notices.length > 0 && (
              <> Partner told by {r.notices.map((n) => `${n.channel} (${n.state})`).join(", ")}.</>
            )}
          </li>
        ))}
      </ul>
    </Alert>
  );
}

function Timeline({ graph }: { graph: LineageGraphDto }) {
  if (graph.timeline.length === 0) return <p className="text-sm text-slate-600">No recorded steps yet.</p>;
  return (
    // Scrollable: focusable, so keyboard users can scroll it (axe scrollable-region-focusable).
    <ol
      className="max-h-[30rem] space-y-2 overflow-y-auto pr-1 text-sm focus-visible:outline-2 focus-visible:outline-brand-600"
      aria-label="Timeline"
      tabIndex={0}
    >
      {graph.timeline.map((t, i) => (
        <li key={`${t.at}-${i}`} className="border-l-2 border-slate-200 pl-3" title={t.action}>
          <DateTime value={t.at} className="block text-xs text-slate-600" />
          <span className="text-slate-900">{t.sentence ? <Sentence parts={t.sentence} /> : t.summary}</span>
        </li>
      ))}
    </ol>
  );
}

/** The lineage of one session: its graph, and every step's time beside it. */
export function LineageView({ refValue, applicationId }: { refValue: string; applicationId?: string }) {
  const query = useLineage(refValue, applicationId);
  if (query.isPending) return <GraphSkeleton />;
  if (query.isError) return <LineageError error={query.error} refValue={refValue} />;
  const graph = query.data;
  return (
    <div className="space-y-4">
      {graph.truncated && (
        <Alert tone="info" title="Part of the graph is collapsed">
          Large fan-outs are grouped (only the first 50 children of a session are drawn one by one), and the
          walk stops after 100 hops.
        </Alert>
      )}
      <Recalls graph={graph} />
      <div className="grid gap-4 xl:grid-cols-[1fr_20rem]">
        <Card
          title={
            <>
              <GitFork aria-hidden /> Graph
            </>
          }
          description={`${graph.nodes.length} sessions, ${graph.edges.length} steps. Upstream on the left; open a session to see its page.`}
        >
          {graph.edges.length === 0 ? (
            <EmptyState title="Not shared, not imported" icon={GitFork}>
              This session has no recorded share, import or origin yet. Share it from the Sessions page.
            </EmptyState>
          ) : (
            <LineageGraph graph={graph} />
          )}
        </Card>
        <Card
          title={
            <>
              <History aria-hidden /> Timeline
            </>
          }
        >
          <Timeline graph={graph} />
        </Card>
      </div>
    </div>
  );
}
