import { zodResolver } from "@hookform/resolvers/zod";
import type { Resolver } from "react-hook-form";
import {
  createPartnerRequestSchema,
  PARTNER_FORM_FIELDS,
  type CreatePartnerInput,
  type PartnerDto,
  type UpdatePartnerRequest,
} from "@/lib/schemas/partners";

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
export const partnerFormResolver = zodResolver(
  createPartnerRequestSchema,
) as unknown as Resolver<PartnerFormValues>;

const TOP_LEVEL = new Set<string>([...EDITABLE]);

/** Whether a server field error (`contacts.0.email`, say) names one of the form's fields. */
export function isFormField(key: string): boolean {
  return TOP_LEVEL.has(key.split(".")[0]!);
}
