"use client";

import { useState } from "react";
import { useForm, type FieldPath } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { ApiError } from "@/lib/client/api-fetch";
import type { CreatePartnerInput } from "@/lib/schemas/partners";
import { ContactsSection, NotesSection } from "./partner-contacts-section";
import { AgreementSection, PartnerSection, SharingSection } from "./partner-form-sections";
import { isFormField, partnerFormResolver, type PartnerFormValues } from "./partner-form-values";
import { ImportingSection } from "./partner-import-section";

export { changedFields, EMPTY_PARTNER, formValuesOf, type PartnerFormValues } from "./partner-form-values";

/** The partner's record as one form, in sections (each its own component, bound by the form context). */
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
  const form = useForm<PartnerFormValues>({ resolver: partnerFormResolver, defaultValues: initial });
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

  return (
    <Form {...form}>
      <form
        onSubmit={form.handleSubmit(submit)}
        aria-label={mode === "create" ? "New partner" : "Edit partner"}
        noValidate
        className="space-y-6"
      >
        <PartnerSection currentApplicationId={initial.applicationId} />
        <AgreementSection />
        <SharingSection />
        <ImportingSection />
        <ContactsSection />
        <NotesSection />

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
