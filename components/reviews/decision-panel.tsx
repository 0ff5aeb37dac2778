"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { Check, CircleSlash, Gavel, Hourglass, ThumbsDown, ThumbsUp, Undo2 } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import {
  AlertDialog,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { toast } from "@/components/ui/sonner";
import { Textarea } from "@/components/ui/textarea";
import { ApiError } from "@/lib/client/api-fetch";
import { confirmationKey, settleConfirmationKey } from "@/lib/client/idempotency-key";
import { importKeys, useDecideImport, useRejectProposal } from "@/lib/client/queries/imports";
import {
  DECISION_COMMENT_MAX,
  decisionRequestSchema,
  rejectProposalRequestSchema,
  type DecisionResponse,
  type DecisionStatusDto,
  type ImportDetailDto,
  type RejectProposalRequest,
} from "@/lib/schemas/reviews";
import { shortId } from "./format";

type Pending = { status: DecisionStatusDto; comment?: string; confirming: boolean };

/** What Didit does with a decision, in one sentence for the confirmation. */
function consequence(d: ImportDetailDto, status: DecisionStatusDto, confirming: boolean): string {
  const session = d.cloneSessionId ?? "this session";
  if (d.requireFourEyes && !confirming)
    return `This proposes ${status} for session ${session}: a second officer must confirm it before it goes to Didit.`;
  return `This sends ${status} to Didit for session ${session}: it cannot be undone here.`;
}

function useMergeDecision(id: string) {
  const qc = useQueryClient();
  return (response: DecisionResponse) =>
    qc.setQueryData<ImportDetailDto>(importKeys.detail(id), (old) =>
      old ? { ...old, ...response.import } : old,
    );
}

/** Approve or Decline after a confirmation; under four eyes a proposal, a second officer's Confirm or Reject. */
export function DecisionPanel({ detail: d, actorId }: { detail: ImportDetailDto; actorId: string }) {
  const decide = useDecideImport(d.id);
  const merge = useMergeDecision(d.id);
  const [pending, setPending] = useState<Pending | null>(null);
  const [rejecting, setRejecting] = useState<"reject" | "withdraw" | null>(null);
  const form = useForm<{ comment: string }>({ defaultValues: { comment: "" } });
  const proposal = d.pendingProposal;
  const sent = d.awaitingConfirmation;
  const lastFailed = [...d.decisions]
    .reverse()
    .find((x) => x.state === "failed" && !sent && !proposal && d.status === "In Review");

  function ask(status: DecisionStatusDto) {
    const parsed = decisionRequestSchema.safeParse({ status, comment: form.getValues("comment") });
    if (!parsed.success) {
      const issue = parsed.error.issues.find((i) => i.path[0] === "comment") ?? parsed.error.issues[0];
      form.setError("comment", { message: issue?.message ?? "Check the comment" }, { shouldFocus: true });
      return;
    }
    form.clearErrors("comment");
    decide.reset();
    setPending({ status, comment: parsed.data.comment, confirming: false });
  }

  // One decision per confirmation however often it is clicked; a retry sends the same key.
  const flight = useSingleFlight();
  function send() {
    if (!pending) return;
    const input = { status: pending.status, comment: pending.comment };
    const scope = `decision:${d.id}:${pending.confirming}:${JSON.stringify(input)}`;
    flight.run((release) =>
      decide.mutate(
        { ...input, idempotencyKey: confirmationKey(scope) },
        {
          onSettled: (_response, error) => {
            settleConfirmationKey(scope, error ?? undefined);
            release();
          },
          onSuccess: (response) => {
            merge(response);
            if (response.decision.state === "proposed")
              toast.success(`Your proposal (${response.decision.status}) waits for a second officer.`);
            else if (response.decision.state === "confirmed")
              toast.success(
                `Session ${shortId(d.cloneSessionId)} already is ${response.decision.status} at Didit: decision confirmed.`,
              );
            else
              toast.success(
                `${response.decision.status} sent to Didit for session ${shortId(d.cloneSessionId)}: waiting for Didit's confirmation.`,
              );
            setPending(null);
            form.reset({ comment: "" });
          },
        },
      ),
    );
  }

  const confirmed = [...d.decisions].reverse().find((x) => x.state === "confirmed");
  const canAct = d.can.decide || d.can.confirm || d.can.rejectProposal;
  if (!canAct && !sent && !proposal && !lastFailed && !confirmed) return null;

  return (
    <Card
      aria-label="Decision"
      title={
        <>
          <Gavel aria-hidden /> Decision
        </>
      }
      description={
        d.requireFourEyes
          ? "This partner requires four eyes: a second officer confirms each decision."
          : undefined
      }
    >
      <div className="space-y-4">
        {sent && (
          <Alert tone="info" title="Sent to Didit — waiting for Didit's confirmation">
            {sent.status} was sent by {sent.secondBy?.name ?? sent.decidedBy.name}
            {sent.sentAt && (
              <>
                {" "}
                <DateTime value={sent.sentAt} withRelative />
              </>
            )}
            . The status changes here when Didit&apos;s webhook confirms it.
          </Alert>
        )}
        {confirmed && !sent && !proposal && (
          <p className="text-sm text-slate-800">
            <span className="font-medium">{confirmed.status}</span> by{" "}
            {confirmed.secondBy?.name ?? confirmed.decidedBy.name}
            {confirmed.secondBy && <> (proposed by {confirmed.decidedBy.name})</>}
            {confirmed.comment && <>: “{confirmed.comment}”</>}
            {confirmed.confirmedAt && (
              <>
                {" "}
                · confirmed by Didit <DateTime value={confirmed.confirmedAt} withRelative />
              </>
            )}
          </p>
        )}
        {lastFailed && (
          <Alert title="Didit refused the last decision">
            {lastFailed.status}: {lastFailed.failureReason ?? lastFailed.failureCode ?? "no reason given"}
          </Alert>
        )}
        {proposal && (
          <div
            role="group"
            aria-label="Open proposal"
            className="space-y-3 rounded-md border border-brand-100 bg-brand-50 p-3 text-sm"
          >
            <p className="text-slate-900">
              <span className="font-medium">{proposal.decidedBy.name}</span> proposed{" "}
              <span className="font-medium">{proposal.status}</span>{" "}
              <DateTime value={proposal.decidedAt} withRelative />
              {proposal.comment ? <>: “{proposal.comment}”</> : "."}
            </p>
            {proposal.decidedBy.id === actorId ? (
              <div className="flex flex-wrap items-center justify-between gap-2">
                <p className="flex items-center gap-1.5 text-slate-700">
                  <Hourglass className="size-4" aria-hidden /> Waiting for a second officer
                </p>
                {d.can.rejectProposal && (
                  <Button variant="secondary" size="sm" onClick={() => setRejecting("withdraw")}>
                    <Undo2 aria-hidden /> Withdraw
                  </Button>
                )}
              </div>
            ) : d.can.confirm || d.can.rejectProposal ? (
              <div className="flex flex-wrap gap-2">
                {d.can.confirm && (
                  <Button
                    onClick={() => {
                      decide.reset();
                      setPending({ status: proposal.status, confirming: true });
                    }}
                  >
                    <Check aria-hidden /> Confirm {proposal.status}
                  </Button>
                )}
                {d.can.rejectProposal && (
                  <Button variant="secondary" onClick={() => setRejecting("reject")}>
                    <CircleSlash aria-hidden /> Reject proposal
                  </Button>
                )}
              </div>
            ) : (
              <p className="text-slate-700">Waiting for a second officer.</p>
            )}
          </div>
        )}
        {d.can.decide && !proposal && !sent && (
          <Form {...form}>
            <form aria-label="Decide" noValidate onSubmit={(e) => e.preventDefault()} className="space-y-3">
              <FormField
                control={form.control}
                name="comment"
                render={({ field }) => (
                  <FormItem>
                    <FormLabel>Comment</FormLabel>
                    <FormControl>
                      <Textarea
                        maxLength={DECISION_COMMENT_MAX}
                        rows={3}
                        placeholder="What you checked, and why"
                        {...field}
                      />
                    </FormControl>
                    <FormDescription>Goes to Didit with the decision. Required to decline.</FormDescription>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <div className="flex flex-wrap gap-2">
                <Button onClick={() => ask("Approved")}>
                  <ThumbsUp aria-hidden /> Approve
                </Button>
                <Button variant="danger" onClick={() => ask("Declined")}>
                  <ThumbsDown aria-hidden /> Decline
                </Button>
              </div>
            </form>
          </Form>
        )}
      </div>

      <AlertDialog
        open={pending !== null}
        onOpenChange={(open) => !open && !decide.isPending && setPending(null)}
      >
        <AlertDialogContent className="max-w-lg">
          <AlertDialogHeader>
            <AlertDialogTitle>
              {pending?.confirming
                ? `Confirm ${pending.status}?`
                : pending?.status === "Approved"
                  ? "Approve this session?"
                  : "Decline this session?"}
            </AlertDialogTitle>
            <AlertDialogDescription>
              {pending ? consequence(d, pending.status, pending.confirming) : ""}
            </AlertDialogDescription>
          </AlertDialogHeader>
          {pending?.comment && <p className="rounded bg-slate-50 p-2 text-slate-800">“{pending.comment}”</p>}
          {decide.isError && (
            <Alert title="The decision was not sent">
              {decide.error.message}
              {decide.error instanceof ApiError && decide.error.code === "own_proposal" && (
                <> Another officer must confirm it.</>
              )}
            </Alert>
          )}
          <AlertDialogFooter>
            <Button variant="secondary" onClick={() => setPending(null)} disabled={decide.isPending}>
              Cancel
            </Button>
            <Button
              variant={pending?.status === "Declined" ? "danger" : "primary"}
              pending={decide.isPending || flight.busy}
              onClick={send}
            >
              {decide.isPending
                ? "Sending…"
                : d.requireFourEyes && !pending?.confirming
                  ? `Propose ${pending?.status ?? ""}`
                  : `Send ${pending?.status ?? ""} to Didit`}
            </Button>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>

      {rejecting && (
        <RejectProposalDialog
          importId={d.id}
          mode={rejecting}
          proposer={proposal?.decidedBy.name ?? "the proposer"}
          onClose={() => setRejecting(null)}
        />
      )}
    </Card>
  );
}

/** A second officer turns the proposal down (or its proposer withdraws it), with a comment. */
function RejectProposalDialog({
  importId,
  mode,
  proposer,
  onClose,
}: {
  importId: string;
  mode: "reject" | "withdraw";
  proposer: string;
  onClose: () => void;
}) {
  const reject = useRejectProposal(importId);
  const merge = useMergeDecision(importId);
  const form = useForm<RejectProposalRequest>({
    resolver: zodResolver(rejectProposalRequestSchema),
    defaultValues: { comment: mode === "withdraw" ? "Withdrawn by the proposer" : "" },
  });
  const formId = `reject-proposal-${importId}`;
  const flight = useSingleFlight();
  function submit(values: RejectProposalRequest) {
    flight.run((release) =>
      reject.mutate(values, {
        onSettled: release,
        onSuccess: (response) => {
          merge(response);
          toast.success(
            mode === "withdraw" ? "Your proposal is withdrawn." : `${proposer}'s proposal is rejected.`,
          );
          onClose();
        },
        onError: (error) => {
          const message = error instanceof ApiError ? error.fieldErrors.comment?.[0] : undefined;
          if (message) form.setError("comment", { message }, { shouldFocus: true });
        },
      }),
    );
  }
  return (
    <AlertDialog open onOpenChange={(open) => !open && !reject.isPending && onClose()}>
      <AlertDialogContent className="max-w-lg">
        <AlertDialogHeader>
          <AlertDialogTitle>
            {mode === "withdraw" ? "Withdraw your proposal?" : "Reject the proposal?"}
          </AlertDialogTitle>
          <AlertDialogDescription>
            Nothing goes to Didit; the session stays In Review for a new decision.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <Form {...form}>
          <form id={formId} aria-label="Reject proposal" noValidate onSubmit={form.handleSubmit(submit)}>
            <FormField
              control={form.control}
              name="comment"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Comment</FormLabel>
                  <FormControl>
                    <Textarea maxLength={DECISION_COMMENT_MAX} placeholder="Why not?" {...field} />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
          </form>
        </Form>
        {reject.isError && !form.formState.errors.comment && (
          <Alert title="The proposal was not rejected">{reject.error.message}</Alert>
        )}
        <AlertDialogFooter>
          <Button variant="secondary" onClick={onClose} disabled={reject.isPending}>
            Cancel
          </Button>
          <Button type="submit" form={formId} variant="danger" pending={reject.isPending || flight.busy}>
            {mode === "withdraw" ? "Withdraw proposal" : "Reject proposal"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
