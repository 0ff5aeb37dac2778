"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { CheckCheck, RotateCw } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { toast } from "@/components/ui/sonner";
import { Textarea } from "@/components/ui/textarea";
import { ApiError } from "@/lib/client/api-fetch";
import { useMarkNoticeDone, useRetryNotice } from "@/lib/client/queries/recalls";
import { recallDoneRequestSchema, type RecallDoneRequest, type RecallNoticeDto } from "@/lib/schemas/recalls";

/** Queue a failed push again. */
export function RetryButton({ notice }: { notice: RecallNoticeDto }) {
  const retry = useRetryNotice(notice.id);
  return (
    <Button
      size="sm"
      variant="secondary"
      pending={retry.isPending}
      onClick={() =>
        retry.mutate(undefined, {
          onSuccess: () =>
            toast.success(`The recall to ${notice.partnerName ?? "the partner"} is queued again.`),
          onError: (error) => toast.error(`Not queued: ${error.message}`),
        })
      }
    >
      <RotateCw aria-hidden /> Retry<span className="sr-only"> (recall to {notice.partnerName})</span>
    </Button>
  );
}

/** Close an officer's task: say how the partner was told. */
export function MarkToldDialog({ notice }: { notice: RecallNoticeDto }) {
  const [open, setOpen] = useState(false);
  const done = useMarkNoticeDone(notice.id);
  const form = useForm<RecallDoneRequest>({
    resolver: zodResolver(recallDoneRequestSchema),
    defaultValues: { note: "" },
  });
  const partner = notice.partnerName ?? "the partner";

  function onOpenChange(next: boolean) {
    if (done.isPending) return;
    if (!next) {
      done.reset();
      form.reset();
    }
    setOpen(next);
  }

  function onSubmit(values: RecallDoneRequest) {
    done.mutate(values, {
      onSuccess: () => {
        toast.success(`Recorded: ${partner} was told.`);
        form.reset();
        setOpen(false);
      },
      onError: (error) => {
        const message = error instanceof ApiError ? error.fieldErrors.note?.[0] : undefined;
        if (message) form.setError("note", { message }, { shouldFocus: true });
      },
    });
  }

  const formId = `recall-told-${notice.id}`;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button size="sm" variant="secondary">
          <CheckCheck aria-hidden /> Mark partner told<span className="sr-only"> ({partner})</span>
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>Mark {partner} told</DialogTitle>
          <DialogDescription>
            {partner} has no inbox URL, so the console cannot tell them itself. Tell them that the
            verification they received changed ({notice.recall.reason}), then record how.
          </DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form id={formId} aria-label="Partner told" noValidate onSubmit={form.handleSubmit(onSubmit)}>
            <FormField
              control={form.control}
              name="note"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>How was the partner told?</FormLabel>
                  <FormControl>
                    <Textarea
                      maxLength={2000}
                      placeholder="E-mailed their compliance desk (ticket 4711) on 2 December."
                      {...field}
                    />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
          </form>
        </Form>
        {done.isError && !form.formState.errors.note && (
          <Alert title="Not recorded">{done.error.message}</Alert>
        )}
        <DialogFooter>
          <Button variant="secondary" onClick={() => onOpenChange(false)} disabled={done.isPending}>
            Cancel
          </Button>
          <Button type="submit" form={formId} pending={done.isPending}>
            <CheckCheck aria-hidden /> {done.isPending ? "Recording…" : "Record"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
