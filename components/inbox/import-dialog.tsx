"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Download } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useForm, useWatch, type Resolver } from "react-hook-form";
import { z } from "zod";
import { WorkflowPicker } from "@/components/applications/workflow-picker";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/sonner";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { ApiError } from "@/lib/client/api-fetch";
import { confirmationKey, settleConfirmationKey } from "@/lib/client/idempotency-key";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import { useCreateImport } from "@/lib/client/queries/imports";
import { usePartner } from "@/lib/client/queries/partners";
import { createImportRequestSchema, type CreateImportRequest, type ImportDto } from "@/lib/schemas/imports";
import type { InboxItemDto } from "@/lib/schemas/inbox";
import { KIND_NAMES } from "./format";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** The dialog's fields: blank workflow and vendor_data mean "the partner's default". */
const importFormSchema = z.object({
  trustReview: z.boolean(),
  workflowId: z.preprocess(blankToUndefined, createImportRequestSchema.shape.workflowId),
  vendorData: z.preprocess(blankToUndefined, createImportRequestSchema.shape.vendorData),
});
type ImportFormValues = { trustReview: boolean; workflowId: string; vendorData: string };
// Typed as the form's own values (the kit's FormField takes no transformed type); submit casts.
const resolver = zodResolver(importFormSchema) as unknown as Resolver<ImportFormValues>;

const FIELDS = ["trustReview", "workflowId", "vendorData"] as const;
const isField = (key: string): key is (typeof FIELDS)[number] => (FIELDS as readonly string[]).includes(key);

/** What the officer reads after a refusal: what happened and what to do next. */
export function importErrorText(error: Error): { title: string; body: string; importId: string | null } {
  if (!(error instanceof ApiError))
    return { title: "The token was not imported", body: error.message, importId: null };
  const importId =
    typeof (error.details as { importId?: unknown } | undefined)?.importId === "string"
      ? (error.details as { importId: string }).importId
      : null;
  if (error.is("already_imported"))
    return { title: "This token is already imported", body: error.message, importId };
  if (error.is("token_invalid"))
    return {
      title: "Invalid (refused by Didit)",
      body: "Didit does not accept this token: it is malformed or was not signed by Didit. The item is marked invalid, is not counted as the partner's, and cannot be imported.",
      importId: null,
    };
  if (error.is("token_expired"))
    return {
      title: "This token has expired",
      body: "Didit no longer accepts it: ask the partner for a new token.",
      importId: null,
    };
  return { title: "The token was not imported", body: error.message, importId };
}

function successText(result: ImportDto): string {
  if (result.state === "imported")
    return `Imported as session ${result.cloneSessionNumber !== null ? `#${result.cloneSessionNumber}` : result.cloneSessionId?.slice(0, 8)} (${result.statusAtImport ?? "status unknown"}).`;
  if (result.state === "importing") return "The import is running: the card shows when Didit answers.";
  return `The import failed: ${result.failureReason ?? "Didit refused it."}`;
}

/**
 * Import a received token with the partner's defaults or the officer's choices, after a
 * confirmation: Didit redeems a token once, so a second import of it is refused.
 */
export function ImportDialog({
  item,
  open,
  onOpenChange,
}: {
  item: InboxItemDto;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const router = useRouter();
  const create = useCreateImport(item.id, (result) => {
    const inReview = result.state === "imported" && result.statusAtImport === "In Review";
    const text = successText(result);
    if (result.state === "failed") toast.error(text);
    else
      toast.success(inReview ? `${text} It waits in the review queue.` : text, {
        duration: 30_000,
        ...(inReview
          ? { action: { label: "Open the review", onClick: () => router.push(`/reviews/${result.id}`) } }
          : {}),
      });
  });
  const partner = usePartner(item.partnerId ?? "", { enabled: open && item.partnerId !== null });
  const policy = partner.data;
  const policyWorkflow =
    (item.sessionKind === "user" ? policy?.importWorkflowUser : policy?.importWorkflowBusiness) ?? null;
  const applications = useApplicationOptions();
  const appWorkflows = applications.data?.items.find((a) => a.id === item.applicationId)?.workflows ?? [];
  const workflowName = (id: string) => appWorkflows.find((w) => w.id === id.toLowerCase())?.name ?? id;
  const nameOf = (id: string) => {
    const name = workflowName(id);
    return name === id ? "" : ` (${name})`;
  };
  const [step, setStep] = useState<"choose" | "confirm">("choose");
  const [values, setValues] = useState<CreateImportRequest | null>(null);
  const form = useForm<ImportFormValues>({
    resolver,
    defaultValues: { trustReview: false, workflowId: "", vendorData: "" },
  });
  // The partner's trust_review is the default once its policy is read (until the officer changes it).
  useEffect(() => {
    if (policy && !form.getFieldState("trustReview").isDirty)
      form.setValue("trustReview", policy.trustReview);
  }, [policy, form]);

  const partnerName = item.partnerName ?? "the sender";

  function close() {
    if (create.isPending) return;
    create.reset();
    form.reset({ trustReview: policy?.trustReview ?? false, workflowId: "", vendorData: "" });
    setStep("choose");
    onOpenChange(false);
  }

  function review(raw: ImportFormValues) {
    const parsed = raw as unknown as CreateImportRequest;
    setValues({
      trustReview: parsed.trustReview,
      ...(parsed.workflowId ? { workflowId: parsed.workflowId } : {}),
      ...(parsed.vendorData ? { vendorData: parsed.vendorData } : {}),
    });
    create.reset();
    setStep("confirm");
  }

  // One import per confirmation however often it is clicked; a retry sends the same key.
  const flight = useSingleFlight();
  function confirm() {
    if (!values) return;
    const scope = `import:${item.id}:${JSON.stringify(values)}`;
    flight.run((release) =>
      create.mutate(
        { ...values, idempotencyKey: confirmationKey(scope) },
        {
          onSettled: (_result, error) => {
            settleConfirmationKey(scope, error ?? undefined);
            release();
          },
          onSuccess: () => {
            setStep("choose");
            create.reset();
            onOpenChange(false);
          },
          onError: (error) => {
            const fields = error instanceof ApiError ? error.fieldErrors : {};
            const known = Object.keys(fields).filter(isField);
            if (known.length > 0) {
              setStep("choose");
              known.forEach((key, i) =>
                form.setError(key, { message: fields[key]![0] }, { shouldFocus: i === 0 }),
              );
            }
          },
        },
      ),
    );
  }

  const refusal = create.isError ? importErrorText(create.error) : null;
  const formId = `import-${item.id}`;
  const trust = useWatch({ control: form.control, name: "trustReview" });
  const statusWhenShared = item.manifest?.status ?? null;

  return (
    <Dialog open={open} onOpenChange={(next) => !next && close()}>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>Import this token?</DialogTitle>
          <DialogDescription>
            {KIND_NAMES[item.sessionKind]} from {partnerName} into {item.applicationName}. Didit clones the
            source session into a new session of ours, once.
          </DialogDescription>
        </DialogHeader>
        {step === "choose" ? (
          <Form {...form}>
            <form
              id={formId}
              aria-label="Import options"
              noValidate
              onSubmit={form.handleSubmit(review)}
              className="grid gap-4"
            >
              <FormField
                control={form.control}
                name="trustReview"
                render={({ field }) => (
                  <FormItem>
                    <div className="flex items-start gap-2">
                      <FormControl>
                        <input
                          type="checkbox"
                          className="mt-0.5 size-4 accent-brand-600"
                          name={field.name}
                          ref={field.ref}
                          checked={field.value}
                          onChange={(e) => field.onChange(e.target.checked)}
                          onBlur={field.onBlur}
                        />
                      </FormControl>
                      <FormLabel className="mb-0">
                        Keep the partner&apos;s decision (trust its review)
                      </FormLabel>
                    </div>
                    <FormDescription className="pl-6">
                      {trust
                        ? `Checked: the clone keeps the partner's status${statusWhenShared ? ` (${statusWhenShared} when shared)` : ""} and skips our review.`
                        : "Unchecked: review it here. The clone lands In Review and waits in the review queue for an officer's decision."}{" "}
                      {policy
                        ? `${partnerName}'s policy: ${policy.trustReview ? "keep its decision" : "review here"}.`
                        : ""}
                    </FormDescription>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <FormField
                control={form.control}
                name="workflowId"
                render={({ field }) => (
                  <FormItem>
                    <FormLabel>Workflow (optional)</FormLabel>
                    <FormControl>
                      <WorkflowPicker
                        label="Workflow"
                        kind={item.sessionKind}
                        workflows={appWorkflows}
                        value={field.value}
                        onChange={field.onChange}
                        onBlur={field.onBlur}
                        ref={field.ref}
                        emptyLabel={
                          policyWorkflow
                            ? `${partnerName}'s import workflow${nameOf(policyWorkflow)}`
                            : "The application's default workflow"
                        }
                      />
                    </FormControl>
                    <FormDescription>
                      A {KIND_NAMES[item.sessionKind]} workflow of {item.applicationName}, by the name an
                      admin gave it on the Applications page, or another one by its ID.
                    </FormDescription>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <FormField
                control={form.control}
                name="vendorData"
                render={({ field }) => (
                  <FormItem>
                    <FormLabel>vendor_data (optional)</FormLabel>
                    <FormControl>
                      <Input
                        {...field}
                        autoComplete="off"
                        spellCheck={false}
                        placeholder={policy?.vendorDataTemplate ?? `handoff-${item.id}`}
                      />
                    </FormControl>
                    <FormDescription>
                      Our id for the person or company. Leave empty for{" "}
                      {policy?.vendorDataTemplate ? "the partner's template (shown)" : "a unique Handoff id"}.
                    </FormDescription>
                    <FormMessage />
                  </FormItem>
                )}
              />
            </form>
          </Form>
        ) : (
          <div className="grid gap-3" role="group" aria-label="Confirm the import">
            <p className="text-slate-800">
              {values?.trustReview
                ? `The clone keeps ${partnerName}'s decision.`
                : "The clone lands In Review, for an officer's decision in the review queue."}{" "}
              Workflow:{" "}
              {values?.workflowId
                ? workflowName(values.workflowId)
                : policyWorkflow
                  ? `the partner's${nameOf(policyWorkflow)}`
                  : "the application's default"}
              ; vendor_data:{" "}
              {values?.vendorData ?? (policy?.vendorDataTemplate ? "the partner's template" : "a Handoff id")}
              .
            </p>
            <p className="text-slate-600">
              Didit redeems the token once: it cannot be imported a second time.
            </p>
            {create.isPending && (
              <p role="status" className="text-brand-700">
                Importing: Didit is cloning the session…
              </p>
            )}
          </div>
        )}
        {refusal && (
          <Alert title={refusal.title}>
            <p>{refusal.body}</p>
            {refusal.importId && (
              <Link href={`/reviews/${refusal.importId}`} className="font-medium underline">
                Open the existing import
              </Link>
            )}
          </Alert>
        )}
        <DialogFooter>
          {step === "choose" ? (
            <>
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" form={formId}>
                Next: confirm
              </Button>
            </>
          ) : (
            <>
              <Button
                variant="secondary"
                onClick={() => {
                  create.reset();
                  setStep("choose");
                }}
                disabled={create.isPending}
              >
                Back
              </Button>
              <Button onClick={confirm} pending={create.isPending || flight.busy} disabled={refusal !== null}>
                <Download aria-hidden />
                {create.isPending ? "Importing…" : "Confirm import"}
              </Button>
            </>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
