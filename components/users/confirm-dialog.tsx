"use client";

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
import { ROLE_LABELS, type Role } from "@/lib/rbac";
import type { UserDto } from "@/lib/schemas/users";

export type PendingChange =
  { kind: "role"; user: UserDto; role: Role } | { kind: "disable" | "enable" | "sign-out"; user: UserDto };

function texts(change: PendingChange, self: boolean) {
  const who = change.user.email;
  switch (change.kind) {
    case "role":
      return {
        title: "Change the role?",
        body: `${who} goes from ${ROLE_LABELS[change.user.role]} to ${ROLE_LABELS[change.role]}. It takes effect on their next request.`,
        action: "Change role",
        danger: false,
      };
    case "disable":
      return {
        title: "Disable this user?",
        body: `${who} is signed out on their next request and cannot sign in until re-enabled.`,
        action: "Disable",
        danger: true,
      };
    case "enable":
      return {
        title: "Re-enable this user?",
        body: `${who} can sign in again with their password.`,
        action: "Re-enable",
        danger: false,
      };
    case "sign-out":
      return {
        title: "Sign out everywhere?",
        body: `Every session of ${who} ends now${self ? ", this one included" : ""}; they must sign in again.`,
        action: "Sign out everywhere",
        danger: true,
      };
  }
}

/** The one confirmation for a change to a user; stays open (busy) until the server has answered. */
export function ConfirmDialog({
  pending,
  busy,
  self,
  onConfirm,
  onCancel,
  onClosed,
}: {
  pending: PendingChange | null;
  busy: boolean;
  self: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  onClosed: () => void;
}) {
  const t = pending ? texts(pending, self) : null;
  return (
    <AlertDialog open={pending !== null} onOpenChange={(open) => !open && !busy && onCancel()}>
      <AlertDialogContent
        onCloseAutoFocus={(event) => {
          event.preventDefault();
          onClosed();
        }}
      >
        {t && (
          <>
            <AlertDialogHeader>
              <AlertDialogTitle>{t.title}</AlertDialogTitle>
              <AlertDialogDescription>{t.body}</AlertDialogDescription>
            </AlertDialogHeader>
            <AlertDialogFooter>
              <AlertDialogCancel disabled={busy}>Cancel</AlertDialogCancel>
              <Button variant={t.danger ? "danger" : "primary"} pending={busy} onClick={onConfirm}>
                {busy ? "Saving…" : t.action}
              </Button>
            </AlertDialogFooter>
          </>
        )}
      </AlertDialogContent>
    </AlertDialog>
  );
}
