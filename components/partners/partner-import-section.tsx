"use client";

import { useFormContext, useWatch } from "react-hook-form";
import { Card } from "@/components/ui/card";
import { NativeSelectFormField } from "@/components/ui/form-fields";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import { isApplicationDto, type WorkflowKind } from "@/lib/schemas/applications";
import { VENDOR_DATA_PLACEHOLDERS } from "@/lib/schemas/partners";
import { CheckboxField, NumberField, PartnerTextField, WorkflowField } from "./partner-form-fields";
import type { PartnerFormValues } from "./partner-form-values";

const IMPORT_MODES = [
  { value: "manual", label: "By hand: an officer imports each token" },
  { value: "auto", label: "Automatically on arrival" },
];

/** How tokens from the partner are imported, and the console-to-console link when they run Handoff. */
export function ImportingSection() {
  const { control } = useFormContext<PartnerFormValues>();
  const direction = useWatch({ control, name: "direction" });
  const applicationId = useWatch({ control, name: "applicationId" });
  const apps = useApplicationOptions();
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
  const workflows = chosenApp?.workflows ?? [];

  return (
    <Card
      title="Importing from them"
      description={direction === "outbound" ? "Used once the direction includes inbound." : undefined}
    >
      <div className="grid gap-4 md:grid-cols-2">
        <NativeSelectFormField control={control} name="importMode" label="Import" options={IMPORT_MODES} />
        <NumberField
          name="reviewSlaHours"
          label="Review SLA (hours)"
          hint="How long an imported clone may wait in review."
        />
        <WorkflowField
          name="importWorkflowUser"
          kind="user"
          label="KYC import workflow"
          workflows={workflows}
          emptyLabel={`The application's default${defaultWorkflowName("user")}`}
        />
        <WorkflowField
          name="importWorkflowBusiness"
          kind="business"
          label="KYB import workflow"
          workflows={workflows}
          emptyLabel={`The application's default${defaultWorkflowName("business")}`}
        />
        <div className="md:col-span-2">
          <PartnerTextField
            name="vendorDataTemplate"
            label="vendor_data template (optional)"
            placeholder="acme-{source_session}"
            hint={`Placeholders: ${Object.keys(VENDOR_DATA_PLACEHOLDERS)
              .map((p) => `{${p}}`)
              .join(", ")}.`}
            mono
          />
        </div>
        <CheckboxField
          name="trustReview"
          label="Trust their review"
          hint="Imported sessions keep the partner's status; otherwise they land in In Review for our own decision."
        />
        <CheckboxField
          name="requireFourEyes"
          label="Four eyes"
          hint="A decision on an imported clone needs a second, different officer."
        />
      </div>
      <div className="mt-6 space-y-4 border-t border-slate-200 pt-4">
        <div>
          <h3 className="text-sm font-semibold text-slate-900">When they run Handoff too</h3>
          <p className="text-xs text-slate-600">
            Their console made us its partner and gave us our partner id there and a shared secret (enter that
            secret under &quot;Partner API and shared secret&quot;, on the partner&apos;s page). With these
            set, we send receipts back to their console after each import or rejection.
          </p>
        </div>
        <div className="grid gap-4 md:grid-cols-2">
          <PartnerTextField
            name="remotePartnerId"
            label="Our partner id at this partner (optional)"
            hint="The handoff-partner-id their console gave us: we send it with every request to their partner API."
            placeholder="00000000-0000-0000-0000-000000000000"
            mono
          />
          <CheckboxField
            name="inboundPickup"
            label="Pick up tokens from their console"
            hint="Their channel for us is pick-up: this console polls their partner API for shares waiting for us and takes each token once. Needs the partner API base URL, our partner id there and a direction that includes inbound."
          />
        </div>
      </div>
    </Card>
  );
}
