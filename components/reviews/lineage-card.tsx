"use client";

import { GitFork, TriangleAlert } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatTtl } from "@/components/shares/format";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { formatDate } from "@/lib/format";
import { INBOX_SOURCE_LABELS, type InboxSourceDto } from "@/lib/schemas/inbox";
import type { LineageDto } from "@/lib/schemas/reviews";
import { humanKey, scalarText } from "./format";

export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[minmax(7rem,10rem)_1fr] gap-x-4 gap-y-1.5 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd className="min-w-0 break-words text-slate-900">{value ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function manifestValue(v: unknown): ReactNode {
  if (Array.isArray(v)) return v.map(scalarText).join(", ") || "—";
  if (typeof v === "string" && ISO_MOMENT.test(v)) return <DateTime value={v} />;
  return scalarText(v);
}

const when = (v: string | null) => (v ? <DateTime value={v} withRelative /> : "—");

function channelLabel(channel: string): string {
  return (INBOX_SOURCE_LABELS as Record<string, string>)[channel as InboxSourceDto] ?? channel;
}

function agreementText(l: LineageDto["partner"]): ReactNode {
  if (l.agreementValidAtShare === null) return "No agreement dates recorded";
  return l.agreementValidAtShare ? (
    "In force when shared"
  ) : (
    <span className="font-medium text-red-700">Not in force when shared</span>
  );
}

/** Where the clone came from: the partner's source session, the agreement, the token's life, who imported it. */
export function LineageCard({ lineage: l }: { lineage: LineageDto }) {
  const p = l.partner;
  return (
    <Card
      aria-label="Lineage"
      title={
        <>
          <GitFork aria-hidden /> Lineage
        </>
      }
      description="The source as the partner shared it, and how it reached us."
      actions={
        <Link
          href={`/lineage/${l.sourceSessionId}`}
          className="whitespace-nowrap text-sm font-medium text-brand-700 hover:underline"
        >
          Trace lineage
        </Link>
      }
    >
      <div className="space-y-4">
        {p.agreementValidAtShare === false && (
          <Alert title="The agreement was not in force when this was shared">
            {p.agreementReference ?? "The partner's agreement"} ran{" "}
            {p.agreementSignedOn ? formatDate(p.agreementSignedOn) : "?"} to{" "}
            {p.agreementExpiresOn ? formatDate(p.agreementExpiresOn) : "?"}; the token was minted{" "}
            <DateTime value={l.sharedAt} />. Check with the partnership manager before deciding.
          </Alert>
        )}
        <Facts
          rows={[
            [
              "Source session",
              <code key="s" className="break-all text-xs">
                {l.sourceSessionId}
              </code>,
            ],
            [
              "Didit's shared_from_session",
              l.sharedFromSession ? (
                <code key="f" className="break-all text-xs">
                  {l.sharedFromSession}
                  {l.sharedFromSession !== l.sourceSessionId && " (differs from the token's session!)"}
                </code>
              ) : (
                "—"
              ),
            ],
            [
              "Partner",
              <span key="p">
                <Link href={`/partners/${p.id}`} className="font-medium text-brand-700 hover:underline">
                  {p.name}
                </Link>
                {p.status === "suspended" && <span className="text-red-700"> (suspended)</span>}
              </span>,
            ],
            ["Agreement", p.agreementReference ?? "None recorded"],
            [
              "Agreement dates",
              p.agreementSignedOn || p.agreementExpiresOn
                ? `${p.agreementSignedOn ? formatDate(p.agreementSignedOn) : "?"} to ${p.agreementExpiresOn ? formatDate(p.agreementExpiresOn) : "open-ended"}`
                : "—",
            ],
            ["At share time", agreementText(p)],
            ["Shared at", when(l.sharedAt)],
            ["Token lifetime", formatTtl(l.ttlSeconds)],
            ["Token expires", when(l.expiresAt)],
            [
              "Delivered via",
              <span key="d">
                {channelLabel(l.channel)}, {when(l.deliveredAt)}
              </span>,
            ],
            ["Imported at", when(l.importedAt)],
            [
              "Imported by",
              l.importedBy
                ? `${l.importedBy.name} (${l.importedBy.email})`
                : l.importedByPolicy === "auto"
                  ? "Automatically by the partner's policy"
                  : "—",
            ],
            [
              "Trust review",
              l.trustReview
                ? "Yes: the clone kept the partner's decision"
                : "No: the clone landed In Review for us",
            ],
          ]}
        />
        <div>
          <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-600">
            The partner&apos;s manifest (their claims)
          </h3>
          <p className="mb-1.5 text-xs text-slate-600">
            What the partner said the token carries. Didit verified the token itself on import; these facts
            are the partner&apos;s word, the clone beside is Didit&apos;s record.
          </p>
          {l.manifest ? (
            <Facts
              rows={Object.entries(l.manifest).map(
                ([k, v]) => [humanKey(k), manifestValue(v)] as [string, ReactNode],
              )}
            />
          ) : (
            <p className="flex items-center gap-1.5 text-sm text-slate-600">
              <TriangleAlert className="size-4" aria-hidden /> No manifest came with the token (it was
              pasted).
            </p>
          )}
        </div>
      </div>
    </Card>
  );
}
