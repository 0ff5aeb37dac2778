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
            Nothing is shared with or imported from {partnerName} until it is reactivated. Shares already sent
            stay as they are; revoke them on the Shares page if needed.
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

/** Rotation cannot be undone: the new secret replaces the old one after the overlap. */
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
  onConfirm: (overlapHours: number) => void;
  onCancel: () => void;
}) {
  const [hours, setHours] = useState("24");
  const value = Number(hours);
  const valid = hours.trim() !== "" && Number.isInteger(value) && value >= 0 && value <= 168;
  return (
    <AlertDialog open={open} onOpenChange={(next) => !next && !busy && onCancel()}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>
            {hasSecret ? "Rotate the shared secret?" : "Issue a shared secret?"}
          </AlertDialogTitle>
          <AlertDialogDescription>
            {hasSecret
              ? `A new secret is issued for ${partnerName} and shown once. The current one keeps working for the overlap below, so the partner can switch without a gap.`
              : `A secret is issued for ${partnerName} and shown once: give it to the partner.`}
          </AlertDialogDescription>
        </AlertDialogHeader>
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
              aria-invalid={!valid || undefined}
              aria-describedby="rotate-overlap-hint"
              onChange={(e) => setHours(e.target.value)}
            />
            <p
              id="rotate-overlap-hint"
              className={valid ? "text-xs text-slate-600" : "text-xs font-medium text-red-700"}
            >
              {valid
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
          <Button pending={busy} disabled={!valid} onClick={() => onConfirm(hasSecret ? value : 0)}>
            {busy ? "Issuing…" : hasSecret ? "Rotate secret" : "Issue secret"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
