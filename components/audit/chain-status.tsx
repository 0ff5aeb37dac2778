"use client";

import { ShieldAlert, ShieldCheck, ShieldQuestion } from "lucide-react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DateTime } from "@/components/ui/date-time";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/sonner";
import { useAuditChain, useVerifyAuditChain, type AuditCheckpoint } from "@/lib/client/queries/audit";

const n = (v: number) => v.toLocaleString("en-GB");

function LastVerification({ checkpoint }: { checkpoint: AuditCheckpoint | null }) {
  // Without a checkpoint the status above says so (and what this visit's walk found).
  if (!checkpoint) return null;
  return (
    <p className="text-sm text-slate-700" data-testid="last-verification">
      Last {checkpoint.full ? "full" : "incremental"} verification <DateTime value={checkpoint.verifiedAt} />{" "}
      by {checkpoint.verifiedBy?.email ?? "the system"}:{" "}
      {checkpoint.ok ? (
        <>verified through event #{n(checkpoint.verifiedThroughSeq)}</>
      ) : (
        <>broken at event #{n(checkpoint.firstBadSeq ?? 0)}</>
      )}{" "}
      ({n(checkpoint.checked)} events walked in {n(checkpoint.durationMs)} ms).
    </p>
  );
}

/**
 * The hash chain's state: the newest checkpoint (when, by whom, through which event) and the
 * events after it, walked read-only on every visit; a new checkpoint on demand (new events only,
 * or the whole chain from the genesis).
 */
export function ChainStatus() {
  const chain = useAuditChain();
  const verify = useVerifyAuditChain();

  function run(mode: "incremental" | "full") {
    verify.mutate(mode, {
      onSuccess: (r) =>
        r.ok
          ? toast.success(`${n(r.checked)} events verified, every hash intact.`)
          : toast.error(`The chain is broken at event #${n(r.firstBad.seq)}.`),
      onError: (e) => toast.error(`Verification failed: ${e.message}`),
    });
  }

  const actions = (
    <div className="ml-auto flex flex-wrap gap-2">
      <Button
        size="sm"
        variant="secondary"
        onClick={() => run("incremental")}
        pending={verify.isPending && verify.variables === "incremental"}
        disabled={verify.isPending}
      >
        Verify new events
      </Button>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => run("full")}
        pending={verify.isPending && verify.variables === "full"}
        disabled={verify.isPending}
      >
        Full verification
      </Button>
    </div>
  );
  const progress = verify.isPending ? (
    <p role="status" aria-label="Verification progress" className="w-full text-sm text-slate-700">
      {verify.variables === "full"
        ? `Walking all ${n(chain.data?.headSeq ?? 0)} events from the genesis…`
        : `Walking the events after #${n(chain.data?.checkpoint?.verifiedThroughSeq ?? 0)}…`}
    </p>
  ) : null;

  if (chain.isPending) {
    return (
      <div role="status" aria-label="Chain verification" className="flex items-center gap-3">
        <Skeleton className="h-10 w-full" />
        <span className="sr-only">Verifying the audit chain…</span>
      </div>
    );
  }
  if (chain.isError) return <Alert>Could not verify the chain: {chain.error.message}</Alert>;
  const state = chain.data;
  return (
    <div className="space-y-2">
      {state.ok && !state.checkpoint ? (
        // Nobody has verified yet: this visit's read-only walk is no recorded verification.
        <div
          role="status"
          aria-label="Chain verification"
          className="flex flex-wrap items-center gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
        >
          <ShieldQuestion className="size-5 text-amber-700" aria-hidden />
          <Badge tone="warning">Not verified yet</Badge>
          <span>
            No verification is recorded. A read-only walk of the {n(state.checked)} events on this visit found
            every hash intact: run a full verification to record who verified the chain, when, and how far.
          </span>
          {actions}
        </div>
      ) : state.ok ? (
        <div
          role="status"
          aria-label="Chain verification"
          className="flex flex-wrap items-center gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        >
          <ShieldCheck className="size-5 text-emerald-700" aria-hidden />
          <Badge tone="success">Chain verified</Badge>
          <span>
            {state.checkpoint && !state.checkpoint.ok
              ? `Every hash intact now, though the last recorded verification found a break: run a full verification to record the repair.`
              : `Every hash intact through event #${n(state.lastSeq ?? state.checkpoint?.verifiedThroughSeq ?? 0)}: ${n(state.checked)} new since the last verification.`}
          </span>
          {actions}
        </div>
      ) : (
        <div
          role="alert"
          aria-label="Chain verification"
          className="flex flex-wrap items-center gap-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          <ShieldAlert className="size-5 text-red-700" aria-hidden />
          <Badge tone="danger">Chain broken</Badge>
          <span>{state.message}</span>
          {actions}
        </div>
      )}
      {progress}
      <LastVerification checkpoint={state.checkpoint} />
    </div>
  );
}
