import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { decodeJwt } from "jose";
import type { CreateShareRequest, ShareDto } from "@/lib/schemas/shares";
import { seal, tokenHash } from "@/lib/server/crypto/envelope";
import {
  connectedApplications,
  partners,
  sessionMirror,
  shares,
  type AgreementSnapshot,
  type ShareManifest,
} from "@/lib/server/db/schema";
import type { DbOrTx, Tx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, type ServiceDeps, assertCan, diditOf } from "@/lib/server/kernel";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { assertPolicy, evaluateSharePolicy } from "@/lib/server/services/partners";
import { toShareDto } from "./dto";
import { deliverInternally, deliveryReadiness, type ApplicationRow } from "./internal";
import { shareDeliveryJob, shareExpiryJob } from "./delivery";

/**
 * Shares (we are Service X): an officer shares one of our finished sessions with a partner. The
 * policy is checked first (nothing is asked of Didit when it refuses), then Didit mints the token
 * with the owning application's key, then one transaction records the share (the token sealed to
 * the row), its audit event and its delivery: a job for push, the inbox row itself for internal.
 */

const FINISHED = new Set(["Approved", "Declined", "In Review"]);

type ShareRow = typeof shares.$inferSelect;
type PartnerRow = typeof partners.$inferSelect;
type MirrorRow = typeof sessionMirror.$inferSelect;

/** What is shared, with whom: the partner, our mirror row of the session and its application. */
type Source = { partner: PartnerRow; mirror: MirrorRow; app: ApplicationRow };

/** The token Didit minted, checked against what we asked for. */
type Minted = {
  token: string;
  hash: string;
  claims: Record<string, unknown>;
  issuedAt: Date;
  expiresAt: Date;
  sessionKind: ShareRow["sessionKind"];
};

/**
 * Shares a finished session with a partner: policy, Didit, then one transaction (share row, audit,
 * delivery). Answers the share without its token. If the transaction fails after Didit minted the
 * token, nothing is stored and the token is never delivered (it is logged by hash only).
 */
export async function createShare(
  ctx: ServiceContext,
  input: CreateShareRequest,
  deps: ServiceDeps = {},
): Promise<ShareDto> {
  assertCan(ctx, "shares.create");
  const source = await loadSource(ctx.db, input);
  const { ttlSeconds, receiver } = await checkPolicy(ctx, source, input.ttlSeconds);
  const minted = await mint(deps, source, input.sessionId, ttlSeconds);
  const shareId = randomUUID();
  let stored: ShareRow;
  try {
    stored = await record(ctx, shareId, { source, sessionId: input.sessionId, ttlSeconds, receiver, minted });
  } catch (error) {
    getLogger().error(
      { tokenHash: minted.hash, sessionId: input.sessionId, partnerId: source.partner.id, shareId },
      "a share token minted by Didit could not be recorded; it will never be delivered",
    );
    throw error;
  }
  const actor = ctx.actor!;
  return toShareDto(ctx, {
    share: stored,
    applicationName: source.app.name,
    partnerName: source.partner.name,
    creator: { id: actor.id, name: actor.name, email: actor.email },
  });
}

/** The partner and the session's mirror row (404 for either unknown; 409 for an unfinished session). */
async function loadSource(db: DbOrTx, input: CreateShareRequest): Promise<Source> {
  // Independent reads side by side (separate connections on PostgreSQL).
  const [[partner], mirrors] = await Promise.all([
    db.select().from(partners).where(eq(partners.id, input.partnerId)).limit(1),
    db
      .select({ mirror: sessionMirror, app: connectedApplications })
      .from(sessionMirror)
      .innerJoin(connectedApplications, eq(connectedApplications.id, sessionMirror.applicationId))
      .where(
        and(
          eq(sessionMirror.diditSessionId, input.sessionId),
          sql`${sessionMirror.deletedAt} is null`,
          sql`${connectedApplications.deletedAt} is null`,
        ),
      )
      .limit(10),
  ]);
  if (!partner) throw new AppError("not_found", "No such partner: pick one from the partner directory.");
  // The partner's application first, should two of ours mirror the same session.
  const found = mirrors.find((m) => m.mirror.applicationId === partner.applicationId) ?? mirrors[0];
  if (!found) {
    throw new AppError(
      "not_found",
      "This session is not in the session list: sync its application (Applications → Sync) and try again.",
    );
  }
  const { mirror, app } = found;
  if (!FINISHED.has(mirror.status)) {
    throw new AppError(
      "session_not_finished",
      `This session is ${mirror.status}: only finished sessions (Approved, Declined, In Review) can be shared. If it has finished since, sync the application.`,
    );
  }
  return { partner, mirror, app };
}

/** The partner's policy, its channel's readiness and our key: all before a token is minted. */
async function checkPolicy(
  ctx: ServiceContext,
  { partner, mirror, app }: Source,
  requestedTtl: CreateShareRequest["ttlSeconds"],
): Promise<{ ttlSeconds: number; receiver: ApplicationRow | null }> {
  const { ttlSeconds } = assertPolicy(
    evaluateSharePolicy(
      partner,
      { kind: mirror.kind, status: mirror.status, applicationId: mirror.applicationId },
      requestedTtl,
      ctx.now(),
    ),
  );
  const receiver = await deliveryReadiness(ctx.db, partner);
  if (!app.apiKeyCiphertext) {
    throw new AppError(
      "conflict",
      `${app.name} has no API key: an admin must set one under Applications first.`,
    );
  }
  return { ttlSeconds, receiver };
}

/** Didit mints the token with the owning application's key; its claims must be what we asked. */
async function mint(
  deps: ServiceDeps,
  { partner, mirror, app }: Source,
  sessionId: string,
  ttlSeconds: number,
): Promise<Minted> {
  const minted = await diditOf(deps).share(
    { id: app.id, apiKeyCiphertext: app.apiKeyCiphertext! },
    sessionId,
    { forApplicationId: partner.diditApplicationId, ttlSeconds },
  );
  const token = minted.shareToken;
  const hash = tokenHash(token);
  const { claims, issuedAt, expiresAt } = checkedClaims(token, {
    sessionId,
    forApplicationId: partner.diditApplicationId,
  });
  return { token, hash, claims, issuedAt, expiresAt, sessionKind: minted.sessionKind ?? mirror.kind };
}

type Claims = { session_id?: unknown; for_application_id?: unknown; iat?: unknown; exp?: unknown };

/** Decodes Didit's token and checks it is the one we asked for (a mismatch stores nothing). */
function checkedClaims(
  token: string,
  expected: { sessionId: string; forApplicationId: string },
): { claims: Record<string, unknown>; issuedAt: Date; expiresAt: Date } {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token) as Record<string, unknown>;
  } catch {
    throw new AppError(
      "upstream_error",
      "Didit answered with a token that cannot be read; nothing was stored. Try again.",
    );
  }
  const c = claims as Claims;
  const same = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();
  if (
    !same(c.session_id, expected.sessionId) ||
    !same(c.for_application_id, expected.forApplicationId) ||
    typeof c.exp !== "number" ||
    typeof c.iat !== "number"
  ) {
    throw new AppError(
      "upstream_error",
      "Didit answered with a token for another session or application; nothing was stored or delivered. Try again, and report it if it repeats.",
    );
  }
  return { claims, issuedAt: new Date(c.iat * 1000), expiresAt: new Date(c.exp * 1000) };
}

type Recording = {
  source: Source;
  sessionId: string;
  ttlSeconds: number;
  receiver: ApplicationRow | null;
  minted: Minted;
};

/** One transaction: the share row, its delivery (inbox row or jobs), then its audit events. */
async function record(ctx: ServiceContext, shareId: string, r: Recording): Promise<ShareRow> {
  const { partner, mirror, app } = r.source;
  const { minted, sessionId, ttlSeconds } = r;
  const now = ctx.now();
  const manifest: ShareManifest = {
    session_number: mirror.sessionNumber,
    status: mirror.status,
    created_at: mirror.diditCreatedAt.toISOString(),
    features: mirror.features ?? [],
    agreement_reference: partner.agreementReference,
  };
  const agreement: AgreementSnapshot = {
    reference: partner.agreementReference,
    signedOn: partner.agreementSignedOn,
    expiresOn: partner.agreementExpiresOn,
    partnerStatus: partner.status,
  };
  return ctx.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(shares)
      .values({
        id: shareId,
        applicationId: app.id,
        partnerId: partner.id,
        sessionId,
        sessionKind: minted.sessionKind,
        sessionNumber: mirror.sessionNumber,
        sourceStatus: mirror.status,
        forApplicationId: partner.diditApplicationId,
        ttlSeconds,
        tokenHash: minted.hash,
        claims: minted.claims,
        issuedAt: minted.issuedAt,
        expiresAt: minted.expiresAt,
        tokenCiphertext: partner.deliveryChannel === "internal" ? null : seal(minted.token, shareId),
        channel: partner.deliveryChannel,
        state: "pending",
        manifest,
        agreement,
        createdBy: ctx.actor!.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    let stored = inserted!;
    let inboxItemId: string | null = null;
    if (partner.deliveryChannel === "internal") {
      const internal = await deliverInternally(tx, {
        shareId,
        token: minted.token,
        hash: minted.hash,
        claims: minted.claims,
        manifest,
        sessionKind: minted.sessionKind,
        sessionId,
        fromDiditApplicationId: app.diditApplicationId,
        receiver: r.receiver!,
        expiresAt: minted.expiresAt,
        now,
      });
      stored = internal.share;
      inboxItemId = internal.inboxItemId;
    } else {
      await queueJobs(tx, partner, shareId, minted.expiresAt, now);
    }
    // The audit rows last: the chain's lock is then held only until the commit.
    await auditCreated(ctx, tx, r, shareId, inboxItemId);
    return stored;
  });
}

/** Push: the delivery job (retried until the token's `exp`); every channel but internal: the expiry job. */
async function queueJobs(
  tx: Tx,
  partner: PartnerRow,
  shareId: string,
  expiresAt: Date,
  now: Date,
): Promise<void> {
  if (partner.deliveryChannel === "push") {
    await shareDeliveryJob.enqueue(tx, { shareId }, { deadline: expiresAt, singletonKey: shareId, now });
  }
  await shareExpiryJob.enqueue(tx, { shareId }, { runAt: expiresAt, singletonKey: shareId, now });
}

/** `share.created`, and `share.delivered` when the internal channel delivered it in the same transaction. */
async function auditCreated(
  ctx: ServiceContext,
  tx: Tx,
  r: Recording,
  shareId: string,
  inboxItemId: string | null,
): Promise<void> {
  const { partner, mirror, app } = r.source;
  const meta = auditMeta(ctx);
  await recordAudit(tx, meta, {
    action: "share.created",
    entityType: "share",
    entityId: shareId,
    data: {
      sessionId: r.sessionId,
      sessionKind: r.minted.sessionKind,
      sourceStatus: mirror.status,
      applicationId: app.id,
      partnerId: partner.id,
      partnerName: partner.name,
      forApplicationId: partner.diditApplicationId,
      channel: partner.deliveryChannel,
      ttlSeconds: r.ttlSeconds,
      expiresAt: r.minted.expiresAt.toISOString(),
      tokenHash: r.minted.hash,
      agreementReference: partner.agreementReference,
    },
  });
  if (inboxItemId) {
    await recordAudit(tx, meta, {
      action: "share.delivered",
      entityType: "share",
      entityId: shareId,
      data: { channel: "internal", inboxItemId, receiverApplicationId: r.receiver!.id, attempt: 1 },
    });
  }
}
