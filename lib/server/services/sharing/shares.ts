import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, ilike, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { decodeJwt } from "jose";
import { can } from "@/lib/rbac";
import { foldSearch } from "@/lib/search-fold";
import type {
  CreateShareRequest,
  RevealShareResponse,
  RevokeShareRequest,
  ShareDetailDto,
  ShareDto,
  ShareListQuery,
  ShareListResponse,
} from "@/lib/schemas/shares";
import { seal, open, tokenHash } from "@/lib/server/crypto/envelope";
import {
  connectedApplications,
  inboxItems,
  partners,
  sessionMirror,
  shareDeliveries,
  shareReceipts,
  shares,
  users,
  type AgreementSnapshot,
  type ShareManifest,
} from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import type { DbOrTx, Tx } from "@/lib/server/db/types";
import { getDiditClient } from "@/lib/server/didit";
import type { DiditClient } from "@/lib/server/didit/types";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/server/http/keyset-cursor";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { enqueue } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { enqueueAutoImport } from "@/lib/server/services/receiving";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { recallOfShare } from "@/lib/server/services/recalls";
import { assertPolicy, evaluateSharePolicy } from "@/lib/server/services/partners";
import { canReadNames, subjectOf, foldedTextMatch, MIN_NAME_TERM } from "@/lib/server/services/sessions";

/**
 * Shares (we are Service X): an officer shares one of our finished sessions with a partner. The
 * policy is checked first (nothing is asked of Didit when it refuses), then Didit mints the token
 * with the owning application's key, then one transaction records the share (the token sealed to
 * the row), its audit event and its delivery: a job for push, the inbox row itself for internal.
 */

export const DELIVERY_QUEUE = "shares.delivery";
export const EXPIRY_QUEUE = "shares.expire";
const FINISHED = new Set(["Approved", "Declined", "In Review"]);
const SYSTEM = { id: null, label: "system" } as const;

type ShareRow = typeof shares.$inferSelect;
type PartnerRow = typeof partners.$inferSelect;
type ApplicationRow = typeof connectedApplications.$inferSelect;

export type ShareDeps = { didit?: DiditClient };

// --- DTOs ----------------------------------------------------------------------------------------

type Joined = {
  share: ShareRow;
  applicationName: string | null;
  partnerName: string | null;
  creator: { id: string; name: string; email: string } | null;
  withdrawer?: { id: string; name: string; email: string } | null;
  /** The source's mirror row (its name, its redaction mark), when the query joined it. */
  mirror?: { name: string | null; removed: boolean };
};

/** Pending past `exp` reads as expired even before the expiry job or a sweep has written it. */
function effectiveState(row: ShareRow, now: Date): ShareRow["state"] {
  return row.state === "pending" && row.expiresAt <= now ? "expired" : row.state;
}

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

function joined(r: JoinedRow): Joined {
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

function selectJoined(db: DbOrTx) {
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

async function loadDto(ctx: ServiceContext, db: DbOrTx, id: string): Promise<ShareDto> {
  const [row] = await selectJoined(db).where(eq(shares.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such share.");
  return toShareDto(ctx, joined(row));
}

// --- Create ----------------------------------------------------------------------------------------

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

/** Our connected application with this Didit uuid (the internal channel's receiver), if any. */
async function connectedByDiditId(db: DbOrTx, diditApplicationId: string): Promise<ApplicationRow | null> {
  const [app] = await db
    .select()
    .from(connectedApplications)
    .where(
      and(
        eq(connectedApplications.diditApplicationId, diditApplicationId),
        sql`${connectedApplications.deletedAt} is null`,
      ),
    )
    .limit(1);
  return app ?? null;
}

/**
 * Shares a finished session with a partner: policy, Didit, then one transaction (share row, audit,
 * delivery). Answers the share without its token. If the transaction fails after Didit minted the
 * token, nothing is stored and the token is never delivered (it is logged by hash only).
 */
export async function createShare(
  ctx: ServiceContext,
  input: CreateShareRequest,
  deps: ShareDeps = {},
): Promise<ShareDto> {
  assertCan(ctx, "shares.create");
  const db = ctx.db;
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
  const { ttlSeconds } = assertPolicy(
    evaluateSharePolicy(
      partner,
      { kind: mirror.kind, status: mirror.status, applicationId: mirror.applicationId },
      input.ttlSeconds,
      ctx.now(),
    ),
  );

  const receiver = await deliveryReadiness(db, partner);
  if (!app.apiKeyCiphertext) {
    throw new AppError(
      "conflict",
      `${app.name} has no API key: an admin must set one under Applications first.`,
    );
  }

  const didit = deps.didit ?? getDiditClient();
  const minted = await didit.share({ id: app.id, apiKeyCiphertext: app.apiKeyCiphertext }, input.sessionId, {
    forApplicationId: partner.diditApplicationId,
    ttlSeconds,
  });
  const token = minted.shareToken;
  const hash = tokenHash(token);
  const { claims, issuedAt, expiresAt } = checkedClaims(token, {
    sessionId: input.sessionId,
    forApplicationId: partner.diditApplicationId,
  });

  const shareId = randomUUID();
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
  const sessionKind = minted.sessionKind ?? mirror.kind;
  let stored: ShareRow | undefined;
  try {
    await db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(shares)
        .values({
          id: shareId,
          applicationId: app.id,
          partnerId: partner.id,
          sessionId: input.sessionId,
          sessionKind,
          sessionNumber: mirror.sessionNumber,
          sourceStatus: mirror.status,
          forApplicationId: partner.diditApplicationId,
          ttlSeconds,
          tokenHash: hash,
          claims,
          issuedAt,
          expiresAt,
          tokenCiphertext: partner.deliveryChannel === "internal" ? null : seal(token, shareId),
          channel: partner.deliveryChannel,
          state: "pending",
          manifest,
          agreement,
          createdBy: ctx.actor!.id,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      stored = inserted;
      let inboxItemId: string | null = null;
      if (partner.deliveryChannel === "internal") {
        const internal = await deliverInternally(tx, {
          shareId,
          token,
          hash,
          claims,
          manifest,
          sessionKind,
          sessionId: input.sessionId,
          fromDiditApplicationId: app.diditApplicationId,
          receiver: receiver!,
          expiresAt,
          now,
        });
        stored = internal.share;
        inboxItemId = internal.inboxItemId;
      } else {
        if (partner.deliveryChannel === "push") {
          await enqueue(tx, {
            queue: DELIVERY_QUEUE,
            payload: { shareId },
            deadline: expiresAt,
            maxAttempts: 1000,
            backoff: { kind: "exponential", baseMs: 5_000, maxMs: 300_000 },
            singletonKey: shareId,
            now,
          });
        }
        await enqueue(tx, {
          queue: EXPIRY_QUEUE,
          payload: { shareId },
          runAt: expiresAt,
          singletonKey: shareId,
          now,
        });
      }
      // The audit rows last: the chain's lock is then held only until the commit.
      const meta = auditMeta(ctx);
      await recordAudit(tx, meta, {
        action: "share.created",
        entityType: "share",
        entityId: shareId,
        data: {
          sessionId: input.sessionId,
          sessionKind,
          sourceStatus: mirror.status,
          applicationId: app.id,
          partnerId: partner.id,
          partnerName: partner.name,
          forApplicationId: partner.diditApplicationId,
          channel: partner.deliveryChannel,
          ttlSeconds,
          expiresAt: expiresAt.toISOString(),
          tokenHash: hash,
          agreementReference: partner.agreementReference,
        },
      });
      if (inboxItemId) {
        await recordAudit(tx, meta, {
          action: "share.delivered",
          entityType: "share",
          entityId: shareId,
          data: { channel: "internal", inboxItemId, receiverApplicationId: receiver!.id, attempt: 1 },
        });
      }
    });
  } catch (error) {
    getLogger().error(
      { tokenHash: hash, sessionId: input.sessionId, partnerId: partner.id, shareId },
      "a share token minted by Didit could not be recorded; it will never be delivered",
    );
    throw error;
  }
  const actor = ctx.actor!;
  return toShareDto(ctx, {
    share: stored!,
    applicationName: app.name,
    partnerName: partner.name,
    creator: { id: actor.id, name: actor.name, email: actor.email },
  });
}

/** What each channel needs before a token is minted, so a misconfigured partner costs no token. */
async function deliveryReadiness(db: DbOrTx, partner: PartnerRow): Promise<ApplicationRow | null> {
  if (partner.deliveryChannel === "internal") {
    const receiver = await connectedByDiditId(db, partner.diditApplicationId);
    if (!receiver) {
      throw new AppError(
        "conflict",
        `${partner.name} uses the internal channel, but its Didit application is not one of our connected applications: connect it, or change the partner's channel.`,
      );
    }
    return receiver;
  }
  if (partner.deliveryChannel === "push" && !partner.pushUrl) {
    throw new AppError(
      "conflict",
      `${partner.name} uses the push channel but has no inbox URL: a partnership manager must set one first.`,
    );
  }
  return null;
}

type InternalDelivery = {
  shareId: string;
  token: string;
  hash: string;
  claims: Record<string, unknown>;
  manifest: ShareManifest;
  sessionKind: "user" | "business";
  sessionId: string;
  fromDiditApplicationId: string;
  receiver: ApplicationRow;
  expiresAt: Date;
  now: Date;
};

/**
 * The partner is one of our own applications: the token goes into our inbox in this transaction
 * (the caller audits it). Answers the share as delivered and the inbox item's id.
 */
async function deliverInternally(
  tx: Tx,
  d: InternalDelivery,
): Promise<{ share: ShareRow; inboxItemId: string }> {
  const [senderAsPartner] = await tx
    .select({ id: partners.id, importMode: partners.importMode })
    .from(partners)
    .where(
      and(
        eq(partners.applicationId, d.receiver.id),
        eq(partners.diditApplicationId, d.fromDiditApplicationId),
      ),
    )
    .limit(1);
  const inboxId = randomUUID();
  await tx.insert(inboxItems).values({
    id: inboxId,
    applicationId: d.receiver.id,
    partnerId: senderAsPartner?.id ?? null,
    source: "internal",
    senderShareId: d.shareId,
    localShareId: d.shareId,
    tokenHash: d.hash,
    tokenCiphertext: seal(d.token, inboxId),
    claims: d.claims,
    manifest: d.manifest,
    sessionKind: d.sessionKind,
    sourceSessionId: d.sessionId,
    fromApplicationId: d.fromDiditApplicationId,
    expiresAt: d.expiresAt,
    state: "pending",
    receivedAt: d.now,
    updatedAt: d.now,
  });
  // The receiving brand's policy may import on arrival, as for a partner's push.
  if (senderAsPartner) {
    await enqueueAutoImport(tx, { id: inboxId, expiresAt: d.expiresAt }, senderAsPartner, d.now);
  }
  await tx.insert(shareDeliveries).values({
    shareId: d.shareId,
    attempt: 1,
    channel: "internal",
    outcome: "delivered",
    durationMs: 0,
    startedAt: d.now,
    finishedAt: d.now,
  });
  const [share] = await tx
    .update(shares)
    .set({ state: "delivered", deliveredAt: d.now, attempts: 1, tokenCiphertext: null, updatedAt: d.now })
    .where(eq(shares.id, d.shareId))
    .returning();
  return { share: share!, inboxItemId: inboxId };
}

// --- Read ----------------------------------------------------------------------------------------

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listShares(ctx: ServiceContext, query: ShareListQuery): Promise<ShareListResponse> {
  assertCan(ctx, "shares.read");
  const now = ctx.now();
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  await expireDueShares(ctx, { limit: 200 });
  const where: (SQL | undefined)[] = [];
  if (query.state) where.push(eq(shares.state, query.state));
  if (query.partnerId) where.push(eq(shares.partnerId, query.partnerId));
  if (query.applicationId) where.push(eq(shares.applicationId, query.applicationId));
  if (query.sessionId) where.push(eq(shares.sessionId, query.sessionId));
  if (query.channel) where.push(eq(shares.channel, query.channel));
  if (query.q) {
    const q = query.q.trim();
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const ors: SQL[] = [ilike(partners.name, like)];
    if (/^\d{1,9}$/.test(q)) ors.push(sql`cast(${shares.sessionNumber} as text) like ${`${q}%`}`);
    if (UUID_RE.test(q)) ors.push(eq(shares.sessionId, q.toLowerCase()), eq(shares.id, q.toLowerCase()));
    // The person's or company's name, folded as the session picker folds it (who may read names).
    const terms = q.split(/\s+/).slice(0, 5);
    if (canReadNames(ctx) && terms.some((t) => foldSearch(t).length >= MIN_NAME_TERM)) {
      ors.push(foldedTextMatch(sessionMirror.searchText, terms));
    }
    where.push(or(...ors));
  }
  if (cursor) {
    const c = cursor;
    where.push(
      sql`(${shares.createdAt}, ${shares.id}) < (${c.at.toISOString()}::timestamptz, ${c.id}::uuid)`,
    );
  }
  const rows = await selectJoined(ctx.db)
    .where(and(...where))
    .orderBy(desc(shares.createdAt), desc(shares.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => toShareDto({ ...ctx, now: () => now }, joined(r))),
    nextCursor: rows.length > query.limit ? nextCursorOf(page[page.length - 1]!.share) : null,
  };
}

export async function getShare(ctx: ServiceContext, id: string): Promise<ShareDetailDto> {
  assertCan(ctx, "shares.read");
  await expireDueShares(ctx, { ids: [id] });
  const [row] = await selectJoined(ctx.db).where(eq(shares.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such share.");
  const [deliveries, receipts, recall] = await Promise.all([
    ctx.db
      .select()
      .from(shareDeliveries)
      .where(eq(shareDeliveries.shareId, id))
      .orderBy(asc(shareDeliveries.attempt), asc(shareDeliveries.startedAt)),
    ctx.db
      .select()
      .from(shareReceipts)
      .where(eq(shareReceipts.shareId, id))
      .orderBy(asc(shareReceipts.receivedAt)),
    recallOfShare(ctx.db, id),
  ]);
  const s = row.share;
  return {
    ...toShareDto(ctx, joined(row)),
    claims: s.claims,
    tokenHash: s.tokenHash,
    manifest: s.manifest,
    agreement: s.agreement,
    deliveries: deliveries.map((d) => ({
      id: d.id,
      attempt: d.attempt,
      channel: d.channel,
      outcome: d.outcome,
      httpStatus: d.httpStatus,
      error: d.error,
      durationMs: d.durationMs,
      startedAt: d.startedAt.toISOString(),
      finishedAt: d.finishedAt.toISOString(),
    })),
    receipts: receipts.map((r) => ({
      id: r.id,
      status: r.status,
      cloneSessionId: r.cloneSessionId,
      reason: r.reason,
      receivedAt: r.receivedAt.toISOString(),
    })),
    recall,
  };
}

// --- Expiry --------------------------------------------------------------------------------------

/**
 * Marks pending shares past their `exp` expired and destroys their tokens, each audited
 * `share.expired` (by the system). Rows another transaction holds are skipped (it decides them).
 */
export async function expireDueShares(
  ctx: Pick<ServiceContext, "db" | "now" | "requestId">,
  options: { ids?: string[]; limit?: number } = {},
): Promise<number> {
  const now = ctx.now();
  const due = and(
    eq(shares.state, "pending"),
    lte(shares.expiresAt, now),
    options.ids ? inArray(shares.id, options.ids) : undefined,
  );
  // Cheap test first, so reads take no lock and write nothing while nothing is due.
  const [any] = await ctx.db.select({ id: shares.id }).from(shares).where(due).limit(1);
  if (!any) return 0;
  return ctx.db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: shares.id })
      .from(shares)
      .where(due)
      .limit(options.limit ?? 200)
      .for("update", { skipLocked: true });
    for (const r of rows) await markExpired(tx, { now, requestId: ctx.requestId }, r.id);
    return rows.length;
  });
}

/** Inside a transaction holding the share's row lock. */
export async function markExpired(tx: Tx, clock: { now: Date; requestId?: string }, shareId: string) {
  await tx
    .update(shares)
    .set({ state: "expired", tokenCiphertext: null, updatedAt: clock.now })
    .where(eq(shares.id, shareId));
  await recordAudit(
    tx,
    { actor: SYSTEM, now: clock.now, requestId: clock.requestId ?? null },
    { action: "share.expired", entityType: "share", entityId: shareId, data: {} },
  );
}

// --- Revoke and reveal ---------------------------------------------------------------------------

const DELIVERED_STATES = new Set(["delivered", "picked_up"]);

function revokeRefusal(s: ShareRow, now: Date): string | null {
  if (s.state === "revoked") return "This share was already revoked.";
  if (DELIVERED_STATES.has(s.state)) {
    return s.state === "picked_up"
      ? "The partner already picked this token up, and Didit cannot revoke a token it minted: withdraw the share instead."
      : "This token was already delivered, and Didit cannot revoke a token it minted: withdraw the share instead.";
  }
  if (s.state === "expired" || s.expiresAt <= now) {
    return "This token has expired: there is nothing left to revoke.";
  }
  return null;
}

/** Withdraw is for a token the partner has (delivered, picked up, revealed); once. */
export function withdrawRefusal(
  s: ShareRow,
): { code: "already_withdrawn" | "conflict"; message: string } | null {
  if (s.withdrawnAt) {
    return {
      code: "already_withdrawn",
      message: `This share was already withdrawn on ${s.withdrawnAt.toISOString()}; it cannot be withdrawn twice.`,
    };
  }
  if (DELIVERED_STATES.has(s.state)) return null;
  if (s.state === "pending") {
    return {
      code: "conflict",
      message: "This token has not been handed over yet: revoke the share instead (its token is destroyed).",
    };
  }
  return {
    code: "conflict",
    message:
      s.state === "revoked"
        ? "This share was revoked before the partner got its token: there is nothing to withdraw."
        : "The token never reached the partner: there is nothing to withdraw.",
  };
}

function revealRefusal(s: ShareRow, now: Date): string | null {
  if (s.channel !== "manual") return "Only shares on the manual channel can be revealed.";
  if (s.revealedAt)
    return "This token was already revealed once; it cannot be shown again. Share the session again for a new token.";
  if (s.state === "revoked") return "This share was revoked: its token was destroyed.";
  if (effectiveState(s, now) === "expired")
    return "This token has expired: share the session again for a new one.";
  if (s.state !== "pending" || !s.tokenCiphertext) return "This token is no longer held.";
  return null;
}

async function lockShare(tx: Tx, id: string): Promise<ShareRow> {
  const [row] = await tx.select().from(shares).where(eq(shares.id, id)).limit(1).for("update");
  if (!row) throw new AppError("not_found", "No such share.");
  return row;
}

/** A push attempt in flight holds the token already: it decides the share, not a revoke. */
async function deliveryRunning(tx: Tx, shareId: string): Promise<boolean> {
  const [running] = await tx
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.queue, DELIVERY_QUEUE),
        eq(jobs.state, "running"),
        sql`${jobs.payload}->>'shareId' = ${shareId}`,
      ),
    )
    .limit(1);
  return Boolean(running);
}

/**
 * Revokes a share before delivery or pick-up: the stored token is destroyed and no delivery runs.
 * Didit tokens cannot be revoked upstream, so a token already handed over stays valid until `exp`.
 */
export async function revokeShare(
  ctx: ServiceContext,
  id: string,
  input: RevokeShareRequest,
): Promise<ShareDto> {
  assertCan(ctx, "shares.create");
  const now = ctx.now();
  const outcome = await ctx.db.transaction(async (tx) => {
    const s = await lockShare(tx, id);
    const refusal = revokeRefusal(s, now);
    if (refusal) return { refused: refusal };
    if (await deliveryRunning(tx, id)) {
      return {
        refused: "A delivery attempt to the partner is running right now: try again in a few seconds.",
      };
    }
    await tx
      .update(shares)
      .set({
        state: "revoked",
        tokenCiphertext: null,
        revokedAt: now,
        revokedBy: ctx.actor!.id,
        revokeReason: input.reason,
        updatedAt: now,
      })
      .where(eq(shares.id, id));
    await recordAudit(tx, auditMeta(ctx), {
      action: "share.revoked",
      entityType: "share",
      entityId: id,
      data: { reason: input.reason, previousState: s.state, channel: s.channel, partnerId: s.partnerId },
    });
    return { refused: null };
  });
  if (outcome.refused) throw new AppError("conflict", outcome.refused);
  return loadDto(ctx, ctx.db, id);
}

/** The manual channel: shows the token once; the stored copy is destroyed in the same transaction. */
export async function revealShare(ctx: ServiceContext, id: string): Promise<RevealShareResponse> {
  assertCan(ctx, "shares.create");
  const now = ctx.now();
  const outcome = await ctx.db.transaction(async (tx) => {
    const s = await lockShare(tx, id);
    const refusal = revealRefusal(s, now);
    if (refusal !== null) return { ok: false as const, refusal };
    const token = open(s.tokenCiphertext!, s.id);
    const attempt = s.attempts + 1;
    await tx
      .update(shares)
      .set({
        state: "delivered",
        tokenCiphertext: null,
        deliveredAt: now,
        revealedAt: now,
        revealedBy: ctx.actor!.id,
        attempts: attempt,
        lastError: null,
        updatedAt: now,
      })
      .where(eq(shares.id, id));
    await tx.insert(shareDeliveries).values({
      shareId: id,
      attempt,
      channel: "manual",
      outcome: "revealed",
      durationMs: 0,
      startedAt: now,
      finishedAt: now,
    });
    await recordAudit(tx, auditMeta(ctx), {
      action: "share.revealed",
      entityType: "share",
      entityId: id,
      data: { channel: "manual", partnerId: s.partnerId, tokenHash: s.tokenHash },
    });
    return { ok: true as const, token, expiresAt: s.expiresAt.toISOString() };
  });
  if (!outcome.ok) throw new AppError("conflict", outcome.refusal);
  return { token: outcome.token, expiresAt: outcome.expiresAt };
}

function nextCursorOf(row: { createdAt: Date; id: string }): string {
  return encodeKeysetCursor(row.createdAt, row.id);
}
