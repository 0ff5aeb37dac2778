"use client";

import { CircleCheck, Loader2, Share2 } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { QueryProvider } from "@/components/query-provider";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button, buttonVariants } from "@/components/ui/button";
import { DateTime } from "@/components/ui/date-time";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/sonner";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { ApiError } from "@/lib/client/api-fetch";
import { confirmationKey, settleConfirmationKey } from "@/lib/client/idempotency-key";
import { formatDate } from "@/lib/format";
import { usePartner } from "@/lib/client/queries/partners";
import { useCreateShare, useEligiblePartners, useShare } from "@/lib/client/queries/shares";
import { isErrorCode, type ErrorCode } from "@/lib/error-codes";
import type { PartnerSummary } from "@/lib/schemas/partners";
import type { ShareDto } from "@/lib/schemas/shares";
import { useClock } from "./clock";
import { CHANNEL_LABELS, channelOutcome, formatTtl, KIND_LABELS, STATE_LABELS, STATE_TONES } from "./format";
import { LifetimeStep } from "./lifetime-step";
import { PartnerStep } from "./partner-step";
import { RevealTokenDialog } from "./reveal-token-dialog";
import { CLOSED_WIZARD, useShareWizardUrl, type WizardStep } from "./share-wizard-url";

export type ShareWizardSession = {
  sessionId: string;
  applicationId: string;
  kind: "user" | "business";
  status: string;
  number: number | null;
  displayName: string | null;
};

type Step = WizardStep;
const STEPS: { id: Step; label: string }[] = [
  { id: "partner", label: "Partner" },
  { id: "lifetime", label: "Lifetime" },
  { id: "summary", label: "Summary" },
  { id: "result", label: "Result" },
];

/** Refusals that are about the partner (pick another), and those about the lifetime. */
const PARTNER_CODES = new Set<ErrorCode>([
  "partner_suspended",
  "partner_agreement_expired",
  "partner_agreement_missing",
  "partner_not_outbound",
  "partner_not_for_application",
  "kind_not_allowed",
  "status_not_allowed",
  "unknown_target_application",
  "same_application",
]);
const TTL_CODES = new Set<ErrorCode>(["ttl_above_partner_max", "ttl_out_of_range"]);

/**
 * Share a finished session with a partner: partner (eligible ones only) → lifetime → summary →
 * confirm → result. Opened from the session picker's drawer. The step and the choices live in the
 * URL (share-wizard-url.ts): the browser's Back and Forward move between steps, a reload restores.
 */
export function ShareWizard(props: {
  session: ShareWizardSession;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <QueryProvider>
      <ShareWizardDialog {...props} />
    </QueryProvider>
  );
}

function sessionLabel(s: ShareWizardSession) {
  return s.number !== null ? `session #${s.number}` : "this session";
}

function ShareWizardDialog({
  session,
  open,
  onOpenChange,
}: {
  session: ShareWizardSession;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [url, setUrl] = useShareWizardUrl();
  const step: Step = url.share ?? "partner";
  const partnerId = url.sharePartner;
  const ttlSeconds = url.shareTtl !== null && url.shareTtl > 0 ? url.shareTtl : null;
  const [revealOpen, setRevealOpen] = useState(false);
  const partners = useEligiblePartners(session.sessionId, open);
  const create = useCreateShare();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const partner = partners.data?.items.find((i) => i.partner.id === partnerId && i.eligible)?.partner ?? null;
  const setStep = (target: Step) => void setUrl({ share: target });

  // A step restored from the URL (a reload, Forward, a link) whose choices no longer hold (the
  // partner is not eligible now, no lifetime or one above its maximum): the first step missing one.
  const unrestorable: Step | null =
    !partners.isSuccess || step === "partner" || step === "result"
      ? null
      : !partner
        ? "partner"
        : step === "summary" && (ttlSeconds === null || ttlSeconds > partner.maxTtlSeconds)
          ? "lifetime"
          : null;
  useEffect(() => {
    if (unrestorable) void setUrl({ share: unrestorable }, { history: "replace" });
  }, [unrestorable, setUrl]);

  // Each step's heading takes focus, so keyboard and screen-reader users land at its start.
  useEffect(() => {
    if (open) headingRef.current?.focus();
  }, [step, open]);

  // Leaving the page while the token is minted would hide the share's outcome: the browser asks.
  useEffect(() => {
    if (!create.isPending) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [create.isPending]);

  function close() {
    // The share is being minted: closing now would hide its outcome.
    if (create.isPending) return;
    setRevealOpen(false);
    create.reset();
    void setUrl(CLOSED_WIZARD);
    onOpenChange(false);
  }

  /** One confirmation, one Idempotency-Key: a retry of the same choices sends it again. */
  function confirm(release: () => void) {
    if (!partner || ttlSeconds === null) return release();
    const input = { sessionId: session.sessionId, partnerId: partner.id, ttlSeconds };
    const scope = `share:${input.sessionId}:${input.partnerId}:${input.ttlSeconds}`;
    create.mutate(
      { ...input, idempotencyKey: confirmationKey(scope) },
      {
        onSuccess: (share) => {
          settleConfirmationKey(scope);
          // The result replaces the summary in the history: Back does not offer to confirm again.
          void setUrl({ share: "result", shareId: share.id }, { history: "replace" });
          toast.success(`Shared ${sessionLabel(session)} with ${share.partnerName}`);
        },
        onError: (error) => {
          settleConfirmationKey(scope, error);
          release();
        },
      },
    );
  }

  function backTo(target: Step) {
    create.reset();
    if (target === "partner") void partners.refetch();
    setStep(target);
  }

  const restoring = (step === "lifetime" || step === "summary") && (partners.isPending || unrestorable);

  const title = `Share ${sessionLabel(session)}`;
  const stepIndex = STEPS.findIndex((s) => s.id === step);

  return (
    <Dialog open={open} onOpenChange={(next) => (next ? onOpenChange(true) : close())}>
      <DialogContent
        className="max-w-2xl"
        showClose={!create.isPending}
        onEscapeKeyDown={(event) => create.isPending && event.preventDefault()}
        onInteractOutside={(event) => event.preventDefault()}
        onOpenAutoFocus={(event) => {
          event.preventDefault();
          headingRef.current?.focus();
        }}
      >
        <DialogHeader>
          <DialogTitle className="flex items-center gap-2">
            <Share2 className="size-4 text-brand-600" aria-hidden /> {title}
          </DialogTitle>
          <DialogDescription>
            {session.displayName ?? "Unnamed"} · {KIND_LABELS[session.kind]} · {session.status}
          </DialogDescription>
        </DialogHeader>
        <ol aria-label="Steps" className="flex flex-wrap gap-1 text-xs">
          {STEPS.map((s, i) => (
            <li
              key={s.id}
              aria-current={i === stepIndex ? "step" : undefined}
              className={
                i === stepIndex
                  ? "rounded-full bg-brand-600 px-2.5 py-1 font-medium text-white"
                  : i < stepIndex
                    ? "rounded-full bg-brand-50 px-2.5 py-1 text-brand-700"
                    : "rounded-full bg-slate-100 px-2.5 py-1 text-slate-600"
              }
            >
              {i + 1}. {s.label}
            </li>
          ))}
        </ol>
        <h3
          ref={headingRef}
          tabIndex={-1}
          className="text-sm font-semibold text-slate-900 focus:outline-none"
        >
          {step === "partner" && "Choose the partner"}
          {step === "lifetime" && `Choose how long ${partner?.name ?? "the partner"} may use the token`}
          {step === "summary" && (create.isPending ? "Sharing…" : "Check and confirm")}
          {step === "result" && "Shared"}
        </h3>

        {restoring && (
          <div role="status" aria-label="Restoring the choices" className="grid gap-2">
            <Skeleton className="h-14 w-full" />
            <span className="sr-only">Reading the partners of this application…</span>
          </div>
        )}
        {(step === "partner" || (step !== "result" && partners.isError)) && (
          <PartnerStep
            query={partners}
            selected={partner?.id ?? null}
            onSelect={(id) => {
              // A choice within the step: the URL keeps it without a history entry of its own.
              if (id !== partnerId) void setUrl({ sharePartner: id, shareTtl: null }, { history: "replace" });
            }}
            onNext={() => setStep("lifetime")}
            onCancel={close}
          />
        )}
        {step === "lifetime" && partner && (
          <LifetimeStep
            partnerName={partner.name}
            defaultSeconds={partner.defaultTtlSeconds}
            maxSeconds={partner.maxTtlSeconds}
            value={ttlSeconds}
            onBack={() => setStep("partner")}
            onNext={(seconds) =>
              // The lifetime goes into this step's own history entry first, so Back from the
              // summary finds it chosen; then the summary is pushed.
              void setUrl({ shareTtl: seconds }, { history: "replace" }).then(() =>
                setUrl({ share: "summary" }),
              )
            }
          />
        )}
        {step === "summary" && partner && ttlSeconds !== null && (
          <SummaryStep
            session={session}
            partner={partner}
            ttlSeconds={ttlSeconds}
            pending={create.isPending}
            error={create.error}
            onBack={backTo}
            onConfirm={confirm}
          />
        )}
        {step === "result" && url.shareId && (
          <ResultStep
            shareId={url.shareId}
            created={create.data?.id === url.shareId ? create.data : null}
            onReveal={() => setRevealOpen(true)}
            onDone={close}
          />
        )}
        {step === "result" && url.shareId && (
          <ResultRevealDialog shareId={url.shareId} open={revealOpen} onOpenChange={setRevealOpen} />
        )}
      </DialogContent>
    </Dialog>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="font-medium text-slate-600">{label}</dt>
      <dd className="text-slate-900">{children}</dd>
    </div>
  );
}

/** When the share would expire if confirmed now: follows the page's clock while the summary is open. */
function ExpiresIfConfirmedNow({ ttlSeconds }: { ttlSeconds: number }) {
  const now = useClock();
  if (!now) return null;
  return (
    <>
      <DateTime value={new Date(now.getTime() + ttlSeconds * 1000)} />{" "}
      <span className="text-slate-600">(if confirmed now)</span>
    </>
  );
}

function SummaryStep({
  session,
  partner,
  ttlSeconds,
  pending,
  error,
  onBack,
  onConfirm,
}: {
  session: ShareWizardSession;
  partner: PartnerSummary;
  ttlSeconds: number;
  pending: boolean;
  error: Error | null;
  onBack: (step: Step) => void;
  onConfirm: (release: () => void) => void;
}) {
  // Taken on the first click and kept after a success (the step then leaves); a failure frees it.
  const flight = useSingleFlight();
  // The push channel's inbox URL is on the partner's full record only.
  const detail = usePartner(partner.id, { enabled: partner.deliveryChannel === "push" });
  const code = error instanceof ApiError ? error.code : null;
  const known = isErrorCode(code) ? code : null;
  const suggest: Step | null =
    known && PARTNER_CODES.has(known) ? "partner" : known && TTL_CODES.has(known) ? "lifetime" : null;

  if (pending) {
    return (
      <div
        role="status"
        aria-live="polite"
        className="flex items-center gap-3 rounded-md bg-slate-50 px-4 py-6"
      >
        <Loader2 className="size-5 animate-spin text-brand-600" aria-hidden />
        <div>
          <p className="font-medium text-slate-900">
            Sharing {sessionLabel(session)} with {partner.name}…
          </p>
          <p className="text-slate-600">
            Checking the partnership, minting the token at Didit and recording the share. This takes a few
            seconds.
          </p>
        </div>
      </div>
    );
  }

  return (
    <div className="grid gap-4">
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[11rem_1fr]">
        <Row label="Session">
          {session.number !== null ? `#${session.number}` : session.sessionId} ·{" "}
          {session.displayName ?? "Unnamed"} · {KIND_LABELS[session.kind]} · {session.status}
        </Row>
        <Row label="Partner">{partner.name}</Row>
        <Row label="Agreement">
          {partner.agreementReference ?? "—"}
          {partner.agreementExpiresOn && (
            <span className="text-slate-600"> (expires {formatDate(partner.agreementExpiresOn)})</span>
          )}
        </Row>
        <Row label="Channel">
          <Badge tone="neutral">{CHANNEL_LABELS[partner.deliveryChannel]}</Badge>{" "}
          <span>{channelOutcome(partner.deliveryChannel, partner.name, detail.data?.pushUrl ?? null)}</span>
        </Row>
        <Row label="Lifetime">{formatTtl(ttlSeconds)}</Row>
        <Row label="Expires">
          <ExpiresIfConfirmedNow ttlSeconds={ttlSeconds} />
        </Row>
      </dl>
      {error && (
        <Alert title="The session was not shared">
          <p>{error.message}</p>
          {code && <p className="mt-1 font-mono text-xs">{code}</p>}
        </Alert>
      )}
      <div className="flex flex-wrap justify-between gap-2">
        <div className="flex gap-2">
          <Button variant={suggest === "partner" ? "primary" : "secondary"} onClick={() => onBack("partner")}>
            Change partner
          </Button>
          <Button
            variant={suggest === "lifetime" ? "primary" : "secondary"}
            onClick={() => onBack("lifetime")}
          >
            Change lifetime
          </Button>
        </div>
        <Button
          variant={suggest ? "secondary" : "primary"}
          pending={flight.busy}
          onClick={() => flight.run(onConfirm)}
        >
          {error ? "Try again" : "Confirm and share"}
        </Button>
      </div>
    </div>
  );
}

function resultText(share: ShareDto): string {
  if (share.state === "delivered" && share.channel === "internal")
    return `The token is in ${share.partnerName}'s inbox in this console.`;
  if (share.state === "delivered") return `The token was delivered to ${share.partnerName}.`;
  if (share.state === "picked_up") return `${share.partnerName} picked the token up.`;
  if (share.state === "pending") {
    if (share.channel === "push")
      return `Handoff is pushing the token to ${share.partnerName}, retrying until it expires.`;
    if (share.channel === "pickup") return `The token waits for ${share.partnerName} to pick it up.`;
    if (share.channel === "manual")
      return `Reveal the token once and hand it to ${share.partnerName} yourself.`;
  }
  if (share.state === "failed") return `Delivery failed${share.lastError ? `: ${share.lastError}` : ""}.`;
  return `The share is ${STATE_LABELS[share.state].toLowerCase()}.`;
}

/** The manual channel's one-time reveal, for the share on the result step. */
function ResultRevealDialog({
  shareId,
  open,
  onOpenChange,
}: {
  shareId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const share = useShare(shareId).data;
  if (share?.channel !== "manual") return null;
  return (
    <RevealTokenDialog
      shareId={share.id}
      partnerName={share.partnerName}
      open={open}
      onOpenChange={onOpenChange}
    />
  );
}

function ResultStep({
  shareId,
  created,
  onReveal,
  onDone,
}: {
  shareId: string;
  /** The answer of the confirmation just made (absent after a reload: the share is read). */
  created: ShareDto | null;
  onReveal: () => void;
  onDone: () => void;
}) {
  // Follows the delivery live (a push may still be on its way).
  const live = useShare(shareId);
  const share = live.data ?? created;
  if (!share) {
    return live.isError ? (
      <Alert title="The share could not be read">{live.error.message}</Alert>
    ) : (
      <div role="status" aria-label="Loading the share" className="grid gap-2">
        <Skeleton className="h-24 w-full" />
      </div>
    );
  }
  return (
    <div className="grid gap-4">
      <Alert
        tone={share.state === "failed" ? "error" : share.state === "pending" ? "info" : "success"}
        title={
          share.state === "failed"
            ? `Shared with ${share.partnerName}, but the delivery failed`
            : `Shared with ${share.partnerName}`
        }
      >
        <p className="flex flex-wrap items-center gap-2">
          State:{" "}
          <Badge tone={STATE_TONES[share.state]} data-testid="share-result-state">
            {STATE_LABELS[share.state]}
          </Badge>
        </p>
        <p className="mt-1">{resultText(share)}</p>
        <p className="mt-1">
          Valid until <DateTime value={share.expiresAt} />.
        </p>
      </Alert>
      <div className="flex flex-wrap justify-end gap-2">
        {share.canReveal && share.channel === "manual" && (
          <Button variant="secondary" onClick={onReveal}>
            Reveal token now
          </Button>
        )}
        <Link href={`/shares/${share.id}`} className={buttonVariants({ variant: "secondary" })}>
          <CircleCheck aria-hidden /> Open the share
        </Link>
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}
