import "server-only";
import { eq } from "drizzle-orm";
import {
  PARTNER_UPDATABLE_FIELDS,
  type CreatePartnerInput,
  type CreatePartnerResponse,
  type PartnerDto,
  type UpdatePartnerInput,
} from "@/lib/schemas/partners";
import { isUniqueViolation } from "@/lib/server/db/errors";
import { partners, shares } from "@/lib/server/db/schema";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import type { Tx } from "@/lib/server/db/types";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { issuePartnerSecret } from "./secrets";
import { enqueuePickupPoll, pickupQualifies } from "./pickup-schedule";
import { type PartnerRow } from "./agreement-policy";
import { currentSecrets, directory, needsSecret, toPartnerDto } from "./directory";
import { assertAgreementKept, checkCandidate, duplicate } from "./validate";

/**
 * The partner directory: other businesses' Didit applications, the agreement we keep with each,
 * and how tokens travel to and from them. Partnership managers write; every role reads.
 */

/**
 * Adds a partner. When its channel or direction needs a shared secret, one is issued in the same
 * transaction and returned this once (only its last 4 characters afterwards).
 */
export async function createPartner(
  ctx: ServiceContext,
  input: CreatePartnerInput,
): Promise<CreatePartnerResponse> {
  assertCan(ctx, "partners.manage");
  try {
    return await ctx.db.transaction(async (tx) => {
      const now = ctx.now();
      const dir = await directory(tx);
      const sisterBrand = dir.ours.has(input.diditApplicationId);
      const values = {
        ...input,
        deliveryChannel: input.deliveryChannel ?? (sisterBrand ? "internal" : "manual"),
        suspendedReason: input.status === "suspended" ? input.suspendedReason : null,
        suspendedAt: input.status === "suspended" ? now : null,
      } satisfies Partial<PartnerRow>;
      const app = await checkCandidate(tx, values, dir);
      const [row] = await tx
        .insert(partners)
        .values({ ...values, createdBy: ctx.actor?.id ?? null, createdAt: now, updatedAt: now })
        .returning();
      const issued = needsSecret(row!, sisterBrand)
        ? await issuePartnerSecret(tx, row!.id, ctx.actor?.id ?? null, now)
        : null;
      await recordAudit(tx, auditMeta(ctx), {
        action: "partner.created",
        entityType: "partner",
        entityId: row!.id,
        data: {
          name: row!.name,
          diditApplicationId: row!.diditApplicationId,
          applicationId: row!.applicationId,
          applicationName: app.name,
          direction: row!.direction,
          deliveryChannel: row!.deliveryChannel,
          agreementReference: row!.agreementReference,
          agreementExpiresOn: row!.agreementExpiresOn,
          status: row!.status,
          partnerApiBaseUrl: row!.partnerApiBaseUrl,
          remotePartnerId: row!.remotePartnerId,
          inboundPickup: row!.inboundPickup,
          secretIssued: issued !== null,
        },
      });
      // Their console offers pick-up: the first poll now, then every interval while it qualifies.
      if (pickupQualifies(row!)) await enqueuePickupPoll(tx, row!.id, now);
      const secret = issued ? { last4: issued.last4, createdAt: issued.createdAt } : undefined;
      return { partner: toPartnerDto(row!, dir, secret, now), secret: issued?.secret ?? null };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(null, null);
    throw error;
  }
}

const UPDATABLE = PARTNER_UPDATABLE_FIELDS satisfies readonly (keyof UpdatePartnerInput & keyof PartnerRow)[];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const PICKUP_FIELDS = new Set<string>(["partnerApiBaseUrl", "remotePartnerId", "inboundPickup"]);

/**
 * Changes a partner. The merged row is checked as a whole (a PATCH giving only one of a pair).
 * Suspending needs a reason and is audited as `partner.suspended`, reactivating as
 * `partner.reactivated`; every other change as `partner.updated` with the changed field names.
 */
export async function updatePartner(
  ctx: ServiceContext,
  id: string,
  input: UpdatePartnerInput,
): Promise<PartnerDto> {
  assertCan(ctx, "partners.manage");
  try {
    return await ctx.db.transaction(async (tx) => {
      const now = ctx.now();
      const [current] = await tx.select().from(partners).where(eq(partners.id, id)).limit(1).for("update");
      if (!current) throw new AppError("not_found", "No such partner.");
      const dir = await directory(tx);

      const merged: PartnerRow = { ...current };
      for (const key of UPDATABLE) {
        if (input[key] !== undefined) (merged as Record<string, unknown>)[key] = input[key];
      }
      const suspending = current.status === "active" && merged.status === "suspended";
      const reactivating = current.status === "suspended" && merged.status === "active";
      if (suspending && input.suspendedReason === undefined) merged.suspendedReason = null;
      if (merged.status === "active") merged.suspendedReason = null;
      merged.suspendedAt = merged.status === "suspended" ? (suspending ? now : current.suspendedAt) : null;

      const changed = UPDATABLE.filter((k) => !same(current[k], merged[k]));
      if (changed.length === 0) {
        const secrets = await currentSecrets(tx, [id]);
        return toPartnerDto(current, dir, secrets.get(id), now);
      }
      if (changed.includes("applicationId")) {
        const [shared] = await tx
          .select({ id: shares.id })
          .from(shares)
          .where(eq(shares.partnerId, id))
          .limit(1);
        if (shared) {
          throw new AppError(
            "conflict",
            "This partnership already has shares, so it cannot move to another application: add a new partner for that application instead.",
            { fields: { applicationId: ["Shares were made under this partnership"] } },
          );
        }
      }
      await checkCandidate(tx, { ...merged }, dir);
      assertAgreementKept(current, merged);

      const [row] = await tx
        .update(partners)
        .set({
          ...(Object.fromEntries(changed.map((k) => [k, merged[k]])) as Partial<
            typeof partners.$inferInsert
          >),
          suspendedAt: merged.suspendedAt,
          updatedAt: now,
        })
        .where(eq(partners.id, id))
        .returning();
      await auditPartnerChange(tx, auditMeta(ctx), current, row!, changed, { suspending, reactivating });
      if (pickupQualifies(row!)) await enqueuePickupPoll(tx, id, now);
      const secrets = await currentSecrets(tx, [id]);
      return toPartnerDto(row!, dir, secrets.get(id), now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(null, null);
    throw error;
  }
}

/**
 * The audit of one change: `partner.updated` with the changed field names (and the pick-up
 * settings when they changed), `partner.suspended` or `partner.reactivated` for the status.
 */
async function auditPartnerChange(
  tx: Tx,
  meta: AuditRequestMeta,
  current: PartnerRow,
  row: PartnerRow,
  changed: readonly string[],
  { suspending, reactivating }: { suspending: boolean; reactivating: boolean },
): Promise<void> {
  const id = row.id;
  const fieldChanges = changed.filter(
    (k) => !((suspending || reactivating) && (k === "status" || k === "suspendedReason")),
  );
  if (fieldChanges.length > 0) {
    await recordAudit(tx, meta, {
      action: "partner.updated",
      entityType: "partner",
      entityId: id,
      data: {
        name: row.name,
        fields: fieldChanges,
        // How we reach their console (no secret here): the new values, when they changed.
        ...(fieldChanges.some((k) => PICKUP_FIELDS.has(k))
          ? {
              partnerApiBaseUrl: row.partnerApiBaseUrl,
              remotePartnerId: row.remotePartnerId,
              inboundPickup: row.inboundPickup,
            }
          : {}),
      },
    });
  }
  if (suspending) {
    await recordAudit(tx, meta, {
      action: "partner.suspended",
      entityType: "partner",
      entityId: id,
      data: { name: row.name, reason: row.suspendedReason },
    });
  }
  if (reactivating) {
    await recordAudit(tx, meta, {
      action: "partner.reactivated",
      entityType: "partner",
      entityId: id,
      data: { name: row.name, previousReason: current.suspendedReason },
    });
  }
}
