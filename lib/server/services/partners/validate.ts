import "server-only";
import { and, eq } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import { partnerFieldErrors } from "@/lib/schemas/partners";
import { partners } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { AppError } from "@/lib/server/kernel";
import { publicOrigin } from "@/lib/server/listen-address";
import { type PartnerRow } from "./agreement-policy";
import { type AppRow, type Directory } from "./directory";

/** Checks on a partner that the request schemas cannot do alone (they need the database or the URL). */

export function invalid(fields: Record<string, string[]>): AppError {
  const first = Object.values(fields)[0]?.[0] ?? "Check the highlighted fields.";
  return new AppError("validation_failed", first, { fields });
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/**
 * A console served over plain http on this machine (development, or two local consoles under
 * `next start`): nothing it sends leaves the machine, so its partners may be local over http too.
 */
function servedLocallyOverHttp(): boolean {
  const origin = publicOrigin();
  if (!origin) return false;
  const url = new URL(origin);
  return url.protocol === "http:" && isLoopback(url.hostname);
}

/**
 * https; plain http only to this machine (a local partner), and in production only while this
 * console itself is served over plain http on this machine.
 */
function urlProblem(value: string | null, label: string): string | null {
  if (value === null) return null;
  const url = new URL(value);
  if (url.protocol === "https:") return null;
  if (isLoopback(url.hostname) && (getEnv().NODE_ENV !== "production" || servedLocallyOverHttp()))
    return null;
  return `${label} must use https:// (plain http is accepted only to localhost, from a console served on localhost)`;
}

export type Candidate = Pick<
  PartnerRow,
  | "name"
  | "applicationId"
  | "diditApplicationId"
  | "deliveryChannel"
  | "pushUrl"
  | "partnerApiBaseUrl"
  | "remotePartnerId"
  | "inboundPickup"
  | "direction"
  | "agreementSignedOn"
  | "agreementExpiresOn"
  | "defaultTtlSeconds"
  | "maxTtlSeconds"
  | "status"
  | "suspendedReason"
>;

/** Checks a partner as it would be stored; answers the application it is for. */
export async function checkCandidate(tx: Tx, p: Candidate, dir: Directory): Promise<AppRow> {
  const app = dir.apps.get(p.applicationId);
  if (!app || app.deletedAt !== null) {
    throw invalid({
      applicationId: ["No such connected application: pick one listed on the Applications page"],
    });
  }
  if (p.diditApplicationId === app.diditApplicationId) {
    throw new AppError(
      "same_application",
      `The partner's Didit application cannot be ${app.name} itself: enter the partner's own application id.`,
      { fields: { diditApplicationId: [`This is ${app.name}'s own Didit application id`] } },
    );
  }
  const fields = partnerFieldErrors(p);
  if (p.deliveryChannel === "internal" && !dir.ours.has(p.diditApplicationId)) {
    fields.deliveryChannel = [
      "Internal delivery is only for a sister brand: the partner's Didit application must be one of our connected applications. Use push, pickup or manual.",
    ];
  }
  const push = urlProblem(p.pushUrl, "The push URL");
  if (push) fields.pushUrl = [push];
  const base = urlProblem(p.partnerApiBaseUrl, "The partner API base URL");
  if (base) fields.partnerApiBaseUrl = [base];
  if (Object.keys(fields).length > 0) throw invalid(fields);

  const [taken] = await tx
    .select({ id: partners.id, name: partners.name })
    .from(partners)
    .where(
      and(eq(partners.applicationId, p.applicationId), eq(partners.diditApplicationId, p.diditApplicationId)),
    )
    .limit(2);
  if (taken && (!("id" in p) || taken.id !== (p as { id?: string }).id))
    throw duplicate(taken.name, app.name);
  return app;
}

export function duplicate(existing: string | null, appName: string | null): AppError {
  const message = existing
    ? `${existing} is already the partner with this Didit application for ${appName}: edit that partner instead.`
    : "This Didit application is already a partner of that application: edit that partner instead.";
  return new AppError("conflict", message, { fields: { diditApplicationId: [message] } });
}

/**
 * An active partner's agreement in force cannot be blanked: sharing and importing would stop
 * without a word. A partner that never had one (a draft, or data from before this rule) may still
 * be edited; it stays ineligible until the reference and signing date are recorded.
 */
export function assertAgreementKept(current: PartnerRow, merged: PartnerRow) {
  if (merged.status !== "active") return;
  const fields: Record<string, string[]> = {};
  if (current.agreementReference?.trim() && !merged.agreementReference?.trim()) {
    fields.agreementReference = [
      "An active partner needs its agreement's reference: keep it, or suspend the partner first if the agreement has ended",
    ];
  }
  if (current.agreementSignedOn && !merged.agreementSignedOn) {
    fields.agreementSignedOn = [
      "An active partner needs its agreement's signing date: keep it, or suspend the partner first if the agreement has ended",
    ];
  }
  if (Object.keys(fields).length > 0) throw invalid(fields);
}
