"use client";

import { formatTtl } from "@/components/shares/format";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import { formatDate } from "@/lib/format";
import { CHANNEL_LABELS, DIRECTION_LABELS, KIND_LABELS, type PartnerDetailDto } from "@/lib/schemas/partners";
import { AgreementBadge } from "./agreement-badge";
import { Field, none, WorkflowName } from "./partner-detail-fields";

// The partner's record, read-only, in the form's sections.

/** In the share wizard's words ("15 minutes", "4 hours"). */
const ttl = formatTtl;

export function PartnershipCard({ partner: p }: { partner: PartnerDetailDto }) {
  return (
    <Card title="Partnership">
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Field label="Partner's Didit application">
          <code className="font-mono text-xs">{p.diditApplicationId}</code>
        </Field>
        <Field label="For our application">{p.application.name}</Field>
        <Field label="Direction">{DIRECTION_LABELS[p.direction]}</Field>
        <Field label="Agreement reference">{p.agreementReference ?? none}</Field>
        <Field label="Signed on">{p.agreementSignedOn ? formatDate(p.agreementSignedOn) : none}</Field>
        <Field label="Expires on">
          <span className="flex flex-wrap items-center gap-1.5">
            {p.agreementExpiresOn
              ? formatDate(p.agreementExpiresOn)
              : p.agreementState === "none"
                ? none
                : "no end date"}
            <AgreementBadge partner={p} />
          </span>
        </Field>
      </dl>
    </Card>
  );
}

export function SharingCard({ partner: p }: { partner: PartnerDetailDto }) {
  return (
    <Card title="Sharing with them">
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Field label="Session kinds">{p.allowedKinds.map((k) => KIND_LABELS[k]).join(", ")}</Field>
        <Field label="Statuses we may share">{p.allowedStatuses.join(", ")}</Field>
        <Field label="Token lifetime">
          default {ttl(p.defaultTtlSeconds)}, at most {ttl(p.maxTtlSeconds)}
        </Field>
        <Field label="Delivery channel">{CHANNEL_LABELS[p.deliveryChannel]}</Field>
        <Field label="Push URL">
          {p.pushUrl ? <code className="break-all font-mono text-xs">{p.pushUrl}</code> : none}
        </Field>
        <Field label="Partner API base URL">
          {p.partnerApiBaseUrl ? (
            <code className="break-all font-mono text-xs">{p.partnerApiBaseUrl}</code>
          ) : (
            none
          )}
        </Field>
      </dl>
    </Card>
  );
}

export function ImportingCard({ partner: p }: { partner: PartnerDetailDto }) {
  const apps = useApplicationOptions();
  const workflows = apps.data?.items.find((a) => a.id === p.applicationId)?.workflows ?? [];
  return (
    <Card title="Importing from them">
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Field label="Import">{p.importMode === "auto" ? "Automatically on arrival" : "By hand"}</Field>
        <Field label="Trust their review">
          {p.trustReview ? "Yes: keep their status" : "No: land in In Review"}
        </Field>
        <Field label="Review SLA">{p.reviewSlaHours} hours</Field>
        <Field label="KYC import workflow">
          <WorkflowName id={p.importWorkflowUser} workflows={workflows} />
        </Field>
        <Field label="KYB import workflow">
          <WorkflowName id={p.importWorkflowBusiness} workflows={workflows} />
        </Field>
        <Field label="vendor_data template">
          {p.vendorDataTemplate ? <code className="font-mono text-xs">{p.vendorDataTemplate}</code> : none}
        </Field>
        <Field label="Four eyes">{p.requireFourEyes ? "A second officer must confirm" : "No"}</Field>
        <Field label="Our partner id at this partner">
          {p.remotePartnerId ? <code className="font-mono text-xs">{p.remotePartnerId}</code> : none}
        </Field>
        <Field label="Pick-up from their console">
          {p.inboundPickup ? "On: polled for shares waiting for us" : "Off"}
        </Field>
        {(p.inboundPickup || p.pickupPolledAt) && (
          <Field label="Last pick-up poll">
            {p.pickupPolledAt ? <DateTime value={p.pickupPolledAt} /> : "not yet"}
          </Field>
        )}
      </dl>
      {p.pickupError && (
        <div className="mt-4">
          <Alert title="The last pick-up poll failed">
            {p.pickupError}. It is tried again at the next poll; check the partner API base URL, our partner
            id there and the shared secret.
          </Alert>
        </div>
      )}
    </Card>
  );
}
