"use client";

import { useState } from "react";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { adoptedSecretSchema } from "@/lib/schemas/partners";

/** Suspending stops every share and import with the partner at once; it needs a reason. */
export function SuspendDialog({
  open,
  partnerName,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  partnerName: string;
  busy: boolean;
  error: string | null;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  return (
    <AlertDialog
      open={open}
      onOpenChange={(next) => {
        if (!next && !busy) {
          setReason("");
          setMissing(false);
          onCancel();
        }
      }}
    >
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Suspend {partnerName}?</AlertDialogTitle>
          <AlertDialogDescription>
            Nothing is shared with or imported from {partnerName} until it is reactivated; a token still
            waiting for delivery is not pushed. Shares already made stay as they are: on the Shares page,
            revoke one whose token the partner does not have yet, or withdraw one already delivered (the
            partner is told not to use it, and a clone it imported goes back to review).
          </AlertDialogDescription>
        </AlertDialogHeader>
        <div className="grid gap-1.5">
          <Label htmlFor="suspend-reason">Reason</Label>
          <Textarea
            id="suspend-reason"
            rows={3}
            maxLength={500}
            value={reason}
            aria-invalid={missing || undefined}
            aria-describedby={missing || error ? "suspend-reason-error" : undefined}
            onChange={(e) => {
              setReason(e.target.value);
              setMissing(false);
            }}
          />
          {(missing || error) && (
            <p id="suspend-reason-error" className="text-xs font-medium text-red-700">
              {missing ? "Say why the partner is suspended" : error}
            </p>
          )}
        </div>
        <AlertDialogFooter>
          <AlertDialogCancel disabled={busy}>Cancel</AlertDialogCancel>
          <Button
            variant="danger"
            pending={busy}
            onClick={() => {
              if (!reason.trim()) setMissing(true);
              else onConfirm(reason.trim());
            }}
          >
            {busy ? "Suspending…" : "Suspend partner"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

export function ReactivateDialog({
  open,
  partnerName,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  partnerName: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <AlertDialog open={open} onOpenChange={(next) => !next && !busy && onCancel()}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Reactivate {partnerName}?</AlertDialogTitle>
          <AlertDialogDescription>
            Officers can share with and import from {partnerName} again, within its agreement and policies.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel disabled={busy}>Cancel</AlertDialogCancel>
          <Button pending={busy} onClick={onConfirm}>
            {busy ? "Reactivating…" : "Reactivate"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

/**
 * Rotation: issue a new secret (shown once), or enter the one the partner's console issued to us
 * (it made us its partner first). Either way the current one keeps working for the overlap.
 */
export function RotateDialog({
  open,
  partnerName,
  hasSecret,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  partnerName: string;
  hasSecret: boolean;
  busy: boolean;
  error: string | null;
  onConfirm: (input: { overlapHours: number; secret?: string }) => void;
  onCancel: () => void;
}) {
  const [hours, setHours] = useState("24");
  const [mode, setMode] = useState<"issue" | "adopt">("issue");
  const [secret, setSecret] = useState("");
  const value = Number(hours);
  const validHours = hours.trim() !== "" && Number.isInteger(value) && value >= 0 && value <= 168;
  const secretProblem =
    mode === "adopt" && !adoptedSecretSchema.safeParse(secret).success
      ? "Paste the whsec_ secret the partner gave you"
      : null;
  const valid = (!hasSecret || validHours) && secretProblem === null;
  const cancel = () => {
    setSecret("");
    setMode("issue");
    onCancel();
  };
  return (
    <AlertDialog open={open} onOpenChange={(next) => !next && !busy && cancel()}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>
            {hasSecret ? "Rotate the shared secret?" : "Set up the shared secret?"}
          </AlertDialogTitle>
          <AlertDialogDescription>
            {hasSecret
              ? `A new secret for ${partnerName} replaces the current one, which keeps working for the overlap below, so the partner can switch without a gap.`
              : `${partnerName} and this console sign their requests with one shared secret: issue it here, or enter the one their console gave you.`}
          </AlertDialogDescription>
        </AlertDialogHeader>
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium text-slate-900">The secret</legend>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="rotate-mode"
              className="mt-1"
              checked={mode === "issue"}
              onChange={() => setMode("issue")}
            />
            <span>
              Issue a new secret
              <span className="block text-xs text-slate-600">Shown once: give it to the partner.</span>
            </span>
          </label>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="rotate-mode"
              className="mt-1"
              checked={mode === "adopt"}
              onChange={() => setMode("adopt")}
            />
            <span>
              Enter the partner&apos;s secret
              <span className="block text-xs text-slate-600">
                When their Handoff console made us its partner and showed a secret once.
              </span>
            </span>
          </label>
        </fieldset>
        {mode === "adopt" && (
          <div className="grid gap-1.5">
            <Label htmlFor="rotate-secret">Partner&apos;s secret</Label>
            <Input
              id="rotate-secret"
              type="password"
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              placeholder="whsec_…"
              value={secret}
              aria-invalid={(secret !== "" && secretProblem !== null) || undefined}
              aria-describedby="rotate-secret-hint"
              onChange={(e) => setSecret(e.target.value)}
            />
            <p
              id="rotate-secret-hint"
              className={
                secret !== "" && secretProblem ? "text-xs font-medium text-red-700" : "text-xs text-slate-600"
              }
            >
              {secret !== "" && secretProblem
                ? secretProblem
                : "Kept encrypted; only its last 4 characters are shown afterwards."}
            </p>
          </div>
        )}
        {hasSecret && (
          <div className="grid gap-1.5">
            <Label htmlFor="rotate-overlap">Overlap (hours, 0–168)</Label>
            <Input
              id="rotate-overlap"
              type="number"
              inputMode="numeric"
              min={0}
              max={168}
              value={hours}
              aria-invalid={!validHours || undefined}
              aria-describedby="rotate-overlap-hint"
              onChange={(e) => setHours(e.target.value)}
            />
            <p
              id="rotate-overlap-hint"
              className={validHours ? "text-xs text-slate-600" : "text-xs font-medium text-red-700"}
            >
              {validHours
                ? value === 0
                  ? "The current secret stops working at once."
                  : `The current secret keeps working for ${value} hour${value === 1 ? "" : "s"}.`
                : "Use a whole number of hours from 0 to 168."}
            </p>
          </div>
        )}
        {error && (
          <p role="alert" className="text-xs font-medium text-red-700">
            {error}
          </p>
        )}
        <AlertDialogFooter>
          <AlertDialogCancel disabled={busy}>Cancel</AlertDialogCancel>
          <Button
            pending={busy}
            disabled={!valid}
            onClick={() => {
              const overlapHours = hasSecret ? value : 0;
              onConfirm(mode === "adopt" ? { overlapHours, secret: secret.trim() } : { overlapHours });
              setSecret("");
            }}
          >
            {busy
              ? "Saving…"
              : mode === "adopt"
                ? "Save their secret"
                : hasSecret
                  ? "Rotate secret"
                  : "Issue secret"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
