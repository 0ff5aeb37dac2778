"use client";

import { ArrowLeft, OctagonAlert, RotateCw, SearchX, UserMinus, UserPlus } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { KIND_LABELS, statusTone } from "@/components/sessions/format";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { buttonVariants } from "@/components/ui/button-variants";
import { EmptyState } from "@/components/ui/empty-state";
import { toast } from "@/components/ui/sonner";
import { ApiError } from "@/lib/client/api-fetch";
import { useAssignImport, useImportDetail } from "@/lib/client/queries/imports";
import { RECALL_TRIGGER_LABELS } from "@/lib/schemas/recalls";
import type { ImportDetailDto } from "@/lib/schemas/reviews";
import { CloneCard } from "./clone-card";
import { DecisionPanel } from "./decision-panel";
import { LineageCard } from "./lineage-card";
import { ReassignDialog } from "./reassign-dialog";
import { ReviewDetailSkeleton } from "./review-detail-skeleton";
import { Age, SlaCell } from "./review-bits";
import { SourceCard } from "./source-card";
import { Timeline } from "./timeline";

function sessionNameOf(d: ImportDetailDto) {
  return d.cloneSessionNumber !== null ? `#${d.cloneSessionNumber}` : (d.cloneSessionId?.slice(0, 8) ?? "—");
}

function Assignee({ d, actorId }: { d: ImportDetailDto; actorId: string }) {
  const assign = useAssignImport(d.id);
  const mine = d.assignee?.id === actorId;
  const run = (assigneeId: "me" | null, done: string) =>
    assign.mutate(
      { assigneeId },
      { onSuccess: () => toast.success(done), onError: (e) => toast.error(`Not changed: ${e.message}`) },
    );
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <span>{d.assignee ? (mine ? `${d.assignee.name} (you)` : d.assignee.name) : "Unassigned"}</span>
      {d.can.assign && !mine && (
        <Button
          size="sm"
          variant="secondary"
          pending={assign.isPending}
          onClick={() => run("me", "The review is assigned to you.")}
        >
          <UserPlus aria-hidden /> {d.assignee ? "Take over" : "Assign to me"}
        </Button>
      )}
      {d.can.assign && d.assignee && (
        <Button
          size="sm"
          variant="ghost"
          pending={assign.isPending}
          onClick={() => run(null, "The review is unassigned.")}
        >
          <UserMinus aria-hidden /> Unassign
        </Button>
      )}
      {d.can.assign && (
        <ReassignDialog
          importId={d.id}
          sessionName={sessionNameOf(d)}
          assignee={d.assignee}
          actorId={actorId}
        />
      )}
    </span>
  );
}

/** The partner recalled the source of this clone: why, when, and what clears it. */
function RecallBanner({ d }: { d: ImportDetailDto }) {
  if (!d.recall) return null;
  return (
    <section
      aria-label="Recall"
      className="flex gap-3 rounded-lg border-2 border-red-300 bg-red-50 p-4 text-red-900"
    >
      <OctagonAlert className="mt-0.5 size-5 shrink-0" aria-hidden />
      <div className="min-w-0 space-y-1">
        <h2 className="font-semibold">
          Recalled by {d.partnerName}: {RECALL_TRIGGER_LABELS[d.recall.trigger]}
        </h2>
        <p className="text-sm">{d.recall.reason}</p>
        <p className="text-xs">
          Recalled <Age value={d.recall.recalledAt} />. This verification is back in the review queue until an
          officer decides on it again: Approved or Declined goes to Didit and clears the recall.
        </p>
      </div>
    </section>
  );
}

function Header({ d, actorId }: { d: ImportDetailDto; actorId: string }) {
  const name = sessionNameOf(d);
  return (
    <section
      aria-label="Review summary"
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 className="flex flex-wrap items-center gap-2 text-lg font-semibold text-slate-900">
            Session {name}
            {d.status && <Badge tone={statusTone(d.status)}>{d.status}</Badge>}
            {d.pendingProposal && <Badge tone="info">Awaiting second approval</Badge>}
            {d.recall && <Badge tone="danger">Recalled</Badge>}
          </h2>
          <p className="mt-0.5 break-all font-mono text-xs text-slate-600">
            {d.cloneSessionId ?? "Not imported yet"}
          </p>
        </div>
        <Link
          href="/reviews"
          className="inline-flex items-center gap-1 text-sm font-medium text-brand-700 hover:underline"
        >
          <ArrowLeft className="size-4" aria-hidden /> Review queue
        </Link>
      </div>
      <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2 lg:grid-cols-5">
        <div>
          <dt className="text-xs text-slate-600">Partner</dt>
          <dd className="text-slate-900">{d.partnerName}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600">Kind</dt>
          <dd className="text-slate-900">
            {KIND_LABELS[d.sessionKind]} · into {d.applicationName}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600">Imported</dt>
          <dd className="text-slate-900">
            <Age value={d.finishedAt ?? d.startedAt} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600">SLA ({d.reviewSlaHours} h)</dt>
          <dd className="text-slate-900">
            <SlaCell item={d} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600">Assignee</dt>
          <dd className="text-slate-900">
            <Assignee d={d} actorId={actorId} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

export function ReviewDetailView({ initial, actorId }: { initial: ImportDetailDto; actorId: string }) {
  const query = useImportDetail(initial.id, initial);
  // The foot of the page, where the decision bar sticks while the decision panel is scrolled away.
  const [barSlot, setBarSlot] = useState<HTMLDivElement | null>(null);
  if (query.isPending) return <ReviewDetailSkeleton />;
  if (query.isError && !query.data) {
    const missing = query.error instanceof ApiError && query.error.status === 404;
    return missing ? (
      <EmptyState
        icon={SearchX}
        title="No such review"
        action={
          <Link href="/reviews" className={buttonVariants({ variant: "secondary" })}>
            Back to the review queue
          </Link>
        }
      >
        This import does not exist, or it was removed.
      </EmptyState>
    ) : (
      <Alert title="The review could not be loaded">
        <p>{query.error.message}</p>
        <Button className="mt-2" variant="secondary" size="sm" onClick={() => void query.refetch()}>
          <RotateCw aria-hidden /> Try again
        </Button>
      </Alert>
    );
  }
  const d = query.data;
  return (
    <div className="space-y-6">
      {query.isError && <Alert title="Could not refresh the review">{query.error.message}</Alert>}
      <RecallBanner d={d} />
      <Header d={d} actorId={actorId} />
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <CloneCard side={d.clone} />
        {/* On a narrow window the decision and lineage come before the (long) clone. */}
        <div className="order-first grid min-w-0 gap-6 lg:order-none">
          <DecisionPanel detail={d} actorId={actorId} barSlot={barSlot} />
          <LineageCard lineage={d.lineage} />
          {d.source.relation === "sister" && (
            <SourceCard
              source={d.source}
              trustReview={d.lineage.trustReview}
              erased={d.recall?.trigger === "erased"}
              cloneReadable={d.clone.available}
              statusWhenShared={
                typeof d.lineage.manifest?.status === "string" ? d.lineage.manifest.status : null
              }
            />
          )}
        </div>
      </div>
      <Timeline entries={d.timeline} />
      <div ref={setBarSlot} className="sticky bottom-0 z-30 empty:hidden" />
    </div>
  );
}
