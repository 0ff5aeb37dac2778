"use client";

import { Ban, Eye, FileClock, Inbox, Send, Undo2 } from "lucide-react";
import Link from "next/link";
import { useRef, useState, type ReactNode } from "react";
import { ShareRecallBanner } from "@/components/recalls/share-recall-banner";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useShare } from "@/lib/client/queries/shares";
import { formatDate } from "@/lib/format";
import { REVOKE_NOTE, WITHDRAW_NOTE, type ShareDetailDto } from "@/lib/schemas/shares";
import { ExpiresCell } from "./expires-cell";
import { CHANNEL_LABELS, channelOutcome, formatTtl, KIND_LABELS } from "./format";
import { RevealTokenDialog } from "./reveal-token-dialog";
import { RevokeShareDialog } from "./revoke-share-dialog";
import { ShareStateBadge } from "./share-state-badge";
import { WithdrawShareDialog } from "./withdraw-share-dialog";

function Rows({ rows }: { rows: [string, ReactNode, string?][] }) {
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
      {rows.map(([label, value, className]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd className={className ?? "text-slate-900"}>{value ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

const when = (v: string | null) => (v ? <DateTime value={v} withRelative /> : "—");

/** `iat`/`exp` are Unix seconds: shown as moments next to the raw number. */
function claimValue(key: string, value: unknown): ReactNode {
  if ((key === "iat" || key === "exp") && typeof value === "number")
    return (
      <>
        <DateTime value={new Date(value * 1000)} /> <span className="text-slate-600">({value})</span>
      </>
    );
  return typeof value === "string" ? value : JSON.stringify(value);
}

function stateText(s: ShareDetailDto): string {
  switch (s.state) {
    case "pending":
      return channelOutcome(s.channel, s.partnerName, null).replace(/^Goes/, "Going");
    case "delivered":
      if (s.channel === "manual")
        return "The token was revealed once to an officer to hand over; the share no longer holds it.";
      if (s.channel === "internal")
        return `Delivered straight into ${s.partnerName}'s inbox in this console.`;
      return `Delivered to ${s.partnerName}; the share no longer holds the token.`;
    case "picked_up":
      return `${s.partnerName} picked the token up; Handoff no longer holds it.`;
    case "failed":
      return `Delivery failed${s.lastError ? `: ${s.lastError}` : ""}. The token was destroyed; share the session again to retry.`;
    case "expired":
      return "The token expired before it was delivered; Handoff destroyed its copy.";
    case "revoked":
      return `Revoked${s.revokeReason ? `: ${s.revokeReason}` : ""}. The token was destroyed before delivery.`;
  }
}

/** Which of the two a withdrawal did, in words (the share page explains it). */
function withdrawalText(s: ShareDetailDto): string | null {
  const w = s.withdrawal;
  if (!w) return null;
  if (w.outcome === "inbox")
    return `The token was withdrawn from ${s.partnerName}'s inbox in this console before it was imported: it can no longer be imported there.`;
  const told =
    s.recall?.notice?.channel === "internal"
      ? `${s.partnerName} had imported it: its clone went back to review.`
      : s.recall?.notice?.channel === "push"
        ? `${s.partnerName} is sent a recall (withdrawn) at its inbox URL; a clone it imported goes back to review.`
        : `${s.partnerName} must be told by an officer (an open task under Recalls); a clone it imported goes back to review.`;
  return `A recall (withdrawn) was raised with the reason. ${told}`;
}

export function ShareDetailView({
  initial,
  canReadAudit,
}: {
  initial: ShareDetailDto;
  canReadAudit: boolean;
}) {
  const query = useShare(initial.id);
  const s = query.data ?? initial;
  const [revoking, setRevoking] = useState(false);
  const [revealing, setRevealing] = useState(false);
  const [withdrawing, setWithdrawing] = useState(false);
  const actions = s.canRevoke || s.canReveal || s.canWithdraw;
  // After a dialog: back to the button that opened it, or to the delivery state when it is gone.
  const opener = useRef<HTMLElement | null>(null);
  const stateRef = useRef<HTMLDivElement>(null);
  const refocus = () => {
    if (opener.current?.isConnected) opener.current.focus();
    else stateRef.current?.focus();
  };

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      {s.recall && <ShareRecallBanner recall={s.recall} className="lg:col-span-2" />}
      {query.isError && (
        <Alert className="lg:col-span-2" title="Could not refresh the share">
          {query.error.message}
        </Alert>
      )}
      <Card
        className="lg:col-span-2"
        title={
          <>
            <Send aria-hidden /> Delivery
          </>
        }
      >
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div
            ref={stateRef}
            tabIndex={-1}
            role="group"
            aria-label="Delivery state"
            className="grid gap-1 text-sm focus:outline-none"
          >
            <p className="flex items-center gap-2">
              <ShareStateBadge state={s.state} />
              {s.state === "pending" && (
                <span className="text-slate-600">
                  expires <ExpiresCell state={s.state} expiresAt={s.expiresAt} />
                </span>
              )}
            </p>
            <p className="text-slate-700">{stateText(s)}</p>
            {s.withdrawal && (
              <div
                role="status"
                aria-label="Withdrawal"
                className="mt-2 grid gap-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950"
              >
                <p className="font-semibold">
                  Withdrawn <DateTime value={s.withdrawal.at} withRelative />
                  {s.withdrawal.by && (
                    <>
                      {" "}
                      by <span title={s.withdrawal.by.email}>{s.withdrawal.by.name}</span>
                    </>
                  )}
                </p>
                <p>Reason: {s.withdrawal.reason}</p>
                <p>{withdrawalText(s)}</p>
              </div>
            )}
          </div>
          {actions && (
            <div className="flex flex-wrap gap-2">
              {s.canReveal && (
                <Button
                  variant="secondary"
                  onClick={(event) => {
                    opener.current = event.currentTarget;
                    setRevealing(true);
                  }}
                >
                  <Eye aria-hidden /> Reveal token
                </Button>
              )}
              {s.canWithdraw && (
                <Button
                  variant="danger"
                  onClick={(event) => {
                    opener.current = event.currentTarget;
                    setWithdrawing(true);
                  }}
                >
                  <Undo2 aria-hidden /> Withdraw
                </Button>
              )}
              {s.canRevoke && (
                <Button
                  variant="danger"
                  onClick={(event) => {
                    opener.current = event.currentTarget;
                    setRevoking(true);
                  }}
                >
                  <Ban aria-hidden /> Revoke
                </Button>
              )}
            </div>
          )}
        </div>
        {s.canRevoke && <p className="mt-3 text-xs text-slate-600">{REVOKE_NOTE}</p>}
        {s.canWithdraw && <p className="mt-3 text-xs text-slate-600">{WITHDRAW_NOTE}</p>}
      </Card>

      <Card title="Details" className="self-start">
        <Rows
          rows={[
            [
              "Session",
              <>
                {s.sessionNumber !== null ? `#${s.sessionNumber}` : "—"} · {KIND_LABELS[s.sessionKind]} ·{" "}
                {s.sourceStatus} <span className="text-slate-600">(when shared)</span>
              </>,
            ],
            ["Session id", s.sessionId, "break-all font-mono text-xs text-slate-900"],
            ["Shared from", s.applicationName || "—"],
            [
              "Partner",
              <Link
                key="p"
                href={`/partners/${s.partnerId}`}
                className="font-medium text-brand-700 hover:underline"
              >
                {s.partnerName || s.partnerId}
              </Link>,
            ],
            ["Channel", CHANNEL_LABELS[s.channel]],
            ["Lifetime", formatTtl(s.ttlSeconds)],
            ["Created", when(s.createdAt)],
            ["Created by", s.createdBy ? `${s.createdBy.name} (${s.createdBy.email})` : "—"],
            ["Expires", when(s.expiresAt)],
            ["Delivered", when(s.deliveredAt)],
            ["Revealed", when(s.revealedAt)],
            [
              "Revoked",
              s.revokedAt ? (
                <>
                  {when(s.revokedAt)} {s.revokeReason && `— ${s.revokeReason}`}
                </>
              ) : (
                "—"
              ),
            ],
            ["Attempts", String(s.attempts)],
            ["Last error", s.lastError ?? "—"],
          ]}
        />
      </Card>

      <div className="grid content-start gap-6">
        <Card title="Token claims" description="Decoded from the token Didit minted; claims are not secret.">
          <Rows
            rows={[
              ...Object.entries(s.claims).map(
                ([k, v]) =>
                  [k, claimValue(k, v), "break-all font-mono text-xs text-slate-900"] as [
                    string,
                    ReactNode,
                    string,
                  ],
              ),
              ["Token SHA-256", s.tokenHash, "break-all font-mono text-xs text-slate-900"],
            ]}
          />
        </Card>
        <Card title="Manifest" description="What the partner is told about the source session.">
          <Rows
            rows={[
              ["Session number", s.manifest.session_number !== null ? `#${s.manifest.session_number}` : "—"],
              ["Status", s.manifest.status],
              ["Created", s.manifest.created_at ? when(s.manifest.created_at) : "—"],
              ["Features", s.manifest.features.length ? s.manifest.features.join(", ") : "—"],
              ["Agreement", s.manifest.agreement_reference ?? "—"],
            ]}
          />
        </Card>
        <Card title="Agreement when shared">
          <Rows
            rows={[
              ["Reference", s.agreement.reference ?? "—"],
              ["Signed on", s.agreement.signedOn ? formatDate(s.agreement.signedOn) : "—"],
              ["Expires on", s.agreement.expiresOn ? formatDate(s.agreement.expiresOn) : "—"],
              ["Partner status", s.agreement.partnerStatus],
            ]}
          />
        </Card>
      </div>

      <Card className="lg:col-span-2" title="Delivery attempts">
        {s.deliveries.length === 0 ? (
          <p className="text-sm text-slate-600">
            {s.state === "revoked"
              ? "None: the share was revoked before the token was handed over, and our copy of it is destroyed."
              : s.state === "expired"
                ? "None: the token expired before it was handed over, and our copy of it is destroyed."
                : s.channel === "pickup"
                  ? "None yet: the partner has not picked the token up."
                  : s.channel === "manual"
                    ? "None yet: the token has not been revealed."
                    : "None yet."}
          </p>
        ) : (
          <Table aria-label="Delivery attempts">
            <TableHeader>
              <TableRow>
                <TableHead scope="col">#</TableHead>
                <TableHead scope="col">Time</TableHead>
                <TableHead scope="col">Outcome</TableHead>
                <TableHead scope="col">HTTP status</TableHead>
                <TableHead scope="col">Error</TableHead>
                <TableHead scope="col" className="text-right">
                  Duration
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {s.deliveries.map((d) => (
                <TableRow key={d.id}>
                  <TableCell className="tabular-nums">{d.attempt}</TableCell>
                  <TableCell>
                    <DateTime value={d.startedAt} className="whitespace-nowrap" />
                  </TableCell>
                  <TableCell>{d.outcome.replace("_", " ")}</TableCell>
                  <TableCell className="tabular-nums">{d.httpStatus ?? "—"}</TableCell>
                  <TableCell className="max-w-md break-words">{d.error ?? "—"}</TableCell>
                  <TableCell className="text-right tabular-nums">
                    {d.durationMs !== null ? `${d.durationMs} ms` : "—"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>

      <Card
        className="lg:col-span-2"
        title={
          <>
            <Inbox aria-hidden /> Receipts
          </>
        }
        actions={
          canReadAudit ? (
            <Link
              href={`/audit?entityType=share&entityId=${s.id}`}
              className="inline-flex items-center gap-1 text-sm font-medium text-brand-700 hover:underline"
            >
              <FileClock className="size-4" aria-hidden /> Audit trail of this share
            </Link>
          ) : undefined
        }
      >
        {s.receipts.length === 0 ? (
          <p className="text-sm text-slate-600">
            {s.state === "revoked" || s.state === "expired" || s.state === "failed"
              ? "No receipt: the token never reached the partner."
              : "No receipt yet: the partner reports back once it imports or rejects the token."}
          </p>
        ) : (
          <Table aria-label="Receipts">
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Received</TableHead>
                <TableHead scope="col">Status</TableHead>
                <TableHead scope="col">Clone session</TableHead>
                <TableHead scope="col">Reason</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {s.receipts.map((r) => (
                <TableRow key={r.id}>
                  <TableCell>
                    <DateTime value={r.receivedAt} className="whitespace-nowrap" />
                  </TableCell>
                  <TableCell>{r.status === "imported" ? "Imported" : "Rejected"}</TableCell>
                  <TableCell className="break-all font-mono text-xs">{r.cloneSessionId ?? "—"}</TableCell>
                  <TableCell>{r.reason ?? "—"}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>

      {(s.canRevoke || revoking) && (
        <RevokeShareDialog
          shareId={s.id}
          partnerName={s.partnerName}
          open={revoking}
          onOpenChange={setRevoking}
          onClosed={refocus}
        />
      )}
      {(s.canWithdraw || withdrawing) && (
        <WithdrawShareDialog
          shareId={s.id}
          partnerName={s.partnerName}
          channel={s.channel}
          imported={s.receiptStatus === "imported"}
          open={withdrawing}
          onOpenChange={setWithdrawing}
          onClosed={refocus}
        />
      )}
      {(s.canReveal || revealing) && (
        <RevealTokenDialog
          shareId={s.id}
          partnerName={s.partnerName}
          open={revealing}
          onOpenChange={setRevealing}
          onClosed={refocus}
        />
      )}
    </div>
  );
}
