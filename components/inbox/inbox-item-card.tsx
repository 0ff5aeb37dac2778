"use client";

import { Ban, ChevronDown, ChevronRight, Download } from "lucide-react";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { ExpiresCell } from "@/components/shares/expires-cell";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { SubjectName } from "@/components/sessions/subject-name";
import { DateTime } from "@/components/ui/date-time";
import { INBOX_SOURCE_LABELS, INBOX_STATE_LABELS, type InboxItemDto } from "@/lib/schemas/inbox";
import { describeVerification, featureLabel, INBOX_STATE_TONES, KIND_NAMES } from "./format";
import { ImportDialog } from "./import-dialog";
import { ImportState } from "./import-state";
import { InboxItemDetails } from "./inbox-item-details";
import { RejectInboxDialog } from "./reject-inbox-dialog";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

/** One received token: who sent it, what it will import (the sender's manifest), time left, Reject. */
export function InboxItemCard({ item }: { item: InboxItemDto }) {
  const [rejecting, setRejecting] = useState(false);
  const [importing, setImporting] = useState(false);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const detailsId = `inbox-item-details-${item.id}`;
  const partner = item.partnerName ?? "An unlisted sender";
  const m = item.manifest;
  const headingId = `inbox-item-${item.id}`;
  const verification = describeVerification(item);
  return (
    <article
      aria-labelledby={headingId}
      className="min-w-0 rounded-lg border border-slate-200 bg-white shadow-sm [overflow-wrap:anywhere]"
    >
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-4 py-3">
        <div className="min-w-0">
          <h2 id={headingId} className="text-sm font-semibold text-slate-900">
            {KIND_NAMES[item.sessionKind]} from {partner}
          </h2>
          {item.subject && (
            <p className="mt-0.5 text-sm">
              <span className="sr-only">About: </span>
              <SubjectName subject={item.subject} />
            </p>
          )}
          <p className="mt-0.5 text-xs text-slate-600">
            For {item.applicationName} · {INBOX_SOURCE_LABELS[item.source]}{" "}
            <DateTime value={item.receivedAt} />
            {item.receivedBy && <> by {item.receivedBy.name}</>}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <Badge tone={INBOX_STATE_TONES[item.state]}>{INBOX_STATE_LABELS[item.state]}</Badge>
          {verification.badge && <Badge tone={verification.tone}>{verification.badge}</Badge>}
          <span className="text-sm text-slate-700">
            {item.state === "pending" ? (
              <>
                <span className="sr-only">Expires: </span>
                <ExpiresCell state="pending" expiresAt={item.expiresAt} />
              </>
            ) : (
              <>
                {item.state === "invalid"
                  ? "Its claims said it expires "
                  : item.secondsLeft > 0
                    ? "Token valid until "
                    : "Token expired "}
                <DateTime value={item.expiresAt} className="whitespace-nowrap" />
              </>
            )}
          </span>
        </div>
      </header>
      <div className="space-y-3 px-4 py-3">
        <p
          role="note"
          aria-label="Verification"
          className={
            verification.tone === "success"
              ? "text-sm text-slate-700"
              : verification.tone === "danger"
                ? "rounded-md bg-red-50 px-3 py-2 text-sm text-red-800"
                : "rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900"
          }
        >
          {verification.token} {verification.sender}
        </p>
        {m && (
          <h3
            id={`${headingId}-manifest`}
            className="text-xs font-semibold uppercase tracking-wide text-slate-600"
          >
            The sender&apos;s manifest: what they claim the token carries
          </h3>
        )}
        {m ? (
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" aria-labelledby={`${headingId}-manifest`}>
            <Fact label="Source session">
              {m.session_number !== null ? `#${m.session_number}` : "—"}{" "}
              <code className="text-xs text-slate-600" title={item.sourceSessionId}>
                {item.sourceSessionId.slice(0, 8)}
              </code>
            </Fact>
            <Fact label="Status when shared">{m.status}</Fact>
            <Fact label="Session created">{m.created_at ? <DateTime value={m.created_at} /> : "—"}</Fact>
            <Fact label="Agreement">{m.agreement_reference ?? "None stated"}</Fact>
            <div className="col-span-2 sm:col-span-4">
              <dt className="text-xs text-slate-600">What will be imported</dt>
              <dd className="mt-1 flex flex-wrap gap-1">
                {m.features.length > 0 ? (
                  m.features.map((f) => <Badge key={f}>{featureLabel(f)}</Badge>)
                ) : (
                  <span className="text-sm text-slate-700">No features listed</span>
                )}
              </dd>
            </div>
          </dl>
        ) : (
          <p className="text-sm text-slate-700">
            Pasted: no manifest came with it. The token claims source session{" "}
            <code className="text-xs">{item.sourceSessionId}</code>; what it holds shows once imported.
          </p>
        )}
        {item.withdrawal ? (
          <p role="status" aria-label="Withdrawn by the sender" className="text-sm text-slate-700">
            <span className="font-medium">Withdrawn by the sender</span>{" "}
            {item.withdrawal.by && (
              <>
                (<span title={item.withdrawal.by.email}>{item.withdrawal.by.name}</span>){" "}
              </>
            )}
            <DateTime value={item.withdrawal.at} />: {item.withdrawal.reason} It can no longer be imported.
          </p>
        ) : item.import ? (
          <ImportState imported={item.import} />
        ) : (
          item.stateReason &&
          item.state !== "pending" && (
            <p className="text-sm text-slate-700">
              <span className="font-medium">{INBOX_STATE_LABELS[item.state]}:</span> {item.stateReason}
            </p>
          )
        )}
        <div className="flex flex-wrap items-center justify-between gap-2">
          <Button
            variant="ghost"
            size="sm"
            aria-expanded={detailsOpen}
            aria-controls={detailsId}
            onClick={() => setDetailsOpen((v) => !v)}
          >
            {detailsOpen ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
            Details and receipts
          </Button>
          <div className="flex flex-wrap gap-2">
            {item.import?.state === "imported" && (
              <Link
                href={`/reviews/${item.import.id}`}
                className="inline-flex items-center text-sm font-medium text-brand-700 hover:underline"
              >
                Open the review
              </Link>
            )}
            {item.canReject && (
              <Button variant="secondary" size="sm" onClick={() => setRejecting(true)}>
                <Ban aria-hidden /> Reject
              </Button>
            )}
            {(item.canReject || rejecting) && (
              <RejectInboxDialog
                itemId={item.id}
                partnerName={partner}
                open={rejecting}
                onOpenChange={setRejecting}
              />
            )}
            {item.canImport && (
              <Button size="sm" onClick={() => setImporting(true)}>
                <Download aria-hidden /> {item.import?.state === "failed" ? "Retry import" : "Import"}
              </Button>
            )}
            {/* Kept while open: the refreshed item stops offering Import once the import is done. */}
            {(item.canImport || importing) && (
              <ImportDialog item={item} open={importing} onOpenChange={setImporting} />
            )}
          </div>
        </div>
        {detailsOpen && (
          <InboxItemDetails id={detailsId} itemId={item.id} internal={item.source === "internal"} />
        )}
      </div>
    </article>
  );
}
