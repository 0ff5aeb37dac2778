"use client";

import { useFormContext, useWatch } from "react-hook-form";
import { Card } from "@/components/ui/card";
import { NativeSelectFormField } from "@/components/ui/form-fields";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import {
  CHANNEL_LABELS,
  DELIVERY_CHANNELS,
  DIRECTION_LABELS,
  KIND_LABELS,
  PARTNER_DIRECTIONS,
  SESSION_KINDS,
  SHAREABLE_STATUSES,
} from "@/lib/schemas/partners";
import { CheckGroupField, LifetimeField, PartnerTextField } from "./partner-form-fields";
import type { PartnerFormValues } from "./partner-form-values";

// The selects stay native (the kit's NativeSelectFormField): the e2e specs pick with selectOption.

/** Who the partner is, for which of our applications, and which way tokens travel. */
export function PartnerSection({ currentApplicationId }: { currentApplicationId: string }) {
  const { control } = useFormContext<PartnerFormValues>();
  const apps = useApplicationOptions();
  const appChoices = (apps.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }));
  // The current application stays choosable even when it was removed since.
  if (currentApplicationId && !appChoices.some((a) => a.value === currentApplicationId)) {
    appChoices.push({ value: currentApplicationId, label: "(removed application)" });
  }
  return (
    <Card title="Partner">
      <div className="grid gap-4 md:grid-cols-2">
        <PartnerTextField name="name" label="Name" placeholder="e.g. Acme Payments Ltd" />
        <PartnerTextField
          name="diditApplicationId"
          label="Partner's Didit application id"
          hint="The uuid of their application at Didit: tokens we mint are usable only by it."
          placeholder="00000000-0000-0000-0000-000000000000"
          mono
        />
        <NativeSelectFormField
          control={control}
          name="applicationId"
          label="For our application"
          placeholder="Choose an application…"
          options={appChoices}
          description={
            apps.isError
              ? `Could not load the applications: ${apps.error.message}`
              : "Which of our Didit applications this partnership is for."
          }
        />
        <NativeSelectFormField
          control={control}
          name="direction"
          label="Direction"
          options={PARTNER_DIRECTIONS.map((d) => ({ value: d, label: DIRECTION_LABELS[d] }))}
        />
      </div>
    </Card>
  );
}

export function AgreementSection() {
  const { control } = useFormContext<PartnerFormValues>();
  const [reference, signedOn] = useWatch({ control, name: ["agreementReference", "agreementSignedOn"] });
  const agreementIncomplete = !reference?.trim() || !signedOn;
  return (
    <Card
      title="Data-sharing agreement"
      description="No share or import happens without an agreement in force: its reference and signing date, and no expiry passed."
    >
      <div className="grid gap-4 md:grid-cols-3">
        <PartnerTextField name="agreementReference" label="Reference" placeholder="e.g. DSA-2026-014" />
        <PartnerTextField name="agreementSignedOn" label="Signed on" type="date" />
        <PartnerTextField
          name="agreementExpiresOn"
          label="Expires on"
          type="date"
          hint="Flagged 30 days ahead."
        />
      </div>
      {agreementIncomplete && (
        <p className="mt-3 text-sm text-amber-800">
          Without a reference and a signing date no agreement is in force: the partner can be saved, but
          nothing is shared with it or imported from it until both are recorded.
        </p>
      )}
    </Card>
  );
}

const PARTNER_API_HINT =
  "Their Handoff console's origin (or their own partner API): receipts go back to it, and pick-up polls it.";

/** What may be shared with the partner, for how long, and how the token reaches them. */
export function SharingSection() {
  const { control } = useFormContext<PartnerFormValues>();
  const channel = useWatch({ control, name: "deliveryChannel" });
  const direction = useWatch({ control, name: "direction" });
  const partnerApiField = (
    <PartnerTextField
      name="partnerApiBaseUrl"
      label="Partner API base URL (optional)"
      hint={PARTNER_API_HINT}
      placeholder="https://partner.example"
    />
  );
  return (
    <Card
      title="Sharing with them"
      description={direction === "inbound" ? "Used once the direction includes outbound." : undefined}
    >
      <div className="grid gap-4 md:grid-cols-2">
        <CheckGroupField
          name="allowedKinds"
          legend="Session kinds"
          choices={SESSION_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
          hint="What may be shared with (and imported from) this partner."
        />
        <CheckGroupField
          name="allowedStatuses"
          legend="Statuses we may share"
          choices={SHAREABLE_STATUSES.map((s) => ({ value: s, label: s }))}
          hint="Declined sessions are shared only when the agreement says so."
        />
        <LifetimeField
          name="defaultTtlSeconds"
          label="Default token lifetime"
          hint="From 1 minute to 24 hours: what the share wizard proposes."
        />
        <LifetimeField
          name="maxTtlSeconds"
          label="Maximum token lifetime"
          hint="An officer cannot pick longer."
        />
        <NativeSelectFormField
          control={control}
          name="deliveryChannel"
          label="Delivery channel"
          options={DELIVERY_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
          description="Internal is only for a sister brand (one of our connected applications)."
        />
        {channel === "push" ? (
          <PartnerTextField
            name="pushUrl"
            label="Push URL"
            hint="The partner's inbox, https://…; we sign each delivery with the shared secret."
            placeholder="https://partner.example/api/partner/v1/inbox/…"
          />
        ) : (
          partnerApiField
        )}
        {channel === "push" && partnerApiField}
      </div>
    </Card>
  );
}
