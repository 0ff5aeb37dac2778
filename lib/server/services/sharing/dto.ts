import "server-only";
import { and, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { can } from "@/lib/rbac";
import type { ShareDto } from "@/lib/schemas/shares";
import { connectedApplications, partners, sessionMirror, shares, users } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { subjectOf } from "@/lib/server/services/sessions";
import { effectiveState, revealRefusal, revokeRefusal, withdrawRefusal } from "./refusals";

/** A share as the API shows it: the row joined with its application, partner, creator and subject. */

type ShareRow = typeof shares.$inferSelect;

export type Joined = {
  share: ShareRow;
  applicationName: string | null;
  partnerName: string | null;
  creator: { id: string; name: string; email: string } | null;
  withdrawer?: { id: string; name: string; email: string } | null;
  /** The source's mirror row (its name, its redaction mark), when the query joined it. */
  mirror?: { name: string | null; removed: boolean };
};

export function toShareDto(ctx: ServiceContext, j: Joined): ShareDto {
  const s = j.share;
  const now = ctx.now();
  const state = effectiveState(s, now);
  const officer = ctx.actor ? can(ctx.actor.role, "shares.create") : false;
  const subject = j.mirror ? subjectOf(ctx, j.mirror) : undefined;
  return {
    ...(subject ? { subject } : {}),
    id: s.id,
    applicationId: s.applicationId,
    applicationName: j.applicationName ?? "",
    partnerId: s.partnerId,
    partnerName: j.partnerName ?? "",
    sessionId: s.sessionId,
    sessionKind: s.sessionKind,
    sessionNumber: s.sessionNumber,
    sourceStatus: s.sourceStatus,
    forApplicationId: s.forApplicationId,
    ttlSeconds: s.ttlSeconds,
    channel: s.channel,
    state,
    attempts: s.attempts,
    lastError: s.lastError,
    issuedAt: s.issuedAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    deliveredAt: s.deliveredAt?.toISOString() ?? null,
    revokedAt: s.revokedAt?.toISOString() ?? null,
    revokeReason: s.revokeReason,
    revealedAt: s.revealedAt?.toISOString() ?? null,
    withdrawal: s.withdrawnAt
      ? {
          at: s.withdrawnAt.toISOString(),
          by: j.withdrawer ?? null,
          reason: s.withdrawReason ?? "",
          outcome: s.withdrawOutcome ?? "recall",
        }
      : null,
    receiptStatus: s.receiptStatus,
    receiptCloneSessionId: s.receiptCloneSessionId,
    receiptReason: s.receiptReason,
    receiptAt: s.receiptAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
    createdBy: j.creator,
    canRevoke: officer && revokeRefusal(s, now) === null,
    canReveal: officer && revealRefusal(s, now) === null,
    canWithdraw: officer && withdrawRefusal(s) === null,
  };
}

const withdrawers = alias(users, "withdrawers");

const joinedColumns = {
  share: shares,
  applicationName: connectedApplications.name,
  partnerName: partners.name,
  creatorId: users.id,
  creatorName: users.name,
  creatorEmail: users.email,
  withdrawerId: withdrawers.id,
  withdrawerName: withdrawers.name,
  withdrawerEmail: withdrawers.email,
  subjectName: sessionMirror.displayName,
  subjectRedactedAt: sessionMirror.redactedAt,
};

type JoinedRow = {
  share: ShareRow;
  applicationName: string | null;
  partnerName: string | null;
  creatorId: string | null;
  creatorName: string | null;
  creatorEmail: string | null;
  withdrawerId: string | null;
  withdrawerName: string | null;
  withdrawerEmail: string | null;
  subjectName: string | null;
  subjectRedactedAt: Date | null;
};

export function joined(r: JoinedRow): Joined {
  return {
    share: r.share,
    applicationName: r.applicationName,
    partnerName: r.partnerName,
    mirror: { name: r.subjectName, removed: r.subjectRedactedAt !== null },
    creator:
      r.creatorId && r.creatorName !== null && r.creatorEmail !== null
        ? { id: r.creatorId, name: r.creatorName, email: r.creatorEmail }
        : null,
    withdrawer:
      r.withdrawerId && r.withdrawerName !== null && r.withdrawerEmail !== null
        ? { id: r.withdrawerId, name: r.withdrawerName, email: r.withdrawerEmail }
        : null,
  };
}

export function selectJoined(db: DbOrTx) {
  return db
    .select(joinedColumns)
    .from(shares)
    .leftJoin(connectedApplications, eq(connectedApplications.id, shares.applicationId))
    .leftJoin(partners, eq(partners.id, shares.partnerId))
    .leftJoin(users, eq(users.id, shares.createdBy))
    .leftJoin(withdrawers, eq(withdrawers.id, shares.withdrawnBy))
    .leftJoin(
      sessionMirror,
      and(
        eq(sessionMirror.applicationId, shares.applicationId),
        eq(sessionMirror.diditSessionId, shares.sessionId),
      ),
    );
}

export async function loadDto(ctx: ServiceContext, db: DbOrTx, id: string): Promise<ShareDto> {
  const [row] = await selectJoined(db).where(eq(shares.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such share.");
  return toShareDto(ctx, joined(row));
}
