import "server-only";
import { asc, eq } from "drizzle-orm";
import { can } from "@/lib/rbac";
import type { ImportDetailDto, ImportListItemDto, LineageDto } from "@/lib/schemas/reviews";
import { importDecisions, imports, inboxItems, partners } from "@/lib/server/db/schema";
import { AppError, assertCan, type ServiceContext, type ServiceDeps } from "@/lib/server/kernel";
import { IN_REVIEW, loadItem, selectDecisions, toDecisionDto } from "./items";
import { loadReviewSides } from "./review-view";
import { loadTimelineSources, timelineOf } from "./timeline";

/**
 * One import under review, as its page shows it (`GET /api/imports/{id}`): the list item, its
 * lineage, its decisions, its timeline, what the viewer may do, and both sides (the clone at
 * Didit, and a sister brand's source). Not receiving's `loadImport` (the import row as imported).
 */

type InboxRow = typeof inboxItems.$inferSelect;
type PartnerRow = typeof partners.$inferSelect;

function claimSeconds(claims: Record<string, unknown>, key: string): number | null {
  const v = claims[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function agreementValidAt(
  partner: { agreementSignedOn: string | null; agreementExpiresOn: string | null },
  at: Date,
): boolean | null {
  if (!partner.agreementSignedOn && !partner.agreementExpiresOn) return null;
  const day = at.toISOString().slice(0, 10);
  return (
    (!partner.agreementSignedOn || partner.agreementSignedOn <= day) &&
    (!partner.agreementExpiresOn || day <= partner.agreementExpiresOn)
  );
}

/** Where the session came from: the partner and its agreement, the token's life, how it arrived and was imported. */
function lineageOf(item: ImportListItemDto, inbox: InboxRow, partner: PartnerRow): LineageDto {
  const iat = claimSeconds(inbox.claims, "iat");
  const exp = claimSeconds(inbox.claims, "exp");
  const sharedAt = iat !== null ? new Date(iat * 1000) : inbox.receivedAt;
  const expiresAt = exp !== null ? new Date(exp * 1000) : inbox.expiresAt;
  return {
    sourceSessionId: item.sourceSessionId,
    sharedFromSession: item.sharedFromSession,
    partner: {
      id: partner.id,
      name: partner.name,
      diditApplicationId: partner.diditApplicationId,
      status: partner.status,
      agreementReference: partner.agreementReference,
      agreementSignedOn: partner.agreementSignedOn,
      agreementExpiresOn: partner.agreementExpiresOn,
      agreementValidAtShare: agreementValidAt(partner, sharedAt),
    },
    sharedAt: sharedAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    ttlSeconds: Math.max(0, Math.round((expiresAt.getTime() - sharedAt.getTime()) / 1000)),
    channel: inbox.source,
    deliveredAt: inbox.receivedAt.toISOString(),
    importedAt: item.state === "imported" && item.finishedAt ? item.finishedAt : null,
    importedBy: item.importedBy,
    importedByPolicy: item.importedByPolicy,
    trustReview: item.trustReview,
    manifest: (inbox.manifest as Record<string, unknown> | null) ?? null,
  };
}

type Can = ImportDetailDto["can"];

function canOf(ctx: ServiceContext, item: ImportListItemDto): Can {
  const officer = can(ctx.actor?.role, "reviews.decide");
  const open =
    item.state === "imported" &&
    (item.status === IN_REVIEW || item.recall !== null) &&
    item.awaitingConfirmation === null;
  const proposal = item.pendingProposal;
  const mine = proposal?.decidedBy.id === ctx.actor?.id;
  return {
    decide: officer && open && !mine,
    confirm: officer && open && proposal !== null && !mine,
    rejectProposal: officer && proposal !== null,
    assign: officer && item.state === "imported",
  };
}

/** `GET /api/imports/{id}`: the list item, its lineage, decisions, timeline, the viewer's options and both sides. */
export async function getImportInReview(
  ctx: ServiceContext,
  id: string,
  deps: ServiceDeps = {},
): Promise<ImportDetailDto> {
  assertCan(ctx, "inbox.read");
  const item = await loadItem(ctx.db, id, ctx.now(), ctx);
  const [extra] = await ctx.db
    .select({ item: inboxItems, partner: partners })
    .from(imports)
    .innerJoin(inboxItems, eq(inboxItems.id, imports.inboxItemId))
    .innerJoin(partners, eq(partners.id, imports.partnerId))
    .where(eq(imports.id, id))
    .limit(1);
  if (!extra) throw new AppError("not_found", "No such import.");
  const decisions = await selectDecisions(ctx.db)
    .where(eq(importDecisions.importId, id))
    .orderBy(asc(importDecisions.decidedAt), asc(importDecisions.createdAt), asc(importDecisions.id));
  const sources = await loadTimelineSources(ctx.db, id, extra.item);
  const lineage = lineageOf(item, extra.item, extra.partner);
  const timeline = timelineOf(item, extra.item, extra.partner, lineage, sources);
  const sides = await loadReviewSides(
    ctx,
    {
      id: item.id,
      applicationId: item.applicationId,
      cloneSessionId: item.cloneSessionId,
      sourceSessionId: item.sourceSessionId,
      fromApplicationId: extra.item.fromApplicationId,
    },
    deps,
  );
  return {
    ...item,
    lineage,
    decisions: decisions.map(toDecisionDto),
    timeline,
    can: canOf(ctx, item),
    clone: sides.clone,
    source: sides.source,
  };
}
