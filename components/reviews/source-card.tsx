"use client";

import { Building2 } from "lucide-react";
import { statusTone } from "@/components/sessions/format";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { DifferenceDto, ImportDetailDto } from "@/lib/schemas/reviews";
import {
  differenceSentence,
  isReviewLanding,
  PROMINENT_DIFFERENCES,
  scalarText,
  sourceComparison,
} from "./format";

type Sister = Extract<ImportDetailDto["source"], { relation: "sister" }>;

const KIND_LABELS: Record<DifferenceDto["kind"], string> = {
  status_changed: "Status changed",
  new_aml_hits: "New AML hits",
  document_expired: "Document expired",
  reviews_added: "Reviews added",
  changed: "Changed",
  added: "Added at the source",
  removed: "Gone from the source",
};

function cell(v: unknown) {
  if (v === undefined) return <span className="text-slate-500">absent</span>;
  const text = scalarText(v);
  return <span className="break-all">{text.length > 160 ? `${text.slice(0, 160)}…` : text}</span>;
}

/** The source as its (sister brand) application holds it now, with what changed since the share. */
export function SourceCard({
  source,
  statusWhenShared,
  trustReview,
  erased,
  cloneReadable,
}: {
  source: Sister;
  /** The clone was read now: without it nothing was compared. */
  cloneReadable: boolean;
  statusWhenShared: string | null;
  /** Whether this import kept the partner's status; off, the clone lands In Review by design. */
  trustReview: boolean;
  /** The sender erased the source (an `erased` recall): nothing is left to compare. */
  erased: boolean;
}) {
  const prominent = source.differences.filter((d) => PROMINENT_DIFFERENCES.has(d.kind));
  // A clone imported for review is In Review while its source keeps its decision: that alone is no change.
  const changedSinceShare = prominent.some(
    (d) => d.kind !== "status_changed" || (statusWhenShared !== null && d.source !== statusWhenShared),
  );
  const comparison = sourceComparison({ erased, cloneReadable, differences: source.differences.length });
  const onlyReviewLanding =
    prominent.length > 0 && prominent.every((d) => isReviewLanding(d, statusWhenShared, trustReview));
  return (
    <Card
      aria-label={`Source now (sister brand ${source.applicationName})`}
      title={
        <>
          <Building2 aria-hidden /> Source now (sister brand {source.applicationName})
        </>
      }
      description="Read now through that application's key, compared field by field with the clone."
    >
      {comparison === "erased" ? (
        <Alert tone="info" title="The source was erased">
          {source.applicationName} erased the source session (see the recall above), so the clone cannot be
          compared with it: what differs is unknown, not nothing.
        </Alert>
      ) : !source.side.available ? (
        <Alert tone="info" title="The source could not be read now">
          {source.side.message}
        </Alert>
      ) : (
        <div className="space-y-3">
          <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
            Status at the source now:{" "}
            <Badge tone={statusTone(source.side.decision.status)}>{source.side.decision.status}</Badge>
          </p>
          {prominent.length > 0 && (
            <Alert
              tone={changedSinceShare ? "error" : "info"}
              title={
                changedSinceShare
                  ? "The source changed since it was shared"
                  : onlyReviewLanding
                    ? "In review here because trust review was off"
                    : "The clone's status differs from the source"
              }
            >
              <ul className="mt-1 list-disc space-y-0.5 pl-4">
                {prominent.map((d) => (
                  <li key={`${d.kind}-${d.path}`}>{differenceSentence(d, statusWhenShared, trustReview)}</li>
                ))}
              </ul>
            </Alert>
          )}
          {source.differences.length === 0 ? (
            <p className="text-sm text-slate-600">
              {comparison === "none"
                ? "No differences: the source holds what the clone holds."
                : "Not compared: the clone could not be read, so its differences from the source are unknown."}
            </p>
          ) : (
            <Table aria-label="Differences between the clone and the source">
              <TableHeader>
                <TableRow>
                  <TableHead scope="col">Field</TableHead>
                  <TableHead scope="col">Clone</TableHead>
                  <TableHead scope="col">Source now</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {source.differences.map((d) => (
                  <TableRow
                    key={`${d.kind}-${d.path}`}
                    className={PROMINENT_DIFFERENCES.has(d.kind) ? "bg-amber-50" : undefined}
                  >
                    <TableCell className="align-top">
                      <span className="font-medium">{d.label}</span>
                      <span className="block font-mono text-xs text-slate-600">{d.path}</span>
                      <Badge
                        tone={PROMINENT_DIFFERENCES.has(d.kind) ? "warning" : "neutral"}
                        className="mt-1"
                      >
                        {isReviewLanding(d, statusWhenShared, trustReview)
                          ? "In review here (trust review off)"
                          : KIND_LABELS[d.kind]}
                      </Badge>
                    </TableCell>
                    <TableCell className="align-top text-xs">{cell(d.clone)}</TableCell>
                    <TableCell className="align-top text-xs">{cell(d.source)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </div>
      )}
    </Card>
  );
}
