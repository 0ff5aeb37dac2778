"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Undo2 } from "lucide-react";
import { useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import {
  AlertDialog,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { toast } from "@/components/ui/sonner";
import { Textarea } from "@/components/ui/textarea";
import { ApiError } from "@/lib/client/api-fetch";
import { useWithdrawShare } from "@/lib/client/queries/shares";
import {
  WITHDRAW_NOTE,
  withdrawShareRequestSchema,
  type ShareChannelDto,
  type WithdrawShareRequest,
} from "@/lib/schemas/shares";

/** What withdrawing will do for this share, said before the officer confirms. */
function consequence(channel: ShareChannelDto, partnerName: string, imported: boolean): string {
  if (channel === "internal" && !imported)
    return `${partnerName}'s inbox in this console shows the token withdrawn, with your reason, and it can no longer be imported.`;
  if (channel === "internal")
    return `${partnerName} already imported it: the clone goes back to its review queue with your reason.`;
  return `${partnerName} is sent a recall (withdrawn, with your reason) — pushed to its inbox, or as a task for an officer to tell them — and a clone it imported goes back to review.`;
}

/**
 * Withdraw a delivered share with a reason, after saying what it does; irreversible. The confirm
 * button is disabled from the first click (a ref holds the lock before React re-renders).
 */
export function WithdrawShareDialog({
  shareId,
  partnerName,
  channel,
  imported,
  open,
  onOpenChange,
  onClosed,
}: {
  shareId: string;
  partnerName: string;
  channel: ShareChannelDto;
  /** The partner reported (or our own inbox recorded) an import of the token. */
  imported: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onClosed?: () => void;
}) {
  const withdraw = useWithdrawShare(shareId);
  const inFlight = useRef(false);
  const [locked, setLocked] = useState(false);
  const busy = locked || withdraw.isPending;
  const form = useForm<WithdrawShareRequest>({
    resolver: zodResolver(withdrawShareRequestSchema),
    defaultValues: { reason: "" },
  });

  function close() {
    if (busy) return;
    withdraw.reset();
    form.reset();
    onOpenChange(false);
  }

  function onSubmit(values: WithdrawShareRequest) {
    if (inFlight.current) return;
    inFlight.current = true;
    setLocked(true);
    withdraw.mutate(values, {
      onSuccess: (share) => {
        toast.success(
          share.withdrawal?.outcome === "inbox"
            ? `Withdrawn: ${partnerName} can no longer import the token.`
            : `Withdrawn: ${partnerName} is sent a recall.`,
        );
        form.reset();
        onOpenChange(false);
      },
      onError: (error) => {
        inFlight.current = false;
        setLocked(false);
        const message = error instanceof ApiError ? error.fieldErrors.reason?.[0] : undefined;
        if (message) form.setError("reason", { message }, { shouldFocus: true });
      },
    });
  }

  return (
    <AlertDialog open={open} onOpenChange={(next) => !next && close()}>
      <AlertDialogContent
        className="max-w-lg"
        onCloseAutoFocus={(event) => {
          if (!onClosed) return;
          event.preventDefault();
          onClosed();
        }}
      >
        <AlertDialogHeader>
          <AlertDialogTitle>Withdraw this share?</AlertDialogTitle>
          <AlertDialogDescription>
            {consequence(channel, partnerName, imported)} This cannot be undone.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <Alert tone="info">{WITHDRAW_NOTE}</Alert>
        <Form {...form}>
          <form
            id="withdraw-share"
            aria-label="Withdraw share"
            noValidate
            onSubmit={(event) => void form.handleSubmit(onSubmit)(event)}
          >
            <FormField
              control={form.control}
              name="reason"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Reason (the partner is told)</FormLabel>
                  <FormControl>
                    <Textarea
                      maxLength={500}
                      placeholder="Why is this share withdrawn? No personal data."
                      {...field}
                    />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
          </form>
        </Form>
        {withdraw.isError && !form.formState.errors.reason && (
          <Alert title="The share was not withdrawn">{withdraw.error.message}</Alert>
        )}
        <AlertDialogFooter>
          <Button variant="secondary" onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" form="withdraw-share" variant="danger" disabled={busy} aria-busy={busy}>
            <Undo2 aria-hidden />
            {busy ? "Withdrawing…" : "Withdraw share"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
