import "server-only";
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  ilike,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  not,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import { getEnv } from "@/lib/env";
import {
  PARTNER_UPDATABLE_FIELDS,
  partnerFieldErrors,
  type CreatePartnerInput,
  type CreatePartnerResponse,
  type DeliveryChannel,
  type EligiblePartnersResponse,
  type PartnerDetailDto,
  type PartnerDirection,
  type PartnerDto,
  type PartnerListQuery,
  type PartnerListResponse,
  type UpdatePartnerInput,
} from "@/lib/schemas/partners";
import { isUniqueViolation } from "@/lib/server/db/errors";
import { connectedApplications, partners, partnerSecrets, shares } from "@/lib/server/db/schema";
import type { DbOrTx, Tx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { publicOrigin } from "@/lib/server/listen-address";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { issuePartnerSecret, listPartnerSecrets, PARTNER_ID_HEADER } from "./secrets";
import { enqueuePickupPoll, pickupQualifies } from "./pickup-schedule";
import {
  agreementStateOf,
  dayOf,
  daysUntil,
  eligiblePartnersFor,
  mirroredSession,
  type PartnerRow,
} from "./agreement-policy";

/**
 * The partner directory: other businesses' Didit applications, the agreement we keep with each,
 * and how tokens travel to and from them. Partnership managers write; every role reads.
 */

type AppRow = Pick<
  typeof connectedApplications.$inferSelect,
  "id" | "name" | "diditApplicationId" | "deletedAt"
>;
type Directory = { apps: Map<string, AppRow>; ours: Set<string> };

const DAY_MS = 86_400_000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our connected applications (a handful): names for the DTOs, and which Didit apps are ours. */
async function directory(db: DbOrTx): Promise<Directory> {
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

type CurrentSecret = { last4: string; createdAt: Date } | undefined;

function toPartnerDto(row: PartnerRow, dir: Directory, secret: CurrentSecret, today: Date): PartnerDto {
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

async function currentSecrets(db: DbOrTx, partnerIds: string[]): Promise<Map<string, CurrentSecret>> {
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

// --- Validation the schemas cannot do alone --------------------------------------------------------

function invalid(fields: Record<string, string[]>): AppError {
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

type Candidate = Pick<
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
async function checkCandidate(tx: Tx, p: Candidate, dir: Directory): Promise<AppRow> {
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

function duplicate(existing: string | null, appName: string | null): AppError {
  const message = existing
    ? `${existing} is already the partner with this Didit application for ${appName}: edit that partner instead.`
    : "This Didit application is already a partner of that application: edit that partner instead.";
  return new AppError("conflict", message, { fields: { diditApplicationId: [message] } });
}

// --- Verbs -----------------------------------------------------------------------------------------

export async function listPartners(
  ctx: ServiceContext,
  query: PartnerListQuery,
): Promise<PartnerListResponse> {
  assertCan(ctx, "partners.read");
  const now = ctx.now();
  const today = dayOf(now);
  const warnUntil = dayOf(new Date(Date.parse(`${today}T00:00:00Z`) + 30 * DAY_MS));
  const where: SQL[] = [];
  if (query.status) where.push(eq(partners.status, query.status));
  if (query.applicationId) where.push(eq(partners.applicationId, query.applicationId));
  if (query.direction) where.push(eq(partners.direction, query.direction));
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const q = [ilike(partners.name, like), ilike(partners.agreementReference, like)];
    if (UUID_RE.test(query.q)) q.push(eq(partners.diditApplicationId, query.q.toLowerCase()));
    where.push(or(...q)!);
  }
  const state = query.expiring ? "expiring" : query.agreementState;
  // The same partition as agreementStateOf: without a reference and a signing date, "none".
  const recorded = and(
    isNotNull(partners.agreementReference),
    sql`btrim(${partners.agreementReference}) <> ''`,
    isNotNull(partners.agreementSignedOn),
  )!;
  if (state === "expiring") {
    where.push(
      recorded,
      gte(partners.agreementExpiresOn, today),
      lte(partners.agreementExpiresOn, warnUntil),
    );
  } else if (state === "expired") {
    where.push(recorded, lt(partners.agreementExpiresOn, today));
  } else if (state === "none") {
    where.push(not(recorded));
  } else if (state === "valid") {
    where.push(
      recorded,
      or(isNull(partners.agreementExpiresOn), gt(partners.agreementExpiresOn, warnUntil))!,
    );
  }
  if (query.cursor) {
    const [name, id] = decodeCursor(query.cursor);
    where.push(or(gt(partners.name, name), and(eq(partners.name, name), gt(partners.id, id)))!);
  }
  const rows = await ctx.db
    .select()
    .from(partners)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(partners.name), asc(partners.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const [dir, secrets] = await Promise.all([
    directory(ctx.db),
    currentSecrets(
      ctx.db,
      page.map((r) => r.id),
    ),
  ]);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toPartnerDto(r, dir, secrets.get(r.id), now)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.name, last.id) : null,
  };
}

function encodeCursor(name: string, id: string): string {
  return Buffer.from(JSON.stringify([name, id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      !value[0].includes("\u0000") &&
      typeof value[1] === "string" &&
      UUID_RE.test(value[1])
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through
  }
  throw invalid({ cursor: ["Not a cursor from this list: start again from the first page"] });
}

export async function getPartner(ctx: ServiceContext, id: string): Promise<PartnerDetailDto> {
  assertCan(ctx, "partners.read");
  const now = ctx.now();
  const [row] = await ctx.db.select().from(partners).where(eq(partners.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such partner.");
  const [dir, secrets, secretList, recent] = await Promise.all([
    directory(ctx.db),
    currentSecrets(ctx.db, [id]),
    listPartnerSecrets(ctx.db, id, now),
    ctx.db
      .select({
        id: shares.id,
        state: shares.state,
        createdAt: shares.createdAt,
        sessionId: shares.sessionId,
        sessionNumber: shares.sessionNumber,
        sessionKind: shares.sessionKind,
        expiresAt: shares.expiresAt,
        channel: shares.channel,
      })
      .from(shares)
      .where(eq(shares.partnerId, id))
      .orderBy(desc(shares.createdAt), desc(shares.id))
      .limit(20),
  ]);
  const origin = publicOrigin();
  return {
    ...toPartnerDto(row, dir, secrets.get(id), now),
    secrets: secretList,
    inboxUrl: origin ? `${origin}/api/partner/v1/inbox/${row.id}` : null,
    partnerIdHeader: { name: PARTNER_ID_HEADER, value: row.id },
    recentShares: recent.map((s) => ({
      ...s,
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
    })),
  };
}

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
      const meta = auditMeta(ctx);
      const fieldChanges = changed.filter(
        (k) => !((suspending || reactivating) && (k === "status" || k === "suspendedReason")),
      );
      if (fieldChanges.length > 0) {
        await recordAudit(tx, meta, {
          action: "partner.updated",
          entityType: "partner",
          entityId: id,
          data: {
            name: row!.name,
            fields: fieldChanges,
            // How we reach their console (no secret here): the new values, when they changed.
            ...(fieldChanges.some((k) => PICKUP_FIELDS.has(k))
              ? {
                  partnerApiBaseUrl: row!.partnerApiBaseUrl,
                  remotePartnerId: row!.remotePartnerId,
                  inboundPickup: row!.inboundPickup,
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
          data: { name: row!.name, reason: row!.suspendedReason },
        });
      }
      if (reactivating) {
        await recordAudit(tx, meta, {
          action: "partner.reactivated",
          entityType: "partner",
          entityId: id,
          data: { name: row!.name, previousReason: current.suspendedReason },
        });
      }
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
 * An active partner's agreement in force cannot be blanked: sharing and importing would stop
 * without a word. A partner that never had one (a draft, or data from before this rule) may still
 * be edited; it stays ineligible until the reference and signing date are recorded.
 */
function assertAgreementKept(current: PartnerRow, merged: PartnerRow) {
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

/**
 * The share wizard's list: every partner of the session's application, with whether a share of
 * this session to it is allowed today and, if not, why. The session is read from the mirror.
 */
export async function eligiblePartners(
  ctx: ServiceContext,
  diditSessionId: string,
): Promise<EligiblePartnersResponse> {
  assertCan(ctx, "partners.read");
  const session = await mirroredSession(ctx.db, diditSessionId);
  const items = await eligiblePartnersFor(ctx.db, session, ctx.now());
  return {
    session: {
      id: session.diditSessionId,
      applicationId: session.applicationId,
      kind: session.kind,
      status: session.status,
      sessionNumber: session.sessionNumber,
    },
    items,
  };
}
