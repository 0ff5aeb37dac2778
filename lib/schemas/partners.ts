import { z } from "zod";
import { blankAsNull, isoDateTime } from "./common";
import type { ShareStateDto } from "./shares";

/**
 * The partner directory's request schemas and DTOs, shared by the routes, the services and the
 * pages. Field names follow the `partners` table (camelCase). Cross-field rules that need the
 * stored row too (a PATCH giving only one side of a pair) are checked again by the service.
 */

export const PARTNER_DIRECTIONS = ["outbound", "inbound", "both"] as const;
export type PartnerDirection = (typeof PARTNER_DIRECTIONS)[number];
export const DELIVERY_CHANNELS = ["internal", "push", "pickup", "manual"] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const SESSION_KINDS = ["user", "business"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
/** The finished statuses a share may carry (Title Case, as Didit's KYC sessions). */
export const SHAREABLE_STATUSES = ["Approved", "Declined", "In Review"] as const;
export type ShareableStatus = (typeof SHAREABLE_STATUSES)[number];
export const DEFAULT_ALLOWED_STATUSES: ShareableStatus[] = ["Approved", "In Review"];
export const IMPORT_MODES = ["auto", "manual"] as const;
export const PARTNER_STATUSES = ["active", "suspended"] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];
export const AGREEMENT_STATES = ["valid", "expiring", "expired", "none"] as const;
export type AgreementState = (typeof AGREEMENT_STATES)[number];

/** Didit's bounds on `ttl_in_seconds`. */
export const TTL_MIN_SECONDS = 60;
export const TTL_MAX_SECONDS = 86_400;
/** An agreement ending within this many days is flagged as expiring. */
export const AGREEMENT_EXPIRY_WARNING_DAYS = 30;

export const CHANNEL_LABELS: Record<DeliveryChannel, string> = {
  internal: "Internal (sister brand)",
  push: "Push to the partner's inbox",
  pickup: "Partner picks up",
  manual: "Manual hand-off",
};
export const DIRECTION_LABELS: Record<PartnerDirection, string> = {
  outbound: "Outbound (we share)",
  inbound: "Inbound (they share)",
  both: "Both ways",
};
export const KIND_LABELS: Record<SessionKind, string> = { user: "KYC (user)", business: "KYB (business)" };

/**
 * The placeholders a vendor_data template may use when a token from this partner is imported.
 * Anything else between braces is refused, so a typo cannot reach Didit as literal text.
 */
export const VENDOR_DATA_PLACEHOLDERS = {
  partner: "the partner's name, lower-cased, non-alphanumerics as '-'",
  partner_id: "the partner's id in this console",
  source_session: "the source session's uuid (the partner's session)",
  session_number: "the source session's number, when the token's manifest carries it",
  session_kind: "user or business",
  date: "the import date, YYYY-MM-DD (UTC)",
  random: "8 random hex characters",
} as const;
export type VendorDataPlaceholder = keyof typeof VENDOR_DATA_PLACEHOLDERS;
export const VENDOR_DATA_TEMPLATE_MAX = 200;

/** The template's problems, or [] when it is usable. */
export function vendorDataTemplateErrors(template: string): string[] {
  const errors: string[] = [];
  const allowed = Object.keys(VENDOR_DATA_PLACEHOLDERS);
  const unknown = new Set<string>();
  let depth = 0;
  for (const ch of template) {
    if (ch === "{") depth++;
    else if (ch === "}") depth--;
    if (depth < 0 || depth > 1) {
      errors.push("Braces must come in pairs around one placeholder, like {source_session}");
      return errors;
    }
  }
  if (depth !== 0) errors.push("A '{' is not closed: placeholders look like {source_session}");
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    if (!allowed.includes(m[1]!)) unknown.add(m[1]!);
  }
  if (unknown.size > 0) {
    errors.push(
      `Unknown placeholder${unknown.size > 1 ? "s" : ""} ${[...unknown].map((p) => `{${p}}`).join(", ")}: use ${allowed.map((p) => `{${p}}`).join(", ")}`,
    );
  }
  return errors;
}

/** Fills a template checked by vendorDataTemplateErrors (the importer's side). */
export function renderVendorDataTemplate(
  template: string,
  values: Partial<Record<VendorDataPlaceholder, string | number | null | undefined>>,
): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    const value = values[name as VendorDataPlaceholder];
    return value === undefined || value === null ? "" : String(value);
  });
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const text = (label: string, max: number) =>
  z
    .string({ message: `${label} must be text` })
    .trim()
    .max(max, `Use at most ${max} characters`)
    .refine((v) => !CONTROL.test(v), `${label} cannot contain control characters`);
/** Optional text: "" and null both mean "none". */
const optionalText = (label: string, max: number) =>
  text(label, max)
    .nullish()
    .transform((v) => (v ? v : null));

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar date `YYYY-MM-DD` (years 0001–9999, real dates), kept as that string; "" or null: none. */
const optionalDate = (label: string) =>
  blankAsNull(
    z
      .string({ message: `${label}: use a date like 2026-11-30` })
      .trim()
      .regex(DATE_ONLY, `${label}: use a date like 2026-11-30`)
      .pipe(isoDateTime(`${label}: use a real date like 2026-11-30`))
      .transform((d) => d.toISOString().slice(0, 10)),
  ).optional();

const uuid = (label: string) =>
  z.uuid({ message: `${label} must be an ID as the Didit console shows it, like 0b6a1e9e-…` });
const optionalUuid = (label: string) =>
  blankAsNull(uuid(label))
    .optional()
    .transform((v) => v ?? null);

const ttl = (label: string) =>
  z
    // The form shows minutes or hours (and sends NaN for anything else); the API takes seconds.
    .number({ message: `${label}: enter a whole number of minutes or hours` })
    .int(`${label} must be a whole number of seconds`)
    .min(TTL_MIN_SECONDS, `${label} must be at least 1 minute`)
    .max(TTL_MAX_SECONDS, `${label} must be at most 24 hours`);

/** http(s) only, no credentials in it; whether plain http is allowed is the server's call. */
export const httpUrlSchema = (label: string) =>
  z
    .string({ message: `${label} must be a URL` })
    .trim()
    .max(2048, "Use at most 2048 characters")
    .refine((v) => {
      try {
        const u = new URL(v);
        return (
          (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password && !!u.hostname
        );
      } catch {
        return false;
      }
    }, `${label} must be an https:// URL without a user name or password in it`);
const optionalUrl = (label: string) =>
  blankAsNull(httpUrlSchema(label))
    .optional()
    .transform((v) => v ?? null);

export const partnerContactSchema = z.object({
  name: text("The contact's name", 120).pipe(z.string().min(1, "The contact's name is required")),
  email: blankAsNull(
    z
      .string()
      .trim()
      .toLowerCase()
      .max(254, "Use at most 254 characters")
      .pipe(z.email({ message: "Enter a valid email address" })),
  )
    .optional()
    .transform((v) => v ?? null),
  phone: blankAsNull(
    z
      .string()
      .trim()
      .max(40, "Use at most 40 characters")
      .regex(/^\+?[0-9 ()./-]{3,40}$/, "Use digits, spaces and + ( ) - . / only"),
  )
    .optional()
    .transform((v) => v ?? null),
  role: optionalText("The contact's role", 80),
});
export type PartnerContactInput = z.input<typeof partnerContactSchema>;

const kindsSchema = z
  .array(z.enum(SESSION_KINDS, { message: "Kinds are user (KYC) and business (KYB)" }), {
    message: "Give a list of session kinds",
  })
  .min(1, "Allow at least one session kind")
  .max(2)
  .transform((v) => SESSION_KINDS.filter((k) => v.includes(k)));
const statusesSchema = z
  .array(z.enum(SHAREABLE_STATUSES, { message: "Statuses are Approved, Declined and In Review" }), {
    message: "Give a list of statuses",
  })
  .min(1, "Allow at least one status")
  .max(3)
  .transform((v) => SHAREABLE_STATUSES.filter((s) => v.includes(s)));
/** A vendor_data template, "" or null for none (optional: the update schema leaves it out). */
const optionalTemplate = () =>
  blankAsNull(
    text("The vendor_data template", VENDOR_DATA_TEMPLATE_MAX).superRefine((v, ctx) => {
      for (const message of vendorDataTemplateErrors(v)) ctx.addIssue({ code: "custom", message });
    }),
  ).optional();
const templateSchema = optionalTemplate().transform((v) => v ?? null);

/** Every writable field; the create schema adds defaults, the update schema makes each optional. */
const fields = {
  name: text("The name", 120).pipe(z.string().min(1, "The partner's name is required")),
  diditApplicationId: uuid("The partner's Didit application id"),
  applicationId: z.uuid({ message: "Choose which of our applications this partnership is for" }),
  direction: z.enum(PARTNER_DIRECTIONS, { message: "Direction is outbound, inbound or both" }),
  agreementReference: optionalText("The agreement reference", 120),
  agreementSignedOn: optionalDate("Signed on").transform((v) => v ?? null),
  agreementExpiresOn: optionalDate("Expires on").transform((v) => v ?? null),
  allowedKinds: kindsSchema,
  allowedStatuses: statusesSchema,
  defaultTtlSeconds: ttl("The default lifetime"),
  maxTtlSeconds: ttl("The maximum lifetime"),
  deliveryChannel: z.enum(DELIVERY_CHANNELS, { message: "Channel is internal, push, pickup or manual" }),
  pushUrl: optionalUrl("The push URL"),
  partnerApiBaseUrl: optionalUrl("The partner API base URL"),
  remotePartnerId: optionalUuid("Our partner id at this partner"),
  inboundPickup: z.boolean({ message: "Say whether to pick up tokens from their console: true or false" }),
  importMode: z.enum(IMPORT_MODES, { message: "Import mode is auto or manual" }),
  trustReview: z.boolean({
    message: "Say whether imported clones keep the partner's decision (trust their review): true or false",
  }),
  importWorkflowUser: optionalUuid("The KYC import workflow"),
  importWorkflowBusiness: optionalUuid("The KYB import workflow"),
  vendorDataTemplate: templateSchema,
  reviewSlaHours: z
    .number({ message: "The review SLA must be a number of hours" })
    .int("Use whole hours")
    .min(1, "At least 1 hour")
    .max(8760, "At most 8760 hours (a year)"),
  requireFourEyes: z.boolean({
    message: "Say whether decisions need a second officer (four eyes): true or false",
  }),
  status: z.enum(PARTNER_STATUSES, { message: "Status is active or suspended" }),
  suspendedReason: optionalText("The reason", 500),
  contacts: z.array(partnerContactSchema, { message: "Contacts are a list" }).max(20, "At most 20 contacts"),
  notes: optionalText("The notes", 2000),
};

type Pairs = {
  agreementSignedOn?: string | null;
  agreementExpiresOn?: string | null;
  defaultTtlSeconds?: number;
  maxTtlSeconds?: number;
  status?: PartnerStatus;
  suspendedReason?: string | null;
  deliveryChannel?: DeliveryChannel;
  pushUrl?: string | null;
  direction?: PartnerDirection;
  partnerApiBaseUrl?: string | null;
  remotePartnerId?: string | null;
  inboundPickup?: boolean;
};

/** The rules between fields, as field messages; applied to a request and to the row it produces. */
export function partnerFieldErrors(v: Pairs): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (v.agreementSignedOn && v.agreementExpiresOn && v.agreementExpiresOn < v.agreementSignedOn) {
    out.agreementExpiresOn = ["The agreement cannot expire before it was signed"];
  }
  if (
    v.defaultTtlSeconds !== undefined &&
    v.maxTtlSeconds !== undefined &&
    v.defaultTtlSeconds > v.maxTtlSeconds
  ) {
    out.defaultTtlSeconds = ["The default lifetime cannot be longer than the maximum"];
  }
  if (v.status === "suspended" && !v.suspendedReason) {
    out.suspendedReason = ["Say why the partner is suspended"];
  }
  if (v.deliveryChannel === "push" && v.pushUrl === null) {
    out.pushUrl = ["The push channel needs the partner's inbox URL"];
  }
  // Polling their console for tokens: their API's origin, our id there, tokens coming our way.
  if (v.inboundPickup === true) {
    if (v.partnerApiBaseUrl === null) {
      out.partnerApiBaseUrl = ["Picking up tokens needs the partner API base URL (their console's origin)"];
    }
    if (v.remotePartnerId === null) {
      out.remotePartnerId = ["Picking up tokens needs our partner id at this partner (they gave it to you)"];
    }
    if (v.direction === "outbound") {
      out.inboundPickup = ["Picking up tokens receives shares: set the direction to inbound or both"];
    }
  }
  return out;
}

function refinePairs<T extends Pairs>(value: T, ctx: z.RefinementCtx) {
  for (const [path, messages] of Object.entries(partnerFieldErrors(value))) {
    for (const message of messages) ctx.addIssue({ code: "custom", path: [path], message });
  }
}

export const createPartnerRequestSchema = z
  .object({
    ...fields,
    agreementReference: fields.agreementReference.default(null),
    allowedStatuses: fields.allowedStatuses.default([...DEFAULT_ALLOWED_STATUSES]),
    defaultTtlSeconds: fields.defaultTtlSeconds.default(3600),
    maxTtlSeconds: fields.maxTtlSeconds.default(TTL_MAX_SECONDS),
    /** Unset: internal for a sister brand, else manual. */
    deliveryChannel: fields.deliveryChannel.optional(),
    importMode: fields.importMode.default("manual"),
    trustReview: fields.trustReview.default(false),
    inboundPickup: fields.inboundPickup.default(false),
    reviewSlaHours: fields.reviewSlaHours.default(48),
    requireFourEyes: fields.requireFourEyes.default(false),
    status: fields.status.default("active"),
    contacts: fields.contacts.default([]),
  })
  .strict()
  .superRefine(refinePairs);
export type CreatePartnerRequest = z.input<typeof createPartnerRequestSchema>;
export type CreatePartnerInput = z.output<typeof createPartnerRequestSchema>;

export const updatePartnerRequestSchema = z
  .object({
    name: fields.name.optional(),
    diditApplicationId: fields.diditApplicationId.optional(),
    applicationId: fields.applicationId.optional(),
    direction: fields.direction.optional(),
    agreementReference: blankAsNull(text("The agreement reference", 120)).optional(),
    agreementSignedOn: optionalDate("Signed on"),
    agreementExpiresOn: optionalDate("Expires on"),
    allowedKinds: fields.allowedKinds.optional(),
    allowedStatuses: fields.allowedStatuses.optional(),
    defaultTtlSeconds: fields.defaultTtlSeconds.optional(),
    maxTtlSeconds: fields.maxTtlSeconds.optional(),
    deliveryChannel: fields.deliveryChannel.optional(),
    pushUrl: blankAsNull(httpUrlSchema("The push URL")).optional(),
    partnerApiBaseUrl: blankAsNull(httpUrlSchema("The partner API base URL")).optional(),
    remotePartnerId: blankAsNull(uuid("Our partner id at this partner")).optional(),
    inboundPickup: fields.inboundPickup.optional(),
    importMode: fields.importMode.optional(),
    trustReview: fields.trustReview.optional(),
    importWorkflowUser: blankAsNull(uuid("The KYC import workflow")).optional(),
    importWorkflowBusiness: blankAsNull(uuid("The KYB import workflow")).optional(),
    vendorDataTemplate: optionalTemplate(),
    reviewSlaHours: fields.reviewSlaHours.optional(),
    requireFourEyes: fields.requireFourEyes.optional(),
    status: fields.status.optional(),
    suspendedReason: blankAsNull(text("The reason", 500))
      .optional()
      .transform((v) => (v === "" ? null : v)),
    contacts: fields.contacts.optional(),
    notes: blankAsNull(text("The notes", 2000)).optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: "Nothing to change: give a field",
  })
  .superRefine((v, ctx) => {
    // Only pairs given together are checked here; the service checks the merged row.
    refinePairs(
      {
        ...v,
        pushUrl: v.deliveryChannel === "push" && "pushUrl" in v ? v.pushUrl : undefined,
        status: v.status,
        suspendedReason: v.status === "suspended" ? (v.suspendedReason ?? null) : undefined,
      },
      ctx,
    );
  });
export type UpdatePartnerRequest = z.input<typeof updatePartnerRequestSchema>;
export type UpdatePartnerInput = z.output<typeof updatePartnerRequestSchema>;

/** The fields a PATCH changes, in the order an audit entry names them. */
export const PARTNER_UPDATABLE_FIELDS = [
  "name",
  "diditApplicationId",
  "applicationId",
  "direction",
  "agreementReference",
  "agreementSignedOn",
  "agreementExpiresOn",
  "allowedKinds",
  "allowedStatuses",
  "defaultTtlSeconds",
  "maxTtlSeconds",
  "deliveryChannel",
  "pushUrl",
  "partnerApiBaseUrl",
  "remotePartnerId",
  "inboundPickup",
  "importMode",
  "trustReview",
  "importWorkflowUser",
  "importWorkflowBusiness",
  "vendorDataTemplate",
  "reviewSlaHours",
  "requireFourEyes",
  "status",
  "suspendedReason",
  "contacts",
  "notes",
] as const satisfies readonly (keyof UpdatePartnerInput)[];
type PartnerUpdatableField = (typeof PARTNER_UPDATABLE_FIELDS)[number];

/** The ones the edit form sets: the status and its reason change through Suspend and Reactivate. */
export const PARTNER_FORM_FIELDS = PARTNER_UPDATABLE_FIELDS.filter(
  (key): key is Exclude<PartnerUpdatableField, "status" | "suspendedReason"> =>
    key !== "status" && key !== "suspendedReason",
);

/** A Standard Webhooks secret as a partner's console shows it: `whsec_` + base64 of ≥ 24 bytes. */
export const PARTNER_SECRET_RE = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;
const ADOPT_SECRET_MESSAGE = "Paste the whsec_ secret the partner gave you";

function decodedLength(base64: string): number {
  try {
    return atob(base64).length;
  } catch {
    return 0;
  }
}

export const adoptedSecretSchema = z
  .string({ message: ADOPT_SECRET_MESSAGE })
  .trim()
  .refine(
    (v) => PARTNER_SECRET_RE.test(v) && decodedLength(v.slice("whsec_".length)) >= 24,
    ADOPT_SECRET_MESSAGE,
  );

export const rotatePartnerSecretRequestSchema = z
  .object({
    overlapHours: z
      .number({ message: "The overlap must be a number of hours" })
      .int("Use whole hours")
      .min(0, "At least 0 hours (the old secret stops at once)")
      .max(168, "At most 168 hours (a week)")
      .default(24),
    /**
     * The partner's console issued the secret (it made us its partner and showed it once): store
     * that one instead of generating ours. Never echoed back.
     */
    secret: adoptedSecretSchema.optional(),
  })
  .strict();
export type RotatePartnerSecretRequest = z.input<typeof rotatePartnerSecretRequestSchema>;

const boolQuery = z
  .enum(["true", "false"], { message: "Use true or false" })
  .optional()
  .transform((v) => (v === undefined ? undefined : v === "true"));

export const partnerListQuerySchema = z
  .object({
    status: z.enum(PARTNER_STATUSES, { message: "Status is active or suspended" }).optional(),
    applicationId: uuid("The application filter").optional(),
    direction: z.enum(PARTNER_DIRECTIONS, { message: "Direction is outbound, inbound or both" }).optional(),
    q: z
      .string()
      .trim()
      .max(200, "Use at most 200 characters")
      .optional()
      .transform((v) => (v ? v : undefined)),
    /** Agreements ending within 30 days (not yet ended). */
    expiring: boolQuery,
    agreementState: z.enum(AGREEMENT_STATES, { message: "Use valid, expiring, expired or none" }).optional(),
    /** A Didit session uuid: every partner of its application, with whether a share to it is allowed. */
    eligibleFor: uuid("The session").optional(),
    cursor: z
      .string()
      .max(400, "Not a cursor from this list")
      .regex(/^[A-Za-z0-9_-]+$/, "Not a cursor from this list")
      .optional(),
    limit: z.coerce
      .number({ message: "The page size must be a number" })
      .int("The page size must be a whole number")
      .min(1, "At least 1")
      .max(200, "At most 200")
      .default(100),
  })
  .strict();
export type PartnerListQuery = z.output<typeof partnerListQuerySchema>;

// --- DTOs ----------------------------------------------------------------------------------------

export type PartnerContactDto = {
  name: string;
  email: string | null;
  phone: string | null;
  role: string | null;
};

export type PartnerDto = {
  id: string;
  name: string;
  diditApplicationId: string;
  applicationId: string;
  application: { id: string; name: string; diditApplicationId: string; deleted: boolean };
  /** The partner's Didit application is one of ours (a sister brand). */
  sisterBrand: boolean;
  direction: PartnerDirection;
  agreementReference: string | null;
  agreementSignedOn: string | null;
  agreementExpiresOn: string | null;
  agreementState: AgreementState;
  /** Days from today to the expiry (negative once expired), null without an expiry date. */
  agreementDaysLeft: number | null;
  allowedKinds: SessionKind[];
  allowedStatuses: ShareableStatus[];
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  deliveryChannel: DeliveryChannel;
  pushUrl: string | null;
  partnerApiBaseUrl: string | null;
  /** Our partner id at this partner (the `handoff-partner-id` we send them), null if none. */
  remotePartnerId: string | null;
  /** We poll their console for tokens (their pick-up channel). */
  inboundPickup: boolean;
  /** The last pick-up poll, and what went wrong with it (null when it worked). */
  pickupPolledAt: string | null;
  pickupError: string | null;
  importMode: "auto" | "manual";
  trustReview: boolean;
  importWorkflowUser: string | null;
  importWorkflowBusiness: string | null;
  vendorDataTemplate: string | null;
  reviewSlaHours: number;
  requireFourEyes: boolean;
  status: PartnerStatus;
  suspendedReason: string | null;
  suspendedAt: string | null;
  contacts: PartnerContactDto[];
  notes: string | null;
  /** The current signing secret (last 4 characters only), null when none was issued. */
  secret: { last4: string; createdAt: string } | null;
  /** The channel or direction needs a shared secret and none is current: rotate to issue one. */
  secretNeeded: boolean;
  createdAt: string;
  updatedAt: string;
};

export type PartnerSecretDto = {
  id: string;
  last4: string;
  createdAt: string;
  /** Null while current; else when it stops verifying. */
  expiresAt: string | null;
  state: "current" | "overlap" | "expired";
};

export type PartnerShareSummary = {
  id: string;
  state: ShareStateDto;
  createdAt: string;
  sessionId: string;
  sessionNumber: number | null;
  sessionKind: SessionKind;
  expiresAt: string;
  channel: DeliveryChannel;
};

export type PartnerDetailDto = PartnerDto & {
  secrets: PartnerSecretDto[];
  /** Where the partner pushes tokens to us; null while this console's own URL is unknown. */
  inboxUrl: string | null;
  /** The `handoff-partner-id` header value the partner sends to the partner API. */
  partnerIdHeader: { name: "handoff-partner-id"; value: string };
  recentShares: PartnerShareSummary[];
};

export type PartnerListResponse = { items: PartnerDto[]; nextCursor: string | null };

export type CreatePartnerResponse = {
  partner: PartnerDto;
  /** The shared `whsec_` secret, shown this once; null when the partner needs none. */
  secret: string | null;
};

export type RotatePartnerSecretResponse = {
  /** The new `whsec_` secret, shown this once; null when the partner's own secret was adopted. */
  secret: string | null;
  /** The secret stored is the one the partner gave us (not generated here). */
  adopted: boolean;
  id: string;
  last4: string;
  createdAt: string;
  /** Until when the previous secret(s) still verify; null when there was none. */
  previousExpiresAt: string | null;
};

export type PolicyCode =
  | "partner_not_for_application"
  | "partner_suspended"
  | "partner_not_outbound"
  | "partner_not_inbound"
  | "partner_agreement_expired"
  | "partner_agreement_missing"
  | "kind_not_allowed"
  | "status_not_allowed"
  | "ttl_out_of_range"
  | "ttl_above_partner_max";

export type PartnerSummary = {
  id: string;
  name: string;
  diditApplicationId: string;
  direction: PartnerDirection;
  deliveryChannel: DeliveryChannel;
  status: PartnerStatus;
  agreementReference: string | null;
  agreementExpiresOn: string | null;
  agreementState: AgreementState;
  allowedKinds: SessionKind[];
  allowedStatuses: ShareableStatus[];
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
};

export type EligiblePartner = {
  partner: PartnerSummary;
  eligible: boolean;
  code?: PolicyCode;
  message?: string;
};

export type EligiblePartnersResponse = {
  session: {
    id: string;
    applicationId: string;
    kind: SessionKind;
    status: string;
    sessionNumber: number | null;
  };
  items: EligiblePartner[];
};
