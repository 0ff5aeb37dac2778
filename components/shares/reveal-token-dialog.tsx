"use client";

import { Eye, KeyRound, TriangleAlert } from "lucide-react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { DateTime } from "@/components/ui/date-time";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { OneTimeSecret } from "@/components/ui/one-time-secret";
import { useRevealShare } from "@/lib/client/queries/shares";

/**
 * The manual channel's one-time reveal: a confirmation, then the token, once. The token lives only
 * in this dialog's mutation result (never in the query cache) and is dropped when the dialog closes.
 */
export function RevealTokenDialog({
  shareId,
  partnerName,
  open,
  onOpenChange,
  onClosed,
}: {
  shareId: string;
  partnerName: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Where focus goes once the dialog has closed (the button that opened it may be gone by then). */
  onClosed?: () => void;
}) {
  const reveal = useRevealShare(shareId);
  const shown = reveal.data;
  // A second click would ask again and its 409 would replace the one answer holding the token.
  const flight = useSingleFlight();

  function close() {
    if (reveal.isPending) return;
    // Forget the token: the mutation's result is the only copy in this tab.
    reveal.reset();
    onOpenChange(false);
  }

  return (
    <Dialog open={open} onOpenChange={(next) => !next && close()}>
      <DialogContent
        className="max-w-lg"
        onCloseAutoFocus={(event) => {
          if (!onClosed) return;
          event.preventDefault();
          onClosed();
        }}
        // Once shown, the token cannot be shown again: a stray click outside must not throw it away.
        onInteractOutside={(event) => {
          if (shown || reveal.isPending) event.preventDefault();
        }}
        onEscapeKeyDown={(event) => {
          if (reveal.isPending) event.preventDefault();
        }}
      >
        {shown ? (
          <>
            <DialogHeader>
              <DialogTitle className="flex items-center gap-2">
                <KeyRound className="size-4 text-brand-600" aria-hidden /> Share token
              </DialogTitle>
              <DialogDescription>
                Hand this token to <strong className="text-slate-800">{partnerName}</strong> over a secure
                channel. It is valid until <DateTime value={shown.expiresAt} />.
              </DialogDescription>
            </DialogHeader>
            <Alert tone="error" title="This is the only time the token is shown">
              Handoff has destroyed its copy. Copy it now: closing this dialog forgets it.
            </Alert>
            <OneTimeSecret
              id="revealed-token"
              label="Token"
              value={shown.token}
              noun="token"
              copyLabel="Copy token"
              rows={5}
              className="break-all font-mono text-xs"
              onDone={close}
            />
          </>
        ) : (
          <>
            <DialogHeader>
              <DialogTitle className="flex items-center gap-2">
                <Eye className="size-4 text-brand-600" aria-hidden /> Reveal the token once?
              </DialogTitle>
              <DialogDescription>
                The token is shown once, here, and never again: Handoff destroys its copy as it shows it. Have
                a secure channel to {partnerName} ready before you reveal it.
              </DialogDescription>
            </DialogHeader>
            {reveal.isError && <Alert title="The token was not revealed">{reveal.error.message}</Alert>}
            <DialogFooter>
              <Button variant="secondary" onClick={close} disabled={reveal.isPending}>
                Cancel
              </Button>
              {!reveal.isError && (
                <Button
                  pending={reveal.isPending || flight.busy}
                  onClick={() => flight.run((release) => reveal.mutate(undefined, { onSettled: release }))}
                >
                  <TriangleAlert aria-hidden />
                  {reveal.isPending ? "Revealing…" : "Reveal token"}
                </Button>
              )}
            </DialogFooter>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
