"use client";

import { Plus, Trash2 } from "lucide-react";
import { useEffect, useState } from "react";
import { useFieldArray, useForm, useWatch, type Resolver } from "react-hook-form";
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
import { SelectFormField, TextFormField } from "@/components/ui/form-fields";
import { toast } from "@/components/ui/sonner";
import { ApiError } from "@/lib/client/api-fetch";
import { showServerFieldErrors } from "@/lib/client/field-errors";
import { useCreateApplication, useUpdateApplication } from "@/lib/client/queries/applications";
import {
  WORKFLOW_KIND_LABELS,
  WORKFLOW_KINDS,
  type ApplicationDto,
  type ApplicationWorkflow,
  type WorkflowKind,
} from "@/lib/schemas/applications";
import { WorkflowPicker } from "./workflow-picker";

/** One dialog for "Connect an application" (every field) and "Edit" (all but the Didit id and key). */
export type FormMode =
  { kind: "create" } | { kind: "edit"; app: ApplicationDto } | { kind: "rotate"; app: ApplicationDto };

type Values = {
  name: string;
  diditApplicationId: string;
  environment: "sandbox" | "live";
  apiKey: string;
  defaultWorkflowUser: string;
  defaultWorkflowBusiness: string;
  workflows: { name: string; id: string; kind: WorkflowKind }[];
};

const ENVIRONMENT_OPTIONS = [
  { value: "sandbox", label: "Sandbox" },
  { value: "live", label: "Live" },
] as const;

const FIELDS = [
  "name",
  "diditApplicationId",
  "environment",
  "apiKey",
  "defaultWorkflowUser",
  "defaultWorkflowBusiness",
  "workflows",
] as const;

/** The shared zod schemas, fetched on first validation (zod stays off the page's first load). */
function lazyResolver(kind: FormMode["kind"]): Resolver<Values> {
  let loaded: Promise<Resolver<Values>> | undefined;
  const load = () =>
    Promise.all([
      import("@hookform/resolvers/zod"),
      import("@/lib/schemas/applications"),
      import("zod"),
    ]).then(([{ zodResolver }, schemas, { z }]) => {
      const schema =
        kind === "create"
          ? schemas.createApplicationRequestSchema
          : kind === "rotate"
            ? z.object({ apiKey: schemas.apiKeySchema })
            : schemas.updateApplicationRequestSchema;
      return zodResolver(schema as never) as unknown as Resolver<Values>;
    });
  return async (values, context, options) => {
    loaded ??= load();
    const resolver = await loaded;
    const picked =
      kind === "rotate"
        ? { apiKey: values.apiKey }
        : kind === "edit"
          ? {
              name: values.name,
              environment: values.environment,
              defaultWorkflowUser: values.defaultWorkflowUser,
              defaultWorkflowBusiness: values.defaultWorkflowBusiness,
              workflows: values.workflows,
            }
          : values;
    return resolver(picked as Values, context, options);
  };
}

const resolvers = {
  create: lazyResolver("create"),
  edit: lazyResolver("edit"),
  rotate: lazyResolver("rotate"),
};

function defaults(mode: FormMode | null): Values {
  const app = mode && mode.kind !== "create" ? mode.app : null;
  return {
    name: app?.name ?? "",
    diditApplicationId: app?.diditApplicationId ?? "",
    environment: app?.environment ?? "sandbox",
    apiKey: "",
    defaultWorkflowUser: app?.defaultWorkflowUser ?? "",
    defaultWorkflowBusiness: app?.defaultWorkflowBusiness ?? "",
    workflows: app?.workflows.map((w) => ({ ...w })) ?? [],
  };
}

const TEXTS = {
  create: {
    title: "Connect a Didit application",
    description:
      "Handoff tests the key with Didit, then registers its webhook so the session picker stays current. The key is stored encrypted and never shown again.",
    submit: "Test key and connect",
    busy: "Testing the key…",
  },
  edit: {
    title: "Edit the application",
    description: "The Didit application ID cannot change: connect another application instead.",
    submit: "Save changes",
    busy: "Saving…",
  },
  rotate: {
    title: "Rotate the API key",
    description:
      "Paste the new key from the Didit console. Handoff tests it first; the old key stays in use if the new one is refused.",
    submit: "Test and replace the key",
    busy: "Testing the key…",
  },
} as const;

export function ApplicationFormDialog({ mode, onClose }: { mode: FormMode | null; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  // A fresh form per opening (it unmounts on close) and per kind: each has its own schema.
  const key = mode ? `${mode.kind}:${mode.kind === "create" ? "" : mode.app.id}` : "";
  return (
    <Dialog open={mode !== null} onOpenChange={(open) => !open && !busy && onClose()}>
      <DialogContent className="max-w-lg">
        {mode && <ApplicationForm key={key} mode={mode} onClose={onClose} onBusy={setBusy} />}
      </DialogContent>
    </Dialog>
  );
}

function ApplicationForm({
  mode,
  onClose,
  onBusy,
}: {
  mode: FormMode;
  onClose: () => void;
  onBusy: (busy: boolean) => void;
}) {
  const kind = mode.kind;
  const create = useCreateApplication();
  const update = useUpdateApplication();
  const mutation = kind === "create" ? create : update;
  const form = useForm<Values>({ resolver: resolvers[kind], defaultValues: defaults(mode) });
  const workflowRows = useFieldArray({ control: form.control, name: "workflows" });
  const namedWorkflows = useWatch({ control: form.control, name: "workflows" }) ?? [];
  const pending = mutation.isPending;
  useEffect(() => onBusy(pending), [pending, onBusy]);

  function onError(error: Error) {
    showServerFieldErrors(form.setError, error, FIELDS);
  }

  function onSubmit(values: Values) {
    // The resolver answers the schema's output: only the fields of this kind, "" already null.
    const workflow = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);
    const workflows = {
      defaultWorkflowUser: workflow(values.defaultWorkflowUser),
      defaultWorkflowBusiness: workflow(values.defaultWorkflowBusiness),
      workflows: values.workflows as ApplicationWorkflow[],
    };
    if (mode.kind === "create") {
      create.mutate(
        {
          name: values.name,
          diditApplicationId: values.diditApplicationId,
          environment: values.environment,
          apiKey: values.apiKey,
          ...workflows,
        },
        {
          onSuccess: (app) => {
            onClose();
            toast.success(
              app.webhook.state === "registered"
                ? `${app.name} is connected; its sessions are being synced.`
                : `${app.name} is connected. ${app.webhook.error ? `Its webhook is not registered yet (${app.webhook.error}); Handoff retries.` : "Its setup continues in the background."}`,
            );
          },
          onError,
        },
      );
      return;
    }
    const input =
      mode.kind === "rotate"
        ? { apiKey: values.apiKey }
        : { name: values.name, environment: values.environment, ...workflows };
    update.mutate(
      { id: mode.app.id, ...input },
      {
        onSuccess: (app) => {
          onClose();
          toast.success(
            mode.kind === "rotate"
              ? `The key of ${app.name} is replaced (••••${app.apiKeyLast4}).`
              : `${app.name} is saved.`,
          );
        },
        onError,
      },
    );
  }

  const fieldErrors = mutation.error instanceof ApiError ? mutation.error.fieldErrors : {};
  const generalError = mutation.isError && !FIELDS.some((f) => fieldErrors[f]?.length);
  const t = TEXTS[kind];
  const show = (field: (typeof FIELDS)[number]) =>
    kind === "create" ||
    (kind === "rotate" ? field === "apiKey" : field !== "apiKey" && field !== "diditApplicationId");

  return (
    <>
      <DialogHeader>
        <DialogTitle>{t.title}</DialogTitle>
        <DialogDescription>
          {mode.kind !== "create" ? <strong className="font-medium">{mode.app.name}. </strong> : null}
          {t.description}
        </DialogDescription>
      </DialogHeader>
      <Form {...form}>
        <form onSubmit={form.handleSubmit(onSubmit)} className="grid gap-4" aria-label={t.title} noValidate>
          {show("name") && (
            <TextFormField
              control={form.control}
              name="name"
              label="Name"
              autoComplete="off"
              placeholder="Northwind Bank"
            />
          )}
          {show("diditApplicationId") && (
            <TextFormField
              control={form.control}
              name="diditApplicationId"
              label="Didit application ID"
              description="The application's UUID in the Didit business console."
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
            />
          )}
          {show("environment") && (
            <SelectFormField
              control={form.control}
              name="environment"
              label="Environment"
              options={ENVIRONMENT_OPTIONS}
            />
          )}
          {show("apiKey") && (
            <TextFormField
              control={form.control}
              name="apiKey"
              label={kind === "rotate" ? "New API key" : "API key"}
              description="Needs the read:sessions and write:sessions privileges."
              type="password"
              autoComplete="off"
              spellCheck={false}
            />
          )}
          {show("workflows") && (
            <fieldset className="grid gap-2">
              <legend className="text-sm font-medium text-slate-700">Workflows</legend>
              <p className="text-xs text-slate-600">
                Name this application&apos;s Didit workflows (ID from the Didit console) so that
                partners&apos; import workflows and imports pick them by name.
              </p>
              {workflowRows.fields.length > 0 && (
                <ul className="grid gap-3">
                  {workflowRows.fields.map((row, i) => (
                    <li
                      key={row.id}
                      aria-label={`Workflow ${i + 1}`}
                      className="grid gap-2 rounded-md border border-slate-200 p-2 sm:grid-cols-[1fr_6rem_auto]"
                    >
                      <TextFormField
                        control={form.control}
                        name={`workflows.${i}.name`}
                        label="Name"
                        autoComplete="off"
                        placeholder="e.g. Onboarding KYC"
                      />
                      <FormField
                        control={form.control}
                        name={`workflows.${i}.kind`}
                        render={({ field }) => (
                          <FormItem>
                            <FormLabel>Kind</FormLabel>
                            <FormControl>
                              <select
                                className="h-9 w-full rounded-md border border-slate-300 bg-white px-2 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-brand-500"
                                name={field.name}
                                ref={field.ref}
                                value={field.value}
                                onBlur={field.onBlur}
                                onChange={field.onChange}
                              >
                                {WORKFLOW_KINDS.map((k) => (
                                  <option key={k} value={k}>
                                    {WORKFLOW_KIND_LABELS[k]}
                                  </option>
                                ))}
                              </select>
                            </FormControl>
                            <FormMessage />
                          </FormItem>
                        )}
                      />
                      <div className="flex items-end justify-end sm:row-span-2">
                        <Button
                          type="button"
                          size="icon"
                          variant="ghost"
                          aria-label={`Remove workflow ${i + 1}`}
                          onClick={() => workflowRows.remove(i)}
                        >
                          <Trash2 aria-hidden />
                        </Button>
                      </div>
                      <div className="sm:col-span-2">
                        <TextFormField
                          control={form.control}
                          name={`workflows.${i}.id`}
                          label="Workflow ID"
                          autoComplete="off"
                          spellCheck={false}
                          className="font-mono"
                        />
                      </div>
                    </li>
                  ))}
                </ul>
              )}
              <div>
                <Button
                  type="button"
                  size="sm"
                  variant="secondary"
                  onClick={() => workflowRows.append({ name: "", id: "", kind: "user" })}
                >
                  <Plus aria-hidden /> Add a workflow
                </Button>
              </div>
              {workflowsError(form.formState.errors.workflows, fieldErrors)}
            </fieldset>
          )}
          {show("defaultWorkflowUser") && (
            <div className="grid gap-4 sm:grid-cols-2">
              {(["user", "business"] as const).map((k) => (
                <FormField
                  key={k}
                  control={form.control}
                  name={k === "user" ? "defaultWorkflowUser" : "defaultWorkflowBusiness"}
                  render={({ field }) => (
                    <FormItem>
                      <FormLabel>Default {WORKFLOW_KIND_LABELS[k]} import workflow</FormLabel>
                      <FormControl>
                        <WorkflowPicker
                          label={`Default ${WORKFLOW_KIND_LABELS[k]} import workflow`}
                          kind={k}
                          workflows={namedWorkflows.filter((w) => w.name.trim() && w.id.trim())}
                          value={field.value}
                          onChange={field.onChange}
                          onBlur={field.onBlur}
                          ref={field.ref}
                          emptyLabel="None set"
                        />
                      </FormControl>
                      <FormDescription>Used when a partner names no import workflow.</FormDescription>
                      <FormMessage />
                    </FormItem>
                  )}
                />
              ))}
            </div>
          )}
          {generalError && <Alert>{mutation.error?.message}</Alert>}
          <DialogFooter>
            <Button type="button" variant="secondary" onClick={onClose} disabled={mutation.isPending}>
              Cancel
            </Button>
            <Button type="submit" pending={mutation.isPending}>
              {mutation.isPending ? t.busy : t.submit}
            </Button>
          </DialogFooter>
        </form>
      </Form>
    </>
  );
}

/** A problem with the list as a whole (a duplicate, too many) or from the server, under the list. */
function workflowsError(error: unknown, server: Record<string, string[]>) {
  const own = (error as { message?: string; root?: { message?: string } } | undefined) ?? undefined;
  const message =
    own?.message ??
    own?.root?.message ??
    Object.entries(server).find(([key]) => key.startsWith("workflows"))?.[1]?.[0];
  return message ? (
    <p role="alert" className="text-xs font-medium text-red-700">
      {message}
    </p>
  ) : null;
}
