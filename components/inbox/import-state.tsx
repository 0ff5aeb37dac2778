"use client";

import { Badge } from "@/components/ui/badge";
import { DateTime } from "@/components/ui/date-time";
import { IMPORT_STATE_LABELS, type ImportDto } from "@/lib/schemas/imports";

const TONES = { importing: "info", imported: "success", failed: "danger" } as const;

/** The import of a received token: running, done (with the clone), or failed (and whether to retry). */
export function ImportState({ imported }: { imported: ImportDto }) {
  const by = imported.importedBy
    ? `by ${imported.importedBy.name}`
    : imported.importedByPolicy === "auto"
      ? "automatically by the partner's policy"
      : "";
  return (
    <div
      role="group"
      aria-label="Import"
      className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-700"
    >
      <Badge tone={TONES[imported.state]}>Import: {IMPORT_STATE_LABELS[imported.state]}</Badge>
      {imported.state === "importing" && (
        <span role="status">
          Didit is cloning the session (started <DateTime value={imported.startedAt} />
          )…
        </span>
      )}
      {imported.state === "imported" && (
        <span>
          Clone {imported.cloneSessionNumber !== null && <>#{imported.cloneSessionNumber} </>}
          <code className="text-xs text-slate-600" title={imported.cloneSessionId ?? undefined}>
            {imported.cloneSessionId}
          </code>{" "}
          · {imported.statusAtImport ?? "status unknown"} when imported
          {imported.finishedAt && (
            <>
              {" "}
              · <DateTime value={imported.finishedAt} />
            </>
          )}{" "}
          {by}
          {imported.reconciled && " (found by its vendor_data after Didit's answer was lost)"}
        </span>
      )}
      {imported.state === "failed" && (
        <span>
          {imported.failureReason ?? "Didit refused the import."}{" "}
          <span className="font-medium">
            {imported.retryable
              ? "The token is still unredeemed: it can be imported again."
              : "It cannot be retried: ask the partner for a new token."}
          </span>
        </span>
      )}
    </div>
  );
}
