"use client";

import { KeyRound } from "lucide-react";
import type { RefObject } from "react";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { OneTimeSecret } from "@/components/ui/one-time-secret";

/** Shows a new user's one-time password once; closing it returns focus to the form's submit button. */
export function InitialPasswordDialog({
  created,
  onClose,
  returnFocusTo,
}: {
  created: { email: string; password: string } | null;
  onClose: () => void;
  returnFocusTo: RefObject<HTMLElement | null>;
}) {
  return (
    <Dialog open={created !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        // The password is shown once: a stray click outside must not throw it away.
        onInteractOutside={(event) => event.preventDefault()}
        onCloseAutoFocus={(event) => {
          event.preventDefault();
          returnFocusTo.current?.focus();
        }}
      >
        {created && (
          <>
            <DialogHeader>
              <DialogTitle className="flex items-center gap-2">
                <KeyRound className="size-4 text-brand-600" aria-hidden /> User created
              </DialogTitle>
              <DialogDescription>
                Give <strong className="text-slate-800">{created.email}</strong> this one-time password over a
                secure channel. It is shown only once.
              </DialogDescription>
            </DialogHeader>
            <OneTimeSecret
              id="initial-password"
              label="Initial password"
              value={created.password}
              noun="password"
              className="font-mono text-base"
              onDone={onClose}
            />
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
