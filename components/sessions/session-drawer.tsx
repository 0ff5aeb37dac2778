"use client";

import { GitFork, RotateCw, Share2 } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import type { ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DateTime } from "@/components/ui/date-time";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { CLOSED_WIZARD, useShareWizardUrl } from "@/components/shares/share-wizard-url";
import { ApiError } from "@/lib/client/api-fetch";
import { useSessionDetail } from "@/lib/client/queries/sessions";
import type { ErrorCode } from "@/lib/error-codes";
import {
  isFinishedStatus,
  ERASED_NAME,
  REDACTED_NAME,
  type SessionDetailDto,
  type SessionListItemDto,
} from "@/lib/schemas/sessions";
import { checkTone, featureLabel, formatNumber, KIND_LABELS } from "./format";
import { SessionStatusBadge } from "./status-badge";

// The wizard (its steps and the partner directory's query) loads only when an officer opens it.
const ShareWizard = dynamic(() => import("@/components/shares/share-wizard").then((m) => m.ShareWizard), {
  ssr: false,
});

/** What to do next, per refusal of the decision read (the server's message says the rest). */
const NEXT_STEP: Partial<Record<string, string>> = {
  key_rejected: "An admin must check this application's API key on the Applications page.",
  rate_limited: "Didit is busy with this application's key: try again in a minute.",
  upstream_unavailable: "Didit could not be reached: try again shortly.",
  upstream_timeout: "Didit did not answer in time: try again shortly.",
  not_found: "Close this panel; the list no longer shows it.",
} satisfies Partial<Record<ErrorCode, string>>;

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="space-y-2">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-600">{title}</h3>
      {children}
    </section>
  );
}

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[9rem_1fr] gap-x-4 gap-y-1">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-slate-600">{label}</dt>
          <dd className="min-w-0 break-words text-slate-900">{value ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

function DetailBody({ detail }: { detail: SessionDetailDto }) {
  const { session: s, decision: d } = detail;
  const lineage = d.sharedFromSession ?? s.sharedFromSession;
  return (
    <div className="space-y-6">
      <Section title="Identity">
        <Facts
          rows={[
            [
              s.kind === "business" ? "Company" : "Full name",
              (s.kind === "business" ? d.companyName : d.fullName) ?? "—",
            ],
            ...(s.kind === "business"
              ? ([["Registration no.", d.registrationNumber ?? "—"]] as [string, ReactNode][])
              : ([["Document", d.documentType ?? "—"]] as [string, ReactNode][])),
            ["Country", d.country ?? "—"],
            ["vendor_data", d.vendorData ? <code className="text-xs">{d.vendorData}</code> : "—"],
            ["Application", s.applicationName],
            ["Created", <DateTime key="c" value={d.createdAt} />],
            [
              "Session id",
              <code key="i" className="text-xs">
                {s.sessionId}
              </code>,
            ],
          ]}
        />
      </Section>
      <Section title="Lineage">
        {lineage ? (
          <p className="flex items-start gap-2">
            <GitFork className="mt-0.5 size-4 shrink-0 text-slate-500" aria-hidden />
            <span>
              Imported from session <code className="break-all text-xs">{lineage}</code> of a partner
              application.
            </span>
          </p>
        ) : (
          <p className="text-slate-600">Verified in this application (not imported from a partner).</p>
        )}
      </Section>
      <Section title="Checks">
        {d.features.length === 0 ? (
          <p className="text-slate-600">No checks recorded yet.</p>
        ) : (
          <ul className="space-y-1">
            {d.features.map((f) => (
              <li key={f.feature} className="flex flex-wrap items-center justify-between gap-2">
                <span>
                  {featureLabel(f.feature)} <span className="text-slate-500">({f.count})</span>
                </span>
                <span className="flex flex-wrap gap-1">
                  {f.statuses.length === 0 ? (
                    <span className="text-xs text-slate-600">{f.count === 0 ? "not run" : "no status"}</span>
                  ) : (
                    f.statuses.map((st, i) => (
                      <Badge key={i} tone={checkTone(st)}>
                        {st}
                      </Badge>
                    ))
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Reviews">
        {d.reviews.length === 0 ? (
          <p className="text-slate-600">No manual reviews.</p>
        ) : (
          <ol className="space-y-2">
            {d.reviews.map((r, i) => (
              <li key={i} className="rounded border border-slate-200 p-2">
                <p className="flex flex-wrap items-center gap-2">
                  <SessionStatusBadge status={r.newStatus} />
                  <span className="text-slate-700">{r.user ?? "Didit"}</span>
                  {r.createdAt && <DateTime value={r.createdAt} className="text-xs text-slate-500" />}
                </p>
                {r.comment && <p className="mt-1 text-slate-700">{r.comment}</p>}
              </li>
            ))}
          </ol>
        )}
      </Section>
      <Section title="Shares">
        {detail.shares.length === 0 ? (
          <p className="text-slate-600">Not shared with any partner yet.</p>
        ) : (
          <ul className="space-y-2">
            {detail.shares.map((sh) => (
              <li key={sh.id} className="rounded border border-slate-200 p-2">
                <p className="flex flex-wrap items-center justify-between gap-2">
                  <Link href={`/shares/${sh.id}`} className="font-medium text-brand-700 hover:underline">
                    {sh.partner.name}
                  </Link>
                  <Badge>{sh.state.replace(/_/g, " ")}</Badge>
                </p>
                <p className="text-xs text-slate-600">
                  {sh.channel} · shared <DateTime value={sh.createdAt} /> · expires{" "}
                  <DateTime value={sh.expiresAt} />
                  {sh.receiptStatus && ` · partner reported: ${sh.receiptStatus}`}
                </p>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}

/** A side panel with one session's decision (read from Didit), its lineage and shares, and Share. */
export function SessionDrawer({
  session,
  canShare,
  onOpenChange,
}: {
  /** The row it was opened from (shown at once), or just an id from the URL. */
  session: { sessionId: string; row: SessionListItemDto | null } | null;
  canShare: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const detail = useSessionDetail(session?.sessionId ?? null);
  // The wizard's step is in the URL (Back steps back through it; a reload reopens it).
  const [wizard, setWizard] = useShareWizardUrl();
  const sharing = wizard.share !== null;
  const row = detail.data?.session ?? session?.row ?? null;
  const error = detail.error instanceof ApiError ? detail.error : null;
  const status = detail.data?.decision.status ?? row?.status ?? "";
  const shareable = canShare && detail.data?.canShare === true && isFinishedStatus(status);
  const title = row
    ? `${formatNumber(row.number)} ${row.displayName ?? (row.redacted ? (row.erasure ? ERASED_NAME : REDACTED_NAME) : row.kind === "business" ? "Unnamed company" : "Unnamed person")}`
    : "Session";

  return (
    <Dialog
      open={session !== null}
      onOpenChange={(next) => {
        if (!next && sharing) void setWizard(CLOSED_WIZARD);
        onOpenChange(next);
      }}
    >
      <DialogContent className="left-auto right-0 top-0 h-dvh max-h-dvh w-full max-w-xl translate-x-0 translate-y-0 content-start rounded-none border-y-0 border-r-0">
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription className="flex flex-wrap items-center gap-2">
            {row && <span>{KIND_LABELS[row.kind]}</span>}
            {status && <SessionStatusBadge status={status} />}
            {row && <span className="text-slate-500">{row.applicationName}</span>}
          </DialogDescription>
        </DialogHeader>
        {row && (
          <div className="flex flex-wrap items-center gap-2">
            {shareable ? (
              <Button onClick={() => void setWizard({ ...CLOSED_WIZARD, share: "partner" })}>
                <Share2 aria-hidden /> Share with a partner
              </Button>
            ) : canShare && detail.data && !isFinishedStatus(status) ? (
              <p className="text-xs text-slate-600">
                Only finished sessions (Approved, Declined, In Review) can be shared.
              </p>
            ) : null}
          </div>
        )}
        {detail.isPending && session && (
          <div role="status" aria-label="Loading the decision" className="space-y-2">
            <Skeleton className="h-24 w-full" />
            <Skeleton className="h-16 w-full" />
            <Skeleton className="h-16 w-full" />
            <span className="sr-only">Reading the decision from Didit…</span>
          </div>
        )}
        {detail.isError && (
          <Alert title="The decision could not be read from Didit">
            <p>{detail.error.message}</p>
            {error && NEXT_STEP[error.code] && <p className="mt-1">{NEXT_STEP[error.code]}</p>}
            {error?.requestId && <p className="mt-1 text-xs">Request id: {error.requestId}</p>}
            {!error?.is("not_found") && (
              <Button
                variant="secondary"
                size="sm"
                className="mt-2"
                onClick={() => void detail.refetch()}
                pending={detail.isFetching}
              >
                <RotateCw aria-hidden /> Try again
              </Button>
            )}
          </Alert>
        )}
        {detail.data && <DetailBody detail={detail.data} />}
        {sharing && row && (
          <ShareWizard
            open={sharing}
            onOpenChange={(open) => {
              if (!open) void detail.refetch();
            }}
            session={{
              sessionId: row.sessionId,
              applicationId: row.applicationId,
              kind: row.kind,
              status,
              number: row.number,
              displayName: row.displayName,
            }}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}
