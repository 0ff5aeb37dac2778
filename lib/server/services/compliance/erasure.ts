import "server-only";
import { createHash } from "node:crypto";
import { and, desc, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import type {
  CreateErasureInput,
  ErasureDiditOutcome,
  ErasureListQuery,
  ErasureListResponse,
  ErasureRequestDto,
} from "@/lib/schemas/erasure";
import { canonicalJson } from "@/lib/server/crypto/canonical-json";
import {
  connectedApplications,
  erasureRequests,
  imports,
  inboxItems,
  sessionMirror,
  shares,
  users,
} from "@/lib/server/db/schema";
import { rowsOf, type DbOrTx, type Tx } from "@/lib/server/db/types";
import type { DiditClient } from "@/lib/server/didit/types";
import { AppError, type ServiceContext, type ServiceDeps, assertCan, diditOf } from "@/lib/server/kernel";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/server/http/keyset-cursor";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { raiseRecall } from "@/lib/server/services/recalls";
import { REDACTED_MIRROR_FIELDS } from "./retention";
import { invalidateReviewDecisions } from "@/lib/server/services/reviews";

/**
 * Erasure of one session at an admin's request, in order and idempotently:
 * 1. an `erasure_requests` row (running), audited `erasure.requested` (ids and the reason);
 * 2. when asked, Didit's delete with the owning application's key (404: already gone; a timeout or
 *    5xx is tried once more, then the request ends `failed` while our copies are still erased);
 * 3. our copies: the session's mirror rows redacted as retention does, inbox items of it stripped of
 *    manifest and sealed token, its pending shares revoked with their tokens destroyed, the review
 *    page's cached decisions of it dropped;
 * 4. a recall to every partner it was shared with;
 * 5. a SHA-256 over the removed personal fields, the counts, the state; `erasure.completed` audits
 *    ids, counts and the hash only — never a name — so the chain still verifies and proves what went.
 * A request found `running` (an earlier attempt stopped half-way) is resumed rather than repeated.
 */

type ErasureRow = typeof erasureRequests.$inferSelect;

/** What partners are told (no personal data). */
const RECALL_REASON =
  "The source session was erased at the sender's request: its verification can no longer be relied on.";

const UNKNOWN_SESSION =
  "No session with this id is known to our applications (no mirror row, share, inbox item or import names it).";

/** Didit failures worth one more try: the delete is idempotent (a 404 after it is success). */
const TRANSIENT = new Set(["upstream_timeout", "upstream_unavailable", "upstream_error", "rate_limited"]);

type Candidate = {
  applicationId: string;
  applicationName: string;
  /** The session lives in this application at Didit (mirror, our share of it, our clone). */
  held: boolean;
  apiKeyCiphertext: string | null;
  deleted: boolean;
  status: string | null;
};

/** Every application of ours that names the session, with whether it holds it at Didit. */
async function candidatesOf(db: DbOrTx, sessionId: string): Promise<Candidate[]> {
  const list = rowsOf<{ application_id: string; held: boolean; status: string | null }>(
    await db.execute(sql`
    select c.application_id::text as application_id, bool_or(c.held) as held,
           (array_agg(c.status order by c.rank) filter (where c.status is not null))[1] as status
      from (
        select application_id, true as held, status, 1 as rank from session_mirror where didit_session_id = ${sessionId}::uuid
        union all
        select application_id, true, source_status, 2 from shares where session_id = ${sessionId}::uuid
        union all
        select application_id, true, status, 3 from imports where clone_session_id = ${sessionId}::uuid
        union all
        select application_id, false, null, 4 from inbox_items where source_session_id = ${sessionId}::uuid
        union all
        select application_id, false, null, 5 from imports where source_session_id = ${sessionId}::uuid
      ) c
     group by c.application_id`),
  );
  if (list.length === 0) return [];
  const apps = await db
    .select()
    .from(connectedApplications)
    .where(
      inArray(
        connectedApplications.id,
        list.map((r) => r.application_id),
      ),
    );
  const byId = new Map(apps.map((a) => [a.id, a]));
  return list
    .filter((r) => byId.has(r.application_id))
    .map((r) => {
      const app = byId.get(r.application_id)!;
      return {
        applicationId: app.id,
        applicationName: app.name,
        held: r.held === true,
        apiKeyCiphertext: app.apiKeyCiphertext,
        deleted: app.deletedAt !== null,
        status: r.status,
      };
    });
}

/** The application an erasure is about: the one named, else the one holding it, else the only one. */
function pickTarget(candidates: Candidate[], applicationId: string | undefined): Candidate {
  if (candidates.length === 0) throw new AppError("not_found", UNKNOWN_SESSION);
  if (applicationId) {
    const named = candidates.find((c) => c.applicationId === applicationId);
    if (!named) {
      throw new AppError("not_found", "This session is not known to that application: pick another one.", {
        candidates: candidates.map((c) => ({
          applicationId: c.applicationId,
          applicationName: c.applicationName,
        })),
      });
    }
    return named;
  }
  const held = candidates.filter((c) => c.held);
  const pool = held.length > 0 ? held : candidates;
  if (pool.length === 1) return pool[0]!;
  throw new AppError(
    "conflict",
    "This session is known to several of our applications: choose which one with applicationId.",
    { candidates: pool.map((c) => ({ applicationId: c.applicationId, applicationName: c.applicationName })) },
  );
}

function describeDiditError(error: unknown): string {
  if (error instanceof AppError) return error.message.slice(0, 500);
  getLogger()
    .child({ component: "erasure" })
    .error({ err: error instanceof Error ? error.message : String(error) }, "unexpected Didit delete error");
  return "An unexpected error happened while asking Didit to delete the session (see the server log).";
}

/** Didit's delete: once, and once more on a transient failure. Never throws. */
async function deleteAtDidit(
  client: DiditClient,
  caller: { id: string; apiKeyCiphertext: string },
  sessionId: string,
): Promise<{ outcome: ErasureDiditOutcome; error: string | null }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.deleteSession(caller, sessionId);
      return { outcome: "deleted", error: null };
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found")
        return { outcome: "not_found", error: null };
      if (attempt < 2 && error instanceof AppError && TRANSIENT.has(error.code)) continue;
      return {
        outcome: "failed",
        error: `Didit did not delete the session: ${describeDiditError(error)} Our copies were erased; request the erasure again to retry the Didit delete.`,
      };
    }
  }
}

type Removed = {
  sessionMirror: Record<string, unknown>[];
  inboxItems: Record<string, unknown>[];
};

/** SHA-256 (hex) over a canonical JSON of the removed personal fields, rows in id order. */
export function removedFieldsHash(sessionId: string, removed: Removed): string {
  const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
  const body = canonicalJson({
    sessionId,
    sessionMirror: [...removed.sessionMirror].sort(byId),
    inboxItems: [...removed.inboxItems].sort(byId),
  });
  return createHash("sha256").update(body).digest("hex");
}

/** Step 3: our copies. Answers the counts, the removed fields and the revoked share ids. */
async function eraseCopies(
  tx: Tx,
  request: ErasureRow,
  actorId: string,
  diditGone: boolean,
  now: Date,
): Promise<{ counts: Record<string, number>; removed: Removed; revokedShareIds: string[] }> {
  const sessionId = request.sessionId;
  const mirror = await tx
    .select()
    .from(sessionMirror)
    .where(eq(sessionMirror.diditSessionId, sessionId))
    .for("update");
  const toRedact = mirror.filter((m) => m.redactedAt === null);
  const removed: Removed = {
    sessionMirror: toRedact.map((m) => ({
      id: m.id,
      displayName: m.displayName,
      registrationNumber: m.registrationNumber,
      vendorData: m.vendorData,
      searchText: m.searchText,
      country: m.country,
      documentType: m.documentType,
    })),
    inboxItems: [],
  };
  if (mirror.length > 0) {
    await tx
      .update(sessionMirror)
      .set({
        ...REDACTED_MIRROR_FIELDS,
        redactedAt: sql`coalesce(${sessionMirror.redactedAt}, ${now.toISOString()}::timestamptz)`,
        // Gone at Didit: it leaves the picker (the row stays for lineage).
        ...(diditGone
          ? { deletedAt: sql`coalesce(${sessionMirror.deletedAt}, ${now.toISOString()}::timestamptz)` }
          : {}),
      })
      .where(eq(sessionMirror.diditSessionId, sessionId));
  }

  const items = await tx
    .select()
    .from(inboxItems)
    .where(eq(inboxItems.sourceSessionId, sessionId))
    .for("update");
  const itemsToRedact = items.filter((i) => i.redactedAt === null || i.tokenCiphertext !== null);
  removed.inboxItems = itemsToRedact
    .filter((i) => i.redactedAt === null)
    .map((i) => ({ id: i.id, manifest: i.manifest }));
  let itemsClosed = 0;
  for (const item of itemsToRedact) {
    const open = item.state === "pending";
    if (open) itemsClosed++;
    await tx
      .update(inboxItems)
      .set({
        manifest: null,
        tokenCiphertext: null,
        redactedAt: item.redactedAt ?? now,
        updatedAt: now,
        ...(open
          ? {
              state: "failed" as const,
              stateReason: "The source session was erased at the sender's request.",
            }
          : {}),
      })
      .where(eq(inboxItems.id, item.id));
  }
  if (itemsToRedact.length > 0) {
    // A failed import of such an item cannot be tried again: its token is gone.
    await tx
      .update(imports)
      .set({ retryable: false, updatedAt: now })
      .where(
        and(
          inArray(
            imports.inboxItemId,
            itemsToRedact.map((i) => i.id),
          ),
          eq(imports.retryable, true),
        ),
      );
  }

  const open = await tx
    .select({ id: shares.id, state: shares.state })
    .from(shares)
    .where(
      and(
        eq(shares.sessionId, sessionId),
        or(eq(shares.state, "pending"), isNotNull(shares.tokenCiphertext)),
      ),
    )
    .for("update");
  const revokedShareIds = open.filter((s) => s.state === "pending").map((s) => s.id);
  if (revokedShareIds.length > 0) {
    await tx
      .update(shares)
      .set({
        state: "revoked",
        tokenCiphertext: null,
        revokedAt: now,
        revokedBy: actorId,
        revokeReason: "erased",
        updatedAt: now,
      })
      .where(inArray(shares.id, revokedShareIds));
  }
  const tokenOnly = open.filter((s) => s.state !== "pending").map((s) => s.id);
  if (tokenOnly.length > 0) {
    await tx
      .update(shares)
      .set({ tokenCiphertext: null, updatedAt: now })
      .where(inArray(shares.id, tokenOnly));
  }
  return {
    counts: {
      sessionMirror: toRedact.length,
      inboxItems: removed.inboxItems.length,
      inboxItemsClosed: itemsClosed,
      sharesRevoked: revokedShareIds.length,
      shareTokensDestroyed: open.length,
    },
    removed,
    revokedShareIds,
  };
}

/** `POST /api/erasure`: the whole erasure, answered once finished (201 with the request). */
export async function requestErasure(
  ctx: ServiceContext,
  input: CreateErasureInput,
  deps: ServiceDeps = {},
): Promise<ErasureRequestDto> {
  assertCan(ctx, "erasure.request");
  const actor = ctx.actor!;
  if (input.confirm !== input.sessionId) {
    throw new AppError(
      "bad_request",
      "The confirmation does not match the session id: type the same uuid again.",
      {
        fields: { confirm: ["Type the same session uuid again"] },
      },
    );
  }
  const target = pickTarget(await candidatesOf(ctx.db, input.sessionId), input.applicationId);
  if (input.deleteAtDidit && !target.held) {
    throw new AppError(
      "conflict",
      "This session lives in a partner's Didit application, not ours: only the partner can delete it at Didit. Erase our copies without the Didit delete.",
    );
  }
  if (input.deleteAtDidit && (target.deleted || !target.apiKeyCiphertext)) {
    throw new AppError(
      "conflict",
      `${target.applicationName} has no API key any more, so Didit cannot be asked to delete the session: erase our copies without the Didit delete.`,
    );
  }

  // 1. The request (or the running one, resumed).
  const meta = auditMeta(ctx);
  const request = await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`erasure:${input.sessionId}`}))`);
    const [previous] = await tx
      .select()
      .from(erasureRequests)
      .where(
        and(
          eq(erasureRequests.sessionId, input.sessionId),
          eq(erasureRequests.applicationId, target.applicationId),
          inArray(erasureRequests.state, ["running", "done"]),
        ),
      )
      .orderBy(desc(erasureRequests.requestedAt))
      .limit(1);
    if (previous?.state === "running") return previous;
    if (previous?.state === "done" && (previous.deleteAtDidit || !input.deleteAtDidit)) {
      throw new AppError(
        "conflict",
        `This session was already erased (request ${previous.id}, ${previous.requestedAt.toISOString()}).`,
        { erasureRequestId: previous.id },
      );
    }
    const [row] = await tx
      .insert(erasureRequests)
      .values({
        applicationId: target.applicationId,
        sessionId: input.sessionId,
        reason: input.reason,
        deleteAtDidit: input.deleteAtDidit,
        state: "running",
        requestedBy: actor.id,
        requestedAt: meta.now,
      })
      .returning();
    await recordAudit(tx, meta, {
      action: "erasure.requested",
      entityType: "erasure_request",
      entityId: row!.id,
      data: {
        sessionId: input.sessionId,
        applicationId: target.applicationId,
        deleteAtDidit: input.deleteAtDidit,
        reason: input.reason,
      },
    });
    return row!;
  });

  // 2. Didit.
  let didit: { outcome: ErasureDiditOutcome; error: string | null } = { outcome: "skipped", error: null };
  if (request.deleteAtDidit && target.apiKeyCiphertext) {
    didit = await deleteAtDidit(
      diditOf(deps),
      { id: target.applicationId, apiKeyCiphertext: target.apiKeyCiphertext },
      request.sessionId,
    );
  }
  const diditGone = didit.outcome === "deleted" || didit.outcome === "not_found";

  // 3–5. Our copies, the recall, the hash, in one transaction with the closing audit event.
  const now = ctx.now();
  const finalMeta: AuditRequestMeta = { ...meta, now };
  await ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(erasureRequests)
      .where(eq(erasureRequests.id, request.id))
      .for("update");
    if (!current || current.state !== "running") return; // finished by a concurrent attempt
    // 4 before 3 in the same transaction: a share still pending (a push under way) is told too.
    const recall = await raiseRecall(tx, finalMeta, {
      applicationId: current.applicationId,
      sessionId: current.sessionId,
      trigger: "erased",
      fromStatus: target.status,
      toStatus: null,
      source: "erasure",
      raisedBy: actor.id,
      reason: RECALL_REASON,
    });
    const recallId = recall?.recallId ?? null;
    const { counts, removed, revokedShareIds } = await eraseCopies(tx, current, actor.id, diditGone, now);
    const removedSha256 = removedFieldsHash(current.sessionId, removed);
    const state = didit.outcome === "failed" ? "failed" : "done";
    await tx
      .update(erasureRequests)
      .set({
        state,
        diditOutcome: didit.outcome,
        diditError: didit.error,
        counts,
        removedSha256,
        recallId,
        finishedAt: now,
      })
      .where(eq(erasureRequests.id, current.id));
    await recordAudit(tx, finalMeta, {
      action: state === "done" ? "erasure.completed" : "erasure.failed",
      entityType: "erasure_request",
      entityId: current.id,
      data: {
        sessionId: current.sessionId,
        applicationId: current.applicationId,
        diditOutcome: didit.outcome,
        counts,
        removedSha256,
        recallId,
        revokedShareIds,
      },
    });
  });
  invalidateReviewDecisions({ sessionId: request.sessionId });
  return getErasureRequest(ctx, request.id);
}

// --- Reads ---------------------------------------------------------------------------------------

const SELECT = {
  row: erasureRequests,
  applicationName: connectedApplications.name,
  requesterName: users.name,
};

type Joined = { row: ErasureRow; applicationName: string; requesterName: string };

function toDto(j: Joined): ErasureRequestDto {
  const r = j.row;
  return {
    id: r.id,
    applicationId: r.applicationId,
    applicationName: j.applicationName,
    sessionId: r.sessionId,
    reason: r.reason,
    deleteAtDidit: r.deleteAtDidit,
    state: r.state,
    diditOutcome: (r.diditOutcome as ErasureDiditOutcome | null) ?? null,
    diditError: r.diditError,
    counts: r.counts ?? {},
    removedSha256: r.removedSha256,
    recallId: r.recallId,
    requestedBy: { id: r.requestedBy, name: j.requesterName },
    requestedAt: r.requestedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

function joined(db: DbOrTx) {
  return db
    .select(SELECT)
    .from(erasureRequests)
    .innerJoin(connectedApplications, eq(connectedApplications.id, erasureRequests.applicationId))
    .innerJoin(users, eq(users.id, erasureRequests.requestedBy));
}

export async function getErasureRequest(ctx: ServiceContext, id: string): Promise<ErasureRequestDto> {
  assertCan(ctx, "erasure.request");
  const [row] = await joined(ctx.db).where(eq(erasureRequests.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such erasure request.");
  return toDto(row);
}

/** `GET /api/erasure`: newest first, keyset cursor on (requested, id). */
export async function listErasureRequests(
  ctx: ServiceContext,
  query: ErasureListQuery,
): Promise<ErasureListResponse> {
  assertCan(ctx, "erasure.request");
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  const where: SQL[] = [];
  if (query.sessionId) where.push(eq(erasureRequests.sessionId, query.sessionId.toLowerCase()));
  if (cursor) {
    where.push(
      sql`(${erasureRequests.requestedAt}, ${erasureRequests.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const rows = await joined(ctx.db)
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(desc(erasureRequests.requestedAt), desc(erasureRequests.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toDto),
    nextCursor:
      rows.length > query.limit && last ? encodeKeysetCursor(last.row.requestedAt, last.row.id) : null,
  };
}
