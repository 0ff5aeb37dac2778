"use client";

import { Check, LoaderCircle } from "lucide-react";
import { useEffect, useId, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { Command, CommandEmpty, CommandInput, CommandItem, CommandList } from "@/components/ui/command";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { Textarea } from "@/components/ui/textarea";
import { ApiError } from "@/lib/client/api-fetch";
import { useCreateErasure } from "@/lib/client/queries/erasure";
import { useSessions } from "@/lib/client/queries/sessions";
import { ERASURE_REASON_MAX, ERASURE_REASON_MIN, type ErasureRequestDto } from "@/lib/schemas/erasure";
import { REDACTED_NAME, type SessionListItemDto } from "@/lib/schemas/sessions";
import { countsSummary, DiditOutcomeBadge, ErasureStateBadge } from "./erasure-format";
import { UUID_RE } from "@/lib/ids";

type Picked = { sessionId: string; label: string; applicationId?: string };
type Candidate = { applicationId: string; applicationName: string };

function sessionLabel(s: SessionListItemDto): string {
  const name = s.displayName ?? (s.redacted ? REDACTED_NAME : "Unnamed");
  return `${s.number !== null ? `#${s.number} ` : ""}${name} · ${s.applicationName} · ${s.status}`;
}

/** "New erasure request": the session, the reason and the Didit choice; then the typed confirmation; then the result. */
export function ErasureDialog({
  open,
  onOpenChange,
  initialSession,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  initialSession: string | null;
}) {
  const create = useCreateErasure();
  const [generation, setGeneration] = useState(0);
  function change(next: boolean) {
    if (create.isPending) return;
    if (!next) {
      create.reset();
      setGeneration((g) => g + 1);
    }
    onOpenChange(next);
  }
  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogContent className="max-w-xl">
        {open && (
          <ErasureFlow
            key={generation}
            create={create}
            initialSession={generation === 0 ? initialSession : null}
            onClose={() => change(false)}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

function ErasureFlow({
  create,
  initialSession,
  onClose,
}: {
  create: ReturnType<typeof useCreateErasure>;
  initialSession: string | null;
  onClose: () => void;
}) {
  const [step, setStep] = useState<"details" | "confirm" | "result">("details");
  const [picked, setPicked] = useState<Picked | null>(
    initialSession ? { sessionId: initialSession, label: "Session by id (from the link)" } : null,
  );
  const [candidates, setCandidates] = useState<Candidate[]>([]);
  const [applicationId, setApplicationId] = useState("");
  const [reason, setReason] = useState("");
  const [deleteAtDidit, setDeleteAtDidit] = useState(false);
  const [confirm, setConfirm] = useState("");
  const [detailsError, setDetailsError] = useState<string | null>(null);
  const [result, setResult] = useState<ErasureRequestDto | null>(null);
  const reasonId = useId();

  const reasonLength = reason.trim().length;
  const chosenApp = applicationId || picked?.applicationId;

  function next() {
    setDetailsError(null);
    if (!picked) return setDetailsError("Pick the session to erase, or paste its uuid.");
    if (candidates.length > 0 && !applicationId) return setDetailsError("Choose the application.");
    if (reasonLength < ERASURE_REASON_MIN)
      return setDetailsError(`Give the reason in at least ${ERASURE_REASON_MIN} characters.`);
    setConfirm("");
    create.reset();
    setStep("confirm");
  }

  const flight = useSingleFlight();
  function erase() {
    if (!picked) return;
    flight.run((release) =>
      create.mutate(
        {
          sessionId: picked.sessionId,
          ...(chosenApp ? { applicationId: chosenApp } : {}),
          reason: reason.trim(),
          deleteAtDidit,
          confirm: confirm.trim(),
        },
        {
          onSettled: release,
          onSuccess: (dto) => {
            setResult(dto);
            setStep("result");
          },
          onError: (error) => {
            const found = (error instanceof ApiError &&
              (error.details as { candidates?: Candidate[] } | undefined)?.candidates) as
              Candidate[] | undefined;
            if (found && found.length > 0) {
              setCandidates(found);
              setApplicationId("");
              setDetailsError(error.message);
              setStep("details");
            }
          },
        },
      ),
    );
  }

  if (step === "result" && result) return <ErasureResult result={result} onClose={onClose} />;

  if (step === "confirm" && picked) {
    const matches = confirm.trim().toLowerCase() === picked.sessionId;
    return (
      <>
        <DialogHeader>
          <DialogTitle>Confirm the erasure</DialogTitle>
          <DialogDescription>
            This cannot be undone. Type the session id <span className="font-mono">{picked.sessionId}</span>{" "}
            to confirm.
          </DialogDescription>
        </DialogHeader>
        <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
          <li>Our copies of its personal data are removed; ids, numbers and statuses stay.</li>
          <li>
            {deleteAtDidit
              ? "Didit is asked to delete the session, with its documents and images."
              : "The session stays at Didit."}
          </li>
          <li>
            Every partner it was shared with is sent a recall; shares still being delivered are revoked.
          </li>
        </ul>
        <TextField
          label="Session id"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          disabled={create.isPending}
        />
        {create.isPending && (
          <div
            role="status"
            className="flex items-center gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700"
          >
            <LoaderCircle className="size-4 animate-spin" aria-hidden />
            Erasing: {deleteAtDidit ? "asking Didit to delete the session, " : ""}removing our copies,
            recalling it from partners…
          </div>
        )}
        {create.isError && <Alert title="Not erased">{create.error.message}</Alert>}
        <DialogFooter>
          <Button variant="secondary" onClick={() => setStep("details")} disabled={create.isPending}>
            Back
          </Button>
          <Button
            variant="danger"
            pending={create.isPending || flight.busy}
            disabled={!matches}
            onClick={erase}
          >
            {create.isPending ? "Erasing…" : "Erase session"}
          </Button>
        </DialogFooter>
      </>
    );
  }

  return (
    <>
      <DialogHeader>
        <DialogTitle>New erasure request</DialogTitle>
        <DialogDescription>
          Choose the session, say why, and whether Didit deletes it too. The next step asks you to type its
          id.
        </DialogDescription>
      </DialogHeader>
      {picked ? (
        <div className="flex items-start justify-between gap-3 rounded-md border border-slate-200 px-3 py-2">
          <div className="min-w-0 text-sm">
            <p className="font-medium text-slate-800">{picked.label}</p>
            <p className="truncate font-mono text-xs text-slate-600">{picked.sessionId}</p>
          </div>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setPicked(null);
              setCandidates([]);
              setApplicationId("");
            }}
          >
            Change
          </Button>
        </div>
      ) : (
        <SessionPicker onPick={setPicked} />
      )}
      {candidates.length > 0 && (
        <SelectField
          label="Application"
          value={applicationId}
          onChange={(e) => setApplicationId(e.target.value)}
        >
          <option value="">Choose the application that holds it…</option>
          {candidates.map((c) => (
            <option key={c.applicationId} value={c.applicationId}>
              {c.applicationName}
            </option>
          ))}
        </SelectField>
      )}
      <div>
        <label htmlFor={reasonId} className="mb-1 block text-sm font-medium text-slate-700">
          Reason
        </label>
        <Textarea
          id={reasonId}
          value={reason}
          maxLength={ERASURE_REASON_MAX}
          onChange={(e) => setReason(e.target.value)}
          aria-describedby={`${reasonId}-hint`}
          placeholder="e.g. Data subject request DSR-2026-0042 under GDPR art. 17"
        />
        <p id={`${reasonId}-hint`} className="mt-1 text-xs text-slate-600">
          Kept in the audit trail: a ticket or legal basis, not the person&apos;s name ({reasonLength}/
          {ERASURE_REASON_MAX}, at least {ERASURE_REASON_MIN}).
        </p>
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          checked={deleteAtDidit}
          onChange={(e) => setDeleteAtDidit(e.target.checked)}
          className="mt-1"
        />
        <span>
          <span className="font-medium text-slate-800">Also delete the session at Didit</span>
          <span className="block text-slate-600">
            Didit deletes the session with its documents, images and decision, using the application&apos;s
            key. Tokens already minted for it can no longer be imported. Only a session of our own
            applications can be deleted there.
          </span>
        </span>
      </label>
      {detailsError && <Alert>{detailsError}</Alert>}
      <DialogFooter>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button onClick={next}>Continue</Button>
      </DialogFooter>
    </>
  );
}

/** Search the mirror by name, number, vendor_data or uuid; a uuid not mirrored can be used as typed. */
function SessionPicker({ onPick }: { onPick: (p: Picked) => void }) {
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const sessions = useSessions({ q: q || undefined, finished: false });
  const rows = sessions.data?.pages.flatMap((p) => p.items).slice(0, 20) ?? [];
  const typedUuid = UUID_RE.test(q) ? q.toLowerCase() : null;
  return (
    <div>
      <p className="mb-1 text-sm font-medium text-slate-700" id="erasure-session-label">
        Session
      </p>
      <Command label="Find the session" shouldFilter={false} className="rounded-md border border-slate-200">
        <CommandInput
          value={text}
          onValueChange={setText}
          placeholder="Name, number, vendor_data or session uuid"
          aria-labelledby="erasure-session-label"
        />
        <CommandList label="Sessions">
          {sessions.isFetching && rows.length === 0 ? (
            <p className="px-2 py-3 text-sm text-slate-600">Searching…</p>
          ) : (
            <CommandEmpty>No session matches{typedUuid ? "" : ": paste its uuid"}.</CommandEmpty>
          )}
          {rows.map((s) => (
            <CommandItem
              key={s.id}
              value={s.id}
              onSelect={() =>
                onPick({ sessionId: s.sessionId, label: sessionLabel(s), applicationId: s.applicationId })
              }
            >
              <Check aria-hidden className="opacity-0" />
              <span className="min-w-0 flex-1">
                <span className="block truncate">{sessionLabel(s)}</span>
                <span className="block truncate font-mono text-xs text-slate-600">{s.sessionId}</span>
              </span>
            </CommandItem>
          ))}
          {typedUuid && !rows.some((s) => s.sessionId === typedUuid) && (
            <CommandItem
              value={`uuid-${typedUuid}`}
              onSelect={() => onPick({ sessionId: typedUuid, label: "Session by id (not in the picker)" })}
            >
              <Check aria-hidden className="opacity-0" />
              Use session id <span className="font-mono text-xs">{typedUuid}</span>
            </CommandItem>
          )}
        </CommandList>
      </Command>
    </div>
  );
}

function ErasureResult({ result, onClose }: { result: ErasureRequestDto; onClose: () => void }) {
  return (
    <>
      <DialogHeader>
        <DialogTitle>{result.state === "done" ? "Session erased" : "Erased here, not at Didit"}</DialogTitle>
        <DialogDescription>
          Session <span className="font-mono">{result.sessionId}</span> of {result.applicationName}.
        </DialogDescription>
      </DialogHeader>
      <Alert tone={result.state === "done" ? "success" : "warning"} title={countsSummary(result.counts)}>
        {result.diditError ??
          (result.recallId
            ? "A recall was sent to every partner it was shared with."
            : "It had not been shared with a partner: no recall was needed.")}
      </Alert>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-600">State</dt>
        <dd>
          <ErasureStateBadge state={result.state} />
        </dd>
        <dt className="text-slate-600">Didit</dt>
        <dd>
          <DiditOutcomeBadge outcome={result.diditOutcome} />
        </dd>
        <dt className="text-slate-600">Removed fields (SHA-256)</dt>
        <dd className="break-all font-mono text-xs">{result.removedSha256}</dd>
      </dl>
      <DialogFooter>
        <Button onClick={onClose}>Done</Button>
      </DialogFooter>
    </>
  );
}
