import { FileArchive, RotateCcw, ShieldCheck, ShieldAlert, ShieldQuestion } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import type { AuditorDashboard } from "@/lib/server/services/operations";

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The audit chain's state (the newest verification) and the latest evidence packs. */
export function AuditorPanels({ data }: { data: AuditorDashboard }) {
  const { chain } = data;
  const Icon =
    chain.state === "verified" ? ShieldCheck : chain.state === "failed" ? ShieldAlert : ShieldQuestion;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card
        title={
          <>
            <Icon aria-hidden /> Audit chain
          </>
        }
        actions={
          <Link href="/audit" className="text-sm font-medium text-brand-700 hover:underline">
            Open the audit trail
          </Link>
        }
      >
        <div data-testid="audit-chain">
          <dl className="space-y-2 text-sm">
            <div className="flex justify-between gap-4">
              <dt className="text-slate-600">State</dt>
              <dd>
                {chain.state === "verified" ? (
                  <Badge tone="success">Verified</Badge>
                ) : chain.state === "failed" ? (
                  <Badge tone="danger">Broken</Badge>
                ) : (
                  <Badge tone="warning">Not verified yet</Badge>
                )}
              </dd>
            </div>
            {chain.state !== "unverified" && (
              <>
                <div className="flex justify-between gap-4">
                  <dt className="text-slate-600">Verified through event</dt>
                  <dd className="tabular-nums">#{chain.verifiedThroughSeq}</dd>
                </div>
                <div className="flex justify-between gap-4">
                  <dt className="text-slate-600">Last verification</dt>
                  <dd>
                    {chain.verifiedAt && <DateTime value={chain.verifiedAt} withRelative />}
                    {chain.full ? " (full walk)" : " (incremental)"}
                  </dd>
                </div>
                {chain.state === "failed" && (
                  <div className="flex justify-between gap-4">
                    <dt className="text-slate-600">First bad event</dt>
                    <dd>
                      #{chain.firstBadSeq}{" "}
                      {chain.failureReason && <span className="text-red-700">{chain.failureReason}</span>}
                    </dd>
                  </div>
                )}
              </>
            )}
            <div className="flex justify-between gap-4">
              <dt className="text-slate-600">Last event</dt>
              <dd>{data.lastEventAt ? <DateTime value={data.lastEventAt} withRelative /> : "None yet"}</dd>
            </div>
          </dl>
          {chain.state === "unverified" && (
            <p className="mt-3 text-sm text-slate-600">
              No verification has been recorded.{" "}
              <Link href="/audit" className="font-medium text-brand-700 hover:underline">
                Verify the chain
              </Link>{" "}
              on the audit page; later verifications walk only the new events.
            </p>
          )}
        </div>
      </Card>
      <Card
        title={
          <>
            <FileArchive aria-hidden /> Latest evidence packs
          </>
        }
      >
        {data.recentExports.length === 0 ? (
          <EmptyState title="No evidence pack exported yet" icon={FileArchive}>
            Open a session&apos;s lineage page and download its evidence pack: a signed archive a regulator
            can verify offline.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {data.recentExports.map((e) => (
              <li key={e.id} className="flex flex-wrap items-baseline justify-between gap-2 py-1.5">
                <span className="min-w-0">
                  <Link
                    href={`/lineage/${e.sessionId}`}
                    className="font-mono text-xs text-brand-700 hover:underline"
                  >
                    {e.sessionId}
                  </Link>
                  <span className="text-slate-600">
                    {" "}
                    by {e.requestedBy}, {e.files} files, {bytes(e.sizeBytes)}
                  </span>
                </span>
                <DateTime value={e.createdAt} className="text-slate-600" />
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card
        title={
          <>
            <RotateCcw aria-hidden /> Recent recalls
          </>
        }
        actions={
          <Link href="/recalls" className="text-sm font-medium text-brand-700 hover:underline">
            All recalls
          </Link>
        }
      >
        {data.recentRecalls.length === 0 ? (
          <EmptyState title="No recall yet" icon={RotateCcw}>
            When a session we shared is later declined, deleted or expired, its partners are told, and when a
            partner recalls one it shared with us, the import returns to review. Both appear here.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {data.recentRecalls.map((r) => (
              <li
                key={`${r.side}:${r.id}`}
                className="flex flex-wrap items-baseline justify-between gap-2 py-1.5"
              >
                <span className="min-w-0">
                  <Badge tone={r.side === "sent" ? "warning" : "danger"}>
                    {r.side === "sent" ? "Sent" : `From ${r.partnerName ?? "a partner"}`}
                  </Badge>{" "}
                  <Link
                    href={`/lineage/${r.sessionId}`}
                    className="font-mono text-xs text-brand-700 hover:underline"
                  >
                    {r.sessionId}
                  </Link>
                  <span className="block text-slate-600">
                    {r.reason} (
                    {r.side === "sent"
                      ? `${r.count} notice${r.count === 1 ? "" : "s"}`
                      : `${r.count} import${r.count === 1 ? "" : "s"} recalled`}
                    )
                  </span>
                </span>
                <DateTime value={r.at} className="text-slate-600" />
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
