"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { Check, CircleSlash, Gavel, Hourglass, ThumbsDown, ThumbsUp, Undo2 } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useForm, useWatch } from "react-hook-form";
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

type Pending = { status: DecisionStatusDto; comment?: string; confirming: boolean; proposalId?: string };

/** Typing in a field (the comment box, a search) never triggers a shortcut. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * The page's decision shortcuts (A, D, C, R), only when no field has the focus, no modifier is
 * held and no dialog is open; each opens the same confirmation as its button.
 */
function useDecisionShortcuts(handlers: Partial<Record<"a" | "d" | "c" | "r", () => void>> | null) {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  const enabled = handlers !== null;
  useEffect(() => {
    if (!enabled) return;
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented || e.repeat || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return;
      const run = latest.current?.[e.key.toLowerCase() as "a" | "d" | "c" | "r"];
      if (!run) return;
      e.preventDefault();
      run();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}

/** True while `el` is on screen (and before it is measured). */
function useInView(el: Element | null): boolean {
  const [inView, setInView] = useState(true);
  useEffect(() => {
    if (!el || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(([entry]) => setInView(entry?.isIntersecting ?? true));
    observer.observe(el);
    return () => {
      observer.disconnect();
      setInView(true);
    };
  }, [el]);
  return inView;
}

function Kbd({ children }: { children: string }) {
  return (
    <kbd className="rounded border border-slate-300 bg-white px-1 font-mono text-[0.7rem] text-slate-800">
      {children}
    </kbd>
  );
}

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
export function DecisionPanel({
  detail: d,
  actorId,
  barSlot = null,
}: {
  detail: ImportDetailDto;
  actorId: string;
  /** Where the sticky decision bar goes when the panel's buttons are scrolled away (the page's foot). */
  barSlot?: HTMLElement | null;
}) {
  const decide = useDecideImport(d.id);
  const merge = useMergeDecision(d.id);
  const [pending, setPending] = useState<Pending | null>(null);
  const [confirmComment, setConfirmComment] = useState("");
  const [rejecting, setRejecting] = useState<"reject" | "withdraw" | null>(null);
  const form = useForm<{ comment: string }>({ defaultValues: { comment: "" } });
  const commentValue = useWatch({ control: form.control, name: "comment" });
  const commentRef = useRef<HTMLTextAreaElement | null>(null);
  const [actionsEl, setActionsEl] = useState<HTMLDivElement | null>(null);
  const actionsInView = useInView(actionsEl);
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

  function askConfirm() {
    if (!proposal) return;
    decide.reset();
    setConfirmComment("");
    setPending({ status: proposal.status, confirming: true, proposalId: proposal.id });
  }

  function focusComment() {
    const el = commentRef.current;
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    el.focus();
  }

  // One decision per confirmation however often it is clicked; a retry sends the same key.
  const flight = useSingleFlight();
  function send() {
    if (!pending) return;
    const comment = pending.confirming ? confirmComment.trim() || undefined : pending.comment;
    const input = {
      status: pending.status,
      comment,
      ...(pending.proposalId ? { proposalId: pending.proposalId } : {}),
    };
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
  // What the officer can do now: decide, or (a second officer) confirm or reject the proposal.
  const mode: "decide" | "second" | null =
    d.can.decide && !proposal && !sent
      ? "decide"
      : proposal && proposal.decidedBy.id !== actorId && (d.can.confirm || d.can.rejectProposal)
        ? "second"
        : null;
  useDecisionShortcuts(
    mode === "decide"
      ? { a: () => ask("Approved"), d: () => ask("Declined"), c: focusComment }
      : mode === "second" && proposal
        ? {
            ...(d.can.confirm ? { [proposal.status === "Approved" ? "a" : "d"]: askConfirm } : {}),
            ...(d.can.rejectProposal ? { r: () => setRejecting("reject") } : {}),
          }
        : null,
  );
  if (!canAct && !sent && !proposal && !lastFailed && !confirmed) return null;

  const commentError = form.formState.errors.comment?.message;
  const bar =
    mode && !actionsInView && barSlot && pending === null && rejecting === null
      ? createPortal(
          <section
            aria-label="Decision bar"
            className="flex flex-col gap-2 border-t border-slate-200 bg-white/95 px-4 py-3 shadow-[0_-4px_12px_rgba(15,23,42,0.08)] backdrop-blur sm:flex-row sm:items-start"
          >
            {mode === "decide" ? (
              <>
                <div className="min-w-0 flex-1">
                  <Textarea
                    aria-label="Decision comment"
                    aria-invalid={commentError ? true : undefined}
                    maxLength={DECISION_COMMENT_MAX}
                    rows={1}
                    placeholder="Comment: what you checked, and why (required to decline)"
                    value={commentValue}
                    onChange={(e) => form.setValue("comment", e.target.value)}
                    className="min-h-9"
                  />
                  {commentError && <p className="mt-1 text-xs text-red-700">{commentError}</p>}
                </div>
                <div className="flex shrink-0 gap-2">
                  <Button onClick={() => ask("Approved")}>
                    <ThumbsUp aria-hidden /> Approve
                  </Button>
                  <Button variant="danger" onClick={() => ask("Declined")}>
                    <ThumbsDown aria-hidden /> Decline
                  </Button>
                </div>
              </>
            ) : proposal ? (
              <>
                <p className="min-w-0 flex-1 self-center text-sm text-slate-900">
                  <span className="font-medium">{proposal.decidedBy.name}</span> proposed{" "}
                  <span className="font-medium">{proposal.status}</span>
                </p>
                <div className="flex shrink-0 gap-2">
                  {d.can.confirm && (
                    <Button onClick={askConfirm}>
                      <Check aria-hidden /> Confirm {proposal.status}
                    </Button>
                  )}
                  {d.can.rejectProposal && (
                    <Button variant="secondary" onClick={() => setRejecting("reject")}>
                      <CircleSlash aria-hidden /> Reject proposal
                    </Button>
                  )}
                </div>
              </>
            ) : null}
          </section>,
          barSlot,
        )
      : null;

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
            {confirmed.secondBy && confirmed.secondComment && (
              <>
                {" "}
                · {confirmed.secondBy.name}: “{confirmed.secondComment}”
              </>
            )}
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
              <div ref={setActionsEl} className="flex flex-wrap gap-2">
                {d.can.confirm && (
                  <Button onClick={askConfirm}>
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
                        ref={(el) => {
                          field.ref(el);
                          commentRef.current = el;
                        }}
                      />
                    </FormControl>
                    <FormDescription>Goes to Didit with the decision. Required to decline.</FormDescription>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <div ref={setActionsEl} className="flex flex-wrap gap-2">
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
        {mode && (
          <p className="text-xs text-slate-600" aria-label="Keyboard shortcuts">
            Keyboard (when not typing in a field; each asks for confirmation first):{" "}
            {mode === "decide" ? (
              <>
                <Kbd>A</Kbd> approve · <Kbd>D</Kbd> decline · <Kbd>C</Kbd> write the comment
              </>
            ) : (
              proposal && (
                <>
                  {d.can.confirm && (
                    <>
                      <Kbd>{proposal.status === "Approved" ? "A" : "D"}</Kbd> confirm {proposal.status}
                    </>
                  )}
                  {d.can.confirm && d.can.rejectProposal && " · "}
                  {d.can.rejectProposal && (
                    <>
                      <Kbd>R</Kbd> reject the proposal
                    </>
                  )}
                </>
              )
            )}
            . When these buttons scroll away, a decision bar stays at the foot of the page.
          </p>
        )}
      </div>
      {bar}

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
          {pending?.confirming && proposal && (
            <div className="space-y-2">
              {proposal.comment && (
                <p className="rounded bg-slate-50 p-2 text-slate-800">
                  {proposal.decidedBy.name}: “{proposal.comment}”
                </p>
              )}
              <label htmlFor={`confirm-comment-${d.id}`} className="block text-sm font-medium text-slate-900">
                Your comment (optional)
              </label>
              <Textarea
                id={`confirm-comment-${d.id}`}
                aria-describedby={`confirm-comment-${d.id}-hint`}
                maxLength={DECISION_COMMENT_MAX}
                rows={3}
                placeholder="What you checked as the second officer"
                value={confirmComment}
                onChange={(e) => setConfirmComment(e.target.value)}
              />
              <p id={`confirm-comment-${d.id}-hint`} className="text-xs text-slate-600">
                Recorded with the decision beside {proposal.decidedBy.name}&apos;s, and sent to Didit with it.
              </p>
            </div>
          )}
          {decide.isError && (
            <Alert title="The decision was not sent">
              {decide.error.message}
              {decide.error instanceof ApiError && decide.error.is("own_proposal") && (
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
