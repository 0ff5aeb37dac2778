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
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { toast } from "@/components/ui/sonner";
import { Textarea } from "@/components/ui/textarea";
import { ApiError } from "@/lib/client/api-fetch";
import { rejectInboxItemRequestSchema, type RejectInboxItemRequest } from "@/lib/schemas/inbox";
import { useRejectInboxItem } from "./queries";

/** Reject a waiting token with a reason, after saying that it cannot be undone. */
export function RejectInboxDialog({
  itemId,
  partnerName,
  open,
  onOpenChange,
}: {
  itemId: string;
  partnerName: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const reject = useRejectInboxItem(itemId);
  const form = useForm<RejectInboxItemRequest>({
    resolver: zodResolver(rejectInboxItemRequestSchema),
    defaultValues: { reason: "" },
  });

  function close() {
    if (reject.isPending) return;
    reject.reset();
    form.reset();
    onOpenChange(false);
  }

  function onSubmit(values: RejectInboxItemRequest) {
    reject.mutate(values, {
      onSuccess: () => {
        toast.success(`The token from ${partnerName} is rejected: it was destroyed.`);
        form.reset();
        onOpenChange(false);
      },
      onError: (error) => {
        const message = error instanceof ApiError ? error.fieldErrors.reason?.[0] : undefined;
        if (message) form.setError("reason", { message }, { shouldFocus: true });
      },
    });
  }

  const formId = `reject-inbox-${itemId}`;
  return (
    <AlertDialog open={open} onOpenChange={(next) => !next && close()}>
      <AlertDialogContent className="max-w-lg">
        <AlertDialogHeader>
          <AlertDialogTitle>Reject this token?</AlertDialogTitle>
          <AlertDialogDescription>
            The token from {partnerName} is destroyed now and can no longer be imported. This cannot be
            undone; ask the partner to share again if you change your mind.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <Form {...form}>
          <form id={formId} aria-label="Reject token" noValidate onSubmit={form.handleSubmit(onSubmit)}>
            <FormField
              control={form.control}
              name="reason"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Reason</FormLabel>
                  <FormControl>
                    <Textarea maxLength={500} placeholder="Why will we not import it?" {...field} />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
          </form>
        </Form>
        {reject.isError && !form.formState.errors.reason && (
          <Alert title="The token was not rejected">{reject.error.message}</Alert>
        )}
        <AlertDialogFooter>
          <Button variant="secondary" onClick={close} disabled={reject.isPending}>
            Cancel
          </Button>
          <Button type="submit" form={formId} variant="danger" pending={reject.isPending}>
            <Ban aria-hidden />
            {reject.isPending ? "Rejecting…" : "Reject token"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
