"use client";

import { Copy, KeyRound } from "lucide-react";
import type { RefObject } from "react";
import { toast } from "@/components/ui/sonner";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

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
  async function copy(password: string) {
    try {
      await navigator.clipboard.writeText(password);
      toast.success("Password copied to the clipboard");
    } catch {
      toast.error("Could not copy: select the password and copy it by hand");
    }
  }
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
            <div className="grid gap-1.5">
              <Label htmlFor="initial-password">Initial password</Label>
              <Input
                id="initial-password"
                readOnly
                value={created.password}
                onFocus={(event) => event.currentTarget.select()}
                className="font-mono text-base"
              />
            </div>
            <DialogFooter>
              <Button variant="secondary" onClick={() => void copy(created.password)}>
                <Copy aria-hidden /> Copy
              </Button>
              <Button onClick={onClose}>Done</Button>
            </DialogFooter>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
