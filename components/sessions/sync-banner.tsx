"use client";

import { Alert } from "@/components/ui/alert";
import type { ApplicationSummaryDto } from "@/lib/schemas/applications";

const fmt = (n: number) => n.toLocaleString("en");

/**
 * Applications whose sessions are still being mirrored (the first backfill) or whose sync failed:
 * the picker is incomplete for them, and says so with the progress.
 */
export function SyncBanner({ applications }: { applications: ApplicationSummaryDto[] }) {
  const backfilling = applications.filter(
    (a) => !a.sync.backfilledAt && (a.sync.state === "queued" || a.sync.state === "running"),
  );
  const failed = applications.filter((a) => a.sync.state === "failed");
  if (backfilling.length === 0 && failed.length === 0) return null;
  return (
    <div className="space-y-2">
      {backfilling.map((a) => {
        const total = a.sync.total;
        const pct = total ? Math.min(100, Math.round((a.sync.done / total) * 100)) : null;
        return (
          <Alert key={a.id} tone="info" title={`${a.name}: importing its sessions from Didit`}>
            <p>
              {a.sync.state === "queued"
                ? "The import is queued and starts in a moment."
                : total !== null
                  ? `${fmt(a.sync.done)} of ${fmt(total)} sessions so far.`
                  : "Counting the sessions…"}{" "}
              Until it finishes, some of this application’s sessions are missing below.
            </p>
            {pct !== null && (
              <div
                role="progressbar"
                aria-label={`Sessions of ${a.name} imported`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
                className="mt-2 h-1.5 w-full overflow-hidden rounded-full bg-brand-100"
              >
                <div className="h-full bg-brand-600 transition-[width]" style={{ width: `${pct}%` }} />
              </div>
            )}
          </Alert>
        );
      })}
      {failed.map((a) => (
        <Alert key={a.id} title={`${a.name}: the session sync failed`}>
          {a.sync.error ?? "The last sync did not finish."} An admin can retry it on the Applications page.
        </Alert>
      ))}
    </div>
  );
}
