"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Ban } from "lucide-react";
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
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { toast } from "@/components/ui/sonner";
import { Textarea } from "@/components/ui/textarea";
import { ApiError } from "@/lib/client/api-fetch";
import { useRevokeShare } from "@/lib/client/queries/shares";
import { REVOKE_NOTE, revokeShareRequestSchema, type RevokeShareRequest } from "@/lib/schemas/shares";

/** Revoke with a reason, after saying what revoking can and cannot do. */
export function RevokeShareDialog({
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
  const revoke = useRevokeShare(shareId);
  const form = useForm<RevokeShareRequest>({
    resolver: zodResolver(revokeShareRequestSchema),
    defaultValues: { reason: "" },
  });

  function close() {
    if (revoke.isPending) return;
    revoke.reset();
    form.reset();
    onOpenChange(false);
  }

  const flight = useSingleFlight();
  function onSubmit(values: RevokeShareRequest) {
    flight.run((release) =>
      revoke.mutate(values, {
        onSettled: release,
        onSuccess: () => {
          toast.success(`The share to ${partnerName} is revoked: its token was destroyed.`);
          form.reset();
          onOpenChange(false);
        },
        onError: (error) => {
          const message = error instanceof ApiError ? error.fieldErrors.reason?.[0] : undefined;
          if (message) form.setError("reason", { message }, { shouldFocus: true });
        },
      }),
    );
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
          <AlertDialogTitle>Revoke this share?</AlertDialogTitle>
          <AlertDialogDescription>
            The token meant for {partnerName} is destroyed now and never delivered. This cannot be undone;
            share the session again if you change your mind.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <Alert tone="info">{REVOKE_NOTE}</Alert>
        <Form {...form}>
          <form id="revoke-share" aria-label="Revoke share" noValidate onSubmit={form.handleSubmit(onSubmit)}>
            <FormField
              control={form.control}
              name="reason"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Reason</FormLabel>
                  <FormControl>
                    <Textarea maxLength={500} placeholder="Why is this share withdrawn?" {...field} />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
          </form>
        </Form>
        {revoke.isError && !form.formState.errors.reason && (
          <Alert title="The share was not revoked">{revoke.error.message}</Alert>
        )}
        <AlertDialogFooter>
          <Button variant="secondary" onClick={close} disabled={revoke.isPending}>
            Cancel
          </Button>
          <Button
            type="submit"
            form="revoke-share"
            variant="danger"
            pending={revoke.isPending || flight.busy}
          >
            <Ban aria-hidden />
            {revoke.isPending ? "Revoking…" : "Revoke share"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
