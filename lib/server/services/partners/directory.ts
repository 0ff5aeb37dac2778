import "server-only";
import { and, asc, inArray, isNull } from "drizzle-orm";
import { type DeliveryChannel, type PartnerDirection, type PartnerDto } from "@/lib/schemas/partners";
import { connectedApplications, partnerSecrets } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { agreementStateOf, daysUntil, type PartnerRow } from "./agreement-policy";

/** Partners as the API shows them: our applications' directory, the DTO, the current secrets. */

export type AppRow = Pick<
  typeof connectedApplications.$inferSelect,
  "id" | "name" | "diditApplicationId" | "deletedAt"
>;
export type Directory = { apps: Map<string, AppRow>; ours: Set<string> };

export const DAY_MS = 86_400_000;

/** Our connected applications (a handful): names for the DTOs, and which Didit apps are ours. */
export async function directory(db: DbOrTx): Promise<Directory> {
  const rows = await db
    .select({
      id: connectedApplications.id,
      name: connectedApplications.name,
      diditApplicationId: connectedApplications.diditApplicationId,
      deletedAt: connectedApplications.deletedAt,
    })
    .from(connectedApplications);
  return {
    apps: new Map(rows.map((r) => [r.id, r])),
    ours: new Set(rows.filter((r) => r.deletedAt === null).map((r) => r.diditApplicationId)),
  };
}

/** A shared secret is needed to sign pushes, to authenticate pick-ups, and for an outside partner's pushes to us. */
export function needsSecret(
  p: { deliveryChannel: DeliveryChannel; direction: PartnerDirection },
  sisterBrand: boolean,
): boolean {
  return (
    p.deliveryChannel === "push" ||
    p.deliveryChannel === "pickup" ||
    (p.direction !== "outbound" && !sisterBrand)
  );
}

export type CurrentSecret = { last4: string; createdAt: Date } | undefined;

export function toPartnerDto(
  row: PartnerRow,
  dir: Directory,
  secret: CurrentSecret,
  today: Date,
): PartnerDto {
  const app = dir.apps.get(row.applicationId);
  const sisterBrand = dir.ours.has(row.diditApplicationId);
  return {
    id: row.id,
    name: row.name,
    diditApplicationId: row.diditApplicationId,
    applicationId: row.applicationId,
    application: {
      id: row.applicationId,
      name: app?.name ?? "(unknown application)",
      diditApplicationId: app?.diditApplicationId ?? "",
      deleted: !app || app.deletedAt !== null,
    },
    sisterBrand,
    direction: row.direction,
    agreementReference: row.agreementReference,
    agreementSignedOn: row.agreementSignedOn,
    agreementExpiresOn: row.agreementExpiresOn,
    agreementState: agreementStateOf(row, today),
    agreementDaysLeft: row.agreementExpiresOn ? daysUntil(row.agreementExpiresOn, today) : null,
    allowedKinds: row.allowedKinds,
    allowedStatuses: row.allowedStatuses,
    defaultTtlSeconds: row.defaultTtlSeconds,
    maxTtlSeconds: row.maxTtlSeconds,
    deliveryChannel: row.deliveryChannel,
    pushUrl: row.pushUrl,
    partnerApiBaseUrl: row.partnerApiBaseUrl,
    remotePartnerId: row.remotePartnerId,
    inboundPickup: row.inboundPickup,
    pickupPolledAt: row.pickupPolledAt?.toISOString() ?? null,
    pickupError: row.pickupError,
    importMode: row.importMode,
    trustReview: row.trustReview,
    importWorkflowUser: row.importWorkflowUser,
    importWorkflowBusiness: row.importWorkflowBusiness,
    vendorDataTemplate: row.vendorDataTemplate,
    reviewSlaHours: row.reviewSlaHours,
    requireFourEyes: row.requireFourEyes,
    status: row.status,
    suspendedReason: row.suspendedReason,
    suspendedAt: row.suspendedAt?.toISOString() ?? null,
    contacts: row.contacts.map((c) => ({
      name: c.name,
      email: c.email ?? null,
      phone: c.phone ?? null,
      role: c.role ?? null,
    })),
    notes: row.notes,
    secret: secret ? { last4: secret.last4, createdAt: secret.createdAt.toISOString() } : null,
    secretNeeded: !secret && needsSecret(row, sisterBrand),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function currentSecrets(db: DbOrTx, partnerIds: string[]): Promise<Map<string, CurrentSecret>> {
  if (partnerIds.length === 0) return new Map();
  const rows = await db
    .select({
      partnerId: partnerSecrets.partnerId,
      last4: partnerSecrets.last4,
      createdAt: partnerSecrets.createdAt,
    })
    .from(partnerSecrets)
    .where(and(inArray(partnerSecrets.partnerId, partnerIds), isNull(partnerSecrets.expiresAt)))
    .orderBy(asc(partnerSecrets.createdAt));
  // Ascending, so the newest current secret of each partner is the one left in the map.
  return new Map(rows.map((r) => [r.partnerId, { last4: r.last4, createdAt: r.createdAt }]));
}
