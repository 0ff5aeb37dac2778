import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, ilike, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { decodeJwt } from "jose";
import { can } from "@/lib/rbac";
import { foldSearch } from "@/lib/search-fold";
import type {
  InboxItemDetailDto,
  InboxItemDto,
  InboxListQuery,
  InboxListResponse,
  PasteTokenRequest,
  RejectInboxItemRequest,
  ShareTokenClaims,
} from "@/lib/schemas/inbox";
import type { ImportDto } from "@/lib/schemas/imports";
import type { InboxDelivery, RecallDelivery, ShareDelivery } from "@/lib/schemas/partner-api";
import { seal, tokenHash } from "@/lib/server/crypto/envelope";
import {
  connectedApplications,
  imports,
  inboxItems,
  partners,
  sessionMirror,
  users,
  type InboxSource,
  type ShareManifest,
} from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/server/http/keyset-cursor";
import { AppError, type ErrorCode, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { enqueueAutoImport, importOfItem, importsOfItems } from "./import";
import { queueOutboundReceipt, receiptOnOwnShare, receiptsOfItem } from "./outbound-receipts";
import { receiveRecall } from "@/lib/server/services/recalls";
import { canReadNames, subjectOf, foldedTextMatch, MIN_NAME_TERM } from "@/lib/server/services/sessions";
import { evaluateImportPolicy, toPartnerSummary, type PartnerRow } from "@/lib/server/services/partners";

/**
 * The partner inbox (we are Service Y): share tokens arrive pushed by a partner (signed), picked up,
 * pasted by an officer, or handed over internally by a sister brand. Didit signs the token with a key
 * only it holds, so its claims can be read but not verified here; they are checked against what we
 * know (the token is for one of our applications, from this partner's application, not expired, of a
 * kind the partnership allows) before anything is stored. A token is stored once: sealed to its row,
 * found again by its SHA-256, so a redelivery answers the item already held. A refusal stores
 * nothing but its audit event (the token's hash, never the token).
 */

type InboxRow = typeof inboxItems.$inferSelect;
type ApplicationRow = typeof connectedApplications.$inferSelect;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXPIRED_REASON = "The token expired before it was imported: ask the partner for a new share.";

/** The codes a received token is refused with (each audited as `inbox.refused`). */
const REFUSAL_CODES = new Set<ErrorCode>([
  "token_invalid",
  "token_expired",
  "token_not_for_us",
  "token_from_other_partner",
  "token_from_unknown_partner",
  "token_claims_mismatch",
  "partner_suspended",
  "partner_not_inbound",
  "partner_agreement_expired",
  "partner_agreement_missing",
  "kind_not_allowed",
]);

// --- Claims ----------------------------------------------------------------------------------------

/**
 * The token's six claims, or a 422 `token_invalid`: not a JWT, or a claim missing or of the wrong
 * shape. Nothing is verified (Didit holds the key): Didit itself refuses a forged token at import.
 */
export function decodeShareToken(token: string): ShareTokenClaims {
  let raw: Record<string, unknown>;
  try {
    raw = decodeJwt(token) as Record<string, unknown>;
  } catch {
    throw new AppError(
      "token_invalid",
      "This is not a Didit share token (a JWT of three dot-separated parts): copy the whole token the partner sent, or ask them to share again.",
    );
  }
  const missing: string[] = [];
  const uuid = (k: string) => {
    const v = raw[k];
    if (typeof v === "string" && UUID_RE.test(v)) return v.toLowerCase();
    missing.push(k);
    return "";
  };
  const seconds = (k: string) => {
    const v = raw[k];
    if (typeof v === "number" && Number.isInteger(v) && v > 0 && v < 253_402_300_800) return v;
    missing.push(k);
    return 0;
  };
  const claims = {
    session_id: uuid("session_id"),
    from_application_id: uuid("from_application_id"),
    for_application_id: uuid("for_application_id"),
    session_kind: raw.session_kind === "user" || raw.session_kind === "business" ? raw.session_kind : null,
    iat: seconds("iat"),
    exp: seconds("exp"),
  };
  if (claims.session_kind === null) missing.push("session_kind");
  if (missing.length > 0) {
    throw new AppError(
      "token_invalid",
      `This token lacks the claims of a Didit share token (${missing.join(", ")}): ask the partner to share the session again.`,
      { claims: missing },
    );
  }
  return claims as ShareTokenClaims;
}

// --- Receiving -------------------------------------------------------------------------------------

export type TokenArrival = {
  source: Exclude<InboxSource, "internal">;
  token: string;
  /** Push and pick-up: the partner the signature proved; paste: found from the claims. */
  partnerId?: string;
  senderShareId?: string | null;
  manifest?: ShareManifest | null;
  /** What the push body says of the token: it must agree with the claims. */
  stated?: Pick<ShareDelivery, "session_kind" | "from_application_id" | "for_application_id" | "expires_at">;
};

export type Received = { item: InboxRow; created: boolean };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

async function applicationFor(db: DbOrTx, diditApplicationId: string): Promise<ApplicationRow | null> {
  const [app] = await db
    .select()
    .from(connectedApplications)
    .where(
      and(
        eq(connectedApplications.diditApplicationId, diditApplicationId),
        isNull(connectedApplications.deletedAt),
      ),
    )
    .limit(1);
  return app ?? null;
}

async function partnerById(db: DbOrTx, id: string): Promise<PartnerRow | null> {
  const [row] = await db.select().from(partners).where(eq(partners.id, id)).limit(1);
  return row ?? null;
}

/** Which of the token's facts the push body states differently. */
function disagreements(claims: ShareTokenClaims, stated: NonNullable<TokenArrival["stated"]>): string[] {
  const out: string[] = [];
  if (stated.session_kind !== claims.session_kind) out.push("session_kind");
  if (!same(stated.from_application_id, claims.from_application_id)) out.push("from_application_id");
  if (!same(stated.for_application_id, claims.for_application_id)) out.push("for_application_id");
  if (Math.floor(Date.parse(stated.expires_at) / 1000) !== claims.exp) out.push("expires_at");
  return out;
}

type Checked = { claims: ShareTokenClaims; app: ApplicationRow; partner: PartnerRow };

/** Every check on who the token is for and from; throws the refusal (422) otherwise. */
async function checkIdentity(db: DbOrTx, arrival: TokenArrival): Promise<Checked> {
  const claims = decodeShareToken(arrival.token);
  const app = await applicationFor(db, claims.for_application_id);
  if (!app) {
    throw new AppError(
      "token_not_for_us",
      `This token is for Didit application ${claims.for_application_id}, which is not one of our connected applications: only that application can import it. Ask the partner to share it for ours.`,
    );
  }
  let partner: PartnerRow | null;
  if (arrival.partnerId) {
    partner = await partnerById(db, arrival.partnerId);
    if (!partner) throw new AppError("not_found", "No such partner.");
    if (partner.applicationId !== app.id) {
      throw new AppError(
        "token_not_for_us",
        `This token is for our application ${app.name}, but ${partner.name} is a partner of another of our applications: ask them to share it for the application their partnership is with, or add the partnership for ${app.name}.`,
      );
    }
    if (!same(claims.from_application_id, partner.diditApplicationId)) {
      throw new AppError(
        "token_from_other_partner",
        `This token was shared by Didit application ${claims.from_application_id}, not by ${partner.name}'s application: a partner can only deliver its own shares.`,
      );
    }
  } else {
    const [row] = await db
      .select()
      .from(partners)
      .where(
        and(eq(partners.applicationId, app.id), eq(partners.diditApplicationId, claims.from_application_id)),
      )
      .limit(1);
    partner = row ?? null;
    if (!partner) {
      throw new AppError(
        "token_from_unknown_partner",
        `This token was shared by Didit application ${claims.from_application_id}, which is not a partner of ${app.name}: a partnership manager must add it to the partner directory (direction inbound or both) before its tokens can be received.`,
      );
    }
  }
  if (arrival.stated) {
    const wrong = disagreements(claims, arrival.stated);
    if (wrong.length > 0) {
      throw new AppError(
        "token_claims_mismatch",
        `The delivery says something the token does not (${wrong.join(", ")}): send the token's own claims.`,
        { fields: wrong },
      );
    }
  }
  return { claims, app, partner };
}

async function recordRefusal(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  arrival: TokenArrival,
  error: AppError,
): Promise<void> {
  await ctx.db.transaction((tx) =>
    recordAudit(tx, meta, {
      action: "inbox.refused",
      entityType: "partner",
      entityId: arrival.partnerId ?? null,
      data: {
        partnerId: arrival.partnerId ?? null,
        source: arrival.source,
        code: error.code,
        tokenHash: tokenHash(arrival.token),
        senderShareId: arrival.senderShareId ?? null,
      },
    }),
  );
}

/**
 * Checks a received token and stores it once (one inbox item, the token sealed to it): answers the
 * item and whether it was created now (false: the same token was already held, e.g. a redelivery).
 * A refusal is audited (`inbox.refused`) and thrown; nothing else is stored.
 */
export async function receiveToken(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  arrival: TokenArrival,
): Promise<Received> {
  try {
    return await receive(ctx, meta, arrival);
  } catch (error) {
    if (error instanceof AppError && REFUSAL_CODES.has(error.code)) {
      await recordRefusal(ctx, meta, arrival, error);
    }
    throw error;
  }
}

async function byHash(db: DbOrTx, hash: string): Promise<InboxRow | null> {
  const [row] = await db.select().from(inboxItems).where(eq(inboxItems.tokenHash, hash)).limit(1);
  return row ?? null;
}

async function receive(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  arrival: TokenArrival,
): Promise<Received> {
  const now = ctx.now();
  const { claims, app, partner } = await checkIdentity(ctx.db, arrival);
  const hash = tokenHash(arrival.token);
  // A redelivery (a lost 2xx, or a token pasted that the partner also pushed): the item held.
  const held = await byHash(ctx.db, hash);
  if (held) return { item: held, created: false };

  if (claims.exp * 1000 <= now.getTime()) {
    throw new AppError(
      "token_expired",
      `This token expired at ${new Date(claims.exp * 1000).toISOString()}: ask ${partner.name} for a new share.`,
    );
  }
  const policy = evaluateImportPolicy(partner, claims, now);
  if (!policy.ok) throw new AppError(policy.code, policy.message);

  return ctx.db.transaction(async (tx) => {
    const id = randomUUID();
    const [inserted] = await tx
      .insert(inboxItems)
      .values({
        id,
        applicationId: app.id,
        partnerId: partner.id,
        source: arrival.source,
        senderShareId: arrival.senderShareId ?? null,
        tokenHash: hash,
        tokenCiphertext: seal(arrival.token, id),
        claims: { ...claims },
        manifest: arrival.manifest ?? null,
        sessionKind: claims.session_kind,
        sourceSessionId: claims.session_id,
        fromApplicationId: claims.from_application_id,
        expiresAt: new Date(claims.exp * 1000),
        state: "pending",
        receivedBy: ctx.actor?.id ?? null,
        receivedAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: inboxItems.tokenHash })
      .returning();
    if (!inserted) {
      // The same token arrived concurrently and its row won: answer that one.
      const winner = await byHash(tx, hash);
      if (!winner) throw new AppError("conflict", "This token is being received right now: try again.");
      return { item: winner, created: false };
    }
    await recordAudit(tx, meta, {
      action: "inbox.received",
      entityType: "inbox_item",
      entityId: id,
      data: {
        source: arrival.source,
        partnerId: partner.id,
        applicationId: app.id,
        senderShareId: arrival.senderShareId ?? null,
        sourceSessionId: claims.session_id,
        sessionKind: claims.session_kind,
        expiresAt: new Date(claims.exp * 1000).toISOString(),
        tokenHash: hash,
        autoImport: partner.importMode === "auto",
      },
    });
    // The partner's policy may import on arrival: the job is queued with the item, or not at all.
    await enqueueAutoImport(tx, inserted, partner, now);
    return { item: inserted, created: true };
  });
}

/** The audit metadata of a partner's signed request. */
export function partnerMeta(ctx: ServiceContext, partnerId: string): AuditRequestMeta {
  return {
    actor: { id: null, label: `partner:${partnerId}` },
    now: ctx.now(),
    requestId: ctx.requestId,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
  };
}

/** `POST /api/partner/v1/inbox/{partnerId}`: a partner pushes one share (signature already verified). */
export async function receivePush(
  ctx: ServiceContext,
  sender: { partnerId: string },
  body: ShareDelivery,
): Promise<Received> {
  return receiveToken(ctx, partnerMeta(ctx, sender.partnerId), {
    source: "push",
    token: body.share_token,
    partnerId: sender.partnerId,
    senderShareId: body.share_id,
    manifest: body.manifest,
    stated: body,
  });
}

export type InboxDeliveryReceived =
  | ({ type: ShareDelivery["type"] } & Received)
  | {
      type: RecallDelivery["type"];
      recall: { id: string; importCount: number };
      created: boolean;
    };

/**
 * `POST /api/partner/v1/inbox/{partnerId}`, either body: a share (`handoff.share.v1`, as
 * `receivePush`) or a recall (`handoff.recall.v1`: the partner's source changed, our imports of
 * it go back to review).
 */
export async function receiveInboxDelivery(
  ctx: ServiceContext,
  sender: { partnerId: string; messageId?: string },
  body: InboxDelivery,
): Promise<InboxDeliveryReceived> {
  if (body.type === "handoff.recall.v1") {
    const { row, created } = await receiveRecall(ctx, partnerMeta(ctx, sender.partnerId), sender, body);
    return { type: body.type, recall: { id: row.id, importCount: row.importCount }, created };
  }
  return { type: body.type, ...(await receivePush(ctx, sender, body)) };
}

/** `POST /api/inbox`: an officer pastes a token; the partner is found from its claims. */
export async function pasteToken(
  ctx: ServiceContext,
  input: PasteTokenRequest,
): Promise<{ item: InboxItemDetailDto; created: boolean }> {
  assertCan(ctx, "imports.create");
  const { item, created } = await receiveToken(ctx, auditMeta(ctx), { source: "paste", token: input.token });
  return { item: await getInboxItem(ctx, item.id), created };
}

// --- Reading ---------------------------------------------------------------------------------------

/** Pending items past their expiry read as expired and are marked so (their token destroyed). */
async function expireDue(db: DbOrTx, now: Date, ids?: string[]): Promise<void> {
  const where = [eq(inboxItems.state, "pending"), lte(inboxItems.expiresAt, now)];
  if (ids) where.push(inArray(inboxItems.id, ids));
  await db
    .update(inboxItems)
    .set({ state: "expired", stateReason: EXPIRED_REASON, tokenCiphertext: null, updatedAt: now })
    .where(and(...where));
}

const withdrawers = alias(users, "withdrawers");
/** The import of an item (one at most) and its clone's row in our session mirror: whom it is about. */
const itemImport = alias(imports, "item_import");
const cloneMirror = alias(sessionMirror, "clone_mirror");
/** A sister brand's source is mirrored here too: its name before (or without) an import. */
const sourceName = sql<string | null>`(select s.display_name from ${sessionMirror} s
  join ${connectedApplications} a on a.id = s.application_id
  where s.didit_session_id = ${inboxItems.sourceSessionId} and a.didit_application_id = ${inboxItems.fromApplicationId}
    and s.redacted_at is null and s.display_name is not null limit 1)`;

function selectJoined(db: DbOrTx) {
  return db
    .select({
      item: inboxItems,
      applicationName: connectedApplications.name,
      partner: partners,
      receiver: { id: users.id, name: users.name, email: users.email },
      withdrawer: { id: withdrawers.id, name: withdrawers.name, email: withdrawers.email },
      subjectName: sql<string | null>`coalesce(${cloneMirror.displayName}, ${sourceName})`,
      cloneRedactedAt: cloneMirror.redactedAt,
    })
    .from(inboxItems)
    .innerJoin(connectedApplications, eq(connectedApplications.id, inboxItems.applicationId))
    .leftJoin(partners, eq(partners.id, inboxItems.partnerId))
    .leftJoin(users, eq(users.id, inboxItems.receivedBy))
    .leftJoin(withdrawers, eq(withdrawers.id, inboxItems.withdrawnBy))
    .leftJoin(itemImport, eq(itemImport.inboxItemId, inboxItems.id))
    .leftJoin(
      cloneMirror,
      and(
        eq(cloneMirror.applicationId, itemImport.applicationId),
        eq(cloneMirror.diditSessionId, itemImport.cloneSessionId),
      ),
    );
}
type JoinedRow = Awaited<ReturnType<ReturnType<typeof selectJoined>["limit"]>>[number];

/** Pending and unexpired, or failed with the token still unredeemed: what an import (again) needs. */
function importable(item: InboxRow, imported: ImportDto | null, now: Date): boolean {
  if (item.expiresAt <= now || !item.tokenCiphertext) return false;
  if (item.state === "pending") return true;
  return item.state === "failed" && imported?.state === "failed" && imported.retryable;
}

/**
 * Only Didit can verify a token: it is ours to count as the partner's once Didit accepted it on
 * import, or when this console received it from Didit itself (an internal hand-over of our share).
 */
function verificationOf(
  item: InboxRow,
  imported: ImportDto | null,
): Pick<InboxItemDto, "verification" | "verifiedBy"> {
  if (item.state === "invalid") return { verification: "invalid", verifiedBy: null };
  if (imported?.state === "imported") return { verification: "verified", verifiedBy: "import" };
  if (item.localShareId) return { verification: "verified", verifiedBy: "own_share" };
  return { verification: "unverified", verifiedBy: null };
}

function toInboxItemDto(
  ctx: ServiceContext,
  row: JoinedRow,
  imported: ImportDto | null,
  now: Date,
): InboxItemDto {
  const i = row.item;
  const secondsLeft = Math.max(0, Math.floor((i.expiresAt.getTime() - now.getTime()) / 1000));
  const state = i.state === "pending" && secondsLeft === 0 ? "expired" : i.state;
  const officer = !!ctx.actor && can(ctx.actor.role, "imports.create");
  const policyAllows =
    !!row.partner && evaluateImportPolicy(row.partner, { session_kind: i.sessionKind }, now).ok;
  const open = importable(i, imported, now);
  const subject = subjectOf(ctx, {
    name: row.subjectName,
    removed: i.redactedAt !== null || row.cloneRedactedAt !== null,
  });
  return {
    ...(subject ? { subject } : {}),
    id: i.id,
    applicationId: i.applicationId,
    applicationName: row.applicationName,
    partnerId: i.partnerId,
    partnerName: row.partner?.name ?? null,
    source: i.source,
    senderShareId: i.senderShareId,
    sessionKind: i.sessionKind,
    sourceSessionId: i.sourceSessionId,
    fromApplicationId: i.fromApplicationId,
    manifest: i.manifest,
    expiresAt: i.expiresAt.toISOString(),
    secondsLeft,
    state,
    stateReason: state === "expired" && i.state === "pending" ? EXPIRED_REASON : i.stateReason,
    ...verificationOf(i, imported),
    receivedAt: i.receivedAt.toISOString(),
    receivedBy: row.receiver?.id ? row.receiver : null,
    withdrawal:
      i.state === "withdrawn" && i.withdrawnAt
        ? {
            at: i.withdrawnAt.toISOString(),
            by: row.withdrawer?.id ? row.withdrawer : null,
            reason: i.stateReason ?? "",
          }
        : null,
    canReject: officer && open,
    canImport: officer && open && policyAllows,
    import: imported,
  };
}

/** `GET /api/inbox`: newest first, filtered, a keyset cursor. */
export async function listInbox(ctx: ServiceContext, query: InboxListQuery): Promise<InboxListResponse> {
  assertCan(ctx, "inbox.read");
  const now = ctx.now();
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  await expireDue(ctx.db, now);
  const where: (SQL | undefined)[] = [];
  if (query.state) where.push(eq(inboxItems.state, query.state));
  if (query.partnerId) where.push(eq(inboxItems.partnerId, query.partnerId));
  if (query.applicationId) where.push(eq(inboxItems.applicationId, query.applicationId));
  if (query.source) where.push(eq(inboxItems.source, query.source));
  if (query.q) {
    const q = query.q.trim();
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const ors: SQL[] = [ilike(partners.name, like)];
    if (UUID_RE.test(q)) {
      const id = q.toLowerCase();
      ors.push(
        eq(inboxItems.sourceSessionId, id),
        eq(inboxItems.senderShareId, id),
        eq(inboxItems.id, id),
        eq(inboxItems.fromApplicationId, id),
      );
    }
    // The imported person's or company's name, folded as the session picker folds it.
    const terms = q.split(/\s+/).slice(0, 5);
    if (canReadNames(ctx) && terms.some((t) => foldSearch(t).length >= MIN_NAME_TERM)) {
      ors.push(foldedTextMatch(cloneMirror.searchText, terms));
    }
    where.push(or(...ors));
  }
  if (cursor) {
    where.push(
      sql`(${inboxItems.receivedAt}, ${inboxItems.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const rows = await selectJoined(ctx.db)
    .where(and(...where))
    .orderBy(desc(inboxItems.receivedAt), desc(inboxItems.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const importsById = await importsOfItems(
    ctx.db,
    page.map((r) => r.item.id),
  );
  return {
    items: page.map((r) => toInboxItemDto(ctx, r, importsById.get(r.item.id) ?? null, now)),
    nextCursor: rows.length > query.limit ? nextCursorOf(page[page.length - 1]!.item) : null,
  };
}

async function joinedById(db: DbOrTx, id: string): Promise<JoinedRow> {
  const [row] = await selectJoined(db).where(eq(inboxItems.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such inbox item.");
  return row;
}

async function toDetail(ctx: ServiceContext, row: JoinedRow, now: Date): Promise<InboxItemDetailDto> {
  const partner = row.partner;
  let importPolicy: InboxItemDetailDto["importPolicy"];
  if (!partner) {
    importPolicy = {
      ok: false,
      code: "token_from_unknown_partner",
      message:
        "The sender is not in our partner directory: a partnership manager must add it (direction inbound or both) before its tokens can be imported.",
    };
  } else {
    const verdict = evaluateImportPolicy(partner, { session_kind: row.item.sessionKind }, now);
    importPolicy = verdict.ok ? { ok: true } : { ok: false, code: verdict.code, message: verdict.message };
  }
  const imported = await importOfItem(ctx.db, row.item.id);
  const receipts = await receiptsOfItem(ctx.db, row.item.id);
  return {
    ...toInboxItemDto(ctx, row, imported, now),
    claims: row.item.claims,
    partner: partner ? toPartnerSummary(partner, now) : null,
    importPolicy,
    receipts,
  };
}

/** `GET /api/inbox/{id}`: the item with its claims, manifest, partner and agreement now, time left. */
export async function getInboxItem(ctx: ServiceContext, id: string): Promise<InboxItemDetailDto> {
  assertCan(ctx, "inbox.read");
  const now = ctx.now();
  const row = await joinedById(ctx.db, id);
  if (row.item.state === "pending" && row.item.expiresAt <= now) {
    await expireDue(ctx.db, now, [id]);
    return toDetail(ctx, await joinedById(ctx.db, id), now);
  }
  return toDetail(ctx, row, now);
}

const NOT_PENDING: Record<string, string> = {
  importing: "This token is being imported right now: it can no longer be rejected.",
  imported: "This token was already imported: decide the imported session in the review queue instead.",
  rejected: "This token was already rejected.",
  expired: "This token has expired: there is nothing left to reject.",
  failed: "This token's import failed and the token is gone: there is nothing left to reject.",
  invalid:
    "Didit refused this token as invalid: it was never the partner's, and there is nothing left to reject.",
};

/**
 * `POST /api/inbox/{id}/reject`: a pending token, or one whose import failed while it stayed
 * unredeemed (retryable), is refused for good; the token is destroyed (a failed import row stays
 * failed, no longer retryable). A receipt goes back to a remote partner's console.
 */
export async function rejectInboxItem(
  ctx: ServiceContext,
  id: string,
  input: RejectInboxItemRequest,
): Promise<InboxItemDetailDto> {
  assertCan(ctx, "imports.create");
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const [item] = await tx.select().from(inboxItems).where(eq(inboxItems.id, id)).limit(1).for("update");
    if (!item) throw new AppError("not_found", "No such inbox item.");
    const state = item.state === "pending" && item.expiresAt <= now ? "expired" : item.state;
    const [failed] =
      state === "failed"
        ? await tx.select().from(imports).where(eq(imports.inboxItemId, id)).limit(1).for("update")
        : [];
    const retryable =
      !!failed &&
      failed.state === "failed" &&
      failed.retryable &&
      !!item.tokenCiphertext &&
      item.expiresAt > now;
    if (state !== "pending" && !retryable)
      throw new AppError("conflict", NOT_PENDING[state] ?? "This token is not pending.");
    await tx
      .update(inboxItems)
      .set({ state: "rejected", stateReason: input.reason, tokenCiphertext: null, updatedAt: now })
      .where(eq(inboxItems.id, id));
    if (failed && retryable) {
      await tx.update(imports).set({ retryable: false, updatedAt: now }).where(eq(imports.id, failed.id));
    }
    await recordAudit(tx, auditMeta(ctx), {
      action: "inbox.rejected",
      entityType: "inbox_item",
      entityId: id,
      data: {
        reason: input.reason,
        partnerId: item.partnerId,
        applicationId: item.applicationId,
        senderShareId: item.senderShareId,
        sourceSessionId: item.sourceSessionId,
        previousState: state,
        importId: failed?.id ?? null,
      },
    });
    if (item.localShareId)
      await receiptOnOwnShare(tx, auditMeta(ctx), item.localShareId, {
        status: "rejected",
        reason: input.reason,
      });
    else if (item.partnerId) {
      await queueOutboundReceipt(
        tx,
        {
          partnerId: item.partnerId,
          inboxItemId: id,
          shareId: item.senderShareId,
          status: "rejected",
          reason: input.reason,
          now,
        },
        auditMeta(ctx),
      );
    }
  });
  return getInboxItem(ctx, id);
}

function nextCursorOf(row: { receivedAt: Date; id: string }): string {
  return encodeKeysetCursor(row.receivedAt, row.id);
}
