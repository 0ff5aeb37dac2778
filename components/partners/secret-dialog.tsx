"use client";

import { KeyRound, TriangleAlert } from "lucide-react";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { OneTimeSecret } from "@/components/ui/one-time-secret";

/**
 * Shows a partner's new shared secret once. A click outside does not close it (the secret would
 * be lost); closing it is the only way on, and the secret is then gone from the page.
 */
export function SecretDialog({
  revealed,
  onClose,
}: {
  revealed: { partnerName: string; secret: string; previousExpiresAt?: string | null } | null;
  onClose: () => void;
}) {
  return (
    <Dialog open={revealed !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent onInteractOutside={(event) => event.preventDefault()}>
        {revealed && (
          <>
            <DialogHeader>
              <DialogTitle className="flex items-center gap-2">
                <KeyRound className="size-4 text-brand-600" aria-hidden /> Shared secret for{" "}
                {revealed.partnerName}
              </DialogTitle>
              <DialogDescription>
                Give this Standard Webhooks secret to the partner over a secure channel. We sign our
                deliveries with it and check their requests against it.
              </DialogDescription>
            </DialogHeader>
            <p className="flex gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
              <span>
                It is shown only this once: Handoff keeps it encrypted and shows only its last 4 characters
                from now on.
                {revealed.previousExpiresAt &&
                  ` The previous secret keeps working until ${new Date(revealed.previousExpiresAt).toUTCString()}.`}
              </span>
            </p>
            <OneTimeSecret
              id="partner-secret"
              label="Secret"
              value={revealed.secret}
              noun="secret"
              className="font-mono text-sm"
              onDone={onClose}
            />
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
