import "server-only";
import { and, asc, eq, isNull } from "drizzle-orm";
import {
  AGREEMENT_EXPIRY_WARNING_DAYS,
  SHAREABLE_STATUSES,
  TTL_MAX_SECONDS,
  TTL_MIN_SECONDS,
  type AgreementState,
  type EligiblePartner,
  type PartnerSummary,
  type PolicyCode,
  type SessionKind,
} from "@/lib/schemas/partners";
import { partners, sessionMirror } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError } from "@/lib/server/kernel";

/**
 * Our own rules about whom we share with and import from, checked before Didit is called. The
 * evaluators are pure (the partner row, the session, the day), so the share service, the import
 * service and the share wizard's list of partners all decide the same way.
 */

export type PartnerRow = typeof partners.$inferSelect;
export type PolicyRefusal = { ok: false; code: PolicyCode; message: string };
export type SharePolicyResult = { ok: true; ttlSeconds: number } | PolicyRefusal;
export type ImportPolicyResult = { ok: true } | PolicyRefusal;
export type PolicySession = { kind: SessionKind | string; status: string; applicationId: string };

const DAY_MS = 86_400_000;
const KIND_NAMES: Record<string, string> = { user: "KYC (user)", business: "KYB (business)" };

/** The UTC calendar day of `today` as YYYY-MM-DD (agreement dates are calendar days). */
export function dayOf(today: Date): string {
  return today.toISOString().slice(0, 10);
}

/** Whole days from `today`'s UTC day to `date` (YYYY-MM-DD): 0 on the day, negative after it. */
export function daysUntil(date: string, today: Date): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${dayOf(today)}T00:00:00Z`)) / DAY_MS);
}

type AgreementFields = Pick<PartnerRow, "agreementReference" | "agreementSignedOn" | "agreementExpiresOn">;

/**
 * none (not in force: the reference or the signing date is missing) | expired (the end day has
 * passed) | expiring (ends within 30 days, the end day included) | valid (no end date, or later).
 */
export function agreementStateOf(p: AgreementFields, today: Date): AgreementState {
  if (!agreementRecorded(p)) return "none";
  if (!p.agreementExpiresOn) return "valid";
  const left = daysUntil(p.agreementExpiresOn, today);
  if (left < 0) return "expired";
  return left <= AGREEMENT_EXPIRY_WARNING_DAYS ? "expiring" : "valid";
}

/** An agreement is in force only with a reference and a signing date (blank text counts as none). */
export function agreementRecorded(p: Pick<AgreementFields, "agreementReference" | "agreementSignedOn">) {
  return !!p.agreementReference?.trim() && !!p.agreementSignedOn;
}

/** Title Case whatever dialect the status came in (KYB's `IN_REVIEW` → `In Review`). */
export function normaliseStatus(status: string): string {
  if (!/^[A-Z_ ]+$/.test(status)) return status;
  return status
    .toLowerCase()
    .split(/[_ ]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

function refuse(code: PolicyCode, message: string): PolicyRefusal {
  return { ok: false, code, message };
}

/** The agreement check both directions share: not recorded in full, not yet in force, or lapsed. */
function agreementRefusal(
  partner: PartnerRow,
  today: Date,
  verb: "sharing" | "importing",
): PolicyRefusal | null {
  const state = agreementStateOf(partner, today);
  if (state === "none") {
    const missing = [
      partner.agreementReference?.trim() ? null : "reference",
      partner.agreementSignedOn ? null : "signing date",
    ].filter(Boolean);
    return refuse(
      "partner_agreement_missing",
      `No data-sharing agreement is in force with ${partner.name}: its ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not recorded. A partnership manager must record the agreement's reference and signing date on the partner's page before ${verb}.`,
    );
  }
  if (state === "expired") {
    return refuse(
      "partner_agreement_expired",
      `The data-sharing agreement with ${partner.name} expired on ${partner.agreementExpiresOn}: record a renewed agreement on the partner's page before ${verb}.`,
    );
  }
  if (partner.agreementSignedOn && daysUntil(partner.agreementSignedOn, today) > 0) {
    return refuse(
      "partner_agreement_expired",
      `The data-sharing agreement with ${partner.name} takes effect on ${partner.agreementSignedOn}: wait until then, or correct the signing date on the partner's page.`,
    );
  }
  return null;
}

function kindRefusal(
  partner: PartnerRow,
  kind: string,
  verb: "shared with" | "imported from",
): PolicyRefusal | null {
  if ((partner.allowedKinds as string[]).includes(kind)) return null;
  const allowed = partner.allowedKinds.map((k) => KIND_NAMES[k] ?? k).join(" and ");
  return refuse(
    "kind_not_allowed",
    `${KIND_NAMES[kind] ?? kind} sessions may not be ${verb} ${partner.name} (allowed: ${allowed}): change the allowed kinds on the partner's page if the agreement covers them.`,
  );
}

/**
 * May this session be shared with this partner for this lifetime? Checks, in order: the partner is
 * for the session's application, active, receives from us (outbound/both), has an agreement in
 * force, takes this kind and this status; then the lifetime (the partner's default when not given)
 * is within Didit's 60..86400 s and the partner's maximum.
 */
export function evaluateSharePolicy(
  partner: PartnerRow,
  session: PolicySession,
  ttlSeconds: number | undefined,
  today: Date,
): SharePolicyResult {
  if (partner.applicationId !== session.applicationId) {
    return refuse(
      "partner_not_for_application",
      `${partner.name} is a partner of another of our applications, not of the one that owns this session: pick a partner listed for this session's application, or add the partnership for it.`,
    );
  }
  if (partner.status === "suspended") {
    return refuse(
      "partner_suspended",
      `${partner.name} is suspended${partner.suspendedReason ? ` (${partner.suspendedReason})` : ""}: nothing can be shared with it until a partnership manager reactivates it.`,
    );
  }
  if (partner.direction === "inbound") {
    return refuse(
      "partner_not_outbound",
      `${partner.name} only shares with us (direction: inbound): a partnership manager must set the direction to outbound or both before we share with it.`,
    );
  }
  const agreement = agreementRefusal(partner, today, "sharing");
  if (agreement) return agreement;
  const kind = kindRefusal(partner, session.kind, "shared with");
  if (kind) return kind;

  const status = normaliseStatus(session.status);
  if (!(SHAREABLE_STATUSES as readonly string[]).includes(status)) {
    return refuse(
      "status_not_allowed",
      `Only finished sessions (Approved, Declined or In Review) can be shared; this one is ${status}. Wait until it finishes.`,
    );
  }
  if (!(partner.allowedStatuses as string[]).includes(status)) {
    return refuse(
      "status_not_allowed",
      `${status} sessions may not be shared with ${partner.name} (allowed: ${partner.allowedStatuses.join(", ")}): change the allowed statuses on the partner's page if the agreement covers them.`,
    );
  }

  const ttl = ttlSeconds ?? partner.defaultTtlSeconds;
  if (!Number.isInteger(ttl) || ttl < TTL_MIN_SECONDS || ttl > TTL_MAX_SECONDS) {
    return refuse(
      "ttl_out_of_range",
      `A share lives between ${TTL_MIN_SECONDS} seconds (1 minute) and ${TTL_MAX_SECONDS} seconds (24 hours), in whole seconds: pick a lifetime in that range.`,
    );
  }
  if (ttl > partner.maxTtlSeconds) {
    return refuse(
      "ttl_above_partner_max",
      `${partner.name} accepts shares living at most ${describeSeconds(partner.maxTtlSeconds)}: pick a shorter lifetime (or the partner's default, ${describeSeconds(partner.defaultTtlSeconds)}).`,
    );
  }
  return { ok: true, ttlSeconds: ttl };
}

/**
 * May a token from this partner be imported? (The receiving side, next issue.) Checks: active,
 * sends to us (inbound/both), agreement in force, the token's session kind allowed.
 */
export function evaluateImportPolicy(
  partner: PartnerRow,
  claims: { session_kind: string },
  today: Date,
): ImportPolicyResult {
  if (partner.status === "suspended") {
    return refuse(
      "partner_suspended",
      `${partner.name} is suspended${partner.suspendedReason ? ` (${partner.suspendedReason})` : ""}: tokens from it cannot be imported until a partnership manager reactivates it.`,
    );
  }
  if (partner.direction === "outbound") {
    return refuse(
      "partner_not_inbound",
      `We only share with ${partner.name} (direction: outbound): a partnership manager must set the direction to inbound or both before we import from it.`,
    );
  }
  const agreement = agreementRefusal(partner, today, "importing");
  if (agreement) return agreement;
  const kind = kindRefusal(partner, claims.session_kind, "imported from");
  if (kind) return kind;
  return { ok: true };
}

/** `3600` → "1 hour", `5400` → "90 minutes", `86400` → "24 hours", `45` → "45 seconds". */
export function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? "" : "s"}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

export function toPartnerSummary(row: PartnerRow, today: Date): PartnerSummary {
  return {
    id: row.id,
    name: row.name,
    diditApplicationId: row.diditApplicationId,
    direction: row.direction,
    deliveryChannel: row.deliveryChannel,
    status: row.status,
    agreementReference: row.agreementReference,
    agreementExpiresOn: row.agreementExpiresOn,
    agreementState: agreementStateOf(row, today),
    allowedKinds: row.allowedKinds,
    allowedStatuses: row.allowedStatuses,
    defaultTtlSeconds: row.defaultTtlSeconds,
    maxTtlSeconds: row.maxTtlSeconds,
  };
}

/**
 * Every partner of the session's application, eligible ones first (then by name), each with why
 * not when it is not: what the share wizard lists.
 */
export async function eligiblePartnersFor(
  db: DbOrTx,
  session: PolicySession,
  today: Date = new Date(),
): Promise<EligiblePartner[]> {
  const rows = await db
    .select()
    .from(partners)
    .where(eq(partners.applicationId, session.applicationId))
    .orderBy(asc(partners.name), asc(partners.id));
  const items = rows.map((row): EligiblePartner => {
    const verdict = evaluateSharePolicy(row, session, undefined, today);
    const partner = toPartnerSummary(row, today);
    return verdict.ok ? { partner, eligible: true } : { partner, eligible: false, ...verdictOf(verdict) };
  });
  return [...items.filter((i) => i.eligible), ...items.filter((i) => !i.eligible)];
}

function verdictOf(r: PolicyRefusal): { code: PolicyCode; message: string } {
  return { code: r.code, message: r.message };
}

/** The mirrored session a Didit session uuid names (the first live one), or a 404. */
export async function mirroredSession(db: DbOrTx, diditSessionId: string) {
  const [row] = await db
    .select()
    .from(sessionMirror)
    .where(and(eq(sessionMirror.diditSessionId, diditSessionId), isNull(sessionMirror.deletedAt)))
    .orderBy(asc(sessionMirror.diditCreatedAt))
    .limit(1);
  if (!row) {
    throw new AppError(
      "not_found",
      "No such session in the session mirror: check the id, or sync its application on the Applications page.",
    );
  }
  return row;
}

/** Throws the refusal as our error (409 for the policy codes, 422 for the lifetime's range). */
export function assertPolicy<T extends { ok: true }>(result: T | PolicyRefusal): T {
  if (!result.ok) throw new AppError(result.code, result.message);
  return result;
}
