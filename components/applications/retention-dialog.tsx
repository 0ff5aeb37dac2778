"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DateTime } from "@/components/ui/date-time";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { toast } from "@/components/ui/sonner";
import { ApiError } from "@/lib/client/api-fetch";
import { useRunRetention, useSetRetention } from "@/lib/client/queries/retention";
import {
  RETENTION_DAYS_MAX,
  RETENTION_DAYS_MIN,
  setRetentionRequestSchema,
  type ApplicationDto,
  type RetentionRunDto,
} from "@/lib/schemas/applications";

/** "Retention: keep / N days" as the table shows it. */
export function retentionLabel(days: number | null): string {
  return days === null ? "Keep" : `${days.toLocaleString("en")} days`;
}

/** One application's retention period: keep, or remove personal data after N days; and "Run now". */
export function RetentionDialog({ app, onClose }: { app: ApplicationDto | null; onClose: () => void }) {
  const set = useSetRetention();
  const run = useRunRetention();
  const busy = set.isPending || run.isPending;
  return (
    <Dialog open={app !== null} onOpenChange={(open) => !open && !busy && onClose()}>
      <DialogContent className="max-w-lg">
        {app && <RetentionForm key={app.id} app={app} onClose={onClose} set={set} run={run} />}
      </DialogContent>
    </Dialog>
  );
}

function RetentionForm({
  app,
  onClose,
  set,
  run,
}: {
  app: ApplicationDto;
  onClose: () => void;
  set: ReturnType<typeof useSetRetention>;
  run: ReturnType<typeof useRunRetention>;
}) {
  const [keep, setKeep] = useState(app.retentionDays === null);
  const [days, setDays] = useState(String(app.retentionDays ?? 365));
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<RetentionRunDto | null>(null);

  function save() {
    setError(null);
    const parsed = setRetentionRequestSchema.safeParse({ days: keep ? null : Number(days.trim() || "x") });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "Give a number of days");
      return;
    }
    set.mutate(
      { id: app.id, days: parsed.data.days },
      {
        onSuccess: (saved) => {
          toast.success(`Retention of ${app.name}: ${retentionLabel(saved.retentionDays)}.`);
          onClose();
        },
        onError: (e) => setError(e instanceof ApiError ? (e.fieldErrors.days?.[0] ?? e.message) : e.message),
      },
    );
  }

  function runNow() {
    run.mutate(
      { id: app.id },
      {
        onSuccess: setResult,
        onError: (e) => toast.error(`The retention run of ${app.name} failed: ${e.message}`),
      },
    );
  }

  return (
    <>
      <DialogHeader>
        <DialogTitle>Retention of {app.name}</DialogTitle>
        <DialogDescription>
          Past the period, Handoff removes the personal data it holds for this application: the names,
          registration numbers, vendor_data, country and document type of mirrored sessions (by the
          session&apos;s creation date), and the manifests and sealed tokens of inbox items that are finished
          (imported, rejected, expired or failed). Ids, session numbers and statuses stay, so lineage,
          evidence and the audit trail still resolve. Didit keeps its own copy for the period set in the Didit
          console.
        </DialogDescription>
      </DialogHeader>
      <fieldset className="space-y-3">
        <legend className="sr-only">Retention period</legend>
        <label className="flex items-start gap-2 text-sm">
          <input
            type="radio"
            name="retention"
            checked={keep}
            onChange={() => setKeep(true)}
            className="mt-1"
          />
          <span>
            <span className="font-medium text-slate-800">Keep</span>
            <span className="block text-slate-600">Nothing is removed by age.</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input
            type="radio"
            name="retention"
            checked={!keep}
            onChange={() => setKeep(false)}
            className="mt-1"
          />
          <span className="font-medium text-slate-800">Remove personal data after a number of days</span>
        </label>
        {!keep && (
          <TextField
            label="Days"
            type="number"
            inputMode="numeric"
            min={RETENTION_DAYS_MIN}
            max={RETENTION_DAYS_MAX}
            value={days}
            onChange={(e) => {
              setDays(e.target.value);
              setError(null);
            }}
            hint={`From ${RETENTION_DAYS_MIN} days to ${RETENTION_DAYS_MAX} (10 years), as Didit allows. Enforced daily.`}
            error={error ?? undefined}
            className="ml-6 max-w-48"
          />
        )}
        {keep && error && <Alert>{error}</Alert>}
      </fieldset>
      <div className="rounded-md border border-slate-200 p-3 text-sm text-slate-700">
        <p>
          {app.retentionRunAt ? (
            <>
              Last run <DateTime value={app.retentionRunAt} />.
            </>
          ) : (
            "Not run yet."
          )}
          {app.retentionError && <span className="block text-red-700">{app.retentionError}</span>}
        </p>
        {result && (
          <p role="status" className="mt-1">
            {result.days === null
              ? "No period is set: nothing was removed."
              : `Removed: ${result.counts.sessionMirror.toLocaleString("en")} mirrored sessions, ${result.counts.inboxItems.toLocaleString("en")} inbox items.`}
          </p>
        )}
        <Button
          size="sm"
          variant="secondary"
          className="mt-2"
          pending={run.isPending}
          disabled={app.retentionDays === null}
          onClick={runNow}
        >
          Run now
        </Button>
      </div>
      <DialogFooter>
        <Button variant="secondary" onClick={onClose} disabled={set.isPending || run.isPending}>
          Cancel
        </Button>
        <Button pending={set.isPending} onClick={save}>
          Save retention
        </Button>
      </DialogFooter>
    </>
  );
}
