"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { useFieldArray, useForm, useWatch, type FieldPath, type Resolver } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { TextFormField } from "@/components/ui/form-fields";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { ApiError } from "@/lib/client/api-fetch";
import { isApplicationDto, type WorkflowKind } from "@/lib/schemas/applications";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import {
  CHANNEL_LABELS,
  createPartnerRequestSchema,
  DELIVERY_CHANNELS,
  DIRECTION_LABELS,
  KIND_LABELS,
  PARTNER_DIRECTIONS,
  PARTNER_FORM_FIELDS,
  SESSION_KINDS,
  SHAREABLE_STATUSES,
  VENDOR_DATA_PLACEHOLDERS,
  type CreatePartnerInput,
  type PartnerDto,
  type UpdatePartnerRequest,
} from "@/lib/schemas/partners";
import { WorkflowPicker } from "@/components/applications/workflow-picker";
import { formatTtl } from "@/components/shares/format";
import {
  amountOfSeconds,
  PARTNER_TTL_PRESETS,
  secondsOfAmount,
  type LifetimeAmount,
  type LifetimeUnit,
} from "./lifetime-units";

/** What the form holds: text fields as strings ("" for none), as the inputs give them. */
export type PartnerFormValues = {
  name: string;
  diditApplicationId: string;
  applicationId: string;
  direction: PartnerDto["direction"];
  agreementReference: string;
  agreementSignedOn: string;
  agreementExpiresOn: string;
  allowedKinds: PartnerDto["allowedKinds"];
  allowedStatuses: PartnerDto["allowedStatuses"];
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  deliveryChannel: PartnerDto["deliveryChannel"];
  pushUrl: string;
  partnerApiBaseUrl: string;
  remotePartnerId: string;
  inboundPickup: boolean;
  importMode: PartnerDto["importMode"];
  trustReview: boolean;
  importWorkflowUser: string;
  importWorkflowBusiness: string;
  vendorDataTemplate: string;
  reviewSlaHours: number;
  requireFourEyes: boolean;
  contacts: { name: string; email: string; phone: string; role: string }[];
  notes: string;
};

export const EMPTY_PARTNER: PartnerFormValues = {
  name: "",
  diditApplicationId: "",
  applicationId: "",
  direction: "outbound",
  agreementReference: "",
  agreementSignedOn: "",
  agreementExpiresOn: "",
  allowedKinds: ["user"],
  allowedStatuses: ["Approved", "In Review"],
  defaultTtlSeconds: 3600,
  maxTtlSeconds: 86400,
  deliveryChannel: "manual",
  pushUrl: "",
  partnerApiBaseUrl: "",
  remotePartnerId: "",
  inboundPickup: false,
  importMode: "manual",
  trustReview: false,
  importWorkflowUser: "",
  importWorkflowBusiness: "",
  vendorDataTemplate: "",
  reviewSlaHours: 48,
  requireFourEyes: false,
  contacts: [],
  notes: "",
};

export function formValuesOf(p: PartnerDto): PartnerFormValues {
  return {
    name: p.name,
    diditApplicationId: p.diditApplicationId,
    applicationId: p.applicationId,
    direction: p.direction,
    agreementReference: p.agreementReference ?? "",
    agreementSignedOn: p.agreementSignedOn ?? "",
    agreementExpiresOn: p.agreementExpiresOn ?? "",
    allowedKinds: p.allowedKinds,
    allowedStatuses: p.allowedStatuses,
    defaultTtlSeconds: p.defaultTtlSeconds,
    maxTtlSeconds: p.maxTtlSeconds,
    deliveryChannel: p.deliveryChannel,
    pushUrl: p.pushUrl ?? "",
    partnerApiBaseUrl: p.partnerApiBaseUrl ?? "",
    remotePartnerId: p.remotePartnerId ?? "",
    inboundPickup: p.inboundPickup,
    importMode: p.importMode,
    trustReview: p.trustReview,
    importWorkflowUser: p.importWorkflowUser ?? "",
    importWorkflowBusiness: p.importWorkflowBusiness ?? "",
    vendorDataTemplate: p.vendorDataTemplate ?? "",
    reviewSlaHours: p.reviewSlaHours,
    requireFourEyes: p.requireFourEyes,
    contacts: p.contacts.map((c) => ({
      name: c.name,
      email: c.email ?? "",
      phone: c.phone ?? "",
      role: c.role ?? "",
    })),
    notes: p.notes ?? "",
  };
}

const EDITABLE = PARTNER_FORM_FIELDS;

/** The PATCH body: only the fields whose parsed value differs from the stored partner. */
export function changedFields(parsed: CreatePartnerInput, current: PartnerDto): UpdatePartnerRequest {
  const out: Record<string, unknown> = {};
  for (const key of EDITABLE) {
    if (JSON.stringify(parsed[key]) !== JSON.stringify(current[key])) out[key] = parsed[key];
  }
  return out as UpdatePartnerRequest;
}

// The form checks with the same schema the server does; the server's answer lands on the same fields.
// (typed as the form's own values: the kit's FormField takes no transformed type; submit casts.)
const resolver = zodResolver(createPartnerRequestSchema) as unknown as Resolver<PartnerFormValues>;

/**
 * A lifetime in the share wizard's units: a whole number of minutes or hours, or one of the
 * wizard's presets. The form's value stays seconds (the API's unit); an untouched odd value of
 * seconds from the API is kept as it is.
 */
function LifetimeControl({
  label,
  value,
  onChange,
  onBlur,
  inputRef,
}: {
  label: string;
  value: number;
  onChange: (seconds: number) => void;
  onBlur: () => void;
  inputRef: (el: HTMLInputElement | null) => void;
}) {
  const [shown, setShown] = useState<LifetimeAmount>(() => amountOfSeconds(value));
  const set = (next: LifetimeAmount) => {
    setShown(next);
    onChange(secondsOfAmount(next));
  };
  return (
    <div className="space-y-2">
      <div className="grid grid-cols-[1fr_8rem] gap-2">
        <FormControl>
          <Input
            inputMode="numeric"
            autoComplete="off"
            ref={inputRef}
            value={shown.amount}
            onBlur={onBlur}
            onChange={(e) => set({ ...shown, amount: e.target.value })}
          />
        </FormControl>
        <select
          aria-label={`${label}: unit`}
          className="h-9 w-full rounded-md border border-slate-300 bg-white px-3 pr-8 text-sm text-slate-900 shadow-sm focus-visible:outline-2 focus-visible:outline-brand-500"
          value={shown.unit}
          onChange={(e) => set({ ...shown, unit: e.target.value as LifetimeUnit })}
        >
          <option value="minutes">minutes</option>
          <option value="hours">hours</option>
        </select>
      </div>
      <div role="group" aria-label={`${label}: presets`} className="flex flex-wrap gap-1.5">
        {PARTNER_TTL_PRESETS.map((p) => (
          <Button
            key={p.seconds}
            type="button"
            size="sm"
            variant={value === p.seconds ? "primary" : "secondary"}
            aria-pressed={value === p.seconds}
            onClick={() => set(amountOfSeconds(p.seconds))}
          >
            {p.label}
          </Button>
        ))}
      </div>
    </div>
  );
}

const checkboxClass = "size-4 accent-brand-600";

export function PartnerForm({
  initial,
  mode,
  onSubmit,
  onCancel,
}: {
  initial: PartnerFormValues;
  mode: "create" | "edit";
  /** Saves; a rejection with field errors puts them on the fields. */
  onSubmit: (values: CreatePartnerInput) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const apps = useApplicationOptions();
  const form = useForm<PartnerFormValues>({ resolver, defaultValues: initial });
  const contacts = useFieldArray({ control: form.control, name: "contacts" });
  const channel = useWatch({ control: form.control, name: "deliveryChannel" });
  const direction = useWatch({ control: form.control, name: "direction" });
  const applicationId = useWatch({ control: form.control, name: "applicationId" });
  const [reference, signedOn] = useWatch({
    control: form.control,
    name: ["agreementReference", "agreementSignedOn"],
  });
  const agreementIncomplete = !reference?.trim() || !signedOn;

  const [generalError, setGeneralError] = useState<string | null>(null);

  async function submit(values: PartnerFormValues) {
    setGeneralError(null);
    try {
      // The resolver hands over the schema's output (defaults filled, "" as null).
      await onSubmit(values as unknown as CreatePartnerInput);
    } catch (error) {
      // The server's field messages (a taken application id, say) land on their fields; focus the first.
      const fields = error instanceof ApiError ? error.fieldErrors : {};
      const known = Object.keys(fields).filter(isFormField);
      known.forEach((key, i) =>
        form.setError(
          key as FieldPath<PartnerFormValues>,
          { message: fields[key]![0] },
          { shouldFocus: i === 0 },
        ),
      );
      if (known.length === 0) setGeneralError(error instanceof Error ? error.message : "Could not save.");
    }
  }
  const pending = form.formState.isSubmitting;

  const numberField = (name: "reviewSlaHours", label: string, hint: string) => (
    <FormField
      control={form.control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <Input
              type="number"
              inputMode="numeric"
              name={field.name}
              ref={field.ref}
              onBlur={field.onBlur}
              value={Number.isNaN(field.value) ? "" : String(field.value)}
              onChange={(e) => field.onChange(e.target.value === "" ? Number.NaN : Number(e.target.value))}
            />
          </FormControl>
          <FormDescription>{hint}</FormDescription>
          <FormMessage />
        </FormItem>
      )}
    />
  );

  const lifetimeField = (name: "defaultTtlSeconds" | "maxTtlSeconds", label: string, hint: string) => (
    <FormField
      control={form.control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <LifetimeControl
            label={label}
            value={field.value}
            onChange={field.onChange}
            onBlur={field.onBlur}
            inputRef={field.ref}
          />
          <FormDescription>
            {hint}
            {Number.isFinite(field.value) && field.value % 60 !== 0 && (
              <> Stored as {formatTtl(field.value)}: enter minutes or hours to change it.</>
            )}
          </FormDescription>
          <FormMessage />
        </FormItem>
      )}
    />
  );

  const workflowField = (
    name: "importWorkflowUser" | "importWorkflowBusiness",
    kind: WorkflowKind,
    label: string,
  ) => (
    <FormField
      control={form.control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <WorkflowPicker
              label={label}
              kind={kind}
              workflows={chosenApp?.workflows ?? []}
              value={field.value}
              onChange={field.onChange}
              onBlur={field.onBlur}
              ref={field.ref}
              emptyLabel={`The application's default${defaultWorkflowName(kind)}`}
            />
          </FormControl>
          <FormDescription>
            Workflows are named on the Applications page; another workflow can be entered by its ID.
          </FormDescription>
          <FormMessage />
        </FormItem>
      )}
    />
  );

  const textField = (
    name: FieldPath<PartnerFormValues>,
    label: string,
    options: { hint?: string; placeholder?: string; type?: string; mono?: boolean } = {},
  ) => (
    <TextFormField
      control={form.control}
      name={name}
      label={label}
      description={options.hint}
      type={options.type ?? "text"}
      autoComplete="off"
      placeholder={options.placeholder}
      className={options.mono ? "font-mono" : undefined}
    />
  );

  const selectField = <V extends string>(
    name: "applicationId" | "direction" | "deliveryChannel" | "importMode",
    label: string,
    choices: { value: V; label: string }[],
    hint?: string,
  ) => (
    <FormField
      control={form.control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <select
              className="h-9 w-full rounded-md border border-slate-300 bg-white px-3 pr-8 text-sm text-slate-900 shadow-sm focus-visible:outline-2 focus-visible:outline-brand-500 aria-invalid:border-red-500"
              name={field.name}
              ref={field.ref}
              onBlur={field.onBlur}
              value={field.value}
              onChange={field.onChange}
            >
              {name === "applicationId" && <option value="">Choose an application…</option>}
              {choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </FormControl>
          {hint && <FormDescription>{hint}</FormDescription>}
          <FormMessage />
        </FormItem>
      )}
    />
  );

  const checkGroup = <V extends string>(
    name: "allowedKinds" | "allowedStatuses",
    legend: string,
    choices: { value: V; label: string }[],
    hint: string,
  ) => (
    <FormField
      control={form.control}
      name={name}
      render={({ field, fieldState }) => {
        const value = field.value as string[];
        return (
          <fieldset className="space-y-1.5" aria-describedby={`${name}-hint`}>
            <legend className="text-sm font-medium text-slate-700">{legend}</legend>
            <div className="flex flex-wrap gap-x-4 gap-y-1">
              {choices.map((c) => (
                <label key={c.value} className="flex items-center gap-2 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    className={checkboxClass}
                    checked={value.includes(c.value)}
                    onChange={(e) =>
                      field.onChange(
                        e.target.checked ? [...value, c.value] : value.filter((v) => v !== c.value),
                      )
                    }
                    onBlur={field.onBlur}
                  />
                  {c.label}
                </label>
              ))}
            </div>
            <p id={`${name}-hint`} className="text-xs text-slate-600">
              {hint}
            </p>
            {fieldState.error && (
              <p role="alert" className="text-xs font-medium text-red-700">
                {fieldState.error.message}
              </p>
            )}
          </fieldset>
        );
      }}
    />
  );

  const checkbox = (
    name: "trustReview" | "requireFourEyes" | "inboundPickup",
    label: string,
    hint: string,
  ) => (
    <FormField
      control={form.control}
      name={name}
      render={({ field }) => (
        <div className="space-y-1">
          <label className="flex items-center gap-2 text-sm font-medium text-slate-800">
            <input
              type="checkbox"
              className={checkboxClass}
              name={field.name}
              ref={field.ref}
              checked={field.value}
              onChange={(e) => field.onChange(e.target.checked)}
              onBlur={field.onBlur}
            />
            {label}
          </label>
          <p className="pl-6 text-xs text-slate-600">{hint}</p>
        </div>
      )}
    />
  );

  const appChoices = (apps.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }));
  const chosenApp = apps.data?.items.find((a) => a.id === applicationId);
  // The application's default, by name when it is named (only admins see which id it is).
  const defaultWorkflowName = (kind: WorkflowKind) => {
    const id =
      chosenApp && isApplicationDto(chosenApp)
        ? kind === "user"
          ? chosenApp.defaultWorkflowUser
          : chosenApp.defaultWorkflowBusiness
        : null;
    const named = id ? chosenApp?.workflows.find((w) => w.id === id) : undefined;
    return named ? ` (${named.name})` : "";
  };
  // The current application stays choosable even when it was removed since.
  if (initial.applicationId && !appChoices.some((a) => a.value === initial.applicationId)) {
    appChoices.push({ value: initial.applicationId, label: "(removed application)" });
  }

  return (
    <Form {...form}>
      <form
        onSubmit={form.handleSubmit(submit)}
        aria-label={mode === "create" ? "New partner" : "Edit partner"}
        noValidate
        className="space-y-6"
      >
        <Card title="Partner">
          <div className="grid gap-4 md:grid-cols-2">
            {textField("name", "Name", { placeholder: "e.g. Acme Payments Ltd" })}
            {textField("diditApplicationId", "Partner's Didit application id", {
              hint: "The uuid of their application at Didit: tokens we mint are usable only by it.",
              placeholder: "00000000-0000-0000-0000-000000000000",
              mono: true,
            })}
            {selectField(
              "applicationId",
              "For our application",
              appChoices,
              apps.isError
                ? `Could not load the applications: ${apps.error.message}`
                : "Which of our Didit applications this partnership is for.",
            )}
            {selectField(
              "direction",
              "Direction",
              PARTNER_DIRECTIONS.map((d) => ({ value: d, label: DIRECTION_LABELS[d] })),
            )}
          </div>
        </Card>

        <Card
          title="Data-sharing agreement"
          description="No share or import happens without an agreement in force: its reference and signing date, and no expiry passed."
        >
          <div className="grid gap-4 md:grid-cols-3">
            {textField("agreementReference", "Reference", { placeholder: "e.g. DSA-2026-014" })}
            {textField("agreementSignedOn", "Signed on", { type: "date" })}
            {textField("agreementExpiresOn", "Expires on", { type: "date", hint: "Flagged 30 days ahead." })}
          </div>
          {agreementIncomplete && (
            <p className="mt-3 text-sm text-amber-800">
              Without a reference and a signing date no agreement is in force: the partner can be saved, but
              nothing is shared with it or imported from it until both are recorded.
            </p>
          )}
        </Card>

        <Card
          title="Sharing with them"
          description={direction === "inbound" ? "Used once the direction includes outbound." : undefined}
        >
          <div className="grid gap-4 md:grid-cols-2">
            {checkGroup(
              "allowedKinds",
              "Session kinds",
              SESSION_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
              "What may be shared with (and imported from) this partner.",
            )}
            {checkGroup(
              "allowedStatuses",
              "Statuses we may share",
              SHAREABLE_STATUSES.map((s) => ({ value: s, label: s })),
              "Declined sessions are shared only when the agreement says so.",
            )}
            {lifetimeField(
              "defaultTtlSeconds",
              "Default token lifetime",
              "From 1 minute to 24 hours: what the share wizard proposes.",
            )}
            {lifetimeField("maxTtlSeconds", "Maximum token lifetime", "An officer cannot pick longer.")}
            {selectField(
              "deliveryChannel",
              "Delivery channel",
              DELIVERY_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] })),
              "Internal is only for a sister brand (one of our connected applications).",
            )}
            {channel === "push"
              ? textField("pushUrl", "Push URL", {
                  hint: "The partner's inbox, https://…; we sign each delivery with the shared secret.",
                  placeholder: "https://partner.example/api/partner/v1/inbox/…",
                })
              : textField("partnerApiBaseUrl", "Partner API base URL (optional)", {
                  hint: "Their Handoff console's origin (or their own partner API): receipts go back to it, and pick-up polls it.",
                  placeholder: "https://partner.example",
                })}
            {channel === "push" &&
              textField("partnerApiBaseUrl", "Partner API base URL (optional)", {
                hint: "Their Handoff console's origin (or their own partner API): receipts go back to it, and pick-up polls it.",
                placeholder: "https://partner.example",
              })}
          </div>
        </Card>

        <Card
          title="Importing from them"
          description={direction === "outbound" ? "Used once the direction includes inbound." : undefined}
        >
          <div className="grid gap-4 md:grid-cols-2">
            {selectField("importMode", "Import", [
              { value: "manual", label: "By hand: an officer imports each token" },
              { value: "auto", label: "Automatically on arrival" },
            ])}
            {numberField(
              "reviewSlaHours",
              "Review SLA (hours)",
              "How long an imported clone may wait in review.",
            )}
            {workflowField("importWorkflowUser", "user", "KYC import workflow")}
            {workflowField("importWorkflowBusiness", "business", "KYB import workflow")}
            <div className="md:col-span-2">
              {textField("vendorDataTemplate", "vendor_data template (optional)", {
                placeholder: "acme-{source_session}",
                hint: `Placeholders: ${Object.keys(VENDOR_DATA_PLACEHOLDERS)
                  .map((p) => `{${p}}`)
                  .join(", ")}.`,
                mono: true,
              })}
            </div>
            {checkbox(
              "trustReview",
              "Trust their review",
              "Imported sessions keep the partner's status; otherwise they land in In Review for our own decision.",
            )}
            {checkbox(
              "requireFourEyes",
              "Four eyes",
              "A decision on an imported clone needs a second, different officer.",
            )}
          </div>
          <div className="mt-6 space-y-4 border-t border-slate-200 pt-4">
            <div>
              <h3 className="text-sm font-semibold text-slate-900">When they run Handoff too</h3>
              <p className="text-xs text-slate-600">
                Their console made us its partner and gave us our partner id there and a shared secret (enter
                that secret under &quot;Partner API and shared secret&quot;, on the partner&apos;s page). With
                these set, we send receipts back to their console after each import or rejection.
              </p>
            </div>
            <div className="grid gap-4 md:grid-cols-2">
              {textField("remotePartnerId", "Our partner id at this partner (optional)", {
                hint: "The handoff-partner-id their console gave us: we send it with every request to their partner API.",
                placeholder: "00000000-0000-0000-0000-000000000000",
                mono: true,
              })}
              {checkbox(
                "inboundPickup",
                "Pick up tokens from their console",
                "Their channel for us is pick-up: this console polls their partner API for shares waiting for us and takes each token once. Needs the partner API base URL, our partner id there and a direction that includes inbound.",
              )}
            </div>
          </div>
        </Card>

        <Card
          title="Contacts"
          actions={
            <Button
              type="button"
              size="sm"
              variant="secondary"
              onClick={() => contacts.append({ name: "", email: "", phone: "", role: "" })}
            >
              <Plus aria-hidden /> Add contact
            </Button>
          }
        >
          {contacts.fields.length === 0 ? (
            <p className="text-sm text-slate-600">No contacts yet: add who to call about this partnership.</p>
          ) : (
            <ul className="space-y-4">
              {contacts.fields.map((c, i) => (
                <li
                  key={c.id}
                  className="grid gap-3 md:grid-cols-[1fr_1fr_1fr_1fr_auto]"
                  aria-label={`Contact ${i + 1}`}
                >
                  {textField(`contacts.${i}.name`, "Contact name")}
                  {textField(`contacts.${i}.email`, "Email", { type: "email" })}
                  {textField(`contacts.${i}.phone`, "Phone", { type: "tel" })}
                  {textField(`contacts.${i}.role`, "Role", { placeholder: "e.g. DPO" })}
                  <div className="md:pt-6">
                    <Button
                      type="button"
                      size="icon"
                      variant="ghost"
                      aria-label={`Remove contact ${i + 1}`}
                      onClick={() => contacts.remove(i)}
                    >
                      <Trash2 aria-hidden />
                    </Button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card title="Notes">
          <FormField
            control={form.control}
            name="notes"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Notes (optional)</FormLabel>
                <FormControl>
                  <Textarea rows={3} maxLength={2000} {...field} />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
        </Card>

        {generalError && <Alert>{generalError}</Alert>}
        <div className="flex gap-2">
          <Button type="submit" pending={pending}>
            {pending ? "Saving…" : mode === "create" ? "Create partner" : "Save changes"}
          </Button>
          {onCancel && (
            <Button type="button" variant="secondary" onClick={onCancel} disabled={pending}>
              Cancel
            </Button>
          )}
        </div>
      </form>
    </Form>
  );
}

const TOP_LEVEL = new Set<string>([...EDITABLE]);
function isFormField(key: string): boolean {
  return TOP_LEVEL.has(key.split(".")[0]!);
}
